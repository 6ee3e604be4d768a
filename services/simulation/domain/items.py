"""What an item is good for, guessed from its name, and the bonuses that follows."""

from __future__ import annotations

import re

WEAPON, TOOL, MEDICAL, OPTIC, TRINKET = "weapon", "tool", "medical", "optic", "trinket"

_WORD = re.compile(r"[a-z]+")

# (kind, name fragments, whole words); first match wins, so order matters:
# "med kit" is medical before "kit" could make it a tool.
_KINDS: tuple[tuple[str, tuple[str, ...], frozenset[str]], ...] = (
    (
        MEDICAL,
        ("medkit", "bandage", "salve", "potion", "medicine", "stim", "herb", "first-aid"),
        frozenset({"med", "medical", "aid", "healer", "healers", "splint", "syringe"}),
    ),
    (
        WEAPON,
        (
            "knife", "blade", "sword", "rifle", "pistol", "blaster", "dagger", "revolver",
            "cutlass", "spear", "saber", "sabre", "crossbow", "shotgun", "carbine",
        ),
        frozenset({"gun", "axe", "bow", "club", "mace", "weapon", "musket", "lance", "whip"}),
    ),
    (
        TOOL,
        ("multitool", "toolkit", "wrench", "spanner", "welding", "lockpick", "fuse", "solder"),
        frozenset({"tool", "tools", "cutter", "diagnostic", "drill", "crowbar", "hammer"}),
    ),
    (
        OPTIC,
        (
            "scanner", "lantern", "binocular", "spyglass", "lens", "goggle", "compass",
            "flashlight", "headlamp", "drone", "camera",
        ),
        frozenset({"map", "torch", "lamp", "scope"}),
    ),
)  # fmt: skip

# Ranking when someone must pick which item to take: the most useful first.
VALUE = {WEAPON: 4, MEDICAL: 3, TOOL: 2, OPTIC: 1, TRINKET: 0}


def item_kind(name: str) -> str:
    lowered = name.lower()
    words = _WORD.findall(lowered)
    for kind, fragments, whole in _KINDS:
        if any(f in lowered for f in fragments) or any(w in whole for w in words):
            return kind
    return TRINKET


_DETERMINERS = frozenset(
    {"a", "an", "the", "some", "his", "her", "their", "my", "our", "its", "your", "this", "that"}
)


def definite(name: str) -> str:
    """ "lockpicks" -> "the lockpicks"; leaves "a map", "Zara's knife" and names alone."""
    first = name.split(" ", 1)[0]
    if not first or first.lower() in _DETERMINERS or first[:1].isupper():
        return name
    return "the " + name
