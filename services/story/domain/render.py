"""Turning one event into prose: a main sentence (who did what, and why) and the
sentences for what came of it (`consequences.py`).

People are named through `Names` in text order (in full first, short after), so every
name is asked for only when it is written.
"""

from __future__ import annotations

import re

from .consequences import Subject, by_turn, sentences
from .consequences import groups as consequences
from .hazards import reworded
from .model import DIRECTOR_ID, EventView
from .naming import Names, short_place
from .phrases import CLAUSES, EPIC_CLAUSES, GENERIC_CLAUSE, HAPPENINGS, PARTS, ROLLS, TAILS
from .tense import then
from .variety import cap, cycle, definite, join, pick, sentence

# Clauses that already say how the deed was done take no manner after them.
_MANNERED = (
    " with uncanny", " like ", " with care", " with a straight face", " with masterful",
    " with perfect", " to no ", " without ", " inch by inch", " for nothing", " twice",
)  # fmt: skip
_NEEDS_PRONOUN = re.compile(r"\b(their|they)\b")
_FALLBACK = {"critical_success": "success", "critical_failure": "failure", "none": "success"}
_SUCCESSES = ("success", "critical_success", "none")
# A motive given as "distrusts Zara" still reads after a name: "distrusting Zara".
_PARTICIPLES = {
    "distrusts": "distrusting", "hates": "hating", "wants": "wanting", "fears": "fearing",
    "trusts": "trusting", "seeks": "seeking", "hopes": "hoping", "needs": "needing",
    "loves": "loving", "is": "being", "feels": "feeling", "wishes": "wishing",
}  # fmt: skip
# The engine words a goal as "driven by the goal to X"; a reader hears it many ways.
_GOAL_TO = (
    "determined to {g}", "meaning to {g}", "set on a plan to {g}", "firmly resolved to {g}",
    "because {pos} aim was to {g}", "hoping to {g}", "bent on a way to {g}",
    "with one thought, to {g}", "since {pos} purpose was to {g}", "eager to {g}",
    "resolved to {g}", "intent on a chance to {g}", "wanting above all to {g}",
)  # fmt: skip
# The engine's everyday motives, each heard several ways; {x} is what the motive names.
_REWORDINGS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"set on the chance to (.+)"),
     ("set on the chance to {x}", "seeing a chance to {x}", "sensing a chance at last to {x}",
      "with a real chance now to {x}", "ready to seize the chance to {x}")),
    (re.compile(r"hoping to win (.+) over"),
     ("hoping to win {x} over", "wanting {x} on side", "looking to bring {x} round",
      "hoping for {x}'s support", "meaning to get {x} on board")),
    (re.compile(r"eager to share what (?:she|he|they) found"),
     ("eager to share what {p} found", "keen to pass on what {p} had found",
      "with news to share", "wanting someone to hear what {p} had found")),
    (re.compile(r"hoping to compare notes with (.+)"),
     ("hoping to compare notes with {x}", "wanting to hear what {x} knew",
      "keen to trade news with {x}", "curious what {x} had learned")),
    (re.compile(r"following a lead to (.+)"),
     ("following a lead to {x}", "chasing a lead to {x}", "on a hunch about {x}",
      "acting on a tip about {x}")),
    (re.compile(r"unwilling to leave (.+) broken"),
     ("unwilling to leave {x} broken", "not willing to leave {x} as it was",
      "determined to see {x} working")),
    (re.compile(r"wary of unfamiliar ground"),
     ("wary of unfamiliar ground", "uneasy on strange ground", "careful on unknown ground",
      "not trusting ground nobody knew")),
)  # fmt: skip
_GOAL_OF = ("for the sake of {g}", "with {g} in mind", "in pursuit of {g}", "thinking of {g}")


# The engine's motives toward the scenario's objective; after the first hour (whose
# stakes told the objective in full) a short reference says it.
_OBJECTIVE = ("determined to ", "set on the chance to ")
_OBJECTIVE_AGAIN = (
    "determined to see it through", "set on finishing the job", "bent on settling it at last",
    "meaning to end it, one way or another", "with the end of it in sight",
    "seeing a chance to finish the work", "sure the time had come",
)  # fmt: skip


def _objective_again(event: EventView, key: tuple[object, ...]) -> str:
    if event.turn > 1 and event.motive.startswith(_OBJECTIVE):
        return pick(_OBJECTIVE_AGAIN, *key, event.actor_id, "objective")
    return event.motive


