"""Every service serves Prometheus metrics, with the names the README lists."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.e2e

EXPECTED = {
    "gateway": [
        "http_server_request_duration_seconds",
        "novel_db_pool_checked_out",
        "novel_event_loop_lag",
    ],
    "character": [
        "rpc_server_duration",
        "novel_outbox_backlog",
        "novel_db_pool_size",
        "novel_event_loop_lag",
        "novel_gc_pause",
    ],
    "simulation": [
        "rpc_server_duration",
        "novel_simulations_started",
        "novel_simulations_finished",
        "novel_turn_duration",
        "novel_messages_processed",
        "novel_work_queue_pending",
        "novel_outbox_backlog",
    ],
    "story": ["novel_messages_processed", "novel_outbox_backlog", "novel_db_pool_checked_out"],
}


def test_each_service_serves_prometheus_metrics(stack, api):
    # Some traffic first, so the counters and histograms have samples.
    response = api.post("/simulations", json={"character_names": ["elena", "kai"], "turns": 2})
    assert response.status_code == 200, response.text
    for service, names in EXPECTED.items():
        scrape = httpx.get(f"http://127.0.0.1:{stack.ports[f'{service}-metrics']}/metrics")
        assert scrape.status_code == 200
        assert scrape.headers["content-type"].startswith("text/plain")
        body = scrape.text
        for name in names:
            assert f"\n{name}" in body, f"{service} does not export {name}"
