"""Protobuf <-> records and engine types."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from novel_engine.v1 import character_pb2, simulation_pb2
from novel_platform.characters import STAT_NAMES
from novel_platform.timestamps import timestamp
from novel_platform.worlds import world_message
from services.simulation.adapters.repository import CampaignRecord, SimulationRecord
from services.simulation.adapters.worlds import WorldRecord
from services.simulation.domain import CharacterSheet, llm_usage
from services.simulation.domain.interventions import Intervention
from services.simulation.domain.knowledge import Knowledge, Known
from services.simulation.domain.status import SimulationStatus

STATUS = {
    SimulationStatus.QUEUED: simulation_pb2.SIMULATION_STATUS_QUEUED,
    SimulationStatus.RUNNING: simulation_pb2.SIMULATION_STATUS_RUNNING,
    SimulationStatus.COMPLETED: simulation_pb2.SIMULATION_STATUS_COMPLETED,
    SimulationStatus.FAILED: simulation_pb2.SIMULATION_STATUS_FAILED,
    SimulationStatus.CANCELLED: simulation_pb2.SIMULATION_STATUS_CANCELLED,
}


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
        created_at=timestamp(r.created_at),
        updated_at=timestamp(r.updated_at),
        world_id=r.world_id,
        llm=llm_usage_to_proto(r.llm_usage, r.llm) if r.llm_usage is not None else None,
        **(_lineage(r) if r.root_id or r.interventions else {}),
    )


def _lineage(r: SimulationRecord) -> dict[str, Any]:
    return {
        "parent_id": r.parent_id,
        "fork_turn": r.fork_turn,
        "root_id": r.root_id,
        "interventions": [intervention_to_proto(i) for i in r.interventions],
    }


def intervention_to_proto(i: dict[str, Any]) -> simulation_pb2.Intervention:
    sheet = i.get("sheet")
    return simulation_pb2.Intervention(
        turn=i["turn"],
        kind=i["kind"],
        character_id=i["character_id"],
        text=i["text"],
        location=i["location"],
        sheet_json=orjson.dumps(sheet, option=orjson.OPT_SORT_KEYS).decode() if sheet else "",
    )


def intervention_from_proto(i: simulation_pb2.Intervention) -> Intervention:
    """As given; `interventions.checked` bounds it before anything keeps it."""
    return Intervention(i.turn, i.kind, i.character_id, i.text, i.location)


def _known(items: Sequence[Known]) -> list[simulation_pb2.KnownItem]:
    return [
        simulation_pb2.KnownItem(
            text=k.text,
            sources=[
                simulation_pb2.KnowledgeSource(
                    event_id=s.event_id, how=s.how, by_id=s.by_id, by_name=s.by_name
                )
                for s in k.sources
            ],
        )
        for k in items
    ]


def knowledge_to_proto(simulation_id: str, k: Knowledge) -> simulation_pb2.Knowledge:
    return simulation_pb2.Knowledge(
        simulation_id=simulation_id,
        character_id=k.character_id,
        turn=k.turn,
        facts=_known(k.facts),
        beliefs=_known(k.beliefs),
        memories=_known(k.memories),
    )


def llm_usage_to_proto(
    usage: dict[str, Any], llm: dict[str, Any] | None
) -> simulation_pb2.LlmUsage:
    """Decisions and narration together, and each side's share with its budget."""
    budgets = (llm or {}).get("budgets", {})
    shares = (*llm_usage.COUNTS, llm_usage.NARRATION)
    plan = {k: v for k, v in usage.items() if k not in shares}
    backend = (llm or {}).get("backend", {})
    return simulation_pb2.LlmUsage(
        **plan,
        temperature=backend.get("temperature", 0.0),
        max_tokens=backend.get("max_tokens", 0),
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
        created_at=timestamp(r.created_at),
    )


def world_to_proto(r: WorldRecord) -> simulation_pb2.World:
    """A world's stored definition (`world_to_spec`'s shape) as the proto."""
    msg = world_message(r.id, r.definition)
    msg.builtin = r.builtin
    if r.created_at is not None:
        msg.created_at.CopyFrom(timestamp(r.created_at))
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
