"""What a virtual user does, shared by the coordinator and the load-generator processes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

# The user actions of the old assessment, in report order. A story generation is one
# action (POST /v1/simulations, then its event stream to the end); its POST is also
# reported as a row of its own, outside the overall figures.
ACTIONS = ("health", "characters", "character", "simulation", "story")
STORY_POST = "story_post"
ENDPOINTS = (*ACTIONS, STORY_POST)

LABELS = {
    "health": "GET /health",
    "characters": "GET /characters",
    "character": "GET /characters/{id}",
    "simulation": "POST /simulations (sync)",
    "story": "story generation (async + SSE)",
    STORY_POST: "POST /v1/simulations",
}


class Record(NamedTuple):
    """One request as measured."""

    endpoint: str
    start: float  # time.monotonic(): one clock for every process of the machine
    latency: float
    status: int  # 0 when no response arrived
    # "" for a success, else "timeout", "connection", "http <status>", "stream ended",
    # "simulation failed", "protocol" or "cancelled"
    error: str


@dataclass(frozen=True)
class Scenario:
    """Everything a load-generator process needs; picklable."""

    base_url: str
    api_key: str
    character_ids: tuple[str, ...]
    weights: tuple[tuple[str, float], ...]
    think_min: float = 1.0
    think_max: float = 5.0
    characters_min: int = 2
    characters_max: int = 4
    turns_min: int = 2
    turns_max: int = 5
    timeout: float = 30.0
    story_timeout: float = 120.0
    seed: int | None = None


# Workload presets (`--mix`); `--weights` changes single weights on top of one.
MIXES: dict[str, dict[str, float]] = {
    # Today's mix: equal shares of every action, the async story included.
    "default": dict.fromkeys(ACTIONS, 1.0),
    # The old assessment's workload: equal shares of the three GETs and the synchronous
    # POST /simulations, no async story action (think time 1-5 s, the default).
    "seed": {**dict.fromkeys(ACTIONS, 1.0), "story": 0.0},
}


def parse_weights(text: str, mix: str = "default") -> tuple[tuple[str, float], ...]:
    """`health=1,story=2`: unnamed actions keep the mix's weight; 0 switches one off."""
    weights = dict(MIXES[mix])
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        if not sep or name.strip() not in weights:
            raise ValueError(f"weights: expected name=number with a name of {', '.join(ACTIONS)}")
        weight = float(value)
        if weight < 0:
            raise ValueError(f"weights: {name} must not be negative")
        weights[name.strip()] = weight
    if not any(weights.values()):
        raise ValueError("weights: at least one action needs a weight above 0")
    return tuple((name, w) for name, w in weights.items())


def parse_counts(text: str) -> list[int]:
    """`10,25,50`: positive integers."""
    counts = [int(p) for p in text.split(",") if p.strip()]
    if not counts or min(counts) < 1:
        raise ValueError("expected a comma-separated list of positive integers")
    return counts
