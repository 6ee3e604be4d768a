"""The director: what each character can see and what it remembers.

A character's view holds only its own state, who and what is at its own location, and
what it has learned (memories of events it witnessed, clues it found or was told).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from novel_platform.characters import DEFAULT_STAT

from .actions import Action
from .checks import CheckOutcome
from .events import TurnEvent
from .sheets import trait_default
from .stakes import objective_place, stakes_of
from .world import CharacterState, Memory, WorldState

_HARMFUL = (Action.ATTACK.value, Action.DECEIVE.value)


@dataclass(frozen=True)
class SeenCharacter:
    """Another character at the viewer's location, as the viewer sees them."""

    id: str
    name: str
    faction: str
    role: str
    health_ratio: float
    guarded: bool
    items: tuple[str, ...]
    item_kinds: tuple[str, ...]
    regard: float  # the viewer's feeling towards them
    grudge: int  # times they harmed the viewer, as remembered
    violence: int  # attacks by them the viewer witnessed
    ally: bool  # same faction
    untold: int  # clues the viewer knows and has not shared with them


@dataclass(frozen=True)
class Whereabouts:
    """Where the viewer last saw someone who is not here now."""

    id: str
    name: str
    location: str
    regard: float
    grudge: int
    ally: bool


@dataclass(frozen=True)
class SeenItem:
    id: str
    name: str
    kind: str
    broken: bool


@dataclass(frozen=True)
class Sighting:
    """A broken item the viewer saw lying somewhere else."""

    id: str
    name: str
    location: str


@dataclass(frozen=True)
class KnownClue:
    id: str
    name: str
    tags: tuple[str, ...]


@dataclass(frozen=True)
class CharacterView:
    turn: int
    turns_total: int
    id: str
    name: str
    faction: str
    role: str
    traits: Mapping[str, float]
    stats: Mapping[str, int]
    goals: tuple[str, ...]
    health: int
    max_health: int
    location: str
    locations: tuple[str, ...]
    visited: tuple[str, ...]
    scouted: tuple[str, ...]
    searched: tuple[str, ...]
    leads: tuple[str, ...]
    carried: tuple[SeenItem, ...]
    lying_here: tuple[SeenItem, ...]
    clues: tuple[KnownClue, ...]
    present: tuple[SeenCharacter, ...]
    fallen_here: tuple[str, ...]
    elsewhere: tuple[Whereabouts, ...]
    broken_elsewhere: tuple[Sighting, ...]
    memories: tuple[Memory, ...]
    routes: Mapping[str, tuple[str, int]] = field(default_factory=dict)  # place -> (hop, steps)
    objective: str = ""  # the scenario's objective while it is open, else ""
    objective_place: str = ""
    knows_key: bool = False  # holds the clue that shows the way

    def trait(self, name: str) -> float:
        value = self.traits.get(name)  # the default only when missing: this runs a lot
        return trait_default(name) if value is None else value

    def stat(self, name: str) -> int:
        return self.stats.get(name, DEFAULT_STAT)

    @property
    def health_ratio(self) -> float:
        return self.health / self.max_health if self.max_health else 0.0


def _grudge(me: CharacterState, other_id: str) -> int:
    return sum(
        1
        for m in me.memories
        if m.actor_id == other_id and m.target_id == me.id and m.action in _HARMFUL
    )


def _violence(me: CharacterState, other_id: str) -> int:
    return sum(1 for m in me.memories if m.actor_id == other_id and m.action == Action.ATTACK)


def build_view(world: WorldState, char_id: str, turn: int) -> CharacterView:
    """The character's view of the world at this moment. Does not change the world."""
    me = world.character(char_id)
    present = tuple(
        SeenCharacter(
            id=o.id,
            name=o.name,
            faction=o.faction,
            role=o.role,
            health_ratio=round(o.health / o.max_health, 3),
            guarded=any(g.guarding == o.id for g in world.living_at(me.location)),
            items=tuple(i.name for i in world.items_of(o.id)),
            item_kinds=tuple(i.kind for i in world.items_of(o.id)),
            regard=me.regard(o.id),
            grudge=_grudge(me, o.id),
            violence=_violence(me, o.id),
            ally=bool(me.faction) and o.faction == me.faction,
            untold=sum(1 for c in me.known_clues if f"{o.id}|{c}" not in me.told),
        )
        for o in world.living_at(me.location)
        if o.id != me.id
    )
    here_ids = [p.id for p in present]
    elsewhere = tuple(
        Whereabouts(
            id=o.id,
            name=o.name,
            location=me.last_seen[o.id],
            regard=me.regard(o.id),
            grudge=_grudge(me, o.id),
            ally=bool(me.faction) and o.faction == me.faction,
        )
        for o in world.characters
        if o.id in me.last_seen and o.id not in here_ids and o.id not in me.known_dead
    )
    return CharacterView(
        turn=turn,
        turns_total=world.turns_total,
        id=me.id,
        name=me.name,
        faction=me.faction,
        role=me.role,
        traits=dict(me.traits),
        stats=dict(me.stats),
        goals=tuple(me.goals),
        health=me.health,
        max_health=me.max_health,
        location=me.location,
        locations=tuple(world.locations),
        visited=tuple(me.visited),
        scouted=tuple(me.scouted),
        searched=tuple(me.searched),
        leads=tuple(me.leads),
        carried=tuple(_seen_item(world, i.id) for i in world.items_of(me.id)),
        lying_here=tuple(_seen_item(world, i.id) for i in world.items_lying_at(me.location)),
        clues=tuple(
            KnownClue(c.id, c.name, tuple(c.tags))
            for c in (world.clue(cid) for cid in me.known_clues)
        ),
        present=present,
        fallen_here=tuple(
            c.name for c in world.characters if not c.alive and c.location == me.location
        ),
        elsewhere=elsewhere,
        broken_elsewhere=tuple(
            Sighting(item_id, world.item(item_id).name, place)
            for item_id, place in me.broken_seen.items()
            if place != me.location
        ),
        memories=tuple(me.memories),
        routes=routes(world, me.location),
        objective=stakes_of(world).objective if world.objective == "open" else "",
        objective_place=objective_place(world),
        knows_key=world.key_clue in me.known_clues,
    )


