"""Idempotency-Key records in the gateway schema: claim, complete, replay, prune."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.adapters.tables import idempotency_keys as keys


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    headers: list[tuple[str, str]]
    body: bytes


class ClaimResult(Enum):
    OWNED = "owned"  # this request runs; it completes or releases the claim
    IN_PROGRESS = "in_progress"  # the first request with this key is still running
    MISMATCH = "mismatch"  # the key was used for a different request
    REPLAY = "replay"  # the first request's response is stored


@dataclass(frozen=True)
class Claim:
    result: ClaimResult
    response: StoredResponse | None = None


class IdempotencyStore:
    """Records per (tenant, key).

    A claim abandoned by a gateway that died mid-request (still in progress after
    `lease_seconds`) can be taken over by a retry of the same request; records are
    forgotten after `retention_seconds`, after which the key may be used afresh.
    """

    def __init__(self, engine: AsyncEngine, *, lease_seconds: float, retention_seconds: float):
        self._engine = engine
        self._lease = timedelta(seconds=lease_seconds)
        self._retention = timedelta(seconds=retention_seconds)

    async def claim(
        self, tenant_id: str, key: str, fingerprint: str, lease_seconds: float | None = None
    ) -> Claim:
        """`lease_seconds` (default: the store's) bounds how long this kind of request
        can run; past it an unanswered claim is presumed abandoned."""
        lease = self._lease if lease_seconds is None else timedelta(seconds=lease_seconds)
        now = sa.func.now()
        fresh = {
            "fingerprint": fingerprint,
            "claimed_at": now,
            "status_code": None,
            "headers": None,
            "body": None,
        }
        stmt = insert(keys).values(tenant_id=tenant_id, key=key, **fresh)
        take = stmt.on_conflict_do_update(
            index_elements=[keys.c.tenant_id, keys.c.key],
            set_=fresh,
            where=sa.or_(
                sa.and_(
                    keys.c.status_code.is_(None),
                    keys.c.claimed_at < now - lease,
                    keys.c.fingerprint == stmt.excluded.fingerprint,
                ),
                keys.c.claimed_at < now - self._retention,
            ),
        ).returning(keys.c.key)
        async with self._engine.begin() as conn:
            if (await conn.execute(take)).first() is not None:
                return Claim(ClaimResult.OWNED)
            row = (
                await conn.execute(
                    sa.select(
                        keys.c.fingerprint, keys.c.status_code, keys.c.headers, keys.c.body
                    ).where(keys.c.tenant_id == tenant_id, keys.c.key == key)
                )
            ).first()
        if row is None:  # released between the two statements: the client retries
            return Claim(ClaimResult.IN_PROGRESS)
        if row.fingerprint != fingerprint:
            return Claim(ClaimResult.MISMATCH)
        if row.status_code is None:
            return Claim(ClaimResult.IN_PROGRESS)
        headers = [(str(k), str(v)) for k, v in orjson.loads(row.headers or "[]")]
        return Claim(ClaimResult.REPLAY, StoredResponse(row.status_code, headers, row.body or b""))

    async def complete(self, tenant_id: str, key: str, response: StoredResponse) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(
                sa.update(keys)
                .where(keys.c.tenant_id == tenant_id, keys.c.key == key)
                .values(
                    status_code=response.status_code,
                    headers=orjson.dumps(response.headers).decode(),
                    body=response.body,
                )
            )

    async def release(self, tenant_id: str, key: str) -> None:
        """Forget an unfinished claim, so a retry runs the request again."""
        async with self._engine.begin() as conn:
            await conn.execute(
                sa.delete(keys).where(
                    keys.c.tenant_id == tenant_id, keys.c.key == key, keys.c.status_code.is_(None)
                )
            )

    async def prune(self) -> int:
        """Delete records past their retention; returns how many."""
        async with self._engine.begin() as conn:
            result = await conn.execute(
                sa.delete(keys).where(keys.c.claimed_at < sa.func.now() - self._retention)
            )
        return int(result.rowcount or 0)
