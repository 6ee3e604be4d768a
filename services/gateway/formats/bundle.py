"""The run bundle, version 1: everything needed to run a story again and to check the
result. Replaying it (`POST /v1/bundles:import`) recreates the characters and starts
the same run (same sheets, order, setting, world, style, seed and turns); the offline
engine and chronicler are deterministic, so the new story equals `story`, event for
event. A version-2 reader must still read version 1."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message

from novel_engine.v1 import simulation_pb2, story_pb2
from novel_platform.worlds import world_fields
from services.gateway.convert import chapter_out, character_out

FORMAT, VERSION = "novel-engine-bundle", 1
# The sheet fields a bundle carries (not the version or timestamps of this install).
CHARACTER_FIELDS = (
    "id", "name", "faction", "role", "traits", "stats", "goals", "relationships",
    "equipment", "backstory", "notes",
)  # fmt: skip


def bundle(
    simulation: simulation_pb2.Simulation,
    story: story_pb2.Story,
    characters: list[Any],
    world: simulation_pb2.World | None,
    turns: list[simulation_pb2.Turn],
    recordings: list[tuple[str, simulation_pb2.RecordedCall]],
) -> dict[str, Any]:
    notes = [
        "characters: the sheets as they are now; a sheet changed since the run replays "
        "into a different story",
        "interventions: this version records none",
    ]
    llm: dict[str, Any] | None = None
    if simulation.HasField("llm"):
        llm = {
            "decisions": simulation.llm.decisions,
            "narration": simulation.llm.narration,
            "model": simulation.llm.model,
            "base_url": simulation.llm.base_url,
        }
        notes.append(
            "recordings: every model call the run recorded (by the simulation and the "
            "story service); this version does not load them back, so it cannot replay a "
            "model-driven run from a bundle"
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
        "interventions": [],
        "recordings": [{"service": service, **_plain(call)} for service, call in recordings],
        "events": [{"turn": t.number, "events": [_plain(e) for e in t.events]} for t in turns],
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


def _plain(message: Message) -> dict[str, Any]:
    return MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )
