"""How the prose names people and places: in full the first time in a chapter, then
the way a reader would, by a short name ("Okafor", "Zara") or a short place ("the
docks" for "the docks of Port Calder").

A short form is used only when no one else in the story shares it, so it never makes
two people one. Names is stateful on purpose: it remembers who has been named in the
chapter it is writing, and a chapter is written in text order.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence

from .model import DIRECTOR_ID, EventView, Participant

# "the docks of Port Calder" -> "the docks"; "the landing site on Veyra" -> "the landing site".
_PLACE_TAIL = re.compile(r"^(the [a-z' -]+?) (?:of|on|in|at) (?:the )?[A-Z][\w' -]*$")


def first_name(full: str) -> str:
    """The name a reader would use: the first word, or the surname after a title
    ("Dr. Ilan Okafor" -> "Okafor")."""
    parts = full.split()
    if not parts:
        return full
    return parts[-1] if parts[0].endswith(".") else parts[0]


# Where a find's name turns from what it is to what is on it, in it or done to it.
_THING_TAIL = frozenset((
    "on", "with", "of", "in", "from", "by", "into", "under", "above", "inside", "that", "nobody",
    "half", "chalked", "lined", "scrawled", "inked", "stamped", "dropped", "opened", "forced",
    "marked", "repeating", "signed", "burned", "cut", "wired", "stiff", "snapped", "split",
    "stoppered", "carved", "torn", "sealed", "swollen", "filed", "made", "scratched",
))  # fmt: skip


_VAGUE = frozenset(("twist", "row", "piece", "scrap", "bit", "set", "handful", "pair", "sheet",
                    "book", "part", "sort", "kind", "line"))  # fmt: skip


@functools.lru_cache(maxsize=1024)  # the same few finds, every chapter
def short_thing(name: str) -> str:
    """A find the reader has met, named as one names a thing already known: "a lipstick
    note on a napkin" -> "the lipstick note", "a map of the hidden cistern" -> "the map of
    the hidden cistern" (one word alone would say too little), "half a photograph" as is."""
    words = name.split()
    if len(words) < 2 or words[0].lower() not in ("a", "an"):
        return name
    body = words[1:]
    cut = next((i for i, w in enumerate(body) if w in _THING_TAIL), len(body))
    # One word alone is enough for a thing ("the wrench"), not for a measure of one
    # ("the twist" of poison paper).
    alone = cut == 1 and body[0].lower() not in _VAGUE
    kept = body[:cut] if cut >= 2 or alone else body
    if kept[-1].endswith("'s") or kept[-1].lower() in _VAGUE:  # "the steward's", "the
        kept = body  # poisoner's twist" say whose, or how much, not what
    return "the " + " ".join(kept)


@functools.lru_cache(maxsize=1024)  # the same few places, every chapter
def short_place(place: str) -> str:
    match = _PLACE_TAIL.match(place)
    return match.group(1) if match else place


# A place's head noun stands for it once it has been named: "the keep" for "the old keep",
# "the crypt" for "the crypt beneath the keep", "the club" for "the Blue Lantern club".
# Not for heads too vague to name a place alone ("the room" for "the engine room").
_RELATION = re.compile(r" (?:beneath|under|below|above|behind|beyond|of|on|in|at|by) ")
_VAGUE_HEADS = frozenset({"room", "house", "sea", "site", "place", "side", "area", "spine"})


@functools.lru_cache(maxsize=1024)
def place_alias(place: str) -> str:
    """The head noun of a place ("the club"), or its short form when it has none."""
    short = short_place(place)
    head = _RELATION.split(short, maxsplit=1)[0]
    words = head.split()
    if len(words) < 2 or words[0] != "the" or words[-1] in _VAGUE_HEADS:
        return short
    return f"the {words[-1]}"


def _unique_shorts(full: Mapping[str, str], people: Sequence[str]) -> dict[str, str]:
    shorts = {ident: first_name(full[ident]) for ident in people if ident in full}
    counts: dict[str, int] = {}
    for s in shorts.values():
        counts[s] = counts.get(s, 0) + 1
    return {i: s for i, s in shorts.items() if counts[s] == 1 and s != full[i]}


