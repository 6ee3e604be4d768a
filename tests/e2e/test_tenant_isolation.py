"""Tenant isolation under fuzzing: two tenants, each with characters, a finished story
and a campaign; Hypothesis picks a tenant, a route and the OTHER tenant's id (or
Idempotency-Key), over every route that takes an id: read, stream, list, update,
cancel, delete, start a simulation or a campaign run with it, fork it, steer it, read a
character's knowledge in it, list its branches, diff its story. Every answer must be 404
(never 403, never 2xx); afterwards the other tenant's data is untouched, and lists never
show another tenant's ids."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from novel_cli.stack import LocalStack
from tests.e2e.tenants import SeededTenant, seed_tenant
from tests.helpers import FUZZ_DEPTH

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Probe:
    method: str
    path: str  # with {id} for the other tenant's id
    kind: str  # which of the other tenant's ids: characters|simulations|stories|campaigns
    body: str = ""  # "characters": a simulation body naming them; "campaign": one with it
    headers: tuple[tuple[str, str], ...] = ()


PROBES = [
    Probe("GET", "/v1/characters/{id}", "characters"),
    Probe("PATCH", "/v1/characters/{id}", "characters", "patch"),
    Probe("PATCH", "/v1/characters/{id}", "characters", "patch", (("If-Match", '"1"'),)),
    Probe("DELETE", "/v1/characters/{id}", "characters"),
    Probe("DELETE", "/v1/characters/{id}", "characters", "", (("If-Match", '"1"'),)),
    Probe("GET", "/characters/{id}", "characters"),
    Probe("POST", "/v1/simulations", "characters", "characters"),
    Probe("POST", "/simulations", "characters", "legacy"),
    Probe("POST", "/v1/simulations", "campaigns", "campaign"),
    Probe("GET", "/v1/simulations/{id}", "simulations"),
    Probe("DELETE", "/v1/simulations/{id}", "simulations"),
    Probe("GET", "/v1/simulations/{id}/events", "simulations"),
    Probe("GET", "/v1/simulations/{id}/events", "simulations", "", (("Last-Event-ID", "1-0"),)),
    Probe("GET", "/v1/stories/{id}", "stories"),
    Probe("GET", "/v1/stories/{id}", "stories", "", (("Accept", "text/markdown"),)),
    Probe("POST", "/v1/simulations/{id}/fork", "simulations", "fork"),
    Probe("POST", "/v1/simulations/{id}/interventions", "simulations", "intervention"),
    Probe("GET", "/v1/simulations/{id}/branches", "simulations"),
    Probe("GET", "/v1/simulations/{id}/characters/pilot/knowledge", "simulations"),
    Probe("GET", "/v1/stories/{id}/diff/{id}", "stories"),
]


LISTS = ("/v1/characters", "/v1/simulations", "/v1/stories", "/characters", "/campaigns")


@pytest.fixture(scope="module")
def tenants(stack: LocalStack) -> list[SeededTenant]:
    suffix = uuid.uuid4().hex[:6]
    return [seed_tenant(stack, f"iso-a-{suffix}"), seed_tenant(stack, f"iso-b-{suffix}")]


@pytest.fixture(scope="module")
def clients(stack: LocalStack, tenants: list[SeededTenant]) -> Iterator[list[httpx.Client]]:
    opened = [t.client(stack.url) for t in tenants]
    yield opened
    for client in opened:
        client.close()


def _body(probe: Probe, ids: list[str]) -> dict[str, object] | None:
    if probe.body == "patch":
        return {"name": "taken over", "backstory": "written by another tenant"}
    if probe.body == "characters":
        return {"character_ids": ids, "turns": 1}
    if probe.body == "legacy":
        return {"character_names": ids, "turns": 1}
    if probe.body == "campaign":
        return {"campaign_id": ids[0], "turns": 1}
    if probe.body == "fork":
        return {"turn": 1}
    if probe.body == "intervention":
        return {"kind": "event", "text": "written by another tenant"}
    return None


def _snapshot(client: httpx.Client, tenant: SeededTenant) -> dict[str, object]:
    """What the tenant's own key reads of its data."""
    seen: dict[str, object] = {}
    for cid in tenant.characters:
        seen[cid] = client.get(f"/v1/characters/{cid}").json()
    for sid in tenant.simulations:
        found = client.get(f"/v1/simulations/{sid}").json()
        seen[sid] = (found["status"], found["turns_done"], found["updated_at"])
    for story in tenant.stories:
        seen[story] = client.get(f"/v1/stories/{story}").json()
    seen["simulations"] = sorted(s["id"] for s in client.get("/v1/simulations").json()["items"])
    seen["campaigns"] = sorted(
        c["campaign_id"] for c in client.get("/campaigns").json()["campaigns"]
    )
    return seen


