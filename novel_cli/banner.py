"""What `make up` records in stack.json and prints: where everything is."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

JAEGER_UI = "http://127.0.0.1:16686"
OTLP_GRPC = "http://127.0.0.1:4317"


def without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def stack_state(
    *,
    url: str,
    key: str,
    database_url: str,
    nats_url: str,
    pids: dict[str, int],
    ports: dict[str, int],
    logs: Path,
) -> dict[str, Any]:
    """The stack.json `novel down`, `novel status` and the user commands read."""
    return {
        "pid": os.getpid(),
        "url": url,
        "key": key,
        "database_url": database_url,
        "infra": {"nats": nats_url, "postgres": without_password(database_url)},
        "logs": str(logs),
        "processes": {
            name: {
                "pid": pid,
                "port": ports[name],
                "metrics_port": ports.get(f"{name}-metrics", 0),
                "log": str(logs / f"{name}.log"),
            }
            for name, pid in pids.items()
        },
    }


def where_everything_is(state: dict[str, Any], tenant: str, otlp_endpoint: str | None) -> list[str]:
    """The lines `make up` prints once the stack is ready."""
    url, key = state["url"], state["key"]
    lines = [
        f"  API:      {url}   (docs: {url}/docs, OpenAPI: {url}/openapi.json)",
        f"  Page:     {url}/app   (paste the API key once)",
        f"  API key:  {key}   (tenant '{tenant}')",
        "  Try:      novel simulate pilot scientist --turns 5 --follow",
        f'            curl -H "Authorization: Bearer {key}" {url}/v1/characters',
        "  Processes (port, metrics):",
    ]
    for name, info in sorted(state["processes"].items()):
        metrics = (
            f"http://127.0.0.1:{info['metrics_port']}/metrics" if info["metrics_port"] else "-"
        )
        lines.append(f"    {name:<11} pid {info['pid']:<7} :{info['port']:<6} {metrics}")
    lines += [
        f"  NATS:     {state['infra']['nats']}   PostgreSQL: {state['infra']['postgres']}",
        f"  Logs:     {state['logs']}/   (one JSON line per event)",
    ]
    if otlp_endpoint:
        lines.append(f"  Traces:   sent to {otlp_endpoint}; Jaeger's UI: {JAEGER_UI}")
    else:
        lines.append(
            f"  Traces:   off. Run Jaeger (OTLP {OTLP_GRPC}, UI {JAEGER_UI}), then "
            f"OTEL_EXPORTER_OTLP_ENDPOINT={OTLP_GRPC} make up"
        )
    lines.append("  Status:   novel status      Stop: Ctrl-C or make down")
    return lines
