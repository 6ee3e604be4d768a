"""Story service settings (NE_* variables)."""

from __future__ import annotations

from pydantic import Field

from novel_platform.config import BaseServiceSettings, DatabaseSettings, GrpcServerSettings
from novel_platform.llm.backend import LlmSettings
from novel_platform.subjects import SIMULATION_STREAM


class StorySettings(BaseServiceSettings, DatabaseSettings, GrpcServerSettings, LlmSettings):
    grpc_port: int = Field(default=50053, ge=0, le=65535)
    # Simulation events in flight at once per replica (NE_STORY_CONSUMER_CONCURRENCY).
    # It also caps how many of one simulation's events can share a batch; events
    # waiting for their batch hold no database connection, so it can exceed the pool.
    story_consumer_concurrency: int = Field(default=64, ge=1, le=256)
    # Applied event ids are forgotten after this long. Never below the SIMULATION
    # stream's retention: a message it still holds may be redelivered.
    story_inbox_retention_seconds: float = Field(
        default=SIMULATION_STREAM.max_age_seconds + 24 * 3600,
        ge=SIMULATION_STREAM.max_age_seconds,
    )
    story_inbox_prune_interval_seconds: float = Field(default=3600.0, gt=0)
