"""Idempotency-Key on POST routes, through the running gateway and simulation service."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import grpc
import httpx
import pytest

from novel_cli.seeding import seed_roster
from novel_cli.stack import LocalStack
from novel_engine.v1 import simulation_pb2, simulation_pb2_grpc
from tests.e2e.conftest import new_tenant_key

pytestmark = pytest.mark.e2e

BODY = {"character_ids": ["pilot", "scientist", "marcus"], "turns": 2, "seed": 5}


@pytest.fixture
def fresh(stack: LocalStack) -> Iterator[httpx.Client]:
    """A tenant of its own with the starter roster, so its lists hold only this test's."""
    tenant = f"idem-{uuid.uuid4().hex[:8]}"
    key = new_tenant_key(stack, tenant)
    asyncio.run(seed_roster(f"127.0.0.1:{stack.ports['character']}", tenant))
    with httpx.Client(
        base_url=stack.url, headers={"Authorization": f"Bearer {key}"}, timeout=30
    ) as client:
        yield client


def _post(client: httpx.Client, path: str, body: dict, key: str) -> httpx.Response:
    return client.post(path, json=body, headers={"Idempotency-Key": key})


def test_a_retried_simulation_start_returns_the_first_and_creates_one(fresh):
    key = f"retry-{uuid.uuid4()}"
    first = _post(fresh, "/v1/simulations", BODY, key)
    again = _post(fresh, "/v1/simulations", BODY, key)
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    listed = fresh.get("/v1/simulations").json()["items"]
    assert [s["id"] for s in listed] == [first.json()["id"]]

    other = _post(fresh, "/v1/simulations", BODY, f"other-{uuid.uuid4()}")
    assert other.status_code == 202 and other.json()["id"] != first.json()["id"]


def test_the_same_key_with_another_body_is_refused(fresh):
    key = f"reuse-{uuid.uuid4()}"
    assert _post(fresh, "/v1/simulations", BODY, key).status_code == 202
    changed = _post(fresh, "/v1/simulations", {**BODY, "turns": 3}, key)
    assert changed.status_code == 422
    assert "different request" in changed.json()["error"]["message"]


def test_a_retried_character_create_gets_201_again_not_409(fresh):
    key = f"char-{uuid.uuid4()}"
    body = {"name": "Ada Quill", "role": "Archivist"}
    first = _post(fresh, "/v1/characters", body, key)
    again = _post(fresh, "/v1/characters", body, key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["etag"] == first.headers["etag"]
    # Without the key a second create is a conflict, as before.
    assert fresh.post("/v1/characters", json=body).status_code == 409


def test_keys_are_per_tenant(fresh, api):
    key = f"shared-{uuid.uuid4()}"
    mine = _post(fresh, "/v1/simulations", BODY, key)
    theirs = _post(api, "/v1/simulations", BODY, key)
    assert mine.status_code == theirs.status_code == 202
    assert mine.json()["id"] != theirs.json()["id"]


def test_a_bad_key_is_422(fresh):
    response = _post(fresh, "/v1/simulations", BODY, "x" * 256)
    assert response.status_code == 422


async def test_the_simulation_service_derives_one_simulation_per_key(stack: LocalStack):
    """Behind the gateway's record: a start repeated after the gateway died mid-request
    (its claim taken over) or racing its twin still finds the first simulation."""
    tenant = f"idem-{uuid.uuid4().hex[:8]}"
    await seed_roster(f"127.0.0.1:{stack.ports['character']}", tenant)
    request = simulation_pb2.StartSimulationRequest(
        tenant_id=tenant, character_ids=["pilot", "scientist"], turns=2
    )
    metadata = (("idempotency-key", "k-1"),)
    async with grpc.aio.insecure_channel(f"127.0.0.1:{stack.ports['simulation']}") as channel:
        stub = simulation_pb2_grpc.SimulationServiceStub(channel)
        twins = await asyncio.gather(
            *(stub.StartSimulation(request, metadata=metadata, timeout=10) for _ in range(4))
        )
        later = await stub.StartSimulation(request, metadata=metadata, timeout=10)
        listed = await stub.ListSimulations(
            simulation_pb2.ListSimulationsRequest(tenant_id=tenant), timeout=10
        )
    assert len({s.id for s in twins} | {later.id}) == 1
    assert [s.id for s in listed.simulations] == [later.id]
