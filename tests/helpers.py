"""Helpers shared by integration and end-to-end tests (real NATS, no mocks)."""

from __future__ import annotations

import asyncio
import os
import time

import nats
from nats.js.api import ConsumerConfig, DeliverPolicy

from novel_engine.v1 import common_pb2
from novel_platform.events import parse_envelope


async def stream_events(
    nats_url: str,
    stream: str,
    subjects: str,
    tenant: str,
    *,
    until: int = 1,
    until_type: str = "",
    timeout: float = 15,
    settle: float = 0.5,
) -> list[common_pb2.EventEnvelope]:
    """Read a stream from its start and return the tenant's events.

    Waits until at least `until` events arrived (and one of type `until_type`, if given),
    then `settle` seconds more, so that a duplicate arriving late would still be seen.
    """
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        sub = await js.pull_subscribe(
            subjects,
            stream=stream,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, inactive_threshold=30),
        )
        found: list[common_pb2.EventEnvelope] = []
        deadline = time.monotonic() + timeout
        settled_at: float | None = None
        while time.monotonic() < deadline:
            try:
                batch = await sub.fetch(500, timeout=0.3)
            except (TimeoutError, nats.errors.TimeoutError):
                batch = []
            for msg in batch:
                env = parse_envelope(msg.data)
                if env.tenant_id == tenant:
                    found.append(env)
                await msg.ack()
            seen_type = not until_type or any(e.type == until_type for e in found)
            if len(found) >= until and seen_type and settled_at is None:
                settled_at = time.monotonic() + settle
            if settled_at is not None and time.monotonic() >= settled_at and not batch:
                break
        return found
    finally:
        await nc.close()


async def eventually(check, timeout: float = 10, interval: float = 0.05):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result or time.monotonic() > deadline:
            return result
        await asyncio.sleep(interval)


# Property tests' budgets are multiplied by this: 1 in `make test`, more in `make chaos`.
FUZZ_DEPTH = max(1, int(os.environ.get("NE_FUZZ_DEPTH", "1")))
