"""A simulation's SSE stream against a real NATS: what JetStream holds comes first, then
what is published live; a copy heard both ways is sent once; nothing of another
simulation leaks in; and no JetStream consumer is made per reader."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from novel_engine.v1 import simulation_pb2, story_pb2
from novel_platform import subjects
from novel_platform.events import new_event_id, parse_envelope
from novel_platform.messaging import EventBus
from services.gateway.adapters import event_stream
from services.gateway.adapters.event_stream import Position, simulation_events

pytestmark = pytest.mark.integration


@pytest.fixture
async def bus(nats_url):
    bus = EventBus()
    await bus.connect(nats_url, "test-event-stream")
    await bus.ensure_stream(subjects.SIMULATION_STREAM)
    await bus.ensure_stream(subjects.STORY_STREAM)
    yield bus
    await bus.close()


async def _turns(bus: EventBus, sim_id: str, *numbers: int, completed: bool = False) -> None:
    batch = simulation_pb2.TurnsCompleted(
        turns=[
            simulation_pb2.Turn(
                number=n, events=[simulation_pb2.TurnEvent(turn=n, actor_id="elena")]
            )
            for n in numbers
        ],
        completed=completed,
        turns_executed=max(numbers) if completed else 0,
    )
    envelope = subjects.SIMULATION_TURNS_COMPLETED.envelope("tenant-a", batch)
    await bus.publish(
        subjects.SIMULATION_TURNS_COMPLETED.subject(sim_id),
        envelope.SerializeToString(),
        new_event_id(),
    )


async def _story(bus: EventBus, sim_id: str, chapters: int) -> None:
    story = story_pb2.Story(
        chapters=[story_pb2.Chapter(number=n, text=f"Chapter {n}.") for n in range(1, 1 + chapters)]
    )
    done = story_pb2.StoryCompleted(story_id="story-1", simulation_id=sim_id, story=story)
    envelope = subjects.STORY_COMPLETED.envelope("tenant-a", done)
    await bus.publish(
        subjects.STORY_COMPLETED.subject(sim_id), envelope.SerializeToString(), new_event_id()
    )


async def _read_into(chunks: list[bytes], bus: EventBus, sim_id: str) -> None:
    """The whole stream from the start, chunk by chunk into `chunks` (seen as they come)."""
    async for chunk in simulation_events(bus, sim_id, Position()):
        chunks.append(chunk)


def _kinds(chunks: list[bytes]) -> list[str]:
    """`event:id` of every SSE event in the chunks, in order."""
    out = []
    for block in b"".join(chunks).decode().split("\r\n\r\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            out.append(f"{fields['event']}:{fields['id']}")
    return out


async def test_stored_reads_one_subject_in_order_and_nothing_else(bus):
    mine, other = str(uuid.uuid4()), str(uuid.uuid4())
    await _turns(bus, mine, 1)
    await _turns(bus, other, 1)
    await _turns(bus, mine, 2)
    found = [
        subjects.SIMULATION_TURNS_COMPLETED.unpack(parse_envelope(data)).turns[0].number
        async for _, data in bus.stored("SIMULATION", f"simulation.{mine}.*")
    ]
    assert found == [1, 2]
    first, _ = await anext(bus.stored("SIMULATION", f"simulation.{mine}.*"))
    after_first = [seq async for seq, _ in bus.stored("SIMULATION", f"simulation.{mine}.*", first)]
    assert len(after_first) == 1 and after_first[0] > first
    assert [d async for d in bus.stored("SIMULATION", f"simulation.{uuid.uuid4()}.*")] == []


async def test_stream_sends_what_is_stored_then_what_is_live_once_each(bus):
    sim_id = str(uuid.uuid4())
    await _turns(bus, sim_id, 1, 2)
    consumers_before = (await bus.js.stream_info("SIMULATION")).state.consumer_count
    chunks: list[bytes] = []
    reader = asyncio.create_task(_read_into(chunks, bus, sim_id))
    for _ in range(100):  # until the stored batch has been sent
        if chunks:
            break
        await asyncio.sleep(0.02)
    assert (await bus.js.stream_info("SIMULATION")).state.consumer_count == consumers_before
    await _turns(bus, sim_id, 2, 3, completed=True)  # turn 2 again: a copy
    await _story(bus, sim_id, 3)
    await asyncio.wait_for(reader, 10)
    assert _kinds(chunks) == [
        "turn:1.0.0",
        "turn:2.0.0",
        "turn:3.0.0",
        "status:3.0.1",
        "chapter:3.1.1",
        "chapter:3.2.1",
        "chapter:3.3.1",
        "story:3.3.1",
    ]
    assert len(chunks) == 3  # one write per NATS event, however many SSE events it holds


async def test_a_resumed_stream_skips_what_the_client_had(bus):
    sim_id = str(uuid.uuid4())
    await _turns(bus, sim_id, 1, 2, completed=True)
    await _story(bus, sim_id, 2)
    chunks = [c async for c in simulation_events(bus, sim_id, Position.parse("2.1.1"))]
    assert _kinds(chunks) == ["chapter:2.2.1", "story:2.2.1"]


async def test_what_the_subscription_missed_is_read_from_the_store(bus, monkeypatch):
    """A message stored but never heard (published just before the subscription, stored
    just after the read) still reaches the client: a quiet stream reads the store again."""
    sim_id = str(uuid.uuid4())
    monkeypatch.setattr(event_stream, "RECHECK_SECONDS", 0.2)
    # Hear nothing live: every event must come from the store.
    monkeypatch.setattr(subjects, "simulation_pattern", lambda _: f"nobody.{uuid.uuid4()}.*")
    await _turns(bus, sim_id, 1)
    chunks: list[bytes] = []
    reader = asyncio.create_task(_read_into(chunks, bus, sim_id))
    await asyncio.sleep(0.1)
    await _turns(bus, sim_id, 2, completed=True)
    await _story(bus, sim_id, 2)
    await asyncio.wait_for(reader, 10)
    assert _kinds(chunks) == [
        "turn:1.0.0",
        "turn:2.0.0",
        "status:2.0.1",
        "chapter:2.1.1",
        "chapter:2.2.1",
        "story:2.2.1",
    ]


async def test_a_slow_client_is_not_cut_off_by_the_recheck(bus, monkeypatch):
    """The recheck's deadline covers only the wait for a message: a client still taking
    one chunk when it passes (here: a reader that sleeps between chunks) gets the rest."""
    sim_id = str(uuid.uuid4())
    monkeypatch.setattr(event_stream, "RECHECK_SECONDS", 0.3)
    await _turns(bus, sim_id, 1)
    events = simulation_events(bus, sim_id, Position())

    async def slow_reader() -> list[bytes]:
        got = [await anext(events), await anext(events)]  # stored, then heard live
        await asyncio.sleep(0.6)  # past the deadline of the wait that heard the second
        return got + [chunk async for chunk in events]

    reader = asyncio.create_task(slow_reader())
    await asyncio.sleep(0.15)
    await _turns(bus, sim_id, 2)
    await asyncio.sleep(0.8)
    await _turns(bus, sim_id, 3, completed=True)
    await _story(bus, sim_id, 1)
    chunks = await asyncio.wait_for(reader, 10)
    assert _kinds(chunks)[:4] == ["turn:1.0.0", "turn:2.0.0", "turn:3.0.0", "status:3.0.1"]
    assert _kinds(chunks)[-1] == "story:3.1.1"


async def test_the_owner_is_read_from_the_first_stored_event_and_never_through_a_wildcard(bus):
    sim_id, unheard = str(uuid.uuid4()), str(uuid.uuid4())
    await _turns(bus, sim_id, 1)
    assert await event_stream.stored_owner(bus, sim_id) == "tenant-a"
    # Nothing stored yet: the route asks the simulation service instead.
    assert await event_stream.stored_owner(bus, unheard) is None
    # An id that would be a pattern over every simulation's subjects is not read at all,
    # although the stream holds events of this tenant that such a pattern would match.
    for pattern in ("*", ">", f"{sim_id[:8]}.*", f"{sim_id} ", ""):
        assert await event_stream.stored_owner(bus, pattern) is None
