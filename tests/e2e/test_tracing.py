"""One trace from the HTTP request to the chapters, across gRPC and NATS."""

from __future__ import annotations

import json
import secrets
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from novel_cli.stack import LocalStack
from tests import infra
from tests.otlp_receiver import OtlpReceiver, ReceivedSpan

pytestmark = pytest.mark.e2e

SERVER, CLIENT, PRODUCER, CONSUMER = 2, 3, 4, 5  # OTLP SpanKind values


@pytest.fixture(scope="module")
def traced(postgres_url, tmp_path_factory) -> Iterator[tuple[LocalStack, OtlpReceiver]]:
    receiver = OtlpReceiver(tmp_path_factory.mktemp("otlp") / "spans.jsonl")
    endpoint = receiver.start()
    with infra.fresh_database(postgres_url) as database_url:
        stack = LocalStack(
            run_dir=tmp_path_factory.mktemp("traced"),
            # Its own NATS (nats_url=None): the session stack's workers share durable
            # consumer names and would take this stack's work into another database.
            nats_url=None,
            database_url=database_url,
            free_ports=True,
            extra_env={
                "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint,
                "OTEL_EXPORTER_OTLP_INSECURE": "true",
                "OTEL_EXPORTER_OTLP_TIMEOUT": "2",
                "OTEL_BSP_SCHEDULE_DELAY": "100",
                "OTEL_TRACES_SAMPLER": "parentbased_always_on",
                "OTEL_METRICS_EXPORTER": "none",
                "OTEL_RESOURCE_ATTRIBUTES": (
                    "service.namespace=novel-engine,deployment.environment=test"
                ),
            },
        )
        try:
            stack.start()
            yield stack, receiver
        finally:
            stack.stop()
            receiver.stop()


def run_traced_request(stack: LocalStack) -> str:
    trace_id = secrets.token_hex(16)
    headers = {
        "Authorization": f"Bearer {stack.key}",
        "traceparent": f"00-{trace_id}-{secrets.token_hex(8)}-01",
    }
    with httpx.Client(base_url=stack.url, headers=headers, timeout=60) as client:
        response = client.post(
            "/simulations", json={"character_names": ["pilot", "kai"], "turns": 2}
        )
    assert response.status_code == 200, response.text
    return trace_id


def by_id(spans: list[ReceivedSpan]) -> dict[str, ReceivedSpan]:
    return {s.span_id: s for s in spans}


def one(spans: list[ReceivedSpan], **match) -> ReceivedSpan:
    found = [s for s in spans if all(getattr(s, k) == v for k, v in match.items())]
    assert found, f"no span with {match}; have {sorted({(s.service, s.name) for s in spans})}"
    return found[0]


def ancestors(span: ReceivedSpan, index: dict[str, ReceivedSpan]) -> list[ReceivedSpan]:
    chain = []
    while span.parent_span_id in index:
        span = index[span.parent_span_id]
        chain.append(span)
    return chain


@pytest.fixture(scope="module")
def trace_id(traced) -> str:
    """One synchronous simulation request, traced; then every service is stopped
    gracefully, which flushes its exporter, so the trace and the logs are complete."""
    stack, _ = traced
    return run_traced_request(stack)


def test_one_trace_from_request_to_story(traced, trace_id):
    stack, receiver = traced
    # Graceful shutdown flushes every service's exporter: then the trace is complete.
    # (uvicorn re-raises SIGTERM after its graceful shutdown, hence -15 for the gateway.)
    for name in sorted(stack.procs, key=lambda n: n != "gateway"):
        assert stack.stop_service(name) in (0, -signal.SIGTERM)
    spans = receiver.trace(trace_id)
    index = by_id(spans)
    assert {s.service for s in spans} >= {"gateway", "simulation", "character", "story"}

    # No orphans: every parent is in the trace, and only the caller's span is missing.
    missing_parents = {s.parent_span_id for s in spans if s.parent_span_id not in index}
    assert len(missing_parents) == 1, missing_parents  # the test's own traceparent

    # gateway → simulation (gRPC) → character (gRPC) → database; the run, its insert and
    # its event under the start; → NATS → the story writer.
    http = one(spans, service="gateway", kind=SERVER)
    start = one(
        spans,
        service="simulation",
        kind=SERVER,
        name="/novel_engine.v1.SimulationService/StartSimulation",
    )
    assert http in ancestors(start, index)
    fetches = [
        s
        for s in spans
        if s.service == "character"
        and s.kind == SERVER
        and s.name.endswith("/BatchGetCharacters")
        and start in ancestors(s, index)
    ]
    assert fetches, "the start's character fetch is not under its span"
    database = [s for s in spans if s.service == "character" and s.attributes.get("db.system")]
    assert any(fetches[0] in ancestors(s, index) for s in database), "no database span"
    # A short unpaced run is computed under the start itself (no work message): one span
    # per turn, and the run's batch of turns goes out as one event from the start's trace.
    turns = [s for s in spans if s.name == "simulation.turn"]
    assert sorted(s.attributes["novel.turn"] for s in turns) == [1, 2]
    assert all(start in ancestors(s, index) for s in turns)
    assert not [s for s in spans if s.name.startswith("simulation.requested")]
    insert = [
        s
        for s in spans
        if s.service == "simulation" and s.attributes.get("db.system") and s.kind == CLIENT
    ]
    assert any(start in ancestors(s, index) for s in insert), "the run's insert is not traced"
    batch = one(spans, kind=PRODUCER, name="simulation.turns_completed publish")
    assert start in ancestors(batch, index)

    # The story service: its consumer span continues the batch; chapters and the closing
    # link to it (fan-in: a chapter may come from another event than the one handled).
    consumed = [s for s in spans if s.service == "story" and s.kind == CONSUMER]
    assert batch.span_id in {s.parent_span_id for s in consumed}
    chapters = [s for s in spans if s.name == "story.chapter.write"]
    assert len(chapters) == 2
    assert {link[1] for s in chapters for link in s.links} == {batch.span_id}
    complete = one(spans, name="story.complete")
    assert {link[1] for link in complete.links} == {batch.span_id}


def test_log_lines_carry_the_trace_id(traced, trace_id):
    """A simulation's log lines in all four services can be gathered by its trace id."""
    stack, _ = traced
    services_with_lines = set()
    for path in Path(stack.run_dir, "logs").glob("*.log"):
        for line in path.read_text().splitlines():
            if line.startswith("{") and json.loads(line).get("trace_id") == trace_id:
                services_with_lines.add(json.loads(line)["service"])
    assert services_with_lines >= {"gateway", "simulation", "character", "story"}
