"""The title, the opening and the closing of a story."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from .model import DIRECTOR_ID, EventView, Participant, StoryContext, style_of
from .naming import Names, short_place, short_thing
from .tally import Bond, Tally, tally
from .variety import cap, cycle, indefinite, join, lower_first, ordinal, pick, sentence, title_case

# Nouns a scenario is likely to be "about"; the first one found names the story.
_FOCUS = frozenset(
    (
        "signal", "beacon", "relic", "crown", "signet", "curse", "murder", "heist", "treasure",
        "archive", "reactor", "storm", "artifact", "station", "wreck", "map", "secret", "prophecy",
        "throne", "dragon", "plague", "sickness", "mutiny", "rebellion", "war", "truce", "ghost",
        "bomb", "vault", "code", "key", "ledger", "letter", "expedition", "survey",
        "disappearance", "conspiracy", "hunt", "siege", "ritual", "gate", "portal", "tower",
        "machine", "colony", "outbreak", "cargo", "fire", "flood",
    )
)  # fmt: skip


def scenario_focus(ctx: StoryContext) -> str:
    """The noun the scenario is about ("Signal"), or ""."""
    return _focus_of(ctx.scenario)


@functools.lru_cache(maxsize=256)  # read for every chapter of a story
def _focus_of(scenario: str) -> str:
    for word in "".join(c if c.isalpha() else " " for c in scenario.lower()).split():
        if word in _FOCUS:
            return word.capitalize()
        if word.endswith("s") and word[:-1] in _FOCUS:
            return word[:-1].capitalize()
    return ""


def _setting_name(ctx: StoryContext) -> str:
    """The setting as a title: its proper name if it has one ("Veyra")."""
    words = ctx.setting.strip().rstrip(".").split()
    proper = [w for i, w in enumerate(words) if i and w[:1].isupper()]
    if proper:
        return " ".join(proper)
    if words and words[0].lower() in ("a", "an", "the"):
        return "the " + title_case(" ".join(words[1:]))
    return title_case(" ".join(words))


def _names_for_title(ctx: StoryContext) -> list[str]:
    """Two of the cast, chosen by the request, by the names a reader would use."""
    people = [p.name for p in ctx.participants if p.name]
    if len(people) <= 2:
        return people
    first = int(pick([str(i) for i in range(len(people))], ctx.variety_key, "lead"))
    rest = [n for i, n in enumerate(people) if i != first]
    return [people[first], pick(rest, ctx.variety_key, "second")]


def _short(name: str) -> str:
    parts = name.split()
    return parts[-1] if parts and parts[0].endswith(".") else parts[0] if parts else name


def _thing(name: str) -> str:
    """ "a blood-stained matchbook" -> "the Blood-Stained Matchbook"."""
    words = name.split()
    if words and words[0].lower() in ("a", "an", "the", "some"):
        words = words[1:]
    return "the " + "-".join(cap(p) for p in title_case(" ".join(words)).split("-"))


def _from_events(ctx: StoryContext, events: Sequence[EventView]) -> list[str]:
    """Titles named after what happened: the two who did most, with the find that
    mattered, a death, a betrayal, or the place where it ended."""
    names = Names.gather(ctx.participants, events)
    deeds: dict[str, int] = {}
    things: list[tuple[str, str]] = []  # (the find, where it was made)
    ending = ""
    dead: list[str] = []
    traitor = ""
    for e in events:
        if e.actor_id == DIRECTOR_ID:
            continue
        deeds[e.actor_id] = deeds.get(e.actor_id, 0) + 1
        for f in e.effects:
            if f.kind == "resolution" and e.location:
                ending = _the_title(title_case(short_place(e.location)))
            elif f.kind == "killed" and f.subject_id in names.by_id:
                dead.append(_short(names.full(f.subject_id)))
            elif f.kind == "reaction" and f.detail.startswith("betrayed"):
                traitor = traitor or _short(names.full(e.actor_id, e.actor_name))
            elif (
                f.kind == "clue_found"
                and len(things) < 2
                and _thing(f.detail) not in [t for t, _ in things]
            ):
                spot = _the_title(title_case(short_place(e.location))) if e.location else ""
                things.append((_thing(f.detail), spot))
    ranked = sorted(deeds, key=lambda i: (-deeds[i], i))
    # The lead is who did most; the second is who the lead dealt with most.
    partners: dict[str, int] = {}
    for e in events:
        if ranked and e.target_id in deeds and ranked[0] in (e.actor_id, e.target_id):
            other = e.target_id if e.actor_id == ranked[0] else e.actor_id
            if other != ranked[0]:
                partners[other] = partners.get(other, 0) + 1
    second = sorted(partners, key=lambda i: (-partners[i], i))[:1] or ranked[1:2]
    cast = [_short(names.full(i)) for i in [*ranked[:1], *second]]
    if not cast:
        return []
    a, b = cast[0], cast[-1]
    pair = f"{a} and {b}" if a != b else a
    where = _setting_name(ctx)
    at = (" in " if " " in where else " on ") + where if where else ""
    shapes: list[str] = []
    hours = _count(len({e.turn for e in events}))
    span = f"{hours} Hours{at}" if hours else where
    duo = f"{a}, {b}" if a != b else a
    for thing, spot in things[:1]:
        shapes += [f"{duo} and {thing}", f"{cap(thing)}: {span}" if span else cap(thing)]
        if spot and hours:
            shapes.append(f"{pair}: {hours} Hours at {spot}")
    if ending and not shapes:
        shapes += [f"{pair} at {ending}", f"{a}'s Road to {ending}" + (f": {span}" if span else "")]
    for d in dead[:1]:
        shapes += [
            f"The Death of {d}" + (f": {span}" if span else ""),
            f"{a}, {b} and the Death of {d}" if d not in cast else f"{pair}: A Death{at}",
        ]
    if traitor:
        shapes += [f"{traitor}'s Betrayal{at}", f"The Betrayal of {b if traitor == a else a}"]
    if not shapes and span:
        shapes.append(f"{pair}: {span}")
    return shapes


_COUNTS = (
    "One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven",
    "Twelve", "Thirteen", "Fourteen", "Fifteen", "Sixteen", "Seventeen", "Eighteen",
    "Nineteen", "Twenty",
)  # fmt: skip


def _count(n: int) -> str:
    """A small count in words for a title ("Eleven"); "" past twenty or for one."""
    return _COUNTS[n - 1] if 2 <= n <= len(_COUNTS) else ""


def _the_title(place: str) -> str:
    return "the" + place[3:] if place.startswith("The ") else place


def write_title(ctx: StoryContext, events: Sequence[EventView] | None = None) -> str:
    """From the story's own names: the cast, the setting's proper name, what the
    scenario is about; and, when the run's `events` are given, from what happened in
    it (a find, a death, a betrayal, the end). Chapter titles are named after events."""
    style = "detailed" if style_of(ctx) == "log" else style_of(ctx)
    if events:
        found = _from_events(ctx, events)
        if found:
            title = pick(found, ctx.variety_key, len(events), "title")
            return (
                f"The Saga of {title}" if style == "epic" and not title.startswith("The ")
                else title
            )  # fmt: skip
    focus, place = scenario_focus(ctx), _setting_name(ctx)
    cast = [_short(n) for n in _names_for_title(ctx)]
    who = " and ".join(cast)
    shapes: list[str] = []
    if cast and focus:
        shapes += [f"{who} and the {focus}", f"{cast[0]}'s {focus}", f"The {focus} and {who}"]
    if cast and place:
        shapes += [f"{who} on {place}" if " " not in place else f"{who} in {place}",
                   f"{cast[-1]} of {place}", f"What {cast[0]} Found in {place}"]  # fmt: skip
    if focus and place:
        shapes += [f"The {focus} of {place}"]
    if cast and not shapes:
        shapes += [f"{who}", f"The Company of {cast[0]}", f"{cast[0]}'s Reckoning",
                   f"What {who} Did"]  # fmt: skip
    if not shapes:
        shapes = ["A Tale Untold"]
    title = pick(shapes, ctx.variety_key, "title")
    return f"The Saga of {title}" if style == "epic" and not title.startswith("The ") else title


def _the(faction: str) -> str:
    return faction if faction.lower().startswith("the ") else f"the {faction}"


def _factions(people: Sequence[Participant]) -> list[tuple[str, list[Participant]]]:
    groups: list[tuple[str, list[Participant]]] = []
    for p in people:
        for faction, members in groups:
            if faction == p.faction:
                members.append(p)
                break
        else:
            groups.append((p.faction, [p]))
    return groups


def _setting_sentence(ctx: StoryContext, style: str) -> str:
    setting = " ".join(ctx.setting.split())
    if not setting:
        return ""
    if setting.endswith(".") or len(setting.split()) > 14:
        return sentence(setting)
    framing = {
        "epic": ("Hear now a tale of {s}.", "Long will they tell the tale of {s}."),
        "detailed": (
            "This account concerns {s}.",
            "What follows happened in {s}.",
            "The story is set in {s}.",
            "This is a record of {s}.",
            "These events took place in {s}.",
            "It began in {s}.",
            "The place was {s}.",
            "Here is what came to pass in {s}.",
            "This is an account of some hard hours in {s}.",
            "Picture {s}.",
        ),
        "concise": ("This is a tale of {s}.",),
    }[style]
    return pick(framing, ctx.variety_key, "setting").format(s=setting)


def _introduce(p: Participant, style: str) -> str:
    role = lower_first(p.role.strip())
    if style == "epic":
        return f"{p.name} the {role}" if role else p.name
    if role and p.faction:
        return f"{p.name}, {role} of {_the(p.faction)}"
    if role:
        return f"{p.name}, {indefinite(role)}"
    return f"{p.name} of {_the(p.faction)}" if p.faction else p.name


def _cast(items: Sequence[str]) -> str:
    # Descriptions carry commas, so three or more are separated by semicolons.
    if any("," in i for i in items) and len(items) > 2:
        return "; ".join(items[:-1]) + "; and " + items[-1]
    if len(items) == 2 and "," in items[0]:
        return f"{items[0]}, and {items[1]}"
    return join(items)


_ONE = (
    "{name} was {role} of {f}.", "{name}, {role}, had come on behalf of {f}.",
    "{F} had sent {name}, {role}.", "{name} served {f} as {role}.",
    "For {f} there was {name}, {role}.", "{name}, {role}, answered to {f}.",
    "{name} was there for {f}, {role} by trade.", "{F} was represented by {name}, {role}.",
    "{name}, {role}, carried the interests of {f}.", "{name} spoke for {f}; {role} by calling.",
    "Of {f}, only {name} had come: {role}.", "{name} had taken {f}'s coin; {role}.",
)  # fmt: skip
_MANY = (
    "{F} had sent {list}.", "From {f} came {list}.", "{F} was there in force: {list}.",
    "Of {f} there were {list}.", "With {f} came {list}.", "{F} had put their trust in {list}.",
    "{F} counted on {list}.", "Under the banner of {f} stood {list}.",
    "{F} had its own people there: {list}.", "For {f}, {list} had made the journey.",
)  # fmt: skip
_LONE = (
    "{name} was {role} with no allegiance to speak of.", "{name}, {role}, served no one.",
    "{name} was {role} and answered to nobody.", "{name}, {role}, had come alone.",
    "{name}, {role}, kept to no side.", "Nobody had sent {name}, {role}.",
)  # fmt: skip


def _member(name: str, role: str, key: tuple[object, ...]) -> str:
    """One of a faction's people with their calling, said one of a few ways ("Rhea Voss,
    a pilot", "Rhea Voss, a pilot by trade", "the pilot Rhea Voss")."""
    if not role:
        return name
    shapes = ["{n}, {a}", "{n}, {a}", "{n}, {a} by trade"]
    if "(" not in role and " and " not in role and len(role.split()) <= 2:
        shapes.append("the {r} {n}")
    return pick(shapes, *key, "member").format(n=name, a=indefinite(role), r=role)


