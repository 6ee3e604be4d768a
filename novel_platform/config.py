"""Configuration from NE_* environment variables, validated once at start."""

from __future__ import annotations

from typing import Literal, TypeVar

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "NE_"


class ConfigError(Exception):
    """Raised with a message naming every bad variable; entrypoints print it and exit 2."""


class BaseServiceSettings(BaseSettings):
    """Settings every service shares. Subclasses add their own and set defaults."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    nats_url: str = "nats://127.0.0.1:4222"
    # JetStream replicas of the streams and consumers a service declares: 3 on a
    # three-node cluster (prod overlay), 1 on a single server.
    nats_replicas: int = Field(default=1, ge=1, le=5)
    # Time in-flight work gets to finish after SIGTERM before it is cut off.
    shutdown_grace_seconds: float = Field(default=10.0, gt=0, le=300)
    # Prometheus scrape port (/metrics); 0 turns the endpoint off.
    metrics_port: int = Field(default=9464, ge=0, le=65535)
    # Consumers: a message failing transiently is retried after a backoff doubling from
    # 1 s up to this cap, until it is NE_RETRY_MAX_AGE_SECONDS old (then dead-lettered).
    retry_backoff_cap_seconds: float = Field(default=30.0, ge=1, le=3600)
    retry_max_age_seconds: float = Field(default=24 * 3600.0, ge=60)
    # Readiness (gRPC health, the gateway's /readyz) is probed in the background this
    # often; each probe's checks (database, NATS) get at most a second.
    readiness_interval_seconds: float = Field(default=1.0, gt=0, le=60)

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("nats_url")
    @classmethod
    def _nats_scheme(cls, value: str) -> str:
        if not value.startswith(("nats://", "tls://")):
            raise ValueError("must start with nats:// or tls://")
        return value


class DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    database_url: str
    db_pool_size: int = Field(default=10, ge=1, le=200)
    db_max_overflow: int = Field(default=10, ge=0, le=200)

    @field_validator("database_url")
    @classmethod
    def _postgres_only(cls, value: str) -> str:
        if not value.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
            raise ValueError("must be a postgresql:// URL")
        return value


class GrpcServerSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    grpc_port: int = Field(default=50051, ge=0, le=65535)
    grpc_host: str = "0.0.0.0"
    # Forces clients to reconnect now and then, so pods added by the autoscaler get traffic.
    grpc_max_connection_age_seconds: float = Field(default=300.0, gt=0)


class CharacterCacheSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    # Longest a cached character is served without a change event confirming it
    # (novel_platform/character_cache.py); 0 turns the cache off.
    character_cache_seconds: float = Field(default=60.0, ge=0, le=3600)


SettingsT = TypeVar("SettingsT", bound=BaseSettings)


def load_settings(cls: type[SettingsT]) -> SettingsT:
    """Build settings from the environment or raise ConfigError naming each bad variable."""
    try:
        return cls()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = ENV_PREFIX + "_".join(str(part) for part in error["loc"]).upper()
            problems.append(f"{name}: {error['msg']}")
        raise ConfigError("invalid configuration: " + "; ".join(problems)) from None
