"""Keeps the inbox from growing without bound.

The inbox remembers every applied event id so a redelivery is recognised. JetStream
cannot redeliver a message its stream no longer holds, so an id older than the
stream's retention can never come back and is forgotten.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog

from novel_platform.outbox import UnitOfWork
from services.story.adapters.repository import StoryRepository

log = structlog.get_logger(__name__)


class InboxPruner:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        retention_seconds: float,
        interval_seconds: float,
        batch: int = 5000,
    ) -> None:
        self._uow = uow
        self._retention = retention_seconds
        self._interval = interval_seconds
        self._batch = batch

    async def prune_once(self) -> int:
        """Delete every expired id, a batch per transaction; returns how many."""
        total = 0
        while True:
            async with self._uow() as uow:
                deleted = await StoryRepository(uow.conn).prune_inbox(self._retention, self._batch)
                await uow.commit()
            total += deleted
            if deleted < self._batch:
                return total

    async def run(self) -> None:
        while True:
            try:
                if pruned := await self.prune_once():
                    log.info("inbox_pruned", events=pruned)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database may be briefly away; try next time
                log.warning("inbox_prune_failed", exc_info=True)
            await asyncio.sleep(self._interval)
