"""Routes of the older single-process API, kept for its clients.

They answer in the shapes those clients parse; errors are {"error", "detail"}.
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from novel_engine.v1 import common_pb2, simulation_pb2
from services.gateway.auth import Tenant
from services.gateway.clients import (
    character_reads,
    downstream,
    start_simulation,
)
from services.gateway.convert import story_text, when
from services.gateway.errors import ApiError
from services.gateway.schemas import (
    LEGACY_ERRORS,
    CharacterOut,
    LegacyCampaignCreate,
    LegacyCampaignCreated,
    LegacySimulationRequest,
    LegacySimulationResult,
    LegacyTimeout,
    Slug,
)

log = structlog.get_logger(__name__)
router = APIRouter(tags=["legacy"], responses=LEGACY_ERRORS)


@router.get("/characters")
async def legacy_list_characters(tenant: Tenant, request: Request) -> dict[str, list[str]]:
    return {"characters": list(await character_reads(request).ids(tenant))}


@router.get("/characters/{character_id}", response_model=CharacterOut)
async def legacy_get_character(character_id: Slug, tenant: Tenant, request: Request) -> Response:
    _, body = await character_reads(request).get_json(tenant, character_id)
    return Response(body, media_type="application/json")


@router.post(
    "/simulations",
    response_model=LegacySimulationResult,
    responses={504: {"model": LegacyTimeout, "description": "Still writing: fetch it later"}},
)
async def legacy_run_simulation(
    body: LegacySimulationRequest, tenant: Tenant, request: Request
) -> Any:
    """Run a simulation and answer with its story once written (the old synchronous API).

    The work is queued like any other simulation; this request only waits for the
    completion event. Past the deadline it answers 504 with the simulation id, and the
    simulation still completes and can be fetched under /v1/simulations.
    """
    started = time.monotonic()
    simulation = await start_simulation(
        request,
        simulation_pb2.StartSimulationRequest(
            tenant_id=tenant,
            character_ids=body.character_names,
            turns=body.turns,
            setting=body.setting,
            scenario=body.scenario,
            narrative_style=body.narrative_style,
        ),
    )
    log.info("simulation_requested", simulation_id=simulation.id, turns=body.turns, wait=True)
    settings = request.app.state.settings
    ending = await request.app.state.waiter.wait(
        simulation.id, settings.sync_simulation_timeout_seconds
    )
    if ending is None:
        return JSONResponse(
            {
                "error": "Gateway Timeout",
                "detail": "the story is still being written; fetch it later",
                "simulation_id": simulation.id,
            },
            status_code=504,
        )
    if ending.story is None:
        # The request was valid but the run could not finish (e.g. a character deleted).
        raise ApiError(409, ending.reason or "the simulation was cancelled")
    return {
        "story": story_text(ending.story),
        "participants": list(body.character_names),
        "turns_executed": len(ending.story.chapters),
        "duration_seconds": round(time.monotonic() - started, 3),
    }


@router.get("/campaigns")
async def legacy_list_campaigns(tenant: Tenant, request: Request) -> dict[str, Any]:
    reply = await downstream(request).simulation.ListCampaigns(
        simulation_pb2.ListCampaignsRequest(
            tenant_id=tenant, page=common_pb2.PageRequest(page_size=100)
        ),
    )
    return {"campaigns": [_campaign(c) for c in reply.campaigns]}


@router.post("/campaigns", status_code=201, response_model=LegacyCampaignCreated)
async def legacy_create_campaign(
    body: LegacyCampaignCreate, tenant: Tenant, request: Request
) -> dict[str, Any]:
    created = await downstream(request).simulation.CreateCampaign(
        simulation_pb2.CreateCampaignRequest(
            tenant_id=tenant,
            name=body.name,
            description=body.description,
            participants=body.participants,
            setting=body.setting,
        ),
    )
    return {k: v for k, v in _campaign(created).items() if k in LegacyCampaignCreated.model_fields}


def _campaign(c: simulation_pb2.Campaign) -> dict[str, Any]:
    return {
        "campaign_id": c.id,
        "name": c.name,
        "description": c.description,
        "participants": list(c.participants),
        "setting": c.setting,
        "status": c.status,
        "created_at": when(c.created_at),
    }
