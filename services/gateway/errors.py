"""One error envelope for every failure; no stack trace ever reaches a client.

/v1 routes answer {"error": {"code", "message", "details"}}; the older routes keep the
shape their clients parse: {"error": "<reason phrase>", "detail": "..."}.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

import grpc
import nats.errors
import psycopg
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from novel_platform.faults import is_transient
from novel_platform.grpc_server import QUOTA_LIMIT_KEY

log = structlog.get_logger(__name__)

GRPC_TO_HTTP = {
    grpc.StatusCode.INVALID_ARGUMENT: 422,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.UNAVAILABLE: 503,
    # A server shutting down cancels calls that reach it too late: retryable.
    grpc.StatusCode.CANCELLED: 503,
    # No answer within the deadline (a service or its database down): retryable. Only the
    # older synchronous route answers 504, with the simulation id, at its own deadline.
    grpc.StatusCode.DEADLINE_EXCEEDED: 503,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.PERMISSION_DENIED: 403,
}
# Messages of these codes are written for clients; others may carry internals.
_CLIENT_SAFE = {400, 401, 403, 404, 406, 409, 413, 415, 422, 429}
RETRY_AFTER = {"Retry-After": "1"}
# Failures of the gateway's own I/O (the API-key and idempotency tables, NATS): 503 when
# transient, else 500. Handled here rather than by the catch-all, which re-raises.
_IO_ERRORS = (sa_exc.SQLAlchemyError, psycopg.Error, nats.errors.Error, OSError)


class ApiError(Exception):
    def __init__(
        self, status: int, message: str, details: Any = None, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details
        self.headers = headers


def _code(status: int) -> str:
    try:
        return HTTPStatus(status).name.lower()
    except ValueError:
        return "error"


def envelope(path: str, status: int, message: str, details: Any = None) -> dict[str, Any]:
    if path.startswith("/v1/"):
        return {"error": {"code": _code(status), "message": message, "details": details}}
    return {"error": HTTPStatus(status).phrase, "detail": message}


def error_response(
    request: Request, status: int, message: str, details: Any = None, headers: Any = None
) -> JSONResponse:
    return JSONResponse(
        envelope(request.url.path, status, message, details), status_code=status, headers=headers
    )


def quota_headers(exc: grpc.aio.AioRpcError) -> dict[str, str]:
    """Retry-After, plus the RateLimit headers when a service names the quota reached (a
    tenant's concurrent simulations): the same headers as the per-key rate limit."""
    limit = next((str(v) for k, v in exc.trailing_metadata() or () if k == QUOTA_LIMIT_KEY), "")
    if not limit:
        return RETRY_AFTER
    return {
        **RETRY_AFTER,
        "RateLimit-Limit": limit,
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": RETRY_AFTER["Retry-After"],
        # A cap on work in flight, not on a window: `w` is how often to look again.
        "RateLimit-Policy": f"{limit};w={RETRY_AFTER['Retry-After']}",
    }


def from_rpc_error(exc: grpc.aio.AioRpcError) -> ApiError:
    status = GRPC_TO_HTTP.get(exc.code(), 502)
    headers = None
    if status == 429:
        headers = quota_headers(exc)
    elif status == 503:
        headers = RETRY_AFTER
    if status in _CLIENT_SAFE:
        return ApiError(status, exc.details() or HTTPStatus(status).phrase, headers=headers)
    log.warning("upstream_error", code=exc.code().name, detail=exc.details())
    return ApiError(status, HTTPStatus(status).phrase, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(request, exc.status, exc.message, exc.details, exc.headers)

    @app.exception_handler(grpc.aio.AioRpcError)
    async def _rpc_error(request: Request, exc: grpc.aio.AioRpcError) -> JSONResponse:
        err = from_rpc_error(exc)
        return error_response(request, err.status, err.message, err.details, err.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            {"field": ".".join(str(p) for p in e["loc"] if p != "body"), "message": e["msg"]}
            for e in exc.errors()
        ]
        summary = "; ".join(f"{d['field'] or 'body'}: {d['message']}" for d in details[:5])
        return error_response(request, 422, summary or "invalid request", details)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = exc.headers
        if exc.status_code == 405:
            allowed = allowed_methods(app, request.url.path)
            if allowed:
                headers = {**(headers or {}), "Allow": allowed}
        return error_response(request, exc.status_code, str(exc.detail), None, headers)

    async def _io_error(request: Request, exc: Exception) -> JSONResponse:
        if is_transient(exc):
            log.warning("dependency_unavailable", error=type(exc).__name__)
            return unavailable(request)
        log.error("unhandled_error", exc_info=exc)
        return error_response(request, 500, "internal error")

    for io_error in _IO_ERRORS:
        app.add_exception_handler(io_error, _io_error)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        if is_transient(exc):
            return unavailable(request)
        log.error("unhandled_error", exc_info=exc)
        return error_response(request, 500, "internal error")


def allowed_methods(app: FastAPI, path: str) -> str:
    """The methods the OpenAPI schema gives this path (Starlette's 405 names only the
    first route it tried, and several routes serve one path here)."""
    table: list[tuple[re.Pattern[str], str]] | None = getattr(app.state, "allow_table", None)
    if table is None:
        table = []
        for template, operations in app.openapi()["paths"].items():
            pattern = re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template))
            methods = ", ".join(sorted(m.upper() for m in operations))
            table.append((re.compile(f"^{pattern}$"), methods))
        app.state.allow_table = table
    return next((methods for pattern, methods in table if pattern.match(path)), "")


def unavailable(request: Request) -> JSONResponse:
    """503 + Retry-After: a dependency is briefly out of reach."""
    return error_response(
        request, 503, "temporarily unavailable, retry shortly", headers=RETRY_AFTER
    )
