"""Output events of a turn: the platform's TurnEvent and Effect (shared with the story)."""

from novel_platform.turn_events import Effect, TurnEvent

__all__ = ["Effect", "TurnEvent"]
