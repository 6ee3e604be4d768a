"""Liveness, readiness and the older clients' /health. No authentication."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from novel_platform import __version__
from novel_platform.readiness import Readiness

router = APIRouter(tags=["health"])
_STARTED = time.monotonic()


def liveness_body() -> bytes:
    return b'{"status":"ok"}'


def health_body() -> bytes:
    return orjson.dumps(
        {
            "status": "healthy",
            "version": __version__,
            "timestamp": datetime.now(UTC).isoformat(),
            "uptime": round(time.monotonic() - _STARTED, 3),
        }
    )


# The answers `services.gateway.probes` serves ahead of the app (the routes below are
# their documented form, and what an app without that wrapper answers).
ANSWERS = {"/healthz": liveness_body, "/health": health_body}


class Liveness(BaseModel):
    status: str


@router.get("/healthz", response_model=Liveness)
async def healthz() -> Response:
    """The process is alive (event loop answering)."""
    return Response(liveness_body(), media_type="application/json")


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """Ready when this process reaches its PostgreSQL and NATS, from the background
    probe's last verdict (no I/O here). The downstream services' gRPC health is shown
    but not required: every gateway shares them, so a slow one must not take every
    gateway out of rotation (their calls answer 503 + Retry-After meanwhile)."""
    readiness: Readiness = request.app.state.readiness
    ready = readiness.ready
    return JSONResponse(
        {
            "status": "ready" if ready else "not ready",
            "checks": readiness.results,
            "probed_at": readiness.probed_at,
        },
        status_code=200 if ready else 503,
    )


class HealthAnswer(BaseModel):
    status: str
    version: str
    timestamp: str
    uptime: float


@router.get("/health", response_model=HealthAnswer)
async def health() -> Response:
    """The older clients' health check."""
    return Response(health_body(), media_type="application/json")
