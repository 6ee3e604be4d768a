"""The chronicler: turns a simulation's events into a story (pure, no I/O)."""

from .chronicler import write_chapter, write_closing, write_opening, write_title
from .model import STYLES, Chapter, EffectView, EventView, Participant, StoryContext

__all__ = [
    "STYLES",
    "Chapter",
    "EffectView",
    "EventView",
    "Participant",
    "StoryContext",
    "write_chapter",
    "write_closing",
    "write_opening",
    "write_title",
]
