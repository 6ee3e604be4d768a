"""Wires the character service: database, outbox relay, gRPC servicer."""

from __future__ import annotations

from novel_engine.v1 import character_pb2, character_pb2_grpc
from novel_platform.outbox import OutboxRelay, UnitOfWork
from novel_platform.runtime import ServiceRuntime, main
from novel_platform.subjects import CHARACTER_STREAM
from services.character.adapters.tables import outbox
from services.character.config import CharacterSettings
from services.character.entrypoints.grpc_api import CharacterServicer
from services.character.service.handlers import CharacterService

SERVICE_NAME = "character"


async def setup(rt: ServiceRuntime) -> None:
    settings = rt.settings
    assert isinstance(settings, CharacterSettings)
    engine = rt.open_database(settings)
    bus = await rt.connect_bus()
    await bus.ensure_stream(CHARACTER_STREAM)

    relay = OutboxRelay(engine, outbox, bus)
    rt.spawn(relay.run(), "outbox-relay")
    # Runs after the gRPC server has stopped, so the last commits still go out.
    rt.on_shutdown(relay.stop)

    service = CharacterService(lambda: UnitOfWork(engine, outbox, relay))
    grpc = rt.serve_grpc(settings)
    servicer = CharacterServicer(service)
    grpc.add(
        lambda server: character_pb2_grpc.add_CharacterServiceServicer_to_server(servicer, server),
        character_pb2.DESCRIPTOR.services_by_name["CharacterService"].full_name,
    )


def run() -> None:
    main(SERVICE_NAME, CharacterSettings, setup)
