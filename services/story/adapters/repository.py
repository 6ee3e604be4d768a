"""Reads and writes of stories, turns, chapters and the inbox on one connection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.ext.asyncio import AsyncConnection

from novel_platform.direct_sql import DirectStatement
from novel_platform.outbox import OUTBOX_PARAMS, outbox_insert
from novel_platform.paging import newest_first_query
from services.story.adapters.convert import (
    context_from_json,
    context_to_json,
    events_from_json,
    events_to_json,
    paragraph_events_from_json,
    paragraph_events_to_json,
)
from services.story.adapters.tables import chapters as ch
from services.story.adapters.tables import inbox, outbox
from services.story.adapters.tables import stories as st
from services.story.adapters.tables import turns as tu
from services.story.domain.model import Chapter, EventView
from services.story.domain.story import StoryRecord, StoryStatus


def _json(value: object) -> str:
    return orjson.dumps(value).decode()


def _from_row(row: sa.Row[Any], chapters: Sequence[Chapter] = ()) -> StoryRecord:
    return StoryRecord(
        id=row.id,
        tenant_id=row.tenant_id,
        simulation_id=row.simulation_id,
        title=row.title,
        status=StoryStatus(row.status),
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


# SQLAlchemy 2.0 gives postgresql.insert() no cache key, so an ON CONFLICT statement
# built with it is compiled again on every execution; the three the writer needs are
# text (cached by their SQL). Everything else is Core built once, with bind parameters.

# In a fixed order: two replicas inserting the same ids in different orders would
# deadlock (each waits for the other's uncommitted row).
_RECORD_EVENTS = (
    sa.text(
        "INSERT INTO story.inbox (event_id) SELECT e FROM unnest(:event_ids) AS e ORDER BY e "
        "ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
    )
    .bindparams(sa.bindparam("event_ids", type_=ARRAY(sa.Text)))
    .columns(inbox.c.event_id)
)

# Oldest first, a bounded batch per statement: a long delete would hold its locks and
# bloat one transaction.
_PRUNE_INBOX = sa.text(
    "DELETE FROM story.inbox WHERE event_id IN (SELECT event_id FROM story.inbox "
    "WHERE received_at < now() - make_interval(secs => :age) "
    "ORDER BY received_at LIMIT :batch)"
)

# The no-op update on conflict takes the row lock and returns the existing row (a
# concurrent creator is waited for).
_LOCK_OR_CREATE = (
    sa.text(
        "INSERT INTO story.stories (id, tenant_id, simulation_id, status) "
        "VALUES (:id, :tenant_id, :simulation_id, :status) "
        "ON CONFLICT (id) DO UPDATE SET id = excluded.id "
        "RETURNING id, tenant_id, simulation_id, title, status, narrative_style, context, "
        "opening, closing, turns_total, turns_expected, chapters_written, failure_reason, "
        "created_at, completed_at"
    )
    .bindparams(
        sa.bindparam("id", type_=sa.Text),
        sa.bindparam("tenant_id", type_=sa.Text),
        sa.bindparam("simulation_id", type_=sa.Text),
        sa.bindparam("status", type_=sa.Text),
    )
    .columns(*st.c)  # the same columns, in the same order, as RETURNING
)

# JSON goes in as text, one array element per turn: one statement for any number.
# It also returns the turns stored earlier above `after`: every part of a statement sees
# the same snapshot, so that SELECT does not see the rows the INSERT adds.
_STORE_TURNS = (
    sa.text(
        "WITH new AS ("
        " INSERT INTO story.turns (simulation_id, turn, events, trace_context)"
        " SELECT :simulation_id, t.turn, CAST(t.events AS jsonb), CAST(t.trace AS jsonb)"
        " FROM unnest(:turns, :events, :traces) AS t(turn, events, trace)"
        " ON CONFLICT (simulation_id, turn) DO NOTHING RETURNING turn"
        ") "
        "SELECT turn, NULL::jsonb AS events, NULL::jsonb AS trace_context, false AS earlier"
        " FROM new "
        "UNION ALL "
        "SELECT turn, events, trace_context, true FROM story.turns"
        " WHERE simulation_id = :simulation_id AND turn > :after"
    )
    .bindparams(
        sa.bindparam("simulation_id", type_=sa.Text),
        sa.bindparam("turns", type_=ARRAY(sa.Integer)),
        sa.bindparam("events", type_=ARRAY(sa.Text)),
        sa.bindparam("traces", type_=ARRAY(sa.Text)),
        sa.bindparam("after", type_=sa.Integer),
    )
    .columns(tu.c.turn, tu.c.events, tu.c.trace_context, sa.column("earlier", sa.Boolean))
)

# A story made whole by the events at hand (an unpaced run is one event), stored with its
# chapters, its inbox entries and its events in one autocommit statement: only when no
# story exists for the simulation and none of the events was applied before. Otherwise
# it writes nothing (a concurrent creator is waited for by the unique index). Run once
# per synchronous simulation: direct.
_STORY_COLUMNS = [c.name for c in st.c]
_CREATE_WHOLE = DirectStatement(
    sa.text(
        # The names come from the table definitions, not from input.
        f"WITH story AS (INSERT INTO story.stories ({', '.join(_STORY_COLUMNS)})"  # noqa: S608
        f" SELECT {', '.join(':' + c for c in _STORY_COLUMNS)}"
        " WHERE NOT EXISTS (SELECT 1 FROM story.inbox WHERE event_id = ANY(:event_ids))"
        " ON CONFLICT DO NOTHING RETURNING id"
        "), applied AS (INSERT INTO story.inbox (event_id)"
        " SELECT e FROM story, unnest(:event_ids) AS e ORDER BY e ON CONFLICT DO NOTHING"
        "), written AS (INSERT INTO story.chapters"
        " (story_id, number, title, text, paragraph_events)"
        " SELECT story.id, c.number, c.title, c.text, CAST(c.paragraph_events AS jsonb)"
        " FROM story, unnest(:numbers, :titles, :texts, :paragraph_events)"
        " AS c(number, title, text, paragraph_events)"
        f"), sent AS ({outbox_insert(outbox, 'story')}) "
        "SELECT id FROM story"
    ).bindparams(
        *(sa.bindparam(c.name, type_=c.type) for c in st.c),
        sa.bindparam("event_ids", type_=ARRAY(sa.Text)),
        sa.bindparam("numbers", type_=ARRAY(sa.Integer)),
        sa.bindparam("titles", type_=ARRAY(sa.Text)),
        sa.bindparam("texts", type_=ARRAY(sa.Text)),
        sa.bindparam("paragraph_events", type_=ARRAY(sa.Text)),
        *OUTBOX_PARAMS,
    ),
    "INSERT story.stories",
)

_STORED_TURNS = (
    sa.select(tu.c.turn, tu.c.events, tu.c.trace_context)
    .where(
        tu.c.simulation_id == sa.bindparam("simulation_id", type_=sa.Text),
        tu.c.turn <= sa.bindparam("up_to", type_=sa.Integer),
    )
    .order_by(tu.c.turn)
)

_new_chapters = (
    sa.func.unnest(
        sa.bindparam("numbers", type_=ARRAY(sa.Integer)),
        sa.bindparam("titles", type_=ARRAY(sa.Text)),
        sa.bindparam("texts", type_=ARRAY(sa.Text)),
        sa.bindparam("paragraph_events", type_=ARRAY(sa.Text)),
    )
    .table_valued("number", "title", "text", "paragraph_events")
    .render_derived()
)
_ADD_CHAPTERS = sa.insert(ch).from_select(
    ["story_id", "number", "title", "text", "paragraph_events"],
    sa.select(
        sa.bindparam("story_id", type_=sa.Text),
        _new_chapters.c.number,
        _new_chapters.c.title,
        _new_chapters.c.text,
        sa.cast(_new_chapters.c.paragraph_events, JSONB),
    ),
)

_SAVE = (
    sa.update(st)
    .where(st.c.id == sa.bindparam("b_id", type_=sa.Text))
    .values(
        context=sa.bindparam("b_context", type_=JSONB(none_as_null=True)),
        title=sa.bindparam("b_title", type_=sa.Text),
        opening=sa.bindparam("b_opening", type_=sa.Text),
        narrative_style=sa.bindparam("b_narrative_style", type_=sa.Text),
        turns_total=sa.bindparam("b_turns_total", type_=sa.Integer),
        turns_expected=sa.bindparam("b_turns_expected", type_=sa.Integer),
        chapters_written=sa.bindparam("b_chapters_written", type_=sa.Integer),
        status=sa.bindparam("b_status", type_=sa.Text),
        failure_reason=sa.bindparam("b_failure_reason", type_=sa.Text),
        closing=sa.bindparam("b_closing", type_=sa.Text),
        # Stamped once, when the story leaves `writing` (the writer's clock, so the
        # completion event and the row agree).
        completed_at=sa.func.coalesce(
            st.c.completed_at,
            sa.bindparam("b_completed_at", type_=sa.DateTime(timezone=True)),
        ),
    )
)


@dataclass(frozen=True)
class TurnRecord:
    events: list[EventView]
    trace_context: dict[str, str]  # of the event that brought the turn


class StoryRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    # -- the writer's side --

    async def record_events(self, event_ids: Sequence[str]) -> set[str]:
        """Note events as applied; returns those that were not already (the rest are
        redeliveries)."""
        result = await self._conn.execute(_RECORD_EVENTS, {"event_ids": list(event_ids)})
        return set(result.scalars())

    async def prune_inbox(self, older_than_seconds: float, batch: int) -> int:
        """Forget up to `batch` applied event ids older than the given age; how many."""
        result = await self._conn.execute(_PRUNE_INBOX, {"age": older_than_seconds, "batch": batch})
        return int(result.rowcount)

    async def lock_or_create(
        self, story_id: str, tenant_id: str, simulation_id: str
    ) -> StoryRecord:
        """The story row, created if new, locked until the transaction ends (one writer
        per story)."""
        result = await self._conn.execute(
            _LOCK_OR_CREATE,
            {
                "id": story_id,
                "tenant_id": tenant_id,
                "simulation_id": simulation_id,
                "status": StoryStatus.WRITING,
            },
        )
        return _from_row(result.one())

    async def store_turns(
        self, simulation_id: str, turns: Mapping[int, TurnRecord], *, after: int
    ) -> tuple[set[int], dict[int, TurnRecord]]:
        """Buffer the turns not stored yet. Returns the numbers of those it stored, and
        the turns numbered above `after` that were stored before (as first stored)."""
        result = await self._conn.execute(
            _STORE_TURNS,
            {
                "simulation_id": simulation_id,
                "turns": list(turns),
                "events": [_json(events_to_json(t.events)) for t in turns.values()],
                "traces": [_json(t.trace_context) for t in turns.values()],
                "after": after,
            },
        )
        stored: set[int] = set()
        earlier: dict[int, TurnRecord] = {}
        for r in result:
            if r.earlier:
                earlier[r.turn] = TurnRecord(events_from_json(r.events), dict(r.trace_context))
            else:
                stored.add(r.turn)
        return stored, earlier

    async def stored_turns(self, simulation_id: str, *, up_to: int) -> dict[int, TurnRecord]:
        """Turns 1..up_to as stored."""
        result = await self._conn.execute(
            _STORED_TURNS, {"simulation_id": simulation_id, "up_to": up_to}
        )
        return {
            r.turn: TurnRecord(events_from_json(r.events), dict(r.trace_context)) for r in result
        }

    async def add_chapters(self, story_id: str, chapters: Sequence[Chapter]) -> None:
        if not chapters:
            return
        await self._conn.execute(
            _ADD_CHAPTERS,
            {
                "story_id": story_id,
                "numbers": [c.number for c in chapters],
                "titles": [c.title for c in chapters],
                "texts": [c.text for c in chapters],
                "paragraph_events": [paragraph_events_to_json(c) for c in chapters],
            },
        )

    async def create_whole(
        self,
        s: StoryRecord,
        chapters: Sequence[Chapter],
        event_ids: Sequence[str],
        events: Mapping[str, Any],
    ) -> bool:
        """Store a whole new story (see _CREATE_WHOLE) with its events (`outbox_params`);
        False, with nothing written, when the story exists or an event was applied."""
        values = {
            "id": s.id,
            "tenant_id": s.tenant_id,
            "simulation_id": s.simulation_id,
            "title": s.title,
            "status": s.status,
            "narrative_style": s.narrative_style,
            "context": context_to_json(s.context) if s.context is not None else None,
            "opening": s.opening,
            "closing": s.closing,
            "turns_total": s.turns_total,
            "turns_expected": s.turns_expected,
            "chapters_written": s.chapters_written,
            "failure_reason": s.failure_reason,
            "created_at": s.created_at,
            "completed_at": s.completed_at,
            "event_ids": list(event_ids),
            "numbers": [c.number for c in chapters],
            "titles": [c.title for c in chapters],
            "texts": [c.text for c in chapters],
            "paragraph_events": [paragraph_events_to_json(c) for c in chapters],
            **events,
        }
        return await _CREATE_WHOLE.first(self._conn, values) is not None

    async def turns(self, simulation_id: str) -> list[tuple[int, list[EventView]]]:
        """Every stored turn of a simulation, in order."""
        result = await self._conn.execute(
            _STORED_TURNS, {"simulation_id": simulation_id, "up_to": 2**31 - 1}
        )
        return [(r.turn, events_from_json(r.events)) for r in result]

    async def save(self, s: StoryRecord) -> None:
        """Write what the writer changes in a story (it holds the row's lock)."""
        await self._conn.execute(
            _SAVE,
            {
                "b_id": s.id,
                "b_context": context_to_json(s.context) if s.context is not None else None,
                "b_title": s.title,
                "b_opening": s.opening,
                "b_narrative_style": s.narrative_style,
                "b_turns_total": s.turns_total,
                "b_turns_expected": s.turns_expected,
                "b_chapters_written": s.chapters_written,
                "b_status": s.status,
                "b_failure_reason": s.failure_reason,
                "b_closing": s.closing,
                "b_completed_at": s.completed_at,
            },
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
            sa.select(ch.c.number, ch.c.title, ch.c.text, ch.c.paragraph_events)
            .where(ch.c.story_id == story_id)
            .order_by(ch.c.number)
        )
        return [
            Chapter(r.number, r.title, r.text, paragraph_events_from_json(r.paragraph_events))
            for r in (await self._conn.execute(stmt)).all()
        ]

    async def list_page(
        self, tenant_id: str, *, before: tuple[datetime, str] | None, limit: int
    ) -> list[StoryRecord]:
        """Newest first; chapters are not loaded (GetStory returns them)."""
        stmt = newest_first_query(st, tenant_id, before, limit)
        return [_from_row(r) for r in (await self._conn.execute(stmt)).all()]
