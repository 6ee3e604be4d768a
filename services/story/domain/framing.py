"""The frame of a chapter: the look of the places, the stakes, the tension of the hour,
the sentence that opens each pattern, and what came of goals and of the scenario."""

from __future__ import annotations

from .facts import TurnFacts
from .patterns import Pattern
from .render import Names
from .variety import cap, join, pick, sentence

_SCENE = (
    "At {place}, {detail}.", "{Detail} at {place}.", "Over {place}, {detail}.",
    "{Detail}; that was {place} now.",
)  # fmt: skip
_PHASE = {
    "peak": ("Everything was coming to a head.", "There was no more time to waste.",
             "Nobody could pretend any longer that there was time."),
    "relief": ("The worst, it seemed, had passed.", "For a while the pressure eased.",
               "A strange calm settled in."),
}  # fmt: skip
_LEADS = {
    "confrontation": ("It came to blows between {a} and {b}.", "{a} and {b} finally clashed.",
                      "There was no talking {a} down from {b}."),
    "betrayal": ("{b} learned what {a} was worth.", "{a} turned on {b}.",
                 "Trust between {a} and {b} broke."),
    "rescue": ("{a} would not let {b} fall.", "{b} was not left alone; {a} saw to that.",
               "{a} went to {b}'s aid."),
    "discovery": ("{a} found something.", "It was {a} who made the find.",
                  "{a}'s patience paid off."),
    "pursuit": ("{a} was on the move, and not idly.", "{a} would not stay put.",
                "{a} went after what mattered."),
    "parley": ("{a} and {b} talked.", "Words passed between {a} and {b}.",
               "{a} sought out {b}."),
    "resolution": ("It came down to {a}.", "Everything rested on {a} now.",
                   "{a} reached the heart of it."),
}  # fmt: skip
_EPIC_LEADS = {
    "confrontation": ("Then {a} and {b} met in wrath.",),
    "betrayal": ("Then came the treachery of {a}.",),
    "rescue": ("Yet {a} stood between {b} and the dark.",),
    "discovery": ("And {a} brought a secret out of hiding.",),
    "resolution": ("So the hour of {a} came.",),
}


def scene_lines(facts: TurnFacts, style: str, key: tuple[object, ...]) -> list[str]:
    if style == "concise" or not facts.scenes:
        return []
    place, detail = next(iter(facts.scenes.items()))
    template = pick(_SCENE, *key, "scene")
    return [template.format(place=place, detail=detail, Detail=cap(detail))]


def frame(facts: TurnFacts, style: str, key: tuple[object, ...]) -> list[str]:
    out: list[str] = []
    if facts.stakes is not None:
        s = facts.stakes
        out.append(
            sentence(f"Someone had to {s.objective}, and it lay at {s.place}")
            + f" If nobody did, {s.consequence}."
        )
    if facts.obstacle:
        out.append(sentence(pick(("Worse, {o}", "And now {o}", "Word spread that {o}"),
                                 *key, "ob").format(o=facts.obstacle)))  # fmt: skip
    if facts.phase in _PHASE and style != "concise":
        out.append(pick(_PHASE[facts.phase], *key, "phase"))
    return out


def pattern_lead(pattern: Pattern, names: Names, style: str, key: tuple[object, ...]) -> str:
    a = names.of(pattern.people[0])
    b = names.of(pattern.people[1]) if len(pattern.people) > 1 else ""
    table = _EPIC_LEADS if style == "epic" and pattern.kind in _EPIC_LEADS else _LEADS
    if not b or b == a or b.startswith("the ") or "{b}" not in pick(table[pattern.kind], *key):
        options = [t for t in table[pattern.kind] if "{b}" not in t] or ["{a} acted."]
        return pick(options, *key, "lead").format(a=a)
    return pick(table[pattern.kind], *key).format(a=a, b=b)


def goal_lines(facts: TurnFacts, names: Names, style: str, key: tuple[object, ...]) -> list[str]:
    out: list[str] = []
    won = [(names.of(w), g) for w, g, v in facts.goals if v > 0]
    lost = [(names.of(w), g) for w, g, v in facts.goals if v < 0]
    for n, (who, goal) in enumerate(won):
        out.append(pick(("{w} had done what {w} set out to do: {g}.",
                         "For {w}, one thing was settled: {g}, done."), *key, n, "won")
                   .format(w=who, g=goal[:1].lower() + goal[1:]))  # fmt: skip
    if lost:
        people = join([w for w, _ in lost])
        goals = join([g[:1].lower() + g[1:] for _, g in lost][:3])
        out.append(pick(("Some hopes came to nothing: {g} ({p}).",
                         "Not everything could be saved; {p} would not {g}."),
                        *key, "lost").format(g=goals, p=people))  # fmt: skip
    if facts.resolution is not None:
        what, verdict = facts.resolution
        if verdict > 0:
            out.append(sentence(pick(("In the end, {w}", "And so {w}", "At last {w}"),
                                     *key, "res").format(w=what)))  # fmt: skip
        else:
            out.append(sentence(pick(("Time ran out: {w}", "Nobody reached it in time, and {w}"),
                                     *key, "res").format(w=what)))  # fmt: skip
    return out
