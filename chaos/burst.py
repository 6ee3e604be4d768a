"""The fault "fill the work queue past its limit": a burst of simulation starts, many at
once, well past NE_MAX_QUEUED_SIMULATIONS, while the work queue's depth is sampled.

What must hold: the excess is refused (429/503 + Retry-After) before it is accepted, so a
refused start leaves no simulation behind; every accepted one runs to its end (the
campaign's checks); no start is answered otherwise. Each start carries a marker in its
scenario, so that the database can tell which requests made a simulation.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from dataclasses import dataclass, field

import httpx
import nats

from chaos.load import ROSTER, Answer

ROUTE = "POST /v1/simulations (burst)"
WORK_STREAM, WORK_DURABLE = "SIMULATION_WORK", "simulation-workers"


@dataclass
class BurstResult:
    answers: list[Answer] = field(default_factory=list)
    accepted: set[str] = field(default_factory=set)  # simulation ids answered 202
    refused: list[str] = field(default_factory=list)  # markers of starts answered 429/503
    peak_pending: int = 0  # deepest the work queue was seen


async def _start(client: httpx.AsyncClient, marker: str, at: float, result: BurstResult) -> None:
    body = {"character_ids": list(ROSTER[:3]), "turns": 6, "scenario": marker}
    try:
        response = await client.post("/v1/simulations", json=body)
    except httpx.HTTPError as exc:
        result.answers.append(Answer(at, ROUTE, 0, False, type(exc).__name__))
        return
    sim_id = str(response.json().get("id", "")) if response.status_code == 202 else ""
    retry_after = "retry-after" in response.headers
    result.answers.append(Answer(at, ROUTE, response.status_code, retry_after, "", sim_id))
    if response.status_code == 202:
        result.accepted.add(sim_id)
    elif response.status_code in (429, 503):
        result.refused.append(marker)


async def _watch_depth(nats_url: str, result: BurstResult, done: asyncio.Event) -> None:
    nc = await nats.connect(nats_url, name="chaos-burst")
    try:
        js = nc.jetstream(timeout=2)
        while not done.is_set():
            with contextlib.suppress(Exception):  # a fault elsewhere: keep sampling
                info = await js.consumer_info(WORK_STREAM, WORK_DURABLE)
                # Waiting for a worker: what the admission limit counts.
                result.peak_pending = max(result.peak_pending, int(info.num_pending or 0))
            await asyncio.sleep(0.1)
    finally:
        await nc.close()


async def burst(
    url: str, key: str, nats_url: str, started: float, count: int = 160, at_once: int = 40
) -> BurstResult:
    """`count` starts, `at_once` in flight at a time, no retries: each answer is final."""
    result = BurstResult()
    done = asyncio.Event()
    watching = asyncio.create_task(_watch_depth(nats_url, result, done))
    gate = asyncio.Semaphore(at_once)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=45) as client:

        async def one(n: int) -> None:
            async with gate:
                marker = f"burst-{uuid.uuid4().hex[:12]}-{n}"
                await _start(client, marker, time.monotonic() - started, result)

        await asyncio.gather(*(one(n) for n in range(count)))
    done.set()
    await watching
    return result
