"""What came of an event, in prose: one predicate per consequence ("was wounded",
"uncovered a torn photograph"), grouped by whom it befell, and one sentence per group.

Effect conventions follow the simulation's events: a "relationship" effect's other
party is the event's actor, or its target when the subject is the actor; a
"clue_found" effect names the clue and its finder is the actor. A predicate that names
someone is written when its sentence is, so names come in the order a reader meets them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .facts import voices
from .model import DIRECTOR_ID, EffectView, EventView
from .naming import Names, short_thing
from .variety import cycle, definite, join, pick, sentence

# How a change of regard reads, strongest first; the event picks among equals. Small
# shifts are not told in the narrative styles: the words said already show them.
_WARMER = (
    ("came to trust {other} far more", "saw {other} in a new light", "would follow {other} now",
     "decided {other} could be counted on", "knew now that {other} was a friend",
     "would not hear a word against {other} after that"),
    ("warmed to {other}", "thought better of {other}", "began to rely on {other}",
     "found {other} easier to trust", "let {other} a little closer",
     "softened toward {other}", "started to like {other}", "gave {other} the benefit of the doubt"),
)  # fmt: skip
_COLDER = (
    ("turned bitterly against {other}", "would not forgive {other}", "hated {other} now",
     "swore never to trust {other} again", "was done with {other} for good",
     "would remember this about {other}"),
    ("grew wary of {other}", "kept {other} at arm's length", "stopped trusting {other}",
     "began to doubt {other}", "marked {other} down as trouble", "cooled toward {other}",
     "watched {other} more closely after that", "had second thoughts about {other}"),
)  # fmt: skip
_MUTUAL_WARM = ("warmed to each other", "came away trusting each other more",
                "found they could rely on each other", "drew closer")  # fmt: skip
_MUTUAL_COLD = ("parted colder than they met", "eyed each other with new suspicion",
                "trusted each other less after that", "drew apart")  # fmt: skip
_SMALL_SHIFT = 0.15
# Facts for the chapter's frame, not sentences of their own.
_UNTOLD = (
    "voice", "motive", "scene", "tension", "stakes", "obstacle", "goal", "resolution", "pronoun",
    "source",
)  # fmt: skip
_REACTIONS = {
    "fear": ("backed away from {other}, afraid", "would not go near {other} after that"),
    "revenge": ("swore that {other} would pay", "promised {other} a reckoning"),
    "betrayed": ("stared at {other}, betrayed", "understood too late what {other} was"),
    "grief": ("cried out for {other}", "knelt by {other} and could not speak"),
    "outrage": ("rounded on {other}", "turned on {other} in fury"),
    "alliance": ("moved to {other}'s side", "closed ranks with {other}"),
}
_LEADS = (
    "noticed signs that something lay hidden {where}",
    "sensed that {where_short} held more than it showed",
    "marked {where_short} as worth a closer look",
    "caught a hint of something hidden {where}",
    "made a note to come back to {where_short}",
    "suspected that {where_short} was keeping a secret",
    "spotted something odd {where}",
    "had a feeling about {where_short}",
    "saw scuffs and marks {where} that someone had tried to hide",
    "decided {where_short} deserved a second visit",
    "came away sure that {where_short} was hiding something",
    "found {where_short} too tidy to be innocent",
    "noticed something out of place {where}",
    "could not shake a suspicion about {where_short}",
)  # fmt: skip
_SPOTTED = ("caught sight of {who} {where}", "glimpsed {who} {where}", "saw {who} {where}")
# The brief style leaves out small consequences.
_CONCISE_SKIP = ("spotted", "alerted", "lead", "defended")

_AGAIN = ("found the same {same}", "turned up {d} as well", "came upon {d} too",
          "also found {d}", "found {d} too", "came across {d} as well")  # fmt: skip
# A find someone made in an earlier hour, with whose it was ({who}).
_AFTER = ("found the same {same} {who} had turned up", "came upon {d}, which {who} had found first",
          "turned up {d}, just as {who} had before", "found {d} where {who} had found it before",
          "came across {d}, though {who} had got there first", "dug out {d} in {who}'s wake",
          "found {d}, already known to {who}")  # fmt: skip

Subject = tuple[str, str]  # ("id", character id) or ("text", words)


def _same(thing: str) -> str:
    """ "a torn photograph" -> "the same torn photograph" (the caller writes "the")."""
    first, _, rest = thing.partition(" ")
    return rest if first.lower() in ("a", "an", "the", "some") and rest else thing


def source_of(event: EventView, clue: str) -> tuple[str, str]:
    """(who first found `clue`, where) from the event's "source" effect, or ("", "")."""
    for f in event.effects:
        if f.kind == "source" and f.detail.startswith(clue + "|"):
            return f.subject_id, f.detail[len(clue) + 1 :]
    return "", ""


