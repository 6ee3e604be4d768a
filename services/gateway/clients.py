"""gRPC stubs of the downstream services: one channel each, opened once per process."""

from __future__ import annotations

from dataclasses import dataclass

import grpc
import structlog
from fastapi import Request
from grpc_health.v1 import health_pb2, health_pb2_grpc

from novel_engine.v1 import (
    character_pb2_grpc,
    simulation_pb2,
    simulation_pb2_grpc,
    story_pb2_grpc,
)
from novel_platform.grpc_client import open_channel
from novel_platform.readiness import Check
from services.gateway.adapters.characters import CharacterReads
from services.gateway.config import GatewaySettings
from services.gateway.idempotency import current_key

# Carries a POST's Idempotency-Key to StartSimulation, which derives the id from it.
IDEMPOTENCY_KEY_METADATA = "idempotency-key"


@dataclass
class Downstream:
    character: character_pb2_grpc.CharacterServiceStub
    simulation: simulation_pb2_grpc.SimulationServiceStub
    story: story_pb2_grpc.StoryServiceStub
    channels: dict[str, grpc.aio.Channel]

    @classmethod
    def open(cls, settings: GatewaySettings) -> Downstream:
        timeout = settings.rpc_timeout_seconds
        channels = {
            "character": open_channel(settings.character_addr, timeout, request_metadata),
            "simulation": open_channel(settings.simulation_addr, timeout, request_metadata),
            "story": open_channel(settings.story_addr, timeout, request_metadata),
        }
        return cls(
            character=character_pb2_grpc.CharacterServiceStub(channels["character"]),
            simulation=simulation_pb2_grpc.SimulationServiceStub(channels["simulation"]),
            story=story_pb2_grpc.StoryServiceStub(channels["story"]),
            channels=channels,
        )

    def health_checks(self) -> dict[str, Check]:
        """The standard gRPC health check of each downstream service, one per channel."""

        def check(channel: grpc.aio.Channel) -> Check:
            stub = health_pb2_grpc.HealthStub(channel)

            async def serving() -> bool:
                try:
                    reply = await stub.Check(health_pb2.HealthCheckRequest(), timeout=1.0)
                except grpc.aio.AioRpcError:
                    return False
                return bool(reply.status == health_pb2.HealthCheckResponse.SERVING)

            return serving

        return {name: check(channel) for name, channel in self.channels.items()}

    async def close(self) -> None:
        for channel in self.channels.values():
            await channel.close()


def downstream(request: Request) -> Downstream:
    """The process's stubs, opened once in the app's lifespan."""
    stubs: Downstream = request.app.state.downstream
    return stubs


def character_reads(request: Request) -> CharacterReads:
    """Character reads through the process's cache (opened in the app's lifespan)."""
    reads: CharacterReads = request.app.state.characters
    return reads


async def start_simulation(
    request: Request, message: simulation_pb2.StartSimulationRequest
) -> simulation_pb2.Simulation:
    """StartSimulation, admitted first (503 when too many starts are in flight)."""
    key = current_key.get()
    metadata = ((IDEMPOTENCY_KEY_METADATA, key),) if key is not None else ()
    with request.app.state.starts.slot():
        created: simulation_pb2.Simulation = await downstream(request).simulation.StartSimulation(
            message, metadata=metadata
        )
    return created


def request_metadata() -> tuple[tuple[str, str], ...]:
    """Forwards the request id so one request's log lines match across services; every
    downstream call carries it (the channels' interceptor reads it), no call site passes it."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    return (("x-request-id", request_id),) if request_id else ()
