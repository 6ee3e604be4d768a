"""Goals re-read against the world a simulation runs in.

A character sheet is written once and used in any setting, so a goal may name things
of another world: "find a safe landing corridor through the storms" in a mountain
monastery. A goal fits when at least half of its world words (words some built-in
world uses for its places, clues, items, factions and kind) belong to this world, or when it
has none ("keep everyone alive"). A goal that does not fit keeps what it is about
(the action it favours) and is rewritten with this world's own places, installations
and factions. The default world's proper name in a goal becomes this world's name.

In a built-in world, drawn anew for each run (variants.py), every goal that names
things of some world is told in this run's own places and installations, the way a
game master hands out aims that fit the table's map; its kind is kept, so it is
pursued and judged as before. A user's own world keeps fitting goals as written.

Pure and deterministic: the choice among rewrites is a CRC-32 of the goal, the world
and the run's salt (its seed), never the simulation's RNG, so it changes nothing else.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Sequence

from .actions import Action
from .goals import goal_kind
from .scenery import World, keywords, words
from .worlds import WORLDS

# Too common, or too general, to tie a goal to one world.
_GENERAL = keywords(
    "the a an of to and or for in on at by with from into under over before after old new "
    "what who that this their them they his her its our your find get make keep it off "
    "safe first team anyone else everyone alive out sure never home means trusted"
)


@functools.lru_cache(maxsize=16)
def _vocabulary(world: World) -> frozenset[str]:
    found: set[str] = set(world.keywords)
    for place in world.places:
        found.update(words(place.name.replace("{name}", "")))
    for clue in world.clues:  # names, not tags: tags are ideas ("truth"), not things
        found.update(words(clue.name))
    for item in world.items:
        found.update(words(item.name))
    found.update(words(world.stakes.objective))
    found.update(words(world.kind))
    for faction in world.factions:
        found.update(words(faction))
    return frozenset(w for w in found if len(w) > 3 and w not in _GENERAL)


@functools.lru_cache(maxsize=1)
def _all_vocabulary() -> frozenset[str]:
    return frozenset().union(*(_vocabulary(w) for w in WORLDS))


def _known(goal: str) -> list[str]:
    return [w for w in words(goal) if w in _all_vocabulary()]


def fits(goal: str, world: World) -> bool:
    known = _known(goal)
    if not known:
        return True
    here = _vocabulary(world)
    return 2 * sum(1 for w in known if w in here) >= len(known)


def _retold(goal: str, world: World) -> bool:
    """Whether a goal is told anew in a drawn world: it names some world's things, and
    not only the scenario's own aim ("find the source of the signal" stays)."""
    known = _known(goal)
    aim = _aims(world)
    return bool(known) and not all(w in aim for w in known)


def _aims(world: World) -> frozenset[str]:
    """The words of the scenario's aim, as this run words it and as the plain world does."""
    plain = next((w for w in WORLDS if w.name == world.name), world)
    return frozenset(words(f"{world.stakes.objective} {plain.stakes.objective}"))


def _choose(options: Sequence[str], goal: str, world: World, salt: int, kind: Action | None) -> str:
    """The option a CRC-32 points at, or the next one of the goal's kind ("" if none):
    a rewrite never changes what the goal is about, so it is pursued and judged alike."""
    key = f"{goal}\x1f{world.name}" if salt < 0 else f"{goal}\x1f{world.name}\x1f{salt}"
    start = zlib.crc32(key.encode())
    for n in range(len(options)):  # kinds are read one by one: most match at once
        option = options[(start + n) % len(options)]
        if goal_kind(option) is kind:
            return option
    return ""


def _rewrites(action: Action | None, world: World, places: Sequence[str]) -> list[str]:
    """Goals of the same kind, in this world's terms."""
    fixed = [i.name for i in world.items if i.fixed]
    far = [p for p in places[1:]] or list(places)
    faction = world.factions[0] if world.factions else ""
    if action is Action.INVESTIGATE:
        shapes = ("find out what really happened at {p}", "learn what {p} was hiding",
                  "get to the bottom of whatever happened at {p}", "uncover what {p} kept secret",
                  "learn who had been at {p} before them", "find out who was last seen at {p}",
                  "discover what was buried at {p}", "learn the truth about {p}",
                  "find out what went wrong at {p}", "discover who was lying about {p}",
                  "search {p} for whatever was left behind")  # fmt: skip
        return [shape.format(p=p) for shape in shapes for p in far[:4]]
    if action is Action.SCOUT:
        return (
            [f"map every way in and out of {p}" for p in far[:3]]
            + [f"chart the ground between {places[0]} and {p}" for p in far[1:4]]
            + [f"scout a safe way to {p}" for p in far[2:5]]
        )
    if action is Action.REPAIR and fixed:
        return [f"get {name} working again" for name in fixed] + [
            f"repair {name} before it fails for good" for name in fixed
        ]
    if action is Action.DEFEND:
        return [
            shape.format(p=p)
            for shape in (
                "hold {p} against anyone who comes",
                "guard the way to {p}",
                "keep watch over {p}",
                "defend {p} to the last",
            )
            for p in far[:3]
        ] + [
            "protect the others",
            f"keep {places[0]} safe",
            "stand between the others and harm",
        ]
    if action is Action.HELP:
        return ["keep everyone alive", "see that nobody is left behind"]
    if action is Action.PERSUADE and faction:
        return [f"win {faction} over", f"make peace with {faction}"]
    if action is Action.TRADE:
        return [f"come away from {places[0]} richer", "strike a deal worth the risk"]
    if action is Action.DECEIVE:
        return [f"keep what was found at {p} hidden" for p in far[:2]]
    if action is Action.FLEE:
        return [f"get out of {places[0]} alive"]
    if action is Action.OBSERVE:
        return [f"witness whatever happens at {p}" for p in far[:2]]
    return [f"see {world.stakes.objective.split(' before ')[0]} through"]


def fit_goals(
    goals: Sequence[str], world: World, name: str, places: Sequence[str], salt: int = -1
) -> list[str]:
    """The goals as this world reads them, in the same order, without repeats. With a
    `salt` (a built-in world's run seed), goals naming any world's things are told in
    this run's terms; with none (-1), only goals that do not fit are."""
    return list(_fitted(tuple(goals), world, name, tuple(places), salt))


@functools.lru_cache(maxsize=1024)  # the same sheets meet the same worlds again and again
def _fitted(
    goals: tuple[str, ...], world: World, name: str, places: tuple[str, ...], salt: int
) -> tuple[str, ...]:
    out: list[str] = []
    default = WORLDS[0].default_name
    for goal in goals:
        text = goal.replace(default, name) if default in goal and name != default else goal
        if (salt >= 0 and _retold(text, world)) or not fits(text, world):
            kind, taken = goal_kind(text), {g.lower() for g in out}
            options = [g for g in _rewrites(kind, world, places) if g.lower() not in taken]
            text = _choose(options, goal, world, salt, kind) or text
            text = text[:1].upper() + text[1:]
        if text not in out:
            out.append(text)
    return tuple(out)
