"""The gateway's CompletionWaiter against a real NATS: an outcome that arrives before
anyone waits for it (a short run can end before the start's reply is read) is kept."""

from __future__ import annotations

import asyncio
import uuid

import nats
import pytest

from novel_engine.v1 import simulation_pb2, story_pb2
from novel_platform import subjects
from novel_platform.events import make_envelope
from novel_platform.messaging import EventBus
from services.gateway.adapters import completions
from services.gateway.adapters.completions import CompletionWaiter

pytestmark = pytest.mark.integration


@pytest.fixture
async def bus(nats_url):
    bus = EventBus()
    await bus.connect(nats_url, "test-completions")
    yield bus
    await bus.close()


@pytest.fixture
async def publisher(nats_url):
    client = await nats.connect(nats_url)
    yield client
    await client.close()


async def _arrived(bus: EventBus, publisher, publish: list[tuple[str, bytes]]) -> None:
    """Publish (core NATS, as the relay's messages reach the gateway) and return once a
    probe subscription on the waiter's connection has received the last message."""
    seen = asyncio.Event()
    last = publish[-1][0]

    async def on(msg) -> None:
        seen.set()

    probe = await bus.subscribe(last, on)
    for subject, data in publish:
        await publisher.publish(subject, data)
    await publisher.flush()
    await asyncio.wait_for(seen.wait(), 5)
    await probe.unsubscribe()
    for _ in range(10):  # let the waiter's own subscription task run as well
        await asyncio.sleep(0.01)


def _completed(sim_id: str) -> tuple[str, bytes]:
    payload = story_pb2.StoryCompleted(story_id="s", simulation_id=sim_id)
    envelope = make_envelope(subjects.STORY_COMPLETED, "tenant", payload)
    return subjects.subject(subjects.STORY_COMPLETED, sim_id), envelope.SerializeToString()


async def test_an_outcome_before_the_wait_is_not_lost(bus, publisher):
    waiter = CompletionWaiter(bus)
    await waiter.start()
    try:
        done, failed = str(uuid.uuid4()), str(uuid.uuid4())
        failure = make_envelope(
            subjects.SIMULATION_FAILED,
            "tenant",
            simulation_pb2.SimulationFailed(simulation_id=failed, reason="no characters"),
        )
        await _arrived(
            bus,
            publisher,
            [
                _completed(done),
                (
                    subjects.subject(subjects.SIMULATION_FAILED, failed),
                    failure.SerializeToString(),
                ),
            ],
        )
        # Nobody waited when they came; a wait now gets them at once.
        outcome = await waiter.wait(done, within=0.05)
        assert outcome is not None and outcome.kind == subjects.STORY_COMPLETED
        outcome = await waiter.wait(failed, within=0.05)
        assert outcome is not None and outcome.kind == subjects.SIMULATION_FAILED
        assert outcome.reason == "no characters"
        # Handed out once: a second wait for the same run has nothing to take.
        assert await waiter.wait(done, within=0.05) is None
    finally:
        await waiter.stop()


async def test_early_outcomes_are_bounded(bus, publisher, monkeypatch):
    monkeypatch.setattr(completions, "EARLY_OUTCOMES", 2)
    waiter = CompletionWaiter(bus)
    await waiter.start()
    try:
        ids = [str(uuid.uuid4()) for _ in range(3)]
        await _arrived(bus, publisher, [_completed(i) for i in ids])
        assert await waiter.wait(ids[0], within=0.05) is None  # the oldest made room
        assert await waiter.wait(ids[1], within=0.05) is not None
        assert await waiter.wait(ids[2], within=0.05) is not None
    finally:
        await waiter.stop()
