"""The per-tenant cap on queued + running simulations (real PostgreSQL)."""

from __future__ import annotations

import grpc
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from novel_engine.v1 import simulation_pb2, simulation_pb2_grpc
from novel_platform.config import GrpcServerSettings
from novel_platform.errors import Overloaded
from novel_platform.grpc_server import GrpcServer
from novel_platform.outbox import UnitOfWork
from services.gateway.errors import from_rpc_error
from services.simulation.adapters.repository import SimulationRepository
from services.simulation.adapters.tables import outbox
from services.simulation.domain import CharacterSheet
from services.simulation.entrypoints.grpc_api import SimulationServicer
from services.simulation.service.handlers import SimulationService
from services.simulation.service.requests import StartRequest
from services.simulation.service.worlds import WorldService

pytestmark = pytest.mark.integration


class Roster:
    """A character directory that knows every id it is asked for."""

    async def sheets(self, tenant_id: str, ids: list[str]) -> list[CharacterSheet]:
        return [CharacterSheet(id=i, name=i.title()) for i in ids]


def _request(tenant: str) -> StartRequest:
    return StartRequest(tenant, ("pilot", "engineer"), 3, None, "", "", "", "epic")


async def test_a_tenant_past_its_cap_is_refused_until_one_finishes(
    engine: AsyncEngine, tenant: str
) -> None:
    def uow() -> UnitOfWork:
        return UnitOfWork(engine, outbox, None)

    service = SimulationService(uow, Roster(), max_active_per_tenant=2)
    first = await service.start(_request(tenant))
    await service.start(_request(tenant))
    with pytest.raises(Overloaded, match="2 simulations of this tenant are queued or running"):
        await service.start(_request(tenant))
    # Another tenant has a quota of its own.
    await service.start(_request(tenant + "-other"))

    async with uow() as unit:
        await SimulationRepository(unit.conn).update(first.id, status="completed")
        await unit.commit()
    assert (await service.start(_request(tenant))).status == "queued"


async def test_the_cap_reaches_clients_as_429_with_retry_after_and_ratelimit_headers(
    engine: AsyncEngine, tenant: str
) -> None:
    """Through the real gRPC edge: the quota rides in the trailing metadata, and the
    gateway's mapping answers 429 with the same headers as the per-key rate limit."""
    service = SimulationService(
        lambda: UnitOfWork(engine, outbox, None), Roster(), max_active_per_tenant=1
    )
    server = GrpcServer(GrpcServerSettings(grpc_port=0, grpc_host="127.0.0.1"))
    servicer = SimulationServicer(service, WorldService(lambda: UnitOfWork(engine, outbox, None)))
    server.add(
        lambda s: simulation_pb2_grpc.add_SimulationServiceServicer_to_server(servicer, s),
        "novel_engine.v1.SimulationService",
    )
    port = await server.start()
    message = simulation_pb2.StartSimulationRequest(
        tenant_id=tenant, character_ids=["pilot", "engineer"], turns=2
    )
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = simulation_pb2_grpc.SimulationServiceStub(channel)
            await stub.StartSimulation(message, timeout=10)
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await stub.StartSimulation(message, timeout=10)
    finally:
        await server.stop(0)
    assert refused.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    answer = from_rpc_error(refused.value)
    assert answer.status == 429
    assert "at most 1" in answer.message
    assert answer.headers == {
        "Retry-After": "1",
        "RateLimit-Limit": "1",
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": "1",
        "RateLimit-Policy": "1;w=1",
    }
