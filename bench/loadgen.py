"""A load-generator process: virtual users on one uvloop event loop and one aiohttp pool.

aiohttp rather than httpx: on this 2-core machine httpx spent ~3 ms of CPU per request
at 1000 concurrent users (its pool is CPU-bound there) against ~0.16 ms for aiohttp, and
the generator shares the machine with the system it measures.

Each user loops: pick an action by weight, run it, think. Every request is recorded on
its own, success or not; a failure never ends a user. The coordinator talks to this
process over a multiprocessing pipe:

  coordinator -> ("users", n, ramp_seconds) | ("stop", drain_seconds)
  generator   -> ("ready",) | ("records", [Record, ...], [(t, loop_lag), ...]) | ("done",)
"""

from __future__ import annotations

import asyncio
import random
import signal
import time
from multiprocessing.connection import Connection
from typing import Any

import aiohttp
import orjson
import uvloop

from bench.scenario import STORY_POST, Record, Scenario

FLUSH_SECONDS = 1.0
LAG_PROBE_SECONDS = 0.2


class StoryOutcome(Exception):
    """A story generation that ended without its story."""

    def __init__(self, kind: str, status: int) -> None:
        super().__init__(kind)
        self.status = status


class User:
    __slots__ = ("busy", "stopping", "task")

    def __init__(self) -> None:
        self.busy = False
        self.stopping = False
        self.task: asyncio.Task[None] | None = None


