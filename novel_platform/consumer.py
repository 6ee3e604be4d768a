"""A JetStream durable pull consumer that runs handlers with bounded concurrency.

Each message is acknowledged only after its handler returns. While a handler runs the
message is kept alive with in-progress acks, so long work is not redelivered to
another replica; if the process dies, the message is redelivered after `ack_wait`.

Failures are told apart (novel_platform.faults):
- transient (database or NATS unreachable, a deadline): the message is redelivered
  after an exponential backoff with jitter, for as long as it is younger than
  `RetryPolicy.max_age_seconds`. The consumers have no delivery limit, so an outage of
  any length uses up nothing: the retry limit is on age, not on count;
- on its content (the handler raised `Poison`, or failed otherwise
  `RetryPolicy.max_failures` times): the message goes to the dead-letter stream
  (novel_platform.deadletter) and is ended, so it never blocks the messages behind it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from nats.aio.msg import Msg
from opentelemetry.metrics import CallbackOptions, Observation
from opentelemetry.trace import SpanKind, StatusCode

from novel_platform import semconv, telemetry
from novel_platform.config import BaseServiceSettings
from novel_platform.deadletter import DEAD_LETTER_STREAM, dead_letter
from novel_platform.events import event_type_of
from novel_platform.faults import backoff_seconds, is_transient
from novel_platform.messaging import MSG_ID_HEADER, STATUS_HEADER, ConsumerSpec, EventBus

log = structlog.get_logger(__name__)
_tracer = telemetry.tracer(__name__)

Handler = Callable[[Msg], Awaitable[None]]


class Poison(Exception):
    """Raised by a handler for a message that no retry can fix."""


@dataclass(frozen=True)
class RetryPolicy:
    """How long failing messages are retried.

    Transient failures back off from `base_seconds`, doubling up to `cap_seconds`, and are
    retried until the message is `max_age_seconds` old (the streams keep messages for 7
    days; a day covers any outage someone is paged for). Other failures are retried
    `max_failures` times, counted per process (a restart only buys a few more tries).
    """

    base_seconds: float = 1.0
    cap_seconds: float = 30.0
    max_age_seconds: float = 24 * 3600
    max_failures: int = 5

    @classmethod
    def from_settings(cls, settings: BaseServiceSettings) -> RetryPolicy:
        return cls(
            cap_seconds=settings.retry_backoff_cap_seconds,
            max_age_seconds=settings.retry_max_age_seconds,
        )


# Failure counts kept per process: enough for every message in flight, and bounded.
_FAILURES_KEPT = 10_000
# How long a pull request stays open on the server, and how much longer one is waited for
# before it is taken for lost (with a connection); the status of one that expired.
_PULL_SECONDS = 1.0
_PULL_GRACE_SECONDS = 1.0
_EXPIRED = "408"


class PullConsumer:
    def __init__(
        self,
        bus: EventBus,
        spec: ConsumerSpec,
        handler: Handler,
        *,
        concurrency: int = 1,
        retry: RetryPolicy | None = None,
    ) -> None:
        self._bus = bus
        self._spec = spec
        self._handler = handler
        self._slots = asyncio.Semaphore(concurrency)
        self._concurrency = concurrency
        self._retry = retry or RetryPolicy()
        self._failures: OrderedDict[int, int] = OrderedDict()
        self._running: set[asyncio.Task[None]] = set()
        self._stopping = asyncio.Event()
        # Set while no fetch is under way: stop() waits for the last one to hand out
        # what it brought, so no message is left unprocessed and unacknowledged.
        self._fetch_idle = asyncio.Event()
        self._fetch_idle.set()
        # The open pull request: its reply subject, the messages it may still bring, and
        # why the server refused it ("" unless it did).
        self._request = ""
        self._asked = 0
        self._refused = ""
        self._request_ended = asyncio.Event()
        meter = telemetry.meter(__name__)
        self._processed = meter.create_counter(semconv.MESSAGES_PROCESSED)
        self._redelivered = meter.create_counter(semconv.MESSAGES_REDELIVERED)
        self._dead_lettered = meter.create_counter(semconv.MESSAGES_DEAD_LETTERED)
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
        await self._bus.ensure_stream(DEAD_LETTER_STREAM)
        await self._bus.ensure_consumer(self._spec)
        replies = self._bus.new_inbox()
        sub = await self._bus.subscribe(f"{replies}.*", self._delivered)
        watcher = asyncio.create_task(self._watch_pending())
        self._fetch_idle.clear()
        try:
            await self._pull_loop(replies)
        finally:
            self._fetch_idle.set()
            watcher.cancel()
            # A subscription left open makes the connection's drain wait it out.
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def _pull_loop(self, replies: str) -> None:
        """One pull request open at a time, for as many messages as there are free slots.

        The server delivers each message as soon as it is stored, so a request for many
        costs no latency, and one request serves many messages: one per free slot would
        cost a request and its JSON both ways, and a wake-up on each side, per message.
        Free slots are asked for again when the open request has brought all it asked
        for or has ended (it expires after `_PULL_SECONDS`, which also bounds how long
        `stop` waits for what it may still bring).
        """
        number = 0
        while not self._stopping.is_set():
            free = self._concurrency - len(self._running)
            if free <= 0:
                await self._slots.acquire()
                self._slots.release()
                continue
            number += 1
            self._request = f"{replies}.{number}"
            self._asked = free
            self._refused = ""
            self._request_ended.clear()
            try:
                await self._bus.request_next(
                    self._spec, batch=free, expires_seconds=_PULL_SECONDS, reply=self._request
                )
            except Exception:
                if self._stopping.is_set():
                    break
                log.warning("consumer_fetch_failed", durable=self._spec.durable, exc_info=True)
                await asyncio.sleep(0.5)
                continue
            # A request lost with the connection never ends: past its time, it has.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(_PULL_SECONDS + _PULL_GRACE_SECONDS):
                    await self._request_ended.wait()
            if self._refused and not self._stopping.is_set():
                log.warning(
                    "consumer_fetch_failed", durable=self._spec.durable, status=self._refused
                )
                await asyncio.sleep(0.5)

    async def _delivered(self, msg: Msg) -> None:
        """A message for the open request, or the server's word that a request ended."""
        status = msg.headers.get(STATUS_HEADER) if msg.headers else None
        if status:
            # Status messages come on the request's own reply subject: one for an
            # earlier request (given up for lost) does not end the open one.
            if msg.subject == self._request:
                if status != _EXPIRED:
                    self._refused = f"{status} {(msg.headers or {}).get('Description', '')}"
                self._request_ended.set()
            return
        self._asked -= 1
        if self._asked <= 0:
            self._request_ended.set()
        # Never waits while requests ask only for free slots; if a request given up for
        # lost still delivers, its messages wait here for a slot rather than pile up.
        await self._slots.acquire()
        task = asyncio.create_task(self._process(msg))
        self._running.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        self._slots.release()

    async def _process(self, msg: Msg) -> None:
        heartbeat = _Heartbeat(msg, max(self._spec.ack_wait_seconds / 3, 0.5))
        deliveries = msg.metadata.num_delivered if msg.metadata else 1
        if deliveries > 1:
            self._redelivered.add(1, {"consumer": self._spec.durable})
        # Work taken from a queue continues the producer's trace: a CONSUMER child span.
        with telemetry.span(
            _tracer,
            semconv.process_span(event_type_of(msg.subject)),
            parent=msg.headers or {},
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
            except asyncio.CancelledError:
                # Stopped mid-work: hand the message back now rather than after ack_wait.
                with contextlib.suppress(Exception):
                    await msg.nak()
                raise
            except Exception as exc:
                span.record_exception(exc)
                span.set_status(StatusCode.ERROR)
                outcome = await self._failed(msg, exc, deliveries)
            else:
                self._failures.pop(_sequence(msg), None)
                outcome = await self._settle(msg, "ack")
            finally:
                heartbeat.stop()
                self._processed.add(1, {"consumer": self._spec.durable, "outcome": outcome})

    async def _failed(self, msg: Msg, exc: Exception, deliveries: int) -> str:
        """Retry later, or dead-letter; returns the outcome for the metric."""
        age = _age_seconds(msg)
        if isinstance(exc, Poison):
            reason = f"rejected: {exc}"
        elif is_transient(exc):
            if age < self._retry.max_age_seconds:
                delay = backoff_seconds(
                    deliveries, base=self._retry.base_seconds, cap=self._retry.cap_seconds
                )
                log.warning(
                    "message_retry_transient",
                    subject=msg.subject,
                    error=type(exc).__name__,
                    deliveries=deliveries,
                    delay=round(delay, 2),
                )
                return await self._settle(msg, "retry", delay)
            reason = f"transient failures for {age:.0f}s: {type(exc).__name__}: {exc}"
        else:
            failures = self._count_failure(msg)
            log.error("message_failed", subject=msg.subject, failures=failures, exc_info=exc)
            if failures < self._retry.max_failures and age < self._retry.max_age_seconds:
                delay = backoff_seconds(
                    failures, base=self._retry.base_seconds, cap=self._retry.cap_seconds
                )
                return await self._settle(msg, "retry", delay)
            reason = f"failed {failures} times: {type(exc).__name__}: {exc}"
        return await self._dead_letter(msg, reason, deliveries)

    async def _dead_letter(self, msg: Msg, reason: str, deliveries: int) -> str:
        metadata = msg.metadata
        try:
            await dead_letter(
                self._bus,
                subject=msg.subject,
                data=msg.data,
                headers=msg.headers,
                stream=metadata.stream if metadata else self._spec.stream,
                stream_sequence=_sequence(msg),
                consumer=self._spec.durable,
                reason=reason,
                deliveries=deliveries,
            )
        except Exception:
            # Not stored: keep the message, and try again after a while.
            log.warning("dead_letter_failed", subject=msg.subject, exc_info=True)
            return await self._settle(msg, "retry", self._retry.cap_seconds)
        log.error("message_dead_lettered", subject=msg.subject, reason=reason)
        self._dead_lettered.add(1, {"consumer": self._spec.durable})
        self._failures.pop(_sequence(msg), None)
        return await self._settle(msg, "dead_lettered")

    def _count_failure(self, msg: Msg) -> int:
        sequence = _sequence(msg)
        failures = self._failures.pop(sequence, 0) + 1
        self._failures[sequence] = failures
        while len(self._failures) > _FAILURES_KEPT:
            self._failures.popitem(last=False)
        return failures

    async def _settle(self, msg: Msg, outcome: str, delay: float = 0.0) -> str:
        """Ack, nak (with a delay) or term; a lost connection only means a redelivery."""
        try:
            if outcome == "ack":
                await msg.ack()
            elif outcome == "retry":
                await msg.nak(delay=delay)
            else:
                await msg.term()
        except Exception as exc:
            # The server redelivers after ack_wait; every handler is idempotent.
            log.warning("message_settle_failed", outcome=outcome, error=type(exc).__name__)
        return outcome

    async def stop(self, grace: float = 10.0) -> None:
        """Stop fetching; give running handlers `grace` seconds, then cancel them."""
        self._stopping.set()
        deadline = asyncio.get_running_loop().time() + grace
        # The open pull request (at most `_PULL_SECONDS` more) may still bring messages:
        # they are handled like the rest rather than left delivered and unacknowledged.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._fetch_idle.wait(), grace)
        if self._running:
            remaining = max(deadline - asyncio.get_running_loop().time(), 0.1)
            _, pending = await asyncio.wait(set(self._running), timeout=remaining)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)


