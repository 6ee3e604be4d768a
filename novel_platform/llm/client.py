"""Calls to one OpenAI-compatible backend, kept honest: a deadline per call, retries with
jitter (tenacity), a provider's 429 + Retry-After honoured, a circuit breaker and a
concurrency limit per backend. Failures come back as one exception, `ModelFailure`,
whose kind the caller counts; the caller then falls back to the offline path.

The API key goes to the server in the Authorization header and nowhere else: not in
logs, spans, digests or exceptions.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import openai
import structlog
from openai import AsyncOpenAI
from openai._vendor.httpx_aiohttp.transport import AiohttpTransport
from openai.types.chat import ChatCompletion
from opentelemetry.trace import SpanKind, Status, StatusCode
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

from novel_platform import semconv, telemetry
from novel_platform.llm.backend import Backend
from novel_platform.llm.breaker import CircuitBreaker
from novel_platform.llm.hosts import GuardedResolver, HostPolicy, HostRefused

log = structlog.get_logger(__name__)
_tracer = telemetry.tracer(__name__)
_meter = telemetry.meter(__name__)
_duration = _meter.create_histogram(semconv.GEN_AI_OPERATION_DURATION, unit="s")
_token_usage = _meter.create_histogram(semconv.GEN_AI_TOKEN_USAGE, unit="{token}")
_calls = _meter.create_counter(semconv.LLM_CALLS)

ATTEMPTS = 4
_jitter = wait_random_exponential(multiplier=0.25, max=4)
# Per message, what chat templates add around the text (role markers): a generous bound.
_TEMPLATE_TOKENS = 16


class ModelFailure(Exception):
    """The model gave no usable answer in time. `kind`: timeout, rate_limited,
    server_error, unreachable, refused, circuit_open, host_refused (the URL's host is
    not one the server may call: novel_platform.llm.hosts)."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind


@dataclass(frozen=True)
class ChatRequest:
    """One chat completion asked for a JSON answer matching `schema`."""

    system: str
    user: str
    schema_name: str
    schema: Mapping[str, Any]

    def messages(self) -> list[dict[str, str]]:
        instruction = "Answer with one JSON object only, matching this JSON schema: " + json.dumps(
            self.schema, sort_keys=True, separators=(",", ":")
        )
        return [
            {"role": "system", "content": f"{self.system}\n{instruction}"},
            {"role": "user", "content": self.user},
        ]

    def digest(self, backend: Backend) -> str:
        """Identifies the request (never the key): a replay checks it is asking the same."""
        canonical = json.dumps(
            {
                "model": backend.model,
                "temperature": backend.temperature,
                "max_tokens": backend.max_tokens,
                "messages": self.messages(),
            },
            sort_keys=True,
            separators=(",", ":"),
        )
        return hashlib.sha256(canonical.encode()).hexdigest()

    def reserve(self, backend: Backend) -> int:
        """An upper bound of the call's tokens: a token covers at least one byte of text,
        and the answer is capped at max_tokens. Budgets charge this before a call."""
        sent = sum(len(m["content"].encode()) + _TEMPLATE_TOKENS for m in self.messages())
        return sent + backend.max_tokens


@dataclass(frozen=True)
class ModelReply:
    content: str
    input_tokens: int
    output_tokens: int
    latency_ms: int


def _transient(exc: BaseException) -> bool:
    return not _host_refused(exc) and isinstance(
        exc,
        openai.APITimeoutError
        | openai.APIConnectionError
        | openai.RateLimitError
        | openai.InternalServerError,
    )


