"""Character Card V2 and V3 (JSON, or read from a PNG's tEXt chunk by the gateway).

A card describes a chat persona: its description becomes the backstory, its
comma-separated personality the traits, and the chat-only fields (greetings, examples,
scenario, creator notes) are kept as notes. Prompt instructions, lorebooks and assets
have no place on a character here and are refused, saying so. A card Novel Engine
exported carries the whole sheet in `extensions.novel_engine`, which maps exactly.
"""

from __future__ import annotations

from typing import Any

from novel_platform.character_cards import EXTENSION, SPEC_V2, SPEC_V3
from novel_platform.characters import STAT_NAMES
from services.character.domain.importing.draft import Draft, ImportResult, one_line

LISTED_TRAIT = 0.75
NOTE_FIELDS = {
    "scenario": "Scenario",
    "first_mes": "First message",
    "mes_example": "Example messages",
    "creator_notes": "Creator notes",
    "alternate_greetings": "Alternate greetings",
    "group_only_greetings": "Group greetings",
    "tags": "Tags",
    "creator": "Creator",
    "character_version": "Card version",
    "nickname": "Nickname",
    "source": "Source",
}
REFUSED_FIELDS = {
    "system_prompt": "model instructions are not part of a character here",
    "post_history_instructions": "model instructions are not part of a character here",
    "character_book": "lorebooks are not imported",
    "assets": "images and other assets are not stored",
    "creator_notes_multilingual": "only the main creator notes are kept",
}
# What a Novel Engine export derives from the sheet its extension carries exactly
# (personality: the trait names; tags: faction and role) or writes about itself.
EXPORT_SUMMARIES = {"personality", "tags", "creator", "character_version"}
# Card bookkeeping with nothing to keep.
SKIPPED = {"creation_date", "modification_date"}


def import_card(source: str, card: Any) -> ImportResult:
    draft = Draft(source)
    if not isinstance(card, dict) or card.get("spec") not in (SPEC_V2, SPEC_V3):
        spec = card.get("spec") if isinstance(card, dict) else None
        draft.refuse("spec", f"not a Character Card V2 or V3 (spec {one_line(spec)[:40]!r})")
        return draft.finish()
    data = card.get("data")
    if not isinstance(data, dict):
        draft.refuse("data", "missing or not an object")
        return draft.finish()
    ours = (
        (data.get("extensions") or {}).get(EXTENSION)
        if isinstance(data.get("extensions"), dict)
        else None
    )
    if isinstance(ours, dict):
        _ours(draft, ours)
    for key, value in data.items():
        _field(draft, str(key), value, exported=isinstance(ours, dict))
    return draft.finish()


def _field(draft: Draft, key: str, value: Any, *, exported: bool) -> None:
    what = f"data.{key}"
    if value in (None, "", [], {}) or key in SKIPPED:
        return
    if key == "name":
        draft.set_text(what, "name", value)
    elif key == "description":
        draft.story(what, str(value))
    elif exported and key in EXPORT_SUMMARIES:
        return
    elif key == "personality":
        parts = [p.strip() for p in str(value).replace(";", ",").split(",")]
        if all(0 < len(p) <= 40 for p in parts):
            for part in parts:
                draft.trait(what, part, LISTED_TRAIT)
        else:
            draft.note("Personality", value)
    elif key == "creator_notes" and exported:
        draft.note_lines.extend(line for line in str(value).splitlines() if line.strip())
        draft.mapped.append(f"{what} -> notes")
    elif key in NOTE_FIELDS:
        items = value if isinstance(value, list) else [value]
        draft.note(NOTE_FIELDS[key], " | ".join(one_line(v) for v in items))
    elif key in REFUSED_FIELDS:
        draft.refuse(what, REFUSED_FIELDS[key])
    elif key == "extensions" and isinstance(value, dict):
        for name in sorted(str(k) for k in value if k != EXTENSION):
            draft.refuse(f"data.extensions.{name}", "another tool's data")
    else:
        draft.refuse(what, "no matching field")


def _ours(draft: Draft, sheet: dict[str, Any]) -> None:
    """The sheet a Novel Engine export carried, field for field."""
    what = f"data.extensions.{EXTENSION}"
    if isinstance(sheet.get("id"), str):
        draft.old_id = sheet["id"]
    for key in ("faction", "role"):
        draft.set_text(f"{what}.{key}", key, sheet.get(key) or "")
    for name, level in _mapping(sheet.get("traits")).items():
        if isinstance(level, int | float):
            draft.trait(f"{what}.traits", str(name), float(level))
    stats = _mapping(sheet.get("stats"))
    for name in STAT_NAMES:
        if name in stats:
            draft.stat(f"{what}.stats.{name}", name, stats[name])
    for key in ("goals", "equipment"):
        for item in sheet.get(key) or []:
            draft.item(f"{what}.{key}", key, item)
    for other, feeling in _mapping(sheet.get("relationships")).items():
        if isinstance(feeling, int | float):
            draft.relationships[str(other)] = float(feeling)
            draft.mapped.append(f"{what}.relationships.{other} -> relationships")


def _mapping(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}
