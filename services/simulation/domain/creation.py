"""Building the first world state from sheets, setting and seed."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from .fitting import fit_goals
from .items import item_kind
from .scenery import World, nearest, proper_name, words
from .sheets import CharacterSheet
from .world import CharacterState, Clue, Item, WorldState, capture_rng
from .worlds import WORLDS, drawn

LOCATION_CLUES = 3  # clues hidden at locations; one more hides inside a broken item
BASE_HEALTH = 8  # plus strength


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:40]


def _character(
    sheet: CharacterSheet, roster: Sequence[CharacterSheet], start: str, goals: list[str]
) -> CharacterState:
    # Relationships only towards characters in this simulation, in roster order.
    relationships = {
        other.id: round(float(sheet.relationships.get(other.id, 0.0)), 3)
        for other in roster
        if other.id != sheet.id
    }
    char = CharacterState(
        id=sheet.id,
        name=sheet.name.strip(),
        faction=sheet.faction.strip(),
        role=sheet.role.strip(),
        traits={k.strip().lower(): round(float(v), 3) for k, v in sheet.traits.items()},
        stats={k.strip().lower(): int(v) for k, v in sheet.stats.items()},
        goals=goals,
        relationships=relationships,
        location=start,
        health=0,
        max_health=0,
        visited=[start],
    )
    char.max_health = char.health = BASE_HEALTH + char.stat("strength")
    char.pronoun = pronoun_of(sheet.backstory)
    return char


_SHE = frozenset(("she", "her", "hers", "herself"))
_HE = frozenset(("he", "him", "his", "himself"))


def pronoun_of(backstory: str) -> str:
    """The pronoun a sheet's own backstory uses for its character, when it uses only one
    kind: "she" or "he"; otherwise "" and a story keeps to the name."""
    tokens = re.findall(r"[a-z]+", backstory.lower())
    she = any(t in _SHE for t in tokens)
    he = any(t in _HE for t in tokens)
    return "she" if she and not he else "he" if he and not she else ""


def _clue_choice(theme: World, rng: random.Random, focus: tuple[str, ...]) -> list[int]:
    """The clue most relevant to the scenario and goals, then random others."""
    relevance = [sum(1 for t in seed.tags if t in focus) for seed in theme.clues]
    ranked = sorted(range(len(theme.clues)), key=lambda i: (-relevance[i], i))
    key, rest = ranked[0], sorted(ranked[1:])
    return [key, *rng.sample(rest, min(LOCATION_CLUES, len(rest)))]


def create_world(
    sheets: Sequence[CharacterSheet],
    *,
    seed: int,
    setting: str,
    scenario: str,
    turns_total: int,
    world: World | None = None,
) -> WorldState:
    rng = random.Random(seed)  # noqa: S311 - reproducible simulation, not security
    base = world if world is not None else nearest(WORLDS, setting, scenario)
    own = base not in WORLDS  # a user's world keeps its names exactly as given
    theme = base if own else drawn(base.name, seed)
    name = proper_name(setting) or theme.default_name
    locations = [p.name.format(name=name) for p in theme.places]

    # Everyone starts at the scenario's focal point; goals soon spread them out.
    # Goals are read against this world: a sheet written for another keeps its aims.
    characters = [
        _character(
            s, sheets, locations[0],
            fit_goals(
                [g.strip() for g in s.goals if g.strip()], theme, name, locations,
                salt=-1 if own else seed,
            ),
        )
        for s in sheets
    ]  # fmt: skip

    items: list[Item] = []
    for char, sheet in zip(characters, sheets, strict=True):
        for name in sheet.equipment:
            if name.strip():
                items.append(
                    Item(f"item:{len(items) + 1}", name.strip(), item_kind(name), char.id, "")
                )
    for seed_item in theme.items:
        where = locations[seed_item.at] if seed_item.at >= 0 else rng.choice(locations)
        items.append(
            Item(
                id=f"item:{len(items) + 1}",
                name=seed_item.name,
                kind=item_kind(seed_item.name),
                holder="",
                location=where,
                broken=seed_item.broken,
                difficulty=13,
                fixed=seed_item.fixed,
            )
        )

    # Text by text, not joined: `words` caches by its text, and the joined text is new
    # almost every run (the cast and the seed's goals): thousands of one-off entries.
    focus = tuple(
        w for text in (scenario, *(g for c in characters for g in c.goals)) for w in words(text)
    )
    chosen = _clue_choice(theme, rng, focus)
    # The key clue lies away from the objective, so reaching it takes finding the way.
    goal = locations[theme.stakes.place]
    spots = rng.sample([p for p in locations if p != goal], min(LOCATION_CLUES, len(locations) - 1))
    containers = [i for i in items if i.broken and _holds_clue(theme, i.name)]
    clues: list[Clue] = []
    for n, index in enumerate(chosen):
        seed_clue = theme.clues[index]
        clue = Clue(
            id=f"clue:{_slug(seed_clue.name)}",
            name=seed_clue.name,
            tags=list(seed_clue.tags),
            location="",
            item_id="",
            difficulty=rng.randint(12, 17),
        )
        if n < len(spots):
            clue.location = spots[n]
        elif containers:
            container = containers.pop(0)
            clue.item_id = container.id
            container.clue_id = clue.id
        else:
            clue.location = rng.choice(locations)
        clues.append(clue)

    return WorldState(
        seed=seed,
        setting=setting,
        scenario=scenario,
        theme=theme.name,
        turns_total=turns_total,
        turn=0,
        locations=locations,
        characters=characters,
        clues=clues,
        items=items,
        rng_state=capture_rng(rng),
        links=[(locations[a], locations[b]) for a, b in theme.links],
        key_clue=clues[0].id,
        # A built-in world is named by `theme` and drawn again from the seed; only a
        # user's own travels with the state.
        world=base if own else None,
        varied=not own,
    )


def _holds_clue(theme: World, name: str) -> bool:
    return any(s.name == name and s.holds_clue for s in theme.items)


def newcomer(world: WorldState, sheet: CharacterSheet, start: str) -> CharacterState:
    """A character entering a run under way, at `start`, with its equipment: added to
    `world` (the turn's working copy) as the start would have made it."""
    char = _character(sheet, (), start, [g.strip() for g in sheet.goals if g.strip()])
    char.relationships = {
        other.id: round(float(sheet.relationships.get(other.id, 0.0)), 3)
        for other in world.characters
    }
    world.characters.append(char)
    for name in sheet.equipment:
        if name.strip():
            world.items.append(
                Item(world.next_item_id(), name.strip(), item_kind(name), char.id, "")
            )
    return char
