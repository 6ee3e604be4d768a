"""Simulation service against real PostgreSQL, NATS and an in-process character gRPC server."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable

import grpc
import pytest
import sqlalchemy as sa

from novel_engine.v1 import character_pb2_grpc, common_pb2, simulation_pb2
from novel_platform import subjects
from novel_platform.config import DatabaseSettings
from novel_platform.db import create_engine
from novel_platform.errors import FailedPrecondition, InvalidArgument, NotFound
from novel_platform.messaging import EventBus
from novel_platform.outbox import OutboxRelay, UnitOfWork
from novel_platform.subjects import (
    SIMULATION_STREAM,
    SIMULATION_WORK_STREAM,
)
from novel_platform.subjects import (
    SIMULATION_TURNS_COMPLETED as TURNS,
)
from novel_platform.turn_event_messages import add_turns
from services.character.adapters.tables import outbox as character_outbox
from services.character.entrypoints.grpc_api import CharacterServicer
from services.character.service.handlers import CharacterService
from services.simulation.adapters.characters import CharacterDirectory
from services.simulation.adapters.tables import checkpoints, outbox
from services.simulation.domain.interventions import Intervention
from services.simulation.service.branches import BranchService
from services.simulation.service.handlers import SimulationService
from services.simulation.service.requests import StartRequest
from services.simulation.service.runner import SimulationRunner
from tests.helpers import stream_events

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def parts(database_url, nats_url):
    engine = create_engine(DatabaseSettings(database_url=database_url))
    bus = EventBus()
    await bus.connect(nats_url, "test-simulation")
    for stream in (SIMULATION_WORK_STREAM, SIMULATION_STREAM):
        await bus.ensure_stream(stream)
    characters = CharacterService(lambda: UnitOfWork(engine, character_outbox, None))
    server = grpc.aio.server()
    character_pb2_grpc.add_CharacterServiceServicer_to_server(CharacterServicer(characters), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    directory = CharacterDirectory(f"127.0.0.1:{port}", timeout=5)
    relay = OutboxRelay(engine, outbox, bus)

    def uow() -> UnitOfWork:
        return UnitOfWork(engine, outbox, None)

    yield {
        "characters": characters,
        "service": SimulationService(uow, directory),
        "runner": SimulationRunner(uow, directory),
        "relay": relay,
        "engine": engine,
        "uow": uow,
        "directory": directory,
    }
    await directory.close()
    await server.stop(None)
    await bus.close()
    await engine.dispose()


def request(tenant: str, **changes) -> StartRequest:
    values = {
        "tenant_id": tenant,
        "character_ids": ("pilot", "scientist", "marcus"),
        "turns": 5,
        "seed": 42,
        "setting": "the storm moon Veyra",
        "scenario": "the relay mast has gone dark",
        "campaign_id": "",
        "narrative_style": "epic",
    }
    return StartRequest(**{**values, **changes})


async def flush(relay: OutboxRelay) -> None:
    while await relay.publish_pending():
        pass


async def test_a_simulation_runs_to_completion_with_every_turn_published(parts, nats_url, tenant):
    await parts["characters"].seed_starter_roster(tenant)
    record = await parts["service"].start(request(tenant))
    assert record.status == "queued" and record.seed == 42
    await parts["runner"].run(record.id)
    done = await parts["service"].get(tenant, record.id)
    assert done.status == "completed" and done.turns_done == 5
    await flush(parts["relay"])
    events = await stream_events(
        nats_url, "SIMULATION", f"simulation.{record.id}.*", tenant, until=1
    )
    # An unpaced run of 5 turns is one batch: one event with every turn, marked completed.
    assert [e.type for e in events] == [TURNS.type]
    batch = TURNS.unpack(events[0])
    assert [t.number for t in batch.turns] == [1, 2, 3, 4, 5]
    assert all(t.events for t in batch.turns)
    assert batch.completed and batch.turns_executed == 5
    assert {e.turn for t in batch.turns for e in t.events} == {1, 2, 3, 4, 5}
    names = {p.name for p in batch.context.participants}
    assert names == {"Rhea Voss", "Dr. Ilan Okafor", "Marcus Hale"}

    # A redelivered request for a finished simulation changes nothing.
    await parts["runner"].run(record.id)
    async with parts["engine"].connect() as conn:
        count = await conn.scalar(
            sa.select(sa.func.count()).where(checkpoints.c.simulation_id == record.id)
        )
    assert count == 1  # the world after the one batch


async def test_a_paced_run_publishes_turn_by_turn(parts, nats_url, tenant):
    await parts["characters"].seed_starter_roster(tenant)
    record = await parts["service"].start(request(tenant, turns=3))
    paced = SimulationRunner(parts["uow"], parts["directory"], turn_delay=0.01)
    await paced.run(record.id)
    await flush(parts["relay"])
    events = await stream_events(
        nats_url, "SIMULATION", f"simulation.{record.id}.*", tenant, until=3
    )
    batches = [TURNS.unpack(e) for e in events]
    assert [[t.number for t in b.turns] for b in batches] == [[1], [2], [3]]
    assert [b.completed for b in batches] == [False, False, True]


async def _events_of(engine, sim_id):
    """Every turn the simulation emitted, in order: (number, its events' bytes)."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.select(outbox.c.payload)
            .where(outbox.c.subject == TURNS.subject(sim_id))
            .order_by(outbox.c.id)
        )
        batches = [TURNS.unpack(common_pb2.EventEnvelope.FromString(r.payload)) for r in rows]
    return [(t.number, [e.SerializeToString() for e in t.events]) for b in batches for t in b.turns]


