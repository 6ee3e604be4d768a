"""Gathers concurrent work for the same key into batches, one batch per key at a time.

Each caller submits one item and awaits its own result. Items for a key that arrive
while a batch for that key is being gathered or applied join the next batch; different
keys never wait for each other. A batch runs in the task of one of its callers (the
first whose item is still waiting), not in a task of its own, so it lives and dies with
the work that asked for it: nothing runs on after its callers are gone.

If a batch fails, its items are applied one at a time, so an item that can never
succeed fails alone. A caller cancelled before its item's batch starts drops the item;
one cancelled while the batch runs just stops waiting (the batch goes on). If the
caller running a batch is cancelled, the batch is abandoned and its other items go
back to the queue for the next caller; `apply` must therefore be safe to repeat for
items it may have completed (the story writer's inbox makes it so).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(eq=False)
class _Item(Generic[T, R]):
    value: T
    result: asyncio.Future[R]


@dataclass(eq=False)
class _Lane(Generic[T, R]):
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    queue: list[_Item[T, R]] = field(default_factory=list)
    callers: int = 0


class Coalescer(Generic[T, R]):
    """`submit` many items concurrently; `apply` gets up to `max_batch` of one key at once.

    `apply(items)` returns one result per item, in order, or raises for the whole batch.
    """

    def __init__(
        self,
        key: Callable[[T], str],
        apply: Callable[[Sequence[T]], Awaitable[Sequence[R]]],
        *,
        max_batch: int = 64,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._key = key
        self._apply = apply
        self._max_batch = max_batch
        self._lanes: dict[str, _Lane[T, R]] = {}

    @property
    def busy_keys(self) -> int:
        """Keys with work queued or running (0 when idle: nothing is kept)."""
        return len(self._lanes)

    async def submit(self, value: T, *, last: bool = False) -> R:
        """Apply `value` within a batch of its key; returns its result or raises its error.

        `last`: the caller knows no other item is about to be submitted (none was handed
        out with this one), so a batch it runs starts at once rather than after one pass
        of the event loop for such items to join. Items already queued still join it."""
        key = self._key(value)
        lane = self._lanes.get(key)
        if lane is None:
            lane = self._lanes[key] = _Lane()
        item: _Item[T, R] = _Item(value, asyncio.get_running_loop().create_future())
        lane.queue.append(item)
        lane.callers += 1
        try:
            # Callers queue on the lock in arrival order; whoever gets it with its item
            # still waiting runs the next batch, the others find their result set.
            async with lane.lock:
                if not item.result.done():
                    if not last:
                        # Let callers already scheduled (the rest of a fetched batch of
                        # messages) queue their items first, so they join this batch.
                        await asyncio.sleep(0)
                    await self._run(lane, item)
            return item.result.result()
        finally:
            # Whatever happened, this caller no longer waits: a batch must skip its item.
            if not item.result.done():
                item.result.cancel()
            elif not item.result.cancelled():
                item.result.exception()  # seen, even if its caller was cancelled
            if item in lane.queue:
                lane.queue.remove(item)
            lane.callers -= 1
            if lane.callers == 0:
                del self._lanes[key]

    async def _run(self, lane: _Lane[T, R], own: _Item[T, R]) -> None:
        waiting = [i for i in lane.queue if i is not own and not i.result.done()]
        batch = [own, *waiting[: self._max_batch - 1]]
        for item in batch:
            lane.queue.remove(item)
        try:
            if len(batch) == 1:
                await self._apply_one(own)
                return
            try:
                results = await self._apply([i.value for i in batch])
            except Exception:
                # One bad item fails the batch; alone, each fails only itself.
                for item in batch:
                    if not item.result.done():
                        await self._apply_one(item)
                return
            if len(results) != len(batch):
                raise RuntimeError(f"apply returned {len(results)} results for {len(batch)}")
            for item, result in zip(batch, results, strict=True):
                if not item.result.done():
                    item.result.set_result(result)
        except BaseException:
            # Cancelled (or broken) before every item got its result: the items still
            # waiting go back, in order, for the next caller to run.
            unfinished = [i for i in batch if i is not own and not i.result.done()]
            lane.queue[:0] = unfinished
            raise

    async def _apply_one(self, item: _Item[T, R]) -> None:
        try:
            (result,) = await self._apply([item.value])
        except Exception as exc:
            if not item.result.done():
                item.result.set_exception(exc)
        else:
            if not item.result.done():
                item.result.set_result(result)