def _host_refused(exc: BaseException) -> HostRefused | None:
    """The policy's refusal behind a connection error (the client wraps it twice)."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, HostRefused):
            return cause
        cause = cause.__cause__ or cause.__context__
    return None


def retry_after(exc: BaseException | None) -> float | None:
    """Seconds a provider asked us to wait (Retry-After, in seconds), if it did."""
    if not isinstance(exc, openai.RateLimitError):
        return None
    value = exc.response.headers.get("retry-after", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _wait(state: RetryCallState) -> float:
    asked = retry_after(state.outcome.exception() if state.outcome else None)
    return asked if asked is not None else _jitter(state)


def _failure(exc: BaseException) -> ModelFailure:
    if refused := _host_refused(exc):
        return ModelFailure("host_refused", str(refused))
    if isinstance(exc, TimeoutError | openai.APITimeoutError):
        return ModelFailure("timeout")
    if isinstance(exc, openai.RateLimitError):
        return ModelFailure("rate_limited", "429")
    if isinstance(exc, openai.APIConnectionError):
        return ModelFailure("unreachable", type(exc).__name__)
    if isinstance(exc, openai.APIStatusError):
        kind = "server_error" if exc.status_code >= 500 else "refused"
        return ModelFailure(kind, str(exc.status_code))
    return ModelFailure("refused", type(exc).__name__)


class ModelClient:
    """One backend endpoint (URL + key): its HTTP client, breaker and concurrency limit,
    shared by every simulation this process runs on it, whatever model or temperature
    each asks for."""

    def __init__(self, backend: Backend, policy: HostPolicy) -> None:
        self.backend = backend
        try:  # an IP address is checked here: connections to one skip the resolver
            self._refusal = policy.literal_refusal(backend.base_url)
        except ValueError as exc:
            self._refusal = str(exc)
        self._client = AsyncOpenAI(
            base_url=backend.base_url,
            api_key=backend.api_key or "unused",  # local servers want none; the client wants one
            max_retries=0,  # retries are ours (tenacity), with the deadline over all of them
            timeout=backend.timeout_seconds,
            http_client=_http_client(policy, backend.max_concurrency),
        )
        self._slots = asyncio.Semaphore(backend.max_concurrency)
        self.breaker = CircuitBreaker()

    async def close(self) -> None:
        await self._client.close()

    async def complete(
        self,
        request: ChatRequest,
        attributes: Mapping[str, str | int] | None = None,
        backend: Backend | None = None,
    ) -> ModelReply:
        """The answer's text and usage, or ModelFailure once the deadline or the retries
        are spent. Never raises anything else for a model's misbehaviour. `backend`: the
        model, temperature and token cap of this call (default: the client's)."""
        backend = backend or self.backend
        labels = {semconv.GEN_AI_REQUEST_MODEL: backend.model}
        with _tracer.start_as_current_span(
            f"chat {backend.model}",
            kind=SpanKind.CLIENT,
            attributes={
                semconv.GEN_AI_OPERATION: "chat",
                semconv.GEN_AI_PROVIDER: "openai",
                semconv.GEN_AI_REQUEST_MODEL: backend.model,
                semconv.GEN_AI_REQUEST_TEMPERATURE: backend.temperature,
                semconv.GEN_AI_REQUEST_MAX_TOKENS: backend.max_tokens,
                **(attributes or {}),
            },
        ) as span:
            started = time.perf_counter()
            try:
                reply = await self._complete(request, backend, started)
            except ModelFailure as failure:
                span.set_status(Status(StatusCode.ERROR, failure.kind))
                span.set_attribute(semconv.ERROR_TYPE, failure.kind)
                _calls.add(1, {**labels, semconv.OUTCOME: failure.kind})
                _duration.record(
                    time.perf_counter() - started, {**labels, semconv.ERROR_TYPE: failure.kind}
                )
                raise
            span.set_attribute(semconv.GEN_AI_USAGE_INPUT_TOKENS, reply.input_tokens)
            span.set_attribute(semconv.GEN_AI_USAGE_OUTPUT_TOKENS, reply.output_tokens)
            _calls.add(1, {**labels, semconv.OUTCOME: "ok"})
            _duration.record(reply.latency_ms / 1000, labels)
            _token_usage.record(reply.input_tokens, {**labels, semconv.GEN_AI_TOKEN_TYPE: "input"})
            _token_usage.record(
                reply.output_tokens, {**labels, semconv.GEN_AI_TOKEN_TYPE: "output"}
            )
            return reply

    async def _complete(self, request: ChatRequest, backend: Backend, started: float) -> ModelReply:
        if self._refusal:
            raise ModelFailure("host_refused", self._refusal)
        if not self.breaker.allow():
            raise ModelFailure("circuit_open")
        try:
            async with asyncio.timeout(self.backend.timeout_seconds):
                async with self._slots:
                    reply = await self._attempts(request, backend, started)
        except ModelFailure:
            self.breaker.failed()
            raise
        except (TimeoutError, openai.OpenAIError) as exc:
            self.breaker.failed()
            raise _failure(exc) from None
        self.breaker.succeeded()
        return reply

    async def _attempts(self, request: ChatRequest, backend: Backend, started: float) -> ModelReply:
        body: dict[str, Any] = {
            "model": backend.model,
            "messages": request.messages(),
            "temperature": backend.temperature,
            "max_tokens": backend.max_tokens,
        }
        if backend.structured:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": request.schema_name,
                    "schema": dict(request.schema),
                    "strict": True,
                },
            }
        async for attempt in AsyncRetrying(
            stop=stop_after_attempt(ATTEMPTS),
            wait=_wait,
            retry=retry_if_exception(_transient),
            reraise=True,
        ):
            with attempt:
                # The body is plain JSON already: `post` skips the typed-parameter
                # transform of `chat.completions.create`, half of the client's CPU per call.
                completion = await self._client.post(
                    "/chat/completions", body=body, cast_to=ChatCompletion
                )
        choice = completion.choices[0] if completion.choices else None
        usage = completion.usage
        return ModelReply(
            content=(choice.message.content or "") if choice else "",
            input_tokens=usage.prompt_tokens if usage else 0,
            output_tokens=usage.completion_tokens if usage else 0,
            latency_ms=round((time.perf_counter() - started) * 1000),
        )


def _http_client(policy: HostPolicy, connections: int) -> openai.DefaultAioHttpClient:
    """aiohttp under the openai client (a third less CPU per call than its default
    pool), connecting only where the host policy allows and following no redirect: an
    allowed host must not send the call, and its key, somewhere else."""

    def session() -> aiohttp.ClientSession:
        resolver = GuardedResolver(policy)
        return aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(resolver=resolver, limit=connections)
        )

    return openai.DefaultAioHttpClient(
        transport=AiohttpTransport(client=session), follow_redirects=False
    )


class ModelClients:
    """One client per endpoint (URL + key), so simulations on the same backend share
    its breaker and its concurrency limit. Every client keeps to the host policy."""

    def __init__(self, policy: HostPolicy) -> None:
        self.policy = policy
        self._clients: dict[tuple[str, str], ModelClient] = {}

    def get(self, backend: Backend) -> ModelClient:
        key = (backend.base_url, hashlib.sha256(backend.api_key.encode()).hexdigest())
        client = self._clients.get(key)
        if client is None:
            client = self._clients[key] = ModelClient(backend, self.policy)
        return client

    async def close(self) -> None:
        for client in self._clients.values():
            await client.close()
        self._clients.clear()
