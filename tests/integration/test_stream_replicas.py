"""JetStream replicas on a real three-node NATS cluster: streams and consumers get the
configured replicas (NE_NATS_REPLICAS), and a service started later with fewer never
lowers what is there (an update_stream would otherwise undo an operator's R3)."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.errors import ServiceUnavailableError

from novel_dev import localinfra
from novel_platform.messaging import ConsumerSpec, EventBus, StreamSpec

pytestmark = pytest.mark.integration

SPEC = StreamSpec(name="REPLICAS", subjects=("replicas.>",), max_age_seconds=3600)
CONSUMER = ConsumerSpec(stream="REPLICAS", durable="replicas-worker")


@pytest.fixture(scope="module")
def cluster() -> Iterator[list[str]]:
    root = Path(tempfile.mkdtemp(prefix="novel-nats-cluster-"))
    ports = [localinfra.free_port() for _ in range(3)]
    routes = [localinfra.free_port() for _ in range(3)]
    procs = []
    for i in range(3):
        data = root / f"n{i}"
        data.mkdir()
        procs.append(
            subprocess.Popen(
                [
                    localinfra.nats_server_binary(),
                    "-js",
                    "-n",
                    f"n{i}",
                    "-a",
                    "127.0.0.1",
                    "-p",
                    str(ports[i]),
                    "-sd",
                    str(data),
                    "--cluster_name",
                    "replicas",
                    "--cluster",
                    f"nats://127.0.0.1:{routes[i]}",
                    "--routes",
                    ",".join(f"nats://127.0.0.1:{r}" for j, r in enumerate(routes) if j != i),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    # Listening takes a few ms, longer on a busy machine: connect only once all three do.
    deadline = time.monotonic() + 30
    for port in ports:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, f"nats-server on {port} never listened"
                time.sleep(0.05)
    try:
        yield [f"nats://127.0.0.1:{p}" for p in ports]
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(10)
        subprocess.run(["rm", "-rf", str(root)], check=False)


async def connected(url: str, replicas: int) -> EventBus:
    bus = EventBus(replicas=replicas)
    await bus.connect(url, name=f"replicas-r{replicas}")
    return bus


@pytest.fixture(scope="module")
async def r3(cluster: list[str]) -> AsyncIterator[EventBus]:
    bus = await connected(cluster[0], 3)
    # The cluster elects its JetStream meta leader a moment after the servers start (a
    # request meanwhile is refused, or times out on a busy machine).
    deadline = time.monotonic() + 60
    while True:
        try:
            await bus.ensure_stream(SPEC)
            break
        except (ServiceUnavailableError, NatsTimeoutError):
            assert time.monotonic() < deadline, "the cluster elected no JetStream leader"
            await asyncio.sleep(0.1)
    yield bus
    await bus.close()


async def test_streams_and_consumers_get_the_configured_replicas(r3: EventBus) -> None:
    await r3.ensure_consumer(CONSUMER)
    stream = await r3.js.stream_info(SPEC.name)
    consumer = await r3.js.consumer_info(SPEC.name, CONSUMER.durable)
    assert stream.config.num_replicas == 3
    assert consumer.config.num_replicas == 3


async def test_a_service_with_fewer_replicas_converges_without_lowering_them(
    r3: EventBus, cluster: list[str]
) -> None:
    r1 = await connected(cluster[1], 1)
    try:
        # An older release's stream (a different max age) is converged on ours ...
        await r1.ensure_stream(
            StreamSpec(name=SPEC.name, subjects=SPEC.subjects, max_age_seconds=7200)
        )
        # ... and a consumer whose filter changed is re-declared.
        await r1.ensure_consumer(
            ConsumerSpec(
                stream=SPEC.name, durable=CONSUMER.durable, filter_subjects=("replicas.a",)
            )
        )
        stream = await r1.js.stream_info(SPEC.name)
        consumer = await r1.js.consumer_info(SPEC.name, CONSUMER.durable)
    finally:
        await r1.close()
    assert stream.config.max_age == 7200
    assert stream.config.num_replicas == 3
    assert consumer.config.filter_subject == "replicas.a"
    assert consumer.config.num_replicas == 3
