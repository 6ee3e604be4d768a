"""Unit tests for the pure turn engine (services.simulation.domain)."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TypedDict

import pytest

from services.simulation.domain import (
    CATALOGUE,
    COMPLICATION,
    DIRECTOR_ID,
    Action,
    CharacterSheet,
    TurnEvent,
    WorldState,
    build_view,
    is_finished,
    run_turn,
    start_world,
)
from services.simulation.domain.goals import goal_drives, goal_motive
from services.simulation.domain.persona import choose_intent
from services.simulation.domain.stakes import decisive_turn

REPO = Path(__file__).resolve().parents[2]


def stats(s: int, d: int, i: int, w: int, p: int, c: int) -> dict[str, int]:
    return {
        "strength": s,
        "dexterity": d,
        "intelligence": i,
        "willpower": w,
        "perception": p,
        "charisma": c,
    }


EXPEDITION = (
    CharacterSheet(
        id="pilot",
        name="Rhea Voss",
        faction="Survey Corps",
        role="Pilot",
        traits={"courage": 0.85, "caution": 0.35, "loyalty": 0.8, "curiosity": 0.5},
        stats=stats(5, 9, 6, 7, 8, 6),
        goals=("Get the crew off Veyra alive", "Find a safe landing corridor"),
        relationships={"engineer": 0.6, "zara": -0.2, "someone-else": 0.9},
        equipment=("flight jacket", "signal flare"),
    ),
    CharacterSheet(
        id="engineer",
        name="Tomas Bergqvist",
        faction="Survey Corps",
        role="Engineer",
        traits={"discipline": 0.8, "empathy": 0.55, "caution": 0.6},
        stats=stats(6, 5, 8, 6, 5, 4),
        goals=("Repair the damaged relay mast", "Keep the reactor from failing"),
        relationships={"pilot": 0.6},
        equipment=("multitool", "welding torch"),
    ),
    CharacterSheet(
        id="zara",
        name="Zara Kade",
        faction="Free Traders",
        role="Smuggler",
        traits={"cunning": 0.85, "courage": 0.7, "aggression": 0.45, "loyalty": 0.3},
        stats=stats(5, 8, 6, 5, 7, 7),
        goals=("Find the old archive before anyone else", "Sell what she finds"),
        relationships={"pilot": -0.3, "oren": -0.4},
        equipment=("grappling line", "vibroknife"),
    ),
    CharacterSheet(
        id="oren",
        name="Oren Vask",
        faction="Meridian Company",
        role="Corporate liaison",
        traits={"cunning": 0.9, "aggression": 0.55, "loyalty": 0.2, "caution": 0.7},
        stats=stats(4, 5, 8, 7, 6, 8),
        goals=("Secure the archive for Meridian",),
        relationships={"zara": -0.5, "pilot": -0.2},
        equipment=("encrypted slate", "holdout pistol"),
    ),
)

FEUD = (
    CharacterSheet(
        id="brann",
        name="Brann",
        faction="Iron Order",
        role="Knight",
        traits={"aggression": 0.85, "courage": 0.9, "loyalty": 0.8, "empathy": 0.2},
        stats=stats(9, 6, 4, 7, 5, 4),
        goals=("Destroy the Red Hand", "Protect Sister Ilse"),
        relationships={"ilse": 0.7, "vesk": -0.8, "mira": -0.3},
        equipment=("longsword",),
    ),
    CharacterSheet(
        id="ilse",
        name="Sister Ilse",
        faction="Iron Order",
        role="Healer",
        traits={"empathy": 0.95, "caution": 0.6, "courage": 0.4},
        stats=stats(3, 4, 8, 8, 6, 7),
        goals=("Heal the wounded", "Lift the curse on the village"),
        relationships={"brann": 0.6, "vesk": -0.2},
        equipment=("healer's satchel",),
    ),
    CharacterSheet(
        id="vesk",
        name="Vesk",
        faction="Red Hand",
        role="Bandit chief",
        traits={"aggression": 0.9, "cunning": 0.6, "courage": 0.7, "empathy": 0.1},
        stats=stats(8, 7, 5, 6, 5, 5),
        goals=("Kill Brann", "Steal the royal signet"),
        relationships={"brann": -0.9, "mira": 0.5},
        equipment=("notched axe", "stolen map"),
    ),
    CharacterSheet(
        id="mira",
        name="Mira",
        faction="Red Hand",
        role="Thief",
        traits={"cunning": 0.9, "curiosity": 0.7, "caution": 0.6, "aggression": 0.3},
        stats=stats(4, 9, 7, 5, 8, 6),
        goals=("Uncover the secret of the old keep", "Trade the loot for gold"),
        relationships={"vesk": 0.4, "brann": -0.4},
        equipment=("lockpicks", "dagger", "spyglass"),
    ),
)


class Text(TypedDict):
    setting: str
    scenario: str


SCIFI: Text = {
    "setting": "the storm moon Veyra",
    "scenario": "A distress signal pulses under the ice.",
}
FANTASY: Text = {
    "setting": "a cursed kingdom of old castles",
    "scenario": "The king's signet is gone.",
}


def new_world(
    sheets: Sequence[CharacterSheet] = EXPEDITION, seed: int = 7, turns: int = 8, text: Text = SCIFI
) -> WorldState:
    return start_world(sheets, seed=seed, turns_total=turns, **text)


def run_all(world: WorldState) -> list[TurnEvent]:
    events: list[TurnEvent] = []
    while not is_finished(world):
        result = run_turn(world)
        events.extend(result.events)
        world = result.world
    return events


def dump(events: Sequence[TurnEvent]) -> str:
    return json.dumps([e.to_dict() for e in events], sort_keys=True)


# -- determinism --


def test_same_inputs_and_seed_give_identical_events() -> None:
    assert dump(run_all(new_world(seed=11))) == dump(run_all(new_world(seed=11)))


def test_different_seeds_give_different_events() -> None:
    runs = {dump(run_all(new_world(seed=seed))) for seed in range(5)}
    assert len(runs) == 5


def test_events_do_not_depend_on_string_hash_randomization() -> None:
    # Each interpreter salts str hashes differently; the events must not notice.
    code = "import sys; sys.path.insert(0, sys.argv[1]); import test_engine as t; print(t._probe())"
    outputs = set()
    for hash_seed in ("0", "1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(REPO)}
        done = subprocess.run(
            [sys.executable, "-c", code, str(Path(__file__).resolve().parent)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.add(done.stdout.strip())
    assert outputs == {_probe()}


def _probe() -> str:
    """A full run's events, as text; compared across interpreter processes."""
    return dump(run_all(new_world(FEUD, seed=3, turns=6, text=FANTASY)))


