"""A process started while NATS is away fails its start instead of waiting forever."""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest

from novel_platform.messaging import EventBus


def test_the_first_connection_is_bounded(caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    caplog.set_level(logging.CRITICAL)  # the client logs every refused attempt
    with pytest.raises(TimeoutError):
        asyncio.run(EventBus().connect(f"nats://127.0.0.1:{port}", "t", first_timeout=1.5))