@pytest.fixture(scope="module")
def before(clients: list[httpx.Client], tenants: list[SeededTenant]) -> list[dict[str, object]]:
    return [_snapshot(c, t) for c, t in zip(clients, tenants, strict=True)]


@settings(
    max_examples=60 * FUZZ_DEPTH,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    attacker=st.integers(0, 1),
    probe=st.sampled_from(PROBES),
    pick=st.data(),
)
def test_another_tenants_ids_answer_404_on_every_route(
    tenants: list[SeededTenant],
    clients: list[httpx.Client],
    before: list[dict[str, object]],
    attacker: int,
    probe: Probe,
    pick: st.DataObject,
) -> None:
    victim = tenants[1 - attacker]
    pool: list[str] = getattr(victim, probe.kind)
    ids = pick.draw(
        st.lists(st.sampled_from(pool), min_size=1, max_size=len(pool), unique=True)
        if probe.body in ("characters", "legacy")
        else st.sampled_from(pool).map(lambda one: [one])
    )
    if probe.body in ("characters", "legacy") and len(ids) < 2:
        # A simulation needs two characters: pair the other's with one of the attacker's.
        ids = [*ids, tenants[attacker].characters[0]]
    path = probe.path.replace("{id}", ids[0])
    response = clients[attacker].request(
        probe.method, path, json=_body(probe, ids), headers=dict(probe.headers)
    )
    assert response.status_code == 404, (probe, response.status_code, response.text)
    # The answer names nothing of the other tenant's beyond the ids it was sent.
    foreign = {*victim.characters, *victim.simulations, *victim.stories, *victim.campaigns}
    assert not any(other in response.text for other in foreign - set(ids)), response.text


def test_lists_show_only_the_tenants_own_and_nothing_was_touched(
    tenants: list[SeededTenant],
    clients: list[httpx.Client],
    before: list[dict[str, object]],
) -> None:
    """Runs after the fuzzing above (pytest keeps the file's order)."""
    for me, (client, tenant) in enumerate(zip(clients, tenants, strict=True)):
        other = tenants[1 - me]
        foreign = {*other.characters, *other.simulations, *other.stories, *other.campaigns}
        for path in (
            "/v1/characters",
            "/v1/simulations",
            "/v1/stories",
            "/characters",
            "/campaigns",
        ):
            listed = client.get(path, params={"page_size": 100} if path.startswith("/v1") else None)
            assert listed.status_code == 200, listed.text
            assert not any(f in listed.text for f in foreign), path
        # Every read and write of the other tenant missed: this tenant's data is as it was.
        assert _snapshot(client, tenant) == before[me]


def test_an_idempotency_key_is_per_tenant(
    tenants: list[SeededTenant], clients: list[httpx.Client]
) -> None:
    """The same Idempotency-Key from another tenant never replays the first one's answer."""
    key = {"Idempotency-Key": f"iso-{uuid.uuid4().hex}"}
    first = clients[0].post("/v1/characters", json={"name": f"{tenants[0].name} Cy"}, headers=key)
    assert first.status_code == 201, first.text
    second = clients[1].post("/v1/characters", json={"name": f"{tenants[1].name} Cy"}, headers=key)
    assert second.status_code == 201, second.text
    assert second.headers.get("idempotent-replayed") is None
    assert second.json()["id"] != first.json()["id"]
    assert clients[1].get(f"/v1/characters/{first.json()['id']}").status_code == 404
