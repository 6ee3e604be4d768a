"""Pure ASGI middleware (cheaper than BaseHTTPMiddleware): request ids and request
durations, body limit, load shedding."""

from __future__ import annotations

import time
import uuid
from typing import Any

import orjson
import structlog
from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from novel_platform import semconv, telemetry
from services.gateway.errors import envelope

_REQUEST_ID = b"x-request-id"
_duration = telemetry.meter(__name__).create_histogram(
    semconv.HTTP_SERVER_DURATION, unit="s", description="HTTP requests served, by route"
)


class RequestContext:
    """Accepts or assigns X-Request-ID, binds it to logs, echoes it back, and records
    the request's duration by route template (one histogram sample: the OpenTelemetry
    instrumentation's middleware cost a third of a plain request, so it runs only
    when traces are exported). Probes are not recorded: they would swamp the routes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(_REQUEST_ID, b"").decode("latin-1")
        request_id = given if 0 < len(given) <= 128 and given.isprintable() else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id

        status = 500  # unless a response starts

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (_REQUEST_ID, request_id.encode()),
                ]
            await send(message)

        started = time.perf_counter()
        try:
            with structlog.contextvars.bound_contextvars(request_id=request_id):
                await self.app(scope, receive, send_with_id)
        finally:
            if scope["path"] not in telemetry.HEALTH_PATHS:
                self._record(scope, status, time.perf_counter() - started)

    @staticmethod
    def _record(scope: Scope, status: int, seconds: float) -> None:
        route = scope.get("route")
        _duration.record(
            seconds,
            {
                "http.request.method": scope["method"],
                # The template, never the path: ids would make a series each.
                "http.route": getattr(route, "path", "unmatched"),
                "http.response.status_code": status,
            },
        )


class BodyLimit:
    """Answers 413 before reading more than `limit` bytes of a request body
    (`upload_limit` on the upload routes, whose files are larger than any JSON body)."""

    def __init__(
        self,
        app: ASGIApp,
        limit: int,
        upload_limit: int = 0,
        upload_paths: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self.default_limit = limit
        self.upload_limit = upload_limit or limit
        self.upload_paths = upload_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.upload_limit if scope["path"] in self.upload_paths else self.default_limit
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self._reject(scope, send, limit)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # A chunked body with no Content-Length: the route's body reader
                    # passes HTTPException through, and the error handler renders it.
                    raise HTTPException(413, f"request body larger than {limit} bytes")
            return message

        await self.app(scope, limited_receive, send)

    async def _reject(self, scope: Scope, send: Send, limit: int) -> None:
        body: Any = envelope(scope["path"], 413, f"request body larger than {limit} bytes")
        await send_json(send, 413, orjson.dumps(body), (b"connection", b"close"))


class LoadShedder:
    """Answers 503 + Retry-After at once when too many requests are in flight.

    Past capacity, queueing only turns every request into a timeout; refusing the
    excess quickly keeps latency bounded for the rest and tells clients when to retry.
    Health checks are never shed (a busy pod is not a dead one). Long-lived requests
    (SSE streams, the synchronous simulation route) wait on events rather than CPU, so
    they count separately against their own, larger limit.
    """

    def __init__(self, app: ASGIApp, limit: int, waiting_limit: int) -> None:
        self.app = app
        self.limit = limit
        self.waiting_limit = waiting_limit
        self.busy = 0
        self.waiting = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in telemetry.HEALTH_PATHS:
            await self.app(scope, receive, send)
            return
        long_lived = scope["path"] == "/simulations" or scope["path"].endswith("/events")
        if long_lived:
            if self.waiting >= self.waiting_limit:
                await _shed(scope, send)
                return
            self.waiting += 1
        else:
            if self.busy >= self.limit:
                await _shed(scope, send)
                return
            self.busy += 1
        try:
            await self.app(scope, receive, send)
        finally:
            if long_lived:
                self.waiting -= 1
            else:
                self.busy -= 1


async def _shed(scope: Scope, send: Send) -> None:
    payload = orjson.dumps(envelope(scope["path"], 503, "overloaded: retry shortly"))
    await send_json(send, 503, payload, (b"retry-after", b"1"))


async def send_json(send: Send, status: int, body: bytes, *headers: tuple[bytes, bytes]) -> None:
    """A whole JSON response written straight to ASGI, for answers given before the app."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
