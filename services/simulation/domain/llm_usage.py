"""A simulation's model usage, as stored in `simulations.llm_usage`.

The decisions' counts sit at the top level (the runner owns them and writes them with
each batch); the narration's under NARRATION, added one turn at a time from the story
service's story.narration_used events. Kept apart, neither writer can overwrite the
other's. What a reader is shown (`totals`) adds the two up.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

NARRATION = "narration_usage"
# The counts each side keeps; the same names in the stored JSON and in LlmUsagePart.
COUNTS = (
    "calls",
    "input_tokens",
    "output_tokens",
    "fallbacks",
    "fallback_reasons",
    "budget_exhausted",
    "replayed_calls",
)


def empty_part() -> dict[str, Any]:
    return {
        "calls": 0,
        "input_tokens": 0,
        "output_tokens": 0,
        "fallbacks": 0,
        "fallback_reasons": {},
        "budget_exhausted": False,
        "replayed_calls": 0,
    }


def decision_part(usage: Mapping[str, Any]) -> dict[str, Any]:
    return {k: usage[k] for k in COUNTS}


def narration_part(usage: Mapping[str, Any]) -> dict[str, Any]:
    """A run's narration so far (a row from before narration was counted: none)."""
    return {**empty_part(), **usage.get(NARRATION, {})}


def without_narration(usage: Mapping[str, Any]) -> dict[str, Any]:
    """What the runner stores: everything but the narration's part."""
    return {k: v for k, v in usage.items() if k != NARRATION}


def reset(usage: Mapping[str, Any], replay_of: str) -> dict[str, Any]:
    """A replay's usage at its start: the source's plan and estimate, no counts yet."""
    return {**usage, **empty_part(), NARRATION: empty_part(), "replay_of": replay_of}


def add_narration(
    part: Mapping[str, Any],
    *,
    calls: int,
    input_tokens: int,
    output_tokens: int,
    replayed_calls: int,
    fallback: str,
    budget_exhausted: bool,
) -> dict[str, Any]:
    """The narration's part with one more turn's chapter."""
    reasons = Counter(part["fallback_reasons"])
    if fallback:
        reasons[fallback] += 1
    return {
        "calls": part["calls"] + calls,
        "input_tokens": part["input_tokens"] + input_tokens,
        "output_tokens": part["output_tokens"] + output_tokens,
        "fallbacks": part["fallbacks"] + (1 if fallback else 0),
        "fallback_reasons": dict(sorted(reasons.items())),
        "budget_exhausted": part["budget_exhausted"] or budget_exhausted,
        "replayed_calls": part["replayed_calls"] + replayed_calls,
    }


def totals(usage: Mapping[str, Any]) -> dict[str, Any]:
    """Decisions and narration together: what the simulation shows and its budget counts."""
    decided, narrated = decision_part(usage), narration_part(usage)
    reasons = Counter(decided["fallback_reasons"]) + Counter(narrated["fallback_reasons"])
    summed = {k: decided[k] + narrated[k] for k in COUNTS if k not in _NOT_SUMMED}
    return {
        **summed,
        "fallback_reasons": dict(sorted(reasons.items())),
        "budget_exhausted": decided["budget_exhausted"] or narrated["budget_exhausted"],
    }


_NOT_SUMMED = ("fallback_reasons", "budget_exhausted")