async def test_same_seed_same_events_and_resume_from_a_checkpoint(parts, tenant):
    await parts["characters"].seed_starter_roster(tenant)
    first = await parts["service"].start(request(tenant, turns=8))
    second = await parts["service"].start(request(tenant, turns=8))
    await parts["runner"].run(first.id)
    # Second run, in batches of 3 turns: interrupt after turn 3 by deleting the later
    # batches, as if the worker had died during the second one; the rerun must resume
    # from turn 3's world and produce the identical turns 4..8, whatever the batching.
    small_batches = SimulationRunner(parts["uow"], parts["directory"], batch_turns=3)
    await small_batches.run(second.id)
    async with parts["engine"].begin() as conn:
        await conn.execute(
            sa.delete(checkpoints).where(
                checkpoints.c.simulation_id == second.id, checkpoints.c.turn > 3
            )
        )
        # The later batches' events never committed either.
        first_batch = (
            sa.select(sa.func.min(outbox.c.id))
            .where(outbox.c.subject == TURNS.subject(second.id))
            .scalar_subquery()
        )
        await conn.execute(
            sa.delete(outbox).where(
                outbox.c.subject == TURNS.subject(second.id), outbox.c.id > first_batch
            )
        )
        await conn.execute(
            sa.text("UPDATE simulation.simulations SET status='running', turns_done=3 WHERE id=:i"),
            {"i": second.id},
        )
    await parts["runner"].run(second.id)
    assert await _events_of(parts["engine"], first.id) == await _events_of(
        parts["engine"], second.id
    )
    other = await parts["service"].start(request(tenant, turns=8, seed=7))
    await parts["runner"].run(other.id)
    assert await _events_of(parts["engine"], other.id) != await _events_of(
        parts["engine"], first.id
    )


async def test_a_short_run_is_stored_completed_by_its_start(parts, tenant):
    """A run computed while StartSimulation waits: the same turns as a queued run of the
    same seed, stored completed with its one event in the start's statement (no
    checkpoint: it is never resumed), and no work message; an idempotent twin stores
    nothing more."""
    await parts["characters"].seed_starter_roster(tenant)
    inline = SimulationService(
        parts["uow"],
        parts["directory"],
        runs=SimulationRunner(parts["uow"], parts["directory"], inline_turns=5),
    )
    queued = await parts["service"].start(request(tenant, turns=5))
    await parts["runner"].run(queued.id)
    done = await inline.start(request(tenant, turns=5))
    assert done.status == "completed" and done.turns_done == 5
    assert (await inline.get(tenant, done.id)) == done
    assert await _events_of(parts["engine"], done.id) == await _events_of(
        parts["engine"], queued.id
    )
    async with parts["engine"].connect() as conn:
        rows = (
            await conn.execute(
                sa.select(outbox.c.subject).where(outbox.c.subject.contains(done.id))
            )
        ).all()
        stored = await conn.scalar(
            sa.select(sa.func.count()).where(checkpoints.c.simulation_id == done.id)
        )
    assert [r.subject for r in rows] == [TURNS.subject(done.id)]  # no simulation.requested
    assert stored == 0
    # Longer than the inline limit: queued for a worker as before.
    assert (await inline.start(request(tenant, turns=6))).status == "queued"
    # The same Idempotency-Key twice: the second start answers the first's simulation.
    first = await inline.start(request(tenant, turns=3, seed=None), idempotency_key="k-1")
    again = await inline.start(request(tenant, turns=3, seed=None), idempotency_key="k-1")
    assert again == first and first.status == "completed"
    assert len(await _events_of(parts["engine"], first.id)) == 3