def _faction_line(faction: str, members: Sequence[Participant], key: tuple[object, ...]) -> str:
    """One sentence for the members of a faction: "The Survey Corps had sent Elena
    Marsh, a medic, and Tess, a prototype android"."""
    roles = [lower_first(p.role.strip()) for p in members]
    if not faction:
        out = []
        for p, role in zip(members, roles, strict=True):
            template = pick(_LONE, *key, p.id) if role else "{name} was also there."
            out.append(template.format(name=p.name, role=indefinite(role) if role else ""))
        return " ".join(out)
    f = _the(faction)
    if len(members) == 1:
        if not roles[0]:
            return f"{members[0].name} stood with {f}."
        template = cycle(_ONE, int(key[-1]) if isinstance(key[-1], int) else 0, key[0], "one")
        return cap(template.format(name=members[0].name, role=indefinite(roles[0]), f=f, F=cap(f)))
    who = [_member(p.name, r, (*key, p.id)) for p, r in zip(members, roles, strict=True)]
    template = pick(_MANY, *key, "many")
    return cap(template.format(list=_cast(who), f=f, F=cap(f)))


def write_opening(ctx: StoryContext) -> str:
    log = style_of(ctx) == "log"
    style = "detailed" if log else style_of(ctx)
    key = ctx.variety_key
    scene = " ".join(x for x in (_setting_sentence(ctx, style), sentence(ctx.scenario)) if x)
    people = list(ctx.participants)
    if style == "concise":
        cast = (
            f"Its people are {_cast([_introduce(p, style) for p in people])}."
            if people
            else "No one has yet stepped into it."
        )
        return " ".join(x for x in (scene, cast) if x)

    if style == "epic":
        lines = []
        for faction, members in _factions(people):
            who = join([_introduce(p, style) for p in members])
            lines.append(
                f"From {_the(faction)} came {who}." if faction else f"And walking alone came {who}."
            )
        coda = pick(
            ("None of them knew how the tale would end.", "Their paths were about to cross."),
            key,
            "coda",
        )
        fate = "Fate would not allow them long." if ctx.turns_total > 0 else ""
        first = " ".join(x for x in (scene, fate) if x)
        return "\n\n".join(x for x in (first, " ".join([*lines, coda])) if x)

    # detailed: the cast by faction, a sentence for each, worded by the story.
    lines = [
        _faction_line(faction, members, (key, n)) for n, (faction, members) in
        enumerate(_factions(people))
    ]  # fmt: skip
    span = (
        f"The record covers {ctx.turns_total} turns, one chapter for each."
        if ctx.turns_total > 0 and log
        else ""
    )
    # A large cast meets the reader a faction at a time, not in one wall of names.
    joint = "\n\n" if len(people) > 3 else " "
    cast = joint.join(lines) if lines else "No participants were recorded."
    return "\n\n".join(x for x in (" ".join(x for x in (scene, span) if x), cast) if x)


