"""Seeded stories for the quality benchmark: random casts from the starter roster,
random settings and turn counts, run through the engine and the chronicler in process."""

from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass
from types import FrameType
from typing import TYPE_CHECKING

from services.character.domain.starter_roster import STARTER_ROSTER
from services.simulation.domain import (
    CharacterSheet,
    TurnEvent,
    WorldState,
    is_finished,
    run_turn,
    start_world,
)
from services.story.domain import (
    Chapter,
    EventView,
    Participant,
    StoryContext,
    write_chapter,
    write_closing,
    write_opening,
    write_title,
)

if TYPE_CHECKING:
    from _typeshed import TraceFunction

# (setting, scenario): the issue's own sample first, then settings of other kinds and a
# request with neither, as users send them.
SETTINGS: tuple[tuple[str, str], ...] = (
    ("the storm moon Veyra", "A distress signal pulses under the ice."),
    ("a derelict generation ship", "The ship's reactor is failing and someone aboard is lying."),
    ("the walled city of Marrow Keep", "The heir has vanished the night before the coronation."),
    ("rain-soaked Port Calder in 1947", "A councilman was found dead at the docks."),
    ("the Saltglass Archipelago", "A treasure map points to a wreck the tide will soon bury."),
    ("", ""),
    ("a research station in the Kharon trench", "The pressure hull is cracking."),
    ("the desert caravan town of Qasr Amal", "Someone poisoned the well before the sandstorm."),
    ("the Greyfell mines", "A collapse sealed the lower galleries with miners inside."),
    ("a mountain monastery above Lhen", "A relic was stolen during the winter vigil."),
)


@dataclass
class Story:
    seed: int
    setting: str
    scenario: str
    style: str
    sheets: list[CharacterSheet]
    first: WorldState
    last: WorldState
    turns: list[list[TurnEvent]]
    title: str
    opening: str
    chapters: list[Chapter]
    closing: str

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.sheets]

    def text(self) -> str:
        parts = [f"# {self.title}", self.opening]
        for ch in self.chapters:
            parts += [f"## Chapter {ch.number}: {ch.title}", ch.text]
        parts += ["## Afterword", self.closing]
        return "\n\n".join(parts) + "\n"


def sheet(index: int) -> CharacterSheet:
    c = STARTER_ROSTER[index]
    return CharacterSheet(
        id=c.id,
        name=c.name,
        faction=c.faction,
        role=c.role,
        traits=dict(c.traits),
        stats=dict(c.stats),
        goals=tuple(c.goals),
        relationships=dict(c.relationships),
        equipment=tuple(c.equipment),
        backstory=c.backstory,
    )


def tell(
    sheets: list[CharacterSheet],
    *,
    seed: int,
    setting: str,
    scenario: str,
    turns: int,
    style: str,
) -> Story:
    """Run one simulation and write its story, as the services would."""
    world = first = start_world(
        sheets, seed=seed, setting=setting, scenario=scenario, turns_total=turns
    )
    per_turn: list[list[TurnEvent]] = []
    while not is_finished(world):
        result = run_turn(world)
        world = result.world
        per_turn.append(list(result.events))
    ctx = StoryContext(
        simulation_id=f"bench-{seed}",
        participants=tuple(Participant(s.id, s.name, s.role, s.faction) for s in sheets),
        setting=setting,
        scenario=scenario,
        narrative_style=style,
        turns_total=turns,
    )
    views = [list(events) for events in per_turn]
    chapters = [write_chapter(ctx, n, events) for n, events in enumerate(views, start=1)]
    return Story(
        seed=seed,
        setting=setting,
        scenario=scenario,
        style=style,
        sheets=sheets,
        first=first,
        last=world,
        turns=per_turn,
        title=write_title(ctx, [e for events in views for e in events]),
        opening=write_opening(ctx),
        chapters=chapters,
        closing=write_closing(ctx, views),
    )


def random_story(seed: int, style: str) -> Story:
    """2-6 starter characters, 2-20 turns, one of SETTINGS, all drawn from `seed`."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible benchmark, not security
    cast = rng.sample(range(len(STARTER_ROSTER)), rng.randint(2, 6))
    setting, scenario = rng.choice(SETTINGS)
    turns = rng.randint(2, 20)
    return tell(
        [sheet(i) for i in cast],
        seed=seed,
        setting=setting,
        scenario=scenario,
        turns=turns,
        style=style,
    )


def _four_by_five(seed: int) -> tuple[list[CharacterSheet], str, str]:
    rng = random.Random(10_000 + seed)  # noqa: S311
    cast = [sheet(i) for i in rng.sample(range(len(STARTER_ROSTER)), 4)]
    setting, scenario = rng.choice(SETTINGS)
    return cast, setting, scenario


def opcodes_per_story(runs: int) -> tuple[float, float]:
    """Python bytecode instructions per 4-character x 5-turn story (engine, chronicler),
    counted with a tracer after a warm-up run: the same count on any host and under any
    load, a proxy for CPU that two branches can be compared by exactly. Calls into C
    (regular expressions, CRC-32) count as one instruction each."""
    count = [0]

    def tracer(frame: FrameType, event: str, arg: object) -> TraceFunction:
        del arg
        frame.f_trace_opcodes = True
        if event == "opcode":
            count[0] += 1
        return tracer

    for seed in range(runs):  # warm the caches a long-running service would have
        cast, setting, scenario = _four_by_five(seed)
        tell(cast, seed=seed, setting=setting, scenario=scenario, turns=5, style="detailed")
    engine = chronicler = 0
    for seed in range(runs):
        cast, setting, scenario = _four_by_five(seed)
        count[0] = 0
        sys.settrace(tracer)
        world = start_world(cast, seed=seed, setting=setting, scenario=scenario, turns_total=5)
        per_turn: list[list[EventView]] = []
        while not is_finished(world):
            result = run_turn(world)
            world = result.world
            per_turn.append(list(result.events))  # the story's EventView is the engine's TurnEvent
        sys.settrace(None)
        engine += count[0]
        ctx = StoryContext(
            simulation_id=f"ops-{seed}",
            participants=tuple(Participant(c.id, c.name, c.role, c.faction) for c in cast),
            setting=setting,
            scenario=scenario,
            narrative_style="detailed",
            turns_total=5,
        )
        count[0] = 0
        sys.settrace(tracer)
        write_title(ctx, [e for events in per_turn for e in events])
        write_opening(ctx)
        for n, events in enumerate(per_turn, start=1):
            write_chapter(ctx, n, events)
        write_closing(ctx, per_turn)
        sys.settrace(None)
        chronicler += count[0]
    return engine / runs, chronicler / runs


def cpu_per_story(runs: int) -> list[float]:
    """CPU milliseconds (engine + chronicler, in process) per 4-character x 5-turn story."""
    out: list[float] = []
    for seed in range(runs):
        cast, setting, scenario = _four_by_five(seed)
        start = time.process_time_ns()
        tell(cast, seed=seed, setting=setting, scenario=scenario, turns=5, style="detailed")
        out.append((time.process_time_ns() - start) / 1e6)
    return out


CALIBRATION_ADDITIONS = 20_000_000


def calibration_ms() -> float:
    """CPU milliseconds of a fixed loop of 20 M Python additions: the same work on every
    host, so a CPU figure can be compared across machines and loads (divide by it)."""
    start = time.process_time_ns()
    total = 0
    for _ in range(CALIBRATION_ADDITIONS):
        total += 1
    elapsed = (time.process_time_ns() - start) / 1e6
    assert total == CALIBRATION_ADDITIONS
    return elapsed
