"""A small Server-Sent Events reader for the tests (httpx streaming)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class SseEvent:
    event: str
    id: str
    data: Any


def read_events(client: httpx.Client, url: str, last_event_id: str | None = None) -> list[SseEvent]:
    """Every event of the stream until the server ends it."""
    headers = {"Accept": "text/event-stream"}
    if last_event_id:
        headers["Last-Event-ID"] = last_event_id
    events: list[SseEvent] = []
    fields: dict[str, str] = {}
    with client.stream("GET", url, headers=headers, timeout=60) as response:
        assert response.status_code == 200, response.read()
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if not line:
                if "data" in fields:
                    events.append(
                        SseEvent(
                            fields.get("event", "message"),
                            fields.get("id", ""),
                            json.loads(fields["data"]),
                        )
                    )
                fields = {}
            elif not line.startswith(":"):
                key, _, value = line.partition(":")
                value = value.removeprefix(" ")
                fields[key] = (
                    fields[key] + "\n" + value if key == "data" and key in fields else value
                )
    return events
