"""Shutdown: gRPC and every hook share one NE_SHUTDOWN_GRACE_SECONDS budget, so a
service's worst-case stop does not grow with its number of hooks."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from novel_platform.config import BaseServiceSettings
from novel_platform.runtime import ServiceRuntime


async def test_a_hook_reached_after_the_budget_is_spent_gets_only_a_moment() -> None:
    runtime = ServiceRuntime("budget", BaseServiceSettings(shutdown_grace_seconds=1.0))
    finished: list[str] = []

    def hook(name: str, seconds: float) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            await asyncio.sleep(seconds)
            finished.append(name)

        return run

    # Hooks run last-registered first: "slow" spends most of the budget, then "late"
    # would need more than the moment that is left (alone it would fit in 1 s).
    runtime.on_shutdown(hook("late", 0.6))
    runtime.on_shutdown(hook("slow", 0.9))
    await runtime._shutdown()
    assert finished == ["slow"]
