"""Public entry points of the turn engine.

Determinism: one seeded `random.Random` per simulation, its state carried in the world
state between turns; every loop runs over lists in a fixed order; no clock, no I/O.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .choices import honour
from .creation import create_world
from .director import build_view, note_surroundings, record
from .events import TurnEvent
from .intent import Intent
from .interventions import Intervention, direct
from .pacing import close_turn, open_turn, update_tension
from .persona import choose_intent
from .resolver import resolve
from .scenery import World
from .sheets import CharacterSheet, validate_sheets
from .stakes import reckon
from .world import WorldState, capture_rng, restore_rng

MAX_TURNS = 1000


@dataclass(frozen=True)
class TurnResult:
    world: WorldState  # the state after this turn; the input world is left unchanged
    turn: int
    events: tuple[TurnEvent, ...]
    overruled: tuple[str, ...] = ()  # characters whose given choice was no longer legal


def start_world(
    sheets: Sequence[CharacterSheet],
    *,
    seed: int,
    setting: str,
    scenario: str,
    turns_total: int,
    world: World | None = None,
) -> WorldState:
    """Validate the inputs and build the world before turn 1 (in `world`, a user's own,
    or else the built-in one nearest the setting). Raises ValueError."""
    validate_sheets(sheets)
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise ValueError("seed must be an integer")
    if isinstance(turns_total, bool) or not isinstance(turns_total, int):
        raise ValueError("turns_total must be an integer")
    if not 1 <= turns_total <= MAX_TURNS:
        raise ValueError(f"turns_total must be 1..{MAX_TURNS}, got {turns_total}")
    if not isinstance(setting, str) or not isinstance(scenario, str):
        raise ValueError("setting and scenario must be strings")
    return create_world(
        sheets, seed=seed, setting=setting, scenario=scenario, turns_total=turns_total, world=world
    )


def is_finished(world: WorldState) -> bool:
    return world.turn >= world.turns_total or not world.living()


def _initiative(world: WorldState, rng: random.Random) -> list[str]:
    # Quick characters tend to act first; the index breaks ties in roster order.
    rolls = [
        (-(c.stat("dexterity") + rng.randint(1, 6)), n, c.id)
        for n, c in enumerate(world.characters)
        if c.alive
    ]
    return [char_id for _, _, char_id in sorted(rolls)]


def run_turn(
    world: WorldState,
    chosen: Mapping[str, Intent] | None = None,
    directed: Sequence[Intervention] = (),
) -> TurnResult:
    """Run the next turn and return a new world; `world` itself is not modified.

    `chosen`: intents picked for some characters (by a model, see choices.py); each
    replaces the policy's pick if it is still legal when the character acts.
    `directed`: the interventions due at this turn, applied after its opening.

    Raises ValueError if the simulation is already finished.
    """
    if is_finished(world):
        raise ValueError("the simulation is finished")
    state = world.clone()
    rng = restore_rng(state.rng_state)
    turn = state.turn + 1
    events: list[TurnEvent] = []
    overruled: list[str] = []

    opening = open_turn(state, rng, turn)
    events.append(opening)
    record(state, opening)
    if directed:
        direct(state, directed, turn, events)

    for actor_id in _initiative(state, rng):
        actor = state.character(actor_id)
        if not actor.alive:  # fell earlier this turn
            continue
        actor.guarding = ""  # guard and watch last until one's own next action
        actor.alert = False
        note_surroundings(state, actor_id)
        view = build_view(state, actor_id, turn)
        intent = choose_intent(view, rng)
        if chosen and actor_id in chosen:
            intent, kept = honour(chosen[actor_id], view, intent)
            if not kept:
                overruled.append(actor_id)
        event = resolve(state, actor_id, intent, rng, turn, len(events))
        events.append(event)
        record(state, event)

    settled = reckon(state, final=turn == state.turns_total)
    if settled:
        events.append(close_turn(state, turn, len(events), settled))
    update_tension(state, events)
    state.turn = turn
    state.rng_state = capture_rng(rng)
    return TurnResult(world=state, turn=turn, events=tuple(events), overruled=tuple(overruled))
