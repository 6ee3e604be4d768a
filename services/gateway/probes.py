"""The liveness answers, served ahead of FastAPI.

`GET /health` is a quarter of the older clients' traffic and `GET /healthz` is every
kubelet's liveness probe. Neither needs a key, a request id, a metric or any state, yet
through FastAPI's routing and our middleware each cost several times the work of
writing its bytes (`make bench-cost`). This wrapper writes the same bytes as the
documented routes (`routes/health.py`) before any of that runs; everything else,
`/readyz` included, goes to the app.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from services.gateway.middleware import send_json
from services.gateway.routes.health import ANSWERS


class Probes:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        answer = ANSWERS.get(scope["path"]) if scope["type"] == "http" else None
        if answer is None or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        await send_json(send, 200, answer())
