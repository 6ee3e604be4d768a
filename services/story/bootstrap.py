"""Wires the story service: database, outbox relay, simulation-event consumer, gRPC."""

from __future__ import annotations

from novel_engine.v1 import story_pb2, story_pb2_grpc
from novel_platform.consumer import PullConsumer, RetryPolicy
from novel_platform.llm.client import ModelClients
from novel_platform.llm.sealing import Sealer
from novel_platform.outbox import OutboxRelay, UnitOfWork
from novel_platform.runtime import ServiceRuntime, main
from novel_platform.subjects import SIMULATION_STREAM, STORY_STREAM
from services.story.adapters.tables import outbox
from services.story.config import StorySettings
from services.story.entrypoints.consumer import CONSUMER, message_handler
from services.story.entrypoints.grpc_api import StoryServicer
from services.story.service.handlers import StoryReader, StoryWriter
from services.story.service.housekeeping import InboxPruner
from services.story.service.imported_narration import NarrationImports
from services.story.service.narrator import Narrator

SERVICE_NAME = "story"


async def setup(rt: ServiceRuntime) -> None:
    settings = rt.settings
    assert isinstance(settings, StorySettings)
    engine = rt.open_database(settings)
    bus = await rt.connect_bus()
    await bus.ensure_stream(SIMULATION_STREAM)
    await bus.ensure_stream(STORY_STREAM)

    relay = OutboxRelay(engine, outbox, bus)
    rt.spawn(relay.run(), "outbox-relay")
    # Hooks run newest first: registered before the consumer's, the relay's final
    # flush runs after the consumer has stopped, so its last chapters still go out.
    rt.on_shutdown(relay.stop)

    def uow() -> UnitOfWork:
        return UnitOfWork(engine, outbox, relay)

    pruner = InboxPruner(
        uow, settings.story_inbox_retention_seconds, settings.story_inbox_prune_interval_seconds
    )
    rt.spawn(pruner.run(), "inbox-pruner")

    clients = ModelClients(settings.host_policy())
    rt.on_shutdown(clients.close)
    narrator = Narrator(
        uow, clients, Sealer(settings.llm_secret_key.get_secret_value()), settings.backend()
    )
    consumer = PullConsumer(
        bus,
        CONSUMER,
        message_handler(StoryWriter(uow, narrator)),
        concurrency=settings.story_consumer_concurrency,
        retry=RetryPolicy.from_settings(settings),
    )
    rt.consume(consumer, "story-consumer")

    grpc = rt.serve_grpc(settings)
    servicer = StoryServicer(StoryReader(uow), NarrationImports(uow))
    grpc.add(
        lambda server: story_pb2_grpc.add_StoryServiceServicer_to_server(servicer, server),
        story_pb2.DESCRIPTOR.services_by_name["StoryService"].full_name,
    )


def run() -> None:
    main(SERVICE_NAME, StorySettings, setup)
