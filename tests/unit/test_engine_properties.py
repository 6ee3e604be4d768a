"""Property tests of the engine and the chronicler over random casts, sheets, seeds and
turn counts: zero continuity violations and byte-identical replays."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.quality.checks import continuity, prose_consistency, unnamed
from bench.quality.corpus import SETTINGS, sheet, tell
from services.character.domain.starter_roster import STARTER_ROSTER
from services.simulation.domain import (
    STAT_NAMES,
    CharacterSheet,
    WorldState,
    is_finished,
    run_turn,
    start_world,
)
from tests.helpers import FUZZ_DEPTH

# Bounded so `make test` stays fast: each example runs a whole simulation.
FAST = settings(
    max_examples=25 * FUZZ_DEPTH, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

TRAITS = ("aggression", "caution", "courage", "curiosity", "cunning", "empathy", "loyalty")
GOALS = (
    "Find the truth", "Protect the crew", "Catch the traitor", "Repair the mast",
    "Sell what I find", "Map the caverns", "Survive", "Befriend everyone", "",
)  # fmt: skip


@st.composite
def random_sheet(draw: st.DrawFn, ident: str) -> CharacterSheet:
    return CharacterSheet(
        id=ident,
        name=draw(st.sampled_from(["Ada", "Bo", "Cy Vance", "Dr. Ito", "Eve", "Fen"])) + ident,
        faction=draw(st.sampled_from(["", "Corps", "Traders"])),
        role=draw(st.sampled_from(["", "Pilot", "Medic"])),
        traits=draw(st.dictionaries(st.sampled_from(TRAITS), st.floats(0, 1), max_size=4)),
        stats=draw(st.dictionaries(st.sampled_from(STAT_NAMES), st.integers(1, 10), max_size=6)),
        goals=tuple(g for g in draw(st.lists(st.sampled_from(GOALS), max_size=3)) if g),
        equipment=tuple(draw(st.lists(st.sampled_from(["knife", "medkit", "lamp"]), max_size=2))),
    )


@st.composite
def cast(draw: st.DrawFn) -> list[CharacterSheet]:
    if draw(st.booleans()):
        picks = draw(st.lists(st.integers(0, len(STARTER_ROSTER) - 1), min_size=1,
                              max_size=6, unique=True))  # fmt: skip
        return [sheet(i) for i in picks]
    size = draw(st.integers(1, 5))
    return [draw(random_sheet(f"c{n}")) for n in range(size)]


@FAST
@given(
    cast(),
    st.integers(0, 2**31),
    st.integers(1, 14),
    st.sampled_from(SETTINGS),
    st.sampled_from(("detailed", "epic", "concise")),
)
def test_no_continuity_or_consistency_violations(sheets, seed, turns, text, style) -> None:
    setting, scenario = text
    story = tell(sheets, seed=seed, setting=setting, scenario=scenario, turns=turns, style=style)
    assert not continuity(story)
    assert not prose_consistency(story)
    assert unnamed(story) == 0


@FAST
@given(cast(), st.integers(0, 2**31), st.integers(2, 12), st.sampled_from(SETTINGS))
def test_replays_are_byte_identical_and_resume_from_any_checkpoint(
    sheets, seed, turns, text
) -> None:
    setting, scenario = text

    def run(resume_at: int | None) -> str:
        world = start_world(sheets, seed=seed, setting=setting, scenario=scenario,
                            turns_total=turns)  # fmt: skip
        events = []
        while not is_finished(world):
            if world.turn == resume_at:
                world = WorldState.from_dict(json.loads(json.dumps(world.to_dict())))
            result = run_turn(world)
            events += [e.to_dict() for e in result.events]
            world = result.world
        return json.dumps([events, world.to_dict()], sort_keys=True)

    straight = run(None)
    assert straight == run(None)
    assert straight == run(turns // 2)
