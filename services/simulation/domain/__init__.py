"""Turn engine: a pure, deterministic multi-agent story simulation (no I/O)."""

from novel_platform.characters import STAT_NAMES

from .actions import CATALOGUE, COMPLICATION, DIRECTOR_ID, Action
from .director import CharacterView, build_view
from .engine import TurnResult, is_finished, run_turn, start_world
from .events import Effect, TurnEvent
from .sheets import CharacterSheet
from .world import WorldState

__all__ = [
    "CATALOGUE",
    "COMPLICATION",
    "DIRECTOR_ID",
    "STAT_NAMES",
    "Action",
    "CharacterSheet",
    "CharacterView",
    "Effect",
    "TurnEvent",
    "TurnResult",
    "WorldState",
    "build_view",
    "is_finished",
    "run_turn",
    "start_world",
]
