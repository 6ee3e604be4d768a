"""The words a model gets for one decision, and how its answer is read.

The prompt holds only the character's view (director.build_view): itself, who and what
is where it stands, what it remembers and the clues it knows. Other characters appear
under names it has seen; anyone else in a memory is "someone". The answer is a JSON
object naming one of the numbered options; anything else is refused (None), and the
persona policy decides instead.
"""

from __future__ import annotations

import json
from typing import Any

from .choices import DecisionPoint
from .director import CharacterView
from .intent import Intent

SYSTEM = (
    "You decide what one character in a story does next. You know only what the "
    "character knows. Pick exactly one of the numbered options, the one this character "
    "would most plausibly choose given their traits, goals, feelings and situation."
)
MEMORY_LINES = 6


def schema(count: int) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"option": {"type": "integer", "minimum": 1, "maximum": count}},
        "required": ["option"],
        "additionalProperties": False,
    }


def _label(intent: Intent) -> str:
    target = f" {intent.target_name}" if intent.target_name else ""
    motive = f" ({intent.motive})" if intent.motive else ""
    return f"{intent.action.value}{target}{motive}"


def _names(view: CharacterView) -> dict[str, str]:
    known = {view.id: view.name}
    known.update({c.id: c.name for c in view.present})
    known.update({w.id: w.name for w in view.elsewhere})
    return known


def describe(view: CharacterView) -> list[str]:
    traits = ", ".join(f"{k} {v:.1f}" for k, v in sorted(view.traits.items()))
    stats = ", ".join(f"{k} {v}" for k, v in sorted(view.stats.items()))
    lines = [
        f"You are {view.name}"
        + (f", {view.role}" if view.role else "")
        + (f" of the {view.faction}" if view.faction else "")
        + ".",
        f"Turn {view.turn} of {view.turns_total}. Health {view.health}/{view.max_health}.",
        f"Traits: {traits or 'none noted'}. Stats: {stats or 'ordinary'}.",
        "Goals: " + ("; ".join(view.goals) or "none") + ".",
        f"You are at {view.location}. Places: {', '.join(view.locations)}.",
    ]
    if view.objective:
        lines.append(f"The task at hand: {view.objective}.")
    for c in view.present:
        feeling = "ally" if c.ally else f"regard {c.regard:+.1f}"
        lines.append(
            f"Here with you: {c.name} ({c.role or 'stranger'}, {feeling}, "
            f"health {round(c.health_ratio * 100)}%)"
            + (f", carrying {', '.join(c.items)}" if c.items else "")
        )
    lines += [f"Last seen: {w.name} at {w.location}." for w in view.elsewhere]
    if view.fallen_here:
        lines.append(f"Fallen here: {', '.join(view.fallen_here)}.")
    if view.carried:
        lines.append("You carry: " + ", ".join(i.name for i in view.carried) + ".")
    if view.lying_here:
        lines.append("Lying here: " + ", ".join(i.name for i in view.lying_here) + ".")
    if view.clues:
        lines.append("You know of: " + ", ".join(c.name for c in view.clues) + ".")
    names = _names(view)
    for m in view.memories[-MEMORY_LINES:]:
        who = names.get(m.actor_id, "someone")
        whom = f" {names.get(m.target_id, 'someone')}" if m.target_id in names else ""
        lines.append(
            f"You remember: turn {m.turn}, {who} {m.action}{whom} at {m.location} ({m.outcome})."
        )
    return lines


def decision_request(point: DecisionPoint) -> tuple[str, str, dict[str, Any]]:
    """(system, user, schema) for this decision."""
    numbered = [f"{n}. {_label(intent)}" for n, intent in enumerate(point.options, 1)]
    user = "\n".join([*describe(point.view), "Options:", *numbered])
    return SYSTEM, user, schema(len(point.options))


def read_choice(point: DecisionPoint, content: str) -> Intent | None:
    """The option the answer names, or None for anything but one valid option number."""
    try:
        answer = json.loads(content)
    except ValueError:
        return None
    option = answer.get("option") if isinstance(answer, dict) else None
    if isinstance(option, bool) or not isinstance(option, int):
        return None
    if not 1 <= option <= len(point.options):
        return None
    return point.options[option - 1]
