"""What the whole run amounted to: deaths, wounds, discoveries and changed bonds."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .model import DIRECTOR_ID, EventView, StoryContext
from .naming import Names


@dataclass(frozen=True)
class Fall:
    id: str
    name: str
    cause: str
    turn: int


@dataclass(frozen=True)
class Find:
    clue: str
    finder: str  # "" when the world itself revealed it
    turn: int


@dataclass(frozen=True)
class Bond:
    holder: str
    other: str
    change: float


@dataclass
class Tally:
    names: Names
    order: list[str]  # participant ids, roster order first
    fallen: list[Fall] = field(default_factory=list)
    damage: dict[str, int] = field(default_factory=dict)
    healing: dict[str, int] = field(default_factory=dict)
    finds: list[Find] = field(default_factory=list)
    bonds: list[Bond] = field(default_factory=list)
    deeds: int = 0

    @property
    def survivors(self) -> list[str]:
        dead = [f.id for f in self.fallen]
        return [self.names.full(i) for i in self.order if i not in dead]

    def strongest_bonds(self, limit: int) -> list[Bond]:
        ranked = sorted(self.bonds, key=lambda b: -abs(b.change))  # stable on ties
        return [b for b in ranked if abs(b.change) >= 0.15][:limit]


def tally(ctx: StoryContext, chapters: Sequence[Sequence[EventView]]) -> Tally:
    events = [e for chapter in chapters for e in chapter]
    names = Names.gather(ctx.participants, events)
    order = [p.id for p in ctx.participants]
    for e in events:
        if e.actor_id != DIRECTOR_ID and e.actor_id not in order:
            order.append(e.actor_id)
    result = Tally(names=names, order=order)
    net: dict[tuple[str, str], float] = {}
    found: list[str] = []
    for e in events:
        result.deeds += e.actor_id != DIRECTOR_ID
        for f in e.effects:
            if f.kind == "killed" and f.subject_id not in [x.id for x in result.fallen]:
                result.fallen.append(Fall(f.subject_id, names.full(f.subject_id), f.detail, e.turn))
            elif f.kind == "injured":
                result.damage[f.subject_id] = result.damage.get(f.subject_id, 0) + round(f.value)
            elif f.kind == "healed":
                result.healing[f.subject_id] = result.healing.get(f.subject_id, 0) + round(f.value)
            elif f.kind == "clue_found" and f.detail not in found:
                found.append(f.detail)
                finder = "" if e.actor_id == DIRECTOR_ID else names.full(e.actor_id, e.actor_name)
                result.finds.append(Find(f.detail, finder, e.turn))
            elif f.kind == "relationship":
                other = e.actor_id if f.subject_id != e.actor_id else e.target_id
                pair = (f.subject_id, other)
                net[pair] = round(net.get(pair, 0.0) + f.value, 3)
    result.bonds = [
        Bond(names.full(holder), names.full(other), change)
        for (holder, other), change in net.items()
        if change and other
    ]
    return result
