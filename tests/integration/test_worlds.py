"""Worlds in the simulation service, against real PostgreSQL and NATS: a tenant's own
worlds are checked, stored, listed with the built-in ones, deleted, and run in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from novel_platform.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from novel_platform.subjects import SIMULATION_TURNS_COMPLETED as TURNS
from services.simulation.service.worlds import WorldService
from tests.helpers import stream_events
from tests.integration.test_simulation_service import flush, parts, request

__all__ = ["parts"]  # the module's fixture, shared

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "worlds" / "vellmar.json"


def vellmar() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return data


async def test_a_tenants_world_is_stored_listed_and_deleted_by_its_tenant_only(parts, tenant):
    worlds = WorldService(parts["uow"])
    created = await worlds.create(tenant, "vellmar", vellmar())
    assert created.definition["places"][1]["name"] == "the lamp tower" and not created.builtin
    with pytest.raises(AlreadyExists, match="World 'vellmar' already exists"):
        await worlds.create(tenant, "vellmar", vellmar())

    listed = await worlds.list(tenant)
    builtins = [w.id for w in listed if w.builtin]
    assert len(builtins) >= 6 and "ice-moon" in builtins
    assert [w.id for w in listed if not w.builtin] == ["vellmar"]
    assert (await worlds.get(tenant, "vellmar")).definition == created.definition
    assert (await worlds.get(tenant, "derelict")).builtin

    stranger = f"{tenant}-other"
    with pytest.raises(NotFound, match="World 'vellmar' not found"):
        await worlds.get(stranger, "vellmar")
    with pytest.raises(NotFound):
        await worlds.delete(stranger, "vellmar")
    assert [w.id for w in await worlds.list(stranger) if not w.builtin] == []

    with pytest.raises(FailedPrecondition, match="built in"):
        await worlds.delete(tenant, "ice-moon")
    with pytest.raises(AlreadyExists, match="built-in"):
        await worlds.create(tenant, "ice-moon", vellmar())
    await worlds.delete(tenant, "vellmar")
    with pytest.raises(NotFound):
        await worlds.get(tenant, "vellmar")


async def test_a_broken_world_is_refused_naming_the_rule(parts, tenant):
    worlds = WorldService(parts["uow"])
    data = vellmar()
    data["paths"] = [["the glass quay", "the moon"]]
    with pytest.raises(InvalidArgument, match=r"world: paths\[0\]\[1\]: 'the moon' is not"):
        await worlds.create(tenant, "broken", data)
    with pytest.raises(InvalidArgument, match="id: lower-case"):
        await worlds.create(tenant, "Broken World", vellmar())
    with pytest.raises(NotFound):
        await worlds.get(tenant, "broken")


async def test_a_simulation_runs_in_the_world_it_names(parts, nats_url, tenant):
    await parts["characters"].seed_starter_roster(tenant)
    worlds = WorldService(parts["uow"])
    await worlds.create(tenant, "vellmar", vellmar())
    with pytest.raises(NotFound, match="World 'atlantis' not found"):
        await parts["service"].start(request(tenant, world_id="atlantis"))
    with pytest.raises(InvalidArgument, match="world_id"):
        await parts["service"].start(request(tenant, world_id="Not An Id"))

    record = await parts["service"].start(request(tenant, world_id="vellmar", setting=""))
    assert record.world_id == "vellmar" and record.setting == "Vellmar"
    # Deleting the world later stops no run: the simulation kept it as accepted.
    await worlds.delete(tenant, "vellmar")
    await parts["runner"].run(record.id)
    assert (await parts["service"].get(tenant, record.id)).status == "completed"
    await flush(parts["relay"])
    (event,) = await stream_events(
        nats_url, "SIMULATION", f"simulation.{record.id}.*", tenant, until=1
    )
    places = {e.location for t in TURNS.unpack(event).turns for e in t.events if e.location}
    assert places and places <= {p["name"] for p in vellmar()["places"]}

    # A built-in world by id; the setting's proper name still fills its places.
    built = await parts["service"].start(request(tenant, world_id="derelict", setting="the Ark"))
    await parts["runner"].run(built.id)
    await flush(parts["relay"])
    (event,) = await stream_events(
        nats_url, "SIMULATION", f"simulation.{built.id}.*", tenant, until=1
    )
    places = {e.location for t in TURNS.unpack(event).turns for e in t.events if e.location}
    # Where everyone starts: the run draws that place's name from the world's pool by its
    # seed ("the cargo bay of Ark", "the docking ring of Ark", ...), keeping the proper name.
    assert any(place.endswith(" of Ark") for place in places), places
