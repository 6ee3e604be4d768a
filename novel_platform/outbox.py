"""Transactional outbox: events are rows committed with the change, relayed to NATS.

A change and its event commit together or not at all. The relay publishes rows with
the event id as the JetStream message id, then deletes them; a crash between the two
republishes, and the stream's duplicate window drops the copy, so every committed
change reaches NATS exactly once per event id.

Two paths lead from the table to NATS. The fast one: a unit of work hands the rows it
just committed to its process's relay, which publishes them from memory and later
deletes them by id (no read, no transaction): one statement for every row sent in the
last `delete_delay_seconds`, or per batch, and always before a poll, so the poll never
sends them again. A crash in between leaves rows the next poll republishes: duplicates
the stream drops, as above.
The safe one: a poll takes whatever is still in the table (rows of a process that died,
or of a fast path that failed) and publishes it, at least every `idle_poll_seconds`.
Both may publish a row; the message id makes the second copy a duplicate.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from datetime import timedelta
from types import TracebackType
from typing import Any

import orjson
import sqlalchemy as sa
import structlog
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.trace import SpanKind
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from novel_engine.v1 import common_pb2
from novel_platform import semconv, telemetry
from novel_platform.messaging import EventBus, Outgoing

log = structlog.get_logger(__name__)
_tracer = telemetry.tracer(__name__)

# Rows a relay keeps in memory for its fast path at most; the rest is the poll's.
FRESH_LIMIT = 10_000


def outbox_table(metadata: sa.MetaData) -> sa.Table:
    """The outbox table in the metadata's schema (each service owns its own)."""
    return sa.Table(
        "outbox",
        metadata,
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", sa.Text, nullable=False, unique=True),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("headers", sa.Text, nullable=False, server_default="{}"),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )


class OutboxRelay:
    """Publishes committed outbox rows in id order; safe with several replicas."""

    def __init__(
        self,
        engine: AsyncEngine,
        table: sa.Table,
        bus: EventBus,
        *,
        batch_size: int = 200,
        # The fast path carries this process's commits; the poll only recovers rows it
        # could not send (or another process's), so it need not run often.
        idle_poll_seconds: float = 2.0,
        # Published rows are deleted together: one statement per this many seconds (or
        # per batch) rather than one per commit. Only a crash can leave them longer.
        delete_delay_seconds: float = 0.5,
    ) -> None:
        self._engine = engine
        self._table = table
        self._bus = bus
        self._batch_size = batch_size
        self._idle_poll = idle_poll_seconds
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._fresh: list[Outgoing] = []  # committed in this process, not yet published
        self._delete_delay = delete_delay_seconds
        self._sent: list[str] = []  # event ids published from memory, rows not yet deleted
        self._sent_since = 0.0
        self._delete_by_id = sa.delete(table).where(
            table.c.event_id == sa.func.any(sa.bindparam("ids", type_=ARRAY(sa.Text)))
        )
        self._published = telemetry.meter(__name__).create_counter(
            semconv.OUTBOX_PUBLISHED, description="events the relay has published"
        )
        telemetry.meter(__name__).create_observable_gauge(
            semconv.OUTBOX_BACKLOG, [self._observe_backlog], description="rows last seen waiting"
        )
        self._backlog = 0

    def notify(self, committed: Sequence[Outgoing] = ()) -> None:
        """Called after a local commit, with its rows: they go out without waiting for a
        poll and without being read back."""
        self._fresh.extend(committed)
        if len(self._fresh) > FRESH_LIMIT:
            # NATS is not keeping up (or is away): the oldest wait in the table for the
            # poll instead of in memory.
            del self._fresh[: len(self._fresh) - FRESH_LIMIT]
        self._wakeup.set()

    async def publish_fresh(self) -> int:
        """Publish a batch of rows committed here, then delete them; how many went out.

        On failure they stay in the table for the poll (and are dropped from memory).
        """
        batch = self._fresh[: self._batch_size]
        del self._fresh[: len(batch)]
        if not batch:
            return 0
        await self._bus.publish_many(batch)
        self._published.add(len(batch))
        if not self._sent:
            self._sent_since = time.monotonic()
        self._sent.extend(msg_id for _, _, msg_id, _ in batch)
        if len(self._sent) >= self._batch_size:
            await self.delete_sent()
        return len(batch)

    async def delete_sent(self) -> None:
        """Delete the rows the fast path has published, in one statement."""
        ids, self._sent = self._sent, []
        if not ids:
            return
        try:
            async with self._engine.connect() as conn:
                await conn.execution_options(isolation_level="AUTOCOMMIT")
                await conn.execute(self._delete_by_id, {"ids": ids})
        except BaseException:
            self._sent[:0] = ids  # tried again next time; a poll would only resend them
            raise

    def _delete_due(self) -> float:
        """Seconds until the published rows are due for deletion (inf: none waiting)."""
        if not self._sent:
            return float("inf")
        return max(self._sent_since + self._delete_delay - time.monotonic(), 0.0)

    async def publish_pending(self, older_than: float = 0.0) -> int:
        """Publish one batch of rows committed at least `older_than` seconds ago;
        returns how many rows went out.

        One statement takes the batch out of the table (rows other relays hold are
        skipped); if a publish fails, the transaction rolls back and the rows return.
        """
        t = self._table
        batch = (
            sa.select(t.c.id)
            .where(t.c.created_at <= sa.func.now() - sa.bindparam("age", type_=sa.Interval))
            .order_by(t.c.id)
            .limit(self._batch_size)
            .with_for_update(skip_locked=True)
            .scalar_subquery()
        )
        take = (
            sa.delete(t)
            .where(t.c.id.in_(batch))
            .returning(t.c.id, t.c.event_id, t.c.subject, t.c.payload, t.c.headers)
        )
        async with self._engine.begin() as conn:
            found = await conn.execute(take, {"age": timedelta(seconds=older_than)})
            rows = sorted(found.all(), key=lambda row: row.id)
            self._backlog = len(rows)
            if rows:
                await self._bus.publish_many(
                    [
                        Outgoing(row.subject, row.payload, row.event_id, orjson.loads(row.headers))
                        for row in rows
                    ]
                )
        self._published.add(len(rows))
        return len(rows)

    @property
    def behind(self) -> bool:
        """Events are committed faster than they go out (a full batch is waiting)."""
        return max(self._backlog, len(self._fresh)) >= self._batch_size

    def _observe_backlog(self, _: CallbackOptions) -> list[Observation]:
        return [Observation(self._backlog)]

    async def run(self) -> None:
        polled = 0.0
        while not self._stopping:
            # Cleared before the work: a commit notified while it runs is not lost.
            self._wakeup.clear()
            try:
                if time.monotonic() - polled >= self._idle_poll:
                    await self.delete_sent()  # so that the poll does not send them again
                    polled = time.monotonic()
                    # Rows younger than that are on their way through the fast path of
                    # the process that committed them (this one or another replica).
                    sent = await self.publish_pending(older_than=self._delete_delay * 2)
                    if self.behind:  # a full batch: more is waiting, poll again at once
                        polled = 0.0
                else:
                    sent = await self.publish_fresh()
                    if self._delete_due() == 0:
                        await self.delete_sent()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("outbox_relay_failed", exc_info=True)
                sent = 0
                await asyncio.sleep(1)
            if sent or self._fresh:
                continue
            # Until the next commit, or until the poll or the deletion is due.
            due = min(max(self._idle_poll - (time.monotonic() - polled), 0.0), self._delete_due())
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(due):  # no task per wait, as wait_for makes
                    await self._wakeup.wait()

    async def stop(self) -> None:
        """Stop polling and publish whatever is still pending (best effort)."""
        self._stopping = True
        self._wakeup.set()
        try:
            while await self.publish_fresh():
                pass
            await self.delete_sent()
            while await self.publish_pending():
                pass
        except Exception:
            log.warning("outbox_final_flush_failed", exc_info=True)


# A one-statement unit's events, as bind parameters of `outbox_insert`.
OUTBOX_PARAMS = (
    sa.bindparam("outbox_event_ids", type_=ARRAY(sa.Text)),
    sa.bindparam("outbox_subjects", type_=ARRAY(sa.Text)),
    sa.bindparam("outbox_payloads", type_=ARRAY(sa.LargeBinary)),
    sa.bindparam("outbox_headers", type_=ARRAY(sa.Text)),
)


def outbox_insert(table: sa.Table, guard: str) -> str:
    """SQL for a CTE of a one-statement unit (`UnitOfWork.one_statement`): inserts the
    unit's events into `table` when the CTE named `guard` wrote a row, so the change and
    its events still commit together or not at all. Bind `OUTBOX_PARAMS`."""
    return (
        f"INSERT INTO {table.schema}.{table.name} (event_id, subject, payload, headers)"  # noqa: S608
        " SELECT * FROM unnest(:outbox_event_ids, :outbox_subjects, :outbox_payloads,"
        f" :outbox_headers) WHERE EXISTS (SELECT 1 FROM {guard})"
    )


class UnitOfWork:
    """One database transaction plus the events it emits.

    Usage: ``async with uow_factory() as uow: ...; uow.emit(env); await uow.commit()``.
    Leaving the block without commit() rolls back.
    ``async with uow_factory().read_only() as uow:`` is for reads: each statement runs
    on its own (autocommit), which saves the BEGIN and ROLLBACK round trips a
    transaction costs; it cannot commit.
    ``async with uow_factory().one_statement() as uow:`` is for a change made by one
    statement that also inserts its events (`outbox_insert`, bound to
    `outbox_params()`): it commits on its own, one round trip instead of four (BEGIN,
    the change, the outbox insert, COMMIT); then `written()` hands the events to the
    relay, only if the statement says it wrote them.
    """

    def __init__(self, engine: AsyncEngine, outbox: sa.Table, relay: OutboxRelay | None) -> None:
        self._engine = engine
        self._outbox = outbox
        self._relay = relay
        self._events: list[tuple[common_pb2.EventEnvelope, str]] = []
        self._conn: AsyncConnection | None = None
        self._read_only = False
        self._autocommit = False

    def read_only(self) -> UnitOfWork:
        self._read_only = self._autocommit = True
        return self

    def one_statement(self) -> UnitOfWork:
        self._autocommit = True
        return self

    @property
    def conn(self) -> AsyncConnection:
        if self._conn is None:
            raise RuntimeError("UnitOfWork used outside 'async with'")
        return self._conn

    async def __aenter__(self) -> UnitOfWork:
        self._conn = await self._engine.connect()
        if self._autocommit:
            # Local to the driver connection (no round trip); the pool restores the
            # default isolation when the connection is returned.
            await self._conn.execution_options(isolation_level="AUTOCOMMIT")
        else:
            await self._conn.begin()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._conn is not None
        try:
            if self._conn.in_transaction():
                await self._conn.rollback()
        finally:
            await self._conn.close()
            self._conn = None

    def emit(self, envelope: common_pb2.EventEnvelope, subject: str = "") -> None:
        """Queue an event for this transaction; `subject` defaults to its type.

        The PRODUCER span is made here, in the context of the work that caused the
        event; its context travels in the envelope and, through the outbox row, in the
        message headers the relay sends later.
        """
        subject = subject or envelope.type
        with telemetry.span(
            _tracer,
            semconv.publish_span(envelope.type),
            kind=SpanKind.PRODUCER,
            attributes={
                semconv.MESSAGING_SYSTEM: "nats",
                semconv.MESSAGING_DESTINATION: subject,
                semconv.MESSAGING_MESSAGE_ID: envelope.event_id,
                semconv.MESSAGING_OPERATION: "send",
                semconv.EVENT_TYPE: envelope.type,
                semconv.TENANT: envelope.tenant_id,
            },
        ):
            envelope.trace_context.clear()
            envelope.trace_context.update(telemetry.inject())
        self._events.append((envelope, subject))

    async def commit(self) -> None:
        if self._autocommit:
            raise RuntimeError("a read-only or one-statement unit of work cannot commit")
        rows = _rows(self._events)
        if rows:
            await self.conn.execute(self._outbox.insert(), rows)
        await self.conn.commit()
        self._notify(rows)

    def outbox_params(self) -> dict[str, list[Any]]:
        """The events emitted so far, as the parameters of `outbox_insert`."""
        rows = _rows(self._events)
        return {
            "outbox_event_ids": [row["event_id"] for row in rows],
            "outbox_subjects": [row["subject"] for row in rows],
            "outbox_payloads": [row["payload"] for row in rows],
            "outbox_headers": [row["headers"] for row in rows],
        }

    def written(self) -> None:
        """A one-statement unit's statement stored its events: send them."""
        if not self._autocommit or self._read_only:
            raise RuntimeError("written() is for one-statement units of work")
        self._notify(_rows(self._events))

    def _notify(self, rows: list[dict[str, Any]]) -> None:
        if self._relay is not None:
            self._relay.notify(
                [
                    Outgoing(
                        subject, row["payload"], envelope.event_id, dict(envelope.trace_context)
                    )
                    for (envelope, subject), row in zip(self._events, rows, strict=True)
                ]
            )
        self._events.clear()


def _rows(events: Sequence[tuple[common_pb2.EventEnvelope, str]]) -> list[dict[str, Any]]:
    return [
        {
            "event_id": env.event_id,
            "subject": subject,
            "payload": env.SerializeToString(),
            "headers": orjson.dumps(dict(env.trace_context)).decode(),
        }
        for env, subject in events
    ]
