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
from pathlib import Path

import grpc
import pytest
import sqlalchemy as sa

from novel_engine.v1 import common_pb2, simulation_pb2, story_pb2, story_pb2_grpc
from novel_platform import localinfra, subjects
from novel_platform.config import DatabaseSettings, GrpcServerSettings
from novel_platform.consumer import PullConsumer
from novel_platform.db import create_engine
from novel_platform.errors import InvalidArgument, NotFound
from novel_platform.events import make_envelope, unpack
from novel_platform.grpc_server import GrpcServer
from novel_platform.messaging import EventBus
from novel_platform.outbox import OutboxRelay, UnitOfWork
from novel_platform.subjects import SIMULATION_STREAM, STORY_STREAM
from services.story.adapters.convert import context_from_proto, event_from_proto
from services.story.adapters.tables import chapters, inbox, outbox, stories, turns
from services.story.domain import write_chapter, write_closing, write_opening, write_title
from services.story.entrypoints.consumer import CONSUMER, message_handler
from services.story.entrypoints.grpc_api import StoryServicer
from services.story.service.handlers import Outcome, StoryReader, StoryWriter, story_id_for
from tests.helpers import eventually, stream_events

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
Envelope = common_pb2.EventEnvelope


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


def turn_env(tenant: str, ctx: simulation_pb2.StoryContext, turn: int) -> Envelope:
    payload = simulation_pb2.TurnCompleted(context=ctx, turn=turn, events=turn_events(turn))
    return make_envelope(subjects.SIMULATION_TURN_COMPLETED, tenant, payload)


def completed_env(tenant: str, ctx: simulation_pb2.StoryContext, turns: int) -> Envelope:
    payload = simulation_pb2.SimulationCompleted(context=ctx, turns_executed=turns)
    return make_envelope(subjects.SIMULATION_COMPLETED, tenant, payload)


def cancelled_env(tenant: str, sim: str, turns_done: int) -> Envelope:
    payload = simulation_pb2.SimulationCancelled(simulation_id=sim, turns_done=turns_done)
    return make_envelope(subjects.SIMULATION_CANCELLED, tenant, payload)


def failed_env(tenant: str, sim: str, reason: str) -> Envelope:
    payload = simulation_pb2.SimulationFailed(simulation_id=sim, reason=reason)
    return make_envelope(subjects.SIMULATION_FAILED, tenant, payload)


def run_events(tenant: str, ctx: simulation_pb2.StoryContext, n: int) -> list[Envelope]:
    """A whole simulation, in the order it happened: n turns, then completed."""
    return [*(turn_env(tenant, ctx, t) for t in range(1, n + 1)), completed_env(tenant, ctx, n)]


