"""A JetStream durable pull consumer that runs handlers with bounded concurrency.

Each message is acknowledged only after its handler returns. While a handler runs the
message is kept alive with in-progress acks, so long work is not redelivered to
another replica; if the process dies, the message is redelivered after `ack_wait`.
A handler that raises gets the message redelivered after a delay; one that raises
`Poison` ends it (it can never succeed).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError

from novel_platform.messaging import ConsumerSpec, EventBus

log = structlog.get_logger(__name__)

Handler = Callable[[Msg], Awaitable[None]]


class Poison(Exception):
    """Raised by a handler for a message that no retry can fix."""


class PullConsumer:
    def __init__(
        self,
        bus: EventBus,
        spec: ConsumerSpec,
        handler: Handler,
        *,
        concurrency: int = 1,
        retry_delay_seconds: float = 1.0,
    ) -> None:
        self._bus = bus
        self._spec = spec
        self._handler = handler
        self._slots = asyncio.Semaphore(concurrency)
        self._concurrency = concurrency
        self._retry_delay = retry_delay_seconds
        self._running: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()

    @property
    def busy(self) -> int:
        return len(self._running)

    async def run(self) -> None:
        await self._bus.ensure_consumer(self._spec)
        sub = await self._bus.js.pull_subscribe_bind(
            durable=self._spec.durable, stream=self._spec.stream
        )
        while not self._stopping.is_set():
            await self._slots.acquire()
            self._slots.release()
            free = self._concurrency - len(self._running)
            try:
                batch = await sub.fetch(max(free, 1), timeout=1.0)
            except (TimeoutError, NatsTimeoutError):
                continue
            except Exception:
                if self._stopping.is_set():
                    break
                log.warning("consumer_fetch_failed", durable=self._spec.durable, exc_info=True)
                await asyncio.sleep(0.5)
                continue
            for msg in batch:
                await self._slots.acquire()
                task = asyncio.create_task(self._process(msg))
                self._running.add(task)
                task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._slots.release()

    async def _process(self, msg: Msg) -> None:
        heartbeat = asyncio.create_task(self._keep_alive(msg))
        try:
            await self._handler(msg)
        except Poison as exc:
            log.error("message_rejected", subject=msg.subject, reason=str(exc))
            await msg.term()
        except asyncio.CancelledError:
            # Stopped mid-work: hand the message back now rather than after ack_wait.
            with contextlib.suppress(Exception):
                await msg.nak()
            raise
        except Exception:
            log.exception("message_failed", subject=msg.subject)
            with contextlib.suppress(Exception):
                await msg.nak(delay=self._retry_delay)
        else:
            await msg.ack()
        finally:
            heartbeat.cancel()

    async def _keep_alive(self, msg: Msg) -> None:
        interval = max(self._spec.ack_wait_seconds / 3, 0.5)
        while True:
            await asyncio.sleep(interval)
            with contextlib.suppress(Exception):
                await msg.in_progress()

    async def stop(self, grace: float = 10.0) -> None:
        """Stop fetching; give running handlers `grace` seconds, then cancel them."""
        self._stopping.set()
        if self._running:
            _, pending = await asyncio.wait(set(self._running), timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