def by_turn(options: Sequence[str], event: EventView, key: tuple[object, ...], *who: object) -> str:
    """The story's choice for this person and this kind of moment, moved on by the turn:
    the same person doing the same thing in another chapter reads differently."""
    return cycle(options, event.turn, key[0] if key else "", *who)


def sentences(groups: Sequence[tuple[Subject, list[str]]], names: Names) -> list[str]:
    """One sentence per subject; subjects with the very same predicate share one
    ("Zara and Kade were hurt", not "Zara was hurt. Kade was hurt.")."""
    merged: list[tuple[list[Subject], list[str]]] = []
    for subject, preds in groups:
        same = next((m for m in merged if m[1] == preds), None)
        if same is not None and len(preds) == 1:
            same[0].append(subject)
        else:
            merged.append(([subject], list(preds)))
    out: list[str] = []
    for subjects, preds in merged:
        words = join([_say(s, names) for s in subjects])
        predicate = join(preds)
        if len(subjects) > 1:
            predicate = _plural(predicate)
        out.append(sentence(f"{words} {predicate}"))
    return out


def _plural(predicate: str) -> str:
    for one, many in (("was ", "were "), ("has ", "have ")):
        if predicate.startswith(one):
            return many + predicate[len(one) :]
    return predicate


def _say(subject: Subject, names: Names) -> str:
    kind, value = subject
    return names.of(value) if kind == "id" else value


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


def _other_of(event: EventView, effect: EffectView) -> str:
    return event.actor_id if effect.subject_id != event.actor_id else event.target_id


_BANDS = (-0.6, -0.3, 0.0, 0.3, 0.6)


def _turning_point(event: EventView, effect: EffectView) -> bool:
    """Whether a change of regard crosses a band (from wary to hostile, from neutral to
    trusting...). A spoken exchange carries the regard after it ("voice"); a change that
    stays inside its band is left to the words said. Without that figure, it is told."""
    heard = voices(event).get(effect.subject_id)
    if heard is None or _other_of(event, effect) not in (event.actor_id, event.target_id):
        return True
    after = heard[1]
    before = after - effect.value
    low, high = sorted((before, after))
    return any(low < b <= high for b in _BANDS)


def _relationship(
    event: EventView, effect: EffectView, names: Names, style: str, sid: object
) -> Callable[[], str]:
    other_id = _other_of(event, effect)
    change = effect.value
    band: tuple[str, ...]
    if style == "log":
        band = ("warmed to {other}",) if change > 0 else ("cooled toward {other}",)
    elif change > 0:
        band = _WARMER[0] if change >= 0.3 else _WARMER[1]
    else:
        band = _COLDER[0] if change <= -0.3 else _COLDER[1]
    template = cycle(band, event.turn, sid, effect.subject_id, other_id)

    def text() -> str:
        other = names.of(other_id, event.actor_name if other_id == event.actor_id else "")
        said = template.format(other=other)
        return f"{said} ({change:+.2f})" if style == "log" else said

    return text


