"""Outbound gRPC channels: created once, round-robin, and every call with a deadline."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import grpc

DEFAULT_TIMEOUT_SECONDS = 5.0

# Retries calls answered UNAVAILABLE; reads are idempotent and most writes carry ids.
# Not StartSimulation: its id is new unless the client sent an Idempotency-Key, so when a
# first attempt committed and only its answer was lost (a broken connection looks the
# same), a retry made a second simulation, or met a full queue and told the client 429
# for a start that had been accepted (found by the chaos campaign's queue-fill check).
# The client retries it instead, with its key.
_SERVICE_CONFIG = json.dumps(
    {
        "loadBalancingConfig": [{"round_robin": {}}],
        "methodConfig": [
            {
                "name": [
                    {"service": "novel_engine.v1.SimulationService", "method": "StartSimulation"}
                ]
            },
            {
                "name": [{}],
                "retryPolicy": {
                    "maxAttempts": 3,
                    "initialBackoff": "0.05s",
                    "maxBackoff": "0.5s",
                    "backoffMultiplier": 2,
                    "retryableStatusCodes": ["UNAVAILABLE"],
                },
            },
        ],
    }
)


# The metadata a caller adds to every call it makes, read when the call starts (e.g. from
# a contextvar of the request being served), so call sites pass none themselves.
CallMetadata = Callable[[], Sequence[tuple[str, str]]]


def _no_metadata() -> Sequence[tuple[str, str]]:
    return ()


class _CallInterceptor(grpc.aio.UnaryUnaryClientInterceptor):  # type: ignore[misc]
    """Gives every call a deadline, so a stuck peer can never hang a caller, and the
    caller's ambient metadata (after what the call site passed)."""

    def __init__(self, timeout: float, metadata: CallMetadata) -> None:
        self._timeout = timeout
        self._metadata = metadata

    async def intercept_unary_unary(
        self,
        continuation: Callable[[grpc.aio.ClientCallDetails, Any], Any],
        details: grpc.aio.ClientCallDetails,
        request: Any,
    ) -> Any:
        ambient = self._metadata()
        if details.timeout is None or ambient:
            details = grpc.aio.ClientCallDetails(
                method=details.method,
                timeout=self._timeout if details.timeout is None else details.timeout,
                metadata=grpc.aio.Metadata(*(details.metadata or ()), *ambient)
                if ambient
                else details.metadata,
                credentials=details.credentials,
                wait_for_ready=details.wait_for_ready,
            )
        return await continuation(details, request)


def open_channel(
    target: str,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    metadata: CallMetadata = _no_metadata,
) -> grpc.aio.Channel:
    """One long-lived channel per peer; `dns:///host:port` balances over all addresses.
    Every call carries what `metadata` returns when the call starts."""
    return grpc.aio.insecure_channel(
        target,
        options=[
            ("grpc.service_config", _SERVICE_CONFIG),
            ("grpc.enable_retries", 1),
            ("grpc.keepalive_time_ms", 30_000),
            # A peer that was down (restarted, or not started yet) is tried again within
            # 5 s, not after gRPC's default back-off of up to two minutes.
            ("grpc.max_reconnect_backoff_ms", 5_000),
        ],
        interceptors=[_CallInterceptor(timeout, metadata)],
    )
