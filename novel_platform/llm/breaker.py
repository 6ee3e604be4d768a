"""A circuit breaker per backend: after repeated failures, calls fail at once for a
cool-down instead of queueing on a model that is down; one trial call then decides."""

from __future__ import annotations

import time


class CircuitBreaker:
    def __init__(self, threshold: int = 5, cooldown_seconds: float = 10.0) -> None:
        self._threshold = threshold
        self._cooldown = cooldown_seconds
        self._failures = 0
        self._opened_at = 0.0
        self._trial = False

    @property
    def state(self) -> str:
        if self._failures < self._threshold:
            return "closed"
        return "half_open" if self._cooled() else "open"

    def _cooled(self) -> bool:
        return time.monotonic() - self._opened_at >= self._cooldown

    def allow(self) -> bool:
        """May a call go through now? In half-open, only one trial at a time."""
        if self._failures < self._threshold:
            return True
        if self._cooled() and not self._trial:
            self._trial = True
            return True
        return False

    def succeeded(self) -> None:
        self._failures = 0
        self._trial = False

    def failed(self) -> None:
        self._failures += 1
        self._trial = False
        if self._failures >= self._threshold:
            self._opened_at = time.monotonic()
