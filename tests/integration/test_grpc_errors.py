"""What the database refuses to store is the request's fault: INVALID_ARGUMENT, not
INTERNAL (Schemathesis found a NUL in a character's goal answered 502)."""

from __future__ import annotations

import grpc
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from novel_engine.v1 import character_pb2, character_pb2_grpc
from novel_platform.config import GrpcServerSettings
from novel_platform.grpc_server import GrpcServer
from novel_platform.outbox import UnitOfWork
from services.character.adapters.tables import outbox
from services.character.entrypoints.grpc_api import CharacterServicer
from services.character.service.handlers import CharacterService

pytestmark = pytest.mark.integration


async def test_a_value_postgresql_cannot_store_is_invalid_argument(
    engine: AsyncEngine, tenant: str
) -> None:
    service = CharacterService(lambda: UnitOfWork(engine, outbox, None))
    server = GrpcServer(GrpcServerSettings(grpc_port=0, grpc_host="127.0.0.1"))
    servicer = CharacterServicer(service)
    server.add(
        lambda s: character_pb2_grpc.add_CharacterServiceServicer_to_server(servicer, s),
        "novel_engine.v1.CharacterService",
    )
    port = await server.start()
    stats = character_pb2.Stats(
        strength=5, dexterity=5, intelligence=5, willpower=5, perception=5, charisma=5
    )
    character = character_pb2.Character(id="nul", name="Nul", stats=stats, goals=["a\x00b"])
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = character_pb2_grpc.CharacterServiceStub(channel)
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await stub.CreateCharacter(
                    character_pb2.CreateCharacterRequest(tenant_id=tenant, character=character),
                    timeout=10,
                )
            with pytest.raises(grpc.aio.AioRpcError) as filtered:
                await stub.ListCharacters(
                    character_pb2.ListCharactersRequest(tenant_id=tenant, name="a\x00b"),
                    timeout=10,
                )
    finally:
        await server.stop(0)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert refused.value.details() == "a value the database cannot store"
    # Nor can it compare one: a filter holding NUL is refused the same way.
    assert filtered.value.code() == grpc.StatusCode.INVALID_ARGUMENT