def _effect(
    event: EventView,
    effect: EffectView,
    names: Names,
    style: str,
    dead: Sequence[str],
    key: tuple[object, ...],
) -> tuple[Subject, str | Callable[[], str]]:
    """(subject, predicate); an empty predicate means nothing worth saying. A predicate
    that names someone is a function, called when the sentence is written."""
    kind, detail = effect.kind, effect.detail
    who: Subject = ("id", effect.subject_id) if effect.subject_id else ("text", detail)
    actor: Subject = ("id", event.actor_id)
    if kind in _UNTOLD:
        return who, ""
    n = _amount(effect) if kind in ("injured", "healed") else 0
    if kind == "injured":
        if style == "log":
            return who, f"took {n} point{'s' * (n != 1)} of damage"
        if event.actor_id == DIRECTOR_ID:
            hit = ("was hurt", "was battered", "was caught in it", "took the worst of it",
                   "was thrown off balance and hurt", "came away bloodied", "was knocked flat",
                   "was struck", "could not get clear in time")  # fmt: skip
            return who, by_turn(hit, event, key, "struck")  # one word for all it struck
        hurt = (
            ("was badly hurt", "took a bad wound", "went down hard, badly hurt",
             "was left bleeding badly", "took a wound that would not close easily") if n >= 4
            else ("was wounded", "took a wound", "was cut", "came away bleeding",
                  "was hurt, though not badly") if n >= 2
            else ("was grazed", "took a scrape", "was nicked", "came away with a bruise",
                  "picked up a shallow cut", "got a knock", "skinned a hand")
        )  # fmt: skip
        return who, cycle(hurt, event.turn, key[0] if key else "", effect.subject_id, "hurt")
    if kind == "killed":
        return who, _killed(effect, style)
    if kind == "healed":
        if style == "log":
            return who, f"recovered {n} point{'s' * (n != 1)} of health"
        better = (
            ("got some strength back", "felt the worst of it ease", "could stand again")
            if n >= 3
            else ("steadied a little", "breathed easier", "looked less grey")
        )
        return who, by_turn(better, event, key, effect.subject_id, "heal")
    if kind == "relationship":
        small = abs(effect.value) < (0.3 if style == "concise" else _SMALL_SHIFT)
        if style != "log" and (small or not _turning_point(event, effect)):
            return who, ""
        return who, _relationship(event, effect, names, style, key[0] if key else "")
    if kind == "clue_found":
        if event.actor_id == DIRECTOR_ID:
            return ("text", detail), "came to light"
        verbs = (
            ("brought {d} to light",)
            if style == "epic"
            else (
                "uncovered {d}",
                "turned up {d}",
                "came upon {d}",
                "found {d}",
                "dug out {d}",
                "laid hands on {d}",
                "spotted {d}",
                "unearthed {d}",
            )
        )
        verb = by_turn(verbs, event, key, event.actor_id, "found")
        # "the same torn photograph", but not "the same half a photograph".
        articled = detail.split(" ", 1)[0].lower() in ("a", "an", "the", "some")
        again = pick([a for a in _AGAIN if articled or "{same}" not in a], *key, event.actor_id,
                     "again")  # fmt: skip

        first = source_of(event, detail)[0]
        after = pick([a for a in _AFTER if articled or "{same}" not in a], *key, "after")

        def found() -> str:
            # A find already told this hour, or made before by someone else (the
            # effect's value), is "the same" one, not news again; whose find it was
            # is said when it was not told this hour.
            told = names.again(detail)
            # A find the reader has met goes by its short name ("the lipstick note").
            known = short_thing(detail)
            same = known[4:] if known.startswith("the ") else _same(detail)
            if style != "epic" and not told and effect.value > 0 and first:
                return after.format(d=known, same=same, who=names.of(first))
            if style != "epic" and (told or effect.value > 0):
                return again.format(d=known, same=same)
            return verb.format(d=detail)

        return actor, found
    if kind == "learned":
        told = ("learned of", "heard about", "was told of", "now knew of", "found out about",
                "got word of", "was let in on")  # fmt: skip
        verb = by_turn(told, event, key, who)
        return who, f"{verb} {short_thing(detail) if source_of(event, detail)[0] else detail}"
    if kind == "knew":
        knew = ("already knew of", "had heard of", "knew all about", "was no stranger to",
                "had found out about", "was ahead of the news about")  # fmt: skip
        verb = by_turn(knew, event, key, effect.subject_id, "knew")
        return who, f"{verb} {short_thing(detail)}"
    if kind == "reaction":
        feeling, _, other_id = detail.partition(":")
        table = _REACTIONS.get(feeling, ("was shaken by {other}",))
        template = pick(table, *key, effect.subject_id, "react")
        return who, lambda: template.format(other=names.of(other_id))
    if kind == "lead":
        # The place the deed just named is "there", not named twice in one sentence.
        here = detail in (event.location, event.target_name)
        template = by_turn(_LEADS, event, key, effect.subject_id, "lead")
        return who, lambda: template.format(
            where="there" if here else f"at {names.place(detail)}",
            where_short="the place" if here else names.place(detail),
        )
    if kind == "misled":
        return who, lambda: f"was sent chasing a false lead toward {names.place(detail)}"
    if kind == "spotted":
        template = by_turn(_SPOTTED, event, key, event.actor_id, "spot")
        named = detail in (event.location, event.target_name)
        return actor, lambda: template.format(
            who=names.of(effect.subject_id), where="there" if named else f"at {names.place(detail)}"
        )
    if kind == "alerted":
        return who, "stayed watchful"
    thing = definite(detail)
    if kind == "item_gained":
        took = ("came away with", "picked up", "walked off with", "pocketed", "carried off")
        return who, f"{by_turn(took, event, key, effect.subject_id, 'took')} {thing}"
    if kind == "item_lost":
        return who, f"dropped {thing}" if effect.subject_id in dead else f"lost {thing}"
    if kind == "repaired":
        return ("text", thing), "" if event.action == "repair" else "worked again"
    if kind == "broken":
        return ("text", thing), "gave out" if style != "epic" else "failed in a shower of sparks"
    if kind == "defended":
        return who, "" if event.action == "defend" else f"was {detail}"
    if kind == "revealed":
        shown = ("came to light", "turned up", "lay there for the taking", "was found lying there")
        return ("text", thing), by_turn(shown, event, key, detail)
    if kind == "moved":
        mover = effect.subject_id == event.actor_id or event.actor_id.startswith("group:")
        own = mover and event.action in ("move", "flee")
        return who, "" if own else lambda: f"went {_to_place(detail, names)}"
    label = kind.replace("_", " ")
    return who, f"was {label} ({detail})" if detail else f"was {label}"


