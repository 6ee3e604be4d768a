"""/v1/simulations: queue a simulation, follow it, stream it, cancel it."""

from __future__ import annotations

from typing import Annotated, Any

import grpc
import structlog
from fastapi import APIRouter, Header, Request, Response
from sse_starlette import EventSourceResponse

from novel_engine.v1 import simulation_pb2, story_pb2
from services.gateway.adapters.event_stream import Position, simulation_events, stored_owner
from services.gateway.auth import Tenant
from services.gateway.clients import Downstream, downstream, start_simulation
from services.gateway.convert import simulation_out
from services.gateway.params import Page, ResourceId
from services.gateway.routes.llm_settings import backend_pb
from services.gateway.schemas import (
    ERRORS,
    LlmIn,
    SimulationCreate,
    SimulationOut,
    SimulationPage,
)

log = structlog.get_logger(__name__)
router = APIRouter(prefix="/v1/simulations", tags=["simulations"], responses=ERRORS)


async def story_id_of(down: Downstream, tenant: str, s: simulation_pb2.Simulation) -> str | None:
    """The story is written as turns complete; it exists once the first turn is done."""
    if s.turns_done == 0:
        return None
    try:
        story = await down.story.GetStoryBySimulation(
            story_pb2.GetStoryBySimulationRequest(tenant_id=tenant, simulation_id=s.id),
        )
    except grpc.aio.AioRpcError as exc:
        if exc.code() == grpc.StatusCode.NOT_FOUND:
            return None
        raise
    return str(story.id)


async def start(request: Request, tenant: str, body: SimulationCreate) -> simulation_pb2.Simulation:
    return await start_simulation(
        request,
        simulation_pb2.StartSimulationRequest(
            tenant_id=tenant,
            character_ids=body.character_ids,
            turns=body.turns,
            seed=body.seed,
            setting=body.setting,
            scenario=body.scenario,
            campaign_id=body.campaign_id,
            narrative_style=body.narrative_style,
            world_id=body.world_id,
            llm=llm_options(body.llm) if body.llm else None,
        ),
    )


def llm_options(llm: LlmIn) -> simulation_pb2.LlmOptions:
    return simulation_pb2.LlmOptions(
        decisions=llm.decisions,
        narration=llm.narration,
        backend=backend_pb(llm.backend) if llm.backend else None,
    )


@router.post("", status_code=202, response_model=SimulationOut)
async def create_simulation(
    body: SimulationCreate, tenant: Tenant, request: Request, response: Response
) -> dict[str, Any]:
    """Queue a simulation; follow it at Location or stream it from .../events."""
    created = await start(request, tenant, body)
    log.info("simulation_requested", simulation_id=created.id, turns=body.turns)
    response.headers["Location"] = f"/v1/simulations/{created.id}"
    return simulation_out(created)


@router.get("", response_model=SimulationPage)
async def list_simulations(
    tenant: Tenant,
    request: Request,
    page: Page,
) -> dict[str, Any]:
    reply = await downstream(request).simulation.ListSimulations(
        simulation_pb2.ListSimulationsRequest(
            tenant_id=tenant,
            page=page,
        ),
    )
    return {
        "items": [simulation_out(s) for s in reply.simulations],
        "next_page_token": reply.next_page_token or None,
    }


async def get_simulation_pb(
    request: Request, tenant: str, sim_id: str
) -> simulation_pb2.Simulation:
    found: simulation_pb2.Simulation = await downstream(request).simulation.GetSimulation(
        simulation_pb2.GetSimulationRequest(tenant_id=tenant, id=sim_id),
    )
    return found


@router.get("/{simulation_id}", response_model=SimulationOut)
async def get_simulation(
    simulation_id: ResourceId, tenant: Tenant, request: Request
) -> dict[str, Any]:
    found = await get_simulation_pb(request, tenant, simulation_id)
    return simulation_out(found, await story_id_of(downstream(request), tenant, found))


@router.delete("/{simulation_id}", status_code=202, response_model=SimulationOut)
async def cancel_simulation(
    simulation_id: ResourceId, tenant: Tenant, request: Request
) -> dict[str, Any]:
    """Cancel: a queued simulation stops at once, a running one at its next turn."""
    cancelled = await downstream(request).simulation.CancelSimulation(
        simulation_pb2.CancelSimulationRequest(tenant_id=tenant, id=simulation_id),
    )
    return simulation_out(cancelled)


@router.post("/{simulation_id}/replay", status_code=202, response_model=SimulationOut)
async def replay_simulation(
    simulation_id: ResourceId, tenant: Tenant, request: Request, response: Response
) -> dict[str, Any]:
    """Run a finished simulation again with its recorded model answers, never calling
    the model: the story comes out the same, byte for byte."""
    created = await start_simulation(
        request,
        simulation_pb2.StartSimulationRequest(
            tenant_id=tenant,
            llm=simulation_pb2.LlmOptions(replay_of=simulation_id),
        ),
    )
    response.headers["Location"] = f"/v1/simulations/{created.id}"
    return simulation_out(created)


@router.get(
    "/{simulation_id}/events",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def simulation_event_stream(
    simulation_id: ResourceId,
    tenant: Tenant,
    request: Request,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID", max_length=64)] = None,
) -> EventSourceResponse:
    """Server-Sent Events: `turn`, `chapter`, `status` and finally `story`.

    Reconnect with the Last-Event-ID header to resume where the stream broke off.
    """
    bus = request.app.state.bus
    if await stored_owner(bus, simulation_id) != tenant:
        # Nothing stored yet, or not the caller's: the simulation service decides (404
        # for strangers), and its id is the one streamed.
        simulation_id = (await get_simulation_pb(request, tenant, simulation_id)).id
    events = simulation_events(bus, simulation_id, Position.parse(last_event_id))
    return EventSourceResponse(events, ping=int(request.app.state.settings.sse_ping_seconds))
