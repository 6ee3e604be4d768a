"""The character service, as the simulation service sees it (gRPC client), with the
process's CharacterCache in front: a start whose characters were read recently makes
no call (the cache follows the CHARACTER stream, so a deleted character is refused)."""

from __future__ import annotations

from collections.abc import Sequence

import grpc

from novel_engine.v1 import character_pb2, character_pb2_grpc
from novel_platform.character_cache import CharacterCache
from novel_platform.errors import NotFound
from novel_platform.grpc_client import open_channel
from services.simulation.adapters.convert import sheet_from_proto
from services.simulation.domain import CharacterSheet


class CharacterDirectory:
    def __init__(self, target: str, timeout: float, cache: CharacterCache | None = None) -> None:
        self._channel: grpc.aio.Channel = open_channel(target, timeout)
        self._stub = character_pb2_grpc.CharacterServiceStub(self._channel)
        self._cache = cache or CharacterCache(max_age_seconds=0)

    async def sheets(self, tenant_id: str, ids: Sequence[str]) -> list[CharacterSheet]:
        """The sheets in the order asked; NotFound names the first missing id."""
        found = {i: c for i in ids if (c := self._cache.get(tenant_id, i)) is not None}
        missing = [i for i in dict.fromkeys(ids) if i not in found]
        if missing:
            seen = self._cache.generation(tenant_id)
            reply = await self._stub.BatchGetCharacters(
                character_pb2.BatchGetCharactersRequest(tenant_id=tenant_id, ids=missing)
            )
            if reply.missing_ids:
                raise NotFound(f"Character '{reply.missing_ids[0]}' not found")
            for character in reply.characters:
                self._cache.put(tenant_id, character, seen)
                found[character.id] = character
        return [sheet_from_proto(found[i]) for i in ids]

    async def close(self) -> None:
        await self._channel.close()
