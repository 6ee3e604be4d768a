"""The character service, as the simulation service sees it (gRPC client)."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from novel_engine.v1 import character_pb2, character_pb2_grpc
from novel_platform.errors import NotFound
from novel_platform.grpc_client import open_channel
from services.simulation.adapters.convert import sheet_from_proto
from services.simulation.domain import CharacterSheet


class CharacterDirectory:
    def __init__(self, target: str, timeout: float) -> None:
        self._channel: grpc.aio.Channel = open_channel(target, timeout)
        self._stub = character_pb2_grpc.CharacterServiceStub(self._channel)

    async def sheets(self, tenant_id: str, ids: Sequence[str]) -> list[CharacterSheet]:
        """The sheets in the order asked; NotFound names the first missing id."""
        reply = await self._stub.BatchGetCharacters(
            character_pb2.BatchGetCharactersRequest(tenant_id=tenant_id, ids=list(ids))
        )
        if reply.missing_ids:
            raise NotFound(f"Character '{reply.missing_ids[0]}' not found")
        return [sheet_from_proto(c) for c in reply.characters]

    async def close(self) -> None:
        await self._channel.close()
