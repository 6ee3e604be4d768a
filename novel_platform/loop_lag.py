"""How late the event loop runs what is due: the queueing every request in the process
pays before its own code runs, invisible in handler timings."""

from __future__ import annotations

import asyncio
import gc
import time

from novel_platform import semconv, telemetry


async def watch_loop_lag(interval: float = 0.1) -> None:
    """Record, every `interval`, how much later than asked a sleep woke up."""
    lag = telemetry.meter(__name__).create_histogram(
        semconv.EVENT_LOOP_LAG, unit="s", description="event loop wake-up delay"
    )
    while True:
        asked = time.perf_counter()
        await asyncio.sleep(interval)
        lag.record(max(time.perf_counter() - asked - interval, 0.0))


def watch_gc_pauses() -> None:
    """Record every garbage collection's pause: a full collection of a large heap stops
    the whole process, which shows up as loop lag and slow RPCs."""
    pause = telemetry.meter(__name__).create_histogram(
        semconv.GC_PAUSE, unit="s", description="cyclic garbage collector pause"
    )
    started: list[float] = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pause.record(time.perf_counter() - started[0], {"generation": info["generation"]})

    gc.callbacks.append(on_gc)
