"""The services of the system and how to run them locally."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceInfo:
    name: str
    module: str  # python -m <module>
    schema: str  # PostgreSQL schema its migrations own
    port: int  # gRPC port (HTTP for the gateway)
    grpc: bool = True


SERVICES = (
    ServiceInfo("character", "services.character", "character", 50051),
    ServiceInfo("simulation", "services.simulation", "simulation", 50052),
    ServiceInfo("story", "services.story", "story", 50053),
    ServiceInfo("gateway", "services.gateway", "gateway", 8000, grpc=False),
)
