"""One simulation's events as a Server-Sent Events stream, read from JetStream.

Replay and live delivery come from the same ordered consumers (deliver all, filtered to
this simulation's subjects), so a client that reconnects with Last-Event-ID gets what it
missed without the database being polled. Event ids are "<turns>.<chapters>.<final>":
how far the client has got, so a resumed stream skips what was already sent.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import orjson
from google.protobuf.json_format import MessageToDict
from nats.aio.msg import Msg
from nats.js.api import DeliverPolicy

from novel_engine.v1 import simulation_pb2, story_pb2
from novel_platform import subjects
from novel_platform.events import parse_envelope, unpack
from novel_platform.messaging import EventBus


@dataclass
class Position:
    turns: int = 0
    chapters: int = 0
    final: int = 0

    @classmethod
    def parse(cls, last_event_id: str | None) -> Position:
        try:
            turns, chapters, final = (int(p) for p in (last_event_id or "").split("."))
        except ValueError:
            return cls()
        return cls(max(turns, 0), max(chapters, 0), 1 if final else 0)

    def id(self) -> str:
        return f"{self.turns}.{self.chapters}.{self.final}"


def _json(message: Any) -> str:
    return orjson.dumps(MessageToDict(message, preserving_proto_field_name=True)).decode()


async def simulation_events(
    bus: EventBus, simulation_id: str, position: Position
) -> AsyncIterator[dict[str, str]]:
    queue: asyncio.Queue[Msg] = asyncio.Queue()
    subscriptions = []
    try:
        for subject in subjects.simulation_subjects(simulation_id):
            subscriptions.append(
                await bus.js.subscribe(
                    subject,
                    ordered_consumer=True,
                    deliver_policy=DeliverPolicy.ALL,
                    cb=queue.put,
                )
            )
        while True:
            envelope = parse_envelope((await queue.get()).data)
            kind = envelope.type
            if kind == subjects.SIMULATION_TURN_COMPLETED:
                turn = unpack(envelope, simulation_pb2.TurnCompleted())
                if turn.turn <= position.turns:  # type: ignore[attr-defined]
                    continue
                position.turns = turn.turn  # type: ignore[attr-defined]
                data = {"turn": turn.turn, "events": _events(turn)}  # type: ignore[attr-defined]
                yield {"event": "turn", "id": position.id(), "data": orjson.dumps(data).decode()}
            elif kind == subjects.STORY_CHAPTER_WRITTEN:
                written = unpack(envelope, story_pb2.ChapterWritten())
                chapter = written.chapter  # type: ignore[attr-defined]
                if chapter.number <= position.chapters:
                    continue
                position.chapters = chapter.number
                yield {"event": "chapter", "id": position.id(), "data": _json(written)}
            elif kind in _FINAL:
                status, ends = _status(envelope, kind)
                if not position.final:
                    position.final = 1
                    yield {"event": "status", "id": position.id(), "data": status}
                if ends:
                    return
            elif kind == subjects.STORY_COMPLETED:
                done = unpack(envelope, story_pb2.StoryCompleted())
                yield {"event": "story", "id": position.id(), "data": _json(done)}
                return
    finally:
        for sub in subscriptions:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()


_FINAL = (subjects.SIMULATION_COMPLETED, subjects.SIMULATION_FAILED, subjects.SIMULATION_CANCELLED)


def _events(turn: Any) -> list[dict[str, Any]]:
    return [MessageToDict(e, preserving_proto_field_name=True) for e in turn.events]


def _status(envelope: Any, kind: str) -> tuple[str, bool]:
    """The status event's JSON, and whether the stream ends with it (no story follows)."""
    if kind == subjects.SIMULATION_COMPLETED:
        done = unpack(envelope, simulation_pb2.SimulationCompleted())
        body = {"status": "completed", "turns_executed": done.turns_executed}  # type: ignore[attr-defined]
        return orjson.dumps(body).decode(), False
    if kind == subjects.SIMULATION_FAILED:
        failed = unpack(envelope, simulation_pb2.SimulationFailed())
        body = {"status": "failed", "error": failed.reason}  # type: ignore[attr-defined]
        return orjson.dumps(body).decode(), True
    cancelled = unpack(envelope, simulation_pb2.SimulationCancelled())
    turns = cancelled.turns_done  # type: ignore[attr-defined]
    body = {"status": "cancelled", "turns_done": turns}
    # A simulation cancelled before its first turn has no story to wait for.
    return orjson.dumps(body).decode(), turns == 0