async def test_start_validates_everything(parts, tenant):
    await parts["characters"].seed_starter_roster(tenant)
    service = parts["service"]
    with pytest.raises(NotFound, match="Character 'nobody' not found"):
        await service.start(request(tenant, character_ids=("pilot", "nobody")))
    with pytest.raises(InvalidArgument, match="character_ids"):
        await service.start(request(tenant, character_ids=("pilot",)))
    with pytest.raises(InvalidArgument, match="character_ids"):
        await service.start(request(tenant, character_ids=("pilot", "pilot")))
    with pytest.raises(InvalidArgument, match="turns"):
        await service.start(request(tenant, turns=51))
    with pytest.raises(InvalidArgument, match="narrative_style"):
        await service.start(request(tenant, narrative_style="purple"))
    # The game masters' style, with the dice, is a style like the others.
    assert (await service.start(request(tenant, narrative_style="log"))).narrative_style == "log"
    with pytest.raises(NotFound, match="Campaign"):
        await service.start(request(tenant, campaign_id="nope"))
    with pytest.raises(NotFound):
        await service.start(request("stranger-tenant"))


async def test_campaign_supplies_participants_and_setting(parts, tenant):
    await parts["characters"].seed_starter_roster(tenant)
    campaign = await parts["service"].create_campaign(
        tenant, "Storm season", "", ["zara", "kai"], "the ice caverns"
    )
    record = await parts["service"].start(
        request(tenant, character_ids=(), setting="", campaign_id=campaign.id)
    )
    assert record.character_ids == ("zara", "kai") and record.setting == "the ice caverns"
    listed, _ = await parts["service"].list_campaigns(tenant, 10, "")
    assert [c.id for c in listed] == [campaign.id]


async def test_cancel(parts, nats_url, tenant):
    await parts["characters"].seed_starter_roster(tenant)
    queued = await parts["service"].start(request(tenant))
    cancelled = await parts["service"].cancel(tenant, queued.id)
    assert cancelled.status == "cancelled"
    await parts["runner"].run(queued.id)  # the worker then skips it
    assert (await parts["service"].get(tenant, queued.id)).turns_done == 0
    with pytest.raises(FailedPrecondition):
        await parts["service"].cancel(tenant, queued.id)

    # A paced run commits every turn, so a cancel lands at the next turn boundary.
    paced = SimulationRunner(parts["uow"], parts["directory"], turn_delay=0.005)
    running = await parts["service"].start(request(tenant, turns=30))
    task = asyncio.create_task(paced.run(running.id))
    while (await parts["service"].get(tenant, running.id)).turns_done < 2:
        await asyncio.sleep(0.001)
    await parts["service"].cancel(tenant, running.id)
    await task
    stopped = await parts["service"].get(tenant, running.id)
    assert stopped.status == "cancelled" and 2 <= stopped.turns_done < 30


async def test_paging(parts, tenant):
    await parts["characters"].seed_starter_roster(tenant)
    ids = [(await parts["service"].start(request(tenant))).id for _ in range(5)]
    seen, token = [], ""
    while True:
        page, token = await parts["service"].list_page(tenant, 2, token)
        seen += [r.id for r in page]
        if not token:
            break
    assert seen == list(reversed(ids))


async def test_a_full_queue_refuses_new_work(parts, tenant):
    from types import SimpleNamespace

    from novel_platform.errors import Overloaded

    await parts["characters"].seed_starter_roster(tenant)
    backlog = SimpleNamespace(overloaded=True)
    service = SimulationService(
        lambda: UnitOfWork(parts["engine"], outbox, None), parts["service"]._characters, backlog
    )
    with pytest.raises(Overloaded):
        await service.start(request(tenant))
    backlog.overloaded = False
    assert (await service.start(request(tenant))).status == "queued"


async def test_queue_depth_reads_the_real_consumers(nats_url):
    from nats.js.api import ConsumerConfig

    from novel_platform.messaging import StreamSpec
    from services.simulation.adapters.queue_depth import QueueDepth, Watched

    bus = EventBus()
    await bus.connect(nats_url, "test-depth")
    # A stream of its own: the real work queue may have live workers in this session.
    stream = StreamSpec(
        name=f"DEPTH_{uuid.uuid4().hex[:8]}", subjects=(f"depth.{uuid.uuid4().hex[:8]}",)
    )
    try:
        await bus.ensure_stream(stream)
        await bus.js.add_consumer(stream.name, ConsumerConfig(durable_name="probe"))
        depth = QueueDepth(bus, [Watched(stream.name, "probe", 2)], every=0.05)
        task = asyncio.create_task(depth.run())
        await bus.publish(stream.subjects[0], b"1", msg_id="one")
        await asyncio.sleep(0.3)
        assert depth.pending["probe"] == 1 and not depth.overloaded
        await bus.publish(stream.subjects[0], b"2", msg_id="two")
        for _ in range(100):
            await asyncio.sleep(0.05)
            if depth.overloaded:
                break
        assert depth.pending["probe"] == 2 and depth.overloaded
        task.cancel()
    finally:
        await bus.js.delete_stream(stream.name)
        await bus.close()


