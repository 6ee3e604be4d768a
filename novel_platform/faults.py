"""Transient faults: which failures go away on their own, and how long to wait for them.

A transient failure (the database or NATS unreachable, a connection lost, a deadline,
a pool exhausted, a peer UNAVAILABLE) says nothing about the work itself: retrying
later succeeds. Everything else is a failure of the content (a bug, bad data) that
retries cannot fix. Callers use `is_transient` to choose between waiting (consumers back
off, APIs answer 503 + Retry-After) and giving up (dead-letter, 4xx/500).
"""

from __future__ import annotations

import random

import grpc
import nats.errors
import nats.js.errors
import psycopg
from sqlalchemy import exc as sa_exc

# The gRPC codes a peer sends when it, or something behind it, is briefly out of reach.
TRANSIENT_GRPC_CODES = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        # A peer shutting down cancels calls that reach it too late.
        grpc.StatusCode.CANCELLED,
    }
)

# Independent between processes (no shared seed), so their retries spread out.
_jitter = random.SystemRandom()


def _transient_here(exc: BaseException) -> bool:
    if isinstance(exc, sa_exc.DBAPIError):
        # SQLAlchemy flags errors that broke the connection; the pool then drops it.
        return exc.connection_invalidated or isinstance(
            exc, sa_exc.OperationalError | sa_exc.InterfaceError
        )
    if isinstance(exc, sa_exc.TimeoutError):  # the pool had no connection to give
        return True
    if isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        return True
    if isinstance(exc, nats.js.errors.APIError):
        # JetStream answers 503 while it has no leader / is starting; 4xx are our faults.
        return exc.code is None or exc.code >= 500
    if isinstance(exc, nats.errors.Error):
        return True  # connection closed / draining / no servers / timeout
    if isinstance(exc, grpc.aio.AioRpcError):
        return exc.code() in TRANSIENT_GRPC_CODES
    return isinstance(exc, TimeoutError | ConnectionError)


def is_transient(exc: BaseException) -> bool:
    """True when `exc`, or an exception it was raised from, is a transient fault."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if _transient_here(current):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def backoff_seconds(
    attempt: int, *, base: float = 1.0, cap: float = 60.0, rng: random.Random | None = None
) -> float:
    """Exponential backoff with jitter for the `attempt`-th retry (1-based).

    The ceiling doubles from `base` up to `cap`; the wait is drawn from its upper half
    ("equal jitter"), so retries of many messages that failed together spread out instead
    of hitting a recovering server at the same instant, yet never come back at once.
    """
    ceiling = min(cap, base * 2.0 ** min(max(attempt - 1, 0), 30))
    return ceiling / 2 + (rng or _jitter).uniform(0, ceiling / 2)
