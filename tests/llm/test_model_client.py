"""The model client against a real HTTP server speaking chat completions (no mocks)."""

from __future__ import annotations

import json

import pytest

from bench.scripted_llm import ScriptedLLM
from novel_platform.llm.backend import Backend
from novel_platform.llm.client import ChatRequest, ModelClient, ModelFailure
from novel_platform.llm.hosts import HostPolicy

SCHEMA = {
    "type": "object",
    "properties": {"option": {"type": "integer", "minimum": 1, "maximum": 3}},
    "required": ["option"],
    "additionalProperties": False,
}
REQUEST = ChatRequest("You are Rhea.", "Options: 1, 2, 3", "decision", SCHEMA)
KEY = "sk-test-secret-key-0123456789"
# The scripted server listens on loopback, which the server refuses unless allowed.
LOOPBACK = HostPolicy.parse("127.0.0.1")


_opened: list[ModelClient] = []


@pytest.fixture(autouse=True)
async def _close_clients():
    yield
    while _opened:
        await _opened.pop().close()


def client(server: ScriptedLLM, policy: HostPolicy = LOOPBACK, **overrides: object) -> ModelClient:
    values: dict = {
        "base_url": server.url,
        "model": "scripted",
        "api_key": KEY,
        "timeout_seconds": 5.0,
        **overrides,
    }
    opened = ModelClient(Backend(**values), policy)
    _opened.append(opened)
    return opened


async def test_a_good_answer_comes_back_with_its_usage(llm):
    reply = await client(llm).complete(REQUEST)
    assert json.loads(reply.content) == {"option": 3}
    assert reply.input_tokens > 0 and reply.output_tokens > 0
    sent = llm.requests[0]
    assert sent["model"] == "scripted" and sent["max_tokens"] == 256
    assert sent["response_format"]["json_schema"]["schema"] == SCHEMA
    assert llm.authorizations == [f"Bearer {KEY}"]


async def test_without_structured_output_the_schema_is_in_the_prompt(llm):
    reply = await client(llm, structured=False).complete(REQUEST)
    assert json.loads(reply.content) == {"option": 3}
    assert "response_format" not in llm.requests[0]


async def test_malformed_content_is_returned_for_the_caller_to_refuse(llm):
    llm.script(["malformed"])
    reply = await client(llm).complete(REQUEST)
    with pytest.raises(json.JSONDecodeError):
        json.loads(reply.content)


async def test_429_waits_the_retry_after_then_succeeds(llm):
    llm.script(["status:429:1"])
    reply = await client(llm).complete(REQUEST)
    assert json.loads(reply.content) == {"option": 3}
    assert len(llm.arrivals) == 2
    assert llm.arrivals[1] - llm.arrivals[0] >= 1.0


async def test_500s_are_retried_then_answered(llm):
    llm.script(["status:500", "status:503"])
    reply = await client(llm).complete(REQUEST)
    assert json.loads(reply.content) == {"option": 3}
    assert len(llm.requests) == 3


async def test_persistent_500s_fail_after_the_retries(llm):
    llm.script([], default="status:500")
    with pytest.raises(ModelFailure) as failure:
        await client(llm).complete(REQUEST)
    assert failure.value.kind == "server_error"
    assert len(llm.requests) == 4


async def test_a_refusal_is_not_retried(llm):
    llm.script(["status:401"])
    with pytest.raises(ModelFailure) as failure:
        await client(llm).complete(REQUEST)
    assert failure.value.kind == "refused" and len(llm.requests) == 1
    assert KEY not in str(failure.value)


async def test_a_hanging_server_hits_the_deadline(llm):
    llm.script([], default="hang")
    with pytest.raises(ModelFailure) as failure:
        await client(llm, timeout_seconds=0.5).complete(REQUEST)
    assert failure.value.kind == "timeout"


async def test_a_dropped_connection_is_retried(llm):
    llm.script(["drop"])
    reply = await client(llm).complete(REQUEST)
    assert json.loads(reply.content) == {"option": 3}
    assert len(llm.requests) == 2


async def test_a_server_gone_away_fails_and_opens_the_breaker():
    gone = ScriptedLLM().start()
    gone.stop()
    model = client(gone, timeout_seconds=2.0)
    kinds = []
    for _ in range(6):
        with pytest.raises(ModelFailure) as failure:
            await model.complete(REQUEST)
        kinds.append(failure.value.kind)
    # Refused connections are retried until the attempts or the deadline run out.
    assert set(kinds[:5]) <= {"unreachable", "timeout"}
    assert kinds[5] == "circuit_open" and model.breaker.state == "open"


def test_the_key_never_shows_in_a_backend_repr_or_its_public_form():
    backend = Backend(base_url="http://x/v1", model="m", api_key=KEY)
    assert KEY not in repr(backend) and KEY not in json.dumps(backend.public())
    assert backend.public()["api_key_set"] is True
    digest_source = REQUEST.digest(backend)
    assert KEY not in digest_source


async def test_each_call_is_a_client_span_with_the_genai_attributes(llm):
    from opentelemetry import trace
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    reply = await client(llm).complete(REQUEST, {"novel.turn": 3})
    llm.script([], default="status:400")
    with pytest.raises(ModelFailure):
        await client(llm).complete(REQUEST)
    ok_span, failed_span = [s for s in exporter.get_finished_spans() if s.name == "chat scripted"][
        -2:
    ]
    assert ok_span.kind == trace.SpanKind.CLIENT
    ok, failed = dict(ok_span.attributes or {}), dict(failed_span.attributes or {})
    assert ok["gen_ai.request.model"] == "scripted"
    assert ok["gen_ai.operation.name"] == "chat"
    assert ok["gen_ai.usage.input_tokens"] == reply.input_tokens > 0
    assert ok["gen_ai.usage.output_tokens"] == reply.output_tokens > 0
    assert ok["novel.turn"] == 3
    assert failed["error.type"] == "refused"
    assert KEY not in str([ok, failed])


async def test_a_host_the_policy_refuses_is_never_called(llm):
    with pytest.raises(ModelFailure) as failure:
        await client(llm, HostPolicy()).complete(REQUEST)
    assert failure.value.kind == "host_refused" and "127.0.0.1" in str(failure.value)
    assert llm.requests == []


async def test_a_name_is_checked_where_the_connection_resolves_it(llm):
    # "localhost" is a name: allowed as a URL, refused once it resolves to loopback.
    named = llm.url.replace("127.0.0.1", "localhost")
    with pytest.raises(ModelFailure) as failure:
        await client(llm, HostPolicy(), base_url=named).complete(REQUEST)
    assert failure.value.kind == "host_refused" and "not public" in str(failure.value)
    assert llm.requests == []
    # Allowed by name (NE_LLM_ALLOWED_HOSTS=localhost), the same URL is called.
    reply = await client(llm, HostPolicy.parse("localhost"), base_url=named).complete(REQUEST)
    assert json.loads(reply.content) == {"option": 3}
