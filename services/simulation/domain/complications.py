"""Director complications: world happenings (storms, tremors, supply drops, failures)
that change the state and give characters something to react to."""

from __future__ import annotations

import random

from . import consequences as cq
from .events import Effect
from .items import OPTIC, TOOL, WEAPON, item_kind
from .scenery import HazardSeed
from .temper import temperament
from .world import Item, WorldState
from .worlds import world_of

FOCUS = 0.7  # of striking where someone is, so it matters to the story


def strike(
    world: WorldState, rng: random.Random, kinds: tuple[str, ...]
) -> tuple[HazardSeed, str, list[Effect]]:
    """One hazard of the given kinds at a place chosen by the RNG, and what it did. The
    world's hazards of those kinds take turns (from a start the seed picks), so the same
    happening does not strike hour after hour."""
    hazards = [h for h in world_of(world).hazards if h.kind in kinds]
    turns = hazards or list(world_of(world).hazards)
    hazard = turns[(world.seed + world.turn) % len(turns)]
    occupied = [p for p in world.locations if world.living_at(p)]
    pool = occupied if occupied and rng.random() < FOCUS else world.locations
    place = rng.choice(pool)
    return hazard, place, apply(world, rng, hazard, place)


def apply(world: WorldState, rng: random.Random, hazard: HazardSeed, place: str) -> list[Effect]:
    effects: list[Effect] = []
    if hazard.kind == "storm":
        for char in world.living_at(place):
            effects += cq.injure(world, char, rng.randint(1, 2), f"by {hazard.cause}")
        struck = [c for c in world.living_at(place) if c.alive]
        if struck:  # the first one struck may cry out, in their own voice
            effects.append(Effect("voice", struck[0].id, temperament(struck[0]), 0.0))
    elif hazard.kind == "tremor":
        # Lays a hidden clue bare: easier to find, and everyone there notices.
        hidden = [c for c in world.clues if c.location == place and not c.item_id]
        if hidden:
            hidden[0].difficulty = max(6, hidden[0].difficulty - 4)
            for char in world.living_at(place):
                if hidden[0].id not in char.known_clues and place not in char.leads:
                    char.leads.append(place)
                    effects.append(Effect("lead", char.id, place))
            noticed = [e.subject_id for e in effects if e.kind == "lead"]
            if noticed:  # the first to notice may say so, in their own voice
                first = world.character(noticed[0])
                effects.append(Effect("voice", first.id, temperament(first), 0.0))
    elif hazard.kind == "cache":
        name = rng.choice(world_of(world).caches)
        item = Item(world.next_item_id(), name, item_kind(name), "", place)
        world.items.append(item)
        effects.append(Effect("revealed", item.id, name))
    elif hazard.kind == "malfunction":
        fragile = [
            i
            for i in world.items
            if not i.broken
            and not i.fixed
            and i.kind in (TOOL, OPTIC, WEAPON)
            and (i.location == place or _held_at(world, i, place))
        ]
        if fragile:
            item = rng.choice(fragile)
            item.broken = True
            item.difficulty = 11
            effects.append(Effect("broken", item.id, item.name))
            holder = world.find_character(item.holder) if item.holder else None
            if holder is not None and holder.alive:  # whose it was may curse it
                effects.append(Effect("voice", holder.id, temperament(holder), 0.0))
    return effects


def _held_at(world: WorldState, item: Item, place: str) -> bool:
    holder = world.find_character(item.holder) if item.holder else None
    return holder is not None and holder.alive and holder.location == place
