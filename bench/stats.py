"""From raw request records to per-step figures.

A request belongs to the step in whose measured window it *started* (its outcome is
waited for, even past the window), so every request started under a load level is
judged under it, failures and timeouts included. Throughput counts the requests that
*completed* inside the window, per second: the rate the system actually delivered.
Requests started during a ramp are counted too, apart from the steps' figures.
"""

from __future__ import annotations

import csv
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.scenario import ACTIONS, ENDPOINTS, Record

# The short requests: what a person clicking around waits for.
READS = ("health", "characters", "character")

PERCENTILES = (50, 95, 99)


@dataclass(frozen=True)
class Window:
    users: int
    ramp_start: float
    start: float  # the measured window: after the ramp
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


def percentile(ordered: list[float], q: float) -> float:
    """Nearest-rank percentile of sorted values (0 for none)."""
    if not ordered:
        return 0.0
    rank = max(math.ceil(q / 100 * len(ordered)), 1)
    return ordered[rank - 1]


def summarize(records: list[Record], completed: int, seconds: float) -> dict[str, Any]:
    """Counts, success rate, latency percentiles (ms, failures included), errors."""
    latencies = sorted(r.latency for r in records)
    failed = sum(1 for r in records if r.error)
    out: dict[str, Any] = {
        "requests": len(records),
        "ok": len(records) - failed,
        "failed": failed,
        "success_percent": 100.0 * (len(records) - failed) / len(records) if records else None,
        "throughput_per_s": completed / seconds if seconds > 0 else 0.0,
        "mean_ms": 1000 * sum(latencies) / len(latencies) if latencies else 0.0,
        "max_ms": 1000 * latencies[-1] if latencies else 0.0,
        "errors": dict(Counter(r.error for r in records if r.error).most_common()),
        "statuses": {str(k): v for k, v in sorted(Counter(r.status for r in records).items())},
    }
    for q in PERCENTILES:
        out[f"p{q}_ms"] = 1000 * percentile(latencies, q)
    return out


def step_stats(records: Iterable[Record], window: Window) -> dict[str, Any]:
    started: dict[str, list[Record]] = defaultdict(list)
    completed: Counter[str] = Counter()
    stories_done = 0
    ramp: list[Record] = []
    for r in records:
        if window.start <= r.start < window.end:
            started[r.endpoint].append(r)
        elif window.ramp_start <= r.start < window.start:
            ramp.append(r)
        if window.start <= r.start + r.latency < window.end:
            completed[r.endpoint] += 1
            if r.endpoint == "story" and not r.error:
                stories_done += 1
    seconds = window.seconds
    endpoints = {ep: summarize(started[ep], completed[ep], seconds) for ep in ENDPOINTS}
    actions = [r for ep in ACTIONS for r in started[ep]]
    overall = summarize(actions, sum(completed[ep] for ep in ACTIONS), seconds)
    reads = [r for ep in READS for r in started[ep]]
    return {
        "users": window.users,
        "seconds": seconds,
        "overall": overall,
        "reads": summarize(reads, sum(completed[ep] for ep in READS), seconds),
        "endpoints": endpoints,
        "stories_per_minute": 60 * stories_done / seconds if seconds > 0 else 0.0,
        "ramp": {"requests": len(ramp), "failed": sum(1 for r in ramp if r.error)},
    }


def capacity(
    steps: list[dict[str, Any]], success: float, p95_ms: float, latency_of: str = "overall"
) -> int | None:
    """The most users of any step served at >= `success` % (overall) with a p95 under
    `p95_ms`, of all actions ("overall") or of the GET requests only ("reads")."""
    passing = [
        s["users"]
        for s in steps
        if s["overall"]["requests"]
        and s["overall"]["success_percent"] >= success
        and s[latency_of]["p95_ms"] < p95_ms
    ]
    return max(passing, default=None)


def lag_stats(lags: list[tuple[float, float]], window: Window) -> dict[str, float]:
    """The generator's event-loop lag in the window (ms): high means it was CPU-starved."""
    values = sorted(lag for t, lag in lags if window.start <= t < window.end)
    return {"p99_ms": 1000 * percentile(values, 99), "max_ms": 1000 * (values[-1] if values else 0)}


def write_requests(path: Path, records: list[Record], windows: list[Window]) -> None:
    """Every request as a CSV row, for checking the figures or plotting them.

    start_s is seconds since the first ramp began; phase is "<users> users" for the
    measured windows, "ramp to <users>" for the ramps, "" otherwise.
    """
    origin = windows[0].ramp_start if windows else min((r.start for r in records), default=0.0)
    with path.open("w", newline="") as f:
        out = csv.writer(f)
        out.writerow(["endpoint", "start_s", "latency_ms", "status", "error", "phase"])
        for endpoint, start, latency, status, error in sorted(records, key=lambda r: r.start):
            phase = ""
            for w in windows:
                if w.start <= start < w.end:
                    phase = f"{w.users} users"
                elif w.ramp_start <= start < w.start:
                    phase = f"ramp to {w.users}"
            out.writerow(
                [endpoint, f"{start - origin:.4f}", f"{1000 * latency:.2f}", status, error, phase]
            )
