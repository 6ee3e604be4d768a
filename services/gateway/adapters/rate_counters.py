"""A `limits` storage on PostgreSQL: rate-limit counters every gateway process shares.

`limits` ships in-memory, Redis, Memcached and MongoDB storages; the gateway already has
PostgreSQL, so its counters live in `gateway.rate_counters` instead of a new server. A
hit is one statement (an upsert that starts a new window when the old one has ended
and returns the count and the window's end), so the limit holds across workers and
pods. The last count and window end seen for a key are remembered, so reading the
window's state right after a hit (for the RateLimit headers) costs no round trip.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from limits.aio.storage import Storage
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine

from services.gateway.adapters.tables import rate_counters

_HIT = sa.text(
    """
    INSERT INTO gateway.rate_counters AS c (key, count, expires_at)
    VALUES (:key, :amount, now() + make_interval(secs => :expiry))
    ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN c.expires_at <= now() THEN EXCLUDED.count
                     ELSE c.count + EXCLUDED.count END,
        expires_at = CASE WHEN c.expires_at <= now() THEN EXCLUDED.expires_at
                          ELSE c.expires_at END
    RETURNING count, extract(epoch FROM expires_at) AS expires
    """
)


class PostgresCounters(Storage):
    STORAGE_SCHEME = ["novel+postgresql"]

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__()
        self._engine = engine
        self._seen: dict[str, tuple[int, float]] = {}

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sa_exc.SQLAlchemyError

    async def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        async with self._engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            count, expires = (
                await conn.execute(_HIT, {"key": key, "amount": amount, "expiry": expiry})
            ).one()
        if len(self._seen) > 10_000:  # bounded: one entry per active key
            self._seen.clear()
        self._seen[key] = (int(count), float(expires))
        return int(count)

    async def get(self, key: str) -> int:
        count, expires = await self._state(key)
        return count if expires > time.time() else 0

    async def get_expiry(self, key: str) -> float:
        _, expires = await self._state(key)
        return expires if expires > time.time() else time.time()

    async def _state(self, key: str) -> tuple[int, float]:
        if key in self._seen:
            return self._seen[key]
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(
                        rate_counters.c.count,
                        sa.extract("epoch", rate_counters.c.expires_at).label("expires"),
                    ).where(rate_counters.c.key == key)
                )
            ).first()
        return (int(row[0]), float(row[1])) if row else (0, 0.0)

    async def check(self) -> bool:
        async with self._engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))
        return True

    async def reset(self) -> int | None:
        async with self._engine.begin() as conn:
            result = await conn.execute(sa.delete(rate_counters))
        self._seen.clear()
        return int(result.rowcount or 0)

    async def clear(self, key: str) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(sa.delete(rate_counters).where(rate_counters.c.key == key))
        self._seen.pop(key, None)
