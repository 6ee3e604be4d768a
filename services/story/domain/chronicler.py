"""The chronicler: one chapter per turn, in the requested style.

Pure and deterministic: the same context and events always give the same text.
"""

from __future__ import annotations

from collections.abc import Sequence

from .bookends import write_closing, write_opening, write_title
from .model import DIRECTOR_ID, Chapter, EventView, StoryContext, style_of
from .render import Names, render_event, roll_sentence
from .variety import join, ordinal, pick, title_case

__all__ = ["write_chapter", "write_closing", "write_opening", "write_title"]

_EPIC_PER_PARAGRAPH = 2


def _place(location: str) -> str:
    titled = title_case(location)
    return "the" + titled[3:] if titled.startswith("The ") else titled


def _clue_title(name: str) -> str:
    words = name.split()
    if words and words[0].lower() in ("a", "an", "the", "some"):
        words = words[1:]
    return "The " + title_case(" ".join(words))


def chapter_title(events: Sequence[EventView], names: Names, key: tuple[object, ...]) -> str:
    """Named after the most dramatic thing that happened."""
    if not events:
        return pick(("Silence", "An Empty Hour", "Stillness"), *key)
    effects = [(e, f) for e in events for f in e.effects]
    for event, effect in effects:
        if effect.kind == "killed":
            victim = names.of(effect.subject_id, effect.detail)
            place = _place(event.location)
            return pick((f"The Fall of {victim}", f"Death at {place}", f"{victim}'s End"), *key)
    for event, effect in effects:
        if effect.kind == "clue_found":
            return pick(
                (f"What {_place(event.location)} Concealed", _clue_title(effect.detail)), *key
            )
    by_action = {e.action: e for e in reversed(events)}  # first event of each action wins
    themed = (
        ("attack", ("Blood at {place}", "Steel at {place}")),
        ("help", ("Mercy at {place}", "Wounds Tended")),
        ("deceive", ("Lies at {place}", "A Convincing Lie")),
        ("repair", ("Mending at {place}", "Sparks and Solder")),
        ("persuade", ("Words at {place}", "A Change of Heart")),
        ("trade", ("A Bargain at {place}", "Things Change Hands")),
        ("flee", ("Flight from {place}", "Running")),
        ("complication", ("The World Stirs", "Trouble at {place}")),
        ("talk", ("Words at {place}", "Confidences")),
        ("scout", ("Eyes on {place}", "Looking Ahead")),
        ("move", ("The Road to {place}", "Paths Apart")),
    )
    for action, options in themed:
        if action in by_action:
            event = by_action[action]
            where = event.target_name if action in ("move", "scout") else event.location
            return pick(options, *key).format(place=_place(where or "the unknown"))
    return f"The {title_case(ordinal(int(str(key[1]))))} Turn"


_THEN = ("Then, ", "Soon after, ", "Before long, ", "Next, ", "Not long after, ")
_ELSEWHERE = ("Meanwhile, at {loc}, ", "Elsewhere, at {loc}, ", "Far from there, at {loc}, ")


def _connector(prev: EventView | None, event: EventView, key: tuple[object, ...]) -> str:
    if prev is None or event.actor_id == DIRECTOR_ID:
        return ""
    if prev.location == event.location or not event.location:
        return pick(_THEN, *key, "link")
    if event.action in ("move", "flee"):  # the clause already names where from
        return pick(("Meanwhile, ", "Elsewhere, "), *key, "link")
    return pick(_ELSEWHERE, *key, "link").format(loc=event.location)


def _epic(ctx: StoryContext, turn: int, events: Sequence[EventView], names: Names) -> list[str]:
    sid = ctx.variety_key
    dawns = (
        ("So the tale began.", "The first turn of fate began.")
        if turn == 1
        else (
            "The {nth} turn of fate began.",
            "Once more the wheel of fate turned; it was the {nth} turn.",
            "A new hour dawned, the {nth} of the tale.",
        )
    )
    dawn = pick(dawns, sid, turn, "dawn").format(nth=ordinal(turn))
    paragraphs: list[list[str]] = [[dawn]]
    prev: EventView | None = None
    for n, event in enumerate(events):
        key = (sid, event.turn, event.sequence)
        main, rest = render_event(event, names, "epic", key, _connector(prev, event, key))
        if n and n % _EPIC_PER_PARAGRAPH == 0:
            paragraphs.append([])
        paragraphs[-1].extend([main, *rest])
        prev = event
    victims = [names.of(f.subject_id) for e in events for f in e.effects if f.kind == "killed"]
    if victims:
        paragraphs[-1].append(
            pick(
                ("So {v} passed out of the tale.", "And {v} would walk the world no more."),
                sid,
                turn,
                "coda",
            ).format(v=join(victims))
        )
    return [" ".join(p) for p in paragraphs]


def _detailed(ctx: StoryContext, turn: int, events: Sequence[EventView], names: Names) -> list[str]:
    places: list[str] = []
    for event in events:
        if event.location and event.location not in places:
            places.append(event.location)
    actors = [e.actor_name for e in events if e.actor_id != DIRECTOR_ID]
    intro = f"Turn {turn} of {ctx.turns_total}" if ctx.turns_total else f"Turn {turn}"
    intro += f" saw {len(actors)} deed{'s' * (len(actors) != 1)}"
    intro += f" at {join(places)}." if places else "."
    paragraphs = [intro]
    for event in events:
        key = (ctx.variety_key, event.turn, event.sequence)
        grounded = event.action in ("move", "flee") or event.target_name == event.location
        prefix = (
            ""
            if grounded or not event.location or event.actor_id == DIRECTOR_ID
            else (f"At {event.location}, ")
        )
        main, rest = render_event(event, names, "detailed", key, prefix)
        roll = roll_sentence(event, names, key)
        paragraphs.append(" ".join(x for x in (main, roll, *rest) if x))
    return paragraphs


def _concise(ctx: StoryContext, events: Sequence[EventView], names: Names) -> list[str]:
    sentences: list[str] = []
    for event in events:
        main, rest = render_event(
            event, names, "concise", (ctx.variety_key, event.turn, event.sequence)
        )
        sentences.extend([main, *rest])
    return [" ".join(sentences)]


def _quiet(ctx: StoryContext, turn: int, style: str) -> str:
    setting = " ".join(ctx.setting.split()).rstrip(".") or "the world"
    options = {
        "epic": (f"The {ordinal(turn)} turn came and went, and nothing stirred across {setting}.",),
        "detailed": (f"Turn {turn} passed without a single deed recorded.",),
        "concise": ("Nothing stirred; the turn passed in silence.",),
    }[style]
    return pick(options, ctx.variety_key, turn, "quiet")


def write_chapter(ctx: StoryContext, turn: int, events: Sequence[EventView]) -> Chapter:
    """The chapter for one turn; its number is the turn."""
    style = style_of(ctx)
    ordered = sorted(events, key=lambda e: e.sequence)  # stable for equal sequences
    names = Names.gather(ctx.participants, ordered)
    title = chapter_title(ordered, names, (ctx.variety_key, turn, "title"))
    if not ordered:
        return Chapter(number=turn, title=title, text=_quiet(ctx, turn, style))
    if style == "epic":
        paragraphs = _epic(ctx, turn, ordered, names)
    elif style == "detailed":
        paragraphs = _detailed(ctx, turn, ordered, names)
    else:
        paragraphs = _concise(ctx, ordered, names)
    return Chapter(number=turn, title=title, text="\n\n".join(p for p in paragraphs if p))