def expected_text(ctx_msg: simulation_pb2.StoryContext, n: int) -> tuple[str, str, list, str]:
    """What the chronicler writes for these inputs, computed without the service."""
    ctx = context_from_proto(ctx_msg)
    per_turn = [[event_from_proto(e) for e in turn_events(t)] for t in range(1, n + 1)]
    written = [write_chapter(ctx, t, events) for t, events in enumerate(per_turn, start=1)]
    return (
        write_title(ctx),
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


async def feed(writer: StoryWriter, envelopes: list[Envelope]) -> list[Outcome]:
    return [await writer.handle(env) for env in envelopes]


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
    return [
        unpack(e, story_pb2.ChapterWritten()).chapter.number  # type: ignore[attr-defined]
        for e in events
        if e.type == subjects.STORY_CHAPTER_WRITTEN
    ]


# -- the writer --


async def test_a_simulation_in_order_becomes_a_completed_story(parts, nats_url, tenant):
    writer, reader, relay, _, _ = parts
    sim, n = new_sim(), 4
    ctx = context(sim, n)
    outcomes = await feed(writer, run_events(tenant, ctx, n))
    assert outcomes == [Outcome.APPLIED] * (n + 1)

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
    assert [e.type for e in events] == [subjects.STORY_CHAPTER_WRITTEN] * n + [
        subjects.STORY_COMPLETED
    ]
    assert chapter_numbers(events) == [1, 2, 3, 4]
    assert len({e.event_id for e in events}) == n + 1
    first = unpack(events[0], story_pb2.ChapterWritten())
    assert first.story_id == story.id and first.simulation_id == sim  # type: ignore[attr-defined]
    assert first.chapter.text == story.chapters[0].text  # type: ignore[attr-defined]
    done = unpack(events[-1], story_pb2.StoryCompleted())
    assert done.story_id == story.id  # type: ignore[attr-defined]


async def test_redelivered_and_reordered_events_write_the_same_story(parts, nats_url, tenant):
    writer, reader, relay, engine, _ = parts
    sim, n = new_sim(), 5
    ctx = context(sim, n, style="epic")
    in_order = run_events(tenant, ctx, n)
    await feed(writer, in_order)
    first = await snapshot(reader, tenant, sim)
    assert first == expected_text(ctx, n)

    # Everything again, after the story completed: all duplicates, nothing changes.
    assert await feed(writer, in_order) == [Outcome.DUPLICATE] * (n + 1)
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
    assert outcomes == [Outcome.APPLIED, Outcome.DUPLICATE] * (n + 1)

    story = await reader.get_by_simulation(tenant, sim)
    assert story.status == "completed"
    assert await snapshot(reader, tenant, sim) == first  # byte for byte

    # Chapters still went out in order, each once, the completion last.
    rows = await outbox_rows(engine, sim)
    assert [s for s, _ in rows] == [f"story.{sim}.chapter_written"] * n + [f"story.{sim}.completed"]
    assert chapter_numbers([e for _, e in rows]) == list(range(1, n + 1))
    await relay_all(relay)
    events = await stream_events(nats_url, "STORY", f"story.{sim}.*", tenant, until=n + 1)
    assert len(events) == n + 1 and chapter_numbers(events) == list(range(1, n + 1))


async def test_concurrent_deliveries_serialise_on_the_story(parts, tenant):
    """As with several replicas: every event (and a copy) at once, in random order."""
    writer, reader, _, engine, _ = parts
    sim, n = new_sim(), 6
    ctx = context(sim, n, style="concise")
    events = run_events(tenant, ctx, n)
    deliveries = events + events
    random.Random(7).shuffle(deliveries)
    outcomes = await asyncio.gather(*(writer.handle(env) for env in deliveries))
    assert Counter(outcomes) == {Outcome.APPLIED: n + 1, Outcome.DUPLICATE: n + 1}
    assert await snapshot(reader, tenant, sim) == expected_text(ctx, n)
    rows = await outbox_rows(engine, sim)
    assert chapter_numbers([e for _, e in rows]) == list(range(1, n + 1))
    assert rows[-1][1].type == subjects.STORY_COMPLETED and len(rows) == n + 1


async def test_a_chapter_waits_for_the_turns_before_it(parts, tenant):
    writer, reader, _, _, _ = parts
    sim = new_sim()
    ctx = context(sim, 3)
    await feed(writer, [turn_env(tenant, ctx, 3), turn_env(tenant, ctx, 2)])
    story = await reader.get_by_simulation(tenant, sim)
    assert story.status == "writing" and story.chapters == ()
    assert story.title and story.opening  # known from the first turn's context
    await writer.handle(turn_env(tenant, ctx, 1))
    story = await reader.get_by_simulation(tenant, sim)
    assert [c.number for c in story.chapters] == [1, 2, 3]
    assert story.status == "writing"  # the simulation has not said it is done
    await writer.handle(completed_env(tenant, ctx, 3))
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
    assert [e.type for _, e in rows] == [subjects.STORY_CHAPTER_WRITTEN] * 2

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
    await writer.handle(cancelled_env(tenant, sim, 2))
    story = await reader.get_by_simulation(tenant, sim)
    assert story.status == "completed" and story.turns_total == 5
    assert [c.number for c in story.chapters] == [1, 2]
    title, opening, _, closing = expected_text(ctx, 2)
    assert (story.title, story.opening, story.closing) == (title, opening, closing)
    rows = await outbox_rows(engine, sim)
    assert [e.type for _, e in rows] == [subjects.STORY_CHAPTER_WRITTEN] * 2 + [
        subjects.STORY_COMPLETED
    ]

    # Cancelled before the turns it counts arrive: it waits for them.
    other = new_sim()
    other_ctx = context(other, 5)
    await writer.handle(cancelled_env(tenant, other, 2))
    assert (await reader.get_by_simulation(tenant, other)).status == "writing"
    await feed(writer, [turn_env(tenant, other_ctx, 2), turn_env(tenant, other_ctx, 1)])
    story = await reader.get_by_simulation(tenant, other)
    assert story.status == "completed" and [c.number for c in story.chapters] == [1, 2]

    # Cancelled before turn 1: an empty story, but an ended one.
    empty = new_sim()
    await writer.handle(cancelled_env(tenant, empty, 0))
    story = await reader.get_by_simulation(tenant, empty)
    assert story.status == "completed" and story.chapters == ()


async def test_events_that_can_never_apply_are_rejected(parts, tenant):
    writer, reader, _, _, _ = parts
    sim = new_sim()
    # Another service's event type on the stream: ignored, nothing stored.
    other = make_envelope("simulation.requested", tenant, simulation_pb2.SimulationRequested())
    assert await writer.handle(other) == Outcome.IGNORED
    # A payload of the wrong type.
    wrong = make_envelope(
        subjects.SIMULATION_TURN_COMPLETED,
        tenant,
        simulation_pb2.SimulationFailed(simulation_id=sim),
    )
    with pytest.raises(InvalidArgument):
        await writer.handle(wrong)
    with pytest.raises(InvalidArgument, match="narrative style"):
        await writer.handle(turn_env(tenant, context(sim, 2, style="limerick"), 1))
    with pytest.raises(NotFound):  # the rejected events left nothing behind
        await reader.get_by_simulation(tenant, sim)
    # A simulation id already written for another tenant.
    await writer.handle(turn_env(tenant, context(sim, 2), 1))
    with pytest.raises(InvalidArgument, match="another tenant"):
        await writer.handle(turn_env("intruder", context(sim, 2), 2))
    assert len((await reader.get_by_simulation(tenant, sim)).chapters) == 1


async def test_the_inbox_remembers_applied_events(parts, tenant):
    writer, _, _, engine, _ = parts
    env = turn_env(tenant, context(new_sim(), 1), 1)
    assert await writer.handle(env) == Outcome.APPLIED
    async with engine.connect() as conn:
        found = await conn.scalar(
            sa.select(sa.func.count()).select_from(inbox).where(inbox.c.event_id == env.event_id)
        )
    assert found == 1


# -- the reads --


async def test_reads_are_scoped_to_the_tenant(parts, tenant):
    writer, reader, _, _, _ = parts
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
    servicer = StoryServicer(reader)
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
        await writer.handle(turn_env(tenant, context(sim, 3), 1))

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
    """Published out of order, with a copy and a poison message among them."""
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
        await bus.publish(f"simulation.{sim}.turn_completed", b"\x00garbage", f"{sim}-junk")
        for env in [events[-1], *events[:-1][::-1], events[1]]:
            subject = subjects.subject(env.type, sim)
            # A fresh message id: the stream's duplicate window cannot help, the inbox must.
            await bus.publish(subject, env.SerializeToString(), uuid.uuid4().hex)

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
    story_events = await stream_events(nats_url, "STORY", f"story.{sim}.*", tenant, until=n + 1)
    assert chapter_numbers(story_events) == [1, 2, 3]
    assert story_events[-1].type == subjects.STORY_COMPLETED and len(story_events) == n + 1
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
        await bus.publish(subjects.subject(env.type, sim), env.SerializeToString(), env.event_id)
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
        events = await stream_events(nats_url, "STORY", f"story.{sim}.*", tenant, until=n + 1)
        assert chapter_numbers(events) == [1, 2] and len(events) == n + 1
        assert events[-1].type == subjects.STORY_COMPLETED
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
