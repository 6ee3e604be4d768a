"""Seeding the starter roster over gRPC (the character service owns the data)."""

from __future__ import annotations

from novel_engine.v1 import character_pb2, character_pb2_grpc
from novel_platform.grpc_client import open_channel


async def seed_roster(character_addr: str, tenant: str) -> tuple[list[str], list[str]]:
    channel = open_channel(character_addr, timeout=10)
    try:
        reply = await character_pb2_grpc.CharacterServiceStub(channel).SeedStarterRoster(
            character_pb2.SeedStarterRosterRequest(tenant_id=tenant)
        )
    finally:
        await channel.close()
    return list(reply.created_ids), list(reply.existing_ids)
