"""How far behind the pipeline is, refreshed in the background.

StartSimulation refuses new work (RESOURCE_EXHAUSTED → HTTP 429 with Retry-After) when
either the work queue or the story writer's backlog is past its bound, instead of
letting queues, and every client's wait, grow without end. Both matter: under overload
the simulations may keep up while the stories fall behind.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass

from novel_platform.messaging import EventBus
from novel_platform.outbox import OutboxRelay


@dataclass(frozen=True)
class Watched:
    stream: str
    durable: str
    limit: int


class QueueDepth:
    def __init__(
        self,
        bus: EventBus,
        watched: list[Watched],
        every: float = 1.0,
        relay: OutboxRelay | None = None,
    ) -> None:
        self._bus = bus
        self._watched = watched
        self._every = every
        self._relay = relay
        self.pending: dict[str, int] = {}

    @property
    def overloaded(self) -> bool:
        # Requests not yet relayed to NATS are queued too, just not in a stream yet.
        if self._relay is not None and self._relay.behind:
            return True
        return any(self.pending.get(w.durable, 0) >= w.limit for w in self._watched)

    async def run(self) -> None:
        while True:
            for w in self._watched:
                with contextlib.suppress(Exception):  # a missing consumer counts as empty
                    info = await self._bus.js.consumer_info(w.stream, w.durable)
                    self.pending[w.durable] = int(info.num_pending or 0)
            await asyncio.sleep(self._every)
