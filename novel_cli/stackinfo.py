"""What `novel status` reports about a stack started here by `make up`.

`novel up` writes `<run dir>/stack.json` (processes, ports, logs); this reads it back,
asks each process whether it is alive and ready, and reads the queue depths from the
processes' Prometheus metrics.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from novel_platform.healthcheck import check_grpc

# Gauges worth a glance: work waiting, events not yet published, runs in progress.
QUEUE_METRICS = ("novel_work_queue_pending", "novel_outbox_backlog", "novel_simulations_running")


@dataclass
class ProcessStatus:
    name: str
    pid: int
    port: int
    metrics_port: int
    log: str
    alive: bool = False
    ready: bool = False
    queues: dict[str, float] = field(default_factory=dict)


def queue_depths(metrics_text: str) -> dict[str, float]:
    """`{"novel_work_queue_pending{consumer=simulation-workers}": 3.0, ...}` from a scrape."""
    depths: dict[str, float] = {}
    for family in text_string_to_metric_families(metrics_text):
        for sample in family.samples:
            if sample.name not in QUEUE_METRICS:
                continue
            labels = ",".join(
                f"{k}={v}" for k, v in sorted(sample.labels.items()) if not k.startswith("otel_")
            )
            key = f"{sample.name}{{{labels}}}" if labels else sample.name
            depths[key] = depths.get(key, 0.0) + sample.value
    return depths


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _ready(name: str, port: int) -> bool:
    if name.startswith("gateway"):
        try:
            return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False
    return check_grpc(f"127.0.0.1:{port}", timeout=1)


def _scrape(port: int) -> dict[str, float]:
    try:
        response = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2)
    except httpx.HTTPError:
        return {}
    return queue_depths(response.text) if response.status_code == 200 else {}


def processes(state: dict[str, Any]) -> list[ProcessStatus]:
    """Each process of the stack, probed now."""
    found: list[ProcessStatus] = []
    for name, info in sorted((state.get("processes") or {}).items()):
        status = ProcessStatus(name=name, **info)
        status.alive = _alive(status.pid)
        if status.alive:
            status.ready = _ready(name, status.port)
            status.queues = _scrape(status.metrics_port) if status.metrics_port else {}
        found.append(status)
    return found


def read_state(run_dir: Path) -> dict[str, Any] | None:
    try:
        loaded = json.loads((run_dir / "stack.json").read_text())
    except (FileNotFoundError, ValueError):
        return None
    return loaded if isinstance(loaded, dict) else None


def as_json(state: dict[str, Any], found: Iterable[ProcessStatus]) -> dict[str, Any]:
    public = {k: v for k, v in state.items() if k not in ("key", "database_url", "processes")}
    return {**public, "processes": [asdict(p) for p in found]}
