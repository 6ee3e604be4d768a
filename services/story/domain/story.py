"""A story as the service keeps it: its status and its stored record (pure, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from services.story.domain.model import Chapter, StoryContext


class StoryStatus(StrEnum):
    """The stored status of a story; the values are what the database and the API hold."""

    WRITING = "writing"
    COMPLETED = "completed"
    FAILED = "failed"


@dataclass(frozen=True)
class StoryRecord:
    id: str
    tenant_id: str
    simulation_id: str
    title: str
    status: StoryStatus
    narrative_style: str
    context: StoryContext | None
    opening: str
    closing: str
    turns_total: int
    turns_expected: int | None
    chapters_written: int
    failure_reason: str
    created_at: datetime
    completed_at: datetime | None
    chapters: tuple[Chapter, ...] = ()