# -- checkpoints --


def test_world_round_trips_through_json() -> None:
    world = new_world()
    for _ in range(4):
        data = world.to_dict()
        restored = WorldState.from_dict(json.loads(json.dumps(data)))
        assert restored == world
        assert restored.to_dict() == data
        world = run_turn(world).world


@pytest.mark.parametrize("k", [0, 1, 3, 7])
def test_resuming_from_a_checkpoint_matches_an_uninterrupted_run(k: int) -> None:
    uninterrupted = run_all(new_world(FEUD, seed=5, text=FANTASY))

    world = new_world(FEUD, seed=5, text=FANTASY)
    before: list[TurnEvent] = []
    for _ in range(k):
        result = run_turn(world)
        before.extend(result.events)
        world = result.world
    checkpoint = json.dumps(world.to_dict())
    resumed = run_all(WorldState.from_dict(json.loads(checkpoint)))

    assert dump(before + resumed) == dump(uninterrupted)


def test_malformed_checkpoint_raises_value_error() -> None:
    data = new_world().to_dict()
    del data["characters"]
    with pytest.raises(ValueError):
        WorldState.from_dict(data)
    with pytest.raises(ValueError):
        WorldState.from_dict({**new_world().to_dict(), "schema": 99})
    with pytest.raises(ValueError):
        WorldState.from_dict({**new_world().to_dict(), "rng_state": [3, [1, 2], None]})