class _Heartbeat:
    """Tells the server every `interval` seconds that a message is still being worked
    on, until stopped. A timer rather than a task: most messages are done long before
    the first beat, and a task costs two loop iterations to start and cancel."""

    def __init__(self, msg: Msg, interval: float) -> None:
        self._msg = msg
        self._interval = interval
        self._loop = asyncio.get_running_loop()
        self._sending: asyncio.Task[None] | None = None  # held: the loop keeps no reference
        self._timer = self._loop.call_later(interval, self._beat)

    def _beat(self) -> None:
        if self._sending is None or self._sending.done():
            self._sending = self._loop.create_task(self._send())
        self._timer = self._loop.call_later(self._interval, self._beat)

    async def _send(self) -> None:
        with contextlib.suppress(Exception):
            await self._msg.in_progress()

    def stop(self) -> None:
        self._timer.cancel()
        if self._sending is not None:
            self._sending.cancel()


def delivered_last(msg: Msg) -> bool:
    """Whether the consumer had no message left to deliver when it delivered `msg`: then
    no message fetched with it comes after it (a later one that was not pending yet, in
    the same pull, is the rare exception: it is then handled in a batch of its own)."""
    return bool(msg.metadata) and msg.metadata.num_pending == 0


def _sequence(msg: Msg) -> int:
    return msg.metadata.sequence.stream if msg.metadata else 0


def _age_seconds(msg: Msg) -> float:
    """Time since the message was stored in its stream."""
    if not msg.metadata:
        return 0.0
    stored = msg.metadata.timestamp
    if stored.tzinfo is None:
        stored = stored.replace(tzinfo=UTC)
    return max((datetime.now(UTC) - stored).total_seconds(), 0.0)
