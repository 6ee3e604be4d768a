"""The older system's Markdown sheets: the simple field sheet (`key: value` lines), the
profile sheet (`## Core Identity` bullets, `## Personality Traits`, ...) and the
four-file codex's Markdown parts.

The shipped sheets spelled the faction `**Affiliation**` and listed traits as plain
bullets under a top-level `## Personality Traits`; the older parser knew neither (it
looked for `**Faction**` and for traits under `## Psychological Profile`) and lost
both. Every spelling below maps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from novel_platform.errors import InvalidArgument
from services.character.domain.importing.bounds import load_yaml
from services.character.domain.importing.draft import Draft, one_line

# A trait the sheet names without a level: a marked one.
LISTED_TRAIT = 0.75
# Words the richer sheets used for a level instead of a number.
LEVEL_WORDS = {
    "very high": 0.9, "high": 0.8, "strong": 0.8, "moderate": 0.5, "medium": 0.5,
    "average": 0.5, "low": 0.2, "weak": 0.2, "very low": 0.1, "none": 0.0,
}  # fmt: skip

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_KEYED = re.compile(r"^\*\*(.+?)\*\*\s*:?\s*(.*)$|^([A-Za-z][\w /&-]{0,40}):\s+(.*)$")
_FIELD = re.compile(r"^([A-Za-z_][A-Za-z0-9_ ]{0,40}):\s*(.*)$")

# Identity keys (any section): the key's spellings -> our field.
IDENTITY = {
    "name": "name",
    "affiliation": "faction",
    "faction": "faction",
    "factions": "faction",
    "allegiance": "faction",
    "role": "role",
    "rank/role": "role",
    "rank": "role",
    "title/rank": "role",
    "title": "role",
    "occupation": "role",
}
TRAIT_SECTIONS = {"personality traits", "personality", "core personality", "traits"}
WEIGHT_SECTIONS = {"decision making weights", "decision-making weights"}
EQUIPMENT_SECTIONS = {"equipment", "gear", "inventory"}
GOAL_SECTIONS = {"goals", "objectives", "motivations"}
STORY_SECTIONS = {"background", "background summary", "history", "backstory", "biography"}


@dataclass
class Section:
    title: str
    bullets: list[str] = field(default_factory=list)
    prose: list[str] = field(default_factory=list)


def parse_sections(path: str, text: str) -> list[Section]:
    """The sheet as sections in order; a bullet or line before any heading belongs to
    a section with an empty title."""
    sections = [Section("")]
    in_fence = False
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence or not line.strip():
            continue
        heading = _HEADING.match(line)
        if heading:
            sections.append(Section(one_line(heading.group(2))))
            continue
        bullet = _BULLET.match(line)
        if bullet:
            sections[-1].bullets.append(bullet.group(1).strip())
        else:
            sections[-1].prose.append(line.strip())
    if in_fence:
        raise InvalidArgument(f"{path}: a ``` code block is never closed")
    return [s for s in sections if s.bullets or s.prose]


def _plain(text: str) -> str:
    return re.sub(r"[*_`]+", "", text).strip()


def _level(value: str) -> float | None:
    """A level from '7', '7/10', '0.7', '70%' or a word; None when it is none of them."""
    text = _plain(value).lower().rstrip(".")
    number = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(/\s*10|%)?", text)
    if number:
        level = float(number.group(1))
        if number.group(2) == "%":
            return level / 100
        return level / 10 if level > 1 or number.group(2) else level
    return LEVEL_WORDS.get(text)


def _keyed(bullet: str) -> tuple[str, str] | None:
    match = _KEYED.match(bullet)
    if not match:
        return None
    key = match.group(1) if match.group(1) is not None else match.group(3)
    value = match.group(2) if match.group(1) is not None else match.group(4)
    return _plain(key), _plain(value)


def apply_sheet(draft: Draft, path: str, text: str) -> None:
    """Map one Markdown sheet (any of the older layouts) onto the draft."""
    for section in parse_sections(path, text):
        title = section.title
        lower = title.lower()
        where = f"{path} § {title}" if title else path
        if lower.startswith("character profile:") or lower.startswith("character sheet:"):
            draft.note("Title", title.split(":", 1)[1])
            _identity_lines(draft, where, section)
            continue
        if not title:
            _field_lines(draft, where, section)
        elif lower in TRAIT_SECTIONS:
            _traits(draft, where, section)
        elif lower in WEIGHT_SECTIONS:
            _weights(draft, where, section)
        elif lower in EQUIPMENT_SECTIONS:
            for bullet in section.bullets:
                draft.item(where, "equipment", _plain(bullet))
            _prose_note(draft, title, section)
        elif lower in GOAL_SECTIONS:
            for bullet in section.bullets:
                draft.item(where, "goals", _plain(bullet))
            _prose_note(draft, title, section)
        elif lower in STORY_SECTIONS:
            draft.story(where, "\n".join(section.prose))
            for bullet in section.bullets:
                draft.note(title, _plain(bullet))
        else:
            _identity_lines(draft, where, section)


# Spellings of a rank, which fill the role only when the sheet names no role.
RANKS = {"rank", "title", "title/rank"}


def _identity_lines(draft: Draft, where: str, section: Section) -> None:
    """Keyed bullets that name an identity field map; everything else is a note."""
    ranked = sorted(
        section.bullets, key=lambda b: (k := _keyed(b)) is not None and k[0].lower() in RANKS
    )
    for bullet in ranked:
        keyed = _keyed(bullet)
        if keyed and keyed[0].lower() in IDENTITY:
            draft.set_text(f"{where}: **{keyed[0]}**", IDENTITY[keyed[0].lower()], keyed[1])
        elif keyed and keyed[0].lower() in {"goal", "goals"}:
            draft.item(f"{where}: **{keyed[0]}**", "goals", keyed[1])
        elif keyed:
            draft.note(keyed[0], keyed[1])
        else:
            draft.note(section.title or "Sheet", _plain(bullet))
    _prose_note(draft, section.title or "Sheet", section)


def _prose_note(draft: Draft, title: str, section: Section) -> None:
    if section.prose:
        draft.note(title, " ".join(section.prose))


def _traits(draft: Draft, where: str, section: Section) -> None:
    for bullet in section.bullets:
        keyed = _keyed(bullet)
        if keyed is None:
            draft.trait(where, _plain(bullet), LISTED_TRAIT)
            continue
        level = _level(keyed[1])
        if level is None:
            # "- **Brave**: charges first" names a trait and says how it shows.
            draft.trait(where, keyed[0], LISTED_TRAIT)
            draft.note(keyed[0], keyed[1])
        else:
            draft.trait(where, keyed[0], level)
    _prose_note(draft, section.title, section)


def _weights(draft: Draft, where: str, section: Section) -> None:
    for bullet in section.bullets:
        keyed = _keyed(bullet)
        level = _level(keyed[1]) if keyed else None
        if keyed and level is not None:
            draft.trait(where, keyed[0], level)
        else:
            draft.note(section.title, _plain(bullet))


def _field_lines(draft: Draft, where: str, section: Section) -> None:
    """The simple field sheet: `key: value` lines, lists in brackets."""
    for line in section.prose:
        match = _FIELD.match(line)
        if not match:
            draft.note("Sheet", line)
            continue
        key, raw = match.group(1).strip().lower(), match.group(2).strip()
        value: Any = raw
        if raw.startswith("["):
            value = load_yaml(where, f"v: {raw}")["v"]
        apply_field(draft, f"{where}: {key}", key, value)
    _identity_lines(draft, where, Section(section.title, section.bullets))


def apply_field(draft: Draft, what: str, key: str, value: Any) -> None:
    """One `key: value` of the simple sheet (values may be lists)."""
    values = value if isinstance(value, list) else [value]
    key = key.replace(" ", "_")
    if key in {"name", "faction", "factions", "affiliation", "role", "rank"}:
        target = IDENTITY[key]
        draft.set_text(what, target, values[0] if values else "")
        for extra in values[1:]:
            draft.note(f"{key} (more)", extra)
    elif key in {"personality_traits", "traits", "personality"}:
        for item in values:
            draft.trait(what, str(item), LISTED_TRAIT)
    elif key in {"goals", "goal"}:
        for item in values:
            draft.item(what, "goals", item)
    elif key in {"equipment", "gear"}:
        for item in values:
            draft.item(what, "equipment", item)
    elif key in {"backstory", "background", "history"}:
        draft.story(what, " ".join(one_line(v) for v in values))
    else:
        draft.note(key.replace("_", " ").capitalize(), ", ".join(one_line(v) for v in values))
