"""A tenant of a test's own on the shared stack: a key, characters, a finished story."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

from novel_cli.stack import LocalStack
from tests.e2e.conftest import new_tenant_key
from tests.e2e.sse import read_events


@dataclass
class SeededTenant:
    name: str
    key: str
    characters: list[str]
    simulations: list[str] = field(default_factory=list)
    stories: list[str] = field(default_factory=list)
    campaigns: list[str] = field(default_factory=list)

    def client(self, url: str) -> httpx.Client:
        return httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {self.key}"}, timeout=30
        )


def seed_tenant(stack: LocalStack, name: str) -> SeededTenant:
    """Two characters of the tenant's own (ids no other tenant uses), a campaign, and one
    simulation run to its story."""
    tenant = SeededTenant(name, new_tenant_key(stack, name), [])
    with tenant.client(stack.url) as api:
        for person in (f"{name} Ada", f"{name} Bo"):
            created = api.post("/v1/characters", json={"name": person, "traits": {"brave": 0.7}})
            assert created.status_code == 201, created.text
            tenant.characters.append(created.json()["id"])
        started = api.post("/v1/simulations", json={"character_ids": tenant.characters, "turns": 2})
        assert started.status_code == 202, started.text
        sim_id = started.json()["id"]
        events = read_events(api, f"/v1/simulations/{sim_id}/events")
        assert events[-1].event == "story", events[-1]
        tenant.simulations.append(sim_id)
        tenant.stories.append(events[-1].data["story_id"])
        campaign = api.post(
            "/campaigns", json={"name": f"{name} saga", "participants": tenant.characters}
        )
        assert campaign.status_code == 201, campaign.text
        tenant.campaigns.append(campaign.json()["campaign_id"])
    return tenant
