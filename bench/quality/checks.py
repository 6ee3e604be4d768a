"""Continuity and prose-consistency checks, from the events and the text alone.

The tracker is independent of the engine: it starts from the first world state (who
stands where, who holds what) and replays only what the events say.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .corpus import Story

SOCIAL = ("talk", "persuade", "deceive", "trade", "help", "attack")
_FAIL = ("failure", "critical_failure")
_WIN = ("success", "critical_success")
# Nouns for things bolted down: nobody carries these off.
_INSTALLATIONS = (
    "mast", "pump", "lens", "ward-stone", "reactor", "generator", "console", "pylon", "furnace",
    "well", "altar", "winch", "crane", "hatch", "bulkhead", "turbine", "array", "organ", "bell",
    "lighthouse", "tower", "engine", "airlock", "pressure door", "sluice", "press",
)  # fmt: skip
# The thing carried follows these verbs, or comes before "passed from" and the other
# ways the chronicler tells a change of hands.
_CARRY = re.compile(r"(?:came away with|carried off|pocketed|picked up|walked off with) ([^,.;]*)")
_PASSED = re.compile(r"(\w[\w' -]*) (?:passed from|changed hands|went from|ended up with)")
_BROKEN = "broken|stalled|cracked|damaged|shattered|smashed|jammed|dented|dead|ruined|fouled"


@dataclass
class Findings:
    continuity: Counter[str] = field(default_factory=Counter)
    prose: Counter[str] = field(default_factory=Counter)


def continuity(story: Story) -> Counter[str]:
    """Dead actors, wrong places, items held by the wrong hands, early endings."""
    found: Counter[str] = Counter()
    where = {c.id: c.location for c in story.first.characters}
    alive = {c.id for c in story.first.characters}
    held: dict[str, Counter[str]] = {c.id: Counter() for c in story.first.characters}
    for item in story.first.items:
        if item.holder:
            held[item.holder][item.name] += 1
    for events in story.turns:
        for e in events:
            if e.actor_id in where:
                if e.actor_id not in alive:
                    found["dead actor"] += 1
                if where[e.actor_id] != e.location:
                    found["actor in the wrong place"] += 1
                if (
                    e.action in SOCIAL
                    and e.target_id in where
                    and where[e.target_id] != where[e.actor_id]
                ):
                    found["target out of reach"] += 1
                if e.target_id in where and e.target_id not in alive and e.action in SOCIAL:
                    found["dead target"] += 1
            for f in e.effects:
                if f.kind == "moved" and f.subject_id in where:
                    where[f.subject_id] = f.detail.removeprefix("to ")
                elif f.kind == "killed":
                    alive.discard(f.subject_id)
                elif f.kind == "item_lost" and f.subject_id in held:
                    if held[f.subject_id][f.detail] <= 0:
                        found["item lost by someone not holding it"] += 1
                    else:
                        held[f.subject_id][f.detail] -= 1
                elif f.kind == "item_gained" and f.subject_id in held:
                    held[f.subject_id][f.detail] += 1
    if len(story.turns) < story.first.turns_total and alive:
        found["early ending"] += 1
    final = {c.id: c.location for c in story.last.characters}
    if any(final[i] != where[i] for i in where if i in alive):
        found["tracker and world disagree on places"] += 1
    return found


def prose_consistency(story: Story) -> Counter[str]:
    """The kinds of contradiction the issue lists, checked on events and on the text."""
    found: Counter[str] = Counter()
    knows = {c.id: set(c.known_clues) for c in story.first.characters}
    repaired: dict[str, int] = {}  # item name -> chapter number of its latest repair
    for number, events in enumerate(story.turns, start=1):
        for e in events:
            learned = [f for f in e.effects if f.kind == "learned"]
            for f in e.effects:
                if f.kind == "clue_found" and e.actor_id in knows:
                    if f.detail in knows[e.actor_id]:
                        found["clue uncovered by someone who knew it"] += 1
                    knows[e.actor_id].add(f.detail)
                elif f.kind == "learned" and f.subject_id in knows:
                    if f.detail in knows[f.subject_id]:
                        found["told what the listener knew"] += 1
                    knows[f.subject_id].add(f.detail)
                elif f.kind == "repaired":
                    repaired[f.detail] = number
                elif f.kind == "broken":
                    repaired.pop(f.detail, None)
            if e.action == "talk" and "share" in e.motive and not learned:
                found["sharing with nothing to share"] += 1
            if e.difficulty and e.outcome in _FAIL and e.roll >= e.difficulty:
                found["failure on a roll that met its target"] += 1
            if e.difficulty and e.outcome in _WIN and e.roll < e.difficulty:
                found["success on a roll below its target"] += 1
    for chapter in story.chapters:
        for sentence in re.split(r"(?<=[.!?])\s+", chapter.text):
            low = sentence.lower()
            carried = [m.group(1) for m in (*_CARRY.finditer(low), *_PASSED.finditer(low))]
            if any(
                re.search(rf"\b{re.escape(noun)}\b", thing)
                for thing in carried
                for noun in _INSTALLATIONS
            ):
                found["installation carried off"] += 1
            for name, when in repaired.items():
                noun = name.split()[-1].lower()
                if chapter.number > when and re.search(
                    rf"\b({_BROKEN})\s+(\w+\s+){{0,2}}{re.escape(noun)}\b", low
                ):
                    found["repaired item called broken"] += 1
    return found


def unnamed(story: Story) -> int:
    """Participants whose name never appears in the story."""
    text = story.text()
    return sum(1 for name in story.names if name not in text)