# -- closing --


_BOTH_STOOD = (
    "When the last turn ended, all of them still stood: {w}.", "{w} lived to see the end.",
    "None of them fell: {w} were alive when it ended.", "{w} came out of it alive.",
    "At the end, {w} were still standing.", "{w} were alive when it was done.",
)  # fmt: skip
_SOME_FELL = (
    # The survivors first: a killer among them is named in full before the deed.
    "When it was over, {a} {v} still standing, but {f}.",
    "{a} {v} still alive at the end, but {f}.",
    "{a} still lived when it was done, but {f}.", "At the end {a} {v} still there, but {f}.",
)  # fmt: skip
_ALL_STOOD = (
    "When the last turn ended, all {n} of them still stood.",
    "All {n} of them lived to see the end of it.",
    "None of the {n} had fallen when it ended.",
    "When it was over, all {n} were still on their feet.",
    "The {n} of them had all made it through.", "Every one of the {n} was alive at the end.",
    "Death had passed over all {n} of them.", "All {n} walked out of it alive.",
)  # fmt: skip


def _fates(t: Tally, style: str) -> str:
    alive = t.survivors
    falls = [f"{f.name} {_cause(f.cause, style)}" for f in t.fallen]
    if not t.fallen:
        if not alive:
            return "No one had come to this story, and no one left it."
        if len(alive) == 1:
            return f"When the last turn ended, {alive[0]} still stood."
        if len(alive) <= len(_COUNTS) and len(alive) > 2:  # the names were just told
            count = _COUNTS[len(alive) - 1].lower()
            return pick(_ALL_STOOD, t.names.full(t.order[0]), len(alive)).format(n=count)
        return pick(_BOTH_STOOD, *alive, "stood").format(w=join(alive))
    if not alive:
        return f"In the end, none of them survived: {join(falls)}."
    verb = "was" if len(alive) == 1 else "were"
    shape = pick(_SOME_FELL, *alive, "fell")
    return shape.format(a=join(alive), v=verb, f=join(falls))


