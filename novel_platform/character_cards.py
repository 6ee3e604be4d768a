"""Character Card V2/V3 (the SillyTavern family's format): the names both ends agree on.

The gateway exports a character as a V2 card; the character service imports V2 and V3
cards. A card written here carries the whole sheet under `data.extensions.novel_engine`
(the spec's place for tool data), so exporting and importing again loses nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SPEC_V2, SPEC_V3 = "chara_card_v2", "chara_card_v3"
# The PNG tEXt keywords of a card: V2 under `chara`, V3 under `ccv3`.
PNG_KEYWORD_V2, PNG_KEYWORD_V3 = "chara", "ccv3"
EXTENSION = "novel_engine"
# The sheet fields the extension carries (name, backstory and notes have card fields).
EXTENSION_FIELDS = (
    "id",
    "faction",
    "role",
    "traits",
    "stats",
    "goals",
    "relationships",
    "equipment",
)


def card_v2(character: Mapping[str, Any]) -> dict[str, Any]:
    """A Card V2 of a character given as the API shows it (`CharacterOut`)."""
    traits = sorted(character["traits"].items(), key=lambda kv: (-kv[1], kv[0]))
    return {
        "spec": SPEC_V2,
        "spec_version": "2.0",
        "data": {
            "name": character["name"],
            "description": character["backstory"],
            "personality": ", ".join(name for name, _ in traits),
            "scenario": "",
            "first_mes": "",
            "mes_example": "",
            "creator_notes": character.get("notes", ""),
            "system_prompt": "",
            "post_history_instructions": "",
            "alternate_greetings": [],
            "character_book": None,
            "tags": [t for t in (character["faction"], character["role"]) if t],
            "creator": "Novel Engine",
            "character_version": str(character["version"]),
            "extensions": {EXTENSION: {k: character[k] for k in EXTENSION_FIELDS}},
        },
    }
