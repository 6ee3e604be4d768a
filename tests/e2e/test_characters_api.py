"""The HTTP API end to end: gateway → gRPC → character service → PostgreSQL."""

from __future__ import annotations

import asyncio
import time

import grpc
import httpx
import pytest
from google.protobuf import field_mask_pb2

from novel_engine.v1 import character_pb2, character_pb2_grpc
from tests.e2e.conftest import new_tenant_key

pytestmark = pytest.mark.e2e

STARTERS = {"pilot", "scientist", "engineer", "test", "aria", "zara", "marcus", "elena", "kai"}


def assert_v1_error(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert {"code", "message", "details"} <= set(body["error"])
    assert "Traceback" not in response.text
    return body["error"]


def test_health_routes_need_no_key(stack):
    with httpx.Client(base_url=stack.url) as anonymous:
        assert anonymous.get("/healthz").json() == {"status": "ok"}
        ready = anonymous.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {
            "database": True,
            "nats": True,
            "character": True,
            "simulation": True,
            "story": True,
        }
        health = anonymous.get("/health").json()
        assert set(health) == {"status", "version", "timestamp", "uptime"}
        assert anonymous.get("/openapi.json").json()["info"]["title"] == "Novel Engine"
        assert anonymous.get("/docs").status_code == 200


def test_dev_tenant_sees_the_starter_roster_on_both_apis(api):
    ids, token = [], None
    while True:
        page = api.get(
            "/v1/characters", params={"page_size": 4, **({"page_token": token} if token else {})}
        )
        assert page.status_code == 200
        ids += [c["id"] for c in page.json()["items"]]
        token = page.json()["next_page_token"]
        if not token:
            break
    assert set(ids) >= STARTERS
    legacy = api.get("/characters")
    assert legacy.status_code == 200
    assert legacy.json() == {"characters": ids}
    pilot = api.get("/characters/pilot").json()
    assert pilot["name"] and pilot["stats"]["dexterity"] == 9


def test_create_read_update_delete(api):
    created = api.post(
        "/v1/characters",
        json={
            "name": "Ivo Brandt",
            "faction": "Free Traders",
            "traits": {"courage": 0.4},
            "stats": {"strength": 6},
            "relationships": {"zara": -0.5},
            "goals": ["Get rich"],
        },
    )
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/v1/characters/ivo-brandt"
    body = created.json()
    assert (
        body["version"] == 1 and body["stats"]["strength"] == 6 and body["stats"]["charisma"] == 5
    )
    assert api.get(created.headers["location"]).json()["name"] == "Ivo Brandt"

    patched = api.patch(
        "/v1/characters/ivo-brandt", json={"role": "Fixer"}, headers={"If-Match": '"1"'}
    )
    assert patched.status_code == 200 and patched.json()["version"] == 2
    assert patched.headers["etag"] == '"2"'
    stale = api.patch(
        "/v1/characters/ivo-brandt", json={"role": "Other"}, headers={"If-Match": '"1"'}
    )
    assert assert_v1_error(stale, 409)["code"] == "conflict"

    listed = api.get("/v1/characters", params={"faction": "Free Traders", "name": "brandt"}).json()
    assert [c["id"] for c in listed["items"]] == ["ivo-brandt"]

    assert api.delete("/v1/characters/ivo-brandt").status_code == 204
    assert_v1_error(api.get("/v1/characters/ivo-brandt"), 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Strong", "stats": {"strength": 11}}, "stats.strength"),
        ({"name": "Brave", "traits": {"courage": 1.5}}, "traits.courage"),
        ({"faction": "Nameless"}, "name"),
        ({"name": "Bad id", "id": "Bad Id!"}, "id"),
        ({"name": "Extra", "superpower": "flight"}, "superpower"),
        ({"name": "Float stat", "stats": {"strength": 5.5}}, "stats.strength"),
    ],
)
def test_invalid_characters_get_422_naming_the_field(api, body, field):
    error = assert_v1_error(api.post("/v1/characters", json=body), 422)
    assert field in [d["field"] for d in error["details"]]


def test_duplicate_id_is_409(api):
    error = assert_v1_error(
        api.post("/v1/characters", json={"id": "pilot", "name": "Another"}), 409
    )
    assert "pilot" in error["message"]


def test_body_over_one_mebibyte_is_413(api):
    huge = {"name": "Big", "backstory": "x" * (1024 * 1024 + 10)}
    assert_v1_error(api.post("/v1/characters", json=huge), 413)


def test_chunked_body_over_the_limit_is_413(api):
    def chunks():
        for _ in range(20):
            yield b"x" * 65536

    response = api.post(
        "/v1/characters", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_v1_error(response, 413)


def test_not_json_is_422(api):
    response = api.post(
        "/v1/characters", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert_v1_error(response, 422)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer ne_aaaaaaaaaaaa_wrongwrongwrongwrongwrong"},
        {"Authorization": "Basic abc"},
    ],
)
def test_missing_or_wrong_key_is_401(stack, headers):
    with httpx.Client(base_url=stack.url, headers=headers) as client:
        assert_v1_error(client.get("/v1/characters"), 401)
        legacy = client.get("/characters")
        assert legacy.status_code == 401
        assert set(legacy.json()) == {"error", "detail"}


