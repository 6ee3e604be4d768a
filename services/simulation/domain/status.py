"""The status of a simulation run (pure, no I/O)."""

from __future__ import annotations

from enum import StrEnum


class SimulationStatus(StrEnum):
    """The stored status of a simulation; the values are what the database holds."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


# A run in one of these is still to be worked on (a partial index holds only them).
ACTIVE = (SimulationStatus.QUEUED, SimulationStatus.RUNNING)
# A run in one of these is over; nothing changes it again.
TERMINAL = (SimulationStatus.COMPLETED, SimulationStatus.FAILED, SimulationStatus.CANCELLED)