def _cause(cause: str, style: str) -> str:
    verb = "had been slain" if style == "epic" else "had been killed"
    cause = cause.strip()
    if not cause:
        return verb
    linked = cause.split(" ")[0].lower() in ("by", "in", "at", "when", "during", "while")
    return f"{verb} {cause}" if linked else f"{verb} by {cause}"


_BOND_SHAPES = {
    "deep": ("{h} had come to trust {o} deeply.",
             "By the end {h} would have followed {o} anywhere.",
             "{h} had found in {o} someone to rely on.",
             "{h} now trusted {o} without reservation.", "{h} owed {o} more than a thank-you.",
             "{o} had earned {h}'s trust for good.", "{h} would vouch for {o} to anyone."),
    "warm": ("{h} ended on warmer terms with {o}.", "{h} thought better of {o} than at the start.",
             "{h} and {o} parted on easier terms, at least on {h}'s side.",
             "{h} had begun to like {o}.", "{h} had warmed to {o}.",
             "{o} had risen in {h}'s estimation.", "{h} no longer minded {o}'s company."),
    "bitter": ("{h} ended on bitter terms with {o}.", "{h} would not forgive {o}.",
               "{h} had nothing left for {o} but contempt.", "{h} counted {o} an enemy now.",
               "{h} would never again turn a back on {o}.",
               "{h} wanted nothing more to do with {o}."),
    "wary": ("{h} had grown wary of {o}.", "{h} no longer quite trusted {o}.",
             "{h} kept an eye on {o} after that.", "{h} had doubts about {o} by the end.",
             "{h} had begun to wonder about {o}.", "{o} had given {h} reason to be careful."),
}  # fmt: skip


