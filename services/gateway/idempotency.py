"""Idempotency-Key on POST routes: a retried request gets the first one's response.

A client that sends `Idempotency-Key: <1-255 visible ASCII characters>` with a POST
may send it again (a timeout, a dropped connection, a 503) without creating a second
resource. Per tenant and key, the gateway records the first request's fingerprint
(method, path, query, body) and, once it is answered, its response:

- the same request again → the stored response, with `Idempotent-Replayed: true`;
- a different request with the same key → 422;
- the same request while the first is still running → 409 + `Retry-After`.

Responses that invite a retry (429, 5xx) are not stored: the retry runs again. A claim
left behind by a gateway that died mid-request is taken over by a retry after the
lease; simulation starts are safe even then, because the key also travels to the
simulation service, which derives the simulation's id from it (one id per tenant and
key, so a second start finds the first). Records are kept for the retention period.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
from typing import Any

import orjson
import structlog
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from novel_platform.faults import is_transient
from services.gateway.adapters.idempotency import (
    ClaimResult,
    IdempotencyStore,
    StoredResponse,
)
from services.gateway.errors import envelope

log = structlog.get_logger(__name__)

HEADER = b"idempotency-key"
# The key of the request being handled, for calls that forward it (StartSimulation).
current_key: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "idempotency_key", default=None
)
# Per response, not part of the result: never replayed.
_UNSTORED_HEADERS = {"content-length", "date", "server", "x-request-id", "set-cookie"}


def _valid(key: str) -> bool:
    return 0 < len(key) <= 255 and all("!" <= c <= "~" for c in key)


class IdempotencyKeys:
    """Pure ASGI middleware; POSTs without the header pass straight through."""

    def __init__(
        self,
        app: ASGIApp,
        long_leases: dict[str, float] | None = None,
        release_retry_seconds: float = 120.0,
    ) -> None:
        self.app = app
        # Paths whose requests wait long (the synchronous route): their own lease.
        self._long_leases = long_leases or {}
        self._release_retry = release_retry_seconds
        self._releasing: set[asyncio.Task[None]] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        raw_key = headers.get(HEADER)
        if raw_key is None:
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1")
        if not _valid(key):
            await _answer(scope, send, 422, "Idempotency-Key: 1 to 255 visible ASCII characters")
            return
        state = scope["app"].state
        try:
            tenant = await _tenant(state, headers.get(b"authorization", b""))
            if tenant is None:  # no valid key: the route answers 401
                await self.app(scope, receive, send)
                return
            body = await _read_body(receive)
            store: IdempotencyStore = state.idempotency
            lease = self._long_leases.get(scope["path"])
            claim = await store.claim(tenant, key, _fingerprint(scope, body), lease)
        except HTTPException as exc:  # the body limit, while reading
            await _answer(scope, send, exc.status_code, str(exc.detail))
            return
        except Exception as exc:
            if not is_transient(exc):
                raise
            log.warning("idempotency_unavailable", error=type(exc).__name__)
            await _answer(scope, send, 503, "temporarily unavailable, retry shortly", retry=True)
            return
        if claim.result is ClaimResult.MISMATCH:
            await _answer(scope, send, 422, "Idempotency-Key was used for a different request")
        elif claim.result is ClaimResult.IN_PROGRESS:
            message = "a request with this Idempotency-Key is still in progress"
            await _answer(scope, send, 409, message, retry=True)
        elif claim.result is ClaimResult.REPLAY:
            assert claim.response is not None
            await _send_stored(send, claim.response, replayed=True)
        else:
            await self._run_once(scope, send, store, tenant, key, body)

    async def _run_once(
        self, scope: Scope, send: Send, store: IdempotencyStore, tenant: str, key: str, body: bytes
    ) -> None:
        captured: list[Message] = []
        delivered = False

        async def replay_body() -> Message:
            nonlocal delivered
            if delivered:
                return {"type": "http.disconnect"}
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            captured.append(message)

        token = current_key.set(key)
        try:
            await self.app(scope, replay_body, capture)
        except BaseException:
            await self._release(store, tenant, key)
            raise
        finally:
            current_key.reset(token)
        response = _response_of(captured)
        if response.status_code < 500 and response.status_code != 429:
            # Stored before it is sent: a retry arriving right after sees the result.
            if not await _quietly(store.complete(tenant, key, response)):
                await self._release(store, tenant, key)
        else:
            await self._release(store, tenant, key)
        for message in captured:
            await send(message)

    async def _release(self, store: IdempotencyStore, tenant: str, key: str) -> None:
        """Free the claim so a retry runs again. When the database is down (the usual
        reason for the failure being released), keep trying in the background: until
        then, retries get 409 + Retry-After rather than waiting out the whole lease."""
        if await _quietly(store.release(tenant, key)):
            return

        async def keep_trying() -> None:
            loop = asyncio.get_running_loop()
            give_up = loop.time() + self._release_retry
            while loop.time() < give_up:
                await asyncio.sleep(1)
                if await _quietly(store.release(tenant, key)):
                    return

        task = asyncio.create_task(keep_trying())
        self._releasing.add(task)
        task.add_done_callback(self._releasing.discard)


async def _tenant(state: Any, authorization: bytes) -> str | None:
    scheme, _, credentials = authorization.decode("latin-1").partition(" ")
    if scheme.lower() != "bearer" or not credentials:
        return None
    found: str | None = await state.keys.tenant_for(credentials.strip())
    return found


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _fingerprint(scope: Scope, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (scope["method"].encode(), scope["path"].encode(), scope["query_string"], body):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _response_of(messages: list[Message]) -> StoredResponse:
    start = next(m for m in messages if m["type"] == "http.response.start")
    headers = [
        (k.decode("latin-1"), v.decode("latin-1"))
        for k, v in start.get("headers", [])
        if k.decode("latin-1").lower() not in _UNSTORED_HEADERS
    ]
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return StoredResponse(int(start["status"]), headers, body)


async def _quietly(done: Any) -> bool:
    """Run a bookkeeping write; a failure only costs the replay, never the response."""
    try:
        await done
    except Exception as exc:
        log.warning("idempotency_record_failed", error=type(exc).__name__)
        return False
    return True


async def _send_stored(send: Send, response: StoredResponse, *, replayed: bool) -> None:
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    headers.append((b"content-length", str(len(response.body)).encode()))
    if replayed:
        headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": response.status_code, "headers": headers})
    await send({"type": "http.response.body", "body": response.body})


async def _answer(
    scope: Scope, send: Send, status: int, message: str, *, retry: bool = False
) -> None:
    payload = orjson.dumps(envelope(scope["path"], status, message))
    headers = [(b"content-type", b"application/json")]
    if retry:
        headers.append((b"retry-after", b"1"))
    await _send_stored(
        send,
        StoredResponse(status, [(k.decode(), v.decode()) for k, v in headers], payload),
        replayed=False,
    )
