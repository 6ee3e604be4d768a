"""Text measures: duplicates, templates, distinct-n, dialogue and mechanics numbers."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from .corpus import Story

_WORD = re.compile(r"[a-z0-9']+")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_QUOTE = re.compile(r"[“\"][^”\"]{2,}[”\"]")
# Numbers a narrative style must not show: checks, thresholds, deltas, damage points.
_MECHANICS = re.compile(r"\b\d+\b|[+-]\d*\.\d+")


_ABBREVIATIONS = ("Dr.", "Mr.", "Mrs.", "Ms.", "St.", "Capt.")


def split(block: str) -> list[str]:
    """Sentences of a paragraph. A quoted line and its speech tag stay one sentence, and
    an abbreviation such as "Dr." does not end one."""
    out: list[str] = []
    current: list[str] = []
    quoted = False
    for token in block.split():
        current.append(token)
        quoted ^= token.count('"') % 2 == 1
        ends = token[-1] in ".!?" or token.endswith(('."', '!"', '?"'))
        if ends and not quoted and token not in _ABBREVIATIONS and not token.endswith(',"'):
            out.append(" ".join(current))
            current = []
    if current:
        out.append(" ".join(current))
    return [s for s in out if len(s) > 1]


def sentences(story: Story) -> list[str]:
    """Prose sentences of the opening, the chapters and the closing (headings left out)."""
    blocks = [story.opening, *(c.text for c in story.chapters), story.closing]
    return [s for block in blocks for s in split(block)]


def template(sentence: str, names: Sequence[str]) -> str:
    """The sentence with names (characters and places) and numbers masked."""
    for name in names:
        sentence = sentence.replace(name, "<N>")
    return _NUMBER.sub("<#>", sentence)


def masks(story: Story) -> list[str]:
    places = list(story.first.locations)
    people = sorted(story.names, key=len, reverse=True)
    return [*people, *sorted(places, key=len, reverse=True)]


def repeats(items: Sequence[str]) -> float:
    """Share of items that already occurred earlier in the sequence."""
    if not items:
        return 0.0
    seen: set[str] = set()
    again = 0
    for item in items:
        again += item in seen
        seen.add(item)
    return again / len(items)


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def ngrams(tokens: Sequence[str], n: int) -> Iterable[tuple[str, ...]]:
    return zip(*(tokens[i:] for i in range(n)), strict=False)


def distinct(texts: Iterable[str], n: int) -> float:
    grams: Counter[tuple[str, ...]] = Counter()
    for text in texts:
        grams.update(ngrams(words(text), n))
    total = sum(grams.values())
    return len(grams) / total if total else 0.0


def dialogue_lines(story: Story) -> int:
    return sum(len(_QUOTE.findall(c.text)) for c in story.chapters)


def mechanics_numbers(story: Story) -> int:
    """Numbers in the chapters that are not part of a name, setting or scenario."""
    count = 0
    for chapter in story.chapters:
        text = chapter.text
        for fixed in (*story.names, story.setting, story.scenario):
            if fixed:
                text = text.replace(fixed, "")
        count += len(_MECHANICS.findall(text))
    return count
