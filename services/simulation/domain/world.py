"""World state and its JSON-compatible checkpoint form.

Collections are lists and insertion-ordered dicts only: iteration order must never
depend on string hashing, which differs between processes.
"""

from __future__ import annotations

import copy
import functools
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from novel_platform.characters import DEFAULT_STAT

from .scenery import World
from .sheets import trait_default
from .world_spec import world_from_spec, world_to_spec

SCHEMA_VERSION = 1
MEMORY_LIMIT = 24  # older memories fade; keeps checkpoints small

RngState = tuple[int, tuple[int, ...], float | None]


def capture_rng(rng: random.Random) -> RngState:
    # getstate() already gives ints and a tuple; the tuple is immutable, so worlds share it.
    version, internal, gauss = rng.getstate()
    return (version, internal, gauss)


def restore_rng(state: RngState) -> random.Random:
    # Not for security: a reproducible simulation. The fixed seed avoids reading OS
    # entropy; setstate replaces it at once.
    rng = random.Random(0)  # noqa: S311
    rng.setstate(state)
    return rng


@functools.lru_cache(maxsize=1024)  # asked for every place by every character every turn
def location_id(name: str) -> str:
    return "loc:" + "-".join(re.findall(r"[a-z0-9]+", name.lower()))


@dataclass(frozen=True)
class Memory:
    """One event as a character perceived it."""

    turn: int
    sequence: int
    actor_id: str
    action: str
    target_id: str
    location: str
    outcome: str


@dataclass
class CharacterState:
    id: str
    name: str
    faction: str
    role: str
    traits: dict[str, float]
    stats: dict[str, int]
    goals: list[str]
    relationships: dict[str, float]  # other character id -> -1..1
    location: str
    health: int
    max_health: int
    alive: bool = True
    guarding: str = ""  # id shielded until this character acts again
    alert: bool = False  # watchful until this character acts again
    visited: list[str] = field(default_factory=list)
    scouted: list[str] = field(default_factory=list)
    searched: list[str] = field(default_factory=list)  # nothing more to find there
    leads: list[str] = field(default_factory=list)  # locations believed to hide something
    known_clues: list[str] = field(default_factory=list)
    told: list[str] = field(default_factory=list)  # "<character id>|<clue id>" already shared
    last_seen: dict[str, str] = field(default_factory=dict)  # character id -> location
    known_dead: list[str] = field(default_factory=list)
    broken_seen: dict[str, str] = field(default_factory=dict)  # item id -> location
    memories: list[Memory] = field(default_factory=list)
    last_motive: str = ""  # the motive last acted on
    stated: list[str] = field(default_factory=list)  # motives a story has told, once each
    pronoun: str = ""  # "she" | "he" | "" (unknown: a story keeps to the name)
    deeds: dict[str, int] = field(default_factory=dict)  # "action" or "hit:<id>" -> successes
    outcomes: dict[str, float] = field(default_factory=dict)  # goal -> +1 achieved / -1 failed

    def trait(self, name: str) -> float:
        value = self.traits.get(name)  # the default only when missing: this runs a lot
        return trait_default(name) if value is None else value

    def stat(self, name: str) -> int:
        return self.stats.get(name, DEFAULT_STAT)

    def regard(self, other_id: str) -> float:
        return self.relationships.get(other_id, 0.0)

    def remember(self, memory: Memory) -> None:
        self.memories.append(memory)
        del self.memories[:-MEMORY_LIMIT]

    def clone(self) -> CharacterState:
        twin = copy.copy(self)
        for name in _CHARACTER_CONTAINERS:
            setattr(twin, name, copy.copy(getattr(self, name)))
        return twin


# CharacterState's mutable fields, found once rather than listed by hand, so a field
# added later is copied too.
_CHARACTER_CONTAINERS = tuple(
    f.name for f in fields(CharacterState) if f.type.startswith(("dict", "list"))
)


@dataclass
class Clue:
    id: str
    name: str
    tags: list[str]
    location: str  # "" while hidden inside an item
    item_id: str  # the broken item hiding it, or ""
    difficulty: int
    found_by: list[str] = field(default_factory=list)


@dataclass
class Item:
    id: str
    name: str
    kind: str
    holder: str  # character id, or "" when lying at `location`
    location: str
    broken: bool = False
    difficulty: int = 12  # to repair
    clue_id: str = ""  # revealed by repairing
    fixed: bool = False  # an installation: never picked up, traded or stolen


