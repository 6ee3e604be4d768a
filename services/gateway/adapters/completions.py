"""Waiting for simulations to end, fed by NATS rather than by polling.

One core subscription per process receives every "story completed", "simulation
failed" and "simulation cancelled" event and wakes the requests waiting on that
simulation. Requests register right after the simulation is accepted, before any
worker can have finished it.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass

from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from novel_engine.v1 import simulation_pb2
from novel_platform import subjects
from novel_platform.events import parse_envelope, unpack
from novel_platform.messaging import EventBus

_WATCHED = ("story.*.completed", "simulation.*.failed", "simulation.*.cancelled")


@dataclass(frozen=True)
class Outcome:
    kind: str  # an event type: story.completed, simulation.failed, simulation.cancelled
    reason: str = ""


class CompletionWaiter:
    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self._waiting: dict[str, list[asyncio.Future[Outcome]]] = defaultdict(list)
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
        waiters = self._waiting.pop(sim_id, None)
        if not waiters:
            return
        envelope = parse_envelope(msg.data)
        reason = ""
        if envelope.type == subjects.SIMULATION_FAILED:
            reason = unpack(envelope, simulation_pb2.SimulationFailed()).reason  # type: ignore[attr-defined]
        for future in waiters:
            if not future.done():
                future.set_result(Outcome(envelope.type, reason))

    async def wait(self, sim_id: str, within: float) -> Outcome | None:
        """The simulation's outcome, or None after `within` seconds."""
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
