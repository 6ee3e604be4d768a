"""Character files in the older system's formats and as Character Cards, written by
the tests (never copied from anyone's sheets): the folders of
/work/shared/notes/older-formats.md and a real Card V2/V3 PNG."""

from __future__ import annotations

import base64
import io
import json
import zipfile
from pathlib import Path

from PIL import Image, PngImagePlugin

SIMPLE_SHEET = """name: Grak Ironjaw
factions: [Iron Horde, Red Fang Warband]
personality_traits: [Aggressive, Loud, "Skulls for the skull throne and blood for the war god!"]
"""

PROFILE_SHEET = """# Character Profile: Sergeant Kara Venn

## Core Identity
- **Name**: Kara Venn
- **Role**: Squad Sergeant
- **Affiliation**: Ashen Guard
- **Specialization**: Breaching and room clearing

## Physical Description
Tall and scarred, with a shaved head and a mechanical left hand.

## Personality Traits
- Stubborn
- Fiercely loyal
- Dry humour

## Background
Born in the under-hive, raised in the barracks of the Ashen Guard.

## Skills & Specializations
- Close quarters combat
- Demolitions

## Equipment
- Breaching shotgun
- Flak armour
"""

PROFILE_STATS = """character:
  name: "Kara Venn"
  age: 32
  origin: "Hive Tertius"
  faction: "Ashen Guard"
  rank: "Sergeant"
  specialization: "Breaching"
combat_stats: {marksmanship: 8, melee: 6, tactics: 9, leadership: 8, endurance: 7, pilot: 3}
equipment:
  primary_weapon: "Breaching shotgun"
  secondary_weapon: "Combat knife"
  armor: "Flak armour"
  special_gear: ["Auspex", "Melta charges"]
psychological_profile: {loyalty: 9, aggression: 6, caution: 7, morale: 8, corruption_resistance: 8}
specializations: ["Breaching", "Demolitions"]
relationships: {allies: ["Tomas Reed"], enemies: ["The Pale King"], mentor: "Old Hesk"}
regiment: "Ninth Ashen"
"""

RICH_SHEET = """# Character Profile: Brother Aldric

## Core Identity
- **Name**: Aldric Thorne
- **Rank/Role**: Chaplain
- **Faction**: Order of the Ember
- **Age**: 212

## Psychological Profile
### Personality Traits
- **Zealous**: 9
- **Patient**: High
- **Grim**: speaks rarely, and only of duty
### Mental State
- **Stability**: unshaken

## Behavioral Configuration
### Decision Making Weights
- **Self-Preservation**: 3
- **Duty**: 10
### Response Patterns
- Answers threats with scripture

## Knowledge Domains
- Old liturgies

## Social Network
- **Mentor**: High Chaplain Voss
"""

CODEX_CORE = """# Iska Marr

## Identity
- **Name**: Iska Marr
- **Title/Rank**: Void Pilot
- **Origin World**: Kessel Reach
- **Faction**: Free Traders
- **Role**: Navigator

## Physical Description
Small, quick, silver-eyed.

## Core Personality
- Curious
- Reckless

## Background Summary
Ran the Kessel shear lanes at sixteen.
"""

CODEX_HISTORY = """# History

## Background
Lost her first ship to pirates and swore to find them.
"""

CODEX_PROFILE = """character: {name: "Iska Marr", faction: "Free Traders"}
combat_stats: {marksmanship: 5, melee: 3, tactics: 6, leadership: 4, endurance: 5, pilot: 10}
fatalism: 2
"""

CODEX_LORE = """# Lore

The Free Traders keep no flag.
"""


def older_folders() -> dict[str, str]:
    """One character per older format, as `characters/<id>/<file>` -> text."""
    return {
        "characters/grak_ironjaw/character_grak_ironjaw.md": SIMPLE_SHEET,
        "characters/kara_venn/character_kara_venn.md": PROFILE_SHEET,
        "characters/kara_venn/stats.yaml": PROFILE_STATS,
        "characters/brother aldric/character_brother_aldric.md": RICH_SHEET,
        "characters/iska-marr/1_core.md": CODEX_CORE,
        "characters/iska-marr/2_history.md": CODEX_HISTORY,
        "characters/iska-marr/3_profile.yaml": CODEX_PROFILE,
        "characters/iska-marr/4_lore.md": CODEX_LORE,
    }


def write_folders(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "characters"


def zipped(files: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def card_v2(name: str = "Mira Sol") -> dict:
    return {
        "spec": "chara_card_v2",
        "spec_version": "2.0",
        "data": {
            "name": name,
            "description": "A lighthouse keeper on a drowned coast.",
            "personality": "patient, watchful, stubborn",
            "scenario": "A storm is coming in.",
            "first_mes": "The lamp is lit. Who goes there?",
            "mes_example": "<START>\n{{char}}: Mind the rocks.",
            "creator_notes": "Made for a test.",
            "system_prompt": "You are Mira.",
            "post_history_instructions": "",
            "alternate_greetings": ["Another night, another wreck."],
            "tags": ["coast", "keeper"],
            "creator": "tests",
            "character_version": "1",
            "extensions": {"depth_prompt": {"prompt": "x", "depth": 4}},
        },
    }


def card_png(card: dict, keyword: str = "chara", size: tuple[int, int] = (64, 96)) -> bytes:
    """A real PNG (Pillow) carrying the card as base64 JSON in a tEXt chunk."""
    info = PngImagePlugin.PngInfo()
    info.add_text(keyword, base64.b64encode(json.dumps(card).encode()).decode())
    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 60, 90)).save(buffer, "PNG", pnginfo=info)
    return buffer.getvalue()
