"""PostgreSQL stopped and restarted under the pools: 503/UNAVAILABLE, never 500, and the
connections the restart broke are dropped so the next request gets a fresh one.

Each test runs its own PostgreSQL server (the session's is shared and must stay up).
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import grpc
import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy.ext.asyncio import AsyncEngine

from novel_dev import localinfra
from novel_engine.v1 import character_pb2, character_pb2_grpc
from novel_platform import migrations
from novel_platform.config import DatabaseSettings, GrpcServerSettings
from novel_platform.db import create_engine
from novel_platform.faults import is_transient
from novel_platform.grpc_server import LIVENESS_SERVICE, GrpcServer
from novel_platform.messaging import EventBus
from novel_platform.outbox import UnitOfWork
from novel_platform.readiness import Readiness, database_check, nats_check
from novel_platform.runtime import ServiceRuntime
from services.character.adapters.tables import outbox as character_outbox
from services.character.config import CharacterSettings
from services.character.entrypoints.grpc_api import CharacterServicer
from services.character.service.handlers import CharacterService
from services.gateway import errors
from services.gateway.adapters.api_keys import KeyStore, issue_key
from services.gateway.auth import Tenant
from tests.helpers import eventually

pytestmark = pytest.mark.integration


class Restartable:
    """A PostgreSQL server of the test's own that can be stopped and started again."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = localinfra.free_port()
        self.server: localinfra.LocalServer | None = None
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        self.server = localinfra.start_postgres(self.root, port=self.port, durable=False)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


@pytest.fixture
def pg(tmp_path: Path) -> Iterator[Restartable]:
    server = Restartable(tmp_path / "pg")
    server.start()
    assert server.server is not None
    data_dir = server.server.data_dir
    for schema, module in (("gateway", "services.gateway"), ("character", "services.character")):
        migrations.upgrade(module, schema, server.url)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
async def engine(pg: Restartable) -> AsyncIterator[AsyncEngine]:
    created = create_engine(DatabaseSettings(database_url=pg.url))
    yield created
    await created.dispose()


async def _one(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(sa.text("SELECT 1"))).scalar_one())


async def test_a_restart_fails_one_checkout_transiently_and_the_next_is_fresh(
    pg: Restartable, engine: AsyncEngine
) -> None:
    assert await _one(engine) == 1  # a pooled connection now exists
    pg.stop()
    pg.start()
    with pytest.raises(sa.exc.DBAPIError) as stale:
        await _one(engine)
    assert stale.value.connection_invalidated
    assert is_transient(stale.value)
    assert await _one(engine) == 1


def _gateway(keys: KeyStore) -> FastAPI:
    """The gateway's error handling and authentication on a route of its own."""
    app = FastAPI()
    errors.install(app)
    app.state.keys = keys
    app.state.rate_limit = None

    @app.get("/v1/whoami")
    async def whoami(tenant: Tenant) -> dict[str, str]:
        return {"tenant": tenant}

    return app


async def test_key_lookup_answers_503_while_down_and_survives_the_restart(
    pg: Restartable, engine: AsyncEngine
) -> None:
    issued = await issue_key(engine, "acme")
    # No caching: every request looks its key up, as after the cache expires.
    app = _gateway(KeyStore(engine, cache_seconds=0))
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {issued.key}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        assert (await client.get("/v1/whoami", headers=headers)).json() == {"tenant": "acme"}
        pg.stop()
        down = await client.get("/v1/whoami", headers=headers)
        assert down.status_code == 503
        assert down.headers["Retry-After"] == "1"
        assert down.json()["error"]["code"] == "service_unavailable"
        pg.start()
        # The pool's connection died with the server: the lookup retries on a fresh one.
        back = await client.get("/v1/whoami", headers=headers)
        assert back.status_code == 200, back.text
        assert back.json() == {"tenant": "acme"}


