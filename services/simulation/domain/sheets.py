"""The input character sheet and its validation."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from novel_platform.characters import STAT_MAX, STAT_MIN

from .actions import DIRECTOR_ID

DEFAULT_TRAIT = 0.5  # missing traits count as neutral...
# ...except dark ones: a sheet that does not mention aggression is not half-violent.
TRAIT_DEFAULTS = {"aggression": 0.2, "cunning": 0.3}


def trait_default(name: str) -> float:
    return TRAIT_DEFAULTS.get(name, DEFAULT_TRAIT)


@dataclass(frozen=True)
class CharacterSheet:
    id: str
    name: str
    faction: str = ""
    role: str = ""
    traits: Mapping[str, float] = field(default_factory=dict)
    stats: Mapping[str, int] = field(default_factory=dict)
    goals: Sequence[str] = ()
    relationships: Mapping[str, float] = field(default_factory=dict)
    equipment: Sequence[str] = ()
    backstory: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible; `from_dict` reads it back."""
        return {
            "id": self.id,
            "name": self.name,
            "faction": self.faction,
            "role": self.role,
            "traits": dict(self.traits),
            "stats": dict(self.stats),
            "goals": list(self.goals),
            "relationships": dict(self.relationships),
            "equipment": list(self.equipment),
            "backstory": self.backstory,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CharacterSheet:
        """Raises ValueError when a field is missing."""
        try:
            return cls(
                id=data["id"],
                name=data["name"],
                faction=data["faction"],
                role=data["role"],
                traits=dict(data["traits"]),
                stats=dict(data["stats"]),
                goals=tuple(data["goals"]),
                relationships=dict(data["relationships"]),
                equipment=tuple(data["equipment"]),
                backstory=data["backstory"],
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"malformed character sheet: {exc!r}") from exc


def _number(value: object) -> bool:
    # bool is an int subclass; a sheet saying True for a trait is a bug upstream.
    return isinstance(value, int | float) and not isinstance(value, bool)


def validate_sheet(sheet: CharacterSheet) -> None:
    """Raise ValueError naming the first broken rule."""
    where = f"character {sheet.id!r}"
    if not isinstance(sheet.id, str) or not sheet.id.strip():
        raise ValueError("character id must be a non-empty string")
    if sheet.id == DIRECTOR_ID:
        raise ValueError(f"character id {DIRECTOR_ID!r} is reserved")
    if not isinstance(sheet.name, str) or not sheet.name.strip():
        raise ValueError(f"{where}: name must be a non-empty string")
    for stat, score in sheet.stats.items():
        if not isinstance(score, int) or isinstance(score, bool):
            raise ValueError(f"{where}: stat {stat!r} must be an integer")
        if not STAT_MIN <= score <= STAT_MAX:
            raise ValueError(f"{where}: stat {stat!r} must be {STAT_MIN}..{STAT_MAX}, got {score}")
    for trait, level in sheet.traits.items():
        if not _number(level) or math.isnan(level) or not 0.0 <= level <= 1.0:
            raise ValueError(f"{where}: trait {trait!r} must be between 0 and 1, got {level!r}")
    for other, feeling in sheet.relationships.items():
        if other == sheet.id:
            raise ValueError(f"{where}: cannot have a relationship with itself")
        if not _number(feeling) or math.isnan(feeling) or not -1.0 <= feeling <= 1.0:
            raise ValueError(
                f"{where}: relationship to {other!r} must be between -1 and 1, got {feeling!r}"
            )
    for label, texts in (("goals", sheet.goals), ("equipment", sheet.equipment)):
        if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
            raise ValueError(f"{where}: {label} must be a sequence of strings")


def validate_sheets(sheets: Sequence[CharacterSheet]) -> None:
    if len(sheets) < 1:
        raise ValueError("a simulation needs at least one character sheet")
    seen: list[str] = []
    for sheet in sheets:
        validate_sheet(sheet)
        if sheet.id in seen:
            raise ValueError(f"duplicate character id {sheet.id!r}")
        seen.append(sheet.id)
