"""The per-key rate limit, counted in PostgreSQL and shared by two gateway processes'
worth of apps (each with its own engine, pools and caches)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from novel_dev import localinfra
from novel_platform.config import DatabaseSettings
from novel_platform.db import create_engine
from services.gateway.adapters.api_keys import issue_key
from services.gateway.app import create_app
from services.gateway.config import GatewaySettings

pytestmark = pytest.mark.integration


@contextlib.asynccontextmanager
async def _gateway(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            yield client


async def test_the_limit_is_shared_by_gateway_processes_and_answers_429(
    database_url: str, nats_url: str, tenant: str
) -> None:
    engine = create_engine(DatabaseSettings(database_url=database_url))
    key = (await issue_key(engine, tenant)).key
    other = (await issue_key(engine, tenant)).key
    await engine.dispose()
    nowhere = f"127.0.0.1:{localinfra.free_port()}"  # past the limit check, calls fail: 503
    settings = GatewaySettings(
        database_url=database_url,
        nats_url=nats_url,
        rate_limit="3/minute",
        metrics_port=0,
        character_addr=nowhere,
        simulation_addr=nowhere,
        story_addr=nowhere,
        rpc_timeout_seconds=1,
    )
    headers = {"Authorization": f"Bearer {key}"}
    async with _gateway(create_app(settings)) as one, _gateway(create_app(settings)) as two:
        answers = [
            (await one.get("/v1/characters", headers=headers)).status_code,
            (await two.get("/v1/characters", headers=headers)).status_code,
            (await one.get("/v1/characters", headers=headers)).status_code,
        ]
        assert 429 not in answers  # three allowed, wherever they landed
        for client in (one, two):
            refused = await client.get("/v1/characters", headers=headers)
            assert refused.status_code == 429
            assert refused.json()["error"]["code"] == "too_many_requests"
            reset = int(refused.headers["Retry-After"])
            assert 1 <= reset <= 60
            assert refused.headers["RateLimit-Limit"] == "3"
            assert refused.headers["RateLimit-Remaining"] == "0"
            assert refused.headers["RateLimit-Reset"] == str(reset)
            assert refused.headers["RateLimit-Policy"] == "3;w=60"
        # Per key: another key of the same tenant has its own budget.
        fresh = await one.get("/v1/characters", headers={"Authorization": f"Bearer {other}"})
        assert fresh.status_code != 429
        # Health checks and bad keys are never counted.
        assert (await one.get("/healthz")).status_code == 200
        bad = await one.get("/v1/characters", headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401
