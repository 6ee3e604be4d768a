"""Readiness: a background probe of a process's own dependencies, read from a cache.

Health endpoints answer from the last probe, so a readiness check costs nothing on the
request path and never waits on a slow dependency; the probe runs its checks
concurrently, each bounded by a short timeout.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping

import structlog
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from novel_platform.messaging import EventBus

log = structlog.get_logger(__name__)

Check = Callable[[], Awaitable[bool]]
OnChange = Callable[[bool], Awaitable[None]]


def database_check(engine: AsyncEngine) -> Check:
    """`SELECT 1` through the pool (a dead pooled connection fails once and is dropped;
    the pool then opens a fresh one, so one retry tells a restart from an outage)."""

    async def check() -> bool:
        for _ in range(2):
            try:
                async with engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
                return True
            except Exception:  # noqa: S112 (any failure means not ready; retried once)
                continue
        return False

    return check


def nats_check(bus: EventBus) -> Check:
    async def check() -> bool:
        return await bus.ping()

    return check


class Readiness:
    """Runs `checks` every `interval` seconds; `ready` is True when all the required ones
    passed last time (`advisory` checks are reported, not required).

    Not ready until the first probe has run. `on_change` is awaited when the verdict flips.
    """

    def __init__(
        self,
        checks: Mapping[str, Check],
        interval: float = 1.0,
        timeout: float = 1.0,
        on_change: OnChange | None = None,
        advisory: frozenset[str] = frozenset(),
    ) -> None:
        self._checks = dict(checks)
        self._advisory = advisory
        self._interval = interval
        self._timeout = timeout
        self._on_change = on_change
        self.results: dict[str, bool] = dict.fromkeys(self._checks, False)
        self.ready = False
        self.probed_at = 0.0  # wall-clock time of the last verdict
        self._probed = False

    async def _one(self, check: Check) -> bool:
        try:
            async with asyncio.timeout(self._timeout):
                return await check()
        except Exception:
            return False

    async def probe(self) -> bool:
        """Run every check once, concurrently, and publish the verdict."""
        names = list(self._checks)
        passed = await asyncio.gather(*(self._one(self._checks[n]) for n in names))
        self.results = dict(zip(names, passed, strict=True))
        self.probed_at = time.time()
        ready = all(ok for n, ok in self.results.items() if n not in self._advisory)
        if ready != self.ready or not self._probed:
            if self._probed:
                failing = [n for n, ok in self.results.items() if not ok]
                log.warning("readiness_changed", ready=ready, failing=failing)
            self.ready = ready
            self._probed = True
            if self._on_change is not None:
                await self._on_change(ready)
        return ready

    async def run(self) -> None:
        """Probe until cancelled (never raises: a failed check is a verdict, not a crash)."""
        while True:
            try:
                await self.probe()
            except Exception:
                log.warning("readiness_probe_failed", exc_info=True)
            await asyncio.sleep(self._interval)