async def test_a_turn_is_stored_once_even_if_two_workers_run_it(parts, tenant):
    from services.simulation.adapters.repository import Checkpoint, SimulationRepository

    await parts["characters"].seed_starter_roster(tenant)
    record = await parts["service"].start(request(tenant))
    async with parts["engine"].begin() as conn:
        repo = SimulationRepository(conn)
        first = await repo.record_batch(
            record.id, first_turn=1, last_turn=2, world={"w": 2}, finished=False
        )
        # A second worker's batch overlapping turn 2 is refused as a whole.
        second = await repo.record_batch(
            record.id, first_turn=2, last_turn=3, world={"w": 3}, finished=True
        )
        resume_from = await repo.last_checkpoint(record.id)
        stored = await conn.scalar(
            sa.select(sa.func.count()).where(checkpoints.c.simulation_id == record.id)
        )
    assert first is not None and first.turns_done == 2 and first.status == "running"
    assert second is None and stored == 1
    # The batch's world is where a resume starts.
    assert resume_from == Checkpoint(2, {"w": 2})


async def test_a_run_uses_the_characters_as_they_were_when_accepted(parts, tenant):
    await parts["characters"].seed_starter_roster(tenant)
    kept = await parts["service"].start(request(tenant))
    legacy = await parts["service"].start(request(tenant))
    # A row stored before sheets were kept with it: the worker asks the character service.
    async with parts["engine"].begin() as conn:
        await conn.execute(
            sa.text("UPDATE simulation.simulations SET sheets = NULL WHERE id = :i"),
            {"i": legacy.id},
        )
    pilot = await parts["characters"].get(tenant, "pilot")
    await parts["characters"].delete(tenant, "pilot", pilot.version)

    await parts["runner"].run(kept.id)
    await parts["runner"].run(legacy.id)

    done = await parts["service"].get(tenant, kept.id)
    assert done.status == "completed" and done.turns_done == 5
    failed = await parts["service"].get(tenant, legacy.id)
    assert failed.status == "failed" and "deleted after the request" in failed.error


def _turns(batch: Iterable[simulation_pb2.Turn]) -> list[tuple[int, list[bytes]]]:
    return [(t.number, [e.SerializeToString(deterministic=True) for e in t.events]) for t in batch]


