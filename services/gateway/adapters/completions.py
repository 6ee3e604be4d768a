"""Waiting for simulations to end, fed by NATS rather than by polling.

One core subscription per process receives every "story completed", "simulation
failed" and "simulation cancelled" event and wakes the requests waiting on that
simulation. A request can only register once the start has answered, and a short run
can end before that answer is read (both arrive on the same event loop), so outcomes
nobody waits for yet are kept for a while (the latest `EARLY_OUTCOMES`).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, defaultdict
from dataclasses import dataclass

from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from novel_engine.v1 import simulation_pb2
from novel_platform import subjects
from novel_platform.events import parse_envelope, unpack
from novel_platform.messaging import EventBus

_WATCHED = ("story.*.completed", "simulation.*.failed", "simulation.*.cancelled")
# About two minutes of completions at 100 a second; a few MiB at most.
EARLY_OUTCOMES = 10_000


@dataclass(frozen=True)
class Outcome:
    kind: str  # an event type: story.completed, simulation.failed, simulation.cancelled
    reason: str = ""


class CompletionWaiter:
    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self._waiting: dict[str, list[asyncio.Future[Outcome]]] = defaultdict(list)
        self._early: OrderedDict[str, Outcome] = OrderedDict()
        self._subscriptions: list[Subscription] = []

    async def start(self) -> None:
        for subject in _WATCHED:
            self._subscriptions.append(await self._bus.subscribe(subject, self._on_message))

    async def stop(self) -> None:
        for sub in self._subscriptions:
            await sub.unsubscribe()
        self._subscriptions.clear()

    async def _on_message(self, msg: Msg) -> None:
        sim_id = msg.subject.split(".")[1]
        envelope = parse_envelope(msg.data)
        reason = ""
        if envelope.type == subjects.SIMULATION_FAILED:
            reason = unpack(envelope, simulation_pb2.SimulationFailed()).reason  # type: ignore[attr-defined]
        outcome = Outcome(envelope.type, reason)
        waiters = self._waiting.pop(sim_id, None)
        if not waiters:
            self._early[sim_id] = outcome
            if len(self._early) > EARLY_OUTCOMES:
                self._early.popitem(last=False)
            return
        for future in waiters:
            if not future.done():
                future.set_result(outcome)

    async def wait(self, sim_id: str, within: float) -> Outcome | None:
        """The simulation's outcome, or None after `within` seconds."""
        early = self._early.pop(sim_id, None)
        if early is not None:
            return early
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
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
