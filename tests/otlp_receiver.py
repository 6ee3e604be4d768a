"""An OTLP trace receiver for tests: the collector's own gRPC service, run as a separate
process (`python -m tests.otlp_receiver SPANS_FILE`) that appends every span it
receives to a JSON-lines file.

It runs in its own process because a gRPC server's threads in the test process make the
fork that starts the services (with a parent-death signal set in between) abort."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import threading
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    name: str
    kind: int
    trace_id: str
    span_id: str
    parent_span_id: str
    links: tuple[tuple[str, str], ...]  # (trace_id, span_id)
    attributes: dict[str, object]


def _value(v):  # type: ignore[no-untyped-def]
    kind = v.WhichOneof("value")
    return getattr(v, kind) if kind else None


@dataclass
class _Servicer(trace_service_pb2_grpc.TraceServiceServicer):
    out: Path
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def Export(self, request, context):
        received = []
        for resource_spans in request.resource_spans:
            attrs = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            service = attrs.get("service.name", "")
            for scope in resource_spans.scope_spans:
                for s in scope.spans:
                    received.append(
                        ReceivedSpan(
                            service=service,
                            name=s.name,
                            kind=s.kind,
                            trace_id=s.trace_id.hex(),
                            span_id=s.span_id.hex(),
                            parent_span_id=s.parent_span_id.hex(),
                            links=tuple((lk.trace_id.hex(), lk.span_id.hex()) for lk in s.links),
                            attributes={a.key: _value(a.value) for a in s.attributes},
                        )
                    )
        with self._lock, self.out.open("a") as f:
            for span in received:
                f.write(json.dumps(dataclasses.asdict(span)) + "\n")
        return trace_service_pb2.ExportTraceServiceResponse()


class OtlpReceiver:
    """Starts the receiver process; reads back what it received."""

    def __init__(self, spans_file: Path) -> None:
        self.spans_file = spans_file
        self._proc: subprocess.Popen[str] | None = None

    def start(self) -> str:
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tests.otlp_receiver", str(self.spans_file)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._proc.stdout is not None
        port = int(self._proc.stdout.readline())
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(10)

    def trace(self, trace_id: str) -> list[ReceivedSpan]:
        if not self.spans_file.exists():
            return []
        spans = []
        for line in self.spans_file.read_text().splitlines():
            raw = json.loads(line)
            if raw["trace_id"] == trace_id:
                raw["links"] = tuple(tuple(link) for link in raw["links"])
                spans.append(ReceivedSpan(**raw))
        return spans


def main() -> None:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(_Servicer(Path(sys.argv[1])), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    server.wait_for_termination()


if __name__ == "__main__":
    main()
