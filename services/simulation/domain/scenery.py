"""The shape of a world as data, and how a setting's free text finds its world.

A world is data, not code: places and the paths between them (with what each place
looks and sounds like), items (some of them fixed installations nobody can carry),
hidden clues, hazards, the factions present and the scenario's stakes. The built-in
worlds live in `worlds.py`. A free-text setting maps to the nearest world by keyword
counts (the same text always gives the same world) and keeps the user's proper names.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_WORD = re.compile(r"[a-z]+")
_PROPER = re.compile(r"\b[A-Z][a-zA-Z'-]+(?:\s+(?:of\s+)?[A-Z][a-zA-Z'-]+)*")


def keywords(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True)
class PlaceSeed:
    name: str  # "{name}" stands for the setting's proper name
    details: tuple[str, ...]  # what one sees, hears or smells there; clauses, no period


@dataclass(frozen=True)
class ClueSeed:
    name: str
    tags: tuple[str, ...]  # words a goal or scenario may share with the clue


@dataclass(frozen=True)
class ItemSeed:
    name: str  # the thing itself, never its state: "the relay mast", not "the damaged..."
    broken: bool = False
    holds_clue: bool = False  # repairing it reveals a clue
    at: int = -1  # index into the world's places; -1 = placed by the RNG
    fixed: bool = False  # an installation: it stays where it is


@dataclass(frozen=True)
class HazardSeed:
    kind: str  # "storm" | "tremor" | "cache" | "malfunction"
    text: str  # past tense; "{loc}" is replaced by the location
    cause: str  # what killed someone, for "killed by ..."


@dataclass(frozen=True)
class Stakes:
    """What the scenario asks: the objective, where it is, what stands in the way and
    what happens if nobody acts."""

    objective: str  # infinitive phrase: "reach the source of the signal"
    place: int  # index into the world's places
    obstacle: str  # a sentence fragment: "the ice shelf is breaking up"
    consequence: str  # "the signal falls silent, and the survivors with it"
    achieved: str  # past tense, how it reads when done: "the source of the signal was reached"


@dataclass(frozen=True)
class World:
    name: str
    kind: str  # a few words saying what sort of world it is
    default_name: str  # the proper name used when the setting gives none
    keywords: frozenset[str]
    places: tuple[PlaceSeed, ...]
    links: tuple[tuple[int, int], ...]  # paths between places, both ways
    clues: tuple[ClueSeed, ...]
    items: tuple[ItemSeed, ...]
    caches: tuple[str, ...]  # items a "cache" hazard can drop
    hazards: tuple[HazardSeed, ...]
    factions: tuple[str, ...]  # present in the world whoever the cast is
    stakes: Stakes

    def validate(self) -> None:
        """Raise ValueError naming the first broken rule (a world is input like any other)."""
        n = len(self.places)
        if n < 2:
            raise ValueError(f"world {self.name!r}: needs at least two places")
        names = [p.name for p in self.places]
        if len(set(names)) != n:
            raise ValueError(f"world {self.name!r}: place names must be unique")
        for a, b in self.links:
            if not (0 <= a < n and 0 <= b < n) or a == b:
                raise ValueError(f"world {self.name!r}: bad path {a}-{b}")
        reached, frontier = {0}, [0]
        while frontier:
            here = frontier.pop()
            for a, b in self.links:
                for x, y in ((a, b), (b, a)):
                    if x == here and y not in reached:
                        reached.add(y)
                        frontier.append(y)
        if len(reached) != n:
            raise ValueError(f"world {self.name!r}: every place must be reachable")
        if not 0 <= self.stakes.place < n:
            raise ValueError(f"world {self.name!r}: the objective's place does not exist")
        for item in self.items:
            if item.at >= n:
                raise ValueError(f"world {self.name!r}: item {item.name!r} placed nowhere")
        if not self.clues or not self.hazards:
            raise ValueError(f"world {self.name!r}: needs clues and hazards")


@functools.lru_cache(maxsize=4096)  # goals and names are read every turn; parse them once
def words(text: str) -> tuple[str, ...]:
    """Lowercase words; a word ending in "s" is also offered without it ("-es" too)."""
    out: list[str] = []
    for word in _WORD.findall(text.lower()):
        out.append(word)
        if len(word) > 3 and word.endswith("s"):
            out.append(word[:-1])
            if word.endswith("es"):
                out.append(word[:-2])
    return tuple(out)


def proper_name(setting: str) -> str:
    """The setting's own proper name ("Veyra", "Marrow Keep", "Port Calder"), or ""."""
    for match in _PROPER.finditer(setting):
        if match.start() == 0 and len(match.group().split()) == 1:
            continue  # a capital that only starts the sentence
        return match.group()
    return ""


def nearest(worlds: tuple[World, ...], setting: str, scenario: str) -> World:
    """The world sharing most keywords with the text; ties and no match keep the first."""
    text = words(f"{setting} {scenario}")
    best, best_hits = worlds[0], 0
    for world in worlds:
        hits = sum(1 for w in text if w in world.keywords)
        if hits > best_hits:
            best, best_hits = world, hits
    return best
