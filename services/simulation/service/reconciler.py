"""Re-drives accepted simulations that have no live work message.

A simulation is accepted once its row and its `simulation.requested` event commit
together, but the message can still be lost afterwards: a consumer gave it up (an
older release's delivery limit), the stream was purged, a dead-lettered request was
never replayed. Such a run stays queued/running for good. Every `interval` the
reconciler takes the queued/running simulations that have not changed for longer
than the work queue's ack wait plus a margin — a live run commits its turns, and a
worker that holds a message keeps it alive well within the ack wait — and publishes
a fresh `simulation.requested` for each through the outbox (new event id, so the
stream's duplicate window does not drop it).

A copy of a message that was in fact still live is harmless: the runner skips a
finished simulation, resumes from the last checkpoint, and refuses a batch another
worker stored (the checkpoints' primary key), so no turn is stored or published twice.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import timedelta

import structlog

from novel_platform import semconv, telemetry
from novel_platform.outbox import UnitOfWork
from services.simulation.adapters.stale_runs import claim_stale
from services.simulation.service import events

log = structlog.get_logger(__name__)
_redriven = telemetry.meter(__name__).create_counter(semconv.SIMULATIONS_REDRIVEN)


class Reconciler:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        *,
        stale_after_seconds: float,
        interval_seconds: float,
        batch: int = 100,
    ) -> None:
        self._uow = uow
        self._stale_after = timedelta(seconds=stale_after_seconds)
        self._interval = interval_seconds
        self._batch = batch
        self._stopping = asyncio.Event()

    async def reconcile_once(self) -> list[str]:
        """Re-queue one batch of stranded simulations; returns their ids."""
        async with self._uow() as uow:
            stranded = await claim_stale(uow.conn, older_than=self._stale_after, limit=self._batch)
            for record in stranded:
                uow.emit(*events.requested(record))
            await uow.commit()
        if stranded:
            _redriven.add(len(stranded))
            log.warning("simulations_redriven", ids=[r.id for r in stranded])
        return [r.id for r in stranded]

    async def run(self) -> None:
        """Scan every interval until stopped; a failed scan (database down) waits for the next."""
        while not self._stopping.is_set():
            try:
                while len(await self.reconcile_once()) == self._batch:
                    pass  # a full batch: more may be waiting
            except Exception as exc:
                log.warning("reconcile_failed", error=type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._interval)

    async def stop(self) -> None:
        self._stopping.set()
