"""Bearer API-key authentication: every API route resolves the caller's tenant."""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.gateway.adapters.api_keys import KEY_FORMAT
from services.gateway.errors import ApiError

_bearer = HTTPBearer(auto_error=False, description="API key: `Authorization: Bearer ne_...`")


async def tenant(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise ApiError(
            401,
            "missing API key: send Authorization: Bearer <key>",
            headers={"WWW-Authenticate": "Bearer"},
        )
    tenant_id: str | None = await request.app.state.keys.tenant_for(credentials.credentials)
    if tenant_id is None:
        raise ApiError(401, "invalid or revoked API key", headers={"WWW-Authenticate": "Bearer"})
    structlog.contextvars.bind_contextvars(tenant=tenant_id)
    limit = request.app.state.rate_limit
    if limit is not None:
        match = KEY_FORMAT.match(credentials.credentials)
        assert match is not None  # a key that resolved has the format
        await limit.hit(match.group(1))
    return tenant_id


Tenant = Annotated[str, Depends(tenant)]
