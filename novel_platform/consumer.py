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
from nats.js import JetStreamContext
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.trace import SpanKind, StatusCode

from novel_platform import semconv, telemetry
from novel_platform.events import event_type_of
from novel_platform.messaging import MSG_ID_HEADER, ConsumerSpec, EventBus

log = structlog.get_logger(__name__)
_tracer = telemetry.tracer(__name__)

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
        meter = telemetry.meter(__name__)
        self._processed = meter.create_counter(semconv.MESSAGES_PROCESSED)
        self._redelivered = meter.create_counter(semconv.MESSAGES_REDELIVERED)
        self._pending = 0
        meter.create_observable_gauge(semconv.WORK_QUEUE_PENDING, [self._observe_pending])

    def _observe_pending(self, _: CallbackOptions) -> list[Observation]:
        return [Observation(self._pending, {"consumer": self._spec.durable})]

    async def _watch_pending(self) -> None:
        """Refresh the pending count now and then (gauge callbacks cannot await)."""
        while not self._stopping.is_set():
            with contextlib.suppress(Exception):
                info = await self._bus.js.consumer_info(self._spec.stream, self._spec.durable)
                self._pending = int(info.num_pending or 0) + int(info.num_ack_pending or 0)
            await asyncio.sleep(5)

    async def run(self) -> None:
        await self._bus.ensure_consumer(self._spec)
        sub = await self._bus.js.pull_subscribe_bind(
            durable=self._spec.durable, stream=self._spec.stream
        )
        watcher = asyncio.create_task(self._watch_pending())
        try:
            await self._fetch_loop(sub)
        finally:
            watcher.cancel()
            # A pull subscription left open makes the connection's drain wait it out.
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def _fetch_loop(self, sub: JetStreamContext.PullSubscription) -> None:
        while not self._stopping.is_set():
            await self._slots.acquire()
            self._slots.release()
            free = self._concurrency - len(self._running)
            try:
                # One message, as soon as there is one (a larger pull is held by the
                # server until it fills or expires) ...
                batch = await sub.fetch(1, timeout=1.0)
                if free > 1:
                    # ... then whatever else is already waiting, without lingering.
                    with contextlib.suppress(TimeoutError, NatsTimeoutError):
                        batch += await sub.fetch(free - 1, timeout=0.005)
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
        deliveries = msg.metadata.num_delivered if msg.metadata else 1
        if deliveries > 1:
            self._redelivered.add(1, {"consumer": self._spec.durable})
        # Work taken from a queue continues the producer's trace: a CONSUMER child span.
        with _tracer.start_as_current_span(
            semconv.process_span(event_type_of(msg.subject)),
            context=telemetry.extract(msg.headers),
            kind=SpanKind.CONSUMER,
            attributes={
                semconv.MESSAGING_SYSTEM: "nats",
                semconv.MESSAGING_DESTINATION: msg.subject,
                semconv.MESSAGING_MESSAGE_ID: (msg.headers or {}).get(MSG_ID_HEADER, ""),
                semconv.MESSAGING_OPERATION: "process",
                semconv.MESSAGING_CONSUMER_GROUP: self._spec.durable,
                semconv.MESSAGING_DELIVERY_COUNT: deliveries,
            },
        ) as span:
            outcome = "ack"
            try:
                await self._handler(msg)
            except Poison as exc:
                outcome = "rejected"
                log.error("message_rejected", subject=msg.subject, reason=str(exc))
                await msg.term()
            except asyncio.CancelledError:
                # Stopped mid-work: hand the message back now rather than after ack_wait.
                with contextlib.suppress(Exception):
                    await msg.nak()
                raise
            except Exception as exc:
                outcome = "retry"
                span.record_exception(exc)
                span.set_status(StatusCode.ERROR)
                log.exception("message_failed", subject=msg.subject)
                with contextlib.suppress(Exception):
                    await msg.nak(delay=self._retry_delay)
            else:
                await msg.ack()
            finally:
                heartbeat.cancel()
                self._processed.add(1, {"consumer": self._spec.durable, "outcome": outcome})

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
