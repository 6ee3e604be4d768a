"""What happened in a turn, field for field as the wire carries it (pure, no I/O).

The simulation emits these and the story service reads them (over protobuf); one
definition keeps the two views from drifting apart.

Effect conventions (the story service relies on them):

- moved: subject = character; detail "to <location>".
- injured: subject = character; detail "<n> damage"; value n.
- killed: subject = character; detail the cause, e.g. "by Kade" or "by the dust storm".
- healed: subject = character; detail "<n> health"; value n.
- relationship: subject = the character whose regard changed; the other party is the
  event's actor, or its target when the subject is the actor; value = the change.
- clue_found: subject = clue id; detail = clue name; the finder is the event's actor.
- learned: subject = character told of a clue; detail = clue name.
- lead: subject = character; detail = location where something seems hidden.
- misled: subject = character; detail = location of a false lead.
- spotted: subject = character seen from afar; detail = their location.
- alerted: subject = character now watchful.
- item_gained / item_lost: subject = character; detail = item name.
- repaired / broken: subject = item id; detail = item name.
- defended: subject = the protected character; detail e.g. "guarded by Tomas".
- revealed: subject = item, clue or location id; detail = what came to light.
- source: subject = who first found a clue; detail "<clue name>|<location>" (location ""
  when unknown). Beside a clue found again, told, known already or argued from, the key
  clue of a resolution, and a fruitless search or look at a place where a clue was found.
- voice: subject = a speaker; detail = temperament; value = regard for the other party.
  Both sides of a spoken action; the doer alone of a find, a repair, a resolution or a
  hurt of their own (value 0); on the director's events, the first one a storm struck, the
  first to notice what a tremor showed, or whose tool broke.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Effect:
    kind: str
    subject_id: str
    detail: str
    value: float = 0.0

    def __post_init__(self) -> None:
        # Fixed precision keeps serialized events byte-identical everywhere.
        object.__setattr__(self, "value", round(float(self.value), 3))


@dataclass(frozen=True)
class TurnEvent:
    turn: int
    sequence: int
    actor_id: str
    actor_name: str
    action: str
    target_id: str
    target_name: str
    location: str
    motive: str
    outcome: str
    roll: int
    difficulty: int
    effects: tuple[Effect, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible copy (effects as a list of dicts)."""
        return {
            "turn": self.turn,
            "sequence": self.sequence,
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "action": self.action,
            "target_id": self.target_id,
            "target_name": self.target_name,
            "location": self.location,
            "motive": self.motive,
            "outcome": self.outcome,
            "roll": self.roll,
            "difficulty": self.difficulty,
            "effects": [
                {
                    "kind": e.kind,
                    "subject_id": e.subject_id,
                    "detail": e.detail,
                    "value": e.value,
                }
                for e in self.effects
            ],
        }
