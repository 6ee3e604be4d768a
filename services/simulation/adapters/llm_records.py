"""Model calls, usage and tenants' backend settings in the simulation schema."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from novel_engine.v1 import story_pb2
from services.simulation.adapters.tables import (
    llm_calls,
    llm_narration,
    llm_settings,
    simulations,
)
from services.simulation.domain import llm_usage

_USED = set(story_pb2.NarrationUsed.DESCRIPTOR.fields_by_name)  # the columns an event fills


@dataclass(frozen=True)
class CallRecord:
    """One model call as stored: enough to answer a replay and to account for it."""

    turn: int
    purpose: str  # "decision" | "narration"
    subject: str  # the deciding character's id; "" for narration
    request_digest: str
    outcome: str  # "ok", "invalid", "budget", or the failure's kind
    response: str
    input_tokens: int
    output_tokens: int
    latency_ms: int


@dataclass(frozen=True)
class TenantBackend:
    backend: dict[str, Any]  # the override's fields, never the key
    sealed_api_key: str


class LlmRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add_calls(self, sim_id: str, calls: Sequence[CallRecord]) -> None:
        """Store a batch's calls; a recomputed batch's calls (a resume) replace none."""
        if not calls:
            return
        now = datetime.now(UTC)
        stmt = insert(llm_calls).on_conflict_do_nothing()
        await self._conn.execute(
            stmt, [{"simulation_id": sim_id, "created_at": now, **asdict(c)} for c in calls]
        )

    async def calls_of(self, sim_id: str) -> dict[tuple[int, str, str], CallRecord]:
        stmt = (
            sa.select(*(llm_calls.c[f] for f in CallRecord.__dataclass_fields__))
            .where(llm_calls.c.simulation_id == sim_id)
            .order_by(llm_calls.c.turn, llm_calls.c.purpose, llm_calls.c.subject)
        )
        rows = (await self._conn.execute(stmt)).all()
        return {(r.turn, r.purpose, r.subject): CallRecord(**r._mapping) for r in rows}

    async def set_usage(self, sim_id: str, usage: dict[str, Any]) -> None:
        """The decisions' usage; the narration's part, written by its own events, stays."""
        decided = sa.bindparam("decided", llm_usage.without_narration(usage), type_=JSONB)
        await self._conn.execute(
            sa.update(simulations)
            .where(simulations.c.id == sim_id)
            .values(llm_usage=simulations.c.llm_usage.op("||")(decided))
        )

    async def lock_usage(self, sim_id: str) -> tuple[str, dict[str, Any] | None] | None:
        """(tenant, usage) of a simulation, its row locked until the commit; None if
        there is no such simulation."""
        stmt = (
            sa.select(simulations.c.tenant_id, simulations.c.llm_usage)
            .where(simulations.c.id == sim_id)
            .with_for_update()
        )
        row = (await self._conn.execute(stmt)).first()
        return (row.tenant_id, row.llm_usage) if row else None

    async def add_narration_turn(self, used: story_pb2.NarrationUsed) -> bool:
        """Keep a turn's narration usage; False if it was kept before."""
        counts = {c.name: getattr(used, c.name) for c in llm_narration.c if c.name in _USED}
        stmt = (
            insert(llm_narration)
            .values(**counts, received_at=datetime.now(UTC))
            .on_conflict_do_nothing()
            .returning(llm_narration.c.turn)
        )
        return (await self._conn.execute(stmt)).first() is not None

    async def set_narration_usage(self, sim_id: str, part: dict[str, Any]) -> None:
        usage = simulations.c.llm_usage
        await self._conn.execute(
            sa.update(simulations)
            .where(simulations.c.id == sim_id)
            .values(
                llm_usage=sa.func.jsonb_set(
                    usage,
                    sa.literal([llm_usage.NARRATION], ARRAY(sa.Text)),
                    sa.bindparam("part", part, type_=JSONB),
                )
            )
        )

    async def tenant_backend(self, tenant_id: str) -> TenantBackend | None:
        stmt = sa.select(llm_settings.c.backend, llm_settings.c.sealed_api_key).where(
            llm_settings.c.tenant_id == tenant_id
        )
        row = (await self._conn.execute(stmt)).first()
        return TenantBackend(dict(row.backend), row.sealed_api_key) if row else None

    async def put_tenant_backend(self, tenant_id: str, settings: TenantBackend) -> None:
        values = {
            "backend": settings.backend,
            "sealed_api_key": settings.sealed_api_key,
            "updated_at": datetime.now(UTC),
        }
        stmt = (
            insert(llm_settings)
            .values(tenant_id=tenant_id, **values)
            .on_conflict_do_update(index_elements=[llm_settings.c.tenant_id], set_=values)
        )
        await self._conn.execute(stmt)

    async def tenant_tokens(self, tenant_id: str) -> tuple[int, int]:
        """(input, output) tokens of all the tenant's simulations, decisions and
        narration together."""
        usage = simulations.c.llm_usage

        def spent(kind: str) -> sa.ColumnElement[int]:
            narrated = sa.func.coalesce(usage[(llm_usage.NARRATION, kind)].as_integer(), 0)
            return sa.func.coalesce(sa.func.sum(usage[kind].as_integer() + narrated), 0)

        stmt = sa.select(spent("input_tokens"), spent("output_tokens")).where(
            simulations.c.tenant_id == tenant_id, usage.is_not(None)
        )
        row = (await self._conn.execute(stmt)).one()
        return int(row[0]), int(row[1])
