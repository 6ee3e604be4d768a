"""Deterministic variety and small text helpers.

Phrasing is chosen by a CRC-32 of stable keys (never Python's salted hash()), so the
same inputs always give the same words.
"""

from __future__ import annotations

import functools
import zlib
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

_ORDINALS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth", "twentieth",
)  # fmt: skip
_SMALL = frozenset({"a", "an", "the", "of", "at", "in", "on", "and", "to", "for", "by"})


def pick(options: Sequence[str], *key: object) -> str:
    digest = zlib.crc32("\x1f".join(map(str, key)).encode("utf-8"))
    return options[digest % len(options)]


def cycle(options: Sequence[T], step: int, *key: object) -> T:
    """Like pick, but a run of steps (turns) walks through the options in turn from a
    start chosen by `key`: the same speaker in the next chapter says something else,
    where independent picks would repeat by chance."""
    digest = zlib.crc32("\x1f".join(map(str, key)).encode("utf-8"))
    return options[(digest + step) % len(options)]


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    return cap(text) if text[-1] in ".!?" else cap(text) + "."


def ordinal(n: int) -> str:
    if 1 <= n <= len(_ORDINALS):
        return _ORDINALS[n - 1]
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


_SINGULAR = frozenset(("is", "was", "has", "does", "seems", "keeps", "hides"))
_ARTICLES = frozenset(("a", "an", "the"))


def fold(first: str, second: str) -> str:
    """Two phrases that differ only in the middle, said once: "searched the docks for
    whatever was left" and "searched the quay for whatever was left" -> "searched the
    docks and the quay for whatever was left"; "" when they do not fold."""
    a, b = first.split(), second.split()
    p = 0
    while p < min(len(a), len(b)) and a[p] == b[p]:
        p += 1
    while p and a[p - 1].lower() in _ARTICLES:  # "the docks and the quay"
        p -= 1
    s = 0
    while s < min(len(a), len(b)) - p and a[-1 - s] == b[-1 - s]:
        s += 1
    if p < 1 or s < 2 or p + s >= min(len(a), len(b)) or a[len(a) - s].lower() in _SINGULAR:
        return ""
    return " ".join([*a[: len(a) - s], "and", *b[p : len(b) - s], *a[len(a) - s :]])


def join_alike(items: Sequence[str]) -> str:
    """Like `join`, but two phrases that differ only in the middle are said once."""
    return (fold(*items) if len(items) == 2 else "") or join(items)


def join(items: Sequence[str]) -> str:
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@functools.lru_cache(maxsize=1024)  # place and clue names come back every chapter
def title_case(text: str) -> str:
    words = text.split()
    return " ".join(
        w if (i and w.lower() in _SMALL) or w[:1].isupper() else cap(w) for i, w in enumerate(words)
    )


_DETERMINERS = frozenset(
    {"a", "an", "the", "some", "his", "her", "their", "my", "our", "its", "your", "this",
     "that", "these", "those", "one", "two", "three"}
)  # fmt: skip


def definite(name: str) -> str:
    """ "lockpicks" -> "the lockpicks"; leaves "a map", "Zara's knife" and names alone."""
    first = name.split(" ", 1)[0]
    if not first or first.lower() in _DETERMINERS or first[:1].isupper():
        return name
    return "the " + name


def indefinite(text: str) -> str:
    return ("an " if text[:1].lower() in "aeiou" else "a ") + text


def lower_first(text: str) -> str:
    """Lower-case a leading capital unless the word looks like a name or acronym."""
    first = text.split(" ", 1)[0]
    if len(first) > 1 and first[1:].islower():
        return text[:1].lower() + text[1:]
    return text