def test_tenants_are_isolated(stack, api):
    other_key = new_tenant_key(stack, "other-tenant")
    with httpx.Client(
        base_url=stack.url, headers={"Authorization": f"Bearer {other_key}"}
    ) as other:
        assert other.get("/v1/characters").json()["items"] == []
        assert other.get("/characters").json() == {"characters": []}
        assert_v1_error(other.get("/v1/characters/pilot"), 404)
        assert_v1_error(other.patch("/v1/characters/pilot", json={"name": "Mine"}), 404)
        assert_v1_error(other.delete("/v1/characters/pilot"), 404)
        # The same id may exist in both tenants without touching the other.
        assert (
            other.post("/v1/characters", json={"id": "pilot", "name": "Other Pilot"}).status_code
            == 201
        )
    assert api.get("/v1/characters/pilot").json()["name"] == "Rhea Voss"


def test_legacy_errors_keep_the_old_shape(api):
    response = api.get("/characters/nobody")
    assert response.status_code == 404
    assert response.json() == {"error": "Not Found", "detail": "Character 'nobody' not found"}


def test_request_id_is_echoed(api):
    response = api.get("/v1/characters/pilot", headers={"X-Request-ID": "trace-me-123"})
    assert response.headers["x-request-id"] == "trace-me-123"


def test_cached_reads_follow_every_change(api, stack):
    """Reads are served from the gateway's cache; a change is seen at once through the
    gateway that made it, and through the change event when made elsewhere."""
    key = new_tenant_key(stack, "cache-e2e")
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=stack.url, headers=headers, timeout=30) as client:
        body = {"name": "Oren Hask", "role": "Courier", "faction": "Tidewatch"}
        assert client.post("/v1/characters", json=body).status_code == 201
        first = client.get("/v1/characters/oren-hask")
        etag = first.headers["ETag"]
        assert client.get("/characters").json() == {"characters": ["oren-hask"]}
        # The same version again: 304, no body.
        again = client.get("/v1/characters/oren-hask", headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.headers["ETag"] == etag and not again.content
        # Read your own write.
        patched = client.patch(
            "/v1/characters/oren-hask", json={"role": "Smuggler"}, headers={"If-Match": etag}
        )
        assert patched.status_code == 200
        assert client.get("/characters/oren-hask").json()["role"] == "Smuggler"
        assert (
            client.get("/v1/characters/oren-hask", headers={"If-None-Match": etag}).status_code
            == 200
        )
        # A change the gateway did not make (another gateway replica's): the event.
        changed_elsewhere = asyncio.run(_update_role(stack, "cache-e2e", "oren-hask", "Captain"))
        assert changed_elsewhere == 3
        deadline = time.monotonic() + 10
        while client.get("/characters/oren-hask").json()["role"] != "Captain":
            assert time.monotonic() < deadline, "the change event never refreshed the cache"
            time.sleep(0.05)
        assert client.delete("/v1/characters/oren-hask").status_code == 204
        assert client.get("/characters/oren-hask").status_code == 404
        assert client.get("/characters").json() == {"characters": []}
        # Made again under the same id (version 1 again): read as made, not as it was.
        assert client.post("/v1/characters", json={**body, "role": "Pilot"}).status_code == 201
        assert client.get("/characters/oren-hask").json()["role"] == "Pilot"
        assert client.get("/v1/characters/oren-hask").json()["role"] == "Pilot"


async def _update_role(stack, tenant: str, cid: str, role: str) -> int:
    """Straight to the character service over gRPC, bypassing the gateway."""
    async with grpc.aio.insecure_channel(f"127.0.0.1:{stack.ports['character']}") as channel:
        stub = character_pb2_grpc.CharacterServiceStub(channel)
        updated = await stub.UpdateCharacter(
            character_pb2.UpdateCharacterRequest(
                tenant_id=tenant,
                character=character_pb2.Character(id=cid, role=role),
                update_mask=field_mask_pb2.FieldMask(paths=["role"]),
            )
        )
    return int(updated.version)


def test_what_fuzzing_found_answers_4xx_not_5xx(api):
    """Inputs Schemathesis found that used to answer 500/502."""
    # NUL cannot be stored in PostgreSQL text: 422 at the door (it was a 502).
    nul = api.post("/v1/characters", json={"name": "x", "goals": ["a\u0000b"]})
    assert_v1_error(nul, 422)
    assert_v1_error(api.get("/v1/characters", params={"name": "a\u0000b"}), 422)
    # A version past int64 (it was a 500 from the protobuf encoder).
    huge = api.patch("/v1/characters/pilot", json={"name": "P", "version": 2**80})
    assert_v1_error(huge, 422)
    # "²" is a digit to str.isdigit() but not to int().
    sup = api.patch(
        "/v1/characters/pilot", json={"name": "P"}, headers={"If-Match": '"²"'.encode()}
    )
    assert_v1_error(sup, 422)
    # An If-Match version past int64, on a write and a delete (it was a 500).
    long_tag = {"If-Match": '"1775156711094847969249863079710'}
    assert_v1_error(api.patch("/v1/characters/pilot", json={"name": "P"}, headers=long_tag), 422)
    assert_v1_error(api.delete("/v1/characters/pilot", headers=long_tag), 422)
    # 405 names every method of the path, not only the first route's.
    wrong = api.put("/v1/characters")
    assert_v1_error(wrong, 405)
    assert wrong.headers["allow"] == "GET, POST"
    assert api.put("/v1/characters/pilot").headers["allow"] == "DELETE, GET, PATCH"
