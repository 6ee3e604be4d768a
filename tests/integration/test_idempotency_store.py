"""The gateway's Idempotency-Key records on real PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.adapters.idempotency import ClaimResult, IdempotencyStore, StoredResponse

pytestmark = pytest.mark.integration


def _store(engine: AsyncEngine, lease: float = 3600, retention: float = 86400) -> IdempotencyStore:
    return IdempotencyStore(engine, lease_seconds=lease, retention_seconds=retention)


async def test_claim_in_progress_mismatch_then_replay(engine: AsyncEngine, tenant: str) -> None:
    store = _store(engine)
    key = str(uuid.uuid4())
    assert (await store.claim(tenant, key, "fp-1")).result is ClaimResult.OWNED
    assert (await store.claim(tenant, key, "fp-1")).result is ClaimResult.IN_PROGRESS
    assert (await store.claim(tenant, key, "fp-2")).result is ClaimResult.MISMATCH
    # Another tenant's identical key is its own.
    assert (await store.claim(tenant + "-b", key, "fp-1")).result is ClaimResult.OWNED

    stored = StoredResponse(201, [("content-type", "application/json"), ("location", "/x")], b"{}")
    await store.complete(tenant, key, stored)
    replay = await store.claim(tenant, key, "fp-1")
    assert replay.result is ClaimResult.REPLAY and replay.response == stored
    assert (await store.claim(tenant, key, "fp-2")).result is ClaimResult.MISMATCH


async def test_a_released_claim_runs_again(engine: AsyncEngine, tenant: str) -> None:
    store = _store(engine)
    key = str(uuid.uuid4())
    assert (await store.claim(tenant, key, "fp")).result is ClaimResult.OWNED
    await store.release(tenant, key)  # e.g. the first answer was a 503
    assert (await store.claim(tenant, key, "fp")).result is ClaimResult.OWNED


async def test_an_abandoned_claim_is_taken_over_only_by_the_same_request(
    engine: AsyncEngine, tenant: str
) -> None:
    key = str(uuid.uuid4())
    assert (await _store(engine).claim(tenant, key, "fp")).result is ClaimResult.OWNED
    # Its gateway died: with the lease past, a retry of the same request takes over.
    expired = _store(engine, lease=0.000001)
    assert (await expired.claim(tenant, key, "other")).result is ClaimResult.MISMATCH
    assert (await expired.claim(tenant, key, "fp")).result is ClaimResult.OWNED
    # A lease given with the claim (a route's own) overrides the store's.
    store = _store(engine)
    assert (await store.claim(tenant, key, "fp")).result is ClaimResult.IN_PROGRESS
    taken = await store.claim(tenant, key, "fp", lease_seconds=0.000001)
    assert taken.result is ClaimResult.OWNED


async def test_records_past_retention_are_pruned_and_the_key_is_free(
    engine: AsyncEngine, tenant: str
) -> None:
    key = str(uuid.uuid4())
    store = _store(engine)
    assert (await store.claim(tenant, key, "fp")).result is ClaimResult.OWNED
    await store.complete(tenant, key, StoredResponse(202, [], b"{}"))
    old = _store(engine, retention=0.000001)
    assert (await old.claim(tenant, key, "new")).result is ClaimResult.OWNED
    await old.complete(tenant, key, StoredResponse(202, [], b"{}"))
    assert await old.prune() >= 1
    assert (await store.claim(tenant, key, "fp")).result is ClaimResult.OWNED
