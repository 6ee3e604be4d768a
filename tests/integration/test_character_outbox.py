"""Character use cases against real PostgreSQL and NATS: data, events, outbox relay."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
import sqlalchemy as sa

from novel_platform import subjects
from novel_platform.characters import STAT_NAMES
from novel_platform.config import DatabaseSettings
from novel_platform.db import create_engine
from novel_platform.errors import AlreadyExists, NotFound, VersionConflict
from novel_platform.messaging import EventBus
from novel_platform.outbox import OutboxRelay, UnitOfWork
from novel_platform.subjects import CHARACTER_STREAM
from services.character.adapters.tables import outbox
from services.character.domain.model import Character
from services.character.service.handlers import CharacterService
from tests.helpers import stream_events

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def parts(database_url, nats_url):
    engine = create_engine(DatabaseSettings(database_url=database_url))
    bus = EventBus()
    await bus.connect(nats_url, "test")
    await bus.ensure_stream(CHARACTER_STREAM)
    relay = OutboxRelay(engine, outbox, bus)
    service = CharacterService(lambda: UnitOfWork(engine, outbox, None))
    yield service, relay, engine
    await bus.close()
    await engine.dispose()


def nova(cid: str = "nova") -> Character:
    return Character(id=cid, name="Nova", stats=dict.fromkeys(STAT_NAMES, 5))


async def test_changes_and_their_events_reach_nats_once(parts, nats_url, tenant):
    service, relay, _ = parts
    await service.create(tenant, nova())
    updated = await service.update(tenant, "nova", {"faction": "Rogues"}, expected_version=1)
    assert updated.version == 2
    await service.delete(tenant, "nova", expected_version=2)

    # Two relay passes: the second must find nothing left to send.
    assert await relay.publish_pending() >= 3
    while await relay.publish_pending():
        pass

    events = await stream_events(nats_url, "CHARACTER", "character.>", tenant, until=3)
    assert [e.type for e in events] == [
        "character.created",
        "character.updated",
        "character.deleted",
    ]
    assert len({e.event_id for e in events}) == 3
    changed = subjects.CHARACTER_UPDATED.unpack(events[1])
    assert changed.character.faction == "Rogues"


async def test_republishing_a_row_is_dropped_by_the_stream(parts, nats_url, tenant):
    """A crash between publish and delete republishes; the duplicate window drops it."""
    service, relay, engine = parts
    await service.create(tenant, nova("echo"))
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                sa.select(outbox)
                .where(outbox.c.subject == "character.created")
                .order_by(outbox.c.id.desc())
            )
        ).first()
    assert row is not None
    await relay.publish_pending()
    async with engine.begin() as conn:  # put the published row back, as if never deleted
        await conn.execute(
            outbox.insert().values(**{k: v for k, v in row._mapping.items() if k != "id"})
        )
    await relay.publish_pending()
    events = await stream_events(nats_url, "CHARACTER", "character.>", tenant, until=1)
    assert Counter(e.event_id for e in events).most_common(1)[0][1] == 1
    assert len(events) == 1


async def test_rules_of_the_store(parts, tenant):
    service, _, _ = parts
    await service.create(tenant, nova("rules"))
    with pytest.raises(AlreadyExists):
        await service.create(tenant, nova("rules"))
    with pytest.raises(VersionConflict):
        await service.update(tenant, "rules", {"role": "Scout"}, expected_version=9)
    with pytest.raises(NotFound):
        await service.get(tenant, "missing")
    with pytest.raises(NotFound):
        await service.get("another-tenant", "rules")


async def test_paging_and_filters(parts, tenant):
    service, _, _ = parts
    created, existing = await service.seed_starter_roster(tenant)
    assert len(created) >= 9 and not existing
    again_created, again_existing = await service.seed_starter_roster(tenant)
    assert not again_created and sorted(again_existing) == created

    seen, token = [], ""
    while True:
        page, token = await service.list_page(tenant, size=4, token=token)
        seen += [c.id for c in page]
        if not token:
            break
    assert seen == sorted(created)
    survey, _ = await service.list_page(tenant, size=100, token="", faction="Survey Corps")
    assert survey and all(c.faction == "Survey Corps" for c in survey)
    named, _ = await service.list_page(tenant, size=100, token="", name="vOsS")
    assert [c.id for c in named] == ["pilot"]
    found, missing = await service.batch_get(tenant, ["zara", "nobody", "aria"])
    assert [c.id for c in found] == ["zara", "aria"] and missing == ["nobody"]


async def test_update_validates_the_result(parts, tenant):
    from novel_platform.errors import InvalidArgument

    service, _, _ = parts
    await service.create(tenant, nova("valid"))
    bad_stats = {**dict.fromkeys(STAT_NAMES, 5), "strength": 11}
    with pytest.raises(InvalidArgument, match=r"stats\.strength"):
        await service.update(tenant, "valid", {"stats": bad_stats}, 0)
    assert (await service.get(tenant, "valid")).version == 1
    assert replace(nova("valid"), faction="x").faction == "x"


async def test_relay_reports_falling_behind(parts, database_url, nats_url, tenant):
    """A full batch means events are committed faster than they go out (backpressure)."""
    service, _, engine = parts
    bus = EventBus()
    await bus.connect(nats_url, "test-behind")
    try:
        small = OutboxRelay(engine, outbox, bus, batch_size=2)
        for n in range(3):
            await service.create(tenant, nova(f"behind-{n}"))
        await small.publish_pending()
        assert small.behind
        while await small.publish_pending():
            pass
        assert not small.behind
    finally:
        await bus.close()


async def test_the_fast_path_publishes_from_memory_and_the_poll_covers_its_failures(
    parts, nats_url, tenant
):
    """A unit of work hands its committed rows to the relay: they go out and leave the
    table without a poll. When that publish fails they stay, and the poll sends them."""
    _, _, engine = parts
    bus = EventBus()
    await bus.connect(nats_url, "test-fast-path")
    relay = OutboxRelay(engine, outbox, bus)
    service = CharacterService(lambda: UnitOfWork(engine, outbox, relay))
    try:
        await service.create(tenant, nova("fast"))
        await service.create(tenant, nova("quick"))
        assert await relay.publish_fresh() == 2
        # Published rows leave the table together, in one statement.
        assert await _rows_about(engine, "fast") == 1
        await relay.delete_sent()
        assert await _rows_about(engine, "fast") == await _rows_about(engine, "quick") == 0

        await service.create(tenant, nova("stranded"))
        await bus.close()  # NATS is gone for this relay: the fast path fails
        with pytest.raises(Exception):  # noqa: B017 - whatever the client raises
            await relay.publish_fresh()
        assert await _rows_about(engine, "stranded") == 1
        await bus.connect(nats_url, "test-fast-path")
        assert await relay.publish_pending() >= 1
        assert await _rows_about(engine, "stranded") == 0
    finally:
        await bus.close()
    events = await stream_events(nats_url, "CHARACTER", "character.created", tenant, until=2)
    created = Counter(subjects.CHARACTER_CREATED.unpack(e).character.id for e in events)
    assert created["fast"] == 1 and created["stranded"] == 1


async def _rows_about(engine, cid: str) -> int:
    async with engine.connect() as conn:
        rows = (await conn.execute(sa.select(outbox.c.payload))).scalars().all()
    return sum(cid.encode() in payload for payload in rows)  # the id is in the payload
