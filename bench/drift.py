"""Memory drift over a measured window, and the soak verdict built on it.

Start and end are means over spans of the once-a-second samples rather than single
samples, so one spike (a garbage collection, a new PostgreSQL backend) does not decide
whether memory grew. Pure functions of the sampler's ticks: unit-tested without a stack.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bench.procs import Tick

LONG_WINDOW_SECONDS = 300.0  # from this window length on, the spans are one minute
LONG_SPAN_SECONDS = 60.0
SHORT_SPAN_FRACTION = 0.2
SOAK_TOLERANCE_PERCENT = 10.0
SPAN_RULE = "the first and the last minute of the window (its first and last 20 % if it is "
SPAN_RULE += "shorter than 5 min); at least one sample each"


def span_seconds(window_seconds: float) -> float:
    """How much of each end of a window is averaged."""
    if window_seconds >= LONG_WINDOW_SECONDS:
        return LONG_SPAN_SECONDS
    return SHORT_SPAN_FRACTION * window_seconds


def change_percent(start: float | None, end: float | None) -> float | None:
    if start is None or end is None or start <= 0:
        return None
    return 100.0 * (end - start) / start


def memory_drift(
    ticks: Sequence[Tick], start: float, end: float, groups: Iterable[str]
) -> dict[str, Any]:
    """Per group: mean RSS and PSS (MiB) over the start and the end span of the window
    [start, end] (monotonic seconds), and the change in % from one to the other.

    A memory figure is a sample taken at the tick's time `t`, so samples are placed by
    `t`. Span times in the result are seconds from the window's start.
    """
    samples = [k for k in ticks if start <= k.t <= end]
    span = span_seconds(end - start)
    # A window too short for a sample in a span still compares its first and last samples.
    head = [k for k in samples if k.t < start + span] or samples[:1]
    tail = [k for k in samples if k.t > end - span] or samples[-1:]
    return {
        "window_seconds": end - start,
        "span_seconds": span,
        "start": _span(head, start),
        "end": _span(tail, start),
        "groups": {name: _group(name, head, tail) for name in groups},
    }


def _span(ticks: list[Tick], origin: float) -> dict[str, Any]:
    return {
        "samples": len(ticks),
        "from_s": ticks[0].t - origin if ticks else None,
        "to_s": ticks[-1].t - origin if ticks else None,
    }


def _group(name: str, head: list[Tick], tail: list[Tick]) -> dict[str, Any]:
    # A sample in which none of the group's processes was found is no measure of its memory.
    first = [k for k in head if k.count.get(name, 0) > 0]
    last = [k for k in tail if k.count.get(name, 0) > 0]
    out: dict[str, Any] = {"samples": [len(first), len(last)]}
    for kind in ("rss", "pss"):
        a = _mean([(k.rss if kind == "rss" else k.pss)[name] / 2**20 for k in first])
        b = _mean([(k.rss if kind == "rss" else k.pss)[name] / 2**20 for k in last])
        out[f"{kind}_start_mib"] = a
        out[f"{kind}_end_mib"] = b
        out[f"{kind}_change_percent"] = change_percent(a, b)
    out["processes_start"] = _mean([float(k.count[name]) for k in first])
    out["processes_end"] = _mean([float(k.count[name]) for k in last])
    return out


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def soak_verdict(
    steps: list[dict[str, Any]],
    judged: Iterable[str],
    *,
    requests: int,
    failed: int,
    complete: bool,
    tolerance: float = SOAK_TOLERANCE_PERCENT,
) -> dict[str, Any]:
    """Whether the judged groups' PSS stayed within ±tolerance % (end vs start) in
    every step, and whether no request of the whole run failed (ramps included).

    PSS, not RSS: RSS counts PostgreSQL's shared buffers once per backend that touched
    them, so it grows with warm-up and connection count without any leak."""
    names = set(judged)
    rows = []
    for index, step in enumerate(steps):
        for name, g in step["memory_drift"]["groups"].items():
            if name not in names:
                continue
            changes = (g["rss_change_percent"], g["pss_change_percent"])
            flat = changes[1] is not None and abs(changes[1]) <= tolerance
            rows.append(
                {
                    "step": index,
                    "users": step["users"],
                    "group": name,
                    "rss_change_percent": changes[0],
                    "pss_change_percent": changes[1],
                    "flat": flat,
                }
            )
    memory_flat = bool(rows) and all(r["flat"] for r in rows)
    no_failures = requests > 0 and failed == 0
    return {
        "tolerance_percent": tolerance,
        "groups": rows,
        "memory_flat": memory_flat,
        "requests": requests,
        "failed_requests": failed,
        "no_failures": no_failures,
        "complete": complete,
        "holds": memory_flat and no_failures and complete,
    }
