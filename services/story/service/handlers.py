"""Use cases of the story service.

StoryWriter applies simulation events, one or several of one simulation per unit of
work. A story is a function of the set of events received, never of their order, of how
often they came or of how they were grouped:

- the inbox skips an event id already applied;
- the story id is derived from the simulation id, so a story is created once;
- the story row is locked while events are applied, so replicas take turns on it;
- chapter n is written only from turn n, once chapters 1..n-1 are written, and the
  closing only once every turn the simulation ran has its chapter.

Several events in one unit of work end where applying them one by one would
(domain.progress.replay); only the statements are fewer, each covering them all.

StoryReader serves the gRPC reads.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

import structlog

from novel_engine.v1 import common_pb2, simulation_pb2, story_pb2
from novel_platform import semconv, subjects, telemetry
from novel_platform.domain_cpu import DomainCpu
from novel_platform.errors import InvalidArgument, NotFound
from novel_platform.outbox import UnitOfWork
from novel_platform.paging import newest_first_page, page_size, require_tenant, time_cursor
from services.story.adapters.convert import (
    add_chapters,
    context_from_proto,
    event_from_proto,
    set_story,
)
from services.story.adapters.narration_records import NarrationCall, NarrationRecords
from services.story.adapters.repository import StoryRepository, TurnRecord
from services.story.domain import (
    Chapter,
    EventView,
    StoryContext,
    write_chapter,
    write_closing,
    write_opening,
    write_title,
)
from services.story.domain.diff import ChapterPair, parting
from services.story.domain.progress import Advance, Progress, Step, replay
from services.story.domain.story import StoryRecord, StoryStatus
from services.story.service.narrator import NarrationBroken, Narrator

_tracer = telemetry.tracer(__name__)
_chapters_written = telemetry.meter(__name__).create_counter(semconv.CHAPTERS_WRITTEN)
log = structlog.get_logger(__name__)

# Fixed forever: story ids and the ids of the events about them derive from it.
STORY_NAMESPACE = uuid.UUID("6f1d7c52-3b8e-5a40-9c1e-2d4b8a7e9f10")


MAX_FORK_DEPTH = 100  # generations of branches a read follows back


@dataclass(frozen=True)
class StoryDiff:
    a: StoryRecord
    b: StoryRecord
    first_differing_turn: int  # 0: no chapter differs
    chapters: tuple[ChapterPair, ...]  # from that turn on


def story_id_for(simulation_id: str) -> str:
    return str(uuid.uuid5(STORY_NAMESPACE, simulation_id))


class EventOutcome(StrEnum):
    """What became of one delivered event."""

    APPLIED = "applied"
    DUPLICATE = "duplicate"  # this event id was applied before
    IGNORED = "ignored"  # not an event the story service reads


@dataclass(frozen=True)
class Fact:
    """What one simulation event tells the story."""

    simulation_id: str
    context: StoryContext | None = None
    turns: tuple[tuple[int, tuple[EventView, ...]], ...] = ()  # (number, events), in order
    turns_expected: int | None = None
    failure: str | None = None
    narration: simulation_pb2.LlmNarration | None = None  # a model writes the chapters
    # A branch's turns up to its fork (its completing event): read by the closing only.
    shared: tuple[tuple[int, tuple[EventView, ...]], ...] = ()


@dataclass(frozen=True)
class StoryEvent:
    """An event the story reads, checked and decoded once."""

    envelope: common_pb2.EventEnvelope
    fact: Fact

    @property
    def event_id(self) -> str:
        return self.envelope.event_id

    @property
    def simulation_id(self) -> str:
        return self.fact.simulation_id


def read_fact(envelope: common_pb2.EventEnvelope) -> Fact | None:
    """The story-relevant content of an envelope; None for types the service ignores.
    InvalidArgument: it can never be applied."""
    try:
        return _fact(envelope)
    except ValueError as exc:
        raise InvalidArgument(str(exc)) from None


def _fact(envelope: common_pb2.EventEnvelope) -> Fact | None:
    kind = envelope.type
    if kind == subjects.SIMULATION_TURNS_COMPLETED.type:
        batch = subjects.SIMULATION_TURNS_COMPLETED.unpack(envelope)
        numbers = [t.number for t in batch.turns]
        if any(n < 1 for n in numbers) or numbers != sorted(set(numbers)):
            raise ValueError(f"event {envelope.event_id}: turns must be >= 1 and increasing")
        return Fact(
            simulation_id=batch.context.simulation_id,
            context=context_from_proto(batch.context),
            turns=tuple(
                (t.number, tuple(event_from_proto(e) for e in t.events)) for t in batch.turns
            ),
            turns_expected=max(batch.turns_executed, 0) if batch.completed else None,
            narration=batch.context.narration if batch.context.HasField("narration") else None,
            shared=tuple(
                (t.number, tuple(event_from_proto(e) for e in t.events)) for t in batch.shared_turns
            ),
        )
    if kind == subjects.SIMULATION_CANCELLED.type:
        cancelled = subjects.SIMULATION_CANCELLED.unpack(envelope)
        return Fact(
            simulation_id=cancelled.simulation_id, turns_expected=max(cancelled.turns_done, 0)
        )
    if kind == subjects.SIMULATION_FAILED.type:
        failed = subjects.SIMULATION_FAILED.unpack(envelope)
        return Fact(
            simulation_id=failed.simulation_id, failure=failed.reason or "simulation failed"
        )
    return None


def read_event(envelope: common_pb2.EventEnvelope) -> StoryEvent | None:
    """The envelope as the writer applies it; None for types the service ignores.
    InvalidArgument: it can never be applied."""
    fact = read_fact(envelope)
    if fact is None:
        return None
    if not envelope.event_id or not envelope.tenant_id or not fact.simulation_id:
        raise InvalidArgument(
            f"{envelope.type} event {envelope.event_id!r}: needs an event id, "
            "a tenant and a simulation id"
        )
    return StoryEvent(envelope, fact)


class StoryWriter:
    """Consumes simulation events and writes stories (see the module docstring)."""

    def __init__(self, uow: Callable[[], UnitOfWork], narrator: Narrator | None = None) -> None:
        self._uow = uow
        self._narrator = narrator

    async def apply(self, events: Sequence[StoryEvent]) -> list[EventOutcome]:
        """Apply events of one simulation (as read_event reads them) in one unit of work,
        as if one by one: one outcome per event, in order. All or nothing."""
        if not events:
            return []
        simulation_id = events[0].simulation_id
        if any(e.simulation_id != simulation_id for e in events):
            raise ValueError("events of several simulations cannot share a unit of work")
        outcomes = [EventOutcome.DUPLICATE] * len(events)
        first: dict[str, int] = {}  # event id -> its first copy here; later ones repeat it
        for i, event in enumerate(events):
            first.setdefault(event.event_id, i)
        drafts: dict[int, Chapter] = {}
        events = list(events)
        for i, event in enumerate(events):
            if event.fact.narration is not None and self._narrator and event.fact.context:
                try:
                    drafts |= await self._narrator.drafts(
                        event.envelope.tenant_id,
                        simulation_id,
                        event.fact.context,
                        event.fact.narration,
                        event.fact.turns,
                    )
                except NarrationBroken as exc:
                    # The story fails, saying why, rather than waiting forever (dead
                    # letter) or being written from a call the replay must not make.
                    log.error("narration_broken", simulation_id=simulation_id, reason=str(exc))
                    events[i] = replace(event, fact=replace(event.fact, failure=str(exc)))
        if await self._write_whole([events[i] for i in first.values()], drafts):
            return [
                EventOutcome.APPLIED if first[e.event_id] == i else EventOutcome.DUPLICATE
                for i, e in enumerate(events)
            ]
        async with self._uow() as uow:
            repo = StoryRepository(uow.conn)
            new = await repo.record_events(list(first))
            fresh = [i for event_id, i in first.items() if event_id in new]
            if not fresh:
                return outcomes
            story = await repo.lock_or_create(
                story_id_for(simulation_id), events[fresh[0]].envelope.tenant_id, simulation_id
            )
            for i in fresh:
                if events[i].envelope.tenant_id != story.tenant_id:
                    raise InvalidArgument(
                        f"simulation {simulation_id} belongs to another tenant than "
                        f"event {events[i].event_id}'s"
                    )
            await self._advance(uow, repo, story, [events[i] for i in fresh], drafts)
            await uow.commit()
        for i in fresh:
            outcomes[i] = EventOutcome.APPLIED
        return outcomes

    async def _write_whole(
        self, events: Sequence[StoryEvent], drafts: Mapping[int, Chapter]
    ) -> bool:
        """The common case in one statement: new events that make a whole story by
        themselves (an unpaced run is one event). The story is written as if new and
        stored, with its chapters, its inbox entries and its completion event, only if
        no story exists for the simulation and none of the events was applied before;
        otherwise nothing is written and the caller takes the general path (False)."""
        fresh = Progress(has_context=False, turns_expected=None, writing=True, chapters_written=0)
        facts = [e.fact for e in events]
        steps = [_step(f) for f in facts]
        brought = _brought(events)
        turns = {n: turn for n, (_, turn) in brought.items()}
        plan = replay(fresh, steps, {n: i for n, (i, _) in brought.items()})
        if not plan.closes_with_context or plan.failure is not None:
            return False
        first = events[0]
        tenants = {e.envelope.tenant_id for e in events}
        if len(tenants) > 1:
            return False  # refused by the general path, with the reason
        now = _now()
        blank = StoryRecord(
            id=story_id_for(first.simulation_id),
            tenant_id=first.envelope.tenant_id,
            simulation_id=first.simulation_id,
            title="",
            status=StoryStatus.WRITING,
            narrative_style="",
            context=None,
            opening="",
            closing="",
            turns_total=0,
            turns_expected=None,
            chapters_written=0,
            failure_reason="",
            created_at=now,
            completed_at=None,
        )
        story, chapters = self._compose(blank, facts, plan, turns, drafts)
        async with self._uow().one_statement() as uow:
            self._emit(uow, story, plan, chapters)
            stored = await StoryRepository(uow.conn).create_whole(
                story, chapters, [e.event_id for e in events], uow.outbox_params()
            )
            if stored:
                uow.written()
        if stored:
            _chapters_written.add(len(chapters))
            _log_completed(story)
        return stored

    async def _advance(
        self,
        uow: UnitOfWork,
        repo: StoryRepository,
        story: StoryRecord,
        events: Sequence[StoryEvent],
        drafts: Mapping[int, Chapter],
    ) -> None:
        """Store what the new events add, write what became writable, save the story."""
        facts = [e.fact for e in events]
        brought = _brought(events)
        progress = Progress(
            has_context=story.context is not None,
            turns_expected=story.turns_expected,
            writing=story.status == StoryStatus.WRITING,
            chapters_written=story.chapters_written,
        )
        steps = [_step(f) for f in facts]
        plan = replay(progress, steps, {n: i for n, (i, _) in brought.items()})
        turns = {n: turn for n, (_, turn) in brought.items()}
        if not plan.closes_with_context:
            # Turns are buffered for chapters that cannot be written yet and for the
            # closing. A unit that closes the story needs neither (the common case: an
            # unpaced run is one event): turns stored earlier could only let it close
            # sooner, never differently, so they need not be read either.
            stored, earlier = await repo.store_turns(
                story.simulation_id, turns, after=story.chapters_written
            )
            # A turn is kept as first stored: one stored before keeps its earlier copy.
            turns = {**earlier, **{n: brought[n][1] for n in stored}}
            arrivals = {**dict.fromkeys(earlier, -1), **{n: brought[n][0] for n in stored}}
            plan = replay(progress, steps, arrivals)
        else:
            # Kept all the same, as on every path: exports read a story's events.
            await repo.store_turns(story.simulation_id, turns, after=_NO_TURN)
        if plan.closes_with_context and story.chapters_written:
            # The closing reads every turn, also those of chapters written before.
            turns.update(await repo.stored_turns(story.simulation_id, up_to=story.chapters_written))
        await self._write(uow, repo, story, facts, plan, turns, drafts)

    async def _write(
        self,
        uow: UnitOfWork,
        repo: StoryRepository,
        before: StoryRecord,
        facts: Sequence[Fact],
        plan: Advance,
        turns: dict[int, TurnRecord],
        drafts: Mapping[int, Chapter],
    ) -> None:
        """Write the prose the plan calls for (a model's draft where one was kept), save
        the story and emit its events."""
        s, chapters = self._compose(before, facts, plan, turns, drafts)
        await repo.add_chapters(s.id, chapters)
        _chapters_written.add(len(chapters))
        if s != before:
            await repo.save(s)
        if plan.closes:
            _log_completed(s)
        # Chapters written before this unit are read back with this unit's (added above).
        told = await repo.chapters(s.id) if plan.closes and before.chapters_written else chapters
        self._emit(uow, s, plan, told)

    def _compose(
        self,
        before: StoryRecord,
        facts: Sequence[Fact],
        plan: Advance,
        turns: dict[int, TurnRecord],
        drafts: Mapping[int, Chapter],
    ) -> tuple[StoryRecord, list[Chapter]]:
        """The story after the plan, and the chapters it writes (the prose, no I/O)."""
        cpu = DomainCpu("chronicler")  # counted once, however many chapters
        try:
            # The fields that change, copied into a new record once at the end.
            ctx, title, opening = before.context, before.title, before.opening
            narrative_style, turns_total = before.narrative_style, before.turns_total
            status, closing = before.status, before.closing
            failure_reason, completed_at = before.failure_reason, before.completed_at
            if plan.context_from is not None:
                ctx = facts[plan.context_from].context
                assert ctx is not None
                try:
                    with cpu:
                        title, opening = write_title(ctx), write_opening(ctx)
                except ValueError as exc:  # e.g. an unknown narrative style
                    raise InvalidArgument(f"simulation {before.simulation_id}: {exc}") from None
                narrative_style, turns_total = ctx.narrative_style, ctx.turns_total
            chapters: list[Chapter] = []
            for number in plan.chapters:
                assert ctx is not None
                turn = turns[number]
                # Fan-in: a chapter may be written while handling another turn's event,
                # so it links to the turn it is made from rather than being its child.
                with (
                    telemetry.span(
                        _tracer,
                        semconv.SPAN_CHAPTER,
                        links_from=[turn.trace_context],
                        attributes=_attributes(before, number),
                    ),
                    cpu,
                ):
                    chapters.append(drafts.get(number) or write_chapter(ctx, number, turn.events))
            written = plan.chapters_written
            if plan.failure is not None:
                status, failure_reason, completed_at = StoryStatus.FAILED, plan.failure, _now()
            if plan.closes:
                if plan.closes_with_context:  # not for a simulation cancelled before turn 1
                    assert ctx is not None
                    every = [turns[n] for n in range(ctx.fork_turn + 1, written + 1)]
                    # A branch: the turns it shares come with its completing event (none
                    # when it was cancelled: then the closing tells its own turns only).
                    told = _shared(facts, ctx.fork_turn) + every
                    with (
                        telemetry.span(
                            _tracer,
                            semconv.SPAN_STORY_COMPLETE,
                            links_from=[t.trace_context for t in every],
                            attributes=_attributes(before, written),
                        ),
                        cpu,
                    ):
                        closing = write_closing(ctx, [t.events for t in told])
                        # The title is final once the whole run is known: written from every
                        # turn here, it is the same however the events were grouped.
                        title = write_title(ctx, [e for t in told for e in t.events])
                else:
                    closing = ""
                status, completed_at = StoryStatus.COMPLETED, _now()
            after = replace(
                before,
                context=ctx,
                title=title,
                opening=opening,
                narrative_style=narrative_style,
                turns_total=turns_total,
                turns_expected=plan.turns_expected,
                chapters_written=written,
                status=status,
                failure_reason=failure_reason,
                closing=closing,
                completed_at=completed_at,
            )
            return after, chapters
        finally:
            cpu.count()

    def _emit(
        self,
        uow: UnitOfWork,
        s: StoryRecord,
        plan: Advance,
        chapters: Sequence[Chapter],
    ) -> None:
        """The story's event for this unit: its completion, carrying the whole story (so
        whoever waits for it, the synchronous route, needs no call to read it back), or
        the chapters written. `chapters`: all of them when it completes."""
        if plan.closes:
            if plan.closes_with_context:
                whole = replace(s, chapters=tuple(chapters))
            else:
                # It ended before any context was known; one that came later in this
                # unit is the story's, but not part of how it ended.
                whole = replace(
                    s,
                    chapters=tuple(chapters),
                    context=None,
                    title="",
                    opening="",
                    narrative_style="",
                    turns_total=0,
                )
            completed = subjects.STORY_COMPLETED
            done = story_pb2.StoryCompleted(story_id=s.id, simulation_id=s.simulation_id)
            set_story(done.story, whole)
            uow.emit(
                completed.envelope(
                    s.tenant_id,
                    done,
                    event_id=self._event_id(s.id, "completed"),
                ),
                completed.subject(s.simulation_id),
            )
        elif chapters:
            written_event = subjects.STORY_CHAPTERS_WRITTEN
            written = story_pb2.ChaptersWritten(story_id=s.id, simulation_id=s.simulation_id)
            add_chapters(written.chapters, chapters)
            uow.emit(
                written_event.envelope(
                    s.tenant_id,
                    written,
                    event_id=self._event_id(
                        s.id, f"chapters/{chapters[0].number}-{chapters[-1].number}"
                    ),
                ),
                written_event.subject(s.simulation_id),
            )

    @staticmethod
    def _event_id(story_id: str, what: str) -> str:
        # One id per fact, so even a repeated emission is dropped by the stream.
        return str(uuid.uuid5(STORY_NAMESPACE, f"{story_id}/{what}"))


def _now() -> datetime:
    return datetime.now(UTC)


# Past every turn number: store_turns then reads back no earlier turn.
_NO_TURN = 2**31 - 1


def _brought(events: Sequence[StoryEvent]) -> dict[int, tuple[int, TurnRecord]]:
    """Turn number -> (the first event that brings it, the turn)."""
    brought: dict[int, tuple[int, TurnRecord]] = {}
    for i, event in enumerate(events):
        for number, turn_events in event.fact.turns:
            if number not in brought:
                turn = TurnRecord(list(turn_events), dict(event.envelope.trace_context))
                brought[number] = (i, turn)
    return brought


def _shared(facts: Sequence[Fact], fork_turn: int) -> list[TurnRecord]:
    """Turns 1..fork_turn as a branch's completing event carries them (empty if none)."""
    if not fork_turn:
        return []
    for fact in facts:
        if fact.shared:
            return [TurnRecord(list(events), {}) for n, events in fact.shared if n <= fork_turn]
    return []