def motive_text(
    motive: str, key: tuple[object, ...] = (), names: Names | None = None, who: str = ""
) -> str:
    """The motive as a phrase after or before a clause; a goal ("driven by the goal to
    X") is worded by `key`, people already named are called by their short name, and
    `who` (the one whose motive it is) by the pronoun their sheet gives."""
    text = " ".join(motive.split()).rstrip(".;:!")
    if not text:
        return ""
    if text.startswith("restless at "):  # leaving the place it names: say why, not where
        return "too restless to stay"
    pronoun = names.pronoun(who) if names is not None and who else ""
    if names is not None:
        text = names.shorten_in(text)
    text = then(text)
    if pronoun:
        text = text.replace("what they found", f"what {pronoun} found")
    for lead, table in (("driven by the goal to ", _GOAL_TO), ("driven by the goal of ", _GOAL_OF)):
        if text.startswith(lead):
            goal = text[len(lead) :]
            pos = {"she": "her", "he": "his"}.get(pronoun, "")
            # Without a pronoun from the sheet, a shape that needs one is not used.
            shapes = table if pos else [t for t in table if "{pos}" not in t]
            return pick(shapes, *key, "goal").format(g=goal, pos=pos)
    for pattern, heard in _REWORDINGS:
        found = pattern.fullmatch(text)
        if found:
            # Without a pronoun from the sheet, a wording that needs one is not used.
            usable = [h for h in heard if pronoun or "{p}" not in h] or list(heard)
            said = pick(usable, *key, "reword")
            return said.format(x=found.group(1) if found.groups() else "", p=pronoun or "they")
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


def _target(event: EventView, names: Names) -> str:
    if names.is_person(event.target_id):
        return names.of(event.target_id, event.target_name)
    thing = event.target_name or names.full(event.target_id, "")
    if not thing:
        return "the surroundings"
    return definite(thing) if event.action == "repair" else names.place(thing)


def _clause(event: EventView, names: Names, style: str, key: tuple[object, ...]) -> str:
    action = event.action
    if action == "defend" and event.target_id in ("", event.actor_id):
        action = "defend_self"
    options = _templates(action, event.outcome, style)
    pronoun = names.pronoun(event.actor_id)
    # One person with no pronoun on their sheet is not made "they": shapes that need a
    # pronoun are left out (a group's "their" is plural and stays).
    unsexed = not pronoun and not event.actor_id.startswith("group:")
    if unsexed:
        options = tuple(o for o in options if not _NEEDS_PRONOUN.search(o)) or options
    template = by_turn(options, event, key, event.actor_id, action)
    actor = names.of(event.actor_id, event.actor_name)
    fill: dict[str, str] = {"actor": actor, "action": event.action.replace("_", " ")}
    # Fill in text order, so names are used in the order a reader meets them.
    for slot in ("place", "target"):
        at = template.find("{" + slot + "}")
        if at < 0:
            continue
        if slot == "place":
            fill["place"] = names.place(event.location) if event.location else "where they stood"
        else:
            fill["target"] = _target(event, names)
    if "{part}" in template:  # chosen apart from the verb: each pairs with each
        fill["part"] = pick(PARTS, *key, event.actor_id, "part")
    fill.setdefault("place", event.location or "where they stood")
    fill.setdefault("target", "")
    clause = template.format(**fill)
    tails = TAILS.get((action, "win" if event.outcome in _SUCCESSES else "lose"), ())
    if unsexed:
        tails = tuple(t for t in tails if not _NEEDS_PRONOUN.search(t))
    # A clause that already turns (", and it landed", " but ...") takes no tail.
    # Nor one that already says how ("with uncanny insight", "like an open book").
    plain = not any(w in clause for w in (",", " but ", *_MANNERED))
    # A manner goes right after the deed's object ("searched the archive by lamplight"),
    # not after a result ("found only dust with mounting frustration").
    plain = plain and " and " not in template[template.rfind("}") :]
    if tails and style != "concise" and plain:
        # The manner moves on every hour and shifts once the clauses have come round,
        # so neither a clause nor a manner comes back in step with the other.
        step = event.turn + event.turn // len(options)
        if action == "move":  # many move in one hour: their manners differ too
            step += event.sequence
        clause += cycle(tails, step, key[0] if key else "", event.actor_id, action, "tail")
    if pronoun:  # "cursing under her breath", "closed his eyes", "as best she could"
        clause = clause.replace(" their ", " her " if pronoun == "she" else " his ")
        clause = clause.replace(" they could", f" {pronoun} could")
    return clause


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
    if event.actor_id == DIRECTOR_ID:
        said = motive_text(event.motive)
        happening = reworded(said, *key, event.sequence) or f"the world shifted at {event.location}"
        template = by_turn(HAPPENINGS.get(style, HAPPENINGS["detailed"]), event, key, "happening")
        text = template.format(happening=happening, Happening=cap(happening))
        groups = consequences(event, names, style, key)
        rest = sentences(groups, names)
        main = prefix + text if prefix else cap(text)
        if rest and main.endswith(".") and ":" not in main:
            # Who it struck belongs to the same moment: one sentence, not two.
            struck = rest[0]
            if struck.split(" ", 1)[0] in ("The", "A", "An"):
                struck = struck[:1].lower() + struck[1:]
            main, rest = f"{main[:-1]}, and {struck}", rest[1:]
        return main, rest

    # A motive in front is read before the clause, so it is written before it too.
    # A motive read before the rest of the clause is written before it too.
    shape = pick(("front", "apposition", "trail"), *key, "motive") if show_motive else ""
    said_motive = _objective_again(event, key)
    early = shape in ("front", "apposition")
    motive = motive_text(said_motive, key, names, event.actor_id) if early else ""
    clause = _clause(event, names, style, key)
    if shape == "trail":
        motive = _no_echo(motive_text(said_motive, key, names, event.actor_id), clause, event)
    groups = consequences(event, names, style, key)
    actor_subject: Subject = ("id", event.actor_id)
    own = groups[0][1] if groups and groups[0][0] == actor_subject else _empty_handed(event, key)
    folded = bool(own) and event.outcome in _SUCCESSES and " but " not in clause
    more: list[str] = []
    if folded:
        if len(own) > 1 and not event.actor_id.startswith("group:"):
            # One thing found in the deed's sentence; the rest in one of its own.
            more = [sentence(f"{names.short(event.actor_id, event.actor_name)} {join(own[1:])}")]
            own = own[:1]
        # After a tail with its own comma (", keeping to cover"), the find takes one too.
        clause = f"{clause}{',' if _comma_tail(clause) else ''} and {join(own)}"
        if groups and groups[0][0] == actor_subject:
            groups = groups[1:]
    if shape == "trail" and motive and (folded or "," in clause):
        # Not after a clause that already runs on: the motive leads instead.
        shape, motive = "front", motive_text(said_motive, key, names, event.actor_id)
    actor = _leading_name(clause, names, event.actor_id, event.actor_name)
    if not motive:
        body = clause
    else:
        after = clause[len(actor) :]
        if shape == "apposition" and actor.endswith((" both", " all", " together")):
            shape = "front"  # not "Tess and Oren both, set on ..., made for"
        if shape == "apposition" and actor and not after.startswith(" and"):
            body = f"{actor}, {motive},{after}"
        elif shape == "front":
            body = f"{motive}, {clause}"
        else:
            body = f"{clause}, {motive}"
    return sentence(prefix + body if prefix else cap(body)), [*more, *sentences(groups, names)]


