"""Runs one requested simulation to its end, resuming from the last checkpoint.

Turns commit in batches, each in one transaction: the counter (and, at the end, the
completed status), the world after the batch, and one event carrying the batch's turns.
A paced run commits every turn (viewers see each one as it happens; cancel lands at
the next turn); an unpaced run commits up to `batch_turns` turns at once, so a short
run costs one transaction and one event whatever its length. Nothing is lost by
batching: the engine is deterministic from the last stored world (RNG state included),
so after a crash the uncommitted turns are recomputed identically. The counter check
under the row lock makes a second worker's copy of a batch store nothing, so no turn is
stored or published twice even if two workers ever hold the same request.

A short unpaced run does not need the queue at all: `run_now` computes it while the
start request waits, and the start stores it accepted and completed in one transaction
(see `SimulationService.start`). Nothing is accepted before that commit, so a crash
loses nothing the client was told about; it saves the work message, the worker's read
and a second transaction, most of a short run's fixed cost.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import structlog

from novel_engine.v1 import simulation_pb2
from novel_platform import semconv, telemetry
from novel_platform.domain_cpu import DomainCpu, domain_cpu
from novel_platform.errors import NotFound
from novel_platform.outbox import UnitOfWork
from services.simulation.adapters.convert import participants
from services.simulation.adapters.repository import SimulationRecord, SimulationRepository
from services.simulation.domain import (
    CharacterSheet,
    TurnEvent,
    TurnResult,
    WorldState,
    is_finished,
    run_turn,
)
from services.simulation.domain.intent import Intent
from services.simulation.domain.interventions import Intervention
from services.simulation.domain.status import SimulationStatus
from services.simulation.service import events
from services.simulation.service.lineage import Lineage, first_world, interventions_of
from services.simulation.service.llm_plan import ModelPlans
from services.simulation.service.model_decisions import (
    DecisionSession,
    ModelDecisions,
    ModelRunBroken,
)

log = structlog.get_logger(__name__)
_tracer = telemetry.tracer(__name__)
_meter = telemetry.meter(__name__)
_turn_duration = _meter.create_histogram(semconv.TURN_DURATION, unit="s")
_finished = _meter.create_counter(semconv.SIMULATIONS_FINISHED)
_running = _meter.create_up_down_counter(semconv.SIMULATIONS_RUNNING)

Turns = list[tuple[int, Sequence[TurnEvent]]]

# An unpaced run's turns go in slices of about this much engine time per event-loop
# iteration: small enough that the RPCs the process serves wait little (see
# `_engine`), large enough that a short run is one slice, not one iteration per turn.
_SLICE_SECONDS = 0.002


class Characters(Protocol):
    async def sheets(self, tenant_id: str, ids: list[str]) -> list[CharacterSheet]: ...


@dataclass(frozen=True)
class CompletedRun:
    """A whole run computed at once: the final world and every turn's events."""

    world: WorldState
    turns: Turns
    context: simulation_pb2.StoryContext


def story_context(
    record: SimulationRecord, sheets: Sequence[CharacterSheet]
) -> simulation_pb2.StoryContext:
    """What the story writer needs besides the turns, sent with every batch."""
    return simulation_pb2.StoryContext(
        simulation_id=record.id,
        participants=participants(sheets),
        setting=record.setting,
        scenario=record.scenario,
        narrative_style=record.narrative_style,
        turns_total=record.turns_total,
        narration=ModelPlans.narration_of(record.llm) if record.llm else None,
    )


def _directed(record: SimulationRecord) -> dict[int, tuple[Intervention, ...]]:
    by_turn: dict[int, tuple[Intervention, ...]] = {}
    for intervention in interventions_of(record):
        by_turn[intervention.turn] = (*by_turn.get(intervention.turn, ()), intervention)
    return by_turn


def count_finished(record: SimulationRecord) -> None:
    _finished.add(1, {semconv.STATUS: record.status})
    log.info("simulation_finished", status=record.status, turns=record.turns_done)


