"""NATS JetStream: connection, idempotent stream/consumer declaration, publishing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import nats
import orjson
import structlog
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError, NotFoundError

log = structlog.get_logger(__name__)

MSG_ID_HEADER = "Nats-Msg-Id"
# The header the server's status messages carry (e.g. "408": a pull request expired).
STATUS_HEADER = "Status"
# The JetStream API's default prefix (no domain, no account import).
_JS_API = "$JS.API"


class Outgoing(NamedTuple):
    """One message to publish."""

    subject: str
    payload: bytes
    message_id: str  # the event id: the stream drops a copy by it
    headers: dict[str, str]


@dataclass(frozen=True)
class StreamSpec:
    name: str
    subjects: tuple[str, ...]
    work_queue: bool = False
    max_age_seconds: float = 7 * 24 * 3600
    # -1: no limit. Past the limit the oldest messages go (JetStream's default policy).
    max_bytes: int = -1
    # Republishing an event id within this window is dropped by the server.
    duplicate_window_seconds: float = 600


@dataclass(frozen=True)
class ConsumerSpec:
    stream: str
    durable: str
    filter_subjects: tuple[str, ...] = field(default_factory=tuple)
    ack_wait_seconds: float = 30
    # No delivery limit: a transient outage must not use a message up. PullConsumer
    # ends messages itself (dead-letter) by age and by failures on their content.
    max_deliver: int = -1
    max_ack_pending: int = 1000


class EventBus:
    """One NATS connection per process, shared by publishers and consumers."""

    def __init__(self, replicas: int = 1) -> None:
        # JetStream replicas of the streams and consumers this process declares: 1 on
        # a single server, 3 on a production cluster (NE_NATS_REPLICAS).
        self.replicas = replicas
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._on_reconnect: list[Callable[[], None]] = []

    def on_reconnect(self, callback: Callable[[], None]) -> None:
        """Call `callback` after the connection was lost and is back: core subscriptions
        may have missed messages meanwhile (JetStream consumers replay theirs)."""
        self._on_reconnect.append(callback)

    async def _reconnected(self) -> None:
        log.warning("nats_reconnected")
        for callback in self._on_reconnect:
            callback()

    @property
    def _client(self) -> Client:
        if self._nc is None:
            raise RuntimeError("EventBus.connect() has not been awaited")
        return self._nc

    @property
    def js(self) -> JetStreamContext:
        if self._js is None:
            raise RuntimeError("EventBus.connect() has not been awaited")
        return self._js

    @property
    def connected(self) -> bool:
        return self._nc is not None and self._nc.is_connected

    async def ping(self) -> bool:
        """A round trip to the server (False while disconnected; bound it with a timeout)."""
        if self._nc is None or not self._nc.is_connected:
            return False
        try:
            await self._nc.flush()
        except Exception:
            return False
        return True

    async def connect(self, url: str, name: str, *, first_timeout: float = 30.0) -> None:
        """Connect, then reconnect without limit. The first connection is bounded: with
        unlimited attempts the client would retry it forever, leaving a process started
        while NATS is away neither serving nor failing; past `first_timeout` it raises,
        the process exits and its supervisor (Kubernetes, `make up`) restarts it."""
        self._nc = await asyncio.wait_for(
            nats.connect(
                url,
                name=name,
                max_reconnect_attempts=-1,
                reconnect_time_wait=0.5,
                connect_timeout=5,
                # Bounds shutdown: what has not drained by then is redelivered anyway.
                drain_timeout=5,
                reconnected_cb=self._reconnected,
            ),
            first_timeout,
        )
        self._js = self._nc.jetstream(timeout=5)

    async def ensure_stream(self, spec: StreamSpec) -> None:
        config = StreamConfig(
            name=spec.name,
            subjects=list(spec.subjects),
            retention=RetentionPolicy.WORK_QUEUE if spec.work_queue else RetentionPolicy.LIMITS,
            storage=StorageType.FILE,
            max_age=spec.max_age_seconds,
            max_bytes=spec.max_bytes,
            duplicate_window=spec.duplicate_window_seconds,
            num_replicas=self.replicas,
        )
        try:
            await self.js.add_stream(config)
        except BadRequestError:
            # Exists with another configuration (an older release, or replicas an
            # operator raised by hand): converge on ours, never lowering the replicas.
            current = await self.js.stream_info(spec.name)
            config.num_replicas = max(self.replicas, current.config.num_replicas or 1)
            await self.js.update_stream(config)

    async def ensure_consumer(self, spec: ConsumerSpec) -> None:
        subjects = list(spec.filter_subjects)
        config = ConsumerConfig(
            durable_name=spec.durable,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=spec.ack_wait_seconds,
            max_deliver=spec.max_deliver,
            max_ack_pending=spec.max_ack_pending,
            # Replicas are set when the consumer is made and never converged below,
            # so a consumer an operator moved to R3 stays there.
            num_replicas=self.replicas,
            filter_subject=subjects[0] if len(subjects) == 1 else None,
            filter_subjects=subjects if len(subjects) > 1 else None,
        )
        try:
            info = await self.js.consumer_info(spec.stream, spec.durable)
        except NotFoundError:
            await self.js.add_consumer(spec.stream, config)
            return
        if (
            info.config.filter_subject != config.filter_subject
            or (info.config.filter_subjects or None) != config.filter_subjects
            or (info.config.max_deliver or -1) != config.max_deliver
        ):
            # Converge an existing consumer (e.g. an older release's delivery limit).
            config.num_replicas = max(self.replicas, info.config.num_replicas or 0)
            await self.js.add_consumer(spec.stream, config)

    async def subscribe(
        self, subject: str, handler: Callable[[Msg], Awaitable[None]], *, confirm: bool = True
    ) -> Subscription:
        """A core (non-durable) subscription: live messages only, no replay, cheap.

        With `confirm`, returns once the server has the interest (a flush), so a message
        published afterwards, from any connection, is delivered. Without it (no round
        trip), the interest is in place before anything this bus sends next: the server
        reads a connection in order. That is enough when the next step is a request on
        this bus (e.g. reading what a stream holds).
        """
        subscription = await self._client.subscribe(subject, cb=handler)
        if confirm:
            await self._client.flush()
        return subscription

    def new_inbox(self) -> str:
        """A subject unique to this connection, for replies."""
        return self._client.new_inbox()

    async def request_next(
        self, spec: ConsumerSpec, *, batch: int, expires_seconds: float, reply: str
    ) -> None:
        """A pull request to the durable consumer `spec`: the server delivers up to `batch`
        messages to `reply` as they arrive, until `expires_seconds` have passed; then it
        sends `reply` a status message ("408"). Other statuses end a request it refused
        (e.g. "409" while the consumer is being replaced)."""
        request = {"batch": batch, "expires": int(expires_seconds * 1_000_000_000)}
        await self._client.publish(
            f"{_JS_API}.CONSUMER.MSG.NEXT.{spec.stream}.{spec.durable}",
            orjson.dumps(request),
            reply=reply,
        )

    async def stored(
        self, stream: str, subject: str, after: int = 0
    ) -> AsyncIterator[tuple[int, bytes]]:
        """(sequence, payload) of what `stream` holds on `subject` (wildcards allowed) past
        sequence `after`, oldest first.

        One `STREAM.MSG.GET` (next by subject) per message and one to find the end: no
        consumer is made. A consumer per reader costs the server an API call to create it,
        state, and heartbeats for minutes after the reader has gone (an ordered consumer is
        deleted only when found inactive). Not the direct get: that may be answered by a
        replica behind the leader, and miss a message the stream has acknowledged.
        """
        seq = after
        while True:
            try:
                found = await self.js.get_msg(stream, seq + 1, subject, next=True)
            except NotFoundError:
                return
            seq = found.seq or seq + 1
            yield seq, found.data or b""

    async def publish(
        self, subject: str, data: bytes, msg_id: str, headers: dict[str, str] | None = None
    ) -> bool:
        """Publish and wait for the stream's ack; returns False when it was a duplicate."""
        all_headers = {**(headers or {}), MSG_ID_HEADER: msg_id}
        ack = await self.js.publish(subject, data, headers=all_headers)
        return not ack.duplicate

    async def publish_many(self, messages: Sequence[Outgoing], ack_wait: float = 5.0) -> None:
        """Publish in order without waiting between messages, then wait for every ack.

        One round trip per batch instead of one per message. Raises if any ack fails or
        is late; the caller then republishes the batch (the message ids make the copies
        of those that did land duplicates the stream drops).
        """
        futures = []
        try:
            for subject, data, msg_id, headers in messages:
                all_headers = {**headers, MSG_ID_HEADER: msg_id}
                futures.append(await self.js.publish_async(subject, data, headers=all_headers))
            # A deadline over the awaits, not wait_for(gather(...)): no task, no gathering
            # future per batch. The first failure raises, as gather's would.
            async with asyncio.timeout(ack_wait):
                for future in futures:
                    await future
        finally:
            # A late ack's future would otherwise stay registered with the client forever.
            for future in futures:
                future.cancel()

    async def close(self) -> None:
        """Drain: flush what was published, let subscriptions finish, then close."""
        if self._nc is not None and not self._nc.is_closed:
            try:
                await self._nc.drain()
            except Exception:  # draining a broken connection must not block shutdown
                log.warning("nats_drain_failed", exc_info=True)
        self._nc = None
        self._js = None
