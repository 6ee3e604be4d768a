"""The run bundle, version 1: everything needed to run a story again and to check the
result. Replaying it (`POST /v1/bundles:import`) recreates the characters and starts
the same run (same sheets, order, setting, world, style, seed, turns and
interventions); the offline engine and chronicler are deterministic, so the new story
equals `story`, event for event. A model-driven run's recordings are loaded back and
replayed, so its story comes back too, without calling the model. A version-2 reader
must still read version 1 (a version-1 bundle written before interventions were carried
has an empty list).

A branch's bundle is the one run that tells the same story from turn 1: its tree's
seed, the interventions of the runs it shares turns with (up to the turn it shares)
and its own. A branch that re-seeded its dice after turn 0 has no such run
(`NotReplayable`)."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import orjson

from novel_engine.v1 import simulation_pb2, story_pb2
from novel_platform.worlds import world_fields
from services.gateway.convert import chapter_out, character_out, message_out, turn_event_out

FORMAT, VERSION = "novel-engine-bundle", 1
# The sheet fields a bundle carries (not the version or timestamps of this install).
CHARACTER_FIELDS = (
    "id", "name", "faction", "role", "traits", "stats", "goals", "relationships",
    "equipment", "backstory", "notes",
)  # fmt: skip
# A newcomer's sheet, kept with its entrance: the fields the simulation reads.
SHEET_FIELDS = tuple(f for f in CHARACTER_FIELDS if f != "notes")


class NotReplayable(Exception):
    """The run's story cannot be told again by one run from turn 1; says why."""


def replay_interventions(
    lineage: Sequence[simulation_pb2.Simulation],
) -> list[simulation_pb2.Intervention]:
    """The interventions one run from turn 1 needs to repeat `lineage[0]`, given the run
    and its ancestors up to the first that does not share turns with its parent (a
    root, or a fork at 0, which starts from its own seed). NotReplayable when a branch
    re-seeded its dice at its fork turn."""
    run = lineage[0]
    taken = list(run.interventions)
    shared = run.fork_turn if run.parent_id else 0
    for child, parent in itertools.pairwise(lineage):
        if child.seed != parent.seed:
            raise NotReplayable(
                f"simulation '{child.id}' re-seeded its dice at turn {child.fork_turn} of "
                f"'{parent.id}': no single run from turn 1 tells its story"
            )
        shared = min(shared, child.fork_turn)
        taken = [i for i in parent.interventions if i.turn <= shared] + taken
    return taken


def intervention_out(i: simulation_pb2.Intervention) -> dict[str, Any]:
    """The stable JSON of one intervention (`BundleIntervention` reads it back)."""
    return {
        "turn": i.turn,
        "kind": i.kind,
        "character_id": i.character_id,
        "text": i.text,
        "location": i.location,
        "sheet": orjson.loads(i.sheet_json) if i.sheet_json else None,
    }


def shared_turns(lineage: Sequence[simulation_pb2.Simulation]) -> list[tuple[int, int]]:
    """For each run of `lineage` (the run, then the ancestors it shares turns with), the
    turns (after, up to) its recordings answer in the run's story from turn 1."""
    spans, upto = [], 10**9
    for n, run in enumerate(lineage):
        after = run.fork_turn if n + 1 < len(lineage) else 0
        spans.append((after, upto))
        upto = min(upto, after)
    return spans


def bundle(
    simulation: simulation_pb2.Simulation,
    story: story_pb2.Story,
    characters: list[Any],
    world: simulation_pb2.World | None,
    turns: list[simulation_pb2.Turn],
    recordings: list[tuple[str, simulation_pb2.RecordedCall]],
    interventions: Sequence[simulation_pb2.Intervention] = (),
) -> dict[str, Any]:
    notes = [
        "characters: the sheets as they are now; a sheet changed since the run replays "
        "into a different story",
    ]
    llm: dict[str, Any] | None = None
    if simulation.HasField("llm"):
        llm = {
            "decisions": simulation.llm.decisions,
            "narration": simulation.llm.narration,
            "model": simulation.llm.model,
            "base_url": simulation.llm.base_url,
            "temperature": simulation.llm.temperature,
            "max_tokens": simulation.llm.max_tokens,
            "token_budget": simulation.llm.token_budget,
        }
        notes.append(
            "recordings: every model call the run's story came from (decisions by the "
            "simulation, chapters by the story service); importing the bundle replays them "
            "without calling the model"
        )
    if not turns:
        notes.append("events: none were kept for this model-decided run")
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": datetime.now(UTC).isoformat(),
        "settings": {
            "setting": simulation.setting,
            "scenario": simulation.scenario,
            "narrative_style": simulation.narrative_style,
            "world_id": simulation.world_id,
            "world": world_fields(world) if world is not None else None,
            "seed": simulation.seed,
            "turns": simulation.turns_total,
            "llm": llm,
        },
        "characters": [
            {k: v for k, v in character_out(c).items() if k in CHARACTER_FIELDS} for c in characters
        ],
        "interventions": [intervention_out(i) for i in interventions],
        "recordings": [{"service": service, **message_out(call)} for service, call in recordings],
        "events": [
            {"turn": t.number, "events": [turn_event_out(e) for e in t.events]} for t in turns
        ],
        "story": {
            "id": story.id,
            "simulation_id": story.simulation_id,
            "title": story.title,
            "opening": story.opening,
            "chapters": [chapter_out(c) for c in story.chapters],
            "closing": story.closing,
        },
        "notes": notes,
    }
