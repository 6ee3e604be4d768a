"""gRPC servicer: translates messages and delegates to the service layer."""

from __future__ import annotations

from google.protobuf import empty_pb2
from grpc import aio

from novel_engine.v1 import character_pb2, character_pb2_grpc
from novel_platform.characters import STAT_NAMES
from novel_platform.errors import InvalidArgument
from services.character.adapters.convert import from_proto, to_proto
from services.character.domain.model import MUTABLE_FIELDS
from services.character.service.handlers import CharacterService


class CharacterServicer(character_pb2_grpc.CharacterServiceServicer):
    def __init__(self, service: CharacterService) -> None:
        self._service = service

    async def CreateCharacter(
        self, request: character_pb2.CreateCharacterRequest, context: aio.ServicerContext
    ) -> character_pb2.Character:
        created = await self._service.create(request.tenant_id, from_proto(request.character))
        return to_proto(created)

    async def GetCharacter(
        self, request: character_pb2.GetCharacterRequest, context: aio.ServicerContext
    ) -> character_pb2.Character:
        return to_proto(await self._service.get(request.tenant_id, request.id))

    async def BatchGetCharacters(
        self, request: character_pb2.BatchGetCharactersRequest, context: aio.ServicerContext
    ) -> character_pb2.BatchGetCharactersResponse:
        found, missing = await self._service.batch_get(request.tenant_id, list(request.ids))
        return character_pb2.BatchGetCharactersResponse(
            characters=[to_proto(c) for c in found], missing_ids=missing
        )

    async def ListCharacters(
        self, request: character_pb2.ListCharactersRequest, context: aio.ServicerContext
    ) -> character_pb2.ListCharactersResponse:
        items, token = await self._service.list_page(
            request.tenant_id,
            size=request.page.page_size,
            token=request.page.page_token,
            name=request.name,
            faction=request.faction,
        )
        return character_pb2.ListCharactersResponse(
            characters=[to_proto(c) for c in items], next_page_token=token
        )

    async def UpdateCharacter(
        self, request: character_pb2.UpdateCharacterRequest, context: aio.ServicerContext
    ) -> character_pb2.Character:
        paths = list(request.update_mask.paths)
        if not paths:
            raise InvalidArgument("update_mask: name at least one field")
        unknown = set(paths) - MUTABLE_FIELDS
        if unknown:
            raise InvalidArgument(f"update_mask: cannot update {', '.join(sorted(unknown))}")
        given = from_proto(request.character)
        changes = {path: getattr(given, path) for path in paths}
        if "stats" in changes:
            changes["stats"] = {name: getattr(request.character.stats, name) for name in STAT_NAMES}
        updated = await self._service.update(
            request.tenant_id, request.character.id, changes, request.expected_version
        )
        return to_proto(updated)

    async def DeleteCharacter(
        self, request: character_pb2.DeleteCharacterRequest, context: aio.ServicerContext
    ) -> empty_pb2.Empty:
        await self._service.delete(request.tenant_id, request.id, request.expected_version)
        return empty_pb2.Empty()

    async def SeedStarterRoster(
        self, request: character_pb2.SeedStarterRosterRequest, context: aio.ServicerContext
    ) -> character_pb2.SeedStarterRosterResponse:
        created, existing = await self._service.seed_starter_roster(request.tenant_id)
        return character_pb2.SeedStarterRosterResponse(created_ids=created, existing_ids=existing)
