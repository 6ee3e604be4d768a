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
    """The sentence with names (characters, in any form, and places) and numbers masked.
    A short name is masked only as a whole word ("Tess", not the "Tess" in "Tessellate")."""
    for name in names:
        if " " in name:
            sentence = sentence.replace(name, "<N>")
        elif name in sentence:
            sentence = re.sub(rf"\b{re.escape(name)}\b", "<N>", sentence)
    return _NUMBER.sub("<#>", sentence)


def name_forms(name: str) -> list[str]:
    """A name as a reader may meet it: whole, and each of its words ("Dr. Ilan Okafor",
    "Ilan", "Okafor"), titles such as "Dr." left out."""
    parts = [w for w in name.split() if not w.endswith(".") and len(w) > 1]
    return [name, *parts] if len(parts) > 1 else [name]


def masks(story: Story) -> list[str]:
    """Everything masked in a template, longest first so a whole name goes before its
    parts: the characters' names in every form the prose may use, and the places."""
    forms = {form for name in story.names for form in name_forms(name)}
    return sorted({*forms, *story.first.locations}, key=len, reverse=True)


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
