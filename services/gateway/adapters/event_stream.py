"""One simulation's events as a Server-Sent Events stream, read from JetStream.

Replay and live delivery come from the same ordered consumers (deliver all, filtered to
this simulation's subjects), so a client that reconnects with Last-Event-ID gets what it
missed without the database being polled. Event ids are "<turns>.<chapters>.<final>":
how far the client has got, so a resumed stream skips what was already sent.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message
from nats.aio.msg import Msg
from nats.js.api import DeliverPolicy

from novel_engine.v1 import common_pb2, story_pb2
from novel_platform import subjects
from novel_platform.events import parse_envelope
from novel_platform.messaging import EventBus
from services.gateway.convert import chapter_out


@dataclass
class Position:
    turns: int = 0
    chapters: int = 0
    final: int = 0
    ended: bool = False  # nothing follows: the stream closes (not part of the id)

    @classmethod
    def parse(cls, last_event_id: str | None) -> Position:
        try:
            turns, chapters, final = (int(p) for p in (last_event_id or "").split("."))
        except ValueError:
            return cls()
        return cls(max(turns, 0), max(chapters, 0), 1 if final else 0)

    def id(self) -> str:
        return f"{self.turns}.{self.chapters}.{self.final}"


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
            for event in _render(envelope, position):
                yield event
            if position.ended:
                return
    finally:
        for sub in subscriptions:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()


def _render(envelope: common_pb2.EventEnvelope, position: Position) -> list[dict[str, str]]:
    """The SSE events one NATS event adds past `position`, which it advances.

    A batch of turns or chapters becomes one SSE event per turn or chapter, so clients
    see the same stream whether the run was paced or not.
    """
    out: list[dict[str, str]] = []
    kind = envelope.type
    if kind == subjects.SIMULATION_TURNS_COMPLETED.type:
        batch = subjects.SIMULATION_TURNS_COMPLETED.unpack(envelope)
        for turn in batch.turns:
            if turn.number > position.turns:
                position.turns = turn.number
                data = {"turn": turn.number, "events": [_dict(e) for e in turn.events]}
                out.append({"event": "turn", "id": position.id(), "data": _dumps(data)})
        if batch.completed:
            status = {"status": "completed", "turns_executed": batch.turns_executed}
            out.extend(_final(position, status, ends=False))
    elif kind == subjects.SIMULATION_FAILED.type:
        failed = subjects.SIMULATION_FAILED.unpack(envelope)
        out.extend(_final(position, {"status": "failed", "error": failed.reason}, ends=True))
    elif kind == subjects.SIMULATION_CANCELLED.type:
        turns = subjects.SIMULATION_CANCELLED.unpack(envelope).turns_done
        status = {"status": "cancelled", "turns_done": turns}
        # A simulation cancelled before its first turn has no story to wait for.
        out.extend(_final(position, status, ends=turns == 0))
    elif kind == subjects.STORY_CHAPTERS_WRITTEN.type:
        written = subjects.STORY_CHAPTERS_WRITTEN.unpack(envelope)
        out.extend(_chapters(position, written.story_id, written.simulation_id, written.chapters))
    elif kind == subjects.STORY_COMPLETED.type:
        done = subjects.STORY_COMPLETED.unpack(envelope)
        out.extend(_chapters(position, done.story_id, done.simulation_id, done.story.chapters))
        ids = {"story_id": done.story_id, "simulation_id": done.simulation_id}
        out.append({"event": "story", "id": position.id(), "data": _dumps(ids)})
        position.ended = True
    return out


def _chapters(
    position: Position, story_id: str, simulation_id: str, chapters: Iterable[story_pb2.Chapter]
) -> list[dict[str, str]]:
    out = []
    for chapter in chapters:
        if chapter.number > position.chapters:
            position.chapters = chapter.number
            data = {
                "story_id": story_id,
                "simulation_id": simulation_id,
                "chapter": chapter_out(chapter),
            }
            out.append({"event": "chapter", "id": position.id(), "data": _dumps(data)})
    return out


def _final(position: Position, status: dict[str, Any], *, ends: bool) -> list[dict[str, str]]:
    """The status event (once), and whether the stream ends with it (no story follows)."""
    out = []
    if not position.final:
        position.final = 1
        out.append({"event": "status", "id": position.id(), "data": _dumps(status)})
    position.ended = ends
    return out


def _dict(message: Message) -> dict[str, Any]:
    return MessageToDict(message, preserving_proto_field_name=True)


def _dumps(data: dict[str, Any]) -> str:
    return orjson.dumps(data).decode()
