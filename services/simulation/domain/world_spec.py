"""A user's world as plain data (the JSON the API takes, the dict a checkpoint keeps),
read into a `World` and checked like any other input.

Places are named, and everything else refers to them by name: paths join two places,
an item or the objective lies at one. Every rule broken raises ValueError naming the
field ("places[2].name: at most 80 characters").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from .scenery import ClueSeed, HazardSeed, ItemSeed, PlaceSeed, Stakes, World, words

MAX_PLACES, MAX_PATHS, MAX_ITEMS, MAX_CLUES = 12, 40, 16, 16
MAX_HAZARDS, MAX_FACTIONS, MAX_CACHES, MAX_DETAILS, MAX_TAGS = 8, 6, 8, 5, 8
NAME_CHARS, TEXT_CHARS = 80, 200
HAZARD_KINDS = ("storm", "tremor", "cache", "malfunction")
ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")


def _text(data: Mapping[str, Any], key: str, where: str, limit: int, required: bool = True) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise ValueError(f"{where}{key}: must be a string")
    value = " ".join(value.split())
    if required and not value:
        raise ValueError(f"{where}{key}: required")
    if len(value) > limit:
        raise ValueError(f"{where}{key}: at most {limit} characters")
    # Place names and texts are filled into templates: only a hazard's {loc} may be a slot.
    if "{" in value.replace("{loc}", "") or "}" in value.replace("{loc}", ""):
        raise ValueError(f"{where}{key}: no braces, except {{loc}} in a hazard's text")
    return value


def _list(data: Mapping[str, Any], key: str, lo: int, hi: int, where: str = "") -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"{where}{key}: must be a list")
    if not lo <= len(value) <= hi:
        raise ValueError(f"{where}{key}: {lo} to {hi} entries, got {len(value)}")
    return value


def _entry(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: must be an object")
    return value


def _flag(data: Mapping[str, Any], key: str, where: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise ValueError(f"{where}{key}: must be true or false")
    return value


def _strings(values: list[Any], key: str, limit: int) -> tuple[str, ...]:
    out = []
    for n, value in enumerate(values):
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{key}[{n}]: a non-empty string")
        if len(value) > limit:
            raise ValueError(f"{key}[{n}]: at most {limit} characters")
        out.append(" ".join(value.split()))
    return tuple(out)


def world_from_spec(world_id: str, data: Mapping[str, Any]) -> World:
    """The world `data` describes, under `world_id`; raises ValueError at the first
    broken rule."""
    if not ID.match(world_id):
        raise ValueError("id: lower-case letters, digits and dashes, at most 64")
    name = _text(data, "name", "", NAME_CHARS)
    kind = _text(data, "kind", "", TEXT_CHARS, required=False) or "a world of its own"

    places: list[PlaceSeed] = []
    for n, raw in enumerate(_list(data, "places", 2, MAX_PLACES)):
        where = f"places[{n}]."
        place = _entry(raw, where[:-1])
        details = _strings(
            _list(place, "details", 1, MAX_DETAILS, where), f"{where}details", TEXT_CHARS
        )
        places.append(PlaceSeed(_text(place, "name", where, NAME_CHARS), details))
    index = {p.name: n for n, p in enumerate(places)}
    if len(index) != len(places):
        raise ValueError("places: place names must be unique")

    def at(value: str, where: str) -> int:
        if value not in index:
            raise ValueError(f"{where}: {value[:80]!r} is not one of the places")
        return index[value]

    links: list[tuple[int, int]] = []
    for n, raw in enumerate(_list(data, "paths", 1, MAX_PATHS)):
        if not isinstance(raw, list) or len(raw) != 2 or not all(isinstance(x, str) for x in raw):
            raise ValueError(f"paths[{n}]: a pair of place names")
        links.append((at(raw[0], f"paths[{n}][0]"), at(raw[1], f"paths[{n}][1]")))

    items: list[ItemSeed] = []
    for n, raw in enumerate(_list(data, "items", 0, MAX_ITEMS)):
        where = f"items[{n}]."
        item = _entry(raw, where[:-1])
        spot = _text(item, "at", where, NAME_CHARS, required=False)
        items.append(
            ItemSeed(
                name=_text(item, "name", where, NAME_CHARS),
                broken=_flag(item, "broken", where),
                holds_clue=_flag(item, "holds_clue", where),
                at=at(spot, f"{where}at") if spot else -1,
                fixed=_flag(item, "fixed", where),
            )
        )

    clues: list[ClueSeed] = []
    for n, raw in enumerate(_list(data, "clues", 1, MAX_CLUES)):
        where = f"clues[{n}]."
        clue = _entry(raw, where[:-1])
        tags = _strings(_list(clue, "tags", 0, MAX_TAGS, where), f"{where}tags", 30)
        clues.append(ClueSeed(_text(clue, "name", where, NAME_CHARS), tags))

    hazards: list[HazardSeed] = []
    for n, raw in enumerate(_list(data, "hazards", 1, MAX_HAZARDS)):
        where = f"hazards[{n}]."
        hazard = _entry(raw, where[:-1])
        kind_of = _text(hazard, "kind", where, 20)
        if kind_of not in HAZARD_KINDS:
            raise ValueError(f"{where}kind: one of {', '.join(HAZARD_KINDS)}")
        text = _text(hazard, "text", where, TEXT_CHARS)
        if "{loc}" not in text:
            raise ValueError(f"{where}text: must say where it struck with {{loc}}")
        hazards.append(HazardSeed(kind_of, text, _text(hazard, "cause", where, NAME_CHARS)))

    factions = _strings(_list(data, "factions", 0, MAX_FACTIONS), "factions", NAME_CHARS)
    caches = _strings(_list(data, "caches", 0, MAX_CACHES), "caches", NAME_CHARS)
    if any(h.kind == "cache" for h in hazards) and not caches:
        raise ValueError("caches: a world with a cache hazard needs at least one cache item")

    goal = _entry(data.get("objective"), "objective")
    stakes = Stakes(
        objective=_text(goal, "goal", "objective.", TEXT_CHARS),
        place=at(_text(goal, "place", "objective.", NAME_CHARS), "objective.place"),
        obstacle=_text(goal, "obstacle", "objective.", TEXT_CHARS),
        consequence=_text(goal, "consequence", "objective.", TEXT_CHARS),
        achieved=_text(goal, "achieved", "objective.", TEXT_CHARS),
    )
    world = World(
        name=world_id,
        kind=kind,
        default_name=name,
        keywords=frozenset(words(f"{kind} {' '.join(p.name for p in places)}")),
        places=tuple(places),
        links=tuple(links),
        clues=tuple(clues),
        items=tuple(items),
        caches=caches,
        hazards=tuple(hazards),
        factions=factions,
        stakes=stakes,
    )
    world.validate()  # reachability, paths between two different places
    return world


def world_to_spec(world: World) -> dict[str, Any]:
    """The plain-data form `world_from_spec` reads; a built-in world's places carry its
    default proper name ("the landing site on Veyra")."""
    names = [p.name.replace("{name}", world.default_name) for p in world.places]
    return {
        "name": world.default_name,
        "kind": world.kind,
        "places": [
            {"name": n, "details": list(p.details)}
            for n, p in zip(names, world.places, strict=True)
        ],
        "paths": [[names[a], names[b]] for a, b in world.links],
        "items": [
            {
                "name": i.name,
                "broken": i.broken,
                "holds_clue": i.holds_clue,
                "at": names[i.at] if i.at >= 0 else "",
                "fixed": i.fixed,
            }
            for i in world.items
        ],
        "clues": [{"name": c.name, "tags": list(c.tags)} for c in world.clues],
        "hazards": [{"kind": h.kind, "text": h.text, "cause": h.cause} for h in world.hazards],
        "factions": list(world.factions),
        "caches": list(world.caches),
        "objective": {
            "goal": world.stakes.objective,
            "place": names[world.stakes.place],
            "obstacle": world.stakes.obstacle,
            "consequence": world.stakes.consequence,
            "achieved": world.stakes.achieved,
        },
    }
