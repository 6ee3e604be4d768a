"""Reads and writes of the simulation schema on one connection (the unit of work's)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from novel_platform.direct_sql import DirectStatement
from novel_platform.outbox import OUTBOX_PARAMS, outbox_insert
from novel_platform.paging import newest_first_query
from services.simulation.adapters.tables import (
    BRANCH_COLUMNS,
    campaigns,
    checkpoints,
    outbox,
    simulations,
)
from services.simulation.domain.status import ACTIVE, TERMINAL, SimulationStatus


@dataclass(frozen=True)
class SimulationRecord:
    id: str
    tenant_id: str
    status: SimulationStatus
    character_ids: tuple[str, ...]
    turns_total: int
    turns_done: int
    seed: int
    setting: str
    scenario: str
    campaign_id: str
    narrative_style: str
    error: str
    cancel_requested: bool
    created_at: datetime
    updated_at: datetime
    sheets: tuple[dict[str, Any], ...] | None = None
    world_id: str = ""
    world: dict[str, Any] | None = None  # a tenant's own world as accepted
    llm: dict[str, Any] | None = None  # options, backend (key sealed), replay source
    llm_usage: dict[str, Any] | None = None  # calls, tokens, fallbacks, budget
    parent_id: str = ""  # a branch's parent; "" for a run that is no branch
    fork_turn: int = 0  # the last turn a branch shares with its parent
    root_id: str = ""  # a branch's tree's first run
    interventions: tuple[dict[str, Any], ...] = ()  # as applied, in order

    @property
    def finished(self) -> bool:
        return self.status in TERMINAL


@dataclass(frozen=True)
class Checkpoint:
    """Where a resume starts: the world after `turn`, the last turn of a stored batch."""

    turn: int
    world: dict[str, Any]


@dataclass(frozen=True)
class CampaignRecord:
    id: str
    name: str
    description: str
    participants: tuple[str, ...]
    setting: str
    status: str
    created_at: datetime


def simulation_from_row(row: sa.Row[Any]) -> SimulationRecord:
    values = dict(row._mapping)
    values["status"] = SimulationStatus(values["status"])
    values["character_ids"] = tuple(values["character_ids"])
    if values["sheets"] is not None:
        values["sheets"] = tuple(values["sheets"])
    values["interventions"] = tuple(values["interventions"])
    return SimulationRecord(**values)


def _campaign(row: sa.Row[Any]) -> CampaignRecord:
    return CampaignRecord(
        id=row.id,
        name=row.name,
        description=row.description,
        participants=tuple(row.participants),
        setting=row.setting,
        status=row.status,
        created_at=row.created_at,
    )


# One round trip for the counter and the checkpoint; text, because a data-modifying
# CTE has no Core form that SQLAlchemy caches. The checkpoint is inserted only when the
# update matched (FROM advanced).
_RECORD_BATCH = (
    sa.text(
        "WITH advanced AS ("
        " UPDATE simulation.simulations SET status = :status, turns_done = :done,"
        " updated_at = now()"
        " WHERE id = :id AND turns_done = :before"
        " AND status NOT IN ('completed', 'failed', 'cancelled')"  # TERMINAL
        " RETURNING *"
        "), stored AS ("
        " INSERT INTO simulation.checkpoints (simulation_id, turn, world, created_at)"
        " SELECT id, :done, :world, now() FROM advanced"
        ") "
        "SELECT * FROM advanced"
    )
    .bindparams(
        sa.bindparam("id", type_=sa.Text),
        sa.bindparam("before", type_=sa.Integer),
        sa.bindparam("done", type_=sa.Integer),
        sa.bindparam("status", type_=sa.Text),
        sa.bindparam("world", type_=JSONB),
    )
    .columns(*simulations.c)
)


# A run computed at once is accepted and completed, and its event stored, in one
# autocommit statement (a one-statement unit of work); ON CONFLICT leaves an idempotent
# twin's row alone, and then nothing is written. No checkpoint: a finished run is never
# resumed, and its start (seed, sheets and interventions, kept in the row) reproduces
# every turn. A run with interventions has a statement of its own, so that the plain
# run's binds no more columns than it had. Run once per synchronous start: direct.
def _add_run_statement(columns: list[sa.Column[Any]]) -> DirectStatement:
    return DirectStatement(
        sa.text(
            # The names come from the table definitions, not from input.
            "WITH added AS ("  # noqa: S608
            f" INSERT INTO simulation.simulations ({', '.join(c.name for c in columns)})"
            f" VALUES ({', '.join(':' + c.name for c in columns)})"
            " ON CONFLICT (id) DO NOTHING RETURNING id"
            f"), sent AS ({outbox_insert(outbox, 'added')}) "
            "SELECT id FROM added"
        ).bindparams(
            *(sa.bindparam(c.name, type_=c.type) for c in columns),
            *OUTBOX_PARAMS,
        ),
        "INSERT simulation.simulations",
    )


_RUN_COLUMNS = [c for c in simulations.c if c.name not in BRANCH_COLUMNS]
_ADD_RUN = _add_run_statement(_RUN_COLUMNS)
_ADD_DIRECTED_RUN = _add_run_statement([*_RUN_COLUMNS, simulations.c.interventions])


def _row_values(record: SimulationRecord) -> dict[str, Any]:
    return record.__dict__ | {
        "character_ids": list(record.character_ids),
        "sheets": list(record.sheets) if record.sheets is not None else None,
    }


class SimulationRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def add(self, record: SimulationRecord) -> None:
        await self._conn.execute(simulations.insert().values(**_row_values(record)))

    async def add_once(self, record: SimulationRecord) -> bool:
        """Insert unless a simulation with this id exists (then False, nothing written).

        For ids derived from an Idempotency-Key: a concurrent twin waits for the first
        insert's transaction and then finds the row.
        """
        stmt = (
            insert(simulations)
            .values(**_row_values(record))
            .on_conflict_do_nothing(index_elements=[simulations.c.id])
            .returning(simulations.c.id)
        )
        return (await self._conn.execute(stmt)).first() is not None

    async def add_run(self, record: SimulationRecord, events: Mapping[str, Any]) -> bool:
        """Insert a finished run with its events (`outbox_params`), unless a simulation
        with this id exists (then False, nothing written)."""
        values = _row_values(record) | dict(events)
        statement = _ADD_DIRECTED_RUN if record.interventions else _ADD_RUN
        return await statement.first(self._conn, values) is not None

    async def get(
        self, sim_id: str, tenant_id: str | None = None, *, for_update: bool = False
    ) -> SimulationRecord | None:
        stmt = sa.select(simulations).where(simulations.c.id == sim_id)
        if tenant_id is not None:
            stmt = stmt.where(simulations.c.tenant_id == tenant_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = (await self._conn.execute(stmt)).first()
        return simulation_from_row(row) if row else None

    async def count_active(self, tenant_id: str) -> int:
        """The tenant's queued and running simulations (a partial index holds only those)."""
        stmt = sa.select(sa.func.count()).where(
            simulations.c.tenant_id == tenant_id, simulations.c.status.in_(ACTIVE)
        )
        return int((await self._conn.execute(stmt)).scalar_one())

    async def list_page(
        self, tenant_id: str, *, before: tuple[datetime, str] | None, limit: int
    ) -> list[SimulationRecord]:
        stmt = newest_first_query(simulations, tenant_id, before, limit)
        return [simulation_from_row(r) for r in (await self._conn.execute(stmt)).all()]

    async def update(self, sim_id: str, **values: Any) -> SimulationRecord:
        stmt = (
            sa.update(simulations)
            .where(simulations.c.id == sim_id)
            .values(**values, updated_at=sa.func.now())
            .returning(*simulations.c)
        )
        return simulation_from_row((await self._conn.execute(stmt)).one())

    async def record_batch(
        self, sim_id: str, *, first_turn: int, last_turn: int, world: dict[str, Any], finished: bool
    ) -> SimulationRecord | None:
        """Advance the counter over a batch of turns, store the world after it (and, with
        `finished`, mark the simulation completed), in one statement.

        None when the counter is not where this batch starts or the run has ended
        (another worker stored these turns first, or it was cancelled): the update
        locks the row and matches nothing, so nothing is written.
        """
        row = (
            await self._conn.execute(
                _RECORD_BATCH,
                {
                    "id": sim_id,
                    "before": first_turn - 1,
                    "done": last_turn,
                    "status": SimulationStatus.COMPLETED if finished else SimulationStatus.RUNNING,
                    "world": world,
                },
            )
        ).first()
        return simulation_from_row(row) if row else None

    async def last_checkpoint(self, sim_id: str) -> Checkpoint | None:
        """The newest stored world (the end of the last committed batch)."""
        stmt = (
            sa.select(checkpoints.c.turn, checkpoints.c.world)
            .where(checkpoints.c.simulation_id == sim_id)
            .order_by(checkpoints.c.turn.desc())
            .limit(1)
        )
        row = (await self._conn.execute(stmt)).first()
        return Checkpoint(row.turn, row.world) if row else None

    async def checkpoint_at(self, sim_id: str, turn: int) -> Checkpoint | None:
        """The newest stored world at or before `turn`."""
        stmt = (
            sa.select(checkpoints.c.turn, checkpoints.c.world)
            .where(checkpoints.c.simulation_id == sim_id, checkpoints.c.turn <= turn)
            .order_by(checkpoints.c.turn.desc())
            .limit(1)
        )
        row = (await self._conn.execute(stmt)).first()
        return Checkpoint(row.turn, row.world) if row else None

    async def add_checkpoint(self, sim_id: str, turn: int, world: dict[str, Any]) -> None:
        await self._conn.execute(
            checkpoints.insert().values(
                simulation_id=sim_id, turn=turn, world=world, created_at=sa.func.now()
            )
        )

    async def tree(self, tenant_id: str, root_id: str, limit: int) -> list[SimulationRecord]:
        """The root and its branches (every generation), oldest first."""
        stmt = (
            sa.select(simulations)
            .where(
                simulations.c.tenant_id == tenant_id,
                sa.or_(simulations.c.id == root_id, simulations.c.root_id == root_id),
            )
            .order_by(simulations.c.created_at, simulations.c.id)
            .limit(limit)
        )
        return [simulation_from_row(r) for r in (await self._conn.execute(stmt)).all()]

    async def count_branches(self, root_id: str) -> int:
        stmt = sa.select(sa.func.count()).where(simulations.c.root_id == root_id)
        return int((await self._conn.execute(stmt)).scalar_one())

    async def add_campaign(self, tenant_id: str, record: CampaignRecord) -> None:
        values = record.__dict__ | {"participants": list(record.participants)}
        await self._conn.execute(campaigns.insert().values(tenant_id=tenant_id, **values))

    async def get_campaign(self, tenant_id: str, campaign_id: str) -> CampaignRecord | None:
        stmt = sa.select(campaigns).where(
            campaigns.c.tenant_id == tenant_id, campaigns.c.id == campaign_id
        )
        row = (await self._conn.execute(stmt)).first()
        return _campaign(row) if row else None

    async def list_campaigns(
        self, tenant_id: str, *, before: tuple[datetime, str] | None, limit: int
    ) -> list[CampaignRecord]:
        stmt = newest_first_query(campaigns, tenant_id, before, limit)
        return [_campaign(r) for r in (await self._conn.execute(stmt)).all()]
