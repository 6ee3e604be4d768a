"""PullConsumer under faults, on a real NATS and a real PostgreSQL that is down, then up.

A transient failure must never use up a message, whatever the number of deliveries; a
message that fails on its content goes to the dead-letter stream without holding up
the messages behind it, and can be replayed from there.
"""

from __future__ import annotations

import asyncio
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from nats.aio.msg import Msg

from novel_dev import localinfra
from novel_platform.config import DatabaseSettings
from novel_platform.consumer import Poison, PullConsumer, RetryPolicy
from novel_platform.db import create_engine
from novel_platform.deadletter import list_dead_letters, replay
from novel_platform.messaging import ConsumerSpec, EventBus, StreamSpec
from tests.helpers import eventually

pytestmark = pytest.mark.integration

FAST = RetryPolicy(base_seconds=0.01, cap_seconds=0.05, max_failures=3)


async def _bus(nats_url: str) -> EventBus:
    bus = EventBus()
    await bus.connect(nats_url, "test-consumer-faults")
    return bus


async def _queue(bus: EventBus) -> tuple[StreamSpec, ConsumerSpec]:
    name = f"FAULTS_{uuid.uuid4().hex[:8].upper()}"
    stream = StreamSpec(name=name, subjects=(f"{name.lower()}.>",), work_queue=True)
    await bus.ensure_stream(stream)
    spec = ConsumerSpec(stream=name, durable="workers", ack_wait_seconds=5)
    return stream, spec


async def _run(consumer: PullConsumer) -> asyncio.Task[None]:
    return asyncio.create_task(consumer.run())


async def _stop(consumer: PullConsumer, task: asyncio.Task[None]) -> None:
    await consumer.stop(1)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_a_database_outage_longer_than_any_delivery_limit_loses_nothing(
    nats_url: str, tmp_path: Path
) -> None:
    port = localinfra.free_port()
    engine = create_engine(
        DatabaseSettings(database_url=f"postgresql://postgres@127.0.0.1:{port}/postgres")
    )
    bus = await _bus(nats_url)
    stream, spec = await _queue(bus)
    attempts: list[str] = []
    written: list[str] = []

    async def handle(msg: Msg) -> None:
        attempts.append(msg.subject)
        async with engine.connect() as conn:  # refused while the server is down
            written.append(str((await conn.execute(sa.text("SELECT 'stored'"))).scalar_one()))

    consumer = PullConsumer(bus, spec, handle, retry=FAST)
    task = await _run(consumer)
    server = None
    try:
        await bus.publish(stream.subjects[0].replace(">", "job"), b"work", "job-1")
        # More failed deliveries than the old limit of 10 (and the story writer's 20).
        assert await eventually(lambda: _at_least(attempts, 25), timeout=60)
        assert written == []
        server = localinfra.start_postgres(tmp_path / "pg", port=port, durable=False)
        assert await eventually(lambda: _at_least(written, 1), timeout=60)
        assert written == ["stored"]
        info = await bus.js.consumer_info(spec.stream, spec.durable)
        assert info.num_pending == 0 and info.num_ack_pending == 0
        letters = [d for d in await list_dead_letters(bus, 10_000) if d.stream == spec.stream]
        assert letters == []
    finally:
        await _stop(consumer, task)
        await engine.dispose()
        await bus.close()
        if server is not None:
            server.stop()
            shutil.rmtree(server.data_dir, ignore_errors=True)


async def _at_least(items: list[str], n: int) -> bool:
    return len(items) >= n


async def test_poison_goes_to_dead_letter_without_blocking_the_rest_and_replays(
    nats_url: str,
) -> None:
    bus = await _bus(nats_url)
    stream, spec = await _queue(bus)
    subject = stream.subjects[0].replace(">", "job")
    done: list[bytes] = []
    fixed = False

    async def handle(msg: Msg) -> None:
        if msg.data == b"poison" and not fixed:
            raise Poison("cannot parse")
        if msg.data == b"buggy" and not fixed:
            raise KeyError("a bug")
        done.append(msg.data)

    # One at a time: a poison message that blocked would hold up everything behind it.
    consumer = PullConsumer(bus, spec, handle, concurrency=1, retry=FAST)
    task = await _run(consumer)
    try:
        for i, data in enumerate([b"poison", b"buggy", b"a", b"b", b"c"]):
            await bus.publish(subject, data, f"msg-{i}")
        assert await eventually(lambda: _has(done, {b"a", b"b", b"c"}), timeout=30)

        async def both_dead() -> bool:
            letters = await list_dead_letters(bus, 10_000)
            return len([d for d in letters if d.stream == spec.stream]) == 2

        assert await eventually(both_dead, timeout=30)
        letters = [d for d in await list_dead_letters(bus, 10_000) if d.stream == spec.stream]
        by_data = {d.data: d for d in letters}
        assert by_data[b"poison"].reason == "rejected: cannot parse"
        assert by_data[b"poison"].deliveries == 1
        assert by_data[b"poison"].subject == subject
        assert by_data[b"buggy"].reason.startswith("failed 3 times: KeyError")
        assert by_data[b"buggy"].deliveries == 3

        fixed = True  # the bug is fixed: replaying now succeeds
        for letter in letters:
            assert await replay(bus, letter.sequence) is not None
        assert await eventually(lambda: _has(done, {b"poison", b"buggy"}), timeout=30)
        remaining = [d for d in await list_dead_letters(bus, 10_000) if d.stream == spec.stream]
        assert remaining == []
        assert sorted(done) == [b"a", b"b", b"buggy", b"c", b"poison"]
    finally:
        await _stop(consumer, task)
        await bus.close()


async def _has(items: list[bytes], wanted: set[bytes]) -> bool:
    return wanted <= set(items)


async def test_an_existing_consumer_loses_its_delivery_limit(nats_url: str) -> None:
    bus = await _bus(nats_url)
    try:
        _, spec = await _queue(bus)
        old = ConsumerSpec(stream=spec.stream, durable=spec.durable, max_deliver=10)
        await bus.ensure_consumer(old)
        assert (await bus.js.consumer_info(spec.stream, spec.durable)).config.max_deliver == 10
        await bus.ensure_consumer(spec)
        info = await bus.js.consumer_info(spec.stream, spec.durable)
        assert info.config.max_deliver in (None, -1)
    finally:
        await bus.close()
