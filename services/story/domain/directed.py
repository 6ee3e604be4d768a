"""The director's interventions, as the story tells them (one sentence each).

The simulation marks each with a `directed_<kind>` effect carrying the user's text;
the actions are "intervention" (something happens), "whisper", "goal", "enter" and
"leave". An entrance or exit that could not happen (outcome "failure") is not told.
"""

from __future__ import annotations

from .model import EventView
from .naming import Names

DIRECTED = ("intervention", "whisper", "goal", "enter", "leave")


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    text = text[:1].upper() + text[1:]
    return text if text[-1] in ".!?\"'" else text + "."


def directed_line(event: EventView, names: Names) -> str:
    """The sentence for an intervention event ("" when there is nothing to tell)."""
    text = next((e.detail for e in event.effects if e.kind.startswith("directed_")), "")
    who = names.of(event.target_id, event.target_name) if event.target_id else ""
    if event.action == "intervention":
        return _sentence(text)
    if event.action == "whisper":
        return _sentence(f"word reached {who}, and no one else: {text}")
    if event.action == "goal":
        return _sentence(f"{who} set a new course: {text}")
    if event.outcome != "success":
        return ""
    if event.action == "leave":
        return _sentence(f"{who} left, and the story went on without them")
    return _sentence(f"{who} arrived at {names.place(event.location)}")
