"""What the simulation's director says about a turn, read from its events' effects.

The director (actor "director") opens each turn with the places' look and the tension
of the run ("scene", "tension", and on the first turn "stakes"), may strike with a
hazard, and closes a turn by settling goals and, at the end, the scenario ("goal",
"resolution"). Characters' events carry "voice" (temperament, regard as value),
"motive" ("new" when the motive is stated for the first time), "reaction" and "knew".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .model import DIRECTOR_ID, EventView


@dataclass(frozen=True)
class Stakes:
    objective: str
    place: str
    obstacle: str
    consequence: str


@dataclass
class TurnFacts:
    scenes: dict[str, str] = field(default_factory=dict)  # place -> a detail of it
    phase: str = ""  # "build-up" | "peak" | "relief" | ""
    stakes: Stakes | None = None
    obstacle: str = ""
    goals: list[tuple[str, str, float]] = field(default_factory=list)  # (who, goal, verdict)
    resolution: tuple[str, float] | None = None  # (what came of it, +1 achieved / -1 lost)
    resolution_event: EventView | None = None
    # (who, goal lower-cased) for goals a motive stated this hour: the reckoning need
    # not say them again in full.
    stated: set[tuple[str, str]] = field(default_factory=set)
    # Each character's own deeds this hour, in order: what may have settled a goal.
    deeds: dict[str, list[EventView]] = field(default_factory=dict)


def gather(events: Sequence[EventView]) -> TurnFacts:
    facts = TurnFacts()
    for event in events:
        if not is_director(event):
            facts.deeds.setdefault(event.actor_id, []).append(event)
        if event.motive.startswith(_GOAL_MOTIVES) and fresh_motive(event):
            goal = event.motive.split(" ", 5)[-1].rstrip(".").lower()
            facts.stated.add((event.actor_id, goal))
        for f in event.effects:
            if f.kind == "scene" and "|" in f.detail:
                place, detail = f.detail.split("|", 1)
                facts.scenes.setdefault(place, detail)
            elif f.kind == "tension" and f.detail.endswith(":new"):
                facts.phase = f.detail.removesuffix(":new")
            elif f.kind == "stakes" and f.detail.count("|") == 3:
                facts.stakes = Stakes(*f.detail.split("|"))
            elif f.kind == "obstacle":
                facts.obstacle = f.detail
            elif f.kind == "goal":
                facts.goals.append((f.subject_id, f.detail, f.value))
            elif f.kind == "resolution":
                facts.resolution = (f.detail, f.value)
                facts.resolution_event = event
    return facts


def voices(event: EventView) -> dict[str, tuple[str, float]]:
    """Character id -> (temperament, regard for the other party) for this event."""
    return {f.subject_id: (f.detail, f.value) for f in event.effects if f.kind == "voice"}


def is_director(event: EventView) -> bool:
    return event.actor_id == DIRECTOR_ID


_GOAL_MOTIVES = ("driven by the goal to ", "driven by the goal of ")
# Motives that only say again what the deed says ("scouted toward the ridge, wanting a
# first look at it"): the deed tells them, so they are never stated.
_ECHOES = ("wanting a first look at ", "curious about ")


def fresh_motive(event: EventView) -> bool:
    """The engine marks a motive the first time a character acts on it; only then is
    it worth stating, and only when it says more than the deed itself."""
    if event.motive.startswith(_ECHOES) and event.action in ("scout", "investigate", "move"):
        return False
    return any(f.kind == "motive" for f in event.effects)
