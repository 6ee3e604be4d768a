"""The gateway sheds load with 503 + Retry-After instead of queueing into timeouts."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from services.gateway.middleware import LoadShedder


def slow_app(release: asyncio.Event):
    async def app(scope, receive, send):
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    return app


async def test_requests_beyond_the_limit_get_503_with_retry_after():
    release = asyncio.Event()
    shedder = LoadShedder(slow_app(release), limit=2, waiting_limit=1)
    transport = httpx.ASGITransport(app=shedder)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
        held = [asyncio.create_task(client.get("/v1/characters")) for _ in range(2)]
        await asyncio.sleep(0.05)
        shed = await client.get("/v1/characters")
        assert shed.status_code == 503
        assert shed.headers["retry-after"] == "1"
        assert shed.json()["error"]["code"] == "service_unavailable"
        legacy = await client.get("/characters")
        assert legacy.status_code == 503 and set(legacy.json()) == {"error", "detail"}
        # Health checks are never shed; long-lived requests have their own budget.
        release_health = asyncio.create_task(client.get("/healthz"))
        waiting = asyncio.create_task(client.post("/simulations"))
        await asyncio.sleep(0.05)
        assert (await client.post("/simulations")).status_code == 503
        release.set()
        assert [r.status_code for r in await asyncio.gather(*held)] == [200, 200]
        assert (await release_health).status_code == 200
        assert (await waiting).status_code == 200
        assert shedder.busy == 0 and shedder.waiting == 0


def test_simulation_starts_beyond_the_limit_are_refused_with_503():
    from services.gateway.admission import StartAdmission
    from services.gateway.errors import ApiError

    admission = StartAdmission(limit=2)
    with admission.slot(), admission.slot():
        with pytest.raises(ApiError) as refused, admission.slot():
            pass
        assert refused.value.status == 503
        assert refused.value.headers == {"Retry-After": "1"}
        assert admission.in_flight == 2
    # Slots are given back, also when the start itself failed.
    with pytest.raises(RuntimeError), admission.slot():
        raise RuntimeError("downstream failed")
    assert admission.in_flight == 0
    with admission.slot():
        assert admission.in_flight == 1
