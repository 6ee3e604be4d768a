"""Reads and writes of stories, turns, chapters and the inbox on one connection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from novel_platform.paging import newest_first_query
from services.story.adapters.convert import (
    context_from_json,
    context_to_json,
    events_from_json,
    events_to_json,
)
from services.story.adapters.tables import chapters as ch
from services.story.adapters.tables import inbox
from services.story.adapters.tables import stories as st
from services.story.adapters.tables import turns as tu
from services.story.domain.model import Chapter, EventView, StoryContext

WRITING, COMPLETED, FAILED = "writing", "completed", "failed"


@dataclass(frozen=True)
class StoryRecord:
    id: str
    tenant_id: str
    simulation_id: str
    title: str
    status: str
    narrative_style: str
    context: StoryContext | None
    opening: str
    closing: str
    turns_total: int
    turns_expected: int | None
    chapters_written: int
    failure_reason: str
    created_at: datetime
    completed_at: datetime | None
    chapters: tuple[Chapter, ...] = ()


def _from_row(row: sa.Row[Any], chapters: Sequence[Chapter] = ()) -> StoryRecord:
    return StoryRecord(
        id=row.id,
        tenant_id=row.tenant_id,
        simulation_id=row.simulation_id,
        title=row.title,
        status=row.status,
        narrative_style=row.narrative_style,
        context=context_from_json(row.context) if row.context is not None else None,
        opening=row.opening,
        closing=row.closing,
        turns_total=row.turns_total,
        turns_expected=row.turns_expected,
        chapters_written=row.chapters_written,
        failure_reason=row.failure_reason,
        created_at=row.created_at,
        completed_at=row.completed_at,
        chapters=tuple(chapters),
    )


class StoryRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    # -- the writer's side --

    async def record_event(self, event_id: str) -> bool:
        """Note an event as applied; False when it already was (a redelivery)."""
        stmt = (
            insert(inbox)
            .values(event_id=event_id)
            .on_conflict_do_nothing(index_elements=[inbox.c.event_id])
            .returning(inbox.c.event_id)
        )
        return (await self._conn.execute(stmt)).first() is not None

    async def lock_or_create(
        self, story_id: str, tenant_id: str, simulation_id: str
    ) -> StoryRecord:
        """The story row, created if new, locked until the transaction ends (one writer
        per story). One statement: the no-op update on conflict takes the row lock and
        returns the existing row (a concurrent creator is waited for)."""
        new = insert(st).values(
            id=story_id, tenant_id=tenant_id, simulation_id=simulation_id, status=WRITING
        )
        stmt = new.on_conflict_do_update(
            index_elements=[st.c.id], set_={"id": new.excluded.id}
        ).returning(*st.c)
        return _from_row((await self._conn.execute(stmt)).one())

    async def set_context(
        self, story_id: str, ctx: StoryContext, *, title: str, opening: str
    ) -> None:
        await self._conn.execute(
            sa.update(st)
            .where(st.c.id == story_id)
            .values(
                context=context_to_json(ctx),
                title=title,
                opening=opening,
                narrative_style=ctx.narrative_style,
                turns_total=ctx.turns_total,
            )
        )

    async def set_expected(self, story_id: str, turns: int) -> None:
        await self._conn.execute(
            sa.update(st)
            .where(st.c.id == story_id, st.c.turns_expected.is_(None))
            .values(turns_expected=turns)
        )

    async def fail(self, story_id: str, reason: str) -> None:
        await self._conn.execute(
            sa.update(st)
            .where(st.c.id == story_id, st.c.status == WRITING)
            .values(status=FAILED, failure_reason=reason, completed_at=sa.func.now())
        )

    async def complete(self, story_id: str, closing: str) -> None:
        await self._conn.execute(
            sa.update(st)
            .where(st.c.id == story_id)
            .values(status=COMPLETED, closing=closing, completed_at=sa.func.now())
        )

    async def store_turn(
        self,
        simulation_id: str,
        turn: int,
        events: Sequence[EventView],
        trace_context: Mapping[str, str],
    ) -> None:
        stmt = (
            insert(tu)
            .values(
                simulation_id=simulation_id,
                turn=turn,
                events=events_to_json(events),
                trace_context=dict(trace_context),
            )
            .on_conflict_do_nothing()
        )
        await self._conn.execute(stmt)

    async def turn_events(
        self, simulation_id: str, turn: int
    ) -> tuple[list[EventView], dict[str, str]] | None:
        """A buffered turn's events and the trace context it arrived with."""
        stmt = sa.select(tu.c.events, tu.c.trace_context).where(
            tu.c.simulation_id == simulation_id, tu.c.turn == turn
        )
        row = (await self._conn.execute(stmt)).first()
        return (events_from_json(row.events), dict(row.trace_context)) if row else None

    async def trace_contexts(self, simulation_id: str, up_to: int) -> list[dict[str, str]]:
        stmt = (
            sa.select(tu.c.trace_context)
            .where(tu.c.simulation_id == simulation_id, tu.c.turn <= up_to)
            .order_by(tu.c.turn)
        )
        return [dict(r.trace_context) for r in (await self._conn.execute(stmt)).all()]

    async def all_turns(self, simulation_id: str, up_to: int) -> list[list[EventView]]:
        stmt = (
            sa.select(tu.c.events)
            .where(tu.c.simulation_id == simulation_id, tu.c.turn <= up_to)
            .order_by(tu.c.turn)
        )
        return [events_from_json(r.events) for r in (await self._conn.execute(stmt)).all()]

    async def add_chapter(self, story_id: str, chapter: Chapter) -> None:
        await self._conn.execute(
            ch.insert().values(
                story_id=story_id, number=chapter.number, title=chapter.title, text=chapter.text
            )
        )

    async def set_chapters_written(self, story_id: str, written: int) -> None:
        await self._conn.execute(
            sa.update(st).where(st.c.id == story_id).values(chapters_written=written)
        )

    # -- the reader's side --

    async def get(
        self, tenant_id: str, *, story_id: str = "", simulation_id: str = ""
    ) -> StoryRecord | None:
        stmt = sa.select(st).where(st.c.tenant_id == tenant_id)
        if story_id:
            stmt = stmt.where(st.c.id == story_id)
        else:
            stmt = stmt.where(st.c.simulation_id == simulation_id)
        row = (await self._conn.execute(stmt)).first()
        if row is None:
            return None
        return _from_row(row, await self.chapters(row.id))

    async def chapters(self, story_id: str) -> list[Chapter]:
        stmt = (
            sa.select(ch.c.number, ch.c.title, ch.c.text)
            .where(ch.c.story_id == story_id)
            .order_by(ch.c.number)
        )
        return [
            Chapter(number=r.number, title=r.title, text=r.text)
            for r in (await self._conn.execute(stmt)).all()
        ]

    async def list(
        self, tenant_id: str, *, after: tuple[datetime, str] | None, limit: int
    ) -> list[StoryRecord]:
        """Newest first; chapters are not loaded (GetStory returns them)."""
        stmt = newest_first_query(st, tenant_id, after, limit)
        return [_from_row(r) for r in (await self._conn.execute(stmt)).all()]
