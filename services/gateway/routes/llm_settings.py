"""/v1/settings/llm: a tenant's own model backend, over the server's default."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from novel_engine.v1 import simulation_pb2
from services.gateway.auth import Tenant
from services.gateway.clients import downstream
from services.gateway.convert import llm_backend_out
from services.gateway.schemas import ERRORS, LlmBackendIn, LlmSettingsOut

router = APIRouter(prefix="/v1/settings/llm", tags=["settings"], responses=ERRORS)


def backend_pb(body: LlmBackendIn) -> simulation_pb2.LlmBackend:
    return simulation_pb2.LlmBackend(
        base_url=body.base_url,
        model=body.model,
        api_key=body.api_key,
        temperature=body.temperature,
        max_tokens=body.max_tokens,
        token_budget=body.token_budget,
    )


def settings_out(s: simulation_pb2.LlmSettings) -> dict[str, Any]:
    return {
        "backend": llm_backend_out(s.backend),
        "api_key_set": s.api_key_set,
        "input_tokens": s.input_tokens,
        "output_tokens": s.output_tokens,
    }


@router.put("", response_model=LlmSettingsOut)
async def put_llm_settings(body: LlmBackendIn, tenant: Tenant, request: Request) -> dict[str, Any]:
    """Replace this tenant's backend override; fields left out use the server's."""
    stored = await downstream(request).simulation.PutLlmSettings(
        simulation_pb2.PutLlmSettingsRequest(tenant_id=tenant, backend=backend_pb(body)),
    )
    return settings_out(stored)


@router.get("", response_model=LlmSettingsOut)
async def get_llm_settings(tenant: Tenant, request: Request) -> dict[str, Any]:
    """The override (never the key) and the tokens this tenant's simulations used."""
    found = await downstream(request).simulation.GetLlmSettings(
        simulation_pb2.GetLlmSettingsRequest(tenant_id=tenant)
    )
    return settings_out(found)
