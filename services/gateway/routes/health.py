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


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is alive (event loop answering)."""
    return {"status": "ok"}


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
    """The older clients' health check, a quarter of their traffic: its bytes are
    written directly (FastAPI's response validation would double its cost)."""
    body = {
        "status": "healthy",
        "version": __version__,
        "timestamp": datetime.now(UTC).isoformat(),
        "uptime": round(time.monotonic() - _STARTED, 3),
    }
    return Response(orjson.dumps(body), media_type="application/json")
