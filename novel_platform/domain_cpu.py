"""CPU time spent in the pure domain (the engine, the chronicler), per process.

The benchmarks divide the whole stack's CPU by this counter's growth: the overhead
ratio, i.e. how much plumbing each unit of real work costs. Thread CPU time, not wall
time, so a turn that waits for a core is not counted as work.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from novel_platform import semconv, telemetry

_cpu = telemetry.meter(__name__).create_counter(
    semconv.DOMAIN_CPU_TIME, unit="s", description="CPU seconds spent in the pure domain"
)


@contextmanager
def domain_cpu(part: str) -> Iterator[None]:
    """Count the CPU time of the block as `part` ("engine" or "chronicler")."""
    started = time.thread_time()
    try:
        yield
    finally:
        _cpu.add(time.thread_time() - started, {semconv.DOMAIN_PART: part})
