"""/v1/worlds: the built-in worlds and a tenant's own (create, list, get, delete)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from novel_engine.v1 import simulation_pb2
from novel_platform.worlds import world_message
from services.gateway.auth import Tenant
from services.gateway.clients import downstream
from services.gateway.convert import world_out
from services.gateway.params import ResourceId
from services.gateway.schemas import ERRORS, WorldCreate, WorldList, WorldOut

router = APIRouter(prefix="/v1/worlds", tags=["worlds"], responses=ERRORS)


@router.post("", status_code=201, response_model=WorldOut)
async def create_world(
    body: WorldCreate, tenant: Tenant, request: Request, response: Response
) -> dict[str, Any]:
    """Define a world; a simulation runs in it with `"world_id"`."""
    created = await downstream(request).simulation.CreateWorld(
        simulation_pb2.CreateWorldRequest(
            tenant_id=tenant, world=world_message(body.id, body.model_dump(exclude={"id"}))
        ),
    )
    response.headers["Location"] = f"/v1/worlds/{created.id}"
    return world_out(created)


@router.get("", response_model=WorldList)
async def list_worlds(tenant: Tenant, request: Request) -> dict[str, Any]:
    """The built-in worlds, then the tenant's own (at most 50), oldest first."""
    reply = await downstream(request).simulation.ListWorlds(
        simulation_pb2.ListWorldsRequest(tenant_id=tenant)
    )
    return {"items": [world_out(w) for w in reply.worlds]}


@router.get("/{world_id}", response_model=WorldOut)
async def get_world(world_id: ResourceId, tenant: Tenant, request: Request) -> dict[str, Any]:
    found = await downstream(request).simulation.GetWorld(
        simulation_pb2.GetWorldRequest(tenant_id=tenant, id=world_id)
    )
    return world_out(found)


@router.delete("/{world_id}", status_code=204)
async def delete_world(world_id: ResourceId, tenant: Tenant, request: Request) -> Response:
    """Delete one of the tenant's worlds; runs already started in it go on."""
    await downstream(request).simulation.DeleteWorld(
        simulation_pb2.DeleteWorldRequest(tenant_id=tenant, id=world_id),
    )
    return Response(status_code=204)
