"""Use cases of the story service.

StoryWriter applies one simulation event per unit of work. A story is a function of
the set of events received, never of their order or of how often they came:

- the inbox skips an event id already applied;
- the story id is derived from the simulation id, so a story is created once;
- the story row is locked while an event is applied, so replicas take turns on it;
- chapter n is written only from turn n, once chapters 1..n-1 are written, and the
  closing only once every turn the simulation ran has its chapter.

StoryReader serves the gRPC reads.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import StrEnum

import structlog
from google.protobuf.message import Message
from opentelemetry.trace import Link

from novel_engine.v1 import common_pb2, simulation_pb2, story_pb2
from novel_platform import semconv, subjects, telemetry
from novel_platform.errors import InvalidArgument, NotFound
from novel_platform.events import make_envelope, unpack
from novel_platform.outbox import UnitOfWork
from novel_platform.paging import newest_first_page, page_size, require_tenant, time_cursor
from services.story.adapters.convert import chapter_to_proto, context_from_proto, event_from_proto
from services.story.adapters.repository import (
    FAILED,
    WRITING,
    StoryRecord,
    StoryRepository,
)
from services.story.domain import (
    EventView,
    StoryContext,
    write_chapter,
    write_closing,
    write_opening,
    write_title,
)

_tracer = telemetry.tracer(__name__)
log = structlog.get_logger(__name__)

# Fixed forever: story ids and the ids of the events about them derive from it.
STORY_NAMESPACE = uuid.UUID("6f1d7c52-3b8e-5a40-9c1e-2d4b8a7e9f10")


def story_id_for(simulation_id: str) -> str:
    return str(uuid.uuid5(STORY_NAMESPACE, simulation_id))


class Outcome(StrEnum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # this event id was applied before
    IGNORED = "ignored"  # not an event the story service reads


@dataclass(frozen=True)
class _Fact:
    """What one simulation event tells the story."""

    simulation_id: str
    context: StoryContext | None = None
    turn: int = 0  # > 0 when the event carries a turn
    events: tuple[EventView, ...] = ()
    turns_expected: int | None = None
    failure: str | None = None


def _unpack(envelope: common_pb2.EventEnvelope, message: Message) -> Message:
    try:
        return unpack(envelope, message)
    except ValueError as exc:
        raise InvalidArgument(str(exc)) from None


def read_fact(envelope: common_pb2.EventEnvelope) -> _Fact | None:
    """The story-relevant content of an envelope; None for types the service ignores."""
    kind = envelope.type
    if kind == subjects.SIMULATION_TURN_COMPLETED:
        turn = _unpack(envelope, simulation_pb2.TurnCompleted())
        assert isinstance(turn, simulation_pb2.TurnCompleted)
        if turn.turn < 1:
            raise InvalidArgument(f"event {envelope.event_id}: turn must be >= 1")
        return _Fact(
            simulation_id=turn.context.simulation_id,
            context=context_from_proto(turn.context),
            turn=turn.turn,
            events=tuple(event_from_proto(e) for e in turn.events),
        )
    if kind == subjects.SIMULATION_COMPLETED:
        done = _unpack(envelope, simulation_pb2.SimulationCompleted())
        assert isinstance(done, simulation_pb2.SimulationCompleted)
        return _Fact(
            simulation_id=done.context.simulation_id,
            context=context_from_proto(done.context),
            turns_expected=max(done.turns_executed, 0),
        )
    if kind == subjects.SIMULATION_CANCELLED:
        cancelled = _unpack(envelope, simulation_pb2.SimulationCancelled())
        assert isinstance(cancelled, simulation_pb2.SimulationCancelled)
        return _Fact(
            simulation_id=cancelled.simulation_id, turns_expected=max(cancelled.turns_done, 0)
        )
    if kind == subjects.SIMULATION_FAILED:
        failed = _unpack(envelope, simulation_pb2.SimulationFailed())
        assert isinstance(failed, simulation_pb2.SimulationFailed)
        return _Fact(
            simulation_id=failed.simulation_id, failure=failed.reason or "simulation failed"
        )
    return None


class StoryWriter:
    """Consumes simulation events and writes stories (see the module docstring)."""

    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self._uow = uow

    async def handle(self, envelope: common_pb2.EventEnvelope) -> Outcome:
        """Apply one event exactly once. InvalidArgument: it can never be applied."""
        fact = read_fact(envelope)
        if fact is None:
            return Outcome.IGNORED
        if not envelope.event_id or not envelope.tenant_id or not fact.simulation_id:
            raise InvalidArgument(
                f"{envelope.type} event {envelope.event_id!r}: needs an event id, "
                "a tenant and a simulation id"
            )
        story_id = story_id_for(fact.simulation_id)
        async with self._uow() as uow:
            repo = StoryRepository(uow.conn)
            if not await repo.record_event(envelope.event_id):
                return Outcome.DUPLICATE
            story = await repo.lock_or_create(story_id, envelope.tenant_id, fact.simulation_id)
            if story.tenant_id != envelope.tenant_id:
                raise InvalidArgument(
                    f"simulation {fact.simulation_id} belongs to another tenant than "
                    f"event {envelope.event_id}'s"
                )
            trace_context = dict(envelope.trace_context)
            story = await self._apply(repo, story, fact, trace_context)
            fresh = (fact.turn, list(fact.events), trace_context) if fact.turn else None
            await self._write_ready(uow, repo, story, fresh)
            await uow.commit()
        return Outcome.APPLIED

    async def _apply(
        self,
        repo: StoryRepository,
        story: StoryRecord,
        fact: _Fact,
        trace_context: dict[str, str],
    ) -> StoryRecord:
        """Store what the fact adds; returns the story as it now stands (still locked)."""
        if fact.context is not None and story.context is None:
            ctx = fact.context
            try:
                title, opening = write_title(ctx), write_opening(ctx)
            except ValueError as exc:  # e.g. an unknown narrative style
                raise InvalidArgument(f"simulation {fact.simulation_id}: {exc}") from None
            await repo.set_context(story.id, ctx, title=title, opening=opening)
            story = replace(
                story,
                context=ctx,
                title=title,
                opening=opening,
                narrative_style=ctx.narrative_style,
                turns_total=ctx.turns_total,
            )
        if fact.turn:
            await repo.store_turn(fact.simulation_id, fact.turn, fact.events, trace_context)
        if fact.turns_expected is not None and story.turns_expected is None:
            await repo.set_expected(story.id, fact.turns_expected)
            story = replace(story, turns_expected=fact.turns_expected)
        if fact.failure is not None and story.status == WRITING:
            await repo.fail(story.id, fact.failure)
            story = replace(story, status=FAILED, failure_reason=fact.failure)
        return story

    async def _write_ready(
        self,
        uow: UnitOfWork,
        repo: StoryRepository,
        s: StoryRecord,
        fresh: tuple[int, list[EventView], dict[str, str]] | None,
    ) -> None:
        """Write every chapter that has become writable, in order, then maybe the end.

        `fresh` is the turn this event brought: no need to read it back.
        """
        written, limit = s.chapters_written, s.turns_expected
        if s.context is not None:
            while limit is None or written < limit:
                if fresh is not None and fresh[0] == written + 1:
                    events, turn_trace = fresh[1], fresh[2]
                else:
                    buffered = await repo.turn_events(s.simulation_id, written + 1)
                    if buffered is None:
                        break
                    events, turn_trace = buffered
                # Fan-in: a chapter may be written while handling another turn's event,
                # so it links to the turn it is made from rather than being its child.
                with _tracer.start_as_current_span(
                    semconv.SPAN_CHAPTER,
                    links=_links([turn_trace]),
                    attributes=_attributes(s, written + 1),
                ):
                    chapter = write_chapter(s.context, written + 1, events)
                    await repo.add_chapter(s.id, chapter)
                uow.emit(
                    make_envelope(
                        subjects.STORY_CHAPTER_WRITTEN,
                        s.tenant_id,
                        story_pb2.ChapterWritten(
                            story_id=s.id,
                            simulation_id=s.simulation_id,
                            chapter=chapter_to_proto(chapter),
                        ),
                        event_id=self._event_id(s.id, f"chapter/{chapter.number}"),
                    ),
                    subject=subjects.subject(subjects.STORY_CHAPTER_WRITTEN, s.simulation_id),
                )
                written += 1
        if written != s.chapters_written:
            await repo.set_chapters_written(s.id, written)
        if s.status != WRITING or limit is None or written < limit:
            return
        closing = ""
        if s.context is not None:  # None only for a simulation cancelled before turn 1
            with _tracer.start_as_current_span(
                semconv.SPAN_STORY_COMPLETE,
                links=_links(await repo.trace_contexts(s.simulation_id, written)),
                attributes=_attributes(s, written),
            ):
                turns = await repo.all_turns(s.simulation_id, written)
                closing = write_closing(s.context, turns)
        await repo.complete(s.id, closing)
        log.info("story_completed", story_id=s.id, simulation_id=s.simulation_id, chapters=written)
        uow.emit(
            make_envelope(
                subjects.STORY_COMPLETED,
                s.tenant_id,
                story_pb2.StoryCompleted(story_id=s.id, simulation_id=s.simulation_id),
                event_id=self._event_id(s.id, "completed"),
            ),
            subject=subjects.subject(subjects.STORY_COMPLETED, s.simulation_id),
        )

    @staticmethod
    def _event_id(story_id: str, what: str) -> str:
        # One id per fact, so even a repeated emission is dropped by the stream.
        return str(uuid.uuid5(STORY_NAMESPACE, f"{story_id}/{what}"))


def _links(trace_contexts: list[dict[str, str]]) -> list[Link]:
    return [link for ctx in trace_contexts if (link := telemetry.span_link(ctx)) is not None]


def _attributes(s: StoryRecord, chapter: int) -> dict[str, str | int]:
    return {
        semconv.STORY_ID: s.id,
        semconv.SIMULATION_ID: s.simulation_id,
        semconv.TENANT: s.tenant_id,
        semconv.CHAPTER: chapter,
    }


# -- reads --


class StoryReader:
    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self._uow = uow

    async def get(self, tenant_id: str, story_id: str) -> StoryRecord:
        async with self._uow() as uow:
            found = await StoryRepository(uow.conn).get(
                require_tenant(tenant_id), story_id=story_id
            )
        if found is None:
            raise NotFound(f"Story '{story_id}' not found")
        return found

    async def get_by_simulation(self, tenant_id: str, simulation_id: str) -> StoryRecord:
        async with self._uow() as uow:
            found = await StoryRepository(uow.conn).get(
                require_tenant(tenant_id), simulation_id=simulation_id
            )
        if found is None:
            raise NotFound(f"Story of simulation '{simulation_id}' not found")
        return found

    async def list_page(
        self, tenant_id: str, *, size: int, token: str
    ) -> tuple[list[StoryRecord], str]:
        """Newest first, without chapters (GetStory has the full text)."""
        limit = page_size(size)
        async with self._uow() as uow:
            items = await StoryRepository(uow.conn).list(
                require_tenant(tenant_id), after=time_cursor(token), limit=limit + 1
            )
        return newest_first_page(items, limit)
