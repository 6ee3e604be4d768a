"""One simulation's events as a Server-Sent Events stream, read from JetStream.

The stream subscribes to the simulation's subjects first, then reads what JetStream
already holds for them, then follows what the subscription hears. A message published
in between comes both ways: the position drops the copy. So a client that reconnects with
Last-Event-ID gets what it missed, without the database being polled and without a
JetStream consumer per reader. Event ids are "<turns>.<chapters>.<final>": how far the
client has got, so a resumed stream skips what was already sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from nats.aio.msg import Msg
from sse_starlette import ServerSentEvent

from novel_engine.v1 import common_pb2, story_pb2
from novel_platform import subjects
from novel_platform.events import parse_envelope
from novel_platform.messaging import EventBus, StreamSpec
from services.gateway.convert import chapter_out, turn_event_out

# JetStream stores a message a moment after the server has passed it to the subscribers
# it had then: one published just before this stream subscribed, and read from the store
# just before it was stored, is missed both ways. A stream that has heard nothing for this
# long reads the store again (past what it has read), so such a message is late, not lost.
RECHECK_SECONDS = 5.0

# An id that is one NATS subject token: no wildcard ("*", ">"), no separator, no space.
_ONE_TOKEN = re.compile(r"[A-Za-z0-9_-]+")


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


async def stored_owner(bus: EventBus, simulation_id: str) -> str | None:
    """The tenant whose simulation this is, as its first stored event says; None when it
    has none stored yet (or the id could not be one: then the caller asks the simulation
    service, as for a stranger's).

    A simulation's events carry its tenant, and a simulation id is unique across tenants:
    the stream can be authorized from what it is about to read, without a call.
    """
    if not _ONE_TOKEN.fullmatch(simulation_id):
        return None
    stream, subject = subjects.simulation_subjects(simulation_id)[0]
    async for _, data in bus.stored(stream.name, subject):
        return parse_envelope(data).tenant_id or None
    return None


async def simulation_events(
    bus: EventBus, simulation_id: str, position: Position
) -> AsyncIterator[bytes]:
    """The encoded SSE events, one chunk per NATS event (a batch of turns is one write)."""
    heard: asyncio.Queue[bytes] = asyncio.Queue()

    async def hear(msg: Msg) -> None:
        heard.put_nowait(msg.data)

    streams = subjects.simulation_subjects(simulation_id)
    read = dict.fromkeys((stream.name for stream, _ in streams), 0)  # sequences read
    # Not confirmed: the store is read next, by requests on the same connection, which
    # the server takes after the subscription.
    subscription = await bus.subscribe(
        subjects.simulation_pattern(simulation_id), hear, confirm=False
    )
    try:
        while True:
            for stream, subject in streams:
                if _done_with(stream, position):
                    continue
                async for seq, data in bus.stored(stream.name, subject, read[stream.name]):
                    read[stream.name] = seq
                    if chunk := _encoded(_render(parse_envelope(data), position)):
                        yield chunk
                    if position.ended:
                        return
                    if _done_with(stream, position):
                        break
            while True:
                # The deadline covers the wait only, never a `yield`: while suspended
                # there, its cancellation would land in whoever is sending the chunk.
                try:
                    async with asyncio.timeout(RECHECK_SECONDS):
                        data = await heard.get()
                except TimeoutError:
                    break  # quiet for a while: read the store again
                if chunk := _encoded(_render(parse_envelope(data), position)):
                    yield chunk
                if position.ended:
                    return
    finally:
        with contextlib.suppress(Exception):
            await subscription.unsubscribe()


def _done_with(stream: StreamSpec, position: Position) -> bool:
    """Whether nothing more is to be read from `stream`: the status is a simulation's last
    event, so its stream holds nothing after it."""
    return bool(position.final) and stream is subjects.SIMULATION_STREAM


def _encoded(events: list[ServerSentEvent]) -> bytes:
    return b"".join(event.encode() for event in events)


def _event(kind: str, position: Position, data: dict[str, Any]) -> ServerSentEvent:
    return ServerSentEvent(orjson.dumps(data).decode(), event=kind, id=position.id())


def _render(envelope: common_pb2.EventEnvelope, position: Position) -> list[ServerSentEvent]:
    """The SSE events one NATS event adds past `position`, which it advances.

    A batch of turns or chapters becomes one SSE event per turn or chapter, so clients
    see the same stream whether the run was paced or not.
    """
    out: list[ServerSentEvent] = []
    kind = envelope.type
    if kind == subjects.SIMULATION_TURNS_COMPLETED.type:
        batch = subjects.SIMULATION_TURNS_COMPLETED.unpack(envelope)
        for turn in batch.turns:
            if turn.number > position.turns:
                position.turns = turn.number
                data = {"turn": turn.number, "events": [turn_event_out(e) for e in turn.events]}
                out.append(_event("turn", position, data))
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
        out.append(_event("story", position, ids))
        position.ended = True
    return out


def _chapters(
    position: Position, story_id: str, simulation_id: str, chapters: Iterable[story_pb2.Chapter]
) -> list[ServerSentEvent]:
    out = []
    for chapter in chapters:
        if chapter.number > position.chapters:
            position.chapters = chapter.number
            data = {
                "story_id": story_id,
                "simulation_id": simulation_id,
                "chapter": chapter_out(chapter),
            }
            out.append(_event("chapter", position, data))
    return out


def _final(position: Position, status: dict[str, Any], *, ends: bool) -> list[ServerSentEvent]:
    """The status event (once), and whether the stream ends with it (no story follows)."""
    out = []
    if not position.final:
        position.final = 1
        out.append(_event("status", position, status))
    position.ended = ends
    return out
