"""Simulation service settings (NE_* variables)."""

from __future__ import annotations

from pydantic import Field

from novel_platform.config import (
    BaseServiceSettings,
    CharacterCacheSettings,
    DatabaseSettings,
    GrpcServerSettings,
)
from novel_platform.llm.backend import LlmSettings


class SimulationSettings(
    BaseServiceSettings, DatabaseSettings, GrpcServerSettings, CharacterCacheSettings, LlmSettings
):
    grpc_port: int = Field(default=50052, ge=0, le=65535)
    character_addr: str = "127.0.0.1:50051"
    rpc_timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    # Simulations one process runs at once; replicas add up (they share the consumer).
    simulation_workers: int = Field(default=8, ge=0, le=256)
    # A worker silent for this long is presumed dead and its simulation redelivered.
    work_ack_wait_seconds: float = Field(default=30.0, ge=1, le=3600)
    # Pacing: a pause after each turn, for live viewing and for tests that need a run
    # in progress. 0 runs turns back to back.
    simulation_turn_delay_seconds: float = Field(default=0.0, ge=0, le=60)
    # Unpaced runs commit this many turns per transaction (paced runs: one). Per-turn
    # commits were most of a simulation's cost; a crash only recomputes the batch.
    simulation_batch_turns: int = Field(default=25, ge=1, le=1000)
    # Unpaced runs of up to this many turns are computed while StartSimulation waits and
    # stored completed in its transaction: no queue hop, no worker read, one commit. A
    # turn costs ~0.3-1 ms of engine CPU, so the call stays short; 0 queues every run.
    simulation_inline_turns: int = Field(default=10, ge=0, le=50)
    # Backpressure: StartSimulation answers RESOURCE_EXHAUSTED past this many waiting.
    # About 5 s of work at the throughput one 2-core host sustains (make bench-stories).
    max_queued_simulations: int = Field(default=100, ge=1)
    # ... and past this many events waiting for the story writer (an unpaced run is one
    # event; a paced one, one per turn).
    max_story_backlog: int = Field(default=150, ge=1)
    # Quota: a tenant's queued + running simulations; past it, 429 (0: no quota).
    max_active_simulations_per_tenant: int = Field(default=0, ge=0)
    # The reconciler re-queues queued/running simulations unchanged for longer than the
    # ack wait plus this margin (their work message was lost); it scans every interval
    # (0 turns it off).
    reconcile_interval_seconds: float = Field(default=15.0, ge=0, le=3600)
    reconcile_margin_seconds: float = Field(default=30.0, ge=0, le=3600)
