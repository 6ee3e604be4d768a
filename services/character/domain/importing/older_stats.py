"""The older system's `stats.yaml` (and the codex's `3_profile.yaml`): identity,
1..10 combat stats, equipment, a 1..10 psychological profile, relationships by name."""

from __future__ import annotations

from typing import Any

from services.character.domain.importing.draft import Draft, one_line

# The older combat stats onto our six; the first one given wins.
STAT_SOURCES = {
    "strength": ("strength", "melee"),
    "dexterity": ("dexterity", "pilot", "agility"),
    "intelligence": ("intelligence", "tactics"),
    "willpower": ("willpower", "endurance"),
    "perception": ("perception", "marksmanship"),
    "charisma": ("charisma", "leadership"),
}
IDENTITY = {"name": "name", "faction": "faction", "rank": "role", "role": "role"}
FEELINGS = {"allies": 0.6, "ally": 0.6, "friends": 0.6, "mentor": 0.8, "enemies": -0.6}


def apply_stats(draft: Draft, path: str, data: Any) -> None:
    if data is None:
        return
    if not isinstance(data, dict):
        draft.refuse(path, "not a mapping of sections")
        return
    for key, value in data.items():
        section = str(key)
        where = f"{path}: {section}"
        if section == "character" and isinstance(value, dict):
            _identity(draft, where, value)
        elif section in {"combat_stats", "stats"} and isinstance(value, dict):
            _stats(draft, where, value)
        elif section == "psychological_profile" and isinstance(value, dict):
            _profile(draft, where, value)
        elif section == "equipment":
            _equipment(draft, where, value)
        elif section == "relationships" and isinstance(value, dict):
            _relationships(draft, where, value)
        elif section in {"goals", "objectives"} and isinstance(value, list):
            for goal in value:
                draft.item(where, "goals", goal)
        else:
            draft.note(section.replace("_", " ").capitalize(), _flat(value))


def _flat(value: Any) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_flat(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_flat(v) for v in value)
    return one_line(value)


def _identity(draft: Draft, where: str, values: dict[Any, Any]) -> None:
    for key, value in values.items():
        name = str(key)
        if name in IDENTITY:
            draft.set_text(f"{where}.{name}", IDENTITY[name], value)
        else:
            draft.note(name.replace("_", " ").capitalize(), _flat(value))


def _stats(draft: Draft, where: str, values: dict[Any, Any]) -> None:
    given = {str(k): v for k, v in values.items()}
    used: set[str] = set()
    for ours, sources in STAT_SOURCES.items():
        source = next((s for s in sources if s in given and s not in used), None)
        if source is not None:
            used.add(source)
            draft.stat(f"{where}.{source}", ours, given[source])
    for name in sorted(set(given) - used):
        draft.note(f"{name.replace('_', ' ').capitalize()} (1-10)", _flat(given[name]))


def _profile(draft: Draft, where: str, values: dict[Any, Any]) -> None:
    for key, value in values.items():
        name = str(key).replace("_", " ")
        if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 10:
            draft.trait(f"{where}.{key}", name, value / 10)
        else:
            draft.note(name.capitalize(), _flat(value))


def _equipment(draft: Draft, where: str, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            for one in item if isinstance(item, list) else [item]:
                draft.item(f"{where}.{key}", "equipment", one)
    elif isinstance(value, list):
        for one in value:
            draft.item(where, "equipment", one)
    else:
        draft.item(where, "equipment", value)


def _relationships(draft: Draft, where: str, values: dict[Any, Any]) -> None:
    for key, names in values.items():
        kind = str(key)
        feeling = FEELINGS.get(kind)
        if feeling is None:
            draft.note(f"Relationships ({kind})", _flat(names))
            continue
        for name in names if isinstance(names, list) else [names]:
            draft.relation(f"{where}.{kind}", name, feeling)
