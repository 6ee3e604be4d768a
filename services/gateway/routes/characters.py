"""/v1/characters: create, list, get, patch, delete."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import JSONResponse
from google.protobuf import field_mask_pb2

from novel_engine.v1 import character_pb2
from novel_platform.character_cards import card_v2
from services.gateway.auth import Tenant
from services.gateway.clients import character_reads, downstream
from services.gateway.convert import character_out
from services.gateway.errors import ApiError
from services.gateway.formats.negotiation import attachment, choose
from services.gateway.params import Page
from services.gateway.schemas import (
    ERRORS,
    TEXT_PATTERN,
    CharacterCreate,
    CharacterOut,
    CharacterPage,
    CharacterPatch,
    Slug,
)

router = APIRouter(prefix="/v1/characters", tags=["characters"], responses=ERRORS)
CARD_MEDIA = "application/vnd.chara-card-v2+json"
FORMATS = {"json": "application/json", "card-v2": CARD_MEDIA}
# A version as ETag gives it: "3" (or W/"3", or bare 3).
# At most 18 digits: every such number fits the int64 a version is (a longer one could
# match no version anyway, and would not fit the request to the character service).
IF_MATCH_PATTERN = r'^(W/)?"?[0-9]{1,18}"?$'


def _to_proto(cid: str, fields: dict[str, Any]) -> character_pb2.Character:
    msg = character_pb2.Character(id=cid)
    for key, value in fields.items():
        if key == "stats":
            msg.stats.CopyFrom(character_pb2.Stats(**value))
        elif key in ("traits", "relationships"):
            getattr(msg, key).update(value)
        elif key in ("goals", "equipment"):
            getattr(msg, key).extend(value)
        else:
            setattr(msg, key, value)
    return msg


@router.post("", status_code=201, response_model=CharacterOut)
async def create_character(
    body: CharacterCreate, tenant: Tenant, request: Request, response: Response
) -> dict[str, Any]:
    cid = body.slug()
    fields = body.model_dump(exclude={"id"})
    created = await downstream(request).character.CreateCharacter(
        character_pb2.CreateCharacterRequest(tenant_id=tenant, character=_to_proto(cid, fields)),
    )
    character_reads(request).cache.forget(tenant, created.id)
    response.headers["Location"] = f"/v1/characters/{created.id}"
    response.headers["ETag"] = f'"{created.version}"'
    return character_out(created)


@router.get("", response_model=CharacterPage)
async def list_characters(
    tenant: Tenant,
    request: Request,
    page: Page,
    name: Annotated[str, Query(max_length=100, pattern=TEXT_PATTERN)] = "",
    faction: Annotated[str, Query(max_length=100, pattern=TEXT_PATTERN)] = "",
) -> dict[str, Any]:
    reply = await downstream(request).character.ListCharacters(
        character_pb2.ListCharactersRequest(
            tenant_id=tenant,
            page=page,
            name=name,
            faction=faction,
        ),
    )
    return {
        "items": [character_out(c) for c in reply.characters],
        "next_page_token": reply.next_page_token or None,
    }


@router.get(
    "/{character_id}",
    response_model=CharacterOut,
    responses={
        200: {"content": {CARD_MEDIA: {}}},
        304: {"description": "Not modified: `If-None-Match` names the current version"},
        406: {"description": "no offered format is acceptable"},
    },
)
async def get_character(
    character_id: Slug,
    tenant: Tenant,
    request: Request,
    if_none_match: Annotated[str | None, Header(max_length=200)] = None,
    fmt: Annotated[
        str | None, Query(alias="format", max_length=40, description="json or card-v2")
    ] = None,
    accept: Annotated[str | None, Header(max_length=500)] = None,
) -> Response:
    """The character as JSON, or as a Character Card V2 (`?format=card-v2` or `Accept:
    application/vnd.chara-card-v2+json`) that `POST /v1/characters:import` reads back
    whole."""
    chosen = choose(FORMATS, fmt, accept, "json")
    found, body = await character_reads(request).get_json(tenant, character_id)
    etag = f'"{found.version}"'
    if if_none_match is not None and etag in _entity_tags(if_none_match):
        return Response(status_code=304, headers={"ETag": etag})
    if chosen == "card-v2":
        return JSONResponse(
            card_v2(character_out(found)),
            media_type=CARD_MEDIA,
            headers={"ETag": etag, **attachment(f"{found.id}.card", "json")},
        )
    return Response(body, media_type="application/json", headers={"ETag": etag})


def _entity_tags(header: str) -> set[str]:
    """The tags an If-None-Match lists (weak ones compare equal, as RFC 9110 says)."""
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}


def expected_version(if_match: str | None, body_version: int | None) -> int:
    if if_match is None:
        return body_version or 0
    value = if_match.strip().removeprefix("W/").strip('"')
    # Only ASCII digits: str.isdigit() also takes "²", which int() refuses.
    if not (value.isascii() and value.isdigit()):
        raise ApiError(422, 'If-Match: expected a version such as "3"')
    return int(value)


@router.patch("/{character_id}", response_model=CharacterOut)
async def update_character(
    character_id: Slug,
    body: CharacterPatch,
    tenant: Tenant,
    request: Request,
    response: Response,
    if_match: Annotated[str | None, Header(max_length=40, pattern=IF_MATCH_PATTERN)] = None,
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    if not changes:
        raise ApiError(422, "nothing to update: name at least one field")
    if any(value is None for value in changes.values()):
        raise ApiError(422, "fields may be changed but not set to null")
    updated = await downstream(request).character.UpdateCharacter(
        character_pb2.UpdateCharacterRequest(
            tenant_id=tenant,
            character=_to_proto(character_id, changes),
            update_mask=field_mask_pb2.FieldMask(paths=sorted(changes)),
            expected_version=expected_version(if_match, body.version),
        ),
    )
    character_reads(request).cache.forget(tenant, character_id)
    response.headers["ETag"] = f'"{updated.version}"'
    return character_out(updated)


@router.delete("/{character_id}", status_code=204, response_class=Response)
async def delete_character(
    character_id: Slug,
    tenant: Tenant,
    request: Request,
    if_match: Annotated[str | None, Header(max_length=40, pattern=IF_MATCH_PATTERN)] = None,
) -> Response:
    await downstream(request).character.DeleteCharacter(
        character_pb2.DeleteCharacterRequest(
            tenant_id=tenant, id=character_id, expected_version=expected_version(if_match, None)
        ),
    )
    character_reads(request).cache.forget(tenant, character_id)
    return Response(status_code=204)