def test_run_turn_does_not_mutate_its_input() -> None:
    world = new_world()
    snapshot = copy.deepcopy(world.to_dict())
    result = run_turn(world)
    assert world.to_dict() == snapshot
    assert result.world is not world
    assert result.world.turn == world.turn + 1 == result.turn


def _containers(value: object, path: str = "world") -> list[tuple[str, object]]:
    """Every list/dict reachable from a world, with where it was found."""
    found: list[tuple[str, object]] = []
    if isinstance(value, list | dict):
        found.append((path, value))
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            found += _containers(item, f"{path}[{key!r}]")
    elif dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            found += _containers(getattr(value, f.name), f"{path}.{f.name}")
    return found


def test_clone_is_a_deep_copy_sharing_no_container() -> None:
    world = new_world()
    for _ in range(6):  # memories, leads, items and clues filled in
        world = run_turn(world).world
    twin = world.clone()
    assert twin == copy.deepcopy(world)
    originals = {id(c) for _, c in _containers(world)}
    shared = [path for path, c in _containers(twin) if id(c) in originals]
    assert shared == []


# -- turn structure and finishing --


def test_events_are_well_formed() -> None:
    world = new_world(FEUD, seed=2, text=FANTASY)
    actions = {a.value for a in CATALOGUE}
    outcomes = {"success", "failure", "critical_success", "critical_failure", "none"}
    while not is_finished(world):
        result = run_turn(world)
        assert [e.sequence for e in result.events] == list(range(len(result.events)))
        for event in result.events:
            assert event.turn == result.turn
            assert event.outcome in outcomes
            if event.actor_id == DIRECTOR_ID:
                assert event.action in (COMPLICATION, "pace", "reckoning")
                assert event.motive or event.action != COMPLICATION
            else:
                assert event.motive
                assert event.action in actions
            if event.outcome == "none":
                assert (event.roll, event.difficulty) == (0, 0)
            for effect in event.effects:
                assert effect.value == round(effect.value, 3)
        world = result.world


def test_finishes_after_turns_total_and_refuses_more() -> None:
    world = new_world(turns=3)
    for expected in (1, 2, 3):
        assert not is_finished(world)
        world = run_turn(world).world
        assert world.turn == expected
    assert is_finished(world)
    with pytest.raises(ValueError):
        run_turn(world)


def test_finished_when_nobody_is_alive() -> None:
    world = new_world()
    for char in world.characters:
        char.alive = False
        char.health = 0
    assert is_finished(world)


# -- the persona policy --


def test_every_catalogue_action_is_reachable() -> None:
    seen: Counter[str] = Counter()
    for seed in range(25):
        for sheets, text in ((EXPEDITION, SCIFI), (FEUD, FANTASY)):
            seen.update(
                e.action for e in run_all(new_world(sheets, seed=seed, turns=10, text=text))
            )
    missing = [a.value for a in CATALOGUE if seen[a.value] == 0]
    assert not missing, f"never chosen: {missing}"


def test_goals_drive_choices_and_motives() -> None:
    world = new_world(EXPEDITION, seed=4, turns=10)
    # The sheet's "Repair the damaged relay mast", as this run's world tells it.
    goal = next(c.goals[0] for c in world.characters if c.id == "engineer")
    assert goal.lower().startswith(("repair", "get the"))
    events = run_all(world)
    motives = [e.motive for e in events if e.actor_id == "engineer"]
    assert any(goal.lower() in m for m in motives)
    assert goal_motive("Find the source of the signal.") == (
        "driven by the goal to find the source of the signal"
    )
    assert goal_motive("Revenge for my brother") == "driven by the goal of revenge for my brother"
    drives = goal_drives(["Repair the relay", "Sell the loot"])
    assert Action.REPAIR in drives and Action.TRADE in drives


def _choices(world: WorldState, char_id: str, seeds: int = 40) -> Counter[Action]:
    counts: Counter[Action] = Counter()
    for seed in range(seeds):
        view = build_view(world, char_id, turn=2)
        counts[choose_intent(view, random.Random(seed)).action] += 1
    return counts


