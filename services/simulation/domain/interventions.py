"""The director's interventions: what a user changes in a run at a turn boundary.

An intervention is plain data, checked before it is accepted (`checked`) and applied at
the start of its turn, after the turn's opening and before anyone acts, as one director
event of that turn (`direct`). It draws nothing from the RNG, so a run or a branch that
carries the same interventions repeats the same turns, byte for byte.

- event: something happens at a place; everyone there (and the named character) sees it.
- whisper: one character is told something; nobody else learns of it.
- goal: a character's goals become the given one; only that character knows.
- leave: a character leaves the story (neither dead nor anywhere to be found).
- enter: a character who left comes back, or a new one (its sheet kept with the
  intervention, so a replay needs nothing else) joins, at the given place or else the
  world's first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .actions import DIRECTOR_ID, DIRECTOR_NAME
from .creation import newcomer
from .director import record
from .events import Effect, TurnEvent
from .sheets import CharacterSheet
from .world import Memory, WorldState

KINDS = ("event", "whisper", "goal", "enter", "leave")
MAX_TEXT = 500
MAX_LOCATION = 100
MAX_PER_RUN = 50
_NEEDS_TEXT = ("event", "whisper", "goal")
_NEEDS_CHARACTER = ("whisper", "goal", "enter", "leave")


@dataclass(frozen=True)
class Intervention:
    turn: int  # applied at the start of this turn
    kind: str
    character_id: str = ""
    text: str = ""
    location: str = ""
    sheet: Mapping[str, Any] | None = None  # a newcomer's sheet ("enter"), as accepted

    def to_dict(self) -> dict[str, Any]:
        return {
            "turn": self.turn,
            "kind": self.kind,
            "character_id": self.character_id,
            "text": self.text,
            "location": self.location,
            **({"sheet": dict(self.sheet)} if self.sheet is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Intervention:
        return cls(
            turn=int(data["turn"]),
            kind=str(data["kind"]),
            character_id=str(data.get("character_id", "")),
            text=str(data.get("text", "")),
            location=str(data.get("location", "")),
            sheet=data.get("sheet"),
        )


def checked(
    intervention: Intervention, *, cast: Sequence[str], first_turn: int, turns_total: int
) -> Intervention:
    """The intervention with its text trimmed, or ValueError naming the broken rule.

    `first_turn`: the earliest turn it may still apply to; `cast`: the run's characters
    (a newcomer's "enter" carries its sheet: then its id need not be in the cast)."""
    kind = intervention.kind
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind[:40]!r}")
    if not first_turn <= intervention.turn <= turns_total:
        raise ValueError(
            f"turn must be {first_turn}..{turns_total} for this run, got {intervention.turn}"
        )
    text = " ".join(intervention.text.split())  # one line: no control characters
    if kind in _NEEDS_TEXT and not text:
        raise ValueError(f"text is required for a {kind}")
    if len(text) > MAX_TEXT:
        raise ValueError(f"text: at most {MAX_TEXT} characters, got {len(text)}")
    location = " ".join(intervention.location.split())
    if len(location) > MAX_LOCATION:
        raise ValueError(f"location: at most {MAX_LOCATION} characters")
    if kind in _NEEDS_CHARACTER and not intervention.character_id:
        raise ValueError(f"character_id is required for a {kind}")
    newcomer_ok = kind == "enter" and intervention.sheet is not None
    if intervention.character_id and intervention.character_id not in cast and not newcomer_ok:
        raise ValueError(f"character {intervention.character_id[:64]!r} is not in this run")
    return Intervention(
        intervention.turn, kind, intervention.character_id, text, location, intervention.sheet
    )


def due(interventions: Iterable[Intervention], turn: int) -> tuple[Intervention, ...]:
    """Those applied at the start of `turn`, in the order they were given."""
    return tuple(i for i in interventions if i.turn == turn)


def direct(
    state: WorldState, interventions: Sequence[Intervention], turn: int, events: list[TurnEvent]
) -> None:
    """Apply each intervention to `state` (the turn's working copy) and append its event."""
    for intervention in interventions:
        event = _apply(state, intervention, turn, len(events))
        events.append(event)


def _place(state: WorldState, wanted: str, fallback: str) -> str:
    for place in state.locations:
        if place.lower() == wanted.lower():
            return place
    return fallback or state.locations[0]


def _apply(state: WorldState, iv: Intervention, turn: int, sequence: int) -> TurnEvent:
    char = state.find_character(iv.character_id) if iv.character_id else None
    here = char.location if char is not None else ""
    place = _place(state, iv.location, here)
    outcome = "success"
    if iv.kind == "goal" and char is not None:
        char.goals = [iv.text]
    elif iv.kind == "leave" and char is not None and char.alive:
        char.alive = False
        char.location = ""  # gone from every place: nobody finds a body
        char.guarding = ""
    elif iv.kind == "enter" and char is not None and not char.alive and char.health > 0:
        char.alive = True
        char.location = place
    elif iv.kind == "enter" and char is None and iv.sheet is not None:
        char = newcomer(state, CharacterSheet.from_dict(iv.sheet), place)
    elif iv.kind in ("leave", "enter"):
        outcome = "failure"  # already gone, already here, or dead
    event = TurnEvent(
        turn=turn,
        sequence=sequence,
        actor_id=DIRECTOR_ID,
        actor_name=DIRECTOR_NAME,
        action=iv.kind if iv.kind != "event" else "intervention",
        target_id=iv.character_id,
        target_name=char.name if char is not None else "",
        location=here if iv.kind == "leave" else place,
        motive="",
        outcome=outcome,
        roll=0,
        difficulty=0,
        effects=(Effect(f"directed_{iv.kind}", iv.character_id, iv.text),),
    )
    if iv.kind in ("whisper", "goal"):
        if char is not None and char.alive:  # told to one character only
            char.remember(
                Memory(turn, sequence, DIRECTOR_ID, event.action, char.id, place, outcome)
            )
    else:
        record(state, event)
    return event
