"""Reads and writes of characters on one connection (the unit of work's)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.character.adapters.tables import characters as t
from services.character.domain.model import Character


def _to_row(tenant_id: str, c: Character) -> dict[str, Any]:
    return {
        "tenant_id": tenant_id,
        "id": c.id,
        "name": c.name,
        "faction": c.faction,
        "role": c.role,
        "sheet": c.sheet(),
        "version": c.version,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
    }


def _from_row(row: sa.Row[Any]) -> Character:
    sheet = row.sheet
    return Character(
        id=row.id,
        name=row.name,
        faction=row.faction,
        role=row.role,
        traits=sheet.get("traits", {}),
        stats=sheet.get("stats", {}),
        goals=tuple(sheet.get("goals", ())),
        relationships=sheet.get("relationships", {}),
        equipment=tuple(sheet.get("equipment", ())),
        backstory=sheet.get("backstory", ""),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class CharacterRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add_many(self, tenant_id: str, items: Sequence[Character]) -> list[Character]:
        """Insert; returns only the ones that did not exist (ids are unique per tenant)."""
        if not items:
            return []
        now = datetime.now(UTC)
        rows = [_to_row(tenant_id, c) | {"created_at": now, "updated_at": now} for c in items]
        stmt = (
            insert(t)
            .values(rows)
            .on_conflict_do_nothing(index_elements=[t.c.tenant_id, t.c.id])
            .returning(*t.c)
        )
        return [_from_row(r) for r in (await self._conn.execute(stmt)).all()]

    async def get(
        self, tenant_id: str, char_id: str, *, for_update: bool = False
    ) -> Character | None:
        stmt = sa.select(t).where(t.c.tenant_id == tenant_id, t.c.id == char_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self._conn.execute(stmt)).first()
        return _from_row(row) if row else None

    async def get_many(self, tenant_id: str, ids: Sequence[str]) -> list[Character]:
        stmt = sa.select(t).where(t.c.tenant_id == tenant_id, t.c.id.in_(list(ids)))
        return [_from_row(r) for r in (await self._conn.execute(stmt)).all()]

    async def list_page(
        self, tenant_id: str, *, after: str, limit: int, name: str, faction: str
    ) -> list[Character]:
        stmt = sa.select(t).where(t.c.tenant_id == tenant_id, t.c.id > after)
        if name:
            escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            stmt = stmt.where(t.c.name.ilike(f"%{escaped}%", escape="\\"))
        if faction:
            stmt = stmt.where(t.c.faction == faction)
        stmt = stmt.order_by(t.c.id).limit(limit)
        return [_from_row(r) for r in (await self._conn.execute(stmt)).all()]

    async def replace(self, tenant_id: str, c: Character) -> Character:
        """Store c with version + 1; the caller holds the row lock."""
        stmt = (
            sa.update(t)
            .where(t.c.tenant_id == tenant_id, t.c.id == c.id)
            .values(
                name=c.name,
                faction=c.faction,
                role=c.role,
                sheet=c.sheet(),
                version=t.c.version + 1,
                updated_at=datetime.now(UTC),
            )
            .returning(*t.c)
        )
        return _from_row((await self._conn.execute(stmt)).one())

    async def delete(self, tenant_id: str, char_id: str) -> None:
        await self._conn.execute(sa.delete(t).where(t.c.tenant_id == tenant_id, t.c.id == char_id))
