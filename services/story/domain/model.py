"""The chronicler's own view of a simulation: context in, chapters out.

EventView/EffectView are the platform's TurnEvent/Effect (novel_platform/turn_events.py),
the shape the simulation emits; the story builds them from the protobuf it receives.
"""

from __future__ import annotations

from dataclasses import dataclass

from novel_platform.turn_events import Effect, TurnEvent

# The chronicler's names for the shared shapes (one definition, not a copy).
EventView = TurnEvent
EffectView = Effect

# Three narrative styles, and "log" for game masters: the same events with the dice.
STYLES = ("epic", "detailed", "concise", "log")
NARRATIVE = ("epic", "detailed", "concise")
DIRECTOR_ID = "director"  # actor of world happenings such as storms


@dataclass(frozen=True)
class Participant:
    id: str
    name: str
    role: str = ""
    faction: str = ""


@dataclass(frozen=True)
class StoryContext:
    simulation_id: str
    participants: tuple[Participant, ...]
    setting: str
    scenario: str
    narrative_style: str  # "epic" | "detailed" | "concise" | "log"
    turns_total: int

    @property
    def variety_key(self) -> str:
        """Seeds the choice of phrasing. Built from the request, never from the
        simulation id: the same request with the same seed must read the same."""
        cast = ",".join(p.id for p in self.participants)
        return "|".join((cast, self.setting, self.scenario, self.narrative_style))


@dataclass(frozen=True)
class Chapter:
    number: int
    title: str
    text: str  # paragraphs separated by "\n\n"
    # For each paragraph, the events it tells ("<turn>.<sequence>"), in text order.
    paragraph_events: tuple[tuple[str, ...], ...] = ()
    patterns: tuple[str, ...] = ()  # the patterns the chapter is built around


def style_of(ctx: StoryContext) -> str:
    """The context's style, normalised; raises ValueError for an unknown one."""
    style = ctx.narrative_style.strip().lower()
    if style not in STYLES:
        raise ValueError(f"unknown narrative style {ctx.narrative_style!r}; use one of {STYLES}")
    return style