_MUTUAL = {
    "deep": ("had come to trust each other deeply", "would have gone anywhere together now",
             "had become true friends", "had each other's backs from then on"),
    "warm": ("ended on warmer terms", "got on better than at the start",
             "had grown easier with each other", "parted as something like friends"),
    "bitter": ("ended as enemies", "could no longer stand each other",
               "parted in open hostility", "would not share a room again"),
    "wary": ("had grown wary of each other", "eyed each other with new suspicion",
             "kept a careful distance after that", "no longer took each other on trust"),
}  # fmt: skip


def _bond(b: Bond, style: str, n: int = 0) -> str:
    if style == "log":
        feeling = "warmer" if b.change > 0 else "colder"
        return f"{b.holder}'s trust in {b.other} moved by {b.change:+.2f}, ending {feeling}."
    kind = (
        "deep" if b.change >= 0.3 else "warm" if b.change > 0
        else "bitter" if b.change <= -0.3 else "wary"
    )  # fmt: skip
    return cycle(_BOND_SHAPES[kind], n, b.holder, b.other).format(h=b.holder, o=b.other)


def _bonds(bonds: Sequence[Bond], style: str) -> list[str]:
    """A bond told once for both when it went the same way for both."""
    out: list[str] = []
    told: set[tuple[str, str]] = set()
    for b in bonds:
        if (b.holder, b.other) in told:
            continue
        back = next((x for x in bonds if (x.holder, x.other) == (b.other, b.holder)), None)
        if style != "log" and back is not None and (back.change > 0) == (b.change > 0):
            told.add((b.other, b.holder))
            kind = (
                "deep" if min(b.change, back.change) >= 0.3 else "warm" if b.change > 0
                else "bitter" if max(b.change, back.change) <= -0.3 else "wary"
            )  # fmt: skip
            feeling = pick(_MUTUAL[kind], b.holder, b.other, "mutual")
            out.append(f"{b.holder} and {b.other} {feeling}.")
        else:
            out.append(_bond(b, style, len(out)))
    return out


def _discoveries(t: Tally, style: str, setting: str) -> str:
    if not t.finds:
        place = f"{setting} kept" if setting else "the world kept"
        return f"For all their searching, {place} its secrets."
    clues = [f.clue for f in t.finds]
    if style == "concise":
        return f"Between them they had uncovered {join(clues)}."
    if style == "epic":
        deeds = [f"{f.finder} brought {f.clue} to light" if f.finder else f"{f.clue} came to light"
                 for f in t.finds]  # fmt: skip
        return sentence(join(deeds)) + " Such were the secrets that came to light."
    by_finder: dict[str, list[str]] = {}
    for f in t.finds:  # the chapters told each in full: here they go by their short names
        by_finder.setdefault(f.finder, []).append(short_thing(f.clue))
    return " ".join(
        cycle(_FOUND_BY, n, setting, "found").format(who=finder, what=join(clues)) if finder
        else f"{cap(join(clues))} had come to light."
        for n, (finder, clues) in enumerate(by_finder.items())
    )  # fmt: skip