@dataclass
class WorldState:
    seed: int
    setting: str
    scenario: str
    theme: str
    turns_total: int
    turn: int  # turns completed so far
    locations: list[str]
    characters: list[CharacterState]
    clues: list[Clue]
    items: list[Item]
    rng_state: RngState
    links: list[tuple[str, str]] = field(default_factory=list)  # paths, both ways
    key_clue: str = ""  # the clue that shows the way to the objective
    objective: str = "open"  # "open" | "achieved" | "lost"
    tension: float = 0.0  # the director's running measure of drama, 0..1
    # A user's own world, carried with the state (checkpoints too); None for a built-in
    # one, which `theme` names.
    world: World | None = None
    # A built-in world drawn by the seed (variants.py); False in checkpoints written
    # before worlds varied, which keep the plain world they started in.
    varied: bool = False
    # Place -> its neighbours, filled as asked (paths and places never change after the
    # world is made, so a clone starts with what is known); not part of a checkpoint.
    near: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)

    # -- lookups (linear scans keep order deterministic; worlds are small) --

    def character(self, char_id: str) -> CharacterState:
        for char in self.characters:
            if char.id == char_id:
                return char
        raise KeyError(char_id)

    def find_character(self, char_id: str) -> CharacterState | None:
        for char in self.characters:
            if char.id == char_id:
                return char
        return None

    def living(self) -> list[CharacterState]:
        return [c for c in self.characters if c.alive]

    def living_at(self, location: str) -> list[CharacterState]:
        return [c for c in self.characters if c.alive and c.location == location]

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def clue(self, clue_id: str) -> Clue:
        for clue in self.clues:
            if clue.id == clue_id:
                return clue
        raise KeyError(clue_id)

    def items_of(self, char_id: str) -> list[Item]:
        return [i for i in self.items if i.holder == char_id]

    def items_lying_at(self, location: str) -> list[Item]:
        return [i for i in self.items if not i.holder and i.location == location]

    def hidden_clues(self, char: CharacterState, location: str) -> list[Clue]:
        """Clues at `location` the character has not learned, easiest first."""
        hidden = [
            c
            for c in self.clues
            if c.location == location and not c.item_id and c.id not in char.known_clues
        ]
        return sorted(hidden, key=lambda c: c.difficulty)  # stable: ties keep world order

    def neighbours(self, place: str) -> tuple[str, ...]:
        """Places one path away, in the world's location order."""
        found = self.near.get(place)
        if found is None:
            near = {b for a, b in self.links if a == place} | {
                a for a, b in self.links if b == place
            }
            found = self.near[place] = tuple(
                p for p in self.locations if (p in near if self.links else p != place)
            )
        return found

    def next_item_id(self) -> str:
        return f"item:{len(self.items) + 1}"

    def clone(self) -> WorldState:
        """An independent copy, as copy.deepcopy would make, at a fraction of its cost
        (it ran once per turn): containers are copied, immutable values shared (the
        RNG state tuple, strings, frozen memories)."""
        twin = copy.copy(self)
        twin.locations = list(self.locations)
        twin.characters = [c.clone() for c in self.characters]
        twin.clues = [replace(c, tags=list(c.tags), found_by=list(c.found_by)) for c in self.clues]
        twin.items = [copy.copy(i) for i in self.items]
        twin.links = list(self.links)
        twin.near = dict(self.near)  # its values are tuples: nothing else to copy
        return twin

    # -- checkpoints --

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible snapshot, including the RNG state."""
        version, internal, gauss = self.rng_state
        return {
            "schema": SCHEMA_VERSION,
            "seed": self.seed,
            "setting": self.setting,
            "scenario": self.scenario,
            "theme": self.theme,
            "turns_total": self.turns_total,
            "turn": self.turn,
            "locations": list(self.locations),
            "characters": [_char_to_dict(c) for c in self.characters],
            "clues": [_clue_to_dict(c) for c in self.clues],
            "items": [_item_to_dict(i) for i in self.items],
            "rng_state": [version, list(internal), gauss],
            "links": [[a, b] for a, b in self.links],
            "key_clue": self.key_clue,
            "objective": self.objective,
            "tension": self.tension,
            **({"world": world_to_spec(self.world)} if self.world is not None else {}),
            **({"varied": True} if self.varied else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WorldState:
        """Rebuild a world from `to_dict` output; raises ValueError when malformed."""
        try:
            if data["schema"] != SCHEMA_VERSION:
                raise ValueError(f"unsupported checkpoint schema {data['schema']!r}")
            version, internal, gauss = data["rng_state"]
            world = cls(
                seed=int(data["seed"]),
                setting=str(data["setting"]),
                scenario=str(data["scenario"]),
                theme=str(data["theme"]),
                turns_total=int(data["turns_total"]),
                turn=int(data["turn"]),
                locations=[str(x) for x in data["locations"]],
                characters=[_char_from_dict(c) for c in data["characters"]],
                clues=[_clue_from_dict(c) for c in data["clues"]],
                items=[_item_from_dict(i) for i in data["items"]],
                rng_state=(
                    int(version),
                    tuple(int(x) for x in internal),
                    None if gauss is None else float(gauss),
                ),
                # Checkpoints written before these fields existed still load.
                links=[(str(a), str(b)) for a, b in data.get("links", [])],
                key_clue=str(data.get("key_clue", "")),
                objective=str(data.get("objective", "open")),
                tension=float(data.get("tension", 0.0)),
                world=world_from_spec(str(data["theme"]), data["world"])
                if "world" in data
                else None,
                varied=bool(data.get("varied", False)),
            )
            restore_rng(world.rng_state)  # rejects a state random cannot take
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"malformed world checkpoint: {exc!r}") from exc
        return world


def _strs(values: Any) -> list[str]:
    return [str(v) for v in values]


def _char_to_dict(c: CharacterState) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "faction": c.faction,
        "role": c.role,
        "traits": dict(c.traits),
        "stats": dict(c.stats),
        "goals": list(c.goals),
        "relationships": dict(c.relationships),
        "location": c.location,
        "health": c.health,
        "max_health": c.max_health,
        "alive": c.alive,
        "guarding": c.guarding,
        "alert": c.alert,
        "visited": list(c.visited),
        "scouted": list(c.scouted),
        "searched": list(c.searched),
        "leads": list(c.leads),
        "known_clues": list(c.known_clues),
        "told": list(c.told),
        "last_seen": dict(c.last_seen),
        "known_dead": list(c.known_dead),
        "broken_seen": dict(c.broken_seen),
        "memories": [
            [m.turn, m.sequence, m.actor_id, m.action, m.target_id, m.location, m.outcome]
            for m in c.memories
        ],
        "last_motive": c.last_motive,
        "stated": list(c.stated),
        "pronoun": c.pronoun,
        "deeds": dict(c.deeds),
        "outcomes": dict(c.outcomes),
    }


def _char_from_dict(d: Mapping[str, Any]) -> CharacterState:
    return CharacterState(
        id=str(d["id"]),
        name=str(d["name"]),
        faction=str(d["faction"]),
        role=str(d["role"]),
        traits={str(k): float(v) for k, v in d["traits"].items()},
        stats={str(k): int(v) for k, v in d["stats"].items()},
        goals=_strs(d["goals"]),
        relationships={str(k): float(v) for k, v in d["relationships"].items()},
        location=str(d["location"]),
        health=int(d["health"]),
        max_health=int(d["max_health"]),
        alive=bool(d["alive"]),
        guarding=str(d["guarding"]),
        alert=bool(d["alert"]),
        visited=_strs(d["visited"]),
        scouted=_strs(d["scouted"]),
        searched=_strs(d["searched"]),
        leads=_strs(d["leads"]),
        known_clues=_strs(d["known_clues"]),
        told=_strs(d["told"]),
        last_seen={str(k): str(v) for k, v in d["last_seen"].items()},
        known_dead=_strs(d["known_dead"]),
        broken_seen={str(k): str(v) for k, v in d["broken_seen"].items()},
        memories=[
            Memory(int(t), int(s), str(a), str(act), str(tg), str(loc), str(o))
            for t, s, a, act, tg, loc, o in d["memories"]
        ],
        last_motive=str(d.get("last_motive", "")),
        stated=_strs(d.get("stated", [])),
        pronoun=str(d.get("pronoun", "")),
        deeds={str(k): int(v) for k, v in d.get("deeds", {}).items()},
        outcomes={str(k): float(v) for k, v in d.get("outcomes", {}).items()},
    )


def _clue_to_dict(c: Clue) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "tags": list(c.tags),
        "location": c.location,
        "item_id": c.item_id,
        "difficulty": c.difficulty,
        "found_by": list(c.found_by),
    }


def _clue_from_dict(d: Mapping[str, Any]) -> Clue:
    return Clue(
        id=str(d["id"]),
        name=str(d["name"]),
        tags=_strs(d["tags"]),
        location=str(d["location"]),
        item_id=str(d["item_id"]),
        difficulty=int(d["difficulty"]),
        found_by=_strs(d["found_by"]),
    )


def _item_to_dict(i: Item) -> dict[str, Any]:
    return {
        "id": i.id,
        "name": i.name,
        "kind": i.kind,
        "holder": i.holder,
        "location": i.location,
        "broken": i.broken,
        "difficulty": i.difficulty,
        "clue_id": i.clue_id,
        "fixed": i.fixed,
    }


def _item_from_dict(d: Mapping[str, Any]) -> Item:
    return Item(
        id=str(d["id"]),
        name=str(d["name"]),
        kind=str(d["kind"]),
        holder=str(d["holder"]),
        location=str(d["location"]),
        broken=bool(d["broken"]),
        difficulty=int(d["difficulty"]),
        clue_id=str(d["clue_id"]),
        fixed=bool(d.get("fixed", False)),
    )
