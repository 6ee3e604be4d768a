"""Decision points: where a model may choose for a character instead of the persona policy.

Before a turn, each living character's view and its legal options are listed (from a
copy of the world: nothing changes). The runner asks a model for each choice, all at
once, and hands the choices to `run_turn`. When the character's moment comes the world
may have moved on (someone left, fell, took the item): a choice counts only if it is
still among that moment's legal options, else the policy's pick stands (`honour`).
The policy always draws its noise from the RNG, chosen or not, so a run's randomness
and a replay's are the same whatever the model said.
"""

from __future__ import annotations

from dataclasses import dataclass

from .director import CharacterView, build_view, note_surroundings
from .goals import goal_drives
from .intent import Intent
from .persona import options
from .world import WorldState


@dataclass(frozen=True)
class DecisionPoint:
    turn: int
    actor_id: str
    view: CharacterView
    options: tuple[Intent, ...]  # legal, one per (action, target), in a fixed order


def legal_options(view: CharacterView) -> tuple[Intent, ...]:
    seen: set[tuple[str, str]] = set()
    found: list[Intent] = []
    for _, intent in options(view, goal_drives(view.goals)):
        key = (intent.action.value, intent.target_id)
        if key not in seen:
            seen.add(key)
            found.append(intent)
    return tuple(found)


def decision_points(world: WorldState) -> list[DecisionPoint]:
    """Every living character's choice for the next turn, in roster order."""
    state = world.clone()
    turn = state.turn + 1
    points = []
    for character in state.characters:
        if not character.alive:
            continue
        note_surroundings(state, character.id)
        view = build_view(state, character.id, turn)
        points.append(DecisionPoint(turn, character.id, view, legal_options(view)))
    return points


def honour(chosen: Intent, view: CharacterView, policy: Intent) -> tuple[Intent, bool]:
    """The chosen intent if it is still legal now (with this moment's motive), else the
    policy's; the flag says which."""
    for intent in legal_options(view):
        if intent.action == chosen.action and intent.target_id == chosen.target_id:
            return intent, True
    return policy, False