async def test_an_unpaced_branch_runs_in_one_batch_and_equals_its_parent(parts, nats_url, tenant):
    """A fork at turn 4 of an unpaced 12-turn run: the worker starts from the one world
    stored for the branch and commits turns 5..12 in one event that also carries turns
    1..4 (derived again) for the story's closing; with the parent's dice they are the
    parent's turns byte for byte. An intervention in the middle of a batch lands in its
    turn, and a fork at 0 of the steered branch repeats it."""
    await parts["characters"].seed_starter_roster(tenant)
    parent = await parts["service"].start(request(tenant, turns=12, seed=7))
    await parts["runner"].run(parent.id)
    branches = BranchService(parts["uow"], parts["directory"], paced=False)
    same = await branches.fork(tenant, parent.id, 4, None, [])
    steer = [Intervention(8, "event", "", "A bell tolls"), Intervention(8, "leave", "marcus")]
    steered = await branches.fork(tenant, parent.id, 4, None, steer)
    for branch in (same, steered):
        await parts["runner"].run(branch.id)
    replay = await branches.fork(tenant, steered.id, 0, None, [])
    await parts["runner"].run(replay.id)
    await flush(parts["relay"])

    async def batch_of(sim_id: str) -> simulation_pb2.TurnsCompleted:
        (event,) = await stream_events(
            nats_url, "SIMULATION", f"simulation.{sim_id}.*", tenant, until=1
        )
        return TURNS.unpack(event)

    whole = await batch_of(parent.id)
    copy = await batch_of(same.id)
    assert [t.number for t in copy.turns] == list(range(5, 13))
    assert [t.number for t in copy.shared_turns] == [1, 2, 3, 4]
    assert _turns(copy.shared_turns) + _turns(copy.turns) == _turns(whole.turns)
    assert (copy.context.fork_of, copy.context.fork_turn) == (parent.id, 4)

    changed = await batch_of(steered.id)
    assert _turns(changed.turns)[:3] == _turns(whole.turns)[4:7]
    eighth = changed.turns[3].events
    assert [(e.action, e.sequence) for e in eighth if e.actor_id == "director"][1:3] == [
        ("intervention", 1),
        ("leave", 2),
    ]
    assert not any(e.actor_id == "marcus" for t in changed.turns[3:] for e in t.events)
    again = await batch_of(replay.id)
    assert _turns(again.turns) == _turns(changed.shared_turns) + _turns(changed.turns)

    # Derived again on demand: the same turns, through the parent for the shared ones.
    derived = await branches.turns(tenant, steered.id, 1, 12)
    assert [r.turn for r in derived] == list(range(1, 13))
    with pytest.raises(NotFound):
        await branches.fork("someone-else", parent.id, 4, None, [])
    with pytest.raises(InvalidArgument):
        await branches.fork(tenant, parent.id, 12, None, [])
    with pytest.raises(FailedPrecondition):
        await branches.intervene(tenant, parent.id, Intervention(0, "event", "", "late"))

    # A branch cancelled before a turn of its own: its story ends before any context, as
    # a run's cancelled before turn 1 does (the shared turns are not its own).
    idle = await branches.fork(tenant, parent.id, 4, None, [])
    assert (await parts["service"].cancel(tenant, idle.id)).status == "cancelled"
    await flush(parts["relay"])
    (event,) = await stream_events(
        nats_url, "SIMULATION", f"simulation.{idle.id}.*", tenant, until=1
    )
    assert subjects.SIMULATION_CANCELLED.unpack(event).turns_done == 0


async def test_a_start_with_interventions_applies_them_inline_and_queued_alike(parts, tenant):
    """A run started with interventions (a bundle's replay) keeps them, a newcomer's
    sheet included, and applies them at their turns whether its start computes it or a
    worker does; they are checked as a fork's are."""
    await parts["characters"].seed_starter_roster(tenant)
    steer = (
        Intervention(2, "event", "", "A bell  tolls"),
        Intervention(3, "whisper", "pilot", "Marcus lies"),
        Intervention(4, "leave", "marcus"),
        Intervention(4, "enter", "zara"),
    )
    inline = SimulationService(
        parts["uow"],
        parts["directory"],
        runs=SimulationRunner(parts["uow"], parts["directory"], inline_turns=6),
    )
    queued = await parts["service"].start(request(tenant, turns=6, interventions=steer))
    assert queued.status == "queued"
    await parts["runner"].run(queued.id)
    done = await inline.start(request(tenant, turns=6, interventions=steer))
    assert done.status == "completed"
    stored = (await inline.get(tenant, done.id)).interventions
    assert stored == (await parts["service"].get(tenant, queued.id)).interventions
    assert [i["turn"] for i in stored] == [2, 3, 4, 4]
    assert stored[0]["text"] == "A bell tolls"
    assert stored[3]["sheet"]["id"] == "zara" and "sheet" not in stored[2]
    steered = await _events_of(parts["engine"], done.id)
    assert steered == await _events_of(parts["engine"], queued.id)
    plain = await inline.start(request(tenant, turns=6))
    unsteered = await _events_of(parts["engine"], plain.id)
    assert steered[0] == unsteered[0] and steered[1] != unsteered[1]
    # What the row keeps derives the same turns again (the inline row has them too).
    derived = await BranchService(parts["uow"], parts["directory"], paced=False).turns(
        tenant, done.id, 1, 6
    )
    again = simulation_pb2.GetTurnsResponse()
    add_turns(again.turns, ((r.turn, r.events) for r in derived))
    assert _turns(again.turns) == steered
    assert any(e.action == "enter" and e.target_id == "zara" for e in derived[3].events)
    bad = [
        (Intervention(7, "event", "", "too late"), "turn must be 1..5 for this run, got 7"),
        (Intervention(2, "storm", "", "x"), "kind must be one of"),
        (Intervention(2, "whisper", "", "hi"), "character_id is required"),
        (Intervention(2, "goal", "nobody", "x"), "not in this run"),
        (Intervention(2, "enter", "nobody"), "'nobody' not found"),
    ]
    for given, message in bad:
        with pytest.raises(InvalidArgument, match=message):
            await inline.start(request(tenant, interventions=(given,)))
    with pytest.raises(InvalidArgument, match="at most 50"):
        await inline.start(request(tenant, interventions=(steer[0],) * 51))
