"""The director's pacing: a tension curve over the run, and the turn's opening event.

The curve builds up to a peak near the end, then relents. Each turn the director
compares the running tension with the curve: behind it, the world escalates (hazards
that hurt, the objective's obstacle pressing, a rumour of the key clue when nobody has
found it); ahead of it or after the objective is settled, the world relents (a supply
cache, or nothing). The opening event also carries what the places look like, so the
story can show the setting, and on the first turn the scenario's stakes.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from .actions import COMPLICATION, DIRECTOR_ID, DIRECTOR_NAME
from .checks import CheckOutcome
from .complications import strike
from .events import Effect, TurnEvent
from .stakes import stakes_effect, stakes_of
from .world import WorldState, location_id
from .worlds import world_of

PACE = "pace"  # the director's action in a turn where nothing strikes
HARM = ("storm", "tremor", "malfunction")
# What each kind of effect adds to the running tension.
_DRAMA = {
    "injured": 0.08, "killed": 0.35, "clue_found": 0.12, "reaction": 0.08, "resolution": 0.3,
    "broken": 0.05, "misled": 0.06, "learned": 0.03,
}  # fmt: skip


def phase(turn: int, total: int) -> tuple[str, float]:
    """The curve: build-up to 0.8 by three quarters of the run, a peak, then relief."""
    f = turn / max(1, total)
    if f <= 0.75:
        return "build-up", round(0.2 + 0.6 * f / 0.75, 3)
    if f <= 0.9 or turn == total - 1:
        return "peak", 0.9
    return "relief", 0.3


def _scenes(world: WorldState, turn: int) -> list[Effect]:
    """A detail of each occupied place (two at most), turning through them by turn."""
    seeds = world_of(world).places
    out: list[Effect] = []
    for n, place in enumerate(world.locations):
        if world.living_at(place) and n < len(seeds) and len(out) < 2:
            details = seeds[n].details
            out.append(
                Effect("scene", location_id(place), f"{place}|{details[turn % len(details)]}")
            )
    return out


def _rumour(world: WorldState, turn: int) -> list[Effect]:
    """Nobody has the key clue halfway through: the world points someone at it."""
    key = next((c for c in world.clues if c.id == world.key_clue), None)
    if key is None or not key.location or any(key.id in c.known_clues for c in world.living()):
        return []
    key.difficulty = max(6, key.difficulty - 3)
    for char in world.living():
        if key.location not in char.leads:
            char.leads.append(key.location)
            return [Effect("lead", char.id, key.location)]
    return []


def open_turn(world: WorldState, rng: random.Random, turn: int) -> TurnEvent:
    """The director's event that starts a turn (sequence 0)."""
    name, target = phase(turn, world.turns_total)
    effects: list[Effect] = [stakes_effect(world)] if turn == 1 else []
    gap = target - world.tension
    kinds: tuple[str, ...]
    if world.objective != "open" or gap < -0.2:
        chance, kinds = 0.1, ("cache",)
    elif gap > 0.2:
        chance, kinds = 0.7, HARM
    else:
        chance, kinds = 0.35, (*HARM, "cache")
    action, place, motive = PACE, "", ""
    if turn > 1 and rng.random() < chance:
        hazard, place, happened = strike(world, rng, kinds)
        action, motive = COMPLICATION, hazard.text.format(loc=place)
        effects += happened
    if world.objective == "open":
        if turn == max(2, round(0.7 * world.turns_total)):
            effects.append(Effect("obstacle", "scenario", stakes_of(world).obstacle))
        if turn >= max(2, round(0.35 * world.turns_total)):
            effects += _rumour(world, turn)
    effects += _scenes(world, turn)
    # Who is "she" and who "he", so a chapter can say so after naming them.
    effects += [Effect("pronoun", c.id, c.pronoun) for c in world.living() if c.pronoun]
    # ":new" marks the first turn of a phase, so a story says it once.
    fresh = turn == 1 or phase(turn - 1, world.turns_total)[0] != name
    effects.append(Effect("tension", "scenario", f"{name}:new" if fresh else name, target))
    return TurnEvent(
        turn=turn,
        sequence=0,
        actor_id=DIRECTOR_ID,
        actor_name=DIRECTOR_NAME,
        action=action,
        target_id=location_id(place) if place else "",
        target_name=place,
        location=place,
        motive=motive,
        outcome=CheckOutcome.NONE.value,
        roll=0,
        difficulty=0,
        effects=tuple(effects),
    )


def close_turn(world: WorldState, turn: int, sequence: int, effects: list[Effect]) -> TurnEvent:
    """The director's reckoning at the end of a turn: goals settled, the scenario's end."""
    return TurnEvent(
        turn=turn,
        sequence=sequence,
        actor_id=DIRECTOR_ID,
        actor_name=DIRECTOR_NAME,
        action="reckoning",
        target_id="",
        target_name="",
        location="",
        motive="",
        outcome=CheckOutcome.NONE.value,
        roll=0,
        difficulty=0,
        effects=tuple(effects),
    )


def update_tension(world: WorldState, events: Sequence[TurnEvent]) -> None:
    drama = sum(_DRAMA.get(f.kind, 0.0) for e in events for f in e.effects)
    drama += sum(0.1 for e in events if e.action in ("attack", "deceive", COMPLICATION))
    world.tension = round(min(1.0, 0.5 * world.tension + drama), 3)
