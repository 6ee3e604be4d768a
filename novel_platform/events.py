"""The event envelope: one shape for every message on NATS."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from google.protobuf import any_pb2
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

from novel_engine.v1 import common_pb2


def new_event_id() -> str:
    return str(uuid.uuid4())


def make_envelope(
    event_type: str,
    tenant_id: str,
    payload: Message,
    *,
    event_id: str | None = None,
    occurred_at: datetime | None = None,
) -> common_pb2.EventEnvelope:
    """Wrap a payload. Its trace context is set when the event is emitted (outbox)."""
    packed = any_pb2.Any()
    packed.Pack(payload)
    stamp = Timestamp()
    stamp.FromDatetime(occurred_at or datetime.now(UTC))
    return common_pb2.EventEnvelope(
        event_id=event_id or new_event_id(),
        type=event_type,
        tenant_id=tenant_id,
        occurred_at=stamp,
        payload=packed,
    )


def parse_envelope(data: bytes) -> common_pb2.EventEnvelope:
    envelope = common_pb2.EventEnvelope()
    envelope.ParseFromString(data)
    return envelope


def unpack(envelope: common_pb2.EventEnvelope, message: Message) -> Message:
    """Unpack the payload into `message`, or raise ValueError on a type mismatch."""
    if not envelope.payload.Unpack(message):
        raise ValueError(
            f"event {envelope.event_id} carries {envelope.payload.type_url}, "
            f"not {message.DESCRIPTOR.full_name}"
        )
    return message
