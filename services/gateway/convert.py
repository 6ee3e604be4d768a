"""Protobuf replies -> JSON bodies of the HTTP API."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from novel_engine.v1 import character_pb2, simulation_pb2, story_pb2
from novel_platform.characters import STAT_NAMES
from novel_platform.worlds import world_fields

STATUS_NAMES = {
    simulation_pb2.SIMULATION_STATUS_QUEUED: "queued",
    simulation_pb2.SIMULATION_STATUS_RUNNING: "running",
    simulation_pb2.SIMULATION_STATUS_COMPLETED: "completed",
    simulation_pb2.SIMULATION_STATUS_FAILED: "failed",
    simulation_pb2.SIMULATION_STATUS_CANCELLED: "cancelled",
}


def when(stamp: Timestamp, present: bool = True) -> datetime | None:
    return stamp.ToDatetime(tzinfo=UTC) if present else None


def message_out(message: Message) -> dict[str, Any]:
    """A message as JSON with its field names and every field shown (a recorded call; a
    turn's events go through `turn_event_out`, in the same shape)."""
    return MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


def turn_event_out(e: simulation_pb2.TurnEvent) -> dict[str, Any]:
    """A turn's event as JSON: every field, by its proto name (`message_out`'s shape, which
    a unit test holds it to), built directly: the event stream renders dozens per story,
    and the generic printer costs 7x as much per event."""
    return {
        "turn": e.turn,
        "sequence": e.sequence,
        "actor_id": e.actor_id,
        "actor_name": e.actor_name,
        "action": e.action,
        "target_id": e.target_id,
        "target_name": e.target_name,
        "location": e.location,
        "motive": e.motive,
        "outcome": e.outcome,
        "roll": e.roll,
        "difficulty": e.difficulty,
        "effects": [
            {"kind": f.kind, "subject_id": f.subject_id, "detail": f.detail, "value": f.value}
            for f in e.effects
        ],
    }


def character_out(c: character_pb2.Character) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "faction": c.faction,
        "role": c.role,
        "traits": dict(c.traits),
        "stats": {name: getattr(c.stats, name) for name in STAT_NAMES},
        "goals": list(c.goals),
        "relationships": dict(c.relationships),
        "equipment": list(c.equipment),
        "backstory": c.backstory,
        "notes": c.notes,
        "version": c.version,
        "created_at": when(c.created_at, c.HasField("created_at")),
        "updated_at": when(c.updated_at, c.HasField("updated_at")),
    }


def simulation_out(s: simulation_pb2.Simulation, story_id: str | None = None) -> dict[str, Any]:
    return {
        "id": s.id,
        "status": STATUS_NAMES[s.status],
        "character_ids": list(s.character_ids),
        "turns_total": s.turns_total,
        "turns_done": s.turns_done,
        "seed": s.seed,
        "setting": s.setting,
        "scenario": s.scenario,
        "campaign_id": s.campaign_id or None,
        "narrative_style": s.narrative_style,
        "world_id": s.world_id or None,
        "story_id": story_id or s.story_id or None,
        "error": s.error or None,
        "created_at": when(s.created_at),
        "updated_at": when(s.updated_at),
        "llm": llm_usage_out(s.llm) if s.HasField("llm") else None,
        "parent_id": s.parent_id or None,
        "fork_turn": s.fork_turn if s.parent_id else None,
        "root_id": s.root_id or None,
        "interventions": [
            {
                "turn": i.turn,
                "kind": i.kind,
                "character_id": i.character_id or None,
                "text": i.text,
                "location": i.location or None,
            }
            for i in s.interventions
        ],
    }


def knowledge_out(k: simulation_pb2.Knowledge) -> dict[str, Any]:
    def items(known: Iterable[simulation_pb2.KnownItem]) -> list[dict[str, Any]]:
        return [
            {
                "text": item.text,
                "sources": [
                    {
                        "event_id": s.event_id,
                        "how": s.how,
                        "by_id": s.by_id or None,
                        "by_name": s.by_name or None,
                    }
                    for s in item.sources
                ],
            }
            for item in known
        ]

    return {
        "simulation_id": k.simulation_id,
        "character_id": k.character_id,
        "turn": k.turn,
        "facts": items(k.facts),
        "beliefs": items(k.beliefs),
        "memories": items(k.memories),
    }


def llm_usage_out(u: simulation_pb2.LlmUsage) -> dict[str, Any]:
    shown = _scalars(u)
    shown["replay_of"] = u.replay_of or None
    shown["decision_usage"] = _scalars(u.decision_usage)
    shown["narration_usage"] = _scalars(u.narration_usage)
    return shown


def _scalars(m: simulation_pb2.LlmUsage | simulation_pb2.LlmUsagePart) -> dict[str, Any]:
    shown: dict[str, Any] = {
        f.name: getattr(m, f.name) for f in m.DESCRIPTOR.fields if f.message_type is None
    }
    shown["fallback_reasons"] = dict(sorted(m.fallback_reasons.items()))
    return shown


def llm_backend_out(b: simulation_pb2.LlmBackend) -> dict[str, Any]:
    return {
        "base_url": b.base_url or None,
        "model": b.model or None,
        "temperature": b.temperature if b.HasField("temperature") else None,
        "max_tokens": b.max_tokens if b.HasField("max_tokens") else None,
        "token_budget": b.token_budget if b.HasField("token_budget") else None,
    }


def chapter_out(c: story_pb2.Chapter) -> dict[str, Any]:
    """A chapter, with the ids of the events each paragraph tells (in text order)."""
    return {
        "number": c.number,
        "title": c.title,
        "text": c.text,
        "paragraphs": [{"event_ids": list(p.event_ids)} for p in c.paragraphs],
    }


def world_out(w: simulation_pb2.World) -> dict[str, Any]:
    return {
        "id": w.id,
        **world_fields(w),
        "builtin": w.builtin,
        "created_at": when(w.created_at, w.HasField("created_at")),
    }


def story_out(s: story_pb2.Story) -> dict[str, Any]:
    return {
        "id": s.id,
        "simulation_id": s.simulation_id,
        "title": s.title,
        "status": s.status,
        "narrative_style": s.narrative_style,
        "participants": [
            {"id": p.id, "name": p.name, "role": p.role, "faction": p.faction}
            for p in s.participants
        ],
        "opening": s.opening,
        "chapters": [chapter_out(c) for c in s.chapters],
        "closing": s.closing,
        "turns_total": s.turns_total,
        "error": s.error or None,
        "created_at": when(s.created_at, s.HasField("created_at")),
        "completed_at": when(s.completed_at, s.HasField("completed_at")),
    }


def story_text(s: story_pb2.Story) -> str:
    """The plain prose the older clients expect: paragraphs separated by blank lines."""
    parts = [s.title, s.opening, *(f"{c.title}\n\n{c.text}" for c in s.chapters), s.closing]
    return "\n\n".join(p for p in parts if p)
