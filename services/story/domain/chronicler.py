"""The chronicler: one chapter per turn, in the requested style.

A chapter is built around what happened in it: the patterns found over its events (a
confrontation, a betrayal, a rescue, a discovery, a pursuit, a parley) lead, told with
the words the characters said; the rest follows place by place; the setting's look,
the scenario's stakes and what came of the characters' goals frame it. Every
paragraph keeps the ids of the events it tells (Chapter.paragraph_events). Narrative
styles show no dice, thresholds or deltas; the "log" style shows them.

Pure and deterministic: the same context and events always give the same text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .bookends import scenario_focus, write_closing, write_opening, write_title
from .climax import climax
from .directed import DIRECTED, directed_line
from .facts import TurnFacts, fresh_motive, gather, is_director
from .framing import frame, goal_lines, pattern_lead, scene_lines
from .model import Chapter, EventView, StoryContext, style_of
from .naming import Names, short_thing
from .patterns import Pattern, find_patterns
from .render import render_event, roll_sentence
from .titles import chapter_title
from .variety import cycle, join, pick, sentence
from .voice import found_line, lines, names_first_finder, outcry, quoted

__all__ = ["write_chapter", "write_closing", "write_opening", "write_title"]

Paragraph = tuple[list[str], list[str]]  # sentences, event ids
_QUIET = ("observe", "rest")
_THEN = (
    "Then, ", "Soon after, ", "Before long, ", "A moment later, ", "Not long after, ",
    "After that, ", "", "", "", "Later, ", "In the meantime, ", "Next, ", "By then, ",
    "", "", "Shortly afterwards, ", "Within the hour, ", "All the while, ", "Once that was done, ",
    "Somewhere in all this, ", "At about the same time, ", "", "", "", "", "", "", "", "",
)  # fmt: skip
_AT = ("Meanwhile, at {p}, ", "At {p}, ", "Over at {p}, ", "Elsewhere, at {p}, ",
       "Back at {p}, ", "Up at {p}, ", "Across at {p}, ", "Still at {p}, ",
       "Not far off, at {p}, ", "Over by {p}, ", "Down at {p}, ", "Out at {p}, ",
       "That same hour, at {p}, ", "All the while, at {p}, ", "By then, at {p}, ",
       "Some way off, at {p}, ")  # fmt: skip
_ACROSS = ("", "", "", "", "Meanwhile, ", "At the same hour, ", "Not far away, ",
           "While that went on, ", "Away from all that, ")  # fmt: skip
# Deeds of these kinds, alike in all that came of them, are told as one.
_GROUPABLE = ("move", "investigate", "scout", "repair", "observe", "rest", "flee")
_TOLD_ALIKE = ("clue_found", "lead", "moved")
_BOTH = ("", " both", "")
# Effects that say why or how, not what happened: a deed with only these did nothing.
_ASIDE = ("voice", "motive", "alerted", "source")
_ALL = ("", " all", " together")


def ref(event: EventView) -> str:
    return f"{event.turn}.{event.sequence}"


def _deed(
    event: EventView,
    names: Names,
    style: str,
    key: tuple[object, ...],
    prefix: str,
    talk: bool,
    topic: str = "",
) -> list[str]:
    told = climax(event, names, key) if style != "log" else ""
    if told:  # the deed that settles it is told as that deed, with what made it possible
        cry = outcry(event, names, key) if talk and style != "concise" else ""
        return [prefix + names.after_lead(told) if prefix else told, *([cry] if cry else [])]
    shown = event
    kind, news = quoted(event) if talk else ("", "")
    if news:  # the line says what was told: the deed's sentence need not say it again
        first = next(i for i, f in enumerate(event.effects) if f.kind == kind)
        shown = replace(event, effects=event.effects[:first] + event.effects[first + 1 :])
    if talk and style != "concise" and names_first_finder(event, key):
        # The finder's line will say whose find it was: the telling says only "too".
        shown = replace(shown, effects=tuple(f for f in shown.effects if f.kind != "source"))
    main, rest = render_event(shown, names, style, key, prefix, show_motive=fresh_motive(event))
    said = lines(event, names, key, topic) if talk else []
    if talk and not said and style != "concise":
        said = [x for x in (found_line(event, names, key, topic),) if x]
        cry = "" if said else outcry(event, names, key)
        if cry:  # said after the deed and what came of it (a hurt is told before the cry)
            return [main, *rest, cry]
    if style == "concise":
        return [main, *said[:1], *rest]
    return [main, *said, *rest]


# A verb and the preposition that carries it to the next person: "Kai made for the
# archive, Oren for the docks".
_TRAVEL = (
    ("made for", "for"), ("headed for", "for"), ("set out for", "for"), ("went on to", "to"),
    ("trudged to", "to"), ("pushed through to", "to"), ("slipped away to", "to"),
    ("struck out for", "for"), ("took the path to", "to"), ("left for", "for"),
    ("started toward", "toward"), ("went off to", "to"), ("hurried to", "to"),
    ("drifted toward", "toward"), ("walked to", "to"), ("wandered off toward", "toward"),
    ("turned toward", "toward"), ("crossed to", "to"), ("hiked to", "to"),
    ("cut across to", "to"), ("set off for", "for"), ("ventured to", "to"),
    ("stole away to", "to"), ("trekked to", "to"), ("made tracks for", "for"),
    ("strode off to", "to"), ("edged toward", "toward"), ("jogged to", "to"),
)  # fmt: skip
_TRAVEL_LEADS = (
    "", "Meanwhile, ", "", "Elsewhere, ", "In the meantime, ", "Before long, ", "",
    "As the hour wore on, ", "By the end of the hour, ", "Not long after, ", "Then ",
    "A little later, ", "Soon after, ", "Around then, ", "",
)  # fmt: skip


def _plain_move(event: EventView) -> bool:
    """A move that only moved someone, with no motive to state: told in passing."""
    if event.action != "move" or event.outcome not in ("success", "none") or fresh_motive(event):
        return False
    return all(f.kind in ("moved", "voice", "alerted", "source") for f in event.effects)


def _travel_sentence(events: Sequence[EventView], names: Names, key: tuple[object, ...]) -> str:
    """Everyone's plain moves of the hour in one sentence, one verb for them all: "Kai
    made for the archive, Oren for the docks, and Tess and Elena for the club"."""
    by_place: dict[str, list[str]] = {}
    for e in events:
        by_place.setdefault(e.target_name or e.target_id, []).append(e.actor_id)
    turn = int(key[1]) if isinstance(key[1], int) else 0
    # Round after round the verbs come back shifted, so a long run does not repeat one.
    verb, prep = cycle(_TRAVEL, turn + turn // len(_TRAVEL), key[0], "travel")
    lead = pick(_TRAVEL_LEADS, *key, "lead")
    origins = {e.location for e in events if e.location}
    if len(origins) == 1 and not lead:
        lead = pick(("Leaving {o}, ", "From {o}, ", ""), *key, "from").format(
            o=names.place(origins.pop())
        )
    parts = []
    for n, (place, who) in enumerate(by_place.items()):
        people = join([names.of(i) for i in who])
        parts.append(f"{people} {verb if n == 0 else prep} {names.place(place)}")
    body = ", ".join(parts[:-1]) + ", and " + parts[-1] if len(parts) > 2 else " and ".join(parts)
    if len(parts) == 2 and " and " in parts[0] + parts[1]:
        body = "; ".join(parts)
    return sentence(lead + names.after_lead(body) if lead else body)


def _routine(event: EventView) -> bool:
    """A search or a scouting trip that came to nothing and states no new motive: the
    routine of the hour, summarised rather than told deed by deed."""
    if event.action not in ("investigate", "scout") or fresh_motive(event):
        return False
    if event.outcome not in ("success", "failure", "none"):
        return False
    return all(f.kind in _ASIDE for f in event.effects)


_ROUTINE_VERBS = {
    "investigate": ("searched", "went through", "combed", "checked", "picked over",
                    "turned over", "sifted", "tried", "went over", "poked around",
                    "rummaged through", "scoured", "hunted through", "went back over"),
    "scout": ("scouted", "looked over the way to", "went to look at", "scouted out",
              "spied out the ground toward", "took a look at", "walked out toward",
              "kept watch over", "checked the path to", "went ahead toward"),
}  # fmt: skip
_ROUTINE_ENDS = (
    "and none of it came to anything", "all for nothing", "with nothing to show for it",
    "and not one of them turned up a thing", "to no purpose", "and came back none the wiser",
    "but the hour gave up nothing new", "and it was wasted effort",
    "and the hour was gone for nothing", "which led nowhere", "and all of it came up empty",
    "without a single thing to show", "and each came back empty-handed",
)  # fmt: skip
_ROUTINE_ONE = (
    "{who} {verb} {where} and found nothing new",
    "{who} {verb} {where}, to no purpose",
    "Nothing came of it when {who} {verb} {where}",
    "{who} {verb} {where}, but it gave up nothing",
    "For all the effort, {who} {verb} {where} and came away with nothing",
    "{who} {verb} {where}; it was time lost",
    "{who} {verb} {where}, and that was all the hour held",
    "{who} {verb} {where} and learned nothing",
    "{who} {verb} {where}, without luck",
    "It was a dry hour: {who} {verb} {where} and got nowhere",
    "{who} {verb} {where}; nothing there was new",
)  # fmt: skip
_ROUTINE_MANY = (
    "{list}, {end}",
    "The rest of the hour went on routine work: {list}, {end}",
    "Elsewhere the searching went on: {list}, {end}",
    "{list}; none of it changed anything",
    "It was a slow hour for the others: {list}, {end}",
    "Away from all that, {list}, {end}",
    "Meanwhile {list}, {end}",
    "The others kept at it: {list}, {end}",
    "Less came of the rest: {list}, {end}",
)  # fmt: skip


_WHERE_FOUND = (", where {who} had found {thing},", ", where {who} had turned up {thing},",
                ", where {who} had come upon {thing},", ", the place {who} had got {thing} from,",
                " (where {who} had found {thing})")  # fmt: skip


def _found_before(event: EventView) -> tuple[str, str] | None:
    """(who, what) someone else found before at the place of this fruitless deed."""
    for f in event.effects:
        if f.kind == "source":
            clue, _, _ = f.detail.partition("|")
            return f.subject_id, short_thing(clue)
    return None


def _routine_sentence(events: Sequence[EventView], names: Names, key: tuple[object, ...]) -> str:
    """The hour's fruitless searches in one sentence: "Kai went through the archive, Oren
    scouted the ridge, and none of it came to anything"."""
    groups: dict[tuple[str, str], list[str]] = {}
    for e in events:
        groups.setdefault((e.action, e.target_name or e.location), []).append(e.actor_id)
    turn = int(key[1]) if isinstance(key[1], int) else 0
    parts = []
    recalled = {e.target_name or e.location: _found_before(e) for e in events}
    for n, ((action, place), ids) in enumerate(groups.items()):
        verb = cycle(_ROUTINE_VERBS[action], turn + n, key[0], "routine")
        where = names.place(place)
        finder, thing = recalled.get(place) or ("", "")
        if finder and finder not in ids:  # the place recalled by what was found there
            where += pick(_WHERE_FOUND, *key, place, "where").format(
                who=names.of(finder), thing=thing
            )
        parts.append((join([names.of(i) for i in ids]), verb, where))
    if len(parts) == 1:
        who, verb, where = parts[0]
        shape = cycle(_ROUTINE_ONE, turn, key[0], "routine-one")
        return sentence(_tidy(shape.format(who=who, verb=verb, where=where)))
    # The second and later of one verb say it once: "Kai searched the archive, Oren the docks".
    said: list[str] = []
    verbs_seen: set[str] = set()
    for who, verb, where in parts:
        said.append(f"{who} {where}" if verb in verbs_seen else f"{who} {verb} {where}")
        verbs_seen.add(verb)
    listing = ", ".join(said[:-1]) + " and " + said[-1]
    shape = cycle(_ROUTINE_MANY, turn, key[0], "routine-many")
    end = pick(_ROUTINE_ENDS, *key, "routine-end")
    text = _tidy(shape.format(list=listing, end=end))
    return sentence(text[:1].upper() + text[1:])


def _tidy(text: str) -> str:
    """No comma left doubled or standing before a stop, after a clause that ends in one."""
    for double, single in ((",,", ","), (",;", ";")):
        text = text.replace(double, single)
    return text.rstrip(",")


def _names_place(text: str, place: str, names: Names) -> bool:
    return any(form in text for form in names.place_forms(place))


def _quiet_sentence(events: Sequence[EventView], names: Names, key: tuple[object, ...]) -> str:
    """Watching and resting, told together: they matter less than the rest."""
    watchers = [names.of(e.actor_id, e.actor_name) for e in events if e.action == "observe"]
    resting = [names.of(e.actor_id, e.actor_name) for e in events if e.action == "rest"]
    parts = []
    if watchers:
        verb = pick(("kept watch", "stayed on guard", "watched and waited", "kept an eye out",
                     "stood lookout", "stood sentry", "watched the approaches",
                     "kept a wary watch", "watched the way in", "stayed alert to every sound",
                     "kept still and watched", "kept a lookout"), *key, "w")  # fmt: skip
        parts.append(f"{join(watchers)} {verb}")
    if resting:
        verb = pick(("caught their breath", "rested where they could", "saw to their hurts",
                     "took a moment to recover", "sat out the hour"), *key, "r")  # fmt: skip
        parts.append(f"{join(resting)} {verb}")
    return (join(parts) + ".")[:1].upper() + (join(parts) + ".")[1:] if parts else ""


def _telling(event: EventView) -> bool:
    """An observe or rest that changed nothing is told in passing."""
    told = [f for f in event.effects if f.kind not in _ASIDE]
    return not (event.action in _QUIET and not told)


def _likeness(event: EventView) -> tuple[object, ...] | None:
    """What makes deeds alike enough to tell as one, or None when this one stands alone
    (it speaks, or something came of it for someone else)."""
    if event.action not in _GROUPABLE:
        return None
    told = [
        (f.kind, f.detail) for f in event.effects
        if f.kind not in _ASIDE
    ]  # fmt: skip
    if any(kind not in _TOLD_ALIKE for kind, _ in told):
        return None
    won = event.outcome in ("success", "critical_success", "none")
    # A motive stated now is shared only by deeds stating the very same one; but several
    # people turning up the same thing in one hour is one discovery, whatever brought
    # each of them there (their motives are then left unsaid).
    finds = any(kind == "clue_found" for kind, _ in told)
    motive = event.motive if fresh_motive(event) and not finds else ""
    return (event.action, won, event.target_id, event.location, tuple(sorted(told)), motive)


def _clusters(events: Sequence[EventView]) -> list[list[EventView]]:
    """Events in order, alike ones gathered at the first of them."""
    out: list[list[EventView]] = []
    where: dict[tuple[object, ...], int] = {}
    for event in events:
        likeness = _likeness(event)
        if likeness is not None and likeness in where:
            out[where[likeness]].append(event)
            continue
        if likeness is not None:
            where[likeness] = len(out)
        out.append([event])
    return out


def _told(
    cluster: Sequence[EventView],
    names: Names,
    style: str,
    key: tuple[object, ...],
    prefix: str,
    talk: bool,
    topic: str = "",
) -> list[str]:
    """One deed, or several alike told as one sentence ("Zara and Kade both searched")."""
    if len(cluster) == 1:
        return _deed(cluster[0], names, style, key, prefix, talk, topic)
    first = cluster[0]
    who = join([names.of(e.actor_id, e.actor_name) for e in cluster])
    who += pick(_BOTH if len(cluster) == 2 else _ALL, *key, "all")
    ids = ",".join(e.actor_id for e in cluster)
    # Alike deeds share a stated motive, or state none.
    shared = fresh_motive(first) and all(
        fresh_motive(e) and e.motive == first.motive for e in cluster
    )
    together = replace(first, actor_id=f"group:{ids}", actor_name=who)
    main, rest = render_event(together, names, style, key, prefix, show_motive=shared)
    return [main, *rest]


def _narrative(
    ctx: StoryContext, turn: int, events: Sequence[EventView], names: Names, style: str
) -> tuple[list[Paragraph], list[Pattern]]:
    sid = ctx.variety_key
    focus = scenario_focus(ctx)
    topic = f"the {focus.lower()}" if focus else ""
    facts: TurnFacts = gather(events)
    opening = [e for e in events if is_director(e) and e.action != "reckoning"]
    closing = [e for e in events if is_director(e) and e.action == "reckoning"]
    deeds = [e for e in events if not is_director(e)]
    patterns = find_patterns(events)
    paragraphs: list[Paragraph] = []

    # The frame: where we are, what is at stake, what the world did.
    # An hour the world strikes is pictured by the blow; the place's look can wait.
    struck = any(e.action == "complication" for e in opening)
    frame_lines = [] if struck and turn > 1 else scene_lines(facts, style, (sid, turn), turn, names)
    for e in opening:
        if e.action == "complication":
            main, rest = render_event(e, names, style, (sid, turn, e.sequence))
            cry = outcry(e, names, (sid, turn, e.sequence)) if style != "concise" else ""
            frame_lines += [main, *rest, *([cry] if cry else [])]
        elif e.action in DIRECTED:
            frame_lines.append(directed_line(e, names))
    frame_lines += frame(facts, style, (sid, turn))
    if frame_lines:
        paragraphs.append((frame_lines, [ref(e) for e in opening]))

    # The patterns lead, each its own paragraph.
    told: set[str] = set()
    for n, pattern in enumerate(patterns[: 1 if style == "concise" else 3]):
        lead = pattern_lead(pattern, names, style, (sid, turn, n))
        led = [lead] if lead else []
        for i, cluster in enumerate(_clusters(pattern.events)):
            key = (sid, cluster[0].turn, cluster[0].sequence)
            prefix = pick(_THEN, *key, "then") if i else ""
            led += _told(cluster, names, style, key, prefix, True, topic)
            told.update(ref(e) for e in cluster)
        paragraphs.append((led, [ref(e) for e in pattern.events]))

    # Plain comings and goings are one sentence at the end, not a deed each.
    travel = [e for e in deeds if ref(e) not in told and _plain_move(e)]
    told.update(ref(e) for e in travel)
    # So are the searches that came to nothing.
    routine = [e for e in deeds if ref(e) not in told and _routine(e)]
    told.update(ref(e) for e in routine)

    # Everything else, place by place.
    places: list[str] = []
    for e in deeds:
        if ref(e) not in told and e.location not in places:
            places.append(e.location)
    for place in places:
        here = [e for e in deeds if e.location == place and ref(e) not in told]
        loud = [e for e in here if _telling(e)]
        quiet = [e for e in here if not _telling(e)]
        sentences: list[str] = []
        for i, cluster in enumerate(_clusters(loud)):
            key = (sid, cluster[0].turn, cluster[0].sequence)
            prefix = pick(_THEN, *key, "then") if i else ""
            told_here = _told(cluster, names, style, key, prefix, style != "concise", topic)
            said = _names_place(told_here[0], place, names)
            if i == 0 and (patterns or paragraphs[1:]) and not said:
                # A new place is said once: by the deed itself, or else before it.
                at = pick(_AT, *key, "at").format(p=names.place(place))
                told_here[0] = at + names.after_lead(told_here[0])
            elif i == 0 and (patterns or paragraphs[1:]):
                # A paragraph that names its own place may still turn from the last one.
                turn_to = pick(_ACROSS, *key, "across")
                told_here[0] = turn_to + names.after_lead(told_here[0]) if turn_to else told_here[0]
            sentences += told_here
        quiet_line = _quiet_sentence(quiet, names, (sid, turn, place))
        if quiet_line:
            # The quiet line starts with a name: it keeps its capital after "At X,".
            sentences.append(quiet_line if loud else f"At {names.place(place)}, {quiet_line}")
        if sentences:
            paragraphs.append((sentences, [ref(e) for e in here]))

    if routine:
        line = _routine_sentence(routine, names, (sid, turn))
        paragraphs.append(([names.after_lead(line) if line[:1].islower() else line],
                           [ref(e) for e in routine]))  # fmt: skip
    if travel:
        paragraphs.append(
            ([_travel_sentence(travel, names, (sid, turn))], [ref(e) for e in travel])
        )

    # What came of it: goals settled, the scenario's end.
    ending = goal_lines(facts, names, style, (sid, turn), turn >= ctx.turns_total)
    if ending:
        paragraphs.append((ending, [ref(e) for e in closing]))
    return paragraphs, patterns


def _log(events: Sequence[EventView], names: Names, sid: str) -> list[Paragraph]:
    out: list[Paragraph] = []
    for e in events:
        key = (sid, e.turn, e.sequence)
        if is_director(e) and e.action in DIRECTED:
            out.append(([f"[{ref(e)}] {directed_line(e, names)}"], [ref(e)]))
            continue
        main, rest = render_event(e, names, "log", key)
        roll = roll_sentence(e, names, key)
        line = f"[{ref(e)}] " + " ".join(x for x in (main, roll, *rest) if x)
        out.append(([line], [ref(e)]))
    return out


def _dedupe(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """No sentence twice in one chapter."""
    seen: set[str] = set()
    out: list[Paragraph] = []
    for sentences, ids in paragraphs:
        kept = []
        for s in sentences:
            if s and s not in seen:
                seen.add(s)
                kept.append(s)
        if kept:
            out.append((kept, ids))
    return out


def write_chapter(ctx: StoryContext, turn: int, events: Sequence[EventView]) -> Chapter:
    """The chapter for one turn; its number is the turn."""
    style = style_of(ctx)
    ordered = sorted(events, key=lambda e: e.sequence)  # stable for equal sequences
    names = Names.gather(ctx.participants, ordered)
    patterns: list[Pattern] = []
    if style == "log":
        paragraphs = _log(ordered, names, ctx.variety_key)
    else:
        # The first chapter names people in full (a reader following the run live meets
        # them there); later ones call them as a reader would, by the short name.
        if turn > 1:
            names.introduce([p.id for p in ctx.participants])
            names.introduce_places()
        names.set_pronouns(
            {f.subject_id: f.detail for e in ordered for f in e.effects if f.kind == "pronoun"}
        )
        paragraphs, patterns = _narrative(ctx, turn, ordered, names, style)
        paragraphs = [(names.with_pronouns(s), ids) for s, ids in paragraphs]
    paragraphs = _dedupe(paragraphs)
    if style == "concise" and len(paragraphs) > 1:
        paragraphs = [
            ([s for p in paragraphs for s in p[0]], [i for p in paragraphs for i in p[1]])
        ]
    title = chapter_title(ordered, patterns, names, (ctx.variety_key, turn, "title"))
    if not paragraphs:
        quiet = pick(
            ("Nothing stirred, and the hour passed in silence.",
             "For a while nobody moved, and nothing happened."), ctx.variety_key, turn,
        )  # fmt: skip
        return Chapter(turn, title, quiet, ((),), ())
    return Chapter(
        number=turn,
        title=title,
        text="\n\n".join(" ".join(s) for s, _ in paragraphs),
        paragraph_events=tuple(tuple(ids) for _, ids in paragraphs),
        patterns=tuple(p.kind for p in patterns),
    )
