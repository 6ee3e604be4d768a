"""Routes of the older single-process API, kept for its clients.

They answer in the shapes those clients parse; errors are {"error", "detail"}.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from novel_engine.v1 import character_pb2, common_pb2
from services.gateway.auth import Tenant
from services.gateway.clients import request_metadata
from services.gateway.routes.characters import downstream, to_out
from services.gateway.schemas import Slug

router = APIRouter(tags=["legacy"])

# The old API returned every id at once; stop at a bound rather than at memory.
MAX_LEGACY_CHARACTERS = 1000


@router.get("/characters")
async def legacy_list_characters(tenant: Tenant, request: Request) -> dict[str, list[str]]:
    ids: list[str] = []
    token = ""
    while len(ids) < MAX_LEGACY_CHARACTERS:
        reply = await downstream(request).character.ListCharacters(
            character_pb2.ListCharactersRequest(
                tenant_id=tenant, page=common_pb2.PageRequest(page_size=100, page_token=token)
            ),
            metadata=request_metadata(),
        )
        ids.extend(c.id for c in reply.characters)
        token = reply.next_page_token
        if not token:
            break
    return {"characters": ids}


@router.get("/characters/{character_id}")
async def legacy_get_character(
    character_id: Slug, tenant: Tenant, request: Request
) -> dict[str, Any]:
    found = await downstream(request).character.GetCharacter(
        character_pb2.GetCharacterRequest(tenant_id=tenant, id=character_id),
        metadata=request_metadata(),
    )
    return to_out(found)