def _to_place(detail: str, names: Names) -> str:
    if detail.startswith("to "):
        return "to " + names.place(detail[3:])
    return detail


def _mutual(event: EventView, effects: Sequence[EffectView], style: str) -> tuple[int, int] | None:
    """Indices of two regard changes between the actor and the target that go the same
    way (told as one: "they warmed to each other")."""
    if style == "log":
        return None
    found = [
        i for i, f in enumerate(effects)
        if f.kind == "relationship" and abs(f.value) >= _SMALL_SHIFT
        and {f.subject_id, _other_of(event, f)} == {event.actor_id, event.target_id}
    ]  # fmt: skip
    if len(found) == 2 and (effects[found[0]].value > 0) == (effects[found[1]].value > 0):
        return found[0], found[1]
    return None


def groups(
    event: EventView, names: Names, style: str, key: tuple[object, ...] = ()
) -> list[tuple[Subject, list[str]]]:
    effects = list(event.effects)
    dead = [e.subject_id for e in effects if e.kind == "killed"]
    groups: list[tuple[Subject, list[str | Callable[[], str]]]] = []
    used: list[int] = []
    pair = _mutual(event, effects, style)
    for i, effect in enumerate(effects):
        if i in used or (style == "concise" and effect.kind in _CONCISE_SKIP):
            continue
        if pair is not None and i in pair:
            used.extend(pair)
            warm = effect.value > 0
            verb = pick(_MUTUAL_WARM if warm else _MUTUAL_COLD, *key, "mutual")
            groups.append((("text", ""), [_both(names, event.actor_id, event.target_id, verb)]))
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
                back = _swap_back(effects, used, effect.subject_id, effects[match].subject_id)
                if back is not None:  # a swap is one exchange, told in one sentence
                    used.extend(back)
                    given, got = effect.detail, effects[back[0]].detail
                    swap = _swap(names, effect.subject_id, effects[match].subject_id,
                                 definite(given), definite(got), key)  # fmt: skip
                    groups.append((("text", ""), [swap]))
                    continue
                passed = _hands(names, effect.subject_id, effects[match].subject_id, key)
                groups.append((("text", definite(effect.detail)), [passed]))
                continue
        subject, predicate = _effect(event, effect, names, style, dead, key)
        if effect.kind == "spotted":
            # Everyone seen at one place is one sighting: "saw Tess, Rhea and Kai there".
            seen = [
                j for j in range(i, len(effects))
                if j not in used and effects[j].kind == "spotted"
                and effects[j].detail == effect.detail
            ]  # fmt: skip
            used.extend(seen)
            if len(seen) > 1:
                predicate = _sighting(event, [effects[j] for j in seen], names, key)
        if not predicate:
            continue
        if groups and groups[-1][0] == subject:
            groups[-1][1].append(predicate)
        else:
            groups.append((subject, [predicate]))
    return [(subject, _merge(preds)) for subject, preds in groups]