class Names:
    """Names by id; `of` gives the full name at its first mention, the short one after."""

    def __init__(self, by_id: Mapping[str, str], people: Sequence[str] | None = None) -> None:
        """`people` are the ids that get a short name (characters, not places); all of
        `by_id` when not given."""
        self.by_id = dict(by_id)
        self._people = frozenset(self.by_id if people is None else people)
        self._short = _unique_shorts(self.by_id, sorted(self._people))
        self._named: set[str] = set()
        self._places: dict[str, int] = {}  # place -> times named in this chapter
        self._places_known = False  # after the first chapter, places go by short forms
        self._aliases: dict[str, str] = {}
        self._pronouns: dict[str, str] = {}
        self._leads: dict[str, tuple[str, ...]] = {}
        self._things: set[str] = set()  # finds told in this chapter

    def full(self, ident: str, fallback: str = "") -> str:
        return self.by_id.get(ident) or fallback or ident

    def short(self, ident: str, fallback: str = "") -> str:
        return self._short.get(ident) or self.full(ident, fallback)

    def of(self, ident: str, fallback: str = "") -> str:
        if ident in self._named:
            return self.short(ident, fallback)
        self._named.add(ident)
        return self.full(ident, fallback)

    def introduce(self, idents: Sequence[str]) -> None:
        """Count these people as named already (the opening introduced them in full)."""
        self._named.update(idents)

    def named(self, ident: str) -> bool:
        return ident in self._named

    def shorten_repeats(self, text: str) -> str:
        """`text` with every person's full name after its first occurrence replaced by
        the short one: for text written out of order, such as a summary."""
        for ident, short in sorted(self._short.items()):
            full = self.by_id[ident]
            first = text.find(full)
            if first >= 0:
                head, tail = text[: first + len(full)], text[first + len(full) :]
                text = head + re.sub(rf"\b{re.escape(full)}\b", short, tail)
        return text

    def set_pronouns(self, pronouns: Mapping[str, str]) -> None:
        self._pronouns = {i: p for i, p in pronouns.items() if p in ("she", "he")}
        # Each person's name forms followed by a space, as a sentence would start.
        self._leads = {
            i: tuple(f + " " for f in (self.full(i), self._short.get(i, "")) if f)
            for i in self._pronouns
        }

    def pronoun(self, ident: str) -> str:
        """ "she" or "he" when the character's sheet gives it, else "" (their name)."""
        return self._pronouns.get(ident, "")

    def with_pronouns(self, sentences: Sequence[str]) -> list[str]:
        """Sentences of one paragraph where one that starts with the person the sentence
        before was about, and only about, starts with "She" or "He" instead. Only for a
        pronoun the character's sheet gives; a group ("Zara and Kade") keeps its names."""
        out = list(sentences)
        if not self._pronouns:
            return out
        for i in range(1, len(out)):
            for ident, pronoun in self._pronouns.items():
                lead = next((f for f in self._leads[ident] if out[i].startswith(f)), "")
                if not lead or out[i][len(lead) :].startswith("and "):
                    continue
                if self._only_mentions(sentences[i - 1], ident):  # as written, before "She"
                    out[i] = pronoun.capitalize() + out[i][len(lead) - 1 :]
                break
        return out

    def _only_mentions(self, text: str, ident: str) -> bool:
        """Whether `ident` is the only person `text` names. Full names are taken out
        first, so "Kade" inside "Zara Kade" is not Kade Orr."""
        found = set()
        people = sorted(self._people, key=lambda i: (-len(self.by_id.get(i, "")), i))
        for other in people:
            full = self.by_id.get(other, "")
            if full and full in text:
                found.add(other)
                text = text.replace(full, "\x00")
        for other in people:
            short = self._short.get(other, "")
            if short and re.search(rf"\b{re.escape(short)}\b", text):
                found.add(other)
        return found == {ident}

    def after_lead(self, text: str) -> str:
        """A sentence to follow a leading phrase ("At the docks, "): lower-cased unless it
        starts with a person's name."""
        forms = [*self.by_id.values(), *self._short.values()]
        if any(text.startswith(f) for f in forms if f):
            return text
        return text[:1].lower() + text[1:]

    def is_person(self, ident: str) -> bool:
        return ident in self._people

    def shorten_in(self, text: str) -> str:
        """`text` with the full names of people already named replaced by short ones."""
        for ident in sorted(self._named, key=lambda i: (-len(self.by_id.get(i) or i), i)):
            short = self._short.get(ident)
            if short and ident in self.by_id and self.by_id[ident] in text:
                text = text.replace(self.by_id[ident], short)
        return text

    def introduce_places(self) -> None:
        """Every place is met by now: the first mention in a chapter may be short."""
        self._places_known = True

    def know_places(self, places: Sequence[str]) -> None:
        """The places of the chapter: each gets its head noun as an alias, unless another
        place would answer to it too."""
        aliases = {p: place_alias(p) for p in dict.fromkeys(places) if p}
        taken = [*aliases.values(), *(short_place(p) for p in aliases)]
        self._aliases = {
            p: a
            for p, a in aliases.items()
            if a != short_place(p)
            and taken.count(a) == 1
            and not any(a in other for other in aliases if other != p)
        }

    def place(self, place: str) -> str:
        """A place in full the first time, then by turns its short form and its head noun."""
        seen = self._places.get(place, 0)
        self._places[place] = seen + 1
        if not seen:
            # After the first chapter the reader knows the places: "the piers", not again
            # "the piers of Port Calder".
            return short_place(place) if self._places_known else place
        if seen % 2 == 0 and place in self._aliases:
            return self._aliases[place]
        return short_place(place)

    def again(self, thing: str) -> bool:
        """Whether `thing` (a find) was already told in this chapter; it is told now."""
        told = thing in self._things
        self._things.add(thing)
        return told

    def place_forms(self, place: str) -> tuple[str, ...]:
        """Every way the prose may name `place`."""
        return (place, short_place(place), self._aliases.get(place, place))

    @staticmethod
    def gather(participants: Sequence[Participant], events: Sequence[EventView]) -> Names:
        found = {p.id: p.name for p in participants if p.name}
        people = [p.id for p in participants]
        for event in events:
            if event.actor_name:
                found.setdefault(event.actor_id, event.actor_name)
                if event.actor_id != DIRECTOR_ID and event.actor_id not in people:
                    people.append(event.actor_id)
            if event.target_id and event.target_name:
                found.setdefault(event.target_id, event.target_name)
        names = Names(found, people)
        names.know_places(
            [e.location for e in events]
            + [e.target_name for e in events if e.target_id and e.target_id not in people]
        )
        return names
