"""/v1/worlds end to end: a tenant defines a world, lists and reads it with the built-in
ones, runs a simulation in it, and deletes it; a broken world is a 4xx naming the rule."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import new_tenant_key
from tests.e2e.test_characters_api import assert_v1_error
from tests.e2e.test_simulations_api import start, story_of

pytestmark = pytest.mark.e2e

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "worlds" / "vellmar.json"


def vellmar(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"id": "vellmar", **json.loads(EXAMPLE.read_text(encoding="utf-8"))}
    return {**copy.deepcopy(body), **changes}


def test_a_world_defined_through_the_api_is_run_in_and_deleted(stack, api):
    created = api.post("/v1/worlds", json=vellmar())
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/v1/worlds/vellmar"
    world = created.json()
    assert world["builtin"] is False and world["objective"]["place"] == "the lamp tower"
    assert api.get("/v1/worlds/vellmar").json() == world
    assert_v1_error(api.post("/v1/worlds", json=vellmar()), 409)

    listed = api.get("/v1/worlds").json()["items"]
    builtins = [w["id"] for w in listed if w["builtin"]]
    assert len(builtins) >= 6 and "vellmar" in [w["id"] for w in listed if not w["builtin"]]
    assert api.get(f"/v1/worlds/{builtins[0]}").json()["places"]
    assert_v1_error(api.delete(f"/v1/worlds/{builtins[0]}"), 409)

    sim = start(api, turns=3, seed=2, world_id="vellmar")
    assert sim["world_id"] == "vellmar" and sim["setting"] == "Vellmar"
    story = story_of(api, sim["id"])
    text = " ".join(c["text"] for c in story["chapters"])
    assert "the glass quay" in text  # where everyone starts
    assert "Vellmar" in story["opening"]

    with httpx.Client(
        base_url=stack.url, headers={"Authorization": f"Bearer {new_tenant_key(stack, 'w2')}"}
    ) as other:
        assert_v1_error(other.get("/v1/worlds/vellmar"), 404)
        assert_v1_error(other.delete("/v1/worlds/vellmar"), 404)
        refused = other.post(
            "/v1/simulations",
            json={"character_ids": ["pilot", "kai"], "turns": 2, "world_id": "vellmar"},
        )
        assert_v1_error(refused, 404)

    assert api.delete("/v1/worlds/vellmar").status_code == 204
    assert_v1_error(api.get("/v1/worlds/vellmar"), 404)


@pytest.mark.parametrize(
    ("change", "status", "says"),
    [
        ({"paths": [["the glass quay", "the moon"]]}, 422, "'the moon' is not one of the places"),
        ({"paths": [["the glass quay", "the lamp tower"]]}, 422, "every place must be reachable"),
        ({"places": []}, 422, "places"),
        ({"hazards": [{"kind": "plague", "text": "x at {loc}", "cause": "x"}]}, 422, "kind"),
        ({"id": "Not An Id"}, 422, "id"),
        ({"objective": {"goal": "x"}}, 422, "objective"),
        ({"extra": 1}, 422, "extra"),
    ],
)
def test_a_broken_world_is_a_4xx_naming_the_rule(api, change, status, says):
    error = assert_v1_error(api.post("/v1/worlds", json=vellmar(**change)), status)
    assert says in json.dumps(error)
