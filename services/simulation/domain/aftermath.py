"""What violence and betrayal leave behind: victims and witnesses change how they feel
and what they want (fear, revenge, grief, alliances against the aggressor).

Reaction effects: subject = the character reacting; detail = "<feeling>:<other id>",
the feeling one of fear, revenge, betrayed, grief, outrage, alliance.
"""

from __future__ import annotations

from . import consequences as cq
from .events import Effect
from .stakes import REVENGE, SHUN
from .world import CharacterState, WorldState


def _want(char: CharacterState, goal: str) -> None:
    if goal not in char.goals:
        char.goals.append(goal)


def _react(char: CharacterState, feeling: str, other: CharacterState) -> Effect:
    return Effect("reaction", char.id, f"{feeling}:{other.id}")


def after_violence(
    world: WorldState,
    aggressor: CharacterState,
    victim: CharacterState,
    *,
    betrayal: bool,
) -> list[Effect]:
    """The victim and everyone watching who cared for the victim take a side."""
    effects: list[Effect] = []
    killed = not victim.alive
    if victim.alive:
        bold = victim.trait("courage") + victim.trait("aggression")
        if betrayal:
            effects.append(_react(victim, "betrayed", aggressor))
        if bold > victim.trait("caution") + 0.6:
            _want(victim, f"{REVENGE}{aggressor.name} pay")
            effects.append(_react(victim, "revenge", aggressor))
        else:
            _want(victim, f"{SHUN}{aggressor.name}")
            effects.append(_react(victim, "fear", aggressor))
    for witness in world.living_at(aggressor.location):
        if witness.id in (aggressor.id, victim.id):
            continue
        cares = witness.regard(victim.id) > 0.1 or (
            bool(witness.faction) and witness.faction == victim.faction
        )
        if not cares:
            continue
        effects += cq.shift_regard(witness, aggressor, -0.3 if killed else -0.15)
        if killed:
            effects.append(_react(witness, "grief", victim))
            if witness.trait("courage") + witness.trait("loyalty") > 1.1:
                _want(witness, f"{REVENGE}{aggressor.name} pay for {victim.name}")
                effects.append(_react(witness, "revenge", aggressor))
            else:
                _want(witness, f"{SHUN}{aggressor.name}")
                effects.append(_react(witness, "fear", aggressor))
        else:
            effects += cq.shift_regard(witness, victim, 0.1)
            effects.append(_react(witness, "alliance", victim))
    return effects


def after_exposed_lie(
    world: WorldState, liar: CharacterState, dupe: CharacterState
) -> list[Effect]:
    """A lie seen through: the dupe feels betrayed if they had trusted the liar."""
    if dupe.regard(liar.id) <= 0.1 and not (liar.faction and liar.faction == dupe.faction):
        return []
    return [_react(dupe, "betrayed", liar)]
