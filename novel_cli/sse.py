"""Server-Sent Events from /v1/simulations/{id}/events, resumed after a dropped connection.

The gateway authenticates the stream by its Authorization header like any other route,
so this reads it with an ordinary streaming GET. When the connection drops (or the
gateway closes it before the simulation's end), the reader reconnects with
`Last-Event-ID` set to the last id it saw, and the gateway replays only what came later.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from novel_cli import exits
from novel_cli.api import Api, check
from novel_cli.exits import CliError

# Longer than the gateway's ping interval: a silent stream past this is a dead one.
READ_TIMEOUT_SECONDS = 60.0
MAX_RETRIES = 8


@dataclass(frozen=True)
class Event:
    event: str
    id: str
    data: Any  # the JSON payload, or the raw text when it is not JSON


@dataclass
class SseParser:
    """Feeds on lines (without their newline); returns an event when a blank line ends one."""

    _event: str = ""
    _id: str = ""
    _data: list[str] = field(default_factory=list)

    def feed(self, line: str) -> Event | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):  # a comment: the server's keep-alive ping
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value
        return None

    def _dispatch(self) -> Event | None:
        if not self._data:
            self._event = ""
            return None
        text = "\n".join(self._data)
        try:
            data: Any = json.loads(text)
        except ValueError:
            data = text
        event = Event(self._event or "message", self._id, data)
        self._event, self._data = "", []
        return event  # the id persists: it is the stream's last event id


def closes_stream(event: Event) -> bool:
    """After this event the gateway ends the stream on purpose: no reconnect is due.

    `story` is always the last event; a status other than `completed` may be the last
    (a failed run, or a cancelled one with no turn written, has no story to wait for).
    """
    if event.event == "story":
        return True
    status = event.data.get("status") if isinstance(event.data, dict) else None
    return event.event == "status" and status not in (None, "completed")


def follow_events(
    api: Api,
    simulation_id: str,
    last_event_id: str | None = None,
    on_retry: Callable[[str, str | None], None] | None = None,
    max_retries: int = MAX_RETRIES,
) -> Iterator[Event]:
    """Every event of a simulation until its stream ends, reconnecting when it breaks.

    `on_retry(reason, last_event_id)` is told about each reconnect. Consecutive failures
    past `max_retries` (with backoff up to 5 s) end the command with exit code 6.
    """
    path = f"/v1/simulations/{simulation_id}/events"
    last = last_event_id
    failures = 0
    timeout = httpx.Timeout(api.client.timeout.connect or 10.0, read=READ_TIMEOUT_SECONDS)
    while True:
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if last:
            headers["Last-Event-ID"] = last
        ended = False
        try:
            with api.client.stream("GET", path, headers=headers, timeout=timeout) as response:
                check(response)
                parser = SseParser()
                for line in response.iter_lines():
                    event = parser.feed(line)
                    if event is None:
                        continue
                    failures = 0
                    last = event.id or last
                    ended = ended or closes_stream(event)
                    yield event
            reason = "the stream closed before the simulation ended"
        except httpx.TransportError as exc:
            reason = f"connection lost ({str(exc) or type(exc).__name__})"
        except CliError as exc:
            if exc.exit_code != exits.UNAVAILABLE:
                raise
            reason = exc.message
        if ended:
            return
        failures += 1
        if failures > max_retries:
            raise CliError(
                f"gave up following {simulation_id} after {max_retries} retries: {reason}",
                exits.UNAVAILABLE,
            )
        if on_retry:
            on_retry(reason, last)
        time.sleep(min(0.25 * 2**failures, 5.0))
