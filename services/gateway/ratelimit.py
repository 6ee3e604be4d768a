"""A request rate limit per API key: 429 + Retry-After + RateLimit headers past it.

`NE_RATE_LIMIT` holds one or more limits in the `limits` notation (`"20/second"`,
`"20/second;600/minute"`), counted per key in fixed windows shared by every gateway
process (adapters/rate_counters.py). Unset, nothing is counted and nothing is spent.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.aio.storage import Storage
from limits.aio.strategies import FixedWindowRateLimiter

from services.gateway.errors import ApiError


class KeyRateLimit:
    def __init__(self, spec: str, storage: Storage) -> None:
        self._items: list[RateLimitItem] = parse_many(spec)
        self._limiter = FixedWindowRateLimiter(storage)

    async def hit(self, key_id: str) -> None:
        """Count one request of the key; raise 429 when a limit is spent."""
        for item in self._items:
            if await self._limiter.hit(item, key_id):
                continue
            stats = await self._limiter.get_window_stats(item, key_id)
            reset = max(1, math.ceil(stats.reset_time - time.time()))
            window = item.get_expiry()
            raise ApiError(
                429,
                f"rate limit of {item.amount} requests per {window} s for this API key exceeded",
                headers={
                    "Retry-After": str(reset),
                    "RateLimit-Limit": str(item.amount),
                    "RateLimit-Remaining": "0",
                    "RateLimit-Reset": str(reset),
                    "RateLimit-Policy": f"{item.amount};w={window}",
                },
            )


def validate_spec(spec: str) -> str:
    """For settings: an empty string (no limit) or something `limits` can parse."""
    if spec.strip():
        parse_many(spec)  # raises ValueError on nonsense
    return spec.strip()
