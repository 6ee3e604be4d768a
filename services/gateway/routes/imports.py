"""`POST /v1/characters:import` (character folders, cards) and `POST /v1/bundles:import`
(a run bundle, replayed)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Annotated, Any

import grpc
from fastapi import APIRouter, Query, Request, Response
from pydantic import ValidationError

from novel_engine.v1 import character_pb2, simulation_pb2, story_pb2
from novel_platform import bounded_json
from novel_platform.worlds import world_message
from services.gateway.auth import Tenant
from services.gateway.clients import (
    Downstream,
    character_reads,
    downstream,
    start_simulation,
)
from services.gateway.convert import character_out, simulation_out
from services.gateway.errors import ApiError
from services.gateway.formats.bundle import CHARACTER_FIELDS, FORMAT, SHEET_FIELDS, VERSION
from services.gateway.formats.uploads import UploadLimits, read_upload
from services.gateway.routes.characters import _to_proto
from services.gateway.routes.what_if import intervention_message
from services.gateway.schemas import (
    ERRORS,
    BundleCharacter,
    BundleImportOut,
    BundleIn,
    ImportReport,
)

CHARACTERS_PATH = "/v1/characters:import"
BUNDLES_PATH = "/v1/bundles:import"
UPLOAD_PATHS = frozenset({CHARACTERS_PATH, BUNDLES_PATH})
LIMITS = UploadLimits()
UPLOAD_BODY = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "array", "items": {"type": "string", "format": "binary"}}
                    },
                }
            },
            "application/zip": {"schema": {"type": "string", "format": "binary"}},
            "image/png": {"schema": {"type": "string", "format": "binary"}},
            "application/json": {"schema": {"type": "object"}},
        }
    }
}

router = APIRouter(tags=["imports"], responses=ERRORS)


@router.post(
    CHARACTERS_PATH,
    response_model=ImportReport,
    openapi_extra=UPLOAD_BODY,
    responses={415: {"description": "not multipart, zip, PNG or JSON"}},
)
async def import_characters(
    tenant: Tenant,
    request: Request,
    dry_run: Annotated[bool, Query(description="map and validate; store nothing")] = False,
) -> dict[str, Any]:
    """Import characters: the older system's folders `characters/<id>/` (Markdown sheets
    and `stats.yaml`, best zipped), Character Card V2/V3 JSON, or a card PNG. Multipart
    (`-F file=@...`, repeatable) or one raw body. Per character: what was mapped, kept
    as notes, refused and why; a file that cannot be read is a 4xx naming it."""
    files = await read_upload(request, LIMITS)
    reply = await downstream(request).character.ImportCharacters(
        character_pb2.ImportCharactersRequest(
            tenant_id=tenant,
            files=[character_pb2.ImportFile(path=p, content=c) for p, c in files],
            dry_run=dry_run,
        ),
    )
    reports = []
    for item in reply.characters:
        if item.status == "imported":
            character_reads(request).cache.forget(tenant, item.character.id)
        reports.append(
            {
                "source": item.source,
                "status": item.status,
                "character": character_out(item.character) if item.HasField("character") else None,
                "mapped": list(item.mapped),
                "notes": list(item.notes),
                "refused": list(item.refused),
                "error": item.error or None,
            }
        )
    return {
        "imported": sum(r["status"] == "imported" for r in reports),
        "refused": sum(r["status"] == "refused" for r in reports),
        "characters": reports,
    }


@router.post(
    BUNDLES_PATH,
    status_code=202,
    response_model=BundleImportOut,
    responses={415: {"description": "not application/json"}},
    openapi_extra={
        "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}
    },
)
async def import_bundle(tenant: Tenant, request: Request, response: Response) -> dict[str, Any]:
    """Replay a run bundle (`GET /v1/stories/{id}?format=bundle`): create its characters
    (one already there with the same sheet is reused; a different one is a 409), its
    world when it was the tenant's own, and start the same run (202 + Location); a
    model-driven run replays the recorded calls it carries, never calling the model."""
    body = await _bundle_body(request)
    down = downstream(request)
    created, reused = [], []
    newcomers = [(i.sheet, SHEET_FIELDS) for i in body.interventions if i.sheet is not None]
    for character, compared in [*((c, CHARACTER_FIELDS) for c in body.characters), *newcomers]:
        if await _create_or_match(down, tenant, character, compared):
            created.append(character.id)
            character_reads(request).cache.forget(tenant, character.id)
        else:
            reused.append(character.id)
    settings = body.settings
    if settings.world is not None and settings.world_id:
        try:
            await down.simulation.CreateWorld(
                simulation_pb2.CreateWorldRequest(
                    tenant_id=tenant,
                    world=world_message(settings.world_id, settings.world.model_dump()),
                ),
            )
        except grpc.aio.AioRpcError as exc:
            if exc.code() != grpc.StatusCode.ALREADY_EXISTS:
                raise
    started = await start_simulation(
        request,
        simulation_pb2.StartSimulationRequest(
            tenant_id=tenant,
            character_ids=[c.id for c in body.characters],
            turns=settings.turns,
            seed=settings.seed,
            setting=settings.setting,
            scenario=settings.scenario,
            narrative_style=settings.narrative_style,
            world_id=settings.world_id,
            interventions=[intervention_message(i) for i in body.interventions],
            recorded=await _recorded(down, tenant, body),
        ),
    )
    response.headers["Location"] = f"/v1/simulations/{started.id}"
    return {
        "simulation": simulation_out(started),
        "created_character_ids": created,
        "reused_character_ids": reused,
    }


async def _bundle_body(request: Request) -> BundleIn:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise ApiError(415, "a bundle is sent as application/json")
    raw = await request.body()
    try:
        data = bounded_json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError(422, "bundle: not UTF-8 text") from None
    except bounded_json.JsonRefused as exc:
        raise ApiError(422, f"bundle: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ApiError(422, f"bundle: not a Novel Engine bundle (format must be '{FORMAT}')")
    if data.get("version") != VERSION:
        raise ApiError(
            422, f"bundle: version {str(data.get('version'))[:20]} cannot be read; "
            f"this Novel Engine reads version {VERSION}"
        )  # fmt: skip
    try:
        body = BundleIn.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        details = [{"loc": list(e["loc"]), "msg": e["msg"], "type": e["type"]} for e in errors]
        first = ".".join(str(part) for part in errors[0]["loc"])
        raise ApiError(
            422, f"bundle: fields do not validate ({first}: {errors[0]['msg'][:200]})",
            details=details,
        ) from None  # fmt: skip
    llm = body.settings.llm
    services = {r.service for r in body.recordings}
    wanted = {"simulation"} if llm and llm.decisions else set()
    wanted |= {"story"} if llm and llm.narration else set()
    if services != wanted:
        raise ApiError(
            422, "bundle: recordings must hold the model's decisions (service "
            "'simulation') when it decided and its chapters (service 'story') when it "
            "narrated, and nothing else"
        )  # fmt: skip
    for n, recording in enumerate(body.recordings):
        purpose = "decision" if recording.service == "simulation" else "narration"
        if recording.purpose != purpose:
            raise ApiError(
                422, f"bundle: recordings[{n}]: a {recording.service} call is a {purpose}"
            )
    for n, intervention in enumerate(body.interventions):
        sheet = intervention.sheet
        entrance = ("enter", intervention.character_id)
        if sheet is not None and (intervention.kind, sheet.id) != entrance:
            raise ApiError(
                422, f"bundle: interventions[{n}]: a sheet comes only with the entrance "
                "of the character it describes"
            )  # fmt: skip
    return body


async def _recorded(
    down: Downstream, tenant: str, body: BundleIn
) -> simulation_pb2.RecordedRun | None:
    """A model-driven run's settings and decisions, its chapters imported first under
    the same new recordings id (so they are there before its first turn is told)."""
    llm = body.settings.llm
    if llm is None:
        return None
    recordings_id = str(uuid.uuid4())
    calls = {
        service: [
            simulation_pb2.RecordedCall(**r.model_dump(exclude={"service"}))
            for r in body.recordings
            if r.service == service
        ]
        for service in ("simulation", "story")
    }
    if calls["story"]:
        await down.story.ImportNarrationCalls(
            story_pb2.ImportNarrationCallsRequest(
                tenant_id=tenant, recordings_id=recordings_id, calls=calls["story"]
            )
        )
    return simulation_pb2.RecordedRun(
        recordings_id=recordings_id,
        **llm.model_dump(),
        calls=calls["simulation"],
    )


async def _create_or_match(
    down: Downstream, tenant: str, character: BundleCharacter, compared: Iterable[str]
) -> bool:
    """True when created; False when one with the same sheet (the `compared` fields)
    exists (409 otherwise)."""
    fields = character.model_dump(exclude={"id"})
    try:
        await down.character.CreateCharacter(
            character_pb2.CreateCharacterRequest(
                tenant_id=tenant, character=_to_proto(character.id, fields)
            ),
        )
        return True
    except grpc.aio.AioRpcError as exc:
        if exc.code() != grpc.StatusCode.ALREADY_EXISTS:
            raise
    existing = character_out(
        await down.character.GetCharacter(
            character_pb2.GetCharacterRequest(tenant_id=tenant, id=character.id)
        )
    )
    wanted = {"id": character.id, **fields}
    if any(existing[k] != wanted[k] for k in compared):
        raise ApiError(
            409, f"character '{character.id}' exists with a different sheet; delete or rename it"
        )
    return False
