"""OpenTelemetry: traces and metrics, configured only by the standard OTEL_* variables.

- Traces are exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT (or the traces-only
  variable) is set; otherwise only the no-op API runs, which costs next to nothing.
- Metrics are always served in the Prometheus text format on NE_METRICS_PORT, and also
  exported over OTLP when an endpoint is set.
- gRPC servers and channels must be instrumented before they are created: call
  configure_telemetry() first thing in a process.
- The project's own spans are made by `span`, whose one rule is that a span is made
  only when tracing is on.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass

import structlog
from opentelemetry import context as otel_context
from opentelemetry import metrics, propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

log = structlog.get_logger(__name__)

# Probes and scrapes: kept out of traces, request metrics and load shedding.
HEALTH_PATHS = frozenset({"/healthz", "/readyz", "/health", "/metrics"})
HEALTH_ROUTES = ",".join(sorted(path.lstrip("/") for path in HEALTH_PATHS))  # excluded_urls


def _otlp_endpoint(signal: str) -> bool:
    """An OTLP endpoint is configured and OTEL_<SIGNAL>_EXPORTER does not say none."""
    if os.environ.get(f"OTEL_{signal}_EXPORTER", "otlp").lower() == "none":
        return False
    return bool(
        os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or os.environ.get(f"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT")
    )


@dataclass
class Telemetry:
    tracer_provider: TracerProvider | None
    meter_provider: MeterProvider

    def shutdown(self) -> None:
        """Flush what is buffered; called last during a graceful shutdown."""
        if self.tracer_provider is not None:
            self.tracer_provider.shutdown()
        self.meter_provider.shutdown()


_configured: Telemetry | None = None


def configure_telemetry(service: str, metrics_port: int | None = None) -> Telemetry:
    """Install the providers and the gRPC instrumentation (once per process)."""
    global _configured
    if _configured is not None:
        return _configured
    os.environ.setdefault("OTEL_SERVICE_NAME", service)
    disabled = os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true"
    resource = Resource.create()

    tracer_provider = None
    if not disabled and _otlp_endpoint("TRACES"):
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        # The sampler comes from OTEL_TRACES_SAMPLER / _ARG (parent-based by default).
        tracer_provider = TracerProvider(resource=resource)
        tracer_provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        trace.set_tracer_provider(tracer_provider)

    readers: list[MetricReader] = []
    if metrics_port is not None:
        from opentelemetry.exporter.prometheus import PrometheusMetricReader
        from prometheus_client import start_http_server

        try:
            start_http_server(metrics_port, addr="0.0.0.0")
            readers.append(PrometheusMetricReader())
        except OSError as exc:  # e.g. a second gateway worker: one scrape port per pod
            log.warning("metrics_port_unavailable", port=metrics_port, error=str(exc))
    if not disabled and _otlp_endpoint("METRICS"):
        from opentelemetry.exporter.otlp.proto.grpc.metric_exporter import OTLPMetricExporter
        from opentelemetry.sdk.metrics.export import PeriodicExportingMetricReader

        readers.append(PeriodicExportingMetricReader(OTLPMetricExporter()))
    meter_provider = MeterProvider(resource=resource, metric_readers=readers)
    metrics.set_meter_provider(meter_provider)

    if tracer_provider is not None:
        from opentelemetry.instrumentation.grpc import (
            GrpcAioInstrumentorClient,
            GrpcAioInstrumentorServer,
            filters,
        )
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

        no_health = filters.negate(filters.health_check())
        GrpcAioInstrumentorServer(filter_=no_health).instrument()
        GrpcAioInstrumentorClient(filter_=no_health).instrument()
        HTTPXClientInstrumentor().instrument()
    _configured = Telemetry(tracer_provider, meter_provider)
    return _configured


def flush_telemetry() -> None:
    """Export what is buffered (for processes whose exit the runtime does not own)."""
    if _configured is not None:
        _configured.shutdown()


def tracing_enabled() -> bool:
    """configure_telemetry installed a tracer provider: spans are exported."""
    return _configured is not None and _configured.tracer_provider is not None


def tracer(name: str) -> trace.Tracer:
    return trace.get_tracer(name)


def meter(name: str) -> metrics.Meter:
    return metrics.get_meter(name)


def current_trace_ids() -> tuple[str, str] | None:
    """(trace_id, span_id) of the active span as hex, or None outside a span."""
    ctx = trace.get_current_span().get_span_context()
    if not ctx.is_valid:
        return None
    return format(ctx.trace_id, "032x"), format(ctx.span_id, "016x")


def inject() -> dict[str, str]:
    """The active context as W3C headers (traceparent, tracestate, baggage)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def extract(headers: Mapping[str, str] | None) -> Context:
    return propagate.extract(dict(headers or {}))


def span_link(headers: Mapping[str, str] | None) -> trace.Link | None:
    """A link to the span whose context the headers carry (for fan-in)."""
    span_context = trace.get_current_span(extract(headers)).get_span_context()
    return trace.Link(span_context) if span_context.is_valid else None


# What `span` gives when tracing is off: no span, nothing to end (reusable).
_NO_SPAN: AbstractContextManager[trace.Span] = nullcontext(trace.INVALID_SPAN)

AttributeValue = str | bool | int | float


def span(
    tracer: trace.Tracer,
    name: str,
    *,
    kind: trace.SpanKind = trace.SpanKind.INTERNAL,
    attributes: Mapping[str, AttributeValue] | None = None,
    links_from: Iterable[Mapping[str, str]] = (),
    parent: Mapping[str, str] | None = None,
) -> AbstractContextManager[trace.Span]:
    """A span around a block, made current; the rule for every span this project makes.

    When tracing is off, no span is made, not even a non-recording one (creating,
    entering and ending one costs more than a short turn's plumbing): the block runs
    in the current context, so what came in goes out (`inject`) unchanged, as it would
    through a non-recording span. `links_from`: the headers (`inject`) of spans this one
    is made from (fan-in); `parent`: the headers of a message whose trace the block
    continues, made current even when tracing is off. Links are made once per distinct
    span (turns of one batch share their event's).
    """
    if not tracing_enabled():
        return _NO_SPAN if parent is None else _continued(extract(parent))
    return tracer.start_as_current_span(
        name,
        context=extract(parent) if parent is not None else None,
        kind=kind,
        attributes=attributes,
        links=[
            link
            for h in {h.get("traceparent", ""): h for h in links_from}.values()
            if (link := span_link(h)) is not None
        ],
    )


@contextmanager
def _continued(parent: Context) -> Iterator[trace.Span]:
    token = otel_context.attach(parent)
    try:
        yield trace.INVALID_SPAN
    finally:
        otel_context.detach(token)