class Generator:
    def __init__(self, scenario: Scenario, conn: Connection, index: int, max_users: int) -> None:
        self.s = scenario
        self.conn = conn
        self.max_users = max_users
        seed = None if scenario.seed is None else scenario.seed * 1000 + index
        self.rng = random.Random(seed)  # noqa: S311 (load shaping, not security)
        self.records: list[Record] = []
        self.lags: list[tuple[float, float]] = []
        self.users: list[User] = []
        self.commands: asyncio.Queue[tuple[Any, ...]] = asyncio.Queue()
        self.ramp: asyncio.Task[None] | None = None
        names = [name for name, weight in scenario.weights if weight > 0]
        self.actions = names
        self.weights = [weight for _, weight in scenario.weights if weight > 0]
        self.session: aiohttp.ClientSession

    # --- control ---------------------------------------------------------------------

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        connector = aiohttp.TCPConnector(limit=self.max_users, limit_per_host=0)
        self.session = aiohttp.ClientSession(
            base_url=self.s.base_url,
            connector=connector,
            headers={"Authorization": f"Bearer {self.s.api_key}"},
            timeout=aiohttp.ClientTimeout(total=None),
            json_serialize=lambda obj: orjson.dumps(obj).decode(),
        )
        loop.add_reader(self.conn.fileno(), self._on_command)
        background = [asyncio.create_task(self._flush()), asyncio.create_task(self._probe_lag())]
        self.conn.send(("ready",))
        try:
            while True:
                command = await self.commands.get()
                if command[0] == "users":
                    if self.ramp is not None:
                        self.ramp.cancel()
                    self.ramp = asyncio.create_task(self._set_users(command[1], command[2]))
                elif command[0] == "stop":
                    await self._stop(command[1])
                    break
        finally:
            loop.remove_reader(self.conn.fileno())
            for task in background:
                task.cancel()
            await self.session.close()
        self._send()
        self.conn.send(("done",))

    def _on_command(self) -> None:
        try:
            while self.conn.poll():
                self.commands.put_nowait(self.conn.recv())
        except EOFError:  # the coordinator is gone: stop at once
            self.commands.put_nowait(("stop", 0.0))

    async def _set_users(self, target: int, ramp: float) -> None:
        """Move to `target` users, spreading the starts (or stops) evenly over `ramp` s."""
        active = [u for u in self.users if not u.stopping]
        change = target - len(active)
        interval = ramp / abs(change) if change else 0.0
        for n in range(abs(change)):
            if change > 0:
                user = User()
                user.task = asyncio.create_task(self._user(user))
                self.users.append(user)
            else:
                self._retire(active[-1 - n])
            if interval and n < abs(change) - 1:
                await asyncio.sleep(interval)

    def _retire(self, user: User) -> None:
        user.stopping = True
        if not user.busy and user.task is not None:
            user.task.cancel()  # thinking: nothing in flight to lose

    async def _stop(self, drain: float) -> None:
        if self.ramp is not None:
            self.ramp.cancel()
        for user in self.users:
            self._retire(user)
        tasks = [u.task for u in self.users if u.task is not None and not u.task.done()]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=drain)
            for task in pending:  # past the drain: recorded as "cancelled" by the action
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)

    async def _flush(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_SECONDS)
            self._send()

    def _send(self) -> None:
        if self.records or self.lags:
            self.conn.send(("records", self.records, self.lags))
            self.records, self.lags = [], []

    async def _probe_lag(self) -> None:
        """How late the loop wakes up: a busy generator would inflate every latency."""
        while True:
            before = time.monotonic()
            await asyncio.sleep(LAG_PROBE_SECONDS)
            now = time.monotonic()
            self.lags.append((now, now - before - LAG_PROBE_SECONDS))

    # --- the virtual user --------------------------------------------------------------

    async def _user(self, user: User) -> None:
        s = self.s
        while not user.stopping:
            action = self.rng.choices(self.actions, self.weights)[0]
            user.busy = True
            started = time.monotonic()
            try:
                await self._act(action)
            except Exception as exc:  # a bug here must show as a failure, not end the user
                self._record(action, started, 0, f"client {type(exc).__name__}")
            finally:
                user.busy = False
            if user.stopping:
                break
            await asyncio.sleep(self.rng.uniform(s.think_min, s.think_max))

    async def _act(self, action: str) -> None:
        if action == "health":
            await self._request("health", "GET", "/health")
        elif action == "characters":
            await self._request("characters", "GET", "/characters")
        elif action == "character":
            character = self.rng.choice(self.s.character_ids)
            await self._request("character", "GET", f"/characters/{character}")
        elif action == "simulation":
            body = {"character_names": self._cast(), "turns": self._turns()}
            await self._request(
                "simulation", "POST", "/simulations", body, limit=self.s.story_timeout
            )
        else:
            await self._story()

    def _cast(self) -> list[str]:
        k = self.rng.randint(self.s.characters_min, self.s.characters_max)
        return self.rng.sample(self.s.character_ids, k)

    def _turns(self) -> int:
        return self.rng.randint(self.s.turns_min, self.s.turns_max)

    def _record(self, endpoint: str, start: float, status: int, error: str) -> None:
        self.records.append(Record(endpoint, start, time.monotonic() - start, status, error))

    async def _request(
        self,
        endpoint: str,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        expect: int = 200,
        limit: float | None = None,
    ) -> tuple[bytes | None, int, str]:
        """One request, recorded; returns (body on success, status, error kind)."""
        start = time.monotonic()
        status, error, payload = 0, "", None
        try:
            async with asyncio.timeout(limit or self.s.timeout):
                async with self.session.request(method, path, json=body) as response:
                    status = response.status
                    payload = await response.read()
            if status != expect:
                error = f"http {status}"
        except asyncio.CancelledError:
            self._record(endpoint, start, status, "cancelled")
            raise
        except Exception as exc:
            error = error_kind(exc)
        self._record(endpoint, start, status, error)
        return (None if error else payload), status, error

    async def _story(self) -> None:
        """POST /v1/simulations, then its event stream until the story (one action)."""
        start = time.monotonic()
        request = {"character_ids": self._cast(), "turns": self._turns()}
        payload, status, error = await self._request(
            STORY_POST, "POST", "/v1/simulations", request, expect=202
        )
        if payload is not None:
            remaining = self.s.story_timeout - (time.monotonic() - start)
            try:
                async with asyncio.timeout(max(remaining, 0.001)):
                    status = await self._follow(str(orjson.loads(payload)["id"]))
            except asyncio.CancelledError:
                self._record("story", start, status, "cancelled")
                raise
            except Exception as exc:
                status = getattr(exc, "status", status)
                error = error_kind(exc)
        self._record("story", start, status, error)

    async def _follow(self, simulation_id: str) -> int:
        """Read the SSE stream to its end; raises StoryOutcome unless a story came."""
        headers = {"Accept": "text/event-stream"}
        async with self.session.get(
            f"/v1/simulations/{simulation_id}/events", headers=headers
        ) as response:
            if response.status != 200:
                await response.read()
                raise StoryOutcome(f"http {response.status}", response.status)
            event, data, outcome = "", b"", "stream ended"
            async for raw in response.content:
                line = raw.rstrip(b"\r\n")
                if line.startswith(b"event:"):
                    event = line[6:].strip().decode()
                elif line.startswith(b"data:"):
                    data = line[5:].strip()
                elif not line:
                    if event == "story":
                        outcome = ""
                    elif event == "status":
                        state = orjson.loads(data).get("status")
                        if state != "completed":
                            outcome = f"simulation {state}"
                    event, data = "", b""
            if outcome:
                raise StoryOutcome(outcome, response.status)
            return response.status


def error_kind(exc: BaseException) -> str:
    if isinstance(exc, StoryOutcome):
        return str(exc)
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, aiohttp.ClientConnectionError | OSError):
        return "connection"
    return "protocol"  # malformed response, payload error, bad JSON


def main(conn: Connection, scenario: Scenario, index: int, max_users: int) -> None:
    """The process entry point (multiprocessing, spawn)."""
    # Ctrl-C reaches the whole process group: the coordinator stops us with a drain.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    uvloop.run(Generator(scenario, conn, index, max_users).run())
