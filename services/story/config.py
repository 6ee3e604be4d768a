"""Story service settings (NE_* variables)."""

from __future__ import annotations

from pydantic import Field

from novel_platform.config import BaseServiceSettings, DatabaseSettings, GrpcServerSettings


class StorySettings(BaseServiceSettings, DatabaseSettings, GrpcServerSettings):
    grpc_port: int = Field(default=50053, ge=0, le=65535)
    # Simulation events handled at once by one replica (NE_STORY_CONSUMER_CONCURRENCY).
    story_consumer_concurrency: int = Field(default=8, ge=1, le=256)
