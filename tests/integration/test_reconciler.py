"""The reconciler re-drives accepted simulations whose work message was lost (real
PostgreSQL), and a second worker on the same run is harmless."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from novel_platform import subjects
from novel_platform.events import parse_envelope
from novel_platform.outbox import UnitOfWork
from services.simulation.adapters.repository import SimulationRecord, SimulationRepository
from services.simulation.adapters.tables import checkpoints, outbox, simulations
from services.simulation.domain import CharacterSheet
from services.simulation.domain.status import SimulationStatus
from services.simulation.service.reconciler import Reconciler
from services.simulation.service.runner import SimulationRunner

pytestmark = pytest.mark.integration

SHEETS = (
    CharacterSheet(id="pilot", name="Rhea Voss", role="Pilot", goals=("Land safely",)),
    CharacterSheet(id="engineer", name="Tomas Berg", role="Engineer", goals=("Fix the mast",)),
)


class NoCharacterService:
    """The runs here carry their sheets; the character service is never asked."""

    async def sheets(self, tenant_id: str, ids: list[str]) -> list[CharacterSheet]:
        raise AssertionError("sheets are stored with the simulation")


def _uow(engine: AsyncEngine) -> UnitOfWork:
    return UnitOfWork(engine, outbox, None)


async def _accepted(
    engine: AsyncEngine,
    tenant: str,
    *,
    status: SimulationStatus = SimulationStatus.QUEUED,
    age: timedelta,
) -> str:
    """A simulation accepted `age` ago whose work message is gone."""
    then = datetime.now(UTC) - age
    record = SimulationRecord(
        id=str(uuid.uuid4()),
        tenant_id=tenant,
        status=status,
        character_ids=tuple(s.id for s in SHEETS),
        turns_total=6,
        turns_done=0,
        seed=7,
        setting="the storm moon Veyra",
        scenario="the relay mast has gone dark",
        campaign_id="",
        narrative_style="epic",
        error="",
        cancel_requested=False,
        created_at=then,
        updated_at=then,
        sheets=tuple(s.to_dict() for s in SHEETS),
    )
    async with _uow(engine) as uow:
        await SimulationRepository(uow.conn).add(record)
        await uow.commit()
    return record.id


async def _requests_for(engine: AsyncEngine, sim_id: str) -> list[str]:
    """Event ids of the simulation.requested events waiting in the outbox for `sim_id`."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            sa.select(outbox.c.payload).where(
                outbox.c.subject == subjects.SIMULATION_REQUESTED.type
            )
        )
        found = []
        for (payload,) in rows:
            envelope = parse_envelope(payload)
            request = subjects.SIMULATION_REQUESTED.unpack(envelope)
            if request.simulation.id == sim_id:
                found.append(envelope.event_id)
        return found


async def test_stranded_runs_are_requeued_once_per_period_and_live_ones_left_alone(
    engine: AsyncEngine, tenant: str
) -> None:
    stranded_queued = await _accepted(engine, tenant, age=timedelta(minutes=10))
    stranded_running = await _accepted(
        engine, tenant, status=SimulationStatus.RUNNING, age=timedelta(minutes=10)
    )
    recent = await _accepted(engine, tenant, age=timedelta(seconds=5))
    finished = await _accepted(
        engine, tenant, status=SimulationStatus.COMPLETED, age=timedelta(hours=1)
    )
    reconciler = Reconciler(
        lambda: _uow(engine), stale_after_seconds=60, interval_seconds=1, batch=10_000
    )

    redriven = await reconciler.reconcile_once()

    assert {stranded_queued, stranded_running} <= set(redriven)
    assert recent not in redriven and finished not in redriven
    first = await _requests_for(engine, stranded_queued)
    assert len(first) == 1
    assert await _requests_for(engine, recent) == []
    # Claimed: the next scan leaves them alone until they are stale again.
    again = await reconciler.reconcile_once()
    assert stranded_queued not in again and stranded_running not in again
    assert await _requests_for(engine, stranded_queued) == first

    # The re-driven request runs the simulation to its end.
    await SimulationRunner(lambda: _uow(engine), NoCharacterService()).run(stranded_queued)
    async with _uow(engine).read_only() as uow:
        done = await SimulationRepository(uow.conn).get(stranded_queued)
    assert done is not None and done.status == "completed" and done.turns_done == 6


async def test_two_workers_on_one_run_store_and_publish_each_turn_once(
    engine: AsyncEngine, tenant: str
) -> None:
    sim_id = await _accepted(engine, tenant, age=timedelta(minutes=10))
    uow = lambda: _uow(engine)  # noqa: E731
    # One turn per batch: the two runs interleave turn by turn.
    first = SimulationRunner(uow, NoCharacterService(), batch_turns=1)
    second = SimulationRunner(uow, NoCharacterService(), batch_turns=1)

    await asyncio.gather(first.run(sim_id), second.run(sim_id))

    async with engine.connect() as conn:
        turns = (
            await conn.execute(
                sa.select(checkpoints.c.turn)
                .where(checkpoints.c.simulation_id == sim_id)
                .order_by(checkpoints.c.turn)
            )
        ).scalars()
        assert list(turns) == [1, 2, 3, 4, 5, 6]
        status = await conn.scalar(
            sa.select(simulations.c.status).where(simulations.c.id == sim_id)
        )
        assert status == "completed"
        subjects_out = (
            await conn.execute(
                sa.select(outbox.c.subject).where(outbox.c.subject.like(f"simulation.{sim_id}.%"))
            )
        ).scalars()
        published = list(subjects_out)
    # One event per turn (a batch of one), the last one saying the run completed.
    assert published == [f"simulation.{sim_id}.turns_completed"] * 6
