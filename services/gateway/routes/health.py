"""Liveness, readiness and the older clients' /health. No authentication."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

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


@router.get("/health")
async def health() -> dict[str, Any]:
    return {
        "status": "healthy",
        "version": __version__,
        "timestamp": datetime.now(UTC).isoformat(),
        "uptime": round(time.monotonic() - _STARTED, 3),
    }
