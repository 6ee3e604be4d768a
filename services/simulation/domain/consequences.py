"""Changes to the world state, each returning the effects it caused."""

from __future__ import annotations

from .events import Effect
from .world import CharacterState, Clue, Item, WorldState


def relocate(char: CharacterState, destination: str) -> Effect:
    char.location = destination
    char.guarding = ""  # a guard who walks away no longer guards
    if destination not in char.visited:
        char.visited.append(destination)
    return Effect("moved", char.id, f"to {destination}")


def injure(world: WorldState, victim: CharacterState, amount: int, cause: str) -> list[Effect]:
    if not victim.alive or amount <= 0:
        return []
    victim.health = max(0, victim.health - amount)
    effects = [Effect("injured", victim.id, f"{amount} damage", amount)]
    if victim.health == 0:
        victim.alive = False
        victim.guarding = ""
        victim.alert = False
        effects.append(Effect("killed", victim.id, cause))
        for item in world.items_of(victim.id):
            item.holder = ""
            item.location = victim.location
            effects.append(Effect("item_lost", victim.id, item.name))
    return effects


def heal(char: CharacterState, amount: int) -> list[Effect]:
    healed = min(amount, char.max_health - char.health) if char.alive else 0
    if healed <= 0:
        return []
    char.health += healed
    return [Effect("healed", char.id, f"{healed} health", healed)]


def shift_regard(holder: CharacterState, other: CharacterState, delta: float) -> list[Effect]:
    """Change how `holder` feels about `other`; values stay in -1..1 at 3 decimals."""
    if not holder.alive or holder.id == other.id:
        return []
    old = holder.regard(other.id)
    new = round(min(1.0, max(-1.0, old + delta)), 3)
    change = round(new - old, 3)
    if change == 0:
        return []
    holder.relationships[other.id] = new
    return [Effect("relationship", holder.id, f"trust in {other.name} {change:+.2f}", change)]


def find(world: WorldState, char: CharacterState, clue: Clue) -> list[Effect]:
    """A clue uncovered by `char`: its "clue_found" effect, valued 1 when someone had
    found or heard of it before (a story tells that as no news), or nothing if `char`
    already knew it."""
    known = bool(clue.found_by)
    source = origin(world, clue)
    if not learn(world, char, clue):
        return []
    return [Effect("clue_found", clue.id, clue.name, 1.0 if known else 0.0), *source]


def origin(world: WorldState, clue: Clue) -> list[Effect]:
    """Who first found `clue` and where, as a "source" effect (none while nobody has):
    a story can then say whose find it was ("the matchbook Kai dug out of the docks")."""
    if not clue.found_by:
        return []
    place = clue.location
    if not place and clue.item_id:
        item = world.item(clue.item_id)
        place = item.location or ""
    return [Effect("source", clue.found_by[0], f"{clue.name}|{place}")]


def learn(world: WorldState, char: CharacterState, clue: Clue) -> bool:
    """Teach a clue; False if it was already known."""
    if clue.id in char.known_clues:
        return False
    char.known_clues.append(clue.id)
    if char.id not in clue.found_by:
        clue.found_by.append(char.id)
    # A location with nothing left to find is no longer a lead.
    if clue.location in char.leads and not world.hidden_clues(char, clue.location):
        char.leads.remove(clue.location)
    return True


def give(item: Item, giver: CharacterState | None, taker: CharacterState) -> list[Effect]:
    item.holder = taker.id
    item.location = ""
    effects = [Effect("item_lost", giver.id, item.name)] if giver is not None else []
    return [*effects, Effect("item_gained", taker.id, item.name)]
