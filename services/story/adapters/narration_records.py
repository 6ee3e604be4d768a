"""Recorded narration calls in the story schema."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.story.adapters.tables import llm_calls


@dataclass(frozen=True)
class NarrationCall:
    turn: int
    attempt: int
    request_digest: str
    outcome: str
    response: str
    input_tokens: int
    output_tokens: int
    latency_ms: int


class NarrationRecords:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, simulation_id: str, call: NarrationCall) -> None:
        """Record a call; its answer replaces the reservation made for it."""
        values = {"created_at": datetime.now(UTC), **asdict(call)}
        stmt = (
            insert(llm_calls)
            .values(simulation_id=simulation_id, **values)
            .on_conflict_do_update(
                index_elements=[llm_calls.c.simulation_id, llm_calls.c.turn, llm_calls.c.attempt],
                set_=values,
            )
        )
        await self._conn.execute(stmt)

    async def add_new(self, recordings_id: str, calls: Sequence[NarrationCall]) -> None:
        """Record `calls` under an id that holds none yet: one batched insert."""
        if not calls:
            return
        now = datetime.now(UTC)
        await self._conn.execute(
            insert(llm_calls),
            [{"simulation_id": recordings_id, "created_at": now, **asdict(c)} for c in calls],
        )

    async def reserve(self, simulation_id: str, pending: NarrationCall, budget: int) -> bool:
        """Record `pending` (its input_tokens: the call's upper bound) if the simulation's
        calls and reservations leave room for it within `budget`. The transaction-scoped
        lock makes the sum and the insert one step for every replica."""
        key = f"narration-budget:{simulation_id}"
        await self._conn.execute(
            sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(sa.literal(key))))
        )
        if await self.spent(simulation_id) + pending.input_tokens > budget:
            return False
        await self.add(simulation_id, pending)
        return True

    async def of_turn(self, simulation_id: str, turn: int) -> list[NarrationCall]:
        return await self._select(llm_calls.c.turn == turn, simulation_id)

    async def of_simulation(self, simulation_id: str) -> list[NarrationCall]:
        return await self._select(sa.true(), simulation_id)

    async def _select(
        self, where: sa.ColumnElement[bool], simulation_id: str
    ) -> list[NarrationCall]:
        fields = [llm_calls.c[f] for f in NarrationCall.__dataclass_fields__]
        stmt = (
            sa.select(*fields)
            .where(llm_calls.c.simulation_id == simulation_id, where)
            .order_by(llm_calls.c.turn, llm_calls.c.attempt)
        )
        return [NarrationCall(**r._mapping) for r in (await self._conn.execute(stmt)).all()]

    async def spent(self, simulation_id: str) -> int:
        """Tokens of the simulation's calls, reservations included."""
        stmt = sa.select(
            sa.func.coalesce(sa.func.sum(llm_calls.c.input_tokens + llm_calls.c.output_tokens), 0)
        ).where(llm_calls.c.simulation_id == simulation_id)
        return int((await self._conn.execute(stmt)).scalar_one())