class SimulationRunner:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        characters: Characters,
        turn_delay: float = 0.0,
        batch_turns: int = 25,
        inline_turns: int = 0,
        models: ModelDecisions | None = None,
    ) -> None:
        self._uow = uow
        self._characters = characters
        self._turn_delay = turn_delay
        self._batch_turns = 1 if turn_delay else max(batch_turns, 1)
        # Runs of up to this many turns are computed by `run_now` (never paced ones).
        self._inline_turns = 0 if turn_delay else inline_turns
        # One slice of turns per event-loop iteration, whatever the number of running
        # workers: a long iteration delays every RPC the process serves (grpc.aio
        # accepts one new call per iteration), so CPU work is handed out in small, fair
        # slices (`_SLICE_SECONDS`).
        self._engine = asyncio.Lock()
        self._models = models

    async def run(self, sim_id: str) -> None:
        async with self._uow().read_only() as uow:
            repo = SimulationRepository(uow.conn)
            record = await repo.get(sim_id)
            # A checkpoint commits with the counter: none exists before the first batch.
            checkpoint = None
            if record is not None and record.turns_done:
                checkpoint = await repo.last_checkpoint(sim_id)
        if record is None or record.finished:
            return  # already done (a redelivery) or never committed
        with structlog.contextvars.bound_contextvars(simulation_id=sim_id):
            if record.cancel_requested:
                await self._finish(record, SimulationStatus.CANCELLED)
                return
            try:
                sheets = await self._sheets(record)
            except NotFound as exc:
                await self._finish(
                    record, SimulationStatus.FAILED, f"{exc.message} (deleted after the request)"
                )
                return
            except ValueError as exc:
                await self._finish(record, SimulationStatus.FAILED, f"cannot start: {exc}")
                return
            context = story_context(record, sheets)
            if record.parent_id:  # a branch's story shares the parent's first chapters
                context.fork_of, context.fork_turn = record.parent_id, record.fork_turn
            try:
                with domain_cpu("engine"):
                    world = (
                        WorldState.from_dict(checkpoint.world)
                        if checkpoint
                        else first_world(record, sheets)
                    )
            except ValueError as exc:
                await self._finish(record, SimulationStatus.FAILED, f"cannot start: {exc}")
                return
            if checkpoint:
                log.info("simulation_resumed", from_turn=checkpoint.turn)
            _running.add(1)
            try:
                session = None
                if record.llm is not None and self._models is not None:
                    session = await self._models.session(record)
                await self._turns(record, world, context, session)
            except ModelRunBroken as exc:
                await self._finish(record, SimulationStatus.FAILED, str(exc))
            finally:
                _running.add(-1)

    async def run_now(
        self, record: SimulationRecord, sheets: Sequence[CharacterSheet]
    ) -> CompletedRun | None:
        """The whole run, computed now, or None when it belongs on the queue: paced,
        longer than `inline_turns`, or refused by the engine (a worker then fails it
        with the reason, as for any queued run)."""
        if record.turns_total > self._inline_turns:
            return None
        cpu = DomainCpu("engine")
        try:
            with cpu:
                world = first_world(record, sheets)
        except ValueError:
            cpu.count()
            return None
        directed = _directed(record) if record.interventions else None
        world, turns = await self._advance(
            record, world, limit=record.turns_total, directed=directed, cpu=cpu
        )
        return CompletedRun(world, turns, story_context(record, sheets))

    async def _sheets(self, record: SimulationRecord) -> list[CharacterSheet]:
        if record.sheets is not None:
            return [CharacterSheet.from_dict(sheet) for sheet in record.sheets]
        # A simulation accepted before sheets were kept with it.
        return await self._characters.sheets(record.tenant_id, list(record.character_ids))

    async def _turns(
        self,
        record: SimulationRecord,
        world: WorldState,
        context: simulation_pb2.StoryContext,
        session: DecisionSession | None = None,
    ) -> None:
        while not is_finished(world):
            stored, record, world = await self._batch(record, world, context, session)
            if not stored:
                return
            if record.finished:
                count_finished(record)
                return
            if self._turn_delay:
                await asyncio.sleep(self._turn_delay)
            if record.cancel_requested:
                await self._finish(record, SimulationStatus.CANCELLED)
                return
        # Only a resume of a run whose last batch was stored but not marked finished.
        await self._finish(record, SimulationStatus.COMPLETED, context=context, turns=world.turn)

    async def _batch(
        self,
        record: SimulationRecord,
        world: WorldState,
        context: simulation_pb2.StoryContext,
        session: DecisionSession | None = None,
    ) -> tuple[bool, SimulationRecord, WorldState]:
        """Run and store the next batch of turns; False when another worker stored it.

        With a model, a turn at a time: its choices are awaited outside the engine lock."""
        limit = 1 if session else self._batch_turns
        directed = _directed(record) if record.interventions else None
        world, turns = await self._advance(
            record, world, limit=limit, session=session, directed=directed
        )
        finished = is_finished(world)
        shared: Turns = []
        if finished and record.parent_id and record.fork_turn:
            shared = await self._shared(record)
        async with self._uow() as uow:
            updated = await SimulationRepository(uow.conn).record_batch(
                record.id,
                first_turn=turns[0][0],
                last_turn=turns[-1][0],
                world=world.to_dict(),
                finished=finished,
            )
            if updated is None:
                log.warning("turns_already_stored", first=turns[0][0], last=turns[-1][0])
                return False, record, world
            if session and self._models:
                await self._models.store(session, uow.conn, record.id)
            uow.emit(
                *events.turns_completed(
                    updated,
                    context,
                    turns,
                    completed=finished,
                    turns_executed=world.turn,
                    shared=shared,
                )
            )
            await uow.commit()
        return True, updated, world

    async def _shared(self, record: SimulationRecord) -> Turns:
        """A branch's turns up to its fork, derived again for its story's closing."""
        async with self._uow().read_only() as uow:
            lineage = Lineage(uow.conn, record.tenant_id)
            with domain_cpu("engine"):
                _, results = await lineage.turns(record, record.fork_turn)
        return [(r.turn, r.events) for r in results]

    async def _advance(
        self,
        record: SimulationRecord,
        world: WorldState,
        *,
        limit: int,
        session: DecisionSession | None = None,
        directed: Mapping[int, tuple[Intervention, ...]] | None = None,
        cpu: DomainCpu | None = None,
    ) -> tuple[WorldState, Turns]:
        """Up to `limit` more turns (fewer when the run ends first); `directed`: the
        interventions by the turn they apply to; `cpu`: the run's engine time so far."""
        turns: Turns = []
        cpu = cpu or DomainCpu("engine")
        engine_seconds = 0.0
        try:
            while len(turns) < limit and not is_finished(world):
                chosen = await session.choose(world) if session else None
                async with self._engine:
                    slice_ends = time.perf_counter() + _SLICE_SECONDS
                    while True:
                        result, seconds = self._turn(record, world, chosen, directed, cpu)
                        engine_seconds += seconds
                        turns.append((result.turn, result.events))
                        world = result.world
                        if session:  # the next turn's choices are awaited first
                            session.settle(result)
                            break
                        done = len(turns) >= limit or is_finished(world)
                        if done or time.perf_counter() >= slice_ends:
                            break
                    # Held until the loop has run everything else that is ready once.
                    await asyncio.sleep(0)
        finally:
            cpu.count()
            if turns:
                # One observation per batch, its mean per turn: a histogram record costs
                # 3-8 µs (attributes, a lock, the buckets), one per turn added up.
                _turn_duration.record(engine_seconds / len(turns))
        return world, turns

    def _turn(
        self,
        record: SimulationRecord,
        world: WorldState,
        chosen: Mapping[str, Intent] | None,
        directed: Mapping[int, tuple[Intervention, ...]] | None,
        cpu: DomainCpu,
    ) -> tuple[TurnResult, float]:
        """The next turn, and its wall time in the engine."""
        with telemetry.span(
            _tracer,
            semconv.SPAN_TURN,
            attributes={
                semconv.SIMULATION_ID: record.id,
                semconv.TENANT: record.tenant_id,
                semconv.TURN: world.turn + 1,
            },
        ):
            started = time.perf_counter()
            with cpu:
                result = (
                    run_turn(world, chosen, directed.get(world.turn + 1, ()))
                    if directed
                    else run_turn(world, chosen)
                )
            return result, time.perf_counter() - started

    async def _finish(
        self,
        record: SimulationRecord,
        status: SimulationStatus,
        reason: str = "",
        *,
        context: simulation_pb2.StoryContext | None = None,
        turns: int = 0,
    ) -> None:
        async with self._uow() as uow:
            repo = SimulationRepository(uow.conn)
            current = await repo.get(record.id, for_update=True)
            if current is None or current.finished:
                return
            updated = await repo.update(record.id, status=status, error=reason)
            if status == SimulationStatus.COMPLETED and context is not None:
                uow.emit(
                    *events.turns_completed(
                        updated, context, (), completed=True, turns_executed=turns
                    )
                )
            elif status == SimulationStatus.CANCELLED:
                uow.emit(*events.cancelled(updated))
            else:
                uow.emit(*events.failed(updated, reason))
            await uow.commit()
        count_finished(updated)
