"""The scenario's stakes and the characters' goals, pursued to an outcome.

The objective is achieved by someone who knows the key clue and succeeds at searching
or mending at the objective's place; if the last turn ends with it still open, it is
lost and the consequence the stakes named comes true. Every declared goal is judged
while the run goes on (achieved when its condition is met, failed when it can no
longer be) and, at the end, by how things stand.
"""

from __future__ import annotations

from .actions import Action
from .consequences import origin
from .events import Effect
from .goals import goal_kind, goal_naming
from .scenery import Stakes
from .world import CharacterState, WorldState
from .worlds import world_of

ACHIEVED, FAILED = 1.0, -1.0
REVENGE, SHUN = "make ", "keep clear of "  # how aftermath.py words the goals it adds


def stakes_of(world: WorldState) -> Stakes:
    return world_of(world).stakes


def objective_place(world: WorldState) -> str:
    return world.locations[stakes_of(world).place]


def stakes_effect(world: WorldState) -> Effect:
    """The stakes as one effect: "objective|place|obstacle|consequence"."""
    s = stakes_of(world)
    detail = "|".join((s.objective, objective_place(world), s.obstacle, s.consequence))
    return Effect("stakes", "scenario", detail)


def decisive_turn(turns_total: int) -> int:
    """The first turn the objective can be settled: the last fifth of the run (the last
    turn of a short one), so the climax lands near the end and only a short relief
    follows it, as the director's tension curve has it."""
    return max(1, turns_total - max(1, round(0.2 * turns_total)))


def try_objective(world: WorldState, actor: CharacterState) -> list[Effect]:
    """Called after a successful search or repair: does it achieve the objective? Not
    before the decisive turn (`world.turn` is the turn before the one being run)."""
    if world.objective != "open" or actor.location != objective_place(world):
        return []
    if world.turn + 1 < decisive_turn(world.turns_total):
        return []
    if world.key_clue not in actor.known_clues:
        return []
    world.objective = "achieved"
    # Whose find the key clue was, and where: the story tells the deed with it.
    key = origin(world, world.clue(world.key_clue))
    return [Effect("resolution", actor.id, stakes_of(world).achieved, ACHIEVED), *key]


def _ally_fell(world: WorldState, char: CharacterState) -> bool:
    return any(
        not o.alive and o.id != char.id and (not char.faction or o.faction == char.faction)
        for o in world.characters
    )


def _other_named(world: WorldState, goal: str, char: CharacterState) -> CharacterState | None:
    for other in world.characters:
        if other.id != char.id and goal_naming([goal], other.name):
            return other
    return None


def _named_after(world: WorldState, goal: str, prefix: str) -> CharacterState | None:
    rest = goal[len(prefix) :]
    for other in world.characters:
        if rest.startswith(other.name):
            return other
    return None


def _reaction_goal(world: WorldState, char: CharacterState, goal: str, final: bool) -> float:
    """Goals born of violence (aftermath.py): revenge on someone, or keeping clear of them."""
    if goal.startswith(REVENGE):
        foe = _named_after(world, goal, REVENGE)
        if foe is not None and (not foe.alive or char.deeds.get(f"hit:{foe.id}", 0)):
            return ACHIEVED
        return FAILED if final else 0.0
    foe = _named_after(world, goal, SHUN)
    if foe is not None and foe.alive and foe.location == char.location and final:
        return FAILED
    return ACHIEVED if final else 0.0


def _met(world: WorldState, char: CharacterState, goal: str, final: bool) -> float:
    """+1 achieved, -1 failed, 0 still open."""
    if any(goal.startswith(p) and _named_after(world, goal, p) for p in (REVENGE, SHUN)):
        return _reaction_goal(world, char, goal, final)
    kind = goal_kind(goal)
    deeds = char.deeds
    victim = _other_named(world, goal, char)
    if kind is Action.ATTACK or (victim is not None and kind is None):
        if victim is not None and (not victim.alive or deeds.get(f"hit:{victim.id}", 0)):
            return ACHIEVED
        if kind is Action.ATTACK and victim is None and deeds.get("attack", 0):
            return ACHIEVED
    elif kind in (Action.DEFEND, Action.HELP):
        if _ally_fell(world, char):
            return FAILED
        if final or deeds.get("help", 0) + deeds.get("defend", 0) >= 3:
            return ACHIEVED
    elif kind is Action.INVESTIGATE:
        tags = {t for c in world.clues if c.id in char.known_clues for t in c.tags}
        if tags & set(goal.lower().split()) or len(char.known_clues) >= 2:
            return ACHIEVED
    elif kind is Action.SCOUT:
        if len(set(char.visited) | set(char.scouted)) >= 4:
            return ACHIEVED
    elif kind is Action.REPAIR:
        named = [i for i in world.items if goal_naming([goal], i.name)]
        if any(not i.broken for i in named) and deeds.get("repair", 0):
            return ACHIEVED
        if world.objective == "achieved" and not named:
            return ACHIEVED
    elif kind is Action.FLEE and char.location != objective_place(world) and final:
        return ACHIEVED if world.objective != "lost" else FAILED
    elif kind is not None and kind is not Action.REST and deeds.get(kind.value, 0) >= 1:
        return ACHIEVED
    if not final:
        return 0.0
    if kind in (Action.REST, Action.FLEE, None):
        return ACHIEVED if world.objective == "achieved" or kind is Action.REST else FAILED
    return FAILED


def reckon(world: WorldState, final: bool) -> list[Effect]:
    """Goals settled since the last reckoning; on the final turn every open goal and the
    objective itself are settled."""
    effects: list[Effect] = []
    for char in world.characters:
        for goal in char.goals:
            if goal in char.outcomes:
                continue
            verdict = FAILED if not char.alive else _met(world, char, goal, final)
            if verdict:
                char.outcomes[goal] = verdict
                effects.append(Effect("goal", char.id, goal, verdict))
    if final and world.objective == "open":
        world.objective = "lost"
        effects.append(Effect("resolution", "scenario", stakes_of(world).consequence, FAILED))
    return effects
