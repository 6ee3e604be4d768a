"""Waiting for simulations to end, fed by NATS rather than by polling.

One core subscription per process receives every "story completed", "simulation
failed" and "simulation cancelled" event and wakes the requests waiting on that
simulation. A completed story arrives whole in its event, so the waiter answers
without a call to the story service.

A request can only register once the start has answered, and a short run can end
before that answer is read (both arrive on the same event loop), so endings nobody
waits for yet are kept, unparsed, for `EARLY_SECONDS` (most belong to runs nobody
here waits for: asynchronous ones, or another gateway's).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict, defaultdict
from dataclasses import dataclass

from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from novel_engine.v1 import story_pb2
from novel_platform import subjects
from novel_platform.events import parse_envelope
from novel_platform.messaging import EventBus

_WATCHED = (subjects.STORY_COMPLETED, subjects.SIMULATION_FAILED, subjects.SIMULATION_CANCELLED)
# A start's reply is read milliseconds after its run can end; the bounds keep a burst of
# other runs' stories from holding memory.
EARLY_SECONDS = 10.0
EARLY_MAX = 2_000


@dataclass(frozen=True)
class Ending:
    """How a simulation ended: with its story, or without one and why."""

    story: story_pb2.Story | None = None
    reason: str = ""  # why there is no story


class CompletionWaiter:
    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self._waiting: dict[str, list[asyncio.Future[Ending]]] = defaultdict(list)
        self._early: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._subscriptions: list[Subscription] = []

    async def start(self) -> None:
        for kind in _WATCHED:
            self._subscriptions.append(await self._bus.subscribe(kind.pattern, self._on_message))

    async def stop(self) -> None:
        for sub in self._subscriptions:
            await sub.unsubscribe()
        self._subscriptions.clear()

    async def _on_message(self, msg: Msg) -> None:
        sim_id = msg.subject.split(".")[1]
        waiters = self._waiting.pop(sim_id, None)
        if not waiters:
            now = time.monotonic()
            self._early[sim_id] = (now, msg.data)
            while self._early and (
                len(self._early) > EARLY_MAX
                or next(iter(self._early.values()))[0] < now - EARLY_SECONDS
            ):
                self._early.popitem(last=False)
            return
        ending = _ending(msg.data)
        for future in waiters:
            if not future.done():
                future.set_result(ending)

    async def wait(self, sim_id: str, within: float) -> Ending | None:
        """The simulation's outcome, or None after `within` seconds."""
        early = self._early.pop(sim_id, None)
        if early is not None:
            return _ending(early[1])
        future: asyncio.Future[Ending] = asyncio.get_running_loop().create_future()
        self._waiting[sim_id].append(future)
        try:
            return await asyncio.wait_for(future, within)
        except TimeoutError:
            return None
        finally:
            remaining = [f for f in self._waiting.get(sim_id, []) if f is not future]
            if remaining:
                self._waiting[sim_id] = remaining
            else:
                self._waiting.pop(sim_id, None)


def _ending(data: bytes) -> Ending:
    envelope = parse_envelope(data)
    if envelope.type == subjects.STORY_COMPLETED.type:
        return Ending(story=subjects.STORY_COMPLETED.unpack(envelope).story)
    if envelope.type == subjects.SIMULATION_FAILED.type:
        return Ending(reason=subjects.SIMULATION_FAILED.unpack(envelope).reason)
    return Ending(reason="the simulation was cancelled")
