"""A character being assembled from a foreign source, and the result of finishing it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from novel_platform.characters import (
    DEFAULT_STAT,
    MAX_BACKSTORY,
    MAX_EQUIPMENT,
    MAX_GOALS,
    MAX_ITEM,
    MAX_NAME,
    MAX_NOTES,
    MAX_RELATIONSHIPS,
    MAX_SHORT,
    MAX_TRAIT_NAME,
    MAX_TRAITS,
    STAT_MAX,
    STAT_MIN,
    STAT_NAMES,
)
from novel_platform.errors import InvalidArgument
from services.character.domain.model import Character, validate


@dataclass(frozen=True)
class ImportResult:
    """One character of an import: `character` is set (and valid) unless `error` says
    why the whole character was refused."""

    source: str
    character: Character | None
    mapped: tuple[str, ...]
    notes: tuple[str, ...]
    refused: tuple[str, ...]
    error: str = ""


def slug(text: str) -> str:
    """Our id for a name or an older id (which used `_`): lowercase, dashes."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:64].strip("-")


def one_line(value: object) -> str:
    return " ".join(str(value).split())


def label(what: str) -> str:
    """A note's label from a source field: its last part ("stats.yaml: character.rank"
    -> "Rank")."""
    last = what.rsplit(": ", 1)[-1].rsplit(".", 1)[-1].rsplit(" § ", 1)[-1]
    return last.strip("* ").replace("_", " ").capitalize() or "Note"


@dataclass
class Draft:
    source: str
    old_id: str = ""
    name: str = ""
    faction: str = ""
    role: str = ""
    traits: dict[str, float] = field(default_factory=dict)
    stats: dict[str, int] = field(default_factory=dict)
    goals: list[str] = field(default_factory=list)
    relationships: dict[str, float] = field(default_factory=dict)
    equipment: list[str] = field(default_factory=list)
    backstory: list[str] = field(default_factory=list)
    note_lines: list[str] = field(default_factory=list)
    mapped: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def refuse(self, what: str, why: str) -> None:
        self.refused.append(f"{what}: {why}")

    def note(self, what: str, value: object) -> None:
        text = value.strip() if isinstance(value, str) else one_line(value)
        if text:
            self.note_lines.append(f"{what}: {text}")
            self.kept.append(what)

    def set_text(self, what: str, target: str, value: object) -> None:
        """name, faction or role; a second value for a field already set is a note."""
        text = one_line(value)
        if not text:
            return
        current = getattr(self, target)
        if current:
            if current.lower() != text.lower():
                self.note(label(what), text)
            return
        limit = MAX_NAME if target == "name" else MAX_SHORT
        if len(text) > limit:
            self.refuse(what, f"longer than the {limit} characters of {target}")
            return
        setattr(self, target, text)
        self.mapped.append(f"{what} -> {target}")

    def trait(self, what: str, name: str, level: float) -> None:
        key = one_line(name).strip("\"'").lower()
        if not key:
            return
        if len(key) > MAX_TRAIT_NAME:
            self.note("Trait", one_line(name))
            return
        if key in self.traits:
            return
        if len(self.traits) >= MAX_TRAITS:
            self.refuse(what, f"'{key}': at most {MAX_TRAITS} traits")
            return
        self.traits[key] = round(min(1.0, max(0.0, level)), 2)
        self.mapped.append(f"{what} -> traits.{key} = {self.traits[key]}")

    def stat(self, what: str, name: str, value: object) -> None:
        if name in self.stats:
            self.note(label(what), value)
            return
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.refuse(what, f"not a number ({one_line(value)[:40]})")
            return
        score = min(STAT_MAX, max(STAT_MIN, round(value)))
        self.stats[name] = score
        clamp = "" if score == value else f" (from {value}, kept in {STAT_MIN}..{STAT_MAX})"
        self.mapped.append(f"{what} -> stats.{name} = {score}{clamp}")

    def item(self, what: str, target: str, value: object) -> None:
        """One goal or piece of equipment."""
        text = one_line(value)
        items: list[str] = getattr(self, target)
        limit = MAX_GOALS if target == "goals" else MAX_EQUIPMENT
        if not text or text in items:
            return
        if len(text) > MAX_ITEM:
            self.refuse(what, f"longer than the {MAX_ITEM} characters of one {target} entry")
        elif len(items) >= limit:
            self.refuse(what, f"'{text[:40]}': at most {limit} {target}")
        else:
            items.append(text)
            self.mapped.append(f"{what} -> {target}")

    def relation(self, what: str, other: object, feeling: float) -> None:
        other_id = slug(str(other))
        if not other_id:
            return
        if len(self.relationships) >= MAX_RELATIONSHIPS:
            self.refuse(what, f"at most {MAX_RELATIONSHIPS} relationships")
            return
        self.relationships.setdefault(other_id, feeling)
        self.mapped.append(f"{what} -> relationships.{other_id} = {feeling}")

    def story(self, what: str, text: str) -> None:
        text = text.strip()
        if text:
            self.backstory.append(text)
            self.mapped.append(f"{what} -> backstory")

    def finish(self) -> ImportResult:
        """The character, validated by the model's own rules, or the reason it is not."""
        char_id = slug(self.old_id) or slug(self.name)
        if self.old_id and char_id != self.old_id:
            self.mapped.append(f"id {self.old_id} -> {char_id}")
        for name in STAT_NAMES:
            if name not in self.stats:
                self.stats[name] = DEFAULT_STAT
                self.mapped.append(f"(not given) -> stats.{name} = {DEFAULT_STAT}")
        self.relationships.pop(char_id, None)
        backstory = "\n\n".join(self.backstory)
        if len(backstory) > MAX_BACKSTORY:
            self.refuse("backstory", f"cut at {MAX_BACKSTORY} characters")
            backstory = backstory[:MAX_BACKSTORY]
        notes = ""
        for line in self.note_lines:
            if len(notes) + len(line) + 1 > MAX_NOTES:
                self.refuse(line.split(":", 1)[0], f"the notes are full ({MAX_NOTES} characters)")
                continue
            notes = f"{notes}\n{line}" if notes else line
        character = Character(
            id=char_id or "character",
            name=self.name,
            faction=self.faction,
            role=self.role,
            traits=self.traits,
            stats=self.stats,
            goals=tuple(self.goals),
            relationships=self.relationships,
            equipment=tuple(self.equipment),
            backstory=backstory,
            notes=notes,
        )
        try:
            validate(character)
        except InvalidArgument as exc:
            return self._result(None, exc.message)
        return self._result(character, "")

    def _result(self, character: Character | None, error: str) -> ImportResult:
        return ImportResult(
            source=self.source,
            character=character,
            mapped=tuple(self.mapped),
            notes=tuple(dict.fromkeys(self.kept)),
            refused=tuple(self.refused),
            error=error,
        )
