"""The durable JetStream consumer of simulation events: bytes in, StoryWriter out."""

from __future__ import annotations

import structlog
from google.protobuf.message import DecodeError
from nats.aio.msg import Msg

from novel_platform import subjects
from novel_platform.consumer import Handler, Poison, delivered_last
from novel_platform.errors import InvalidArgument
from novel_platform.events import parse_envelope
from novel_platform.messaging import ConsumerSpec
from novel_platform.subjects import SIMULATION_STREAM
from services.story.service.coalescer import Coalescer
from services.story.service.handlers import EventOutcome, StoryEvent, StoryWriter, read_event

log = structlog.get_logger(__name__)

CONSUMER = ConsumerSpec(
    stream=SIMULATION_STREAM.name,
    durable=subjects.STORY_WRITER_DURABLE,
    filter_subjects=SIMULATION_STREAM.subjects,
    ack_wait_seconds=30,
)

# A simulation commits all its turns at once, so its events arrive together: applied in
# one unit of work they cost a handful of statements instead of several per event.
MAX_BATCH = 64


def story_batcher(
    writer: StoryWriter, *, max_batch: int = MAX_BATCH
) -> Coalescer[StoryEvent, EventOutcome]:
    """Batches events per simulation; one per consumer (replicas each have their own)."""
    return Coalescer(lambda e: e.simulation_id, writer.apply, max_batch=max_batch)


def message_handler(writer: StoryWriter, *, max_batch: int = MAX_BATCH) -> Handler:
    """The PullConsumer's handler: parse the envelope and apply it once, batched with the
    simulation's other events in flight. Returns (-> ack) once its event is committed."""
    batcher = story_batcher(writer, max_batch=max_batch)

    async def handle(msg: Msg) -> None:
        try:
            envelope = parse_envelope(msg.data)
        except DecodeError as exc:
            raise Poison(f"not an EventEnvelope: {exc}") from None
        try:
            event = read_event(envelope)
            outcome = (
                EventOutcome.IGNORED
                if event is None
                # The last of its fetch has nothing to wait for (a synchronous run's
                # story is one event, mostly fetched alone).
                else await batcher.submit(event, last=delivered_last(msg))
            )
        except InvalidArgument as exc:
            raise Poison(exc.message) from None
        log.debug(
            "simulation_event", type=envelope.type, event_id=envelope.event_id, outcome=outcome
        )

    return handle
