"""SIGTERM on the character service while writes are in flight loses nothing."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from collections import Counter

import httpx
import pytest

from novel_platform import subjects
from tests.helpers import stream_events

pytestmark = pytest.mark.e2e

WRITES = 300


async def _fire(stack, key: str, ready: threading.Event) -> list[tuple[str, int]]:
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(
        base_url=stack.url, headers={"Authorization": f"Bearer {key}"}, limits=limits, timeout=30
    ) as client:
        done = 0

        async def create(i: int) -> tuple[str, int]:
            nonlocal done
            try:
                r = await client.post("/v1/characters", json={"id": f"c{i}", "name": f"C {i}"})
            except httpx.HTTPError:
                return f"c{i}", 0
            done += 1
            if done == WRITES // 4:
                ready.set()  # a quarter answered, the rest in flight: now pull the plug
            return f"c{i}", r.status_code

        return await asyncio.gather(*(create(i) for i in range(WRITES)))


def test_sigterm_mid_writes_loses_no_acknowledged_write(stack, nats_url):
    from tests.e2e.conftest import new_tenant_key

    tenant = "shutdown-tenant"
    key = new_tenant_key(stack, tenant)
    ready = threading.Event()
    results: list[tuple[str, int]] = []
    worker = threading.Thread(target=lambda: results.extend(asyncio.run(_fire(stack, key, ready))))
    worker.start()
    assert ready.wait(30)
    code = stack.stop_service("character", signal.SIGTERM)
    worker.join(60)
    assert code == 0, "the service did not shut down cleanly"
    stack.restart_service("character")
    _until_the_simulation_service_reaches_characters(stack, key)

    statuses = Counter(status for _, status in results)
    acknowledged = {cid for cid, status in results if status == 201}
    assert acknowledged, statuses
    # Refused writes are reported as such (503 + envelope), never as a 500.
    assert set(statuses) <= {201, 503}, statuses

    with httpx.Client(base_url=stack.url, headers={"Authorization": f"Bearer {key}"}) as api:
        stored = set(api.get("/characters").json()["characters"])
    assert acknowledged <= stored, "an acknowledged write was lost"

    events = asyncio.run(
        stream_events(nats_url, "CHARACTER", "character.created", tenant, until=len(stored))
    )
    per_character = Counter(subjects.CHARACTER_CREATED.unpack(e).character.id for e in events)
    assert set(per_character) == stored, "a committed change never reached NATS"
    assert max(per_character.values()) == 1, "a change reached NATS twice"
    assert len({e.event_id for e in events}) == len(events)


def _until_the_simulation_service_reaches_characters(stack, key: str) -> None:
    """Leave the shared stack as it was found: the simulation service's channel to the
    restarted character service reconnects within its back-off (up to 5 s), and until it
    does a start is a 503. A start naming characters nobody has reaches the character
    service and comes back 404."""
    body = {"character_ids": ["nobody-one", "nobody-two"], "turns": 1}
    deadline = time.monotonic() + 30
    with httpx.Client(base_url=stack.url, headers={"Authorization": f"Bearer {key}"}) as api:
        while (answer := api.post("/v1/simulations", json=body)).status_code == 503:
            assert time.monotonic() < deadline, "the simulation service never reconnected"
            time.sleep(0.2)
    assert answer.status_code == 404, answer.text
