"""Which failures count as transient, and the backoff between retries."""

from __future__ import annotations

import random

import grpc
import nats.errors
import psycopg
import pytest
from sqlalchemy import exc as sa_exc

from novel_platform.faults import backoff_seconds, is_transient


def _rpc_error(code: grpc.StatusCode) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(), "x")


@pytest.mark.parametrize(
    "exc",
    [
        sa_exc.OperationalError("SELECT 1", {}, psycopg.OperationalError("refused")),
        sa_exc.InterfaceError("SELECT 1", {}, psycopg.InterfaceError("closed")),
        sa_exc.TimeoutError("pool exhausted"),
        psycopg.OperationalError("server closed the connection"),
        nats.errors.ConnectionClosedError(),
        nats.errors.NoServersError(),
        TimeoutError(),
        ConnectionResetError(),
        _rpc_error(grpc.StatusCode.UNAVAILABLE),
        _rpc_error(grpc.StatusCode.DEADLINE_EXCEEDED),
    ],
)
def test_outages_and_deadlines_are_transient(exc: BaseException) -> None:
    assert is_transient(exc)


@pytest.mark.parametrize(
    "exc",
    [
        ValueError("bad data"),
        KeyError("bug"),
        sa_exc.IntegrityError("INSERT", {}, psycopg.IntegrityError("duplicate key")),
        _rpc_error(grpc.StatusCode.NOT_FOUND),
        _rpc_error(grpc.StatusCode.INTERNAL),
    ],
)
def test_content_failures_are_not(exc: BaseException) -> None:
    assert not is_transient(exc)


def test_a_wrapped_transient_cause_counts() -> None:
    try:
        try:
            raise psycopg.OperationalError("connection lost")
        except psycopg.OperationalError as inner:
            raise RuntimeError("while saving") from inner
    except RuntimeError as outer:
        assert is_transient(outer)


def test_backoff_doubles_to_its_cap_with_jitter_in_the_upper_half() -> None:
    rng = random.Random(7)
    for attempt, ceiling in [(1, 1), (2, 2), (3, 4), (6, 32), (7, 60), (500, 60)]:
        waits = [backoff_seconds(attempt, base=1, cap=60, rng=rng) for _ in range(200)]
        assert all(ceiling / 2 <= w <= ceiling for w in waits)
        assert len(set(waits)) > 100  # spread, not one instant
