"""Every call on a platform channel carries the caller's ambient metadata (the gateway's
request id), read when the call starts, after what the call site itself passed."""

from __future__ import annotations

import contextvars

import grpc

from novel_platform.grpc_client import open_channel

REQUEST_ID: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)


def _ambient() -> tuple[tuple[str, str], ...]:
    request_id = REQUEST_ID.get()
    return (("x-request-id", request_id),) if request_id else ()


async def test_calls_carry_the_ambient_metadata_and_their_own() -> None:
    seen: list[dict[str, str]] = []

    async def echo(request: bytes, context: grpc.aio.ServicerContext) -> bytes:
        seen.append({k: str(v) for k, v in context.invocation_metadata() or ()})
        return request

    server = grpc.aio.server()
    handler = grpc.unary_unary_rpc_method_handler(echo)
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler("test.Echo", {"Call": handler}),)
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    channel = open_channel(f"127.0.0.1:{port}", 10.0, _ambient)
    try:
        call = channel.unary_unary("/test.Echo/Call")
        assert await call(b"none") == b"none"
        token = REQUEST_ID.set("req-1")
        try:
            assert await call(b"ambient") == b"ambient"
            assert await call(b"both", metadata=(("idempotency-key", "k-1"),)) == b"both"
        finally:
            REQUEST_ID.reset(token)
    finally:
        await channel.close()
        await server.stop(0)
    assert "x-request-id" not in seen[0]
    assert seen[1]["x-request-id"] == "req-1"
    assert seen[2]["x-request-id"] == "req-1" and seen[2]["idempotency-key"] == "k-1"
