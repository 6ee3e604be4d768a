"""Character service settings (NE_* variables)."""

from __future__ import annotations

from pydantic import Field

from novel_platform.config import BaseServiceSettings, DatabaseSettings, GrpcServerSettings


class CharacterSettings(BaseServiceSettings, DatabaseSettings, GrpcServerSettings):
    grpc_port: int = Field(default=50051, ge=0, le=65535)
