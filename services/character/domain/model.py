"""The character sheet and its invariants. Pure: no I/O."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from novel_platform.characters import (
    MAX_BACKSTORY,
    MAX_EQUIPMENT,
    MAX_GOALS,
    MAX_ITEM,
    MAX_NAME,
    MAX_RELATIONSHIPS,
    MAX_SHORT,
    MAX_TRAIT_NAME,
    MAX_TRAITS,
    SLUG_PATTERN,
    STAT_MAX,
    STAT_MIN,
    STAT_NAMES,
)
from novel_platform.errors import InvalidArgument

SLUG = re.compile(SLUG_PATTERN)
# Fields a client may change; id, version and timestamps are the system's.
MUTABLE_FIELDS = frozenset(
    {
        "name",
        "faction",
        "role",
        "traits",
        "stats",
        "goals",
        "relationships",
        "equipment",
        "backstory",
    }
)


@dataclass(frozen=True)
class Character:
    id: str
    name: str
    faction: str = ""
    role: str = ""
    traits: Mapping[str, float] = field(default_factory=dict)
    stats: Mapping[str, int] = field(default_factory=dict)
    goals: tuple[str, ...] = ()
    relationships: Mapping[str, float] = field(default_factory=dict)
    equipment: tuple[str, ...] = ()
    backstory: str = ""
    version: int = 1
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def sheet(self) -> dict[str, Any]:
        """The JSON-storable part of the character."""
        return {
            "traits": dict(self.traits),
            "stats": dict(self.stats),
            "goals": list(self.goals),
            "relationships": dict(self.relationships),
            "equipment": list(self.equipment),
            "backstory": self.backstory,
        }

    def patched(self, changes: Mapping[str, Any]) -> Character:
        unknown = set(changes) - MUTABLE_FIELDS
        if unknown:
            raise InvalidArgument(f"cannot update field(s): {', '.join(sorted(unknown))}")
        return replace(self, **changes)


def _text(name: str, value: str, limit: int, *, required: bool = False) -> None:
    if required and not value.strip():
        raise InvalidArgument(f"{name}: must not be empty")
    if len(value) > limit:
        raise InvalidArgument(f"{name}: at most {limit} characters")


def _texts(name: str, values: Sequence[str], count: int) -> None:
    if len(values) > count:
        raise InvalidArgument(f"{name}: at most {count} entries")
    for index, value in enumerate(values):
        _text(f"{name}[{index}]", value, MAX_ITEM, required=True)


def validate(character: Character) -> Character:
    """Raise InvalidArgument naming the first broken rule; return the character."""
    if not SLUG.match(character.id):
        raise InvalidArgument(
            "id: must be a slug of 1-64 lowercase letters, digits and dashes "
            "(no leading or trailing dash)"
        )
    _text("name", character.name, MAX_NAME, required=True)
    _text("faction", character.faction, MAX_SHORT)
    _text("role", character.role, MAX_SHORT)
    _text("backstory", character.backstory, MAX_BACKSTORY)
    if len(character.traits) > MAX_TRAITS:
        raise InvalidArgument(f"traits: at most {MAX_TRAITS} entries")
    for trait, level in character.traits.items():
        _text("traits key", trait, MAX_TRAIT_NAME, required=True)
        if not 0.0 <= level <= 1.0:
            raise InvalidArgument(f"traits.{trait}: must be between 0 and 1, got {level}")
    if set(character.stats) != set(STAT_NAMES):
        missing = sorted(set(STAT_NAMES) - set(character.stats))
        extra = sorted(set(character.stats) - set(STAT_NAMES))
        raise InvalidArgument(f"stats: missing {missing}, unknown {extra}")
    for stat, score in character.stats.items():
        if not STAT_MIN <= score <= STAT_MAX:
            raise InvalidArgument(
                f"stats.{stat}: must be an integer {STAT_MIN}..{STAT_MAX}, got {score}"
            )
    _texts("goals", character.goals, MAX_GOALS)
    _texts("equipment", character.equipment, MAX_EQUIPMENT)
    if len(character.relationships) > MAX_RELATIONSHIPS:
        raise InvalidArgument(f"relationships: at most {MAX_RELATIONSHIPS} entries")
    for other, feeling in character.relationships.items():
        if not SLUG.match(other):
            raise InvalidArgument(f"relationships: '{other[:70]}' is not a character id")
        if other == character.id:
            raise InvalidArgument("relationships: a character cannot relate to itself")
        if not -1.0 <= feeling <= 1.0:
            raise InvalidArgument(f"relationships.{other}: must be between -1 and 1, got {feeling}")
    return character
