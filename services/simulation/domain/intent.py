"""What a character means to do, and the shared measures its choice is built from."""

from __future__ import annotations

from dataclasses import dataclass

from .actions import Action
from .director import CharacterView, SeenCharacter
from .goals import Drive

GOAL = 0.4  # pull of a goal that favours an action
SHARE_MOTIVE = "eager to share what they found"  # only true while the listener lacks it


@dataclass(frozen=True)
class Intent:
    action: Action
    target_id: str = ""
    target_name: str = ""
    motive: str = ""


Option = tuple[float, Intent]


def hostility(other: SeenCharacter) -> float:
    """How much of a threat the viewer takes `other` to be, 0..1."""
    level = max(0.0, -other.regard) + 0.35 * other.grudge
    if not other.ally:
        level += 0.1 * other.violence
    return min(1.0, level)


def threat_here(view: CharacterView) -> tuple[float, SeenCharacter | None]:
    worst: SeenCharacter | None = None
    level = 0.0
    for other in view.present:
        if hostility(other) > level:
            worst, level = other, hostility(other)
    return level, worst


def arrived_last_turn(view: CharacterView) -> bool:
    mine = [m for m in view.memories if m.actor_id == view.id]
    return bool(mine) and mine[-1].action in (Action.MOVE, Action.FLEE)


def pull(drives: dict[Action, Drive], action: Action) -> float:
    """The goal pull towards `action`, 0..GOAL."""
    drive = drives.get(action)
    return GOAL * drive.weight if drive else 0.0
