"""The CharacterCache against a real NATS: change events refresh or drop what a process
keeps, and a read that raced with a change is not kept."""

from __future__ import annotations

import asyncio

import pytest

from novel_engine.v1 import character_pb2, common_pb2
from novel_platform import subjects
from novel_platform.character_cache import CharacterCache
from novel_platform.messaging import EventBus
from novel_platform.subjects import CHARACTER_STREAM
from tests.helpers import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
async def bus(nats_url):
    bus = EventBus()
    await bus.connect(nats_url, "test-character-cache")
    yield bus
    await bus.close()


def character(cid: str, version: int, faction: str = "Wardens") -> character_pb2.Character:
    return character_pb2.Character(id=cid, name=cid.title(), faction=faction, version=version)


async def publish(bus: EventBus, envelope: common_pb2.EventEnvelope) -> None:
    """As the character service's relay does: JetStream, which core subscribers see."""
    await bus.ensure_stream(CHARACTER_STREAM)
    await bus.publish(envelope.type, envelope.SerializeToString(), envelope.event_id)


def updated(tenant: str, c: character_pb2.Character) -> common_pb2.EventEnvelope:
    return subjects.CHARACTER_UPDATED.envelope(tenant, character_pb2.CharacterUpdated(character=c))


def deleted(tenant: str, cid: str, version: int) -> common_pb2.EventEnvelope:
    payload = character_pb2.CharacterDeleted(id=cid, version=version)
    return subjects.CHARACTER_DELETED.envelope(tenant, payload)


async def test_change_events_refresh_and_drop_entries(bus):
    cache = CharacterCache()
    await cache.start(bus)
    tenant, other = "t-cache-a", "t-cache-b"
    cache.put(tenant, character("kai", 1), cache.generation(tenant))
    cache.put(other, character("kai", 1), cache.generation(other))
    cache.put_roster(tenant, ("kai",), cache.generation(tenant))
    assert cache.get(tenant, "kai") is not None and cache.roster(tenant) == ("kai",)

    await publish(bus, updated(tenant, character("kai", 2, faction="Rogues")))

    async def refreshed() -> bool:
        found = cache.get(tenant, "kai")
        return found is not None and found.version == 2

    assert await eventually(refreshed, timeout=5)
    assert cache.get(tenant, "kai").faction == "Rogues"  # type: ignore[union-attr]
    assert cache.get(other, "kai").version == 1  # type: ignore[union-attr]  # tenants apart
    assert cache.roster(tenant) is None  # a change drops the tenant's roster

    await publish(bus, deleted(tenant, "kai", 2))

    async def dropped() -> bool:
        return cache.get(tenant, "kai") is None

    assert await eventually(dropped, timeout=5)
    assert cache.get(other, "kai") is not None


async def test_a_read_that_raced_with_a_change_is_not_kept(bus):
    cache = CharacterCache()
    await cache.start(bus)
    tenant = "t-cache-race"
    seen = cache.generation(tenant)  # a read starts ...
    await publish(bus, deleted(tenant, "mira", 1))
    await asyncio.sleep(0.2)  # ... the deletion's event arrives while it is in flight
    cache.put(tenant, character("mira", 1), seen)
    assert cache.get(tenant, "mira") is None
    cache.put(tenant, character("mira", 1), cache.generation(tenant))
    assert cache.get(tenant, "mira") is not None


def test_entries_expire_and_the_cache_is_bounded():
    cache = CharacterCache(max_age_seconds=0, max_entries=2)
    cache.put("t", character("a", 1), cache.generation("t"))
    cache.put_roster("t", ("a",), cache.generation("t"))
    assert cache.get("t", "a") is None  # 0 s: the cache is off
    assert cache.roster("t") is None and not cache._entries  # and keeps nothing
    bounded = CharacterCache(max_entries=2)
    for cid in ("a", "b", "c"):
        bounded.put("t", character(cid, 1), bounded.generation("t"))
    assert bounded.get("t", "a") is None and bounded.get("t", "c") is not None
    bounded.clear()
    assert bounded.get("t", "c") is None
