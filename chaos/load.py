"""The steady load: users that start simulations (retrying with one Idempotency-Key until
accepted) and follow some of them over SSE, run the older synchronous route, and read,
recording every response."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import httpx

ROSTER = ("pilot", "scientist", "engineer", "aria", "zara", "marcus", "elena")
RETRYABLE = {409, 429, 503}  # 409: the first request with this key is still running


@dataclass(frozen=True)
class Answer:
    at: float
    route: str
    status: int  # 0: no HTTP answer (connection refused or dropped, timeout)
    retry_after: bool
    error: str = ""
    simulation_id: str = ""


@dataclass
class LoadResult:
    answers: list[Answer] = field(default_factory=list)
    accepted: set[str] = field(default_factory=set)  # ids of simulations answered 2xx
    synchronous_completed: int = 0
    gave_up: int = 0
    # SSE streams by how they ended: "story" (the last event), "broken", or the status.
    streams: Counter[str] = field(default_factory=Counter)


class Load:
    def __init__(self, url: str, key: str, users: int, seed: int = 1) -> None:
        self._url = url
        self._headers = {"Authorization": f"Bearer {key}"}
        self._users = users
        self._rng = random.Random(seed)  # noqa: S311 (load shaping, not security)
        self.result = LoadResult()
        self._started = time.monotonic()

    async def run(self, seconds: float, started: float) -> LoadResult:
        self._started = started
        deadline = started + seconds
        limits = httpx.Limits(max_connections=self._users * 2)
        async with httpx.AsyncClient(
            base_url=self._url, headers=self._headers, timeout=45, limits=limits
        ) as client:
            await asyncio.gather(*(self._user(client, deadline) for _ in range(self._users)))
        return self.result

    async def _user(self, client: httpx.AsyncClient, deadline: float) -> None:
        while time.monotonic() < deadline:
            pick = self._rng.random()
            if pick < 0.5:
                await self._start(client)
            elif pick < 0.6:
                await self._follow(client)
            elif pick < 0.75:
                await self._synchronous(client)
            else:
                await self._read(client)
            await asyncio.sleep(self._rng.uniform(0.05, 0.3))

    def _body(self) -> tuple[list[str], int]:
        return self._rng.sample(ROSTER, self._rng.randint(2, 4)), self._rng.randint(2, 6)

    async def _send(
        self, client: httpx.AsyncClient, route: str, method: str, path: str, **kwargs: object
    ) -> httpx.Response | None:
        at = time.monotonic() - self._started
        try:
            response = await client.request(method, path, **kwargs)  # type: ignore[arg-type]
        except httpx.HTTPError as exc:
            self.result.answers.append(Answer(at, route, 0, False, type(exc).__name__))
            return None
        sim_id = ""
        if response.headers.get("content-type", "").startswith("application/json"):
            body = response.json()
            if isinstance(body, dict):
                sim_id = str(body.get("id") or body.get("simulation_id") or "")
        self.result.answers.append(
            Answer(at, route, response.status_code, "retry-after" in response.headers, "", sim_id)
        )
        return response

    async def _retrying(
        self, client: httpx.AsyncClient, route: str, path: str, body: dict[str, object]
    ) -> httpx.Response | None:
        """POST with one Idempotency-Key until a final answer (or 2 minutes)."""
        headers = {"Idempotency-Key": str(uuid.uuid4())}
        give_up = time.monotonic() + 120
        while time.monotonic() < give_up:
            response = await self._send(client, route, "POST", path, json=body, headers=headers)
            if response is not None and response.status_code not in RETRYABLE:
                return response
            wait = 1.0
            if response is not None:
                wait = float(response.headers.get("retry-after", "1"))
            await asyncio.sleep(wait * self._rng.uniform(1, 1.5))
        self.result.gave_up += 1
        return None

    async def _start(self, client: httpx.AsyncClient) -> None:
        characters, turns = self._body()
        body = {"character_ids": characters, "turns": turns}
        response = await self._retrying(client, "POST /v1/simulations", "/v1/simulations", body)
        if response is not None and response.status_code == 202:
            self.result.accepted.add(response.json()["id"])

    async def _follow(self, client: httpx.AsyncClient) -> None:
        """Start a simulation and read its event stream to the story (no resume: a
        stream broken by a fault is counted as such)."""
        characters, turns = self._body()
        body = {"character_ids": characters, "turns": turns}
        response = await self._retrying(client, "POST /v1/simulations", "/v1/simulations", body)
        if response is None or response.status_code != 202:
            return
        sim_id = response.json()["id"]
        self.result.accepted.add(sim_id)
        route = "GET /v1/simulations/{id}/events"
        at = time.monotonic() - self._started
        outcome, status, retry_after, error = "broken", 0, False, ""
        try:
            async with client.stream("GET", f"/v1/simulations/{sim_id}/events") as stream:
                status, retry_after = stream.status_code, "retry-after" in stream.headers
                outcome = str(status)
                if status == 200:
                    outcome = "broken"
                    async for line in stream.aiter_lines():
                        if line.startswith("event: story"):
                            outcome = "story"
                            break
        except httpx.HTTPError as exc:
            error = type(exc).__name__
        self.result.answers.append(Answer(at, route, status, retry_after, error, sim_id))
        self.result.streams[outcome] += 1

    async def _synchronous(self, client: httpx.AsyncClient) -> None:
        characters, turns = self._body()
        body = {"character_names": characters, "turns": min(turns, 4)}
        response = await self._retrying(client, "POST /simulations", "/simulations", body)
        if response is None:
            return
        if response.status_code == 200:
            self.result.synchronous_completed += 1
        elif response.status_code == 504:
            self.result.accepted.add(response.json()["simulation_id"])

    async def _read(self, client: httpx.AsyncClient) -> None:
        if self.result.accepted and self._rng.random() < 0.7:
            sim_id = self._rng.choice(sorted(self.result.accepted))
            await self._send(client, "GET /v1/simulations/{id}", "GET", f"/v1/simulations/{sim_id}")
        else:
            await self._send(client, "GET /v1/characters", "GET", "/v1/characters")
