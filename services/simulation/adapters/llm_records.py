"""Model calls, usage and tenants' backend settings in the simulation schema."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.simulation.adapters.tables import llm_calls, llm_settings, simulations


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
        await self._conn.execute(
            sa.update(simulations).where(simulations.c.id == sim_id).values(llm_usage=usage)
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
        """(input, output) tokens of all the tenant's simulations."""
        usage = simulations.c.llm_usage
        stmt = sa.select(
            sa.func.coalesce(sa.func.sum(usage["input_tokens"].as_integer()), 0),
            sa.func.coalesce(sa.func.sum(usage["output_tokens"].as_integer()), 0),
        ).where(simulations.c.tenant_id == tenant_id, usage.is_not(None))
        row = (await self._conn.execute(stmt)).one()
        return int(row[0]), int(row[1])
