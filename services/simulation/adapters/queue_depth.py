"""How deep the simulation work queue is, refreshed in the background.

StartSimulation refuses new work past a bound (RESOURCE_EXHAUSTED → HTTP 429 with
Retry-After) instead of letting the queue, and every client's wait, grow without end.
"""

from __future__ import annotations

import asyncio
import contextlib

from novel_platform.messaging import EventBus


class QueueDepth:
    def __init__(self, bus: EventBus, stream: str, durable: str, every: float = 1.0) -> None:
        self._bus = bus
        self._stream = stream
        self._durable = durable
        self._every = every
        self.pending = 0

    async def run(self) -> None:
        while True:
            with contextlib.suppress(Exception):  # a missing consumer counts as empty
                info = await self._bus.js.consumer_info(self._stream, self._durable)
                self.pending = int(info.num_pending or 0)
            await asyncio.sleep(self._every)
