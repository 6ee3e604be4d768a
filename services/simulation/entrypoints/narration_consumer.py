"""The durable consumer of story.narration_used: what narration cost, into the runs'
usage. One durable shared by every replica: JetStream hands each event to one."""

from __future__ import annotations

from google.protobuf.message import DecodeError
from nats.aio.msg import Msg

from novel_platform.consumer import Handler, Poison
from novel_platform.errors import InvalidArgument
from novel_platform.events import parse_envelope
from novel_platform.messaging import ConsumerSpec
from novel_platform.subjects import NARRATION_USAGE_DURABLE, STORY_NARRATION_USED, STORY_STREAM
from services.simulation.service.narration_usage import NarrationUsage

CONSUMER = ConsumerSpec(
    stream=STORY_STREAM.name,
    durable=NARRATION_USAGE_DURABLE,
    filter_subjects=(STORY_NARRATION_USED.pattern,),
)


def narration_handler(usage: NarrationUsage) -> Handler:
    async def handle(msg: Msg) -> None:
        try:
            envelope = parse_envelope(msg.data)
            used = STORY_NARRATION_USED.unpack(envelope)
        except (DecodeError, ValueError) as exc:
            raise Poison(f"not a {STORY_NARRATION_USED.type} envelope: {exc}") from None
        try:
            await usage.add(envelope.tenant_id, used)
        except InvalidArgument as exc:
            raise Poison(exc.message) from None

    return handle
