"""Protobuf <-> records and engine types."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from novel_engine.v1 import character_pb2, simulation_pb2
from novel_platform.characters import STAT_NAMES
from novel_platform.worlds import world_message
from services.simulation.adapters.repository import CampaignRecord, SimulationRecord
from services.simulation.adapters.worlds import WorldRecord
from services.simulation.domain import CharacterSheet, TurnEvent, llm_usage
from services.simulation.domain.status import SimulationStatus

STATUS = {
    SimulationStatus.QUEUED: simulation_pb2.SIMULATION_STATUS_QUEUED,
    SimulationStatus.RUNNING: simulation_pb2.SIMULATION_STATUS_RUNNING,
    SimulationStatus.COMPLETED: simulation_pb2.SIMULATION_STATUS_COMPLETED,
    SimulationStatus.FAILED: simulation_pb2.SIMULATION_STATUS_FAILED,
    SimulationStatus.CANCELLED: simulation_pb2.SIMULATION_STATUS_CANCELLED,
}


def _ts(value: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)
    return stamp


def simulation_to_proto(r: SimulationRecord) -> simulation_pb2.Simulation:
    return simulation_pb2.Simulation(
        id=r.id,
        status=STATUS[r.status],
        character_ids=list(r.character_ids),
        turns_total=r.turns_total,
        turns_done=r.turns_done,
        seed=r.seed,
        setting=r.setting,
        scenario=r.scenario,
        campaign_id=r.campaign_id,
        narrative_style=r.narrative_style,
        error=r.error,
        created_at=_ts(r.created_at),
        updated_at=_ts(r.updated_at),
        world_id=r.world_id,
        llm=llm_usage_to_proto(r.llm_usage, r.llm) if r.llm_usage is not None else None,
    )


def llm_usage_to_proto(
    usage: dict[str, Any], llm: dict[str, Any] | None
) -> simulation_pb2.LlmUsage:
    """Decisions and narration together, and each side's share with its budget."""
    budgets = (llm or {}).get("budgets", {})
    shares = (*llm_usage.COUNTS, llm_usage.NARRATION)
    plan = {k: v for k, v in usage.items() if k not in shares}
    return simulation_pb2.LlmUsage(
        **plan,
        **llm_usage.totals(usage),
        decision_usage=simulation_pb2.LlmUsagePart(
            token_budget=budgets.get("decision", 0), **llm_usage.decision_part(usage)
        ),
        narration_usage=simulation_pb2.LlmUsagePart(
            token_budget=budgets.get("narration", 0), **llm_usage.narration_part(usage)
        ),
    )


def backend_fields(b: simulation_pb2.LlmBackend) -> dict[str, Any]:
    """A layer's fields as set on the wire (the key apart); unset ones inherit."""
    fields: dict[str, Any] = {"base_url": b.base_url, "model": b.model}
    for name in ("temperature", "max_tokens", "token_budget"):
        if b.HasField(name):
            fields[name] = getattr(b, name)
    return {k: v for k, v in fields.items() if v != ""}


def llm_settings_to_proto(
    tenant_id: str, backend: dict[str, Any], key_set: bool, tokens: tuple[int, int]
) -> simulation_pb2.LlmSettings:
    return simulation_pb2.LlmSettings(
        tenant_id=tenant_id,
        backend=simulation_pb2.LlmBackend(**backend),
        api_key_set=key_set,
        input_tokens=tokens[0],
        output_tokens=tokens[1],
    )


def campaign_to_proto(r: CampaignRecord) -> simulation_pb2.Campaign:
    return simulation_pb2.Campaign(
        id=r.id,
        name=r.name,
        description=r.description,
        participants=list(r.participants),
        setting=r.setting,
        status=r.status,
        created_at=_ts(r.created_at),
    )


def world_to_proto(r: WorldRecord) -> simulation_pb2.World:
    """A world's stored definition (`world_to_spec`'s shape) as the proto."""
    msg = world_message(r.id, r.definition)
    msg.builtin = r.builtin
    if r.created_at is not None:
        msg.created_at.CopyFrom(_ts(r.created_at))
    return msg


def sheet_from_proto(c: character_pb2.Character) -> CharacterSheet:
    return CharacterSheet(
        id=c.id,
        name=c.name,
        faction=c.faction,
        role=c.role,
        traits=dict(sorted(c.traits.items())),
        stats={name: getattr(c.stats, name) for name in STAT_NAMES},
        goals=tuple(c.goals),
        relationships=dict(sorted(c.relationships.items())),
        equipment=tuple(c.equipment),
        backstory=c.backstory,
    )


def participants(sheets: Sequence[CharacterSheet]) -> list[simulation_pb2.Participant]:
    return [
        simulation_pb2.Participant(id=s.id, name=s.name, role=s.role, faction=s.faction)
        for s in sheets
    ]


def event_to_proto(e: TurnEvent) -> simulation_pb2.TurnEvent:
    return simulation_pb2.TurnEvent(
        turn=e.turn,
        sequence=e.sequence,
        actor_id=e.actor_id,
        actor_name=e.actor_name,
        action=e.action,
        target_id=e.target_id,
        target_name=e.target_name,
        location=e.location,
        motive=e.motive,
        outcome=e.outcome,
        roll=e.roll,
        difficulty=e.difficulty,
        effects=[
            simulation_pb2.Effect(
                kind=f.kind, subject_id=f.subject_id, detail=f.detail, value=f.value
            )
            for f in e.effects
        ],
    )