def _together(sheets: Sequence[CharacterSheet]) -> WorldState:
    world = start_world(sheets, seed=1, turns_total=5, **FANTASY)
    for char in world.characters:
        char.location = world.locations[0]
    return world


def test_aggressive_characters_attack_those_they_hate() -> None:
    world = _together(FEUD[:1] + FEUD[2:3])  # Brann and Vesk alone together
    counts = _choices(world, "brann")
    assert counts[Action.ATTACK] > sum(counts.values()) / 2


def test_empathetic_characters_help_the_injured() -> None:
    world = _together(FEUD[:2])
    brann = world.character("brann")
    brann.health = 3
    counts = _choices(world, "ilse")
    assert counts.most_common(1)[0][0] == Action.HELP


def test_badly_hurt_characters_rest_or_flee() -> None:
    world = _together(FEUD[:1] + FEUD[2:3])
    vesk = world.character("vesk")
    vesk.health = 2
    counts = _choices(world, "vesk")
    assert counts[Action.FLEE] + counts[Action.REST] + counts[Action.DEFEND] > counts[Action.ATTACK]
    alone = _together(FEUD[2:3])
    alone.character("vesk").health = 2
    assert _choices(alone, "vesk").most_common(1)[0][0] == Action.REST


def test_curious_characters_investigate() -> None:
    scholar = CharacterSheet(
        id="sage",
        name="Sage",
        traits={"curiosity": 0.95},
        stats=stats(3, 4, 9, 6, 8, 5),
        goals=("Uncover the truth",),
    )
    counts = _choices(_together([scholar]), "sage")
    assert counts.most_common(1)[0][0] == Action.INVESTIGATE


# -- the resolver --


def _clue_rate(perception: int, seeds: int = 60) -> float:
    finder = CharacterSheet(
        id="finder",
        name="Finder",
        traits={"curiosity": 0.9},
        stats=stats(5, 5, 5, 5, perception, 5),
        goals=("Find the source of the signal",),
    )
    attempts = found = 0
    for seed in range(seeds):
        for event in run_all(start_world([finder], seed=seed, turns_total=8, **SCIFI)):
            if event.action == Action.INVESTIGATE:
                attempts += 1
                found += any(e.kind == "clue_found" for e in event.effects)
    return found / attempts


def test_perception_makes_clue_finding_more_likely() -> None:
    # The director eases the key clue for a run where nobody has found it, which
    # narrows (but does not close) the gap perception makes.
    assert _clue_rate(perception=9) > _clue_rate(perception=2) + 0.1


def test_consequences_persist_into_later_turns() -> None:
    world = new_world(FEUD, seed=2, turns=10, text=FANTASY)
    while not is_finished(world):
        result = run_turn(world)
        world = result.world
        for event in result.events:
            for effect in event.effects:
                if effect.kind == "moved" and event.actor_id != DIRECTOR_ID:
                    mover = world.character(event.actor_id)
                    assert not mover.alive or any(
                        e.actor_id == mover.id and e.action in ("move", "flee")
                        for e in result.events[event.sequence :]
                    )
                if effect.kind == "clue_found" and event.actor_id != DIRECTOR_ID:
                    assert effect.subject_id in world.character(event.actor_id).known_clues
                if effect.kind == "killed":
                    assert not world.character(effect.subject_id).alive


def test_attacks_injure_and_sour_relationships() -> None:
    injured = soured = 0
    for seed in range(10):
        for event in run_all(new_world(FEUD, seed=seed, text=FANTASY)):
            if event.action != Action.ATTACK:
                continue
            kinds = {e.kind for e in event.effects}
            injured += "injured" in kinds
            soured += any(e.kind == "relationship" and e.value < 0 for e in event.effects)
    assert injured > 0 and soured > 0


def test_the_dead_never_act_again() -> None:
    deaths = 0
    for seed in range(20):
        dead: set[str] = set()
        for event in run_all(new_world(FEUD, seed=seed, turns=10, text=FANTASY)):
            assert event.actor_id not in dead
            assert event.target_id not in dead or event.action == Action.REPAIR
            dead |= {e.subject_id for e in event.effects if e.kind == "killed"}
        deaths += len(dead)
    assert deaths > 0