async def test_grpc_service_answers_unavailable_while_down_and_recovers(
    pg: Restartable, engine: AsyncEngine
) -> None:
    service = CharacterService(lambda: UnitOfWork(engine, character_outbox, None))
    server = GrpcServer(GrpcServerSettings(grpc_port=0, grpc_host="127.0.0.1"))
    servicer = CharacterServicer(service)
    server.add(
        lambda s: character_pb2_grpc.add_CharacterServiceServicer_to_server(servicer, s),
        "novel_engine.v1.CharacterService",
    )
    port = await server.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    stub = character_pb2_grpc.CharacterServiceStub(channel)
    request = character_pb2.ListCharactersRequest(tenant_id="acme")
    try:
        await stub.ListCharacters(request, timeout=10)
        pg.stop()
        with pytest.raises(grpc.aio.AioRpcError) as down:
            await stub.ListCharacters(request, timeout=10)
        assert down.value.code() == grpc.StatusCode.UNAVAILABLE
        pg.start()
        codes = []
        for _ in range(2):
            try:
                await stub.ListCharacters(request, timeout=10)
                codes.append(grpc.StatusCode.OK)
            except grpc.aio.AioRpcError as exc:
                codes.append(exc.code())
        # At most the first call meets a connection the restart broke; never INTERNAL.
        assert codes[-1] == grpc.StatusCode.OK
        assert set(codes) <= {grpc.StatusCode.OK, grpc.StatusCode.UNAVAILABLE}
    finally:
        await channel.close()
        await server.stop(0)


async def _health(channel: grpc.aio.Channel, service: str = "") -> int:
    reply = await health_pb2_grpc.HealthStub(channel).Check(
        health_pb2.HealthCheckRequest(service=service), timeout=5
    )
    return int(reply.status)


async def test_grpc_health_is_not_serving_while_the_database_is_down(
    pg: Restartable, nats_url: str
) -> None:
    """The runtime's health follows its own database: NOT_SERVING during the outage,
    SERVING again once the server is back (the broken pooled connection is dropped);
    the liveness name stays SERVING throughout."""
    settings = CharacterSettings(
        database_url=pg.url,
        nats_url=nats_url,
        grpc_port=0,
        grpc_host="127.0.0.1",
        metrics_port=0,
        readiness_interval_seconds=0.2,
    )
    runtime = ServiceRuntime("health-test", settings)

    async def setup(rt: ServiceRuntime) -> None:
        rt.open_database(settings)
        await rt.connect_bus()
        rt.serve_grpc(settings)

    running = asyncio.create_task(runtime.run(setup))
    serving = health_pb2.HealthCheckResponse.SERVING
    not_serving = health_pb2.HealthCheckResponse.NOT_SERVING
    try:

        async def listening() -> bool:
            return runtime.grpc is not None and runtime.grpc.port > 0

        assert await eventually(listening)
        assert runtime.grpc is not None
        async with grpc.aio.insecure_channel(f"127.0.0.1:{runtime.grpc.port}") as channel:
            assert await _health(channel) == serving
            pg.stop()
            assert await eventually(lambda: _is(channel, not_serving), timeout=20)
            # Liveness probes ask for their own name: restarting would not bring PG back.
            assert await _health(channel, LIVENESS_SERVICE) == serving
            pg.start()
            assert await eventually(lambda: _is(channel, serving), timeout=20)
    finally:
        runtime.request_stop()
        await running


async def _is(channel: grpc.aio.Channel, status: int) -> bool:
    return await _health(channel) == status


async def test_readiness_probe_follows_the_database_and_nats(
    pg: Restartable, engine: AsyncEngine, nats_url: str
) -> None:
    bus = EventBus()
    await bus.connect(nats_url, name="readiness-test")
    readiness = Readiness({"database": database_check(engine), "nats": nats_check(bus)})
    try:
        assert await readiness.probe() is True
        assert readiness.results == {"database": True, "nats": True}
        pg.stop()
        assert await readiness.probe() is False
        assert readiness.results == {"database": False, "nats": True}
        pg.start()
        # The restart broke the pooled connection: the check retries on a fresh one.
        assert await readiness.probe() is True
    finally:
        await bus.close()
    assert await readiness.probe() is False
    assert readiness.results["nats"] is False
