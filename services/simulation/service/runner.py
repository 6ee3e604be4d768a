"""Runs one requested simulation to its end, resuming from the last checkpoint.

Every turn is one transaction: the checkpoint (world + RNG state + events), the turn
counter and the turn's event commit together. The checkpoint's primary key (simulation,
turn) makes a second worker's copy of a turn fail to insert, so no turn is stored or
published twice even if two workers ever hold the same request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import structlog

from novel_engine.v1 import simulation_pb2
from novel_platform import semconv, telemetry
from novel_platform.errors import NotFound
from novel_platform.outbox import UnitOfWork
from services.simulation.adapters.convert import participants
from services.simulation.adapters.repository import SimulationRecord, SimulationRepository
from services.simulation.domain import WorldState, is_finished, run_turn, start_world
from services.simulation.service import events
from services.simulation.service.handlers import Characters

log = structlog.get_logger(__name__)
_tracer = telemetry.tracer(__name__)
_meter = telemetry.meter(__name__)
_turn_duration = _meter.create_histogram(semconv.TURN_DURATION, unit="s")
_finished = _meter.create_counter(semconv.SIMULATIONS_FINISHED)
_running = _meter.create_up_down_counter(semconv.SIMULATIONS_RUNNING)


class SimulationRunner:
    def __init__(
        self, uow: Callable[[], UnitOfWork], characters: Characters, turn_delay: float = 0.0
    ) -> None:
        self._uow = uow
        self._characters = characters
        self._turn_delay = turn_delay

    async def run(self, sim_id: str) -> None:
        async with self._uow() as uow:
            record = await SimulationRepository(uow.conn).get(sim_id)
        if record is None or record.finished:
            return  # already done (a redelivery) or never committed
        with structlog.contextvars.bound_contextvars(simulation_id=sim_id):
            if record.cancel_requested:
                await self._finish(record, "cancelled")
                return
            try:
                sheets = await self._characters.sheets(record.tenant_id, list(record.character_ids))
            except NotFound as exc:
                await self._finish(record, "failed", f"{exc.message} (deleted after the request)")
                return
            context = simulation_pb2.StoryContext(
                simulation_id=record.id,
                participants=participants(sheets),
                setting=record.setting,
                scenario=record.scenario,
                narrative_style=record.narrative_style,
                turns_total=record.turns_total,
            )
            async with self._uow() as uow:
                checkpoint = await SimulationRepository(uow.conn).last_checkpoint(sim_id)
            try:
                world = (
                    WorldState.from_dict(checkpoint[1])
                    if checkpoint
                    else start_world(
                        sheets,
                        seed=record.seed,
                        setting=record.setting,
                        scenario=record.scenario,
                        turns_total=record.turns_total,
                    )
                )
            except ValueError as exc:
                await self._finish(record, "failed", f"cannot start: {exc}")
                return
            if checkpoint:
                log.info("simulation_resumed", from_turn=checkpoint[0])
            _running.add(1)
            try:
                await self._turns(record, world, context)
            finally:
                _running.add(-1)

    async def _turns(
        self, record: SimulationRecord, world: WorldState, context: simulation_pb2.StoryContext
    ) -> None:
        while not is_finished(world):
            with _tracer.start_as_current_span(
                semconv.SPAN_TURN,
                attributes={
                    semconv.SIMULATION_ID: record.id,
                    semconv.TENANT: record.tenant_id,
                    semconv.TURN: world.turn + 1,
                },
            ):
                started = time.perf_counter()
                stored, record, world = await self._turn(record, world, context)
                _turn_duration.record(time.perf_counter() - started)
            if not stored:
                return
            if self._turn_delay:
                await asyncio.sleep(self._turn_delay)
            if record.cancel_requested:
                await self._finish(record, "cancelled")
                return
        await self._finish(record, "completed", context=context, turns=world.turn)

    async def _turn(
        self, record: SimulationRecord, world: WorldState, context: simulation_pb2.StoryContext
    ) -> tuple[bool, SimulationRecord, WorldState]:
        """Run and store one turn; False when another worker had already stored it."""
        result = run_turn(world)
        async with self._uow() as uow:
            updated = await SimulationRepository(uow.conn).record_turn(
                record.id,
                result.turn,
                result.world.to_dict(),
                [e.to_dict() for e in result.events],
            )
            if updated is None:
                log.warning("turn_already_stored", turn=result.turn)
                return False, record, world
            record = updated
            uow.emit(*events.turn_completed(record, context, result.turn, result.events))
            await uow.commit()
        return True, record, result.world

    async def _finish(
        self,
        record: SimulationRecord,
        status: str,
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
            _finished.add(1, {semconv.STATUS: status})
            if status == "completed" and context is not None:
                uow.emit(*events.completed(updated, context, turns))
            elif status == "cancelled":
                uow.emit(*events.cancelled(updated))
            else:
                uow.emit(*events.failed(updated, reason))
            await uow.commit()
        log.info("simulation_finished", status=status, turns=updated.turns_done)
