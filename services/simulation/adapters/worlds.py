"""A tenant's own worlds: their definitions as plain data (`domain/world_spec.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.simulation.adapters.tables import worlds


@dataclass(frozen=True)
class WorldRecord:
    id: str
    definition: dict[str, Any]
    created_at: datetime | None  # None for a built-in world
    builtin: bool = False


def _record(row: sa.Row[Any]) -> WorldRecord:
    return WorldRecord(id=row.id, definition=dict(row.definition), created_at=row.created_at)


class WorldRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, tenant_id: str, record: WorldRecord) -> bool:
        """Store a new world; False (nothing written) when the tenant has one by that id."""
        stmt = (
            insert(worlds)
            .values(
                tenant_id=tenant_id,
                id=record.id,
                definition=record.definition,
                created_at=record.created_at,
            )
            .on_conflict_do_nothing(index_elements=[worlds.c.tenant_id, worlds.c.id])
            .returning(worlds.c.id)
        )
        return (await self._conn.execute(stmt)).first() is not None

    async def get(self, tenant_id: str, world_id: str) -> WorldRecord | None:
        stmt = sa.select(worlds).where(worlds.c.tenant_id == tenant_id, worlds.c.id == world_id)
        row = (await self._conn.execute(stmt)).first()
        return _record(row) if row else None

    async def list(self, tenant_id: str, limit: int) -> list[WorldRecord]:
        stmt = (
            sa.select(worlds)
            .where(worlds.c.tenant_id == tenant_id)
            .order_by(worlds.c.created_at, worlds.c.id)
            .limit(limit)
        )
        return [_record(r) for r in (await self._conn.execute(stmt)).all()]

    async def count(self, tenant_id: str) -> int:
        stmt = sa.select(sa.func.count()).where(worlds.c.tenant_id == tenant_id)
        return int((await self._conn.execute(stmt)).scalar_one())

    async def delete(self, tenant_id: str, world_id: str) -> bool:
        stmt = (
            sa.delete(worlds)
            .where(worlds.c.tenant_id == tenant_id, worlds.c.id == world_id)
            .returning(worlds.c.id)
        )
        return (await self._conn.execute(stmt)).first() is not None
