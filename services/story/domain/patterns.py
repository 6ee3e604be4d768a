"""Patterns over a turn's events that a chapter can be built around.

A confrontation (blows between two people), a betrayal (a blow or a lie against
someone who trusted the aggressor), a rescue (wounds tended, or a guard taken up over
someone hurt or threatened), a discovery (a clue found, a secret repaired out of a
machine, the objective reached), a pursuit (someone hunted or fleeing), a parley
(persuasion, bargains, confidences). Each pattern keeps its events, in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .facts import is_director
from .model import EventView

# The order a chapter prefers when several patterns are found.
PRIORITY = ("resolution", "betrayal", "confrontation", "rescue", "discovery", "pursuit", "parley")
_WIN = ("success", "critical_success")


@dataclass(frozen=True)
class Pattern:
    kind: str
    events: tuple[EventView, ...]
    people: tuple[str, ...]  # ids: the principal, then the other party


def _reacts(event: EventView, feeling: str) -> bool:
    return any(f.kind == "reaction" and f.detail.startswith(feeling) for f in event.effects)


def find_patterns(events: Sequence[EventView]) -> list[Pattern]:
    """Patterns found, most dramatic first; an event belongs to one pattern at most."""
    deeds = [e for e in events if not is_director(e)]
    used: set[int] = set()
    found: list[Pattern] = []

    def take(kind: str, chosen: list[EventView], people: tuple[str, ...]) -> None:
        fresh = [e for e in chosen if id(e) not in used]
        if fresh:
            used.update(id(e) for e in fresh)
            found.append(Pattern(kind, tuple(fresh), people))

    for e in deeds:
        if any(f.kind == "resolution" for f in e.effects):
            take("resolution", [e], (e.actor_id,))
    for e in deeds:
        betrayed = _reacts(e, "betrayed") or (e.action == "deceive" and e.outcome in _WIN)
        if betrayed and e.target_id:
            take("betrayal", [e], (e.actor_id, e.target_id))
    for e in deeds:
        if e.action == "attack" and id(e) not in used:
            pair = {e.actor_id, e.target_id}
            blows = [x for x in deeds if x.action == "attack" and {x.actor_id, x.target_id} == pair]
            answers = [
                x for x in deeds
                if x.action in ("defend", "flee", "help") and x.target_id in pair
            ]  # fmt: skip
            take("confrontation", sorted([*blows, *answers], key=lambda x: x.sequence),
                 (e.actor_id, e.target_id))  # fmt: skip
    for e in deeds:
        hurt = any(f.kind == "healed" for f in e.effects)
        if e.action == "help" and (hurt or e.outcome in _WIN):
            take("rescue", [e], (e.actor_id, e.target_id))
    for e in deeds:
        finds = {f.detail for f in e.effects if f.kind == "clue_found"}
        # A find someone made before is no discovery to build a chapter on.
        news = any(f.kind == "clue_found" and f.value <= 0 for f in e.effects)
        if news or any(f.kind == "repaired" for f in e.effects):
            # Everyone who turned up the same thing this hour belongs to one discovery.
            same = [
                x for x in deeds
                if finds and {f.detail for f in x.effects if f.kind == "clue_found"} == finds
            ]  # fmt: skip
            take("discovery", same or [e], (e.actor_id,))
    for e in deeds:
        hunted = e.motive.startswith(("hunting", "seeking out")) or e.action == "flee"
        if hunted and e.action in ("move", "flee"):
            take("pursuit", [e], (e.actor_id, e.target_id))
    for e in deeds:
        if e.action in ("persuade", "trade", "talk") and e.outcome in _WIN:
            take("parley", [e], (e.actor_id, e.target_id))
    return sorted(found, key=lambda p: (PRIORITY.index(p.kind), p.events[0].sequence))
