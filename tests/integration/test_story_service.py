"""The story service against real PostgreSQL and NATS: chapters from simulation events,
exactly once and in order whatever the delivery, the outbox, the reads, the consumer."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import random
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import UTC
from pathlib import Path

import grpc
import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.engine.interfaces import CacheStats

from novel_dev import localinfra
from novel_engine.v1 import common_pb2, simulation_pb2, story_pb2, story_pb2_grpc
from novel_platform import subjects
from novel_platform.config import DatabaseSettings, GrpcServerSettings
from novel_platform.consumer import PullConsumer
from novel_platform.db import create_engine
from novel_platform.errors import InvalidArgument, NotFound
from novel_platform.grpc_server import GrpcServer
from novel_platform.messaging import EventBus
from novel_platform.outbox import OutboxRelay, UnitOfWork
from novel_platform.subjects import SIMULATION_STREAM, STORY_STREAM
from services.story.adapters.convert import context_from_proto, event_from_proto
from services.story.adapters.tables import chapters, inbox, outbox, stories, turns
from services.story.domain import (
    STYLES,
    write_chapter,
    write_closing,
    write_opening,
    write_title,
)
from services.story.entrypoints.consumer import CONSUMER, message_handler, story_batcher
from services.story.entrypoints.grpc_api import StoryServicer
from services.story.service.handlers import (
    EventOutcome,
    StoryEvent,
    StoryReader,
    StoryWriter,
    read_event,
    story_id_for,
)
from services.story.service.imported_narration import NarrationImports
from tests.helpers import eventually, stream_events

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
Envelope = common_pb2.EventEnvelope
CHAPTERS_WRITTEN, COMPLETED = subjects.STORY_CHAPTERS_WRITTEN, subjects.STORY_COMPLETED


@pytest.fixture(scope="module")
async def parts(database_url, nats_url):
    engine = create_engine(DatabaseSettings(database_url=database_url))
    bus = EventBus()
    await bus.connect(nats_url, "story-test")
    await bus.ensure_stream(SIMULATION_STREAM)
    await bus.ensure_stream(STORY_STREAM)
    relay = OutboxRelay(engine, outbox, bus)

    def uow() -> UnitOfWork:
        return UnitOfWork(engine, outbox, None)

    yield StoryWriter(uow), StoryReader(uow), relay, engine, bus
    await bus.close()
    await engine.dispose()


# -- simulation events, built by hand as the simulation service would send them --

CAST = (
    ("aria", "Aria Vance", "Pilot", "Survey Corps"),
    ("kade", "Kade", "Mercenary", "Free Blades"),
    ("zara", "Zara Okafor", "Archivist", "Survey Corps"),
)


def new_sim() -> str:
    return f"sim-{uuid.uuid4().hex[:12]}"


def context(sim: str, turns_total: int, style: str = "detailed") -> simulation_pb2.StoryContext:
    return simulation_pb2.StoryContext(
        simulation_id=sim,
        participants=[
            simulation_pb2.Participant(id=i, name=n, role=r, faction=f) for i, n, r, f in CAST
        ],
        setting="the frontier moon Veyra",
        scenario="A distress signal leads a survey team to a crashed relay station.",
        narrative_style=style,
        turns_total=turns_total,
    )


def _event(turn: int, seq: int, actor: str, action: str, **fields) -> simulation_pb2.TurnEvent:
    names = {i: n for i, n, _, _ in CAST}
    effects = [simulation_pb2.Effect(**e) for e in fields.pop("effects", [])]
    target = fields.pop("target", "")
    return simulation_pb2.TurnEvent(
        turn=turn,
        sequence=seq,
        actor_id=actor,
        actor_name=names.get(actor, "the world"),
        action=action,
        target_id=target,
        target_name=names.get(target, fields.pop("target_name", target)),
        location=fields.pop("location", "the crash site"),
        motive=fields.pop("motive", ""),
        outcome=fields.pop("outcome", "success"),
        roll=fields.pop("roll", 0),
        difficulty=fields.pop("difficulty", 0),
        effects=effects,
    )


def turn_events(turn: int) -> list[simulation_pb2.TurnEvent]:
    """A varied but fixed turn: moves, searches, talk, a fight, a storm, a death."""
    kind = turn % 4
    if kind == 1:
        return [
            _event(turn, 1, "aria", "observe", motive="wants to find the signal's source"),
            _event(
                turn,
                2,
                "zara",
                "investigate",
                target="wreck",
                target_name="the wreck",
                roll=14,
                difficulty=12,
                effects=[{"kind": "clue_found", "subject_id": "log", "detail": "a flight log"}],
            ),
            _event(
                turn,
                3,
                "kade",
                "move",
                target="ridge",
                target_name="the ridge",
                effects=[{"kind": "moved", "subject_id": "kade", "detail": "to the ridge"}],
            ),
        ]
    if kind == 2:
        return [
            _event(
                turn,
                1,
                "aria",
                "talk",
                target="zara",
                effects=[
                    {"kind": "relationship", "subject_id": "zara", "detail": "", "value": 0.2}
                ],
            ),
            _event(
                turn,
                2,
                "kade",
                "attack",
                target="zara",
                location="the ridge",
                motive="distrusts Zara",
                roll=16,
                difficulty=11,
                effects=[
                    {"kind": "injured", "subject_id": "zara", "detail": "3 damage", "value": 3}
                ],
            ),
        ]
    if kind == 3:
        return [
            _event(turn, 1, "director", "complication", motive="a dust storm swept the plain"),
            _event(
                turn,
                2,
                "aria",
                "help",
                target="zara",
                roll=9,
                difficulty=13,
                outcome="failure",
            ),
        ]
    return [_event(turn, 1, "kade", "rest"), _event(turn, 2, "zara", "rest", location="the camp")]


def batch_env(
    tenant: str, ctx: simulation_pb2.StoryContext, turns: range, *, completed: int | None = None
) -> Envelope:
    """A committed batch of turns; `completed`: it ends the run after that many turns."""
    payload = simulation_pb2.TurnsCompleted(
        context=ctx,
        turns=[simulation_pb2.Turn(number=t, events=turn_events(t)) for t in turns],
        completed=completed is not None,
        turns_executed=completed or 0,
    )
    return subjects.SIMULATION_TURNS_COMPLETED.envelope(tenant, payload)


def turn_env(tenant: str, ctx: simulation_pb2.StoryContext, turn: int) -> Envelope:
    """One turn, as a paced run publishes it."""
    return batch_env(tenant, ctx, range(turn, turn + 1))


def completed_env(tenant: str, ctx: simulation_pb2.StoryContext, turns: int) -> Envelope:
    """The end of a run whose turns were all published before (a resumed run's end)."""
    return batch_env(tenant, ctx, range(0), completed=turns)


def cancelled_env(tenant: str, sim: str, turns_done: int) -> Envelope:
    payload = simulation_pb2.SimulationCancelled(simulation_id=sim, turns_done=turns_done)
    return subjects.SIMULATION_CANCELLED.envelope(tenant, payload)


def failed_env(tenant: str, sim: str, reason: str) -> Envelope:
    payload = simulation_pb2.SimulationFailed(simulation_id=sim, reason=reason)
    return subjects.SIMULATION_FAILED.envelope(tenant, payload)


def run_events(tenant: str, ctx: simulation_pb2.StoryContext, n: int) -> list[Envelope]:
    """A whole simulation, in the order it happened: n turns, then completed."""
    return [*(turn_env(tenant, ctx, t) for t in range(1, n + 1)), completed_env(tenant, ctx, n)]


def expected_text(ctx_msg: simulation_pb2.StoryContext, n: int) -> tuple[str, str, list, str]:
    """What the chronicler writes for these inputs, computed without the service."""
    ctx = context_from_proto(ctx_msg)
    per_turn = [[event_from_proto(e) for e in turn_events(t)] for t in range(1, n + 1)]
    written = [write_chapter(ctx, t, events) for t, events in enumerate(per_turn, start=1)]
    return (
        write_title(ctx, [e for events in per_turn for e in events]),  # final: from every turn
        write_opening(ctx),
        [(c.number, c.title, c.text) for c in written],
        write_closing(ctx, per_turn),
    )


async def snapshot(reader: StoryReader, tenant: str, sim: str) -> tuple[str, str, list, str]:
    story = await reader.get_by_simulation(tenant, sim)
    return (
        story.title,
        story.opening,
        [(c.number, c.title, c.text) for c in story.chapters],
        story.closing,
    )


async def handle_many(writer: StoryWriter, envelopes: Sequence[Envelope]) -> list[EventOutcome]:
    """Apply events of one simulation in one unit of work, read as the consumer reads
    them (an event the story does not read is ignored, one it can never apply raises)."""
    events = [read_event(env) for env in envelopes]
    applied = iter(await writer.apply([e for e in events if e is not None]))
    return [EventOutcome.IGNORED if e is None else next(applied) for e in events]


async def handle(writer: StoryWriter, envelope: Envelope) -> EventOutcome:
    """One event in its own unit of work."""
    return (await handle_many(writer, [envelope]))[0]


async def feed(writer: StoryWriter, envelopes: list[Envelope]) -> list[EventOutcome]:
    return [await handle(writer, env) for env in envelopes]


async def outbox_rows(engine, sim: str) -> list[tuple[str, Envelope]]:
    async with engine.connect() as conn:
        rows = (
            await conn.execute(
                sa.select(outbox.c.subject, outbox.c.payload)
                .where(outbox.c.subject.like(f"story.{sim}.%"))
                .order_by(outbox.c.id)
            )
        ).all()
    return [(r.subject, Envelope.FromString(r.payload)) for r in rows]


async def relay_all(relay: OutboxRelay) -> None:
    while await relay.publish_pending():
        pass


def chapter_numbers(events: list[Envelope]) -> list[int]:
    """Chapters in the order a reader of the stream learns them: those of each
    chapters_written event, then those the completion adds."""
    numbers: list[int] = []
    for e in events:
        if e.type == CHAPTERS_WRITTEN.type:
            numbers += [c.number for c in CHAPTERS_WRITTEN.unpack(e).chapters]
        elif e.type == COMPLETED.type:
            told = numbers[-1] if numbers else 0
            numbers += [c.number for c in COMPLETED.unpack(e).story.chapters if c.number > told]
    return numbers


def subject_of(env: Envelope, sim: str) -> str:
    """The subject a simulation event goes out on: its type with the id in the middle."""
    root, name = env.type.split(".", 1)
    return f"{root}.{sim}.{name}"


def completions(events: list[Envelope]) -> int:
    return sum(e.type == COMPLETED.type for e in events)


# -- the writer --


async def test_a_simulation_in_order_becomes_a_completed_story(parts, nats_url, tenant):
    writer, reader, relay, _, _ = parts
    sim, n = new_sim(), 4
    ctx = context(sim, n)
    outcomes = await feed(writer, run_events(tenant, ctx, n))
    assert outcomes == [EventOutcome.APPLIED] * (n + 1)

    story = await reader.get_by_simulation(tenant, sim)
    assert story.id == story_id_for(sim)
    assert story.status == "completed" and story.completed_at is not None
    assert [c.number for c in story.chapters] == [1, 2, 3, 4]
    assert story.title and story.opening and story.closing
    assert all(c.title and c.text for c in story.chapters)
    assert "Aria Vance" in story.opening and "Zara Okafor" in story.chapters[0].text
    assert story.turns_total == n and story.narrative_style == "detailed"
    assert await snapshot(reader, tenant, sim) == expected_text(ctx, n)

    await relay_all(relay)
    events = await stream_events(nats_url, "STORY", f"story.{sim}.*", tenant, until=n + 1)
    assert [e.type for e in events] == [CHAPTERS_WRITTEN.type] * n + [COMPLETED.type]
    assert chapter_numbers(events) == [1, 2, 3, 4]
    assert len({e.event_id for e in events}) == n + 1
    first = CHAPTERS_WRITTEN.unpack(events[0])
    assert first.story_id == story.id and first.simulation_id == sim
    assert [c.text for c in first.chapters] == [story.chapters[0].text]
    done = COMPLETED.unpack(events[-1])
    assert done.story_id == story.id and done.story.closing == story.closing
    assert [c.text for c in done.story.chapters] == [c.text for c in story.chapters]


async def test_a_run_in_one_batch_is_one_unit_and_one_completion(parts, tenant):
    """An unpaced run's single event: every chapter and the closing in one unit of work,
    the turns not kept (an offline run's events are derived again from its inputs when
    read), one event out carrying the whole story; a redelivery changes nothing."""
    writer, reader, _, engine, _ = parts
    sim, n = new_sim(), 5
    ctx = context(sim, n)
    whole_run = batch_env(tenant, ctx, range(1, n + 1), completed=n)
    assert await handle(writer, whole_run) == EventOutcome.APPLIED
    assert await snapshot(reader, tenant, sim) == expected_text(ctx, n)
    async with engine.connect() as conn:
        buffered = await conn.scalar(
            sa.select(sa.func.count()).select_from(turns).where(turns.c.simulation_id == sim)
        )
    assert buffered == 0
    assert await handle(writer, whole_run) == EventOutcome.DUPLICATE
    rows = await outbox_rows(engine, sim)
    assert [e.type for _, e in rows] == [COMPLETED.type]
    done = COMPLETED.unpack(rows[0][1])
    story = await reader.get_by_simulation(tenant, sim)
    assert done.story.completed_at.ToDatetime(tzinfo=UTC) == story.completed_at
    assert [c.text for c in done.story.chapters] == [c.text for c in story.chapters]
    assert done.story.title == story.title and done.story.status == "completed"

    # A paced run's last turn, after chapters written one by one: the completion still
    # carries every chapter, the earlier ones read back.
    paced, m = new_sim(), 3
    paced_ctx = context(paced, m)
    await feed(writer, [turn_env(tenant, paced_ctx, t) for t in range(1, m)])
    await handle(writer, batch_env(tenant, paced_ctx, range(m, m + 1), completed=m))
    assert await snapshot(reader, tenant, paced) == expected_text(paced_ctx, m)
    events = [e for _, e in await outbox_rows(engine, paced)]
    assert [e.type for e in events] == [CHAPTERS_WRITTEN.type] * (m - 1) + [COMPLETED.type]
    assert [c.number for c in COMPLETED.unpack(events[-1]).story.chapters] == [1, 2, 3]
    assert chapter_numbers(events) == [1, 2, 3]


async def test_a_whole_new_story_is_one_statement_else_the_general_path(parts, tenant, monkeypatch):
    """A new story made whole by its event is stored by one autocommit statement; when
    a story already exists for the simulation that statement writes nothing and the
    general path writes the same story, each chapter once."""
    _, reader, _, engine, _ = parts
    ran: list[str] = []
    execute = psycopg.AsyncCursor.execute

    async def noted(cursor, query, *args, **kwargs):
        # At the driver: that statement goes past SQLAlchemy's execution (direct_sql).
        ran.append(" ".join(str(query).split()))
        return await execute(cursor, query, *args, **kwargs)

    writer = StoryWriter(lambda: UnitOfWork(engine, outbox, None))
    monkeypatch.setattr(psycopg.AsyncCursor, "execute", noted)
    sim, n = new_sim(), 4
    ctx = context(sim, n)
    assert await handle(writer, batch_env(tenant, ctx, range(1, n + 1), completed=n)) == (
        EventOutcome.APPLIED
    )
    assert len(ran) == 1 and ran[0].startswith("WITH story AS (INSERT INTO story.stories")
    assert await snapshot(reader, tenant, sim) == expected_text(ctx, n)

    later, m = new_sim(), 3
    later_ctx = context(later, m)
    await handle(writer, failed_env(tenant, later, "boom"))  # the story exists, failed
    ran.clear()
    whole = batch_env(tenant, later_ctx, range(1, m + 1), completed=m)
    assert await handle(writer, whole) == EventOutcome.APPLIED
    assert len(ran) > 1  # tried in one, then the general path
    story = await reader.get_by_simulation(tenant, later)
    assert story.status == "failed" and story.failure_reason == "boom"
    assert [c.number for c in story.chapters] == [1, 2, 3]


async def test_redelivered_and_reordered_events_write_the_same_story(parts, nats_url, tenant):
    writer, reader, relay, engine, _ = parts
    sim, n = new_sim(), 5
    ctx = context(sim, n, style="epic")
    in_order = run_events(tenant, ctx, n)
    await feed(writer, in_order)
    first = await snapshot(reader, tenant, sim)
    assert first == expected_text(ctx, n)

    # Everything again, after the story completed: all duplicates, nothing changes.
    assert await feed(writer, in_order) == [EventOutcome.DUPLICATE] * (n + 1)
    assert await snapshot(reader, tenant, sim) == first
    assert len(await outbox_rows(engine, sim)) == n + 1

    # Forget this simulation entirely, then deliver its events the worst way round:
    # completed first, turns reversed, each twice (new envelopes, new ids).
    async with engine.begin() as conn:
        await conn.execute(sa.delete(chapters).where(chapters.c.story_id == story_id_for(sim)))
        await conn.execute(sa.delete(turns).where(turns.c.simulation_id == sim))
        await conn.execute(sa.delete(stories).where(stories.c.simulation_id == sim))
        await conn.execute(sa.delete(outbox).where(outbox.c.subject.like(f"story.{sim}.%")))
    again = [completed_env(tenant, ctx, n), *(turn_env(tenant, ctx, t) for t in range(n, 0, -1))]
    messy = [env for env in again for _ in range(2)]
    outcomes = await feed(writer, messy)
    assert outcomes == [EventOutcome.APPLIED, EventOutcome.DUPLICATE] * (n + 1)

    story = await reader.get_by_simulation(tenant, sim)
    assert story.status == "completed"
    assert await snapshot(reader, tenant, sim) == first  # byte for byte

    # Chapters still went out in order, each once, the completion last (here all of
    # them with it: turn 1 came last and let every chapter and the closing be written).
    rows = await outbox_rows(engine, sim)
    assert [s for s, _ in rows] == [f"story.{sim}.completed"]
    assert chapter_numbers([e for _, e in rows]) == list(range(1, n + 1))
    await relay_all(relay)
    events = await stream_events(
        nats_url, "STORY", f"story.{sim}.*", tenant, until_type=COMPLETED.type
    )
    assert completions(events) == 1 and chapter_numbers(events) == list(range(1, n + 1))


async def test_concurrent_deliveries_serialise_on_the_story(parts, tenant):
    """As with several replicas: every event (and a copy) at once, in random order."""
    writer, reader, _, engine, _ = parts
    sim, n = new_sim(), 6
    ctx = context(sim, n, style="concise")
    events = run_events(tenant, ctx, n)
    deliveries = events + events
    random.Random(7).shuffle(deliveries)
    outcomes = await asyncio.gather(*(handle(writer, env) for env in deliveries))
    assert Counter(outcomes) == {EventOutcome.APPLIED: n + 1, EventOutcome.DUPLICATE: n + 1}
    assert await snapshot(reader, tenant, sim) == expected_text(ctx, n)
    rows = await outbox_rows(engine, sim)
    assert chapter_numbers([e for _, e in rows]) == list(range(1, n + 1))
    assert rows[-1][1].type == COMPLETED.type and completions([e for _, e in rows]) == 1


async def test_a_chapter_waits_for_the_turns_before_it(parts, tenant):
    writer, reader, _, _, _ = parts
    sim = new_sim()
    ctx = context(sim, 3)
    await feed(writer, [turn_env(tenant, ctx, 3), turn_env(tenant, ctx, 2)])
    story = await reader.get_by_simulation(tenant, sim)
    assert story.status == "writing" and story.chapters == ()
    assert story.title and story.opening  # known from the first turn's context
    await handle(writer, turn_env(tenant, ctx, 1))
    story = await reader.get_by_simulation(tenant, sim)
    assert [c.number for c in story.chapters] == [1, 2, 3]
    assert story.status == "writing"  # the simulation has not said it is done
    await handle(writer, completed_env(tenant, ctx, 3))
    assert (await reader.get_by_simulation(tenant, sim)).status == "completed"


async def test_a_failed_simulation_fails_its_story(parts, tenant):
    writer, reader, _, engine, _ = parts
    sim = new_sim()
    ctx = context(sim, 5)
    await feed(
        writer,
        [
            turn_env(tenant, ctx, 1),
            turn_env(tenant, ctx, 2),
            failed_env(tenant, sim, "character 'kade' was deleted"),
        ],
    )
    story = await reader.get_by_simulation(tenant, sim)
    assert story.status == "failed" and story.failure_reason == "character 'kade' was deleted"
    assert [c.number for c in story.chapters] == [1, 2] and story.closing == ""
    rows = await outbox_rows(engine, sim)
    assert [e.type for _, e in rows] == [CHAPTERS_WRITTEN.type] * 2

    # Failure first, before any turn: the same end.
    other = new_sim()
    other_ctx = context(other, 5)
    await feed(
        writer,
        [
            failed_env(tenant, other, "boom"),
            turn_env(tenant, other_ctx, 2),
            turn_env(tenant, other_ctx, 1),
        ],
    )
    story = await reader.get_by_simulation(tenant, other)
    assert story.status == "failed" and story.failure_reason == "boom"
    assert [c.number for c in story.chapters] == [1, 2] and story.title


async def test_a_cancelled_simulation_ends_its_story_with_the_turns_done(parts, tenant):
    writer, reader, _, engine, _ = parts
    sim = new_sim()
    ctx = context(sim, 5)
    await feed(writer, [turn_env(tenant, ctx, 1), turn_env(tenant, ctx, 2)])
    await handle(writer, cancelled_env(tenant, sim, 2))
    story = await reader.get_by_simulation(tenant, sim)
    assert story.status == "completed" and story.turns_total == 5
    assert [c.number for c in story.chapters] == [1, 2]
    title, opening, _, closing = expected_text(ctx, 2)
    assert (story.title, story.opening, story.closing) == (title, opening, closing)
    rows = await outbox_rows(engine, sim)
    assert [e.type for _, e in rows] == [CHAPTERS_WRITTEN.type] * 2 + [COMPLETED.type]

    # Cancelled before the turns it counts arrive: it waits for them.
    other = new_sim()
    other_ctx = context(other, 5)
    await handle(writer, cancelled_env(tenant, other, 2))
    assert (await reader.get_by_simulation(tenant, other)).status == "writing"
    await feed(writer, [turn_env(tenant, other_ctx, 2), turn_env(tenant, other_ctx, 1)])
    story = await reader.get_by_simulation(tenant, other)
    assert story.status == "completed" and [c.number for c in story.chapters] == [1, 2]

    # Cancelled before turn 1: an empty story, but an ended one.
    empty = new_sim()
    await handle(writer, cancelled_env(tenant, empty, 0))
    story = await reader.get_by_simulation(tenant, empty)
    assert story.status == "completed" and story.chapters == ()


async def test_events_that_can_never_apply_are_rejected(parts, tenant):
    writer, reader, _, _, _ = parts
    sim = new_sim()
    # Another service's event type on the stream: ignored, nothing stored.
    other = subjects.SIMULATION_REQUESTED.envelope(tenant, simulation_pb2.SimulationRequested())
    assert await handle(writer, other) == EventOutcome.IGNORED
    # A payload of the wrong type.
    wrong = subjects.SIMULATION_FAILED.envelope(
        tenant, simulation_pb2.SimulationFailed(simulation_id=sim)
    )
    wrong.type = subjects.SIMULATION_TURNS_COMPLETED.type
    with pytest.raises(InvalidArgument):
        await handle(writer, wrong)
    with pytest.raises(InvalidArgument, match="narrative style"):
        await handle(writer, turn_env(tenant, context(sim, 2, style="limerick"), 1))
    with pytest.raises(NotFound):  # the rejected events left nothing behind
        await reader.get_by_simulation(tenant, sim)
    # A simulation id already written for another tenant.
    await handle(writer, turn_env(tenant, context(sim, 2), 1))
    with pytest.raises(InvalidArgument, match="another tenant"):
        await handle(writer, turn_env("intruder", context(sim, 2), 2))
    assert len((await reader.get_by_simulation(tenant, sim)).chapters) == 1


async def test_the_inbox_remembers_applied_events(parts, tenant):
    writer, _, _, engine, _ = parts
    env = turn_env(tenant, context(new_sim(), 1), 1)
    assert await handle(writer, env) == EventOutcome.APPLIED
    async with engine.connect() as conn:
        found = await conn.scalar(
            sa.select(sa.func.count()).select_from(inbox).where(inbox.c.event_id == env.event_id)
        )
    assert found == 1


# -- several events in one unit of work --


def counting_writer(engine) -> tuple[StoryWriter, list[int]]:
    """A writer that counts the units of work it opens."""
    opened: list[int] = []

    def uow() -> UnitOfWork:
        opened.append(1)
        return UnitOfWork(engine, outbox, None)

    return StoryWriter(uow), opened


async def written(engine, reader: StoryReader, tenant: str, sim: str) -> dict:
    """Everything the writer leaves for a simulation, but the times it did so."""
    story = await reader.get_by_simulation(tenant, sim)
    fields = dataclasses.asdict(story)
    fields.pop("created_at")
    fields["ended"] = fields.pop("completed_at") is not None
    rows = await outbox_rows(engine, sim)
    # How chapters are grouped into events depends on what each unit of work could
    # write; what a reader of the stream learns, and the completion, must not.
    endings = []
    for subject, env in rows:
        if env.type == COMPLETED.type:
            done = COMPLETED.unpack(env)
            done.story.ClearField("created_at")
            done.story.ClearField("completed_at")
            endings.append((subject, env.event_id, env.tenant_id, done.SerializeToString()))
    events = [e for _, e in rows]
    return {"story": fields, "chapters": chapter_numbers(events), "endings": endings}


def story_event(env: Envelope) -> StoryEvent:
    event = read_event(env)
    assert event is not None
    return event


async def forget(engine, sim: str, envelopes: list[Envelope]) -> None:
    """As if the story service had never seen these events."""
    async with engine.begin() as conn:
        await conn.execute(sa.delete(chapters).where(chapters.c.story_id == story_id_for(sim)))
        await conn.execute(sa.delete(turns).where(turns.c.simulation_id == sim))
        await conn.execute(sa.delete(stories).where(stories.c.simulation_id == sim))
        await conn.execute(sa.delete(outbox).where(outbox.c.subject.like(f"story.{sim}.%")))
        ids = [env.event_id for env in envelopes]
        await conn.execute(sa.delete(inbox).where(inbox.c.event_id.in_(ids)))


async def test_a_simulation_in_one_batch_writes_what_one_at_a_time_writes(parts, tenant):
    """All of a simulation's events at once, shuffled and with copies: one unit of work,
    the same story, chapters and completion (event ids included) as one by one."""
    _, reader, _, engine, _ = parts
    writer, opened = counting_writer(engine)
    sim, n = new_sim(), 8
    ctx = context(sim, n, style="epic")
    events = run_events(tenant, ctx, n)
    await feed(writer, events)
    one_by_one = await written(engine, reader, tenant, sim)
    assert await snapshot(reader, tenant, sim) == expected_text(ctx, n)
    assert one_by_one["story"]["status"] == "completed"

    await forget(engine, sim, events)
    rng = random.Random(3)
    batch = events + rng.sample(events, 4)
    rng.shuffle(batch)
    opened.clear()
    outcomes = await handle_many(writer, batch)
    assert opened == [1]
    assert Counter(outcomes) == {EventOutcome.APPLIED: n + 1, EventOutcome.DUPLICATE: 4}
    first_copies = [batch.index(env) for env in events]
    assert all(outcomes[i] == EventOutcome.APPLIED for i in first_copies)
    assert await written(engine, reader, tenant, sim) == one_by_one

    # The whole batch again: nothing new, nothing changes.
    assert await handle_many(writer, batch) == [EventOutcome.DUPLICATE] * len(batch)
    assert await written(engine, reader, tenant, sim) == one_by_one


def messy_history(rng: random.Random, tenant: str, sim: str) -> list[Envelope]:
    """A simulation's events as delivery may mangle them: some turns missing, some sent
    twice (same id) or again (new id, other context), more turns than the end counts,
    two ends..."""
    n = rng.randint(1, 6)
    ctx = context(sim, n, style=rng.choice(STYLES))
    ran = rng.randint(0, n)
    envelopes = [turn_env(tenant, ctx, t) for t in range(1, ran + 1) if rng.random() > 0.1]
    # Sent again, with a new id, and a context the story must ignore if it has one.
    again = context(sim, n, style=rng.choice(STYLES))
    envelopes += [turn_env(tenant, again, rng.randint(1, n)) for _ in range(rng.randint(0, 2))]
    counted = max(0, ran - rng.choice([0, 0, 0, 1, 2, ran]))
    ends = {
        "completed": lambda: completed_env(tenant, ctx, counted),
        "cancelled": lambda: cancelled_env(tenant, sim, counted),
        "failed": lambda: failed_env(tenant, sim, f"failure {rng.randint(1, 9)}"),
    }
    for end in rng.sample(sorted(ends), rng.choice([0, 1, 1, 2, 2])):
        envelopes.append(ends[end]())
    if not envelopes:
        envelopes.append(failed_env(tenant, sim, "nothing ran"))
    envelopes += rng.sample(envelopes, min(len(envelopes), rng.randint(0, 3)))
    rng.shuffle(envelopes)
    return envelopes


async def test_batches_end_where_one_at_a_time_ends(parts, tenant):
    """Any sequence of events, cut into batches anywhere, leaves the same story, events
    and outcomes as the same sequence applied one event per unit of work."""
    writer, reader, _, engine, _ = parts
    for seed in range(100):
        rng = random.Random(seed)
        sim = new_sim()
        history = messy_history(rng, tenant, sim)
        one_by_one = await feed(writer, history)
        expected = await written(engine, reader, tenant, sim)

        await forget(engine, sim, history)
        cuts = sorted(rng.sample(range(1, len(history)), rng.randint(0, len(history) - 1)))
        batched: list[EventOutcome] = []
        for start, end in zip([0, *cuts], [*cuts, len(history)], strict=True):
            batched += await handle_many(writer, history[start:end])
        assert batched == one_by_one, f"seed {seed}"
        assert await written(engine, reader, tenant, sim) == expected, f"seed {seed}"


async def test_a_bad_event_fails_alone_and_the_rest_of_its_batch_applies(parts, tenant):
    writer, reader, _, engine, _ = parts
    sim, n = new_sim(), 4
    ctx = context(sim, n)
    events = run_events(tenant, ctx, n)
    # The first context the story would take has an unknown style; then the
    # simulation's events, with one for the same simulation from another tenant.
    limerick = turn_env(tenant, context(sim, n, style="limerick"), 1)
    intruder = turn_env(f"{tenant}-intruder", ctx, 2)
    batch = [limerick, events[0], intruder, *events[1:]]

    # One unit of work is all or nothing.
    with pytest.raises(InvalidArgument):
        await handle_many(writer, batch)
    with pytest.raises(NotFound):
        await reader.get_by_simulation(tenant, sim)

    # The consumer's batcher retries that batch one event at a time.
    batcher = story_batcher(writer)
    results = await asyncio.gather(
        *(batcher.submit(story_event(env)) for env in batch), return_exceptions=True
    )
    assert isinstance(results[0], InvalidArgument) and "narrative style" in str(results[0])
    assert isinstance(results[2], InvalidArgument) and "another tenant" in str(results[2])
    assert [r for i, r in enumerate(results) if i not in (0, 2)] == [EventOutcome.APPLIED] * (n + 1)
    assert await snapshot(reader, tenant, sim) == expected_text(ctx, n)
    rows = [e for _, e in await outbox_rows(engine, sim)]
    assert chapter_numbers(rows) == list(range(1, n + 1)) and completions(rows) == 1
    assert batcher.busy_keys == 0


async def test_concurrent_batches_of_one_simulation_write_each_chapter_once(parts, tenant):
    """Two replicas, each with its own batcher, each given every event in its own order,
    in small batches that interleave: every chapter and the completion exactly once."""
    _, reader, _, engine, _ = parts
    sim, n = new_sim(), 12
    ctx = context(sim, n, style="concise")
    events = run_events(tenant, ctx, n)
    rng = random.Random(11)
    deliveries = []
    for _ in range(2):
        replica = story_batcher(counting_writer(engine)[0], max_batch=3)
        mine = events[:]
        rng.shuffle(mine)
        deliveries += [(replica, env) for env in mine]
    rng.shuffle(deliveries)
    outcomes = await asyncio.gather(
        *(replica.submit(story_event(env)) for replica, env in deliveries)
    )
    assert Counter(outcomes) == {EventOutcome.APPLIED: n + 1, EventOutcome.DUPLICATE: n + 1}
    assert await snapshot(reader, tenant, sim) == expected_text(ctx, n)
    rows = await outbox_rows(engine, sim)
    assert chapter_numbers([e for _, e in rows]) == list(range(1, n + 1))
    assert rows[-1][1].type == COMPLETED.type and completions([e for _, e in rows]) == 1


async def test_the_writers_statements_are_compiled_once(database_url, tenant):
    """Every statement the writer runs comes from SQLAlchemy's compiled cache the second
    time (ON CONFLICT built with postgresql.insert() never would)."""
    engine = create_engine(DatabaseSettings(database_url=database_url))
    ran: list[tuple[CacheStats, str]] = []

    @sa.event.listens_for(engine.sync_engine, "before_cursor_execute")
    def note(conn, cursor, statement, parameters, context, executemany):
        if context.compiled is not None:  # not the driver's own set-up queries
            ran.append((context.cache_hit, " ".join(statement.split())))

    writer = StoryWriter(lambda: UnitOfWork(engine, outbox, None))
    try:
        for _ in range(2):
            ran.clear()
            sim, n = new_sim(), 3
            events = run_events(tenant, context(sim, n), n)
            # A batch that leaves the story open, then one at a time: the closing reads
            # turns stored by an earlier unit of work.
            await handle_many(writer, events[:2])
            await feed(writer, events[2:])
            assert (await handle_many(writer, events)) == [EventOutcome.DUPLICATE] * (n + 1)
            assert not [s for hit, s in ran if hit is CacheStats.NO_CACHE_KEY]
        assert [s for hit, s in ran if hit is not CacheStats.CACHE_HIT] == []
        for table in ("inbox", "stories", "turns", "chapters", "outbox"):
            assert any(f"story.{table}" in s for _, s in ran), table
        assert any(s.startswith("UPDATE story.stories") for _, s in ran)
    finally:
        await engine.dispose()


# -- the reads --


async def test_reads_are_scoped_to_the_tenant(parts, tenant):
    writer, reader, _, engine, _ = parts
    sim = new_sim()
    await feed(writer, run_events(tenant, context(sim, 2), 2))
    story_id = story_id_for(sim)
    assert (await reader.get(tenant, story_id)).simulation_id == sim

    stranger = f"{tenant}-other"
    with pytest.raises(NotFound, match=f"Story '{story_id}' not found"):
        await reader.get(stranger, story_id)
    with pytest.raises(NotFound):
        await reader.get_by_simulation(stranger, sim)
    assert await reader.list_page(stranger, size=0, token="") == ([], "")
    with pytest.raises(InvalidArgument):
        await reader.get("", story_id)

    # The same through gRPC: status codes, the Story message.
    server = GrpcServer(GrpcServerSettings(grpc_port=0, grpc_host="127.0.0.1"))
    servicer = StoryServicer(reader, NarrationImports(lambda: UnitOfWork(engine, outbox, None)))
    server.add(
        lambda s: story_pb2_grpc.add_StoryServiceServicer_to_server(servicer, s),
        story_pb2.DESCRIPTOR.services_by_name["StoryService"].full_name,
    )
    port = await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = story_pb2_grpc.StoryServiceStub(channel)
            got = await stub.GetStory(story_pb2.GetStoryRequest(tenant_id=tenant, id=story_id))
            assert got.status == "completed" and [c.number for c in got.chapters] == [1, 2]
            assert [p.id for p in got.participants] == ["aria", "kade", "zara"]
            assert got.created_at.seconds and got.completed_at.seconds and got.turns_total == 2
            by_sim = await stub.GetStoryBySimulation(
                story_pb2.GetStoryBySimulationRequest(tenant_id=tenant, simulation_id=sim)
            )
            assert by_sim == got
            with pytest.raises(grpc.aio.AioRpcError) as err:
                await stub.GetStory(story_pb2.GetStoryRequest(tenant_id=stranger, id=story_id))
            assert err.value.code() == grpc.StatusCode.NOT_FOUND
            assert err.value.details() == f"Story '{story_id}' not found"
            listed = await stub.ListStories(story_pb2.ListStoriesRequest(tenant_id=tenant))
            assert [s.id for s in listed.stories] == [story_id]
            assert listed.stories[0].title == got.title and not listed.stories[0].chapters
            with pytest.raises(grpc.aio.AioRpcError) as err:
                await stub.ListStories(
                    story_pb2.ListStoriesRequest(
                        tenant_id=tenant, page=common_pb2.PageRequest(page_token="bogus")
                    )
                )
            assert err.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    finally:
        await server.stop(1)


async def test_paging_newest_first(parts, tenant):
    writer, reader, _, _, _ = parts
    sims = [new_sim() for _ in range(5)]
    for sim in sims:
        await handle(writer, turn_env(tenant, context(sim, 3), 1))

    seen: list[str] = []
    sizes: list[int] = []
    token = ""
    while True:
        page, token = await reader.list_page(tenant, size=2, token=token)
        seen += [s.simulation_id for s in page]
        sizes.append(len(page))
        if not token:
            break
    assert sizes == [2, 2, 1]
    assert seen == sims[::-1]
    everything, last = await reader.list_page(tenant, size=0, token="")
    assert [s.simulation_id for s in everything] == sims[::-1] and last == ""
    with pytest.raises(InvalidArgument, match="page_size"):
        await reader.list_page(tenant, size=101, token="")
    with pytest.raises(InvalidArgument, match="page_token"):
        await reader.list_page(tenant, size=2, token="not-a-token")


# -- the consumer --


async def test_the_consumer_writes_stories_from_the_stream(parts, nats_url, tenant):
    """Published out of order, with a copy and poison messages among them (one that is no
    envelope, one that can never apply: it fails alone, not its batch)."""
    writer, reader, relay, _, bus = parts
    sim, n = new_sim(), 3
    ctx = context(sim, n)
    events = run_events(tenant, ctx, n)
    spec = dataclasses.replace(
        CONSUMER,
        durable=f"story-writer-{uuid.uuid4().hex[:8]}",
        filter_subjects=(f"simulation.{sim}.*",),
    )
    consumer = PullConsumer(bus, spec, message_handler(writer), concurrency=4)
    relaying = asyncio.create_task(relay.run())
    consuming = asyncio.create_task(consumer.run())
    try:
        await bus.publish(f"simulation.{sim}.turns_completed", b"\x00garbage", f"{sim}-junk")
        for env in [events[-1], *events[:-1][::-1], events[1]]:
            subject = subject_of(env, sim)
            # A fresh message id: the stream's duplicate window cannot help, the inbox must.
            await bus.publish(subject, env.SerializeToString(), uuid.uuid4().hex)
        # The same simulation from another tenant, after the story became the first's.
        intruder = turn_env(f"{tenant}-intruder", ctx, 2)
        await bus.publish(f"simulation.{sim}.turns_completed", intruder.SerializeToString(), "x")

        async def completed() -> bool:
            try:
                story = await reader.get_by_simulation(tenant, sim)
            except NotFound:
                return False
            return story.status == "completed"

        assert await eventually(completed, timeout=20)
    finally:
        await consumer.stop(5)
        consuming.cancel()
        await relay.stop()
        relaying.cancel()
        await asyncio.gather(consuming, relaying, return_exceptions=True)

    assert await snapshot(reader, tenant, sim) == expected_text(ctx, n)
    story_events = await stream_events(
        nats_url, "STORY", f"story.{sim}.*", tenant, until_type=COMPLETED.type
    )
    assert chapter_numbers(story_events) == [1, 2, 3]
    assert story_events[-1].type == COMPLETED.type and completions(story_events) == 1
    info = await bus.js.consumer_info(spec.stream, spec.durable)
    assert info.num_ack_pending == 0 and info.num_pending == 0
    await bus.js.delete_consumer(spec.stream, spec.durable)


async def test_the_service_process_consumes_serves_and_stops_cleanly(database_url, tenant):
    """`python -m services.story` as deployed: consumer, relay and gRPC, then SIGTERM.

    On a NATS server of its own: the session's may hold another `story-writer` (the
    e2e stack's), which would share the durable and take some of the messages.
    """
    nats = localinfra.start_nats()
    try:
        await _run_the_service_process(database_url, nats.url, tenant)
    finally:
        nats.stop()


async def _run_the_service_process(database_url: str, nats_url: str, tenant: str) -> None:
    sim, n = new_sim(), 2
    bus = EventBus()
    await bus.connect(nats_url, "story-test-publisher")
    await bus.ensure_stream(SIMULATION_STREAM)
    for env in run_events(tenant, context(sim, n, style="concise"), n):
        await bus.publish(subject_of(env, sim), env.SerializeToString(), env.event_id)
    await bus.close()
    port = localinfra.free_port()
    environment = {
        **os.environ,
        "NE_DATABASE_URL": database_url,
        "NE_NATS_URL": nats_url,
        "NE_GRPC_PORT": str(port),
        "NE_GRPC_HOST": "127.0.0.1",
        "NE_METRICS_PORT": "0",
        "NE_STORY_CONSUMER_CONCURRENCY": "4",
        "NE_SHUTDOWN_GRACE_SECONDS": "5",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "services.story"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = story_pb2_grpc.StoryServiceStub(channel)
            request = story_pb2.GetStoryBySimulationRequest(tenant_id=tenant, simulation_id=sim)

            async def completed() -> bool:
                try:
                    story = await stub.GetStoryBySimulation(request, timeout=2)
                except grpc.aio.AioRpcError:
                    return False
                return story.status == "completed" and len(story.chapters) == n

            assert await eventually(completed, timeout=30), "the service wrote no story"
        events = await stream_events(
            nats_url, "STORY", f"story.{sim}.*", tenant, until_type=COMPLETED.type
        )
        assert chapter_numbers(events) == [1, 2] and completions(events) == 1
        assert events[-1].type == COMPLETED.type
    finally:
        proc.send_signal(signal.SIGTERM)
        # Drain is bounded by the grace period (5 s here) and NATS's drain timeout; a
        # process still alive well after both is hanging, not slow.
        try:
            _, stderr = await asyncio.to_thread(proc.communicate, timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise AssertionError("the story service did not stop after SIGTERM") from None
    assert proc.returncode == 0, stderr[-3000:]


async def test_the_inbox_forgets_only_ids_past_the_retention(parts):
    from services.story.service.housekeeping import InboxPruner

    _, _, _, engine, _ = parts
    old = [f"old-{uuid.uuid4()}" for _ in range(5)]
    recent = [f"recent-{uuid.uuid4()}" for _ in range(3)]
    async with engine.begin() as conn:
        await conn.execute(
            sa.text(
                "INSERT INTO story.inbox (event_id, received_at) "
                "SELECT unnest(CAST(:ids AS text[])), now() - interval '9 days'"
            ),
            {"ids": old},
        )
        await conn.execute(
            sa.text("INSERT INTO story.inbox (event_id) SELECT unnest(CAST(:ids AS text[]))"),
            {"ids": recent},
        )

    def uow() -> UnitOfWork:
        return UnitOfWork(engine, outbox, None)

    # Small batches: the loop must go on until nothing expired is left.
    pruner = InboxPruner(uow, retention_seconds=8 * 24 * 3600, interval_seconds=3600, batch=2)
    assert await pruner.prune_once() >= len(old)
    async with engine.connect() as conn:
        left = set(
            (
                await conn.execute(
                    sa.text("SELECT event_id FROM story.inbox WHERE event_id = ANY(:ids)"),
                    {"ids": old + recent},
                )
            ).scalars()
        )
    assert left == set(recent)


def branch_context(sim: str, parent: str, fork_turn: int, n: int) -> simulation_pb2.StoryContext:
    ctx = context(sim, n)
    ctx.fork_of, ctx.fork_turn = parent, fork_turn
    return ctx


async def test_a_branch_writes_only_its_own_chapters_and_reads_the_shared_ones(parts, tenant):
    """A branch forked at turn 3 of a 6-turn run: its events carry turns 4..6 (and, on
    the completing one, turns 1..3 for the closing); it stores chapters 4..6 only, reads
    1..3 from its parent's story, and, with the same turns, tells the same story. Both
    the one-statement path (one event) and the general path (a turn per event)."""
    writer, reader, _, engine, _ = parts
    parent, n = new_sim(), 6
    await handle(writer, batch_env(tenant, context(parent, n), range(1, n + 1), completed=n))
    whole = await snapshot(reader, tenant, parent)
    shared = [simulation_pb2.Turn(number=t, events=turn_events(t)) for t in range(1, 4)]

    def branch_batch(ctx: simulation_pb2.StoryContext, turns: range, done: bool) -> Envelope:
        payload = simulation_pb2.TurnsCompleted(
            context=ctx,
            turns=[simulation_pb2.Turn(number=t, events=turn_events(t)) for t in turns],
            completed=done,
            turns_executed=n if done else 0,
            shared_turns=shared if done else [],
        )
        return subjects.SIMULATION_TURNS_COMPLETED.envelope(tenant, payload)

    at_once, paced = new_sim(), new_sim()
    await handle(writer, branch_batch(branch_context(at_once, parent, 3, n), range(4, 7), True))
    ctx = branch_context(paced, parent, 3, n)
    for t in range(4, 7):
        await handle(writer, branch_batch(ctx, range(t, t + 1), t == n))
    for branch in (at_once, paced):
        assert await snapshot(reader, tenant, branch) == whole
        story = await reader.get_by_simulation(tenant, branch)
        assert story.status == "completed" and story.chapters_written == n
        async with engine.connect() as conn:
            stored = await conn.scalars(
                sa.select(chapters.c.number)
                .where(chapters.c.story_id == story_id_for(branch))
                .order_by(chapters.c.number)
            )
            assert list(stored) == [4, 5, 6]
        diff = await reader.diff(tenant, story_id_for(parent), story_id_for(branch))
        assert (diff.first_differing_turn, diff.chapters) == (0, ())

    # A branch whose turns differ from 5 on parts there.
    other = new_sim()
    ctx = branch_context(other, parent, 3, n)
    payload = simulation_pb2.TurnsCompleted(
        context=ctx,
        turns=[
            simulation_pb2.Turn(number=4, events=turn_events(4)),
            simulation_pb2.Turn(number=5, events=turn_events(2)),
            simulation_pb2.Turn(number=6, events=turn_events(6)),
        ],
        completed=True,
        turns_executed=n,
        shared_turns=shared,
    )
    await handle(writer, subjects.SIMULATION_TURNS_COMPLETED.envelope(tenant, payload))
    diff = await reader.diff(tenant, story_id_for(parent), story_id_for(other))
    assert diff.first_differing_turn == 5
    assert [p.number for p in diff.chapters] == [5, 6]
    assert diff.chapters[0].a != diff.chapters[0].b
    with pytest.raises(NotFound):
        await reader.diff("someone-else", story_id_for(parent), story_id_for(other))
