"""The resolver: stat checks decide how an intended action turns out, and its
consequences change the world state that later turns see."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from . import consequences as cq
from .actions import Action
from .aftermath import after_exposed_lie, after_violence
from .checks import Check, CheckOutcome, roll_check
from .director import note_items
from .events import Effect, TurnEvent
from .intent import SHARE_MOTIVE, Intent
from .items import MEDICAL, OPTIC, TOOL, VALUE, WEAPON
from .stakes import try_objective
from .temper import temperament
from .world import CharacterState, WorldState

# Actions spoken aloud or aimed at someone: the story gives them lines of dialogue, so
# the event carries each side's voice (temperament, and regard as its value).
_SPOKEN = ("talk", "persuade", "deceive", "trade", "help", "attack", "defend")


def _found_there(
    world: WorldState, actor: CharacterState, intent: Intent, effects: list[Effect]
) -> list[Effect]:
    """A search or a look that turned up nothing new, at a place where someone else found
    something before: whose find it was (a "source" effect), so the story can recall it
    ("the spice market, where Kai had found the sketch")."""
    if any(e.kind in ("clue_found", "resolution") for e in effects):
        return []
    place = intent.target_name if intent.action is Action.SCOUT else actor.location
    for clue in world.clues:
        if clue.location == place and clue.found_by and clue.found_by[0] != actor.id:
            return cq.origin(world, clue)
    return []


def _remarked(effect: Effect, actor: CharacterState) -> bool:
    if effect.kind in ("clue_found", "repaired", "resolution"):
        return True
    return effect.kind == "injured" and effect.subject_id == actor.id


@dataclass
class _Ctx:
    world: WorldState
    actor: CharacterState
    intent: Intent
    rng: random.Random
    effects: list[Effect] = field(default_factory=list)
    motive: str = ""  # set when what happened makes the intended motive untrue

    def target(self) -> CharacterState | None:
        """The target character, if still alive and within reach."""
        other = self.world.find_character(self.intent.target_id)
        if other is None or not other.alive or other.location != self.actor.location:
            return None
        return other

    def bonus(self, kind: str, amount: int) -> int:
        held = self.world.items_of(self.actor.id)
        return amount if any(i.kind == kind and not i.broken for i in held) else 0


def resolve(
    world: WorldState,
    actor_id: str,
    intent: Intent,
    rng: random.Random,
    turn: int,
    sequence: int,
) -> TurnEvent:
    """Carry out the intent, changing `world` in place, and describe what happened."""
    actor = world.character(actor_id)
    origin = actor.location
    ctx = _Ctx(world, actor, intent, rng)
    target = ctx.target()
    check = _HANDLERS[intent.action](ctx)
    succeeded = check.succeeded if check else intent.action in _UNCHECKED
    if succeeded:
        deed = intent.action.value
        actor.deeds[deed] = actor.deeds.get(deed, 0) + 1
        if intent.action in (Action.INVESTIGATE, Action.REPAIR):
            ctx.effects += try_objective(world, actor)
    motive = ctx.motive or intent.motive
    if intent.action in (Action.INVESTIGATE, Action.SCOUT):
        ctx.effects += _found_there(world, actor, intent, ctx.effects)
    elif intent.action is Action.PERSUADE and actor.known_clues:
        # What the persuader has to argue with: the latest find they know of, and whose.
        ctx.effects += cq.origin(world, world.clue(actor.known_clues[-1]))
    if intent.action.value in _SPOKEN and target is not None and target.id != actor.id:
        ctx.effects.append(Effect("voice", actor.id, temperament(actor), actor.regard(target.id)))
        ctx.effects.append(Effect("voice", target.id, temperament(target), target.regard(actor.id)))
    elif any(_remarked(e, actor) for e in ctx.effects):
        # A find, a repair, the deed that settles it all or a hurt of one's own may be
        # told with what the doer said: in their own voice.
        ctx.effects.append(Effect("voice", actor.id, temperament(actor), 0.0))
    if motive and motive != actor.last_motive:
        # A motive is worth stating the first time a character acts on it, not every
        # time they come back to it.
        if motive not in actor.stated:
            ctx.effects.append(Effect("motive", actor.id, "new"))
            actor.stated.append(motive)
        actor.last_motive = motive
    return TurnEvent(
        turn=turn,
        sequence=sequence,
        actor_id=actor.id,
        actor_name=actor.name,
        action=intent.action.value,
        target_id=intent.target_id,
        target_name=intent.target_name,
        location=origin,
        motive=motive,
        outcome=(check.outcome if check else CheckOutcome.NONE).value,
        roll=check.roll if check else 0,
        difficulty=check.difficulty if check else 0,
        effects=tuple(ctx.effects),
    )


def _mishap(ctx: _Ctx, check: Check, cause: str) -> None:
    if check.outcome is CheckOutcome.CRITICAL_FAILURE:
        ctx.effects += cq.injure(ctx.world, ctx.actor, 1, cause)


def _observe(ctx: _Ctx) -> Check:
    a = ctx.actor
    check = roll_check(ctx.rng, a.stat("perception") + ctx.bonus(OPTIC, 1), 10)
    if check.succeeded:
        noticed = False
        if ctx.world.hidden_clues(a, a.location) and a.location not in a.leads:
            a.leads.append(a.location)
            ctx.effects.append(Effect("lead", a.id, a.location))
            noticed = True
        if check.critical or not noticed:
            a.alert = True
            ctx.effects.append(Effect("alerted", a.id, "watchful"))
    return check


def _move(ctx: _Ctx) -> None:
    ctx.effects.append(cq.relocate(ctx.actor, ctx.intent.target_name))


def _flee(ctx: _Ctx) -> Check | None:
    a = ctx.actor
    pursuers = [c for c in ctx.world.living_at(a.location) if c.id != a.id]
    if not pursuers:
        _move(ctx)
        return None
    fastest = max(c.stat("dexterity") for c in pursuers)
    check = roll_check(ctx.rng, a.stat("dexterity"), 8 + fastest // 2)
    if check.succeeded:
        _move(ctx)
    _mishap(ctx, check, "by a bad fall")
    return check


def _investigate(ctx: _Ctx) -> Check:
    a, world = ctx.actor, ctx.world
    hidden = world.hidden_clues(a, a.location)
    difficulty = hidden[0].difficulty if hidden else 12
    check = roll_check(ctx.rng, a.stat("perception") + ctx.bonus(OPTIC, 2), difficulty)
    if check.succeeded:
        # A strong roll uncovers every clue it beats; a critical one, all of them.
        for clue in hidden:
            beaten = check.critical or clue.difficulty <= check.roll or clue is hidden[0]
            if beaten:
                ctx.effects += cq.find(world, a, clue)
        if not hidden:
            loose = [i for i in world.items_lying_at(a.location) if not i.broken and not i.fixed]
            if loose:
                ctx.effects += cq.give(loose[0], None, a)
        if not world.hidden_clues(a, a.location):
            if a.location not in a.searched:
                a.searched.append(a.location)
            if a.location in a.leads:
                a.leads.remove(a.location)
    _mishap(ctx, check, "by a mishap")
    return check


def _scout(ctx: _Ctx) -> Check:
    a, world = ctx.actor, ctx.world
    place = ctx.intent.target_name
    check = roll_check(ctx.rng, a.stat("perception") + ctx.bonus(OPTIC, 2), 12)
    if check.succeeded:
        if place not in a.scouted:
            a.scouted.append(place)
        note_items(world, a, place)
        for other in world.living_at(place):
            a.last_seen[other.id] = place
            ctx.effects.append(Effect("spotted", other.id, place))
        hidden = world.hidden_clues(a, place)
        if hidden and place not in a.leads:
            a.leads.append(place)
            ctx.effects.append(Effect("lead", a.id, place))
        if hidden and check.critical:
            ctx.effects += cq.find(world, a, hidden[0])
    _mishap(ctx, check, "by a bad fall")
    return check


def _share(ctx: _Ctx, teller: CharacterState, listener: CharacterState, limit: int) -> None:
    told = 0
    for clue_id in teller.known_clues:
        clue = ctx.world.clue(clue_id)
        source = cq.origin(ctx.world, clue)
        if told < limit and cq.learn(ctx.world, listener, clue):
            ctx.effects += [Effect("learned", listener.id, clue.name), *source]
            told += 1
        mark = f"{listener.id}|{clue_id}"
        if clue_id in listener.known_clues and mark not in teller.told:
            teller.told.append(mark)


def _talk(ctx: _Ctx) -> Check | None:
    a, t = ctx.actor, ctx.target()
    if t is None:
        return None
    check = roll_check(ctx.rng, a.stat("charisma"), 10 - round(4 * t.regard(a.id)))
    news = [c for c in a.known_clues if f"{t.id}|{c}" not in a.told]  # as the teller believes
    if check.succeeded:
        warmth = 0.2 if check.critical else 0.1
        # Talk does not warm anyone to a person they have turned against.
        for holder, other in ((t, a), (a, t)):
            if holder.regard(other.id) > -0.2:
                ctx.effects += cq.shift_regard(holder, other, warmth)
        before = len(ctx.effects)
        _share(ctx, a, t, limit=99)
        if len(ctx.effects) == before and news:
            # The listener already knew: nothing was shared, and the teller learns that.
            known = ctx.world.clue(news[0])
            ctx.effects += [Effect("knew", t.id, known.name), *cq.origin(ctx.world, known)]
        if check.critical:
            _share(ctx, t, a, limit=1)
    elif check.critical:
        ctx.effects += cq.shift_regard(t, a, -0.1)
    if ctx.intent.motive == SHARE_MOTIVE and not any(e.kind == "learned" for e in ctx.effects):
        ctx.motive = f"hoping to compare notes with {t.name}"
    return check


def _help(ctx: _Ctx) -> Check | None:
    a, t = ctx.actor, ctx.target()
    if t is None:
        return None
    check = roll_check(ctx.rng, a.stat("intelligence") + ctx.bonus(MEDICAL, 2), 10)
    if check.succeeded:
        amount = 2 + ctx.rng.randint(0, 2) + (2 if check.critical else 0)
        ctx.effects += cq.heal(t, amount)
        ctx.effects += cq.shift_regard(t, a, 0.3 if check.critical else 0.2)
    elif check.critical:
        ctx.effects += cq.injure(ctx.world, t, 1, f"by {a.name}'s clumsy aid")
    return check


def _persuade(ctx: _Ctx) -> Check | None:
    a, t = ctx.actor, ctx.target()
    if t is None:
        return None
    difficulty = 8 + t.stat("willpower") // 2 + (3 if t.regard(a.id) < 0 else 0)
    check = roll_check(ctx.rng, a.stat("charisma"), difficulty)
    if check.succeeded:
        ctx.effects += cq.shift_regard(t, a, 0.4 if check.critical else 0.25)
        _share(ctx, t, a, limit=1)  # won over, they confide something
    else:
        ctx.effects += cq.shift_regard(t, a, -0.2 if check.critical else -0.05)
    return check


def _deceive(ctx: _Ctx) -> Check | None:
    a, t = ctx.actor, ctx.target()
    if t is None:
        return None
    modifier = a.stat("charisma") + round(4 * a.trait("cunning"))
    check = roll_check(ctx.rng, modifier, 8 + t.stat("perception"))
    if check.succeeded:
        loot = sorted(ctx.world.items_of(t.id), key=lambda i: -VALUE.get(i.kind, 0))
        if loot:
            ctx.effects += cq.give(loot[0], t, a)
        else:
            elsewhere = [p for p in ctx.world.locations if p != t.location]
            false_lead = ctx.rng.choice(elsewhere) if elsewhere else t.location
            if false_lead not in t.leads:
                t.leads.append(false_lead)
            if false_lead in t.searched:
                t.searched.remove(false_lead)
            ctx.effects.append(Effect("misled", t.id, false_lead))
    else:
        ctx.effects += after_exposed_lie(ctx.world, a, t)
        ctx.effects += cq.shift_regard(t, a, -0.5 if check.critical else -0.3)
    return check


def _trade(ctx: _Ctx) -> Check | None:
    a, t = ctx.actor, ctx.target()
    if t is None:
        return None
    check = roll_check(ctx.rng, a.stat("charisma"), 8 + (4 if t.regard(a.id) < 0 else 0))
    theirs = sorted(ctx.world.items_of(t.id), key=lambda i: -VALUE.get(i.kind, 0))
    if check.succeeded and theirs:
        mine = sorted(ctx.world.items_of(a.id), key=lambda i: VALUE.get(i.kind, 0))
        ctx.effects += cq.give(theirs[0], t, a)
        if mine:
            ctx.effects += cq.give(mine[0], a, t)
        else:
            _share(ctx, a, t, limit=1)  # pays in knowledge
        ctx.effects += cq.shift_regard(t, a, 0.05) + cq.shift_regard(a, t, 0.05)
    elif check.outcome is CheckOutcome.CRITICAL_FAILURE:
        ctx.effects += cq.shift_regard(t, a, -0.1)
    return check


def _guardian(world: WorldState, target: CharacterState) -> CharacterState | None:
    guards = [c for c in world.living_at(target.location) if c.guarding == target.id]
    ranked = sorted(guards, key=lambda g: g.id == target.id)  # a bodyguard counts first
    return ranked[0] if ranked else None


def _attack(ctx: _Ctx) -> Check | None:
    a, t, world = ctx.actor, ctx.target(), ctx.world
    if t is None:
        return None
    weapon = ctx.bonus(WEAPON, 2)
    guard = _guardian(world, t)
    difficulty = 10 + t.stat("dexterity") // 2 + (3 if t.alert else 0) + (4 if guard else 0)
    modifier = max(a.stat("strength"), a.stat("dexterity")) + weapon
    check = roll_check(ctx.rng, modifier, difficulty)
    betrayal = t.regard(a.id) > 0.2 or (bool(a.faction) and a.faction == t.faction)
    if check.succeeded:
        damage = 1 + ctx.rng.randint(1, 4) + a.stat("strength") // 3 + weapon // 2
        damage *= 2 if check.critical else 1
        ctx.effects += cq.injure(world, t, damage, f"by {a.name}")
        ctx.effects += cq.shift_regard(t, a, -0.4)
        a.deeds[f"hit:{t.id}"] = a.deeds.get(f"hit:{t.id}", 0) + 1
        ctx.effects += after_violence(world, a, t, betrayal=betrayal)
    else:
        ctx.effects += cq.shift_regard(t, a, -0.2)
        if guard is not None and check.roll >= difficulty - 4:
            who = "on guard" if guard.id == t.id else f"shielded by {guard.name}"
            ctx.effects.append(Effect("defended", t.id, who))
        _mishap(ctx, check, "by a wild swing")
    return check


def _defend(ctx: _Ctx) -> None:
    a = ctx.actor
    t = ctx.target() if ctx.intent.target_id != a.id else a
    if t is None:
        return
    a.guarding = t.id
    ctx.effects.append(Effect("defended", t.id, f"guarded by {a.name}"))
    ctx.effects += cq.shift_regard(t, a, 0.1)


def _repair(ctx: _Ctx) -> Check | None:
    a, world = ctx.actor, ctx.world
    item = world.item(ctx.intent.target_id)
    reachable = item.holder == a.id or (not item.holder and item.location == a.location)
    if not item.broken or not reachable:
        return None
    check = roll_check(ctx.rng, a.stat("intelligence") + ctx.bonus(TOOL, 2), item.difficulty)
    if check.succeeded:
        item.broken = False
        ctx.effects.append(Effect("repaired", item.id, item.name))
        if item.clue_id:
            clue = world.clue(item.clue_id)
            ctx.effects += cq.find(world, a, clue)
    _mishap(ctx, check, f"by {item.name}")
    return check


def _rest(ctx: _Ctx) -> None:
    ctx.effects += cq.heal(ctx.actor, 1 + ctx.rng.randint(0, 2))


# Actions without a check that count as done when chosen.
_UNCHECKED = (Action.MOVE, Action.DEFEND, Action.REST)

_HANDLERS: dict[Action, Callable[[_Ctx], Check | None]] = {
    Action.OBSERVE: _observe,
    Action.MOVE: _move,
    Action.INVESTIGATE: _investigate,
    Action.TALK: _talk,
    Action.HELP: _help,
    Action.PERSUADE: _persuade,
    Action.DECEIVE: _deceive,
    Action.TRADE: _trade,
    Action.ATTACK: _attack,
    Action.DEFEND: _defend,
    Action.REPAIR: _repair,
    Action.SCOUT: _scout,
    Action.REST: _rest,
    Action.FLEE: _flee,
}
