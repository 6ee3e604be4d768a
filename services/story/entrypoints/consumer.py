"""The durable JetStream consumer of simulation events: bytes in, StoryWriter out."""

from __future__ import annotations

import structlog
from google.protobuf.message import DecodeError
from nats.aio.msg import Msg

from novel_platform import subjects
from novel_platform.consumer import Handler, Poison
from novel_platform.errors import InvalidArgument
from novel_platform.events import parse_envelope
from novel_platform.messaging import ConsumerSpec
from novel_platform.subjects import SIMULATION_STREAM
from services.story.service.handlers import StoryWriter

log = structlog.get_logger(__name__)

CONSUMER = ConsumerSpec(
    stream=SIMULATION_STREAM.name,
    durable=subjects.STORY_WRITER_DURABLE,
    filter_subjects=("simulation.*.*",),
    ack_wait_seconds=30,
)


def message_handler(writer: StoryWriter) -> Handler:
    """The PullConsumer's handler: parse the envelope and apply it once."""

    async def handle(msg: Msg) -> None:
        try:
            envelope = parse_envelope(msg.data)
        except DecodeError as exc:
            raise Poison(f"not an EventEnvelope: {exc}") from None
        try:
            outcome = await writer.handle(envelope)
        except InvalidArgument as exc:
            raise Poison(exc.message) from None
        log.debug(
            "simulation_event", type=envelope.type, event_id=envelope.event_id, outcome=outcome
        )

    return handle