def routes(world: WorldState, start: str) -> dict[str, tuple[str, int]]:
    """For every other place: the first step on a shortest path there, and its length."""
    found: dict[str, tuple[str, int]] = {}
    frontier = [(hop, hop, 1) for hop in world.neighbours(start)]
    seen = {start, *(hop for hop, _, _ in frontier)}
    while frontier:
        place, hop, steps = frontier.pop(0)
        found[place] = (hop, steps)
        for nxt in world.neighbours(place):
            if nxt not in seen:
                seen.add(nxt)
                frontier.append((nxt, hop, steps + 1))
    return found


def _seen_item(world: WorldState, item_id: str) -> SeenItem:
    item = world.item(item_id)
    return SeenItem(item.id, item.name, item.kind, item.broken)


def note_items(world: WorldState, me: CharacterState, place: str) -> None:
    """Remember which items lie broken at `place`, as seen now."""
    for item in world.items_lying_at(place):
        if item.broken:
            me.broken_seen[item.id] = place
        else:
            me.broken_seen.pop(item.id, None)
    for item_id, seen_at in list(me.broken_seen.items()):
        if seen_at == place and world.item(item_id).location != place:
            del me.broken_seen[item_id]  # taken away since


def note_surroundings(world: WorldState, char_id: str) -> None:
    """Update what the character knows from looking around where it stands."""
    me = world.character(char_id)
    note_items(world, me, me.location)
    for other in world.characters:
        if other.id == me.id or other.location != me.location:
            continue
        if other.alive:
            me.last_seen[other.id] = other.location
        elif other.id not in me.known_dead:
            me.known_dead.append(other.id)


def record(world: WorldState, event: TurnEvent) -> None:
    """Store the event in the memory of everyone who witnessed it."""
    actor = world.find_character(event.actor_id)
    places = [event.location] + ([actor.location] if actor is not None else [])
    perceived = event.action
    if event.action == Action.DECEIVE and event.outcome in (
        CheckOutcome.SUCCESS,
        CheckOutcome.CRITICAL_SUCCESS,
    ):
        perceived = Action.TALK.value  # a lie that works looks like conversation
    killed = [e.subject_id for e in event.effects if e.kind == "killed"]
    for witness in world.characters:
        if not witness.alive:
            continue
        involved = witness.id in (event.actor_id, event.target_id)
        if not involved and witness.location not in places:
            continue
        action = event.action if witness.id == event.actor_id else perceived
        witness.remember(
            Memory(
                event.turn,
                event.sequence,
                event.actor_id,
                action,
                event.target_id,
                event.location,
                event.outcome,
            )
        )
        _note_knowledge(world, witness, event)
        for dead in killed:
            if dead not in witness.known_dead:
                witness.known_dead.append(dead)
            witness.last_seen.pop(dead, None)
        for seen_id in (event.actor_id, event.target_id):
            seen = world.find_character(seen_id)
            if seen is not None and seen.alive and seen.id != witness.id:
                witness.last_seen[seen.id] = seen.location


def _note_knowledge(world: WorldState, witness: CharacterState, event: TurnEvent) -> None:
    """A witness of a find or a telling knows who now holds the clue, and will not
    offer it to them as news."""
    for effect in event.effects:
        if effect.kind == "clue_found":
            holder, clue_id = event.actor_id, effect.subject_id
        elif effect.kind in ("learned", "knew"):
            holder = effect.subject_id
            clue_id = next((c.id for c in world.clues if c.name == effect.detail), "")
        else:
            continue
        mark = f"{holder}|{clue_id}"
        if clue_id and holder != witness.id and mark not in witness.told:
            witness.told.append(mark)
