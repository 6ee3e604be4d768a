"""Gateway settings (NE_* variables)."""

from __future__ import annotations

from pydantic import Field, field_validator

from novel_platform.config import BaseServiceSettings, CharacterCacheSettings, DatabaseSettings
from services.gateway.ratelimit import validate_spec


class GatewaySettings(BaseServiceSettings, DatabaseSettings, CharacterCacheSettings):
    http_host: str = "0.0.0.0"
    http_port: int = Field(default=8000, ge=0, le=65535)
    # Worker processes; each runs its own event loop, pools and gRPC channels.
    http_workers: int = Field(default=1, ge=1, le=64)
    character_addr: str = "127.0.0.1:50051"
    simulation_addr: str = "127.0.0.1:50052"
    story_addr: str = "127.0.0.1:50053"
    rpc_timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # Bodies of the import routes (a zip of character folders, a PNG card, a bundle).
    max_upload_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    # API keys are looked up once and then cached; a revoked key stops working after this.
    api_key_cache_seconds: float = Field(default=30.0, ge=0)
    # The older clients' synchronous POST /simulations waits at most this long (then 504).
    sync_simulation_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    # SSE streams: a comment line this often keeps proxies from closing idle streams.
    sse_ping_seconds: float = Field(default=15.0, gt=0)
    # Load shedding per worker process: requests in flight beyond these get 503 at once.
    max_inflight_requests: int = Field(default=512, ge=1)
    max_waiting_requests: int = Field(default=4096, ge=1)
    # Simulation starts in flight per worker process; more get 503 at once rather than
    # queueing at a saturated simulation service into 504s (see admission.py).
    max_starting_simulations: int = Field(default=64, ge=1, le=4096)
    # Idempotency-Key: a claim of the synchronous route still unanswered after this lease
    # (its gateway died) may be taken over by a retry; longer than that route's deadline.
    # Other POSTs' claims: 3 x NE_RPC_TIMEOUT_SECONDS. Records are kept for the
    # retention, then the key may be used again.
    idempotency_lease_seconds: float = Field(default=90.0, gt=0)
    idempotency_retention_seconds: float = Field(default=24 * 3600.0, gt=0)
    # Requests per API key, in the `limits` notation ("20/second;600/minute"), shared by
    # every gateway process; empty: no limit (and no cost).
    rate_limit: str = ""

    @field_validator("rate_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        return validate_spec(value)
