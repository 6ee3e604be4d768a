"""CPU time spent in the pure domain (the engine, the chronicler), per process.

The benchmarks divide the whole stack's CPU by this counter's growth: the overhead
ratio, i.e. how much plumbing each unit of real work costs. Thread CPU time, not wall
time, so a turn that waits for a core is not counted as work.

Timing a block is cheap (two clock reads); adding to an OpenTelemetry counter is not
(attributes hashed, a lock, an aggregation: ~10 µs, more than a short turn's share of
plumbing). So a unit of work times its blocks into one `DomainCpu` and counts it once:
a run pays one add, not one per turn or chapter.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from novel_platform import semconv, telemetry

_cpu = telemetry.meter(__name__).create_counter(
    semconv.DOMAIN_CPU_TIME, unit="s", description="CPU seconds spent in the pure domain"
)


class DomainCpu:
    """The thread CPU of one part ("engine" or "chronicler") over any number of blocks
    (`with tally: ...`), added to the counter by `count()`."""

    __slots__ = ("_attributes", "_started", "seconds")

    def __init__(self, part: str) -> None:
        self._attributes = {semconv.DOMAIN_PART: part}
        self._started = 0.0
        self.seconds = 0.0

    def __enter__(self) -> None:
        self._started = time.thread_time()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.seconds += time.thread_time() - self._started

    def count(self) -> None:
        """Add what was timed since the last count (nothing when nothing was)."""
        if self.seconds:
            _cpu.add(self.seconds, self._attributes)
            self.seconds = 0.0


@contextmanager
def domain_cpu(part: str) -> Iterator[None]:
    """Count the CPU time of one block as `part` (a unit of one block)."""
    tally = DomainCpu(part)
    try:
        with tally:
            yield
    finally:
        tally.count()
