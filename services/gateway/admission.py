"""Admission of new simulations: a bound on the starts one gateway process has in flight.

When the simulation service is saturated, a start waits in its queue before any code
of ours runs, so the service's own backpressure (429) comes too late and the caller
gets a 504 at the deadline instead. Counting the starts still in flight here refuses
the excess at once with 503 + Retry-After, and keeps the wait of those admitted short.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from services.gateway.errors import ApiError


class StartAdmission:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_flight = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a slot for one start; ApiError 503 when none is free."""
        if self.in_flight >= self.limit:
            raise ApiError(
                503,
                "overloaded: too many simulations starting; retry shortly",
                headers={"Retry-After": "1"},
            )
        self.in_flight += 1
        try:
            yield
        finally:
            self.in_flight -= 1
