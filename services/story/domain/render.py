"""Turning one event into prose: a main sentence (who did what, and why) and the
sentences for what came of it.

Effect conventions follow the simulation's events: a "relationship" effect's other
party is the event's actor, or its target when the subject is the actor; a
"clue_found" effect names the clue and its finder is the actor.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .model import DIRECTOR_ID, EffectView, EventView, Participant
from .phrases import CLAUSES, EPIC_CLAUSES, GENERIC_CLAUSE, HAPPENINGS, ROLLS
from .variety import cap, definite, join, pick, sentence

_FALLBACK = {"critical_success": "success", "critical_failure": "failure", "none": "success"}
_SUCCESSES = ("success", "critical_success", "none")
# A motive given as "distrusts Zara" still reads after a name: "distrusting Zara".
_PARTICIPLES = {
    "distrusts": "distrusting", "hates": "hating", "wants": "wanting", "fears": "fearing",
    "trusts": "trusting", "seeks": "seeking", "hopes": "hoping", "needs": "needing",
    "loves": "loving", "is": "being", "feels": "feeling", "wishes": "wishing",
}  # fmt: skip
# How a change of regard reads, strongest first; the event picks among equals.
_WARMER = (
    ("came to trust {other} far more", "saw {other} in a new light", "would follow {other} now"),
    ("warmed to {other}", "thought better of {other}", "began to rely on {other}"),
    ("warmed a little to {other}", "eased a little around {other}", "softened toward {other}"),
)
_COLDER = (
    ("turned bitterly against {other}", "would not forgive {other}", "hated {other} now"),
    ("grew wary of {other}", "kept {other} at arm's length", "stopped trusting {other}"),
    ("trusted {other} a little less", "watched {other} more closely", "cooled toward {other}"),
)
# Facts for the chapter's frame, not sentences of their own.
_UNTOLD = ("voice", "motive", "scene", "tension", "stakes", "obstacle", "goal", "resolution")
_REACTIONS = {
    "fear": "backed away from {other}, afraid",
    "revenge": "swore that {other} would pay",
    "betrayed": "stared at {other}, betrayed",
    "grief": "cried out for {other}",
    "outrage": "rounded on {other}",
    "alliance": "moved to {other}'s side",
}
# The brief style leaves out small consequences.
_CONCISE_SKIP = ("spotted", "alerted", "lead", "defended")


@dataclass(frozen=True)
class Names:
    by_id: Mapping[str, str]

    def of(self, ident: str, fallback: str = "") -> str:
        return self.by_id.get(ident) or fallback or ident

    @staticmethod
    def gather(participants: Sequence[Participant], events: Sequence[EventView]) -> Names:
        found = {p.id: p.name for p in participants if p.name}
        for event in events:
            if event.actor_name:
                found.setdefault(event.actor_id, event.actor_name)
            if event.target_id and event.target_name:
                found.setdefault(event.target_id, event.target_name)
        return Names(found)


def motive_text(motive: str) -> str:
    text = " ".join(motive.split()).rstrip(".;:!")
    if not text:
        return ""
    first, _, rest = text.partition(" ")
    first = _PARTICIPLES.get(first.lower(), first)
    text = f"{first} {rest}".strip()
    # Engine motives are lower-case phrases; keep capitals that start a name.
    return text[:1].lower() + text[1:] if first[1:].islower() and first.istitle() else text


def _templates(action: str, outcome: str, style: str) -> tuple[str, ...]:
    tables = (EPIC_CLAUSES, CLAUSES) if style == "epic" else (CLAUSES,)
    for key in (outcome, _FALLBACK.get(outcome, "success"), "success"):
        for table in tables:
            found = table.get(action, {}).get(key)
            if found:
                return found
    return (GENERIC_CLAUSE,)


def _clause(event: EventView, names: Names, style: str, key: tuple[object, ...]) -> str:
    actor = names.of(event.actor_id, event.actor_name)
    action = event.action
    if action == "defend" and event.target_id in ("", event.actor_id):
        action = "defend_self"
    template = pick(_templates(action, event.outcome, style), *key, "clause")
    target = names.of(event.target_id, event.target_name) or "the surroundings"
    return template.format(
        actor=actor,
        target=definite(target) if event.action == "repair" else target,
        place=event.location or "where they stood",
        action=event.action.replace("_", " "),
    )


def render_event(
    event: EventView,
    names: Names,
    style: str,
    key: tuple[object, ...],
    prefix: str = "",
    show_motive: bool = True,
) -> tuple[str, list[str]]:
    """The main sentence (who did what, and why; `prefix` such as "Then, " leads it)
    and the sentences for the consequences it did not already tell."""
    groups = _groups(event, names, style)
    if event.actor_id == DIRECTOR_ID:
        happening = motive_text(event.motive) or f"the world shifted at {event.location}"
        template = pick(HAPPENINGS.get(style, HAPPENINGS["detailed"]), *key, "happening")
        text = template.format(happening=happening, Happening=cap(happening))
        return (prefix + text if prefix else cap(text)), _sentences(groups)

    clause = _clause(event, names, style, key)
    actor = names.of(event.actor_id, event.actor_name)
    own = groups[0][1] if groups and groups[0][0] == actor else _empty_handed(event)
    folded = bool(own) and event.outcome in _SUCCESSES and " but " not in clause
    if folded:
        clause = f"{clause} and {join(own)}"
        if groups and groups[0][0] == actor:
            groups = groups[1:]
    motive = motive_text(event.motive) if show_motive else ""
    if not motive:
        body = clause
    else:
        shape = pick(("front", "apposition", "trail"), *key, "motive")
        rest = clause[len(actor) :]
        if shape == "apposition" and clause.startswith(actor + " ") and not rest.startswith(" and"):
            body = f"{actor}, {motive},{rest}"
        elif shape == "front":
            body = f"{motive}, {clause}"
        else:
            body = f"{clause}, {motive}"
    return sentence(prefix + body if prefix else cap(body)), _sentences(groups)


def _sentences(groups: Sequence[tuple[str, list[str]]]) -> list[str]:
    return [sentence(f"{subject} {join(preds)}") for subject, preds in groups]


def roll_sentence(event: EventView, names: Names, key: tuple[object, ...]) -> str:
    if event.difficulty <= 0 or event.outcome not in ROLLS:
        return ""
    template = pick(ROLLS[event.outcome], *key, "roll")
    actor = names.of(event.actor_id, event.actor_name)
    return template.format(actor=actor, roll=event.roll, difficulty=event.difficulty)


# -- consequences --


def _amount(effect: EffectView) -> int:
    if effect.value:
        return abs(round(effect.value))
    digits = "".join(ch for ch in effect.detail.split(" ")[0] if ch.isdigit())
    return int(digits) if digits else 0


def _killed(effect: EffectView, style: str) -> str:
    verb = "was slain" if style == "epic" else "was killed"
    cause = effect.detail.strip()
    if not cause:
        return verb
    linked = cause.split(" ")[0].lower() in ("by", "in", "at", "when", "during", "while")
    return f"{verb} {cause}" if linked else f"{verb} by {cause}"


def _relationship(event: EventView, effect: EffectView, names: Names, style: str) -> str:
    other_id = event.actor_id if effect.subject_id != event.actor_id else event.target_id
    other = names.of(other_id, event.actor_name if other_id == event.actor_id else "")
    change = effect.value
    band = (
        _WARMER[0] if change >= 0.3 else _WARMER[1] if change >= 0.15 else _WARMER[2]
        if change > 0 else _COLDER[0] if change <= -0.3 else _COLDER[1] if change <= -0.15
        else _COLDER[2]
    )  # fmt: skip
    text = pick(band, event.turn, event.sequence, effect.subject_id).format(other=other)
    return f"{text} ({change:+.2f})" if style == "log" else text


def _effect(
    event: EventView,
    effect: EffectView,
    names: Names,
    style: str,
    dead: Sequence[str],
) -> tuple[str, str]:
    """(subject words, predicate); an empty predicate means nothing worth saying."""
    kind, detail = effect.kind, effect.detail
    who = names.of(effect.subject_id, detail)
    actor = names.of(event.actor_id, event.actor_name)
    n = _amount(effect)
    if kind in _UNTOLD:
        return who, ""
    if kind == "injured":
        if style == "log":
            return who, f"took {n} point{'s' * (n != 1)} of damage"
        if event.actor_id == DIRECTOR_ID:
            return who, pick(("was hurt", "was battered", "was caught in it"), n, who)
        return who, "was badly hurt" if n >= 4 else "was wounded" if n >= 2 else "was grazed"
    if kind == "killed":
        return who, _killed(effect, style)
    if kind == "healed":
        if style == "log":
            return who, f"recovered {n} point{'s' * (n != 1)} of health"
        return who, "got some strength back" if n >= 3 else "steadied a little"
    if kind == "relationship":
        if style == "concise" and abs(effect.value) < 0.3:
            return who, ""
        return who, _relationship(event, effect, names, style)
    if kind == "clue_found":
        if event.actor_id == DIRECTOR_ID:
            return detail, "came to light"
        return actor, f"brought {detail} to light" if style == "epic" else f"uncovered {detail}"
    if kind == "learned":
        return who, f"learned of {detail}"
    if kind == "knew":
        return who, f"already knew of {detail}"
    if kind == "reaction":
        feeling, _, other_id = detail.partition(":")
        other = names.of(other_id)
        return who, _REACTIONS.get(feeling, "was shaken by {other}").format(other=other)
    if kind == "lead":
        where = "there" if detail == event.location else f"at {detail}"
        return who, f"noticed signs that something lay hidden {where}"
    if kind == "misled":
        return who, f"was sent chasing a false lead toward {detail}"
    if kind == "spotted":
        return who, f"was spotted at {detail}"
    if kind == "alerted":
        return who, "stayed watchful"
    thing = definite(detail)
    if kind == "item_gained":
        return who, f"came away with {thing}"
    if kind == "item_lost":
        return who, f"dropped {thing}" if effect.subject_id in dead else f"lost {thing}"
    if kind == "repaired":
        return thing, "" if event.action == "repair" else "worked again"
    if kind == "broken":
        return thing, "gave out" if style != "epic" else "failed in a shower of sparks"
    if kind == "defended":
        return who, "" if event.action == "defend" else f"was {detail}"
    if kind == "revealed":
        return thing, "came to light"
    if kind == "moved":
        own = effect.subject_id == event.actor_id and event.action in ("move", "flee")
        return who, "" if own else f"went {detail}"
    label = kind.replace("_", " ")
    return who, f"was {label} ({detail})" if detail else f"was {label}"


def _groups(event: EventView, names: Names, style: str) -> list[tuple[str, list[str]]]:
    effects = list(event.effects)
    dead = [e.subject_id for e in effects if e.kind == "killed"]
    groups: list[tuple[str, list[str]]] = []
    used: list[int] = []
    for i, effect in enumerate(effects):
        if i in used or (style == "concise" and effect.kind in _CONCISE_SKIP):
            continue
        # A loss matched by a gain of the same thing is one change of hands.
        if effect.kind == "item_lost" and effect.subject_id not in dead:
            match = next(
                (
                    j
                    for j in range(i + 1, len(effects))
                    if j not in used
                    and effects[j].kind == "item_gained"
                    and effects[j].detail == effect.detail
                ),
                None,
            )
            if match is not None:
                used.append(match)
                giver = names.of(effect.subject_id)
                taker = names.of(effects[match].subject_id)
                groups.append((definite(effect.detail), [f"passed from {giver} to {taker}"]))
                continue
        subject, predicate = _effect(event, effect, names, style, dead)
        if not predicate:
            continue
        if groups and groups[-1][0] == subject:
            groups[-1][1].append(predicate)
        else:
            groups.append((subject, [predicate]))
    return [(subject, _merge(preds)) for subject, preds in groups]


_LISTABLE = ("dropped ", "lost ", "came away with ", "learned of ", "uncovered ")


def _merge(predicates: Sequence[str]) -> list[str]:
    """ "dropped the axe", "dropped the map" -> "dropped the axe and the map"."""
    out: list[tuple[str, list[str]]] = []
    for predicate in predicates:
        verb = next((v for v in _LISTABLE if predicate.startswith(v)), "")
        if verb and out and out[-1][0] == verb:
            out[-1][1].append(predicate[len(verb) :])
        else:
            out.append((verb, [predicate[len(verb) :] if verb else predicate]))
    return [verb + join(objects) for verb, objects in out]


def _empty_handed(event: EventView) -> list[str]:
    """A successful search that turned up nothing still says so."""
    if event.outcome in ("success", "critical_success") and not event.effects:
        if event.action == "investigate":
            return ["found nothing new"]
        if event.action == "scout":
            return ["found the way clear"]
    return []