def _comma_tail(clause: str) -> bool:
    """Whether the clause ends on a tail after a comma (", keeping to cover"); a list of
    names ("Rhea, Zara and Okafor all combed ...") is not one."""
    _, comma, tail = clause.rpartition(", ")
    return bool(comma) and " and " not in tail and len(tail.split()) <= 5


def _no_echo(motive: str, clause: str, event: EventView) -> str:
    """A motive after its clause does not name the clause's place again: "scouted
    toward the ridge, wanting a first look at it", not "... at the ridge"."""
    if event.action not in ("move", "scout", "investigate", "flee"):
        return motive
    for place in (event.target_name, event.location):
        if not place.startswith("the "):
            continue
        for form in (place, short_place(place)):
            if motive.endswith(" " + form) and form in clause:
                return motive[: -len(form)] + "it"
    return motive


def _leading_name(clause: str, names: Names, ident: str, fallback: str) -> str:
    for form in (names.full(ident, fallback), names.short(ident, fallback)):
        if clause.startswith(form + " ") or clause.startswith(form + ","):
            return form
    return ""


def roll_sentence(event: EventView, names: Names, key: tuple[object, ...]) -> str:
    if event.difficulty <= 0 or event.outcome not in ROLLS:
        return ""
    template = pick(ROLLS[event.outcome], *key, "roll")
    actor = names.short(event.actor_id, event.actor_name)
    return template.format(actor=actor, roll=event.roll, difficulty=event.difficulty)


_NOTHING = ("found nothing new", "came up empty", "found nothing that mattered",
            "turned up nothing of use", "found only what others had already seen",
            "came back with nothing", "found nothing worth the trouble",
            "saw nothing that had not been there before")  # fmt: skip
_CLEAR = ("found the way clear", "saw nothing in the way", "found the path open")


def _empty_handed(event: EventView, key: tuple[object, ...]) -> list[str]:
    """A successful search that turned up nothing still says so."""
    if event.outcome in ("success", "critical_success") and not event.effects:
        if event.action == "investigate":
            return [pick(_NOTHING, *key, "empty")]
        if event.action == "scout":
            return [pick(_CLEAR, *key, "empty")]
    return []
