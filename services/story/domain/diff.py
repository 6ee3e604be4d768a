"""Where two stories part (two branches of a run): pure, on chapters alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .model import Chapter


@dataclass(frozen=True)
class ChapterPair:
    number: int
    a: Chapter | None  # None: that story has no such chapter
    b: Chapter | None


def _same(a: Chapter | None, b: Chapter | None) -> bool:
    if a is None or b is None:
        return a is b
    return (a.title, a.text, a.paragraph_events) == (b.title, b.text, b.paragraph_events)


def parting(a: Sequence[Chapter], b: Sequence[Chapter]) -> tuple[int, tuple[ChapterPair, ...]]:
    """The first chapter number whose chapters differ (0: none does), and every chapter
    pair from there on, in order."""
    left = {c.number: c for c in a}
    right = {c.number: c for c in b}
    numbers = sorted(left.keys() | right.keys())
    first = next((n for n in numbers if not _same(left.get(n), right.get(n))), 0)
    if not first:
        return 0, ()
    return first, tuple(ChapterPair(n, left.get(n), right.get(n)) for n in numbers if n >= first)