def _step(fact: Fact) -> Step:
    return Step(
        has_context=fact.context is not None,
        turns_expected=fact.turns_expected,
        failure=fact.failure,
        shared=fact.context.fork_turn if fact.context is not None else 0,
    )


def _log_completed(s: StoryRecord) -> None:
    log.info(
        "story_completed",
        story_id=s.id,
        simulation_id=s.simulation_id,
        chapters=s.chapters_written,
    )


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
        """The story; a branch's with the chapters it shares, read from its parent's."""
        tenant = require_tenant(tenant_id)
        async with self._uow().read_only() as uow:
            repo = StoryRepository(uow.conn)
            found = await repo.get(tenant, story_id=story_id)
            if found is None:
                raise NotFound(f"Story '{story_id}' not found")
            return await _with_shared(repo, found)

    async def get_by_simulation(self, tenant_id: str, simulation_id: str) -> StoryRecord:
        tenant = require_tenant(tenant_id)
        async with self._uow().read_only() as uow:
            repo = StoryRepository(uow.conn)
            found = await repo.get(tenant, simulation_id=simulation_id)
            if found is None:
                raise NotFound(f"Story of simulation '{simulation_id}' not found")
            return await _with_shared(repo, found)

    async def diff(self, tenant_id: str, a: str, b: str) -> StoryDiff:
        """Where two stories part: the first chapter that differs, and from it on the
        chapters of both side by side."""
        left, right = await self.get(tenant_id, a), await self.get(tenant_id, b)
        first, pairs = parting(left.chapters, right.chapters)
        return StoryDiff(left, right, first, pairs)

    async def turns(self, tenant_id: str, story_id: str) -> list[tuple[int, list[EventView]]]:
        """The turns the story was written from, with their events (none for a story
        written whole before its turns were kept)."""
        async with self._uow().read_only() as uow:
            repo = StoryRepository(uow.conn)
            found = await repo.get(require_tenant(tenant_id), story_id=story_id)
            if found is None:
                raise NotFound(f"Story '{story_id}' not found")
            return await repo.turns(found.simulation_id)

    async def narration_calls(
        self, tenant_id: str, simulation_id: str, recordings_id: str = ""
    ) -> list[NarrationCall]:
        """The chapters a model was asked for, as recorded (none for offline narration);
        `recordings_id`: those the simulation's narration replayed instead."""
        async with self._uow().read_only() as uow:
            found = await StoryRepository(uow.conn).get(
                require_tenant(tenant_id), simulation_id=simulation_id
            )
            if found is None:
                raise NotFound(f"Story of simulation '{simulation_id}' not found")
            return await NarrationRecords(uow.conn).of_simulation(recordings_id or simulation_id)

    async def list_page(
        self, tenant_id: str, *, size: int, token: str
    ) -> tuple[list[StoryRecord], str]:
        """Newest first, without chapters (GetStory has the full text)."""
        limit = page_size(size)
        async with self._uow().read_only() as uow:
            items = await StoryRepository(uow.conn).list_page(
                require_tenant(tenant_id), before=time_cursor(token), limit=limit + 1
            )
        return newest_first_page(items, limit)


async def _with_shared(repo: StoryRepository, story: StoryRecord, depth: int = 0) -> StoryRecord:
    """A branch's story with its parent's chapters up to the fork in front of its own
    (a branch of a branch takes them from its parent's, and so on). Stored once, in
    the story they were written for."""
    ctx = story.context
    if ctx is None or not ctx.fork_of or not ctx.fork_turn or depth >= MAX_FORK_DEPTH:
        return story
    parent = await repo.get(story.tenant_id, simulation_id=ctx.fork_of)
    if parent is None:  # not written yet (or gone): the branch's own chapters only
        return story
    parent = await _with_shared(repo, parent, depth + 1)
    shared = tuple(c for c in parent.chapters if c.number <= ctx.fork_turn)
    return replace(story, chapters=shared + story.chapters)
