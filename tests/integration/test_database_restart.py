"""PostgreSQL stopped and restarted under the pools: 503/UNAVAILABLE, never 500, and the
connections the restart broke are dropped so the next request gets a fresh one.

Each test runs its own PostgreSQL server (the session's is shared and must stay up).
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import grpc
import httpx
import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from novel_dev import localinfra
from novel_engine.v1 import character_pb2, character_pb2_grpc
from novel_platform import migrations
from novel_platform.config import DatabaseSettings, GrpcServerSettings
from novel_platform.db import create_engine
from novel_platform.faults import is_transient
from novel_platform.grpc_server import GrpcServer
from novel_platform.outbox import UnitOfWork
from services.character.adapters.tables import outbox as character_outbox
from services.character.entrypoints.grpc_api import CharacterServicer
from services.character.service.handlers import CharacterService
from services.gateway import errors
from services.gateway.adapters.api_keys import KeyStore, issue_key
from services.gateway.auth import Tenant

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