_SCARRED = (
    "carried scars out of it", "came out of it badly hurt", "bore deep wounds by the end",
    "paid for it in blood", "would wear the scars for years",
)  # fmt: skip
_MENDED = (
    ", though patched up", ", though the wounds were dressed", ", bandaged as well as could be",
    ", though someone saw to the wounds",
)  # fmt: skip
_NO_SCRATCH = (
    "Not one of them had taken so much as a scratch.", "Nobody had so much as a bruise.",
    "Their luck had held: none of them was hurt.", "Not a drop of their blood had been spilled.",
)  # fmt: skip
_UNHARMED = (
    "{w} came through unharmed.", "{w} got away without a scratch.",
    "{w} came out of it untouched.", "Whatever else, {w} came out whole.",
)  # fmt: skip
_STEADY = (
    "Relationships held more or less steady.", "Nobody changed sides.", "Old loyalties held.",
    "No friendships were made or lost.", "Their feelings stayed where they were.",
    "Trust neither grew nor broke.",
)  # fmt: skip
_FOUND_BY = (
    "{who} had uncovered {what}.", "It was {who} who had turned up {what}.",
    "{who} had dug out {what}.", "Thanks to {who}, {what} had come to light.",
    "{who} had found {what}.", "{who} came away knowing of {what}.",
    "To {who} went the credit for {what}.", "{who} had brought {what} to light.",
)  # fmt: skip


def write_closing(ctx: StoryContext, chapters_events: Sequence[Sequence[EventView]]) -> str:
    """What the whole run came to: who stood and who fell, the wounds, the finds and
    the bonds; people in full the first time, by their short names after."""
    names = Names.gather(ctx.participants, [e for chapter in chapters_events for e in chapter])
    return names.shorten_repeats(_closing(ctx, chapters_events))


def _closing(ctx: StoryContext, chapters_events: Sequence[Sequence[EventView]]) -> str:
    log = style_of(ctx) == "log"
    style = "detailed" if log else style_of(ctx)
    t = tally(ctx, chapters_events)
    setting = " ".join(ctx.setting.split()).rstrip(".")
    bonds = _bonds(t.strongest_bonds(1 if style == "concise" else 3), "log" if log else style)
    if style == "concise":
        return " ".join([_fates(t, style), _discoveries(t, style, setting), *bonds])

    if style == "epic":
        ending = pick(
            ("Thus ends the chronicle.", "And there, for now, the tale falls silent."),
            ctx.variety_key,
            "ending",
        )
        falls = " ".join(
            f"{f.name} fell in the {ordinal(f.turn)} turn, never to rise." for f in t.fallen
        )
        first = " ".join(x for x in (_fates(t, style), falls) if x)
        last = " ".join([*bonds, ending])
        return "\n\n".join((first, _discoveries(t, style, setting), last))

    wounds: list[str] = []
    unharmed: list[str] = []
    marked: dict[str, list[str]] = {}
    for ident in t.order:
        if ident in [f.id for f in t.fallen]:
            continue
        taken, mended = t.damage.get(ident, 0), t.healing.get(ident, 0)
        name = t.names.full(ident)
        if taken and log:
            healed = f" and recovered {mended}" if mended else ""
            wounds.append(f"{name} took {taken} damage in all{healed}.")
        elif taken:
            scars = pick(_SCARRED, t.order[0], ident, "scars") if taken >= 5 else pick(
                ("came out of it bruised", "came away battered", "left with a few hurts",
                 "nursed bruises by the end", "came out of it sore", "limped out of it",
                 "had cuts to show for it"), t.order[0], "bruised"
            )  # fmt: skip
            mend = pick(_MENDED, t.order[0], "mended") if mended else ""
            marked.setdefault(f"{scars}{mend}", []).append(name)
        else:
            unharmed.append(name)
    wounds += [f"{join(who)} {scars}." for scars, who in marked.items()]
    if unharmed and len(unharmed) == len(t.survivors) > 2:
        wounds.append(pick(_NO_SCRATCH, *t.order, "scratch"))
    elif unharmed:
        wounds.append(pick(_UNHARMED, *unharmed, "unharmed").format(w=join(unharmed)))
    deaths = " ".join(
        f"{f.name} {_cause(f.cause, style).replace('had been', 'was')}"
        + (f" in turn {f.turn}." if log else f" in the {ordinal(f.turn)} hour.")
        for f in t.fallen
    )
    relations = " ".join(bonds) if bonds else pick(_STEADY, *t.order, "steady")
    summary = (
        f"The record holds {t.deeds} deeds across {len(chapters_events)} turns." if log else ""
    )
    return "\n\n".join(
        x
        for x in (
            " ".join([_fates(t, style), *wounds]),
            deaths,
            _discoveries(t, style, setting),
            relations,
            summary,
        )
        if x
    )