def test_a_dead_character_is_skipped() -> None:
    world = new_world()
    world.character("zara").alive = False
    world.character("zara").health = 0
    events = run_all(world)
    assert all(e.actor_id != "zara" and e.target_id != "zara" for e in events)


# -- the director's views --


def test_views_show_only_the_characters_own_location_and_memories() -> None:
    world = new_world(FEUD, seed=9, turns=4, text=FANTASY)
    world.character("brann").location = world.locations[0]
    world.character("vesk").location = world.locations[0]
    world.character("ilse").location = world.locations[3]
    world.character("mira").location = world.locations[3]

    view = build_view(world, "ilse", turn=1)
    assert [p.id for p in view.present] == ["mira"]
    assert view.location == world.locations[3]

    result = run_turn(world)
    ilse = result.world.character("ilse")
    far = [
        e
        for e in result.events
        if e.location == world.locations[0] and "ilse" not in (e.actor_id, e.target_id)
    ]
    remembered = {(m.turn, m.sequence) for m in ilse.memories}
    assert far, "something should have happened at the other location"
    for event in far:
        moved_here = any(
            f.kind == "moved" and f.detail == f"to {ilse.location}" for f in event.effects
        )
        if not moved_here:
            assert (event.turn, event.sequence) not in remembered


# -- inputs --


@pytest.mark.parametrize(
    ("sheets", "kwargs"),
    [
        ([], {}),
        ([CharacterSheet("a", "A", stats={"strength": 0})], {}),
        ([CharacterSheet("a", "A", stats={"strength": 11})], {}),
        ([CharacterSheet("a", "A", stats={"strength": True})], {}),
        ([CharacterSheet("a", "A", traits={"courage": 1.5})], {}),
        ([CharacterSheet("a", "A", relationships={"b": -2.0})], {}),
        ([CharacterSheet("a", "A", relationships={"a": 0.5})], {}),
        ([CharacterSheet("a", "A"), CharacterSheet("a", "B")], {}),
        ([CharacterSheet("director", "D")], {}),
        ([CharacterSheet("", "A")], {}),
        ([CharacterSheet("a", " ")], {}),
        ([CharacterSheet("a", "A")], {"turns_total": 0}),
        ([CharacterSheet("a", "A")], {"seed": "7"}),
        ([CharacterSheet("a", "A")], {"turns_total": True}),
        ([CharacterSheet("a", "A")], {"setting": None}),
    ],
)
def test_invalid_inputs_raise_value_error(
    sheets: list[CharacterSheet], kwargs: dict[str, object]
) -> None:
    args: dict[str, object] = {"seed": 1, "turns_total": 3, **SCIFI, **kwargs}
    with pytest.raises(ValueError):
        start_world(sheets, **args)  # type: ignore[arg-type]


def test_setting_picks_the_theme_and_sparse_sheets_work() -> None:
    lone = [CharacterSheet("solo", "Solo")]
    assert new_world(lone, text=FANTASY).theme == "kingdom"
    noir: Text = {"setting": "a rain-soaked city", "scenario": "A murder at the docks"}
    assert new_world(lone, text=noir).theme == "city"
    assert new_world(lone, text={"setting": "", "scenario": ""}).theme == "ice-moon"
    assert len(run_all(new_world(lone, turns=5))) >= 5


@pytest.mark.parametrize("turns", [5, 11, 20])
def test_the_objective_is_settled_only_near_the_end(turns: int) -> None:
    """The climax lands in the last fifth of the run, never in the middle of it; a
    clue someone had before is marked when found again."""
    settled = []
    for seed in range(12):
        events = run_all(new_world(seed=seed, turns=turns))
        wins = [e.turn for e in events for f in e.effects if f.kind == "resolution" and f.value > 0]
        settled += wins
        assert all(turn >= decisive_turn(turns) for turn in wins)
        found: set[str] = set()
        for e in events:
            for f in (f for f in e.effects if f.kind == "clue_found"):
                assert f.value == (1.0 if f.subject_id in found else 0.0)
                found.add(f.subject_id)
    assert settled, "no run reached its objective: the check above tested nothing"