def _sighting(
    event: EventView, seen: Sequence[EffectView], names: Names, key: tuple[object, ...]
) -> Callable[[], str]:
    template = by_turn(_SPOTTED, event, key, event.actor_id, "spot")
    place = seen[0].detail
    named = place in (event.location, event.target_name)
    return lambda: template.format(
        who=join([names.of(f.subject_id) for f in seen]),
        where="there" if named else f"at {names.place(place)}",
    )


def _both(names: Names, a: str, b: str, verb: str) -> Callable[[], str]:
    return lambda: f"{names.of(a)} and {names.of(b)} {verb}"


_HANDS = ("passed from {g} to {t}", "changed hands, from {g} to {t}",
          "went from {g} to {t}", "ended up with {t}, by way of {g}")  # fmt: skip
# Giver {a} handed over {x} and got {y} from {b}.
_SWAPS = (
    "{a} handed over {x} and took {y} in return", "{a} let {b} have {x} for {y}",
    "{x} went to {b}, and {y} to {a}", "{a} traded {x} for {y}",
    "In exchange for {x}, {b} gave up {y}", "{b} took {x}; {a} walked off with {y}",
    "{a} parted with {x}, and {b} with {y}", "{b} got {x} out of it, {a} {y}",
)  # fmt: skip


def _swap_back(
    effects: Sequence[EffectView], used: Sequence[int], giver: str, taker: str
) -> tuple[int, int] | None:
    """Indices (gained, lost) of something going the other way in the same event."""
    for j, f in enumerate(effects):
        if j in used or f.kind != "item_gained" or f.subject_id != giver:
            continue
        lost = next(
            (k for k, g in enumerate(effects) if k not in used and g.kind == "item_lost"
             and g.subject_id == taker and g.detail == f.detail),
            None,
        )  # fmt: skip
        if lost is not None:
            return j, lost
    return None


def _swap(
    names: Names, a: str, b: str, x: str, y: str, key: tuple[object, ...]
) -> Callable[[], str]:
    turn = int(key[1]) if len(key) > 1 and isinstance(key[1], int) else 0
    template = cycle(_SWAPS, turn, key[0] if key else "", a, b, "swap")

    def text() -> str:
        # Names in the order the sentence uses them.
        order = sorted((template.find(s), s) for s in ("{a}", "{b}"))
        said = {s: names.of(a if s == "{a}" else b) for _, s in order}
        return template.format(a=said["{a}"], b=said["{b}"], x=x, y=y)

    return text


def _hands(names: Names, giver: str, taker: str, key: tuple[object, ...]) -> Callable[[], str]:
    template = cycle(_HANDS, int(key[1]) if len(key) > 1 and isinstance(key[1], int) else 0,
                     key[0] if key else "", giver, taker)  # fmt: skip
    return lambda: template.format(g=names.of(giver), t=names.of(taker))


_LISTABLE = (
    "dropped ", "lost ", "came away with ", "picked up ", "walked off with ", "learned of ",
    "pocketed ", "carried off ",
    "uncovered ", "turned up ",
    "came upon ", "found ", "heard about ", "was told of ", "now knew of ", "dug out ",
    "laid hands on ", "spotted ", "unearthed ", "found out about ", "got word of ",
    "was let in on ",
)  # fmt: skip


def _merge(predicates: Sequence[str | Callable[[], str]]) -> list[str]:
    """ "dropped the axe", "dropped the map" -> "dropped the axe and the map". Deferred
    predicates are written here, in order."""
    out: list[tuple[str, list[str]]] = []
    for item in predicates:
        predicate = item if isinstance(item, str) else item()
        # The longest verb that fits: "found out about X", not "found" + "out about X".
        verb = max((v for v in _LISTABLE if predicate.startswith(v)), key=len, default="")
        if verb and out and out[-1][0] == verb:
            out[-1][1].append(predicate[len(verb) :])
        else:
            out.append((verb, [predicate[len(verb) :] if verb else predicate]))
    return [verb + join(objects) for verb, objects in out]
