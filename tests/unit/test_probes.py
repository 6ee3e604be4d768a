"""The liveness answers served ahead of the app: the documented bodies, nothing else."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any

import orjson

from services.gateway.probes import Probes
from services.gateway.routes.health import HealthAnswer, Liveness


def call(method: str, path: str) -> tuple[list[MutableMapping[str, Any]], list[str]]:
    reached: list[str] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    sent: list[MutableMapping[str, Any]] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    scope = {"type": "http", "method": method, "path": path, "headers": []}
    asyncio.run(Probes(inner)(scope, receive, send))
    return sent, reached


def test_health_and_liveness_are_answered_with_their_documented_bodies() -> None:
    for path, model in (("/health", HealthAnswer), ("/healthz", Liveness)):
        sent, reached = call("GET", path)
        assert reached == []
        start, body = sent
        assert start["status"] == 200
        headers = dict(start["headers"])
        assert headers[b"content-type"] == b"application/json"
        assert int(headers[b"content-length"]) == len(body["body"])
        model.model_validate(orjson.loads(body["body"]))
    assert orjson.loads(call("GET", "/health")[0][1]["body"])["status"] == "healthy"


def test_everything_else_reaches_the_app() -> None:
    for method, path in (("GET", "/readyz"), ("POST", "/health"), ("GET", "/v1/characters")):
        sent, reached = call(method, path)
        assert reached == [path] and sent[0]["status"] == 204
