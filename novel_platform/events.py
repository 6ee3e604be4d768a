"""The event envelope and the event types: one shape for every message on NATS.

An event type has one name, used as `EventEnvelope.type` and in its subject, and one
payload message. Per-simulation events carry the simulation id in the middle of the
subject (`simulation.<id>.turns_completed` for the type `simulation.turns_completed`),
so a reader can follow one simulation without reading everyone's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from google.protobuf.message import Message

from novel_engine.v1 import common_pb2
from novel_platform.timestamps import set_timestamp

M = TypeVar("M", bound=Message)


def new_event_id() -> str:
    return str(uuid.uuid4())


@dataclass(frozen=True)
class EventType(Generic[M]):
    """`root.name`, carrying a `message`; `per_simulation` puts the id in the subject."""

    root: str
    name: str
    message: type[M]
    per_simulation: bool = False

    @property
    def type(self) -> str:
        return f"{self.root}.{self.name}"

    @property
    def pattern(self) -> str:
        """The subject filter matching every event of this type."""
        return f"{self.root}.*.{self.name}" if self.per_simulation else self.type

    def subject(self, simulation_id: str = "") -> str:
        if not self.per_simulation:
            return self.type
        if not simulation_id or "." in simulation_id or "*" in simulation_id:
            raise ValueError(f"{self.type} needs a simulation id without '.' or '*'")
        return f"{self.root}.{simulation_id}.{self.name}"

    def envelope(
        self,
        tenant_id: str,
        payload: M,
        *,
        event_id: str | None = None,
        occurred_at: datetime | None = None,
    ) -> common_pb2.EventEnvelope:
        """Wrap a payload. Its trace context is set when the event is emitted (outbox)."""
        envelope = common_pb2.EventEnvelope(
            event_id=event_id or new_event_id(), type=self.type, tenant_id=tenant_id
        )
        # Set in place: a message passed to the constructor is copied into it.
        envelope.payload.Pack(payload)
        set_timestamp(envelope.occurred_at, occurred_at or datetime.now(UTC))
        return envelope

    def unpack(self, envelope: common_pb2.EventEnvelope) -> M:
        """The payload, or ValueError when the envelope is not of this type."""
        message = self.message()
        if envelope.type != self.type or not envelope.payload.Unpack(message):
            raise ValueError(
                f"event {envelope.event_id} is {envelope.type} carrying "
                f"{envelope.payload.type_url}, not {self.type}"
            )
        return message


def event_type_of(subject: str) -> str:
    """The event type a subject carries: `root.<id>.name` -> `root.name` (the inverse of
    EventType.subject), for span names that do not grow with every simulation."""
    tokens = subject.split(".")
    return f"{tokens[0]}.{tokens[2]}" if len(tokens) == 3 else subject


def parse_envelope(data: bytes) -> common_pb2.EventEnvelope:
    envelope = common_pb2.EventEnvelope()
    envelope.ParseFromString(data)
    return envelope
