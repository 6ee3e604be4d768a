"""The overhead ratio: the whole stack's CPU divided by the CPU the engine and the
chronicler spent on the same work, both read at the same two instants.

The stack's CPU is every process's own counter (procs.cpu_seconds: PostgreSQL's
backends and the gateway's workers included); the domain's is the services' counter
`novel.domain.cpu_time` (novel_platform.domain_cpu), measured in process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from bench import counters
from bench.procs import cpu_seconds
from bench.target import Target


@dataclass(frozen=True)
class StackReading:
    t: float  # time.monotonic()
    cpu: dict[str, float]  # process group -> CPU seconds so far
    scraped: dict[str, dict[tuple[str, str], float]]  # process -> Prometheus samples

    @property
    def domain(self) -> dict[str, float]:
        return counters.domain_cpu(self.scraped)


class StackMeter:
    """Reads the stack's CPU and its services' counters together."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.urls = target.metrics_urls()

    @property
    def available(self) -> bool:
        """The domain counter can be read only from a stack the benchmark started."""
        return bool(self.urls)

    def read(self) -> StackReading:
        # The target's groups now: a simulation worker added later is read from then on.
        self.urls = self.target.metrics_urls()
        cpu = {g.name: cpu_seconds(g) for g in self.target.groups}
        return StackReading(time.monotonic(), cpu, counters.scrape(self.urls))


def cpu_delta(before: StackReading, after: StackReading) -> dict[str, float]:
    """CPU seconds per group between the readings (groups present in both)."""
    return {n: max(after.cpu[n] - before.cpu[n], 0.0) for n in after.cpu if n in before.cpu}


def overhead(before: StackReading, after: StackReading) -> dict[str, Any]:
    """Stack CPU, engine and chronicler CPU (seconds) and their ratio (None when the
    domain did no measurable work, or its counter could not be read)."""
    stack = sum(cpu_delta(before, after).values())
    start, end = before.domain, after.domain
    domain = {part: max(end.get(part, 0.0) - start.get(part, 0.0), 0.0) for part in end}
    work = sum(domain.values())
    return {
        "stack_cpu_seconds": stack,
        "domain_cpu_seconds": domain,
        "ratio": stack / work if work > 0 else None,
    }


def ratio_text(ratio: float | None) -> str:
    return "-" if ratio is None else f"{ratio:.1f}"
