"""Finding accepted simulations that nobody is working on."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from services.simulation.adapters.repository import SimulationRecord, simulation_from_row
from services.simulation.adapters.tables import simulations
from services.simulation.domain.status import ACTIVE


async def claim_stale(
    conn: AsyncConnection, *, older_than: timedelta, limit: int
) -> list[SimulationRecord]:
    """Take up to `limit` queued/running simulations untouched for `older_than`.

    Their `updated_at` is set to now, so the next scan leaves them alone for another
    `older_than` (a re-driven run that is still stranded is re-driven again then). Rows
    another replica's scan holds are skipped, so two reconcilers never claim one run.
    """
    stale = (
        sa.select(simulations.c.id)
        .where(
            simulations.c.status.in_(ACTIVE),
            simulations.c.updated_at < sa.func.now() - older_than,
        )
        .order_by(simulations.c.updated_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    stmt = (
        sa.update(simulations)
        .where(simulations.c.id.in_(stale))
        .values(updated_at=sa.func.now())
        .returning(*simulations.c)
    )
    return [simulation_from_row(row) for row in (await conn.execute(stmt)).all()]
