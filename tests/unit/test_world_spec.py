"""A user's world as data: read, checked rule by rule, and run by the engine."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from services.character.domain.starter_roster import STARTER_ROSTER
from services.simulation.domain import (
    CharacterSheet,
    WorldState,
    is_finished,
    run_turn,
    start_world,
)
from services.simulation.domain.world_spec import world_from_spec, world_to_spec
from services.simulation.domain.worlds import WORLDS

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "worlds" / "vellmar.json"


def spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return data


def sheets(n: int) -> list[CharacterSheet]:
    return [
        CharacterSheet(
            id=c.id, name=c.name, faction=c.faction, role=c.role, traits=dict(c.traits),
            stats=dict(c.stats), goals=tuple(c.goals), relationships=dict(c.relationships),
            equipment=tuple(c.equipment), backstory=c.backstory,
        )
        for c in STARTER_ROSTER[:n]
    ]  # fmt: skip


def test_a_users_world_runs_in_its_own_places_and_survives_a_checkpoint() -> None:
    world = world_from_spec("vellmar", spec())
    assert world_from_spec("vellmar", world_to_spec(world)) == world
    state = start_world(sheets(3), seed=4, setting="", scenario="", turns_total=8, world=world)
    places = {p["name"] for p in spec()["places"]}
    seen: set[str] = set()
    while not is_finished(state):
        result = run_turn(state)
        seen.update(e.location for e in result.events if e.location)
        # A checkpoint carries the world: a resumed run goes on in the same places.
        state = WorldState.from_dict(json.loads(json.dumps(result.world.to_dict())))
        assert state.world == world
    assert seen <= places and len(seen) > 1
    assert any(f.kind == "stakes" and "tide bell" in f.detail for f in _first_turn(world))


def _first_turn(world: Any) -> list[Any]:
    state = start_world(sheets(2), seed=1, setting="", scenario="", turns_total=3, world=world)
    return [f for e in run_turn(state).events for f in e.effects]


def test_every_built_in_world_reads_back_from_its_own_data() -> None:
    for world in WORLDS:
        again = world_from_spec(world.name, world_to_spec(world))
        assert (again.stakes, again.links, again.clues) == (world.stakes, world.links, world.clues)


def broken(path: str, value: Any) -> dict[str, Any]:
    data = copy.deepcopy(spec())
    *parents, last = path.split(".")
    node: Any = data
    for key in parents:
        node = node[int(key)] if key.isdigit() else node[key]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return data


@pytest.mark.parametrize(
    ("data", "rule"),
    [
        (broken("places", spec()["places"][:1]), "places: 2 to 12 entries"),
        (broken("places", spec()["places"] * 4), "places: 2 to 12 entries"),
        (broken("places.1.name", "x" * 81), "places[1].name: at most 80 characters"),
        (broken("places.1.name", "the glass quay"), "place names must be unique"),
        (broken("places.0.details", []), "places[0].details: 1 to 5 entries"),
        (broken("paths.0", ["the glass quay", "the moon"]), "paths[0][1]: 'the moon' is not"),
        (broken("paths", [["the glass quay", "the lamp tower"]]), "every place must be reachable"),
        (broken("items.0.at", "nowhere"), "items[0].at: 'nowhere' is not one of the places"),
        (broken("items.0.broken", "yes"), "items[0].broken: must be true or false"),
        (broken("clues", []), "clues: 1 to 16 entries"),
        (broken("hazards.0.kind", "plague"), "hazards[0].kind: one of storm"),
        (broken("hazards.0.text", "a squall"), "hazards[0].text: must say where"),
        (broken("caches", []), "caches: a world with a cache hazard"),
        (broken("objective.place", "the moon"), "objective.place: 'the moon' is not"),
        (broken("objective.goal", ""), "objective.goal: required"),
        (broken("name", "{name}"), "name: no braces"),
        (broken("factions", ["x"] * 7), "factions: 0 to 6 entries"),
    ],
)
def test_a_broken_world_names_the_rule_it_breaks(data: dict[str, Any], rule: str) -> None:
    with pytest.raises(ValueError, match=rule.replace("[", r"\[").replace("]", r"\]")):
        world_from_spec("vellmar", data)


def test_a_world_id_is_a_slug() -> None:
    with pytest.raises(ValueError, match="id: lower-case"):
        world_from_spec("Not An Id", spec())
