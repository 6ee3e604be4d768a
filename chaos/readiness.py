"""Readiness through the campaign: every process's own verdict (the gateway's /readyz,
each service's gRPC health), sampled twice a second, and what must hold around each
outage of NATS or PostgreSQL: not ready during it, ready again after it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

# Time a process gets after an outage ends to report ready again: the probe runs every
# second, the supervisor may have to restart a process that gave up meanwhile.
RECOVERY_SECONDS = 45.0


@dataclass(frozen=True)
class Sample:
    at: float  # seconds after the load started
    ready: dict[str, bool]


@dataclass(frozen=True)
class Outage:
    target: str  # nats | postgres
    started: float
    ended: float


@dataclass
class ReadinessSampler:
    """Samples `probe(name)` for every name `names()` gives, until stopped."""

    names: Callable[[], list[str]]
    probe: Callable[[str], bool]
    started: float
    every: float = 0.5
    samples: list[Sample] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        with ThreadPoolExecutor(max_workers=8, thread_name_prefix="readiness") as pool:
            while not self._stop.is_set():
                names = self.names()
                at = time.monotonic() - self.started
                verdicts = list(pool.map(self.probe, names))
                self.samples.append(Sample(at, dict(zip(names, verdicts, strict=True))))
                self._stop.wait(self.every)

    def stop(self) -> None:
        self._stop.set()


def readiness_problems(samples: list[Sample], outages: list[Outage]) -> list[str]:
    """For each outage: every process was seen not ready during it (after its first
    1.5 s, past the probe's interval; a restart is too short to require it), and every
    process was seen ready again within RECOVERY_SECONDS after it ended."""
    problems = []
    for outage in outages:
        during = [s for s in samples if outage.started + 1.5 <= s.at <= outage.ended]
        after = [s for s in samples if outage.ended < s.at <= outage.ended + RECOVERY_SECONDS]
        label = f"{outage.target} out {outage.started:.0f}-{outage.ended:.0f}s"
        held = outage.ended - outage.started >= 5
        if held and not during:
            problems.append(f"{label}: no readiness sample during it")
        for name in sorted({n for s in during for n in s.ready} if held else ()):
            if all(s.ready.get(name, False) for s in during):
                problems.append(f"{label}: {name} stayed ready")
        recovered = next((s for s in after if all(s.ready.values())), None)
        if recovered is None:
            problems.append(f"{label}: not every process ready {RECOVERY_SECONDS:.0f}s after it")
    return problems


def recovery_seconds(samples: list[Sample], outage: Outage) -> float | None:
    """Seconds from the end of the outage to the first sample with every process ready."""
    for s in samples:
        if s.at > outage.ended and all(s.ready.values()):
            return s.at - outage.ended
    return None
