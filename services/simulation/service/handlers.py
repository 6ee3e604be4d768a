"""Use cases behind the simulation service's gRPC API."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Protocol

from novel_platform import semconv, telemetry
from novel_platform.errors import FailedPrecondition, InvalidArgument, NotFound, Overloaded
from novel_platform.outbox import UnitOfWork
from novel_platform.paging import newest_first_page, page_size, require_tenant, time_cursor
from services.simulation.adapters.llm_records import CallRecord, LlmRepository
from services.simulation.adapters.repository import (
    CampaignRecord,
    Checkpoint,
    SimulationRecord,
    SimulationRepository,
)
from services.simulation.domain import CharacterSheet, llm_usage
from services.simulation.domain.status import SimulationStatus
from services.simulation.service import events
from services.simulation.service.directing import accepted_interventions
from services.simulation.service.imported_runs import check_calls, imported_plan
from services.simulation.service.llm_plan import ModelPlans
from services.simulation.service.requests import DEFAULT_STYLE, SEED_BITS, StartRequest
from services.simulation.service.runner import Characters, CompletedRun, count_finished
from services.simulation.service.worlds import WorldService

_started = telemetry.meter(__name__).create_counter(semconv.SIMULATIONS_STARTED)
# Ids of simulations started with an Idempotency-Key: uuid5(this, tenant + key).
_IDEMPOTENT_IDS = uuid.UUID("8a3c2f0e-5d1b-4c7e-9f6a-2b4d8e1c7a90")


def idempotent_id(tenant_id: str, key: str) -> str:
    """The one simulation id a tenant's Idempotency-Key can ever create."""
    return str(uuid.uuid5(_IDEMPOTENT_IDS, f"{tenant_id}\n{key}"))


async def within_quota(uow: Callable[[], UnitOfWork], tenant: str, max_active: int) -> None:
    """Overloaded when the tenant has `max_active` simulations queued or running.

    Checked, not locked: racing starts may pass it by a few, which a quota tolerates;
    the cost is one indexed count per start."""
    async with uow().read_only() as unit:
        active = await SimulationRepository(unit.conn).count_active(tenant)
    if active >= max_active:
        raise Overloaded(
            f"{active} simulations of this tenant are queued or running "
            f"(at most {max_active}); retry when one has finished",
            limit=max_active,
        )


class Backlog(Protocol):
    @property
    def overloaded(self) -> bool: ...


class Runs(Protocol):
    async def run_now(
        self, record: SimulationRecord, sheets: Sequence[CharacterSheet]
    ) -> CompletedRun | None: ...


class SimulationService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        characters: Characters,
        backlog: Backlog | None = None,
        max_active_per_tenant: int = 0,
        models: ModelPlans | None = None,
        runs: Runs | None = None,
    ) -> None:
        self._uow = uow
        self._models = models
        self._characters = characters
        self._backlog = backlog
        self._max_active = max_active_per_tenant
        self._runs = runs

    async def start(self, request: StartRequest, idempotency_key: str = "") -> SimulationRecord:
        """Accept a simulation. With an idempotency key, a second start with the same key
        returns the first one's simulation instead of creating another.

        A short unpaced run is computed before the commit and stored completed with its
        turns' event (`SimulationRunner.run_now`); any other is queued for a worker.
        Interventions given are checked as a fork's are and kept with the run, which
        applies them at their turns on either path.
        """
        tenant = require_tenant(request.tenant_id)
        sim_id = idempotent_id(tenant, idempotency_key) if idempotency_key else ""
        if sim_id:
            async with self._uow().read_only() as uow:
                existing = await SimulationRepository(uow.conn).get(sim_id, tenant)
            if existing is not None:
                return existing
        if self._backlog is not None and self._backlog.overloaded:
            raise Overloaded("too much work queued; retry shortly")
        if self._max_active:
            await within_quota(self._uow, tenant, self._max_active)
        if request.campaign_id:
            async with self._uow().read_only() as uow:
                campaign = await SimulationRepository(uow.conn).get_campaign(
                    tenant, request.campaign_id
                )
            if campaign is None:
                raise NotFound(f"Campaign '{request.campaign_id}' not found")
            request = replace(
                request,
                character_ids=request.character_ids or campaign.participants,
                setting=request.setting or campaign.setting,
            )
        if request.llm is not None and request.llm.replay_of:
            if request.interventions:
                raise InvalidArgument("interventions: a replay repeats its source's own")
            return await self._replay(request, sim_id)
        request = replace(request, narrative_style=request.narrative_style or DEFAULT_STYLE)
        request.validated()
        # Unknown characters are refused now, not discovered by a worker later; the
        # sheets are kept, so the run uses the characters as they were when accepted.
        sheets = await self._characters.sheets(tenant, list(request.character_ids))
        # A tenant's own world is kept with the run as it is now (NotFound if unknown).
        world_name, world = await WorldService(self._uow).for_run(tenant, request.world_id)
        seed = request.seed if request.seed is not None else secrets.randbits(SEED_BITS)
        llm, usage = None, None
        if (request.llm or request.recorded) is not None and self._models is None:
            raise FailedPrecondition("this server runs simulations offline only")
        if request.recorded is not None:
            llm, usage = imported_plan(request.recorded)
        elif request.llm is not None and self._models is not None:
            llm, usage = await self._models.plan(
                tenant,
                request.llm,
                sheets,
                turns=request.turns,
                seed=seed,
                setting=request.setting or world_name,
                scenario=request.scenario,
            )
        now = datetime.now(UTC)
        record = SimulationRecord(
            id=sim_id or str(uuid.uuid4()),
            tenant_id=tenant,
            status=SimulationStatus.QUEUED,
            character_ids=request.character_ids,
            turns_total=request.turns,
            turns_done=0,
            seed=seed,
            # A run in a named world with no setting of its own is set there by name.
            setting=request.setting or world_name,
            scenario=request.scenario,
            campaign_id=request.campaign_id,
            narrative_style=request.narrative_style,
            error="",
            cancel_requested=False,
            created_at=now,
            updated_at=now,
            sheets=tuple(sheet.to_dict() for sheet in sheets),
            world_id=request.world_id,
            world=world,
            llm=llm,
            llm_usage=usage,
        )
        if request.interventions:  # checked as a fork's are, against the cast just read
            given = await accepted_interventions(
                self._characters, request.interventions, record, first_turn=1
            )
            record = replace(record, interventions=tuple(i.to_dict() for i in given))
        recordings: tuple[str, Sequence[CallRecord]] | None = None
        if request.recorded is not None:
            newcomers = (i["character_id"] for i in record.interventions if i["kind"] == "enter")
            check_calls(request.recorded, request.turns, (*request.character_ids, *newcomers))
            recordings = (request.recorded.recordings_id, request.recorded.calls)
        if llm is None:
            run = await self._runs.run_now(record, sheets) if self._runs else None
            if run is not None:
                return await self._store_run(record, run)
        return await self._add(record, sim_id, recordings)

    async def _replay(self, request: StartRequest, sim_id: str) -> SimulationRecord:
        """A new simulation answering its model calls from another's recordings."""
        assert request.llm is not None
        source = await self.get(request.tenant_id, request.llm.replay_of)
        if source.llm is None or source.llm_usage is None:
            raise FailedPrecondition(f"Simulation '{source.id}' has no model calls to replay")
        if not source.finished:
            raise FailedPrecondition(f"Simulation '{source.id}' is still {source.status}")
        # A branch's replay is a branch too: it starts from the world at the same fork
        # turn (its shared turns are the parent's) and replays the branch's own.
        fork = None
        if source.parent_id and source.fork_turn:
            async with self._uow().read_only() as uow:
                fork = await SimulationRepository(uow.conn).checkpoint_at(
                    source.id, source.fork_turn
                )
            if fork is None or fork.turn != source.fork_turn:
                raise FailedPrecondition(f"Simulation '{source.id}' lost its fork point")
        now = datetime.now(UTC)
        # A run that replays recordings itself (a replay, an imported bundle) passes
        # on the same ones.
        recordings = source.llm["replay_of"] or source.id
        llm = {**source.llm, "replay_of": recordings}
        usage = llm_usage.reset(source.llm_usage, recordings)
        record = replace(
            source,
            id=sim_id or str(uuid.uuid4()),
            status=SimulationStatus.QUEUED,
            turns_done=fork.turn if fork else 0,
            error="",
            cancel_requested=False,
            created_at=now,
            updated_at=now,
            llm=llm,
            llm_usage=usage,
        )
        return await self._add(record, sim_id, fork=fork)

    async def _add(
        self,
        record: SimulationRecord,
        sim_id: str,
        recordings: tuple[str, Sequence[CallRecord]] | None = None,
        fork: Checkpoint | None = None,
    ) -> SimulationRecord:
        """Store and queue the run; `recordings`: (their id, the decisions) it replays;
        `fork`: the world a branch starts from."""
        tenant = record.tenant_id
        async with self._uow() as uow:
            repo = SimulationRepository(uow.conn)
            if sim_id:
                if not await repo.add_once(record):  # a concurrent twin got there first
                    return await self.get(tenant, sim_id)
            else:
                await repo.add(record)
            if fork is not None:
                await repo.add_checkpoint(record.id, fork.turn, fork.world)
            if recordings is not None:
                if await LlmRepository(uow.conn).calls_of(recordings[0]):
                    raise FailedPrecondition(f"recordings '{recordings[0]}' exist already")
                await LlmRepository(uow.conn).add_calls(*recordings)
            uow.emit(*events.requested(record))
            await uow.commit()
        _started.add(1)
        return record

    async def _store_run(self, record: SimulationRecord, run: CompletedRun) -> SimulationRecord:
        done = replace(record, status=SimulationStatus.COMPLETED, turns_done=run.world.turn)
        async with self._uow().one_statement() as uow:
            uow.emit(
                *events.turns_completed(
                    done, run.context, run.turns, completed=True, turns_executed=run.world.turn
                )
            )
            repo = SimulationRepository(uow.conn)
            if not await repo.add_run(done, uow.outbox_params()):
                # An idempotent twin got there first (a uuid4 id never collides).
                return await self.get(record.tenant_id, record.id)
            uow.written()
        _started.add(1)
        count_finished(done)
        return done

    async def get(self, tenant_id: str, sim_id: str) -> SimulationRecord:
        async with self._uow().read_only() as uow:
            found = await SimulationRepository(uow.conn).get(sim_id, require_tenant(tenant_id))
        if found is None:
            raise NotFound(f"Simulation '{sim_id}' not found")
        return found

    async def list_page(
        self, tenant_id: str, size: int, token: str
    ) -> tuple[list[SimulationRecord], str]:
        limit = page_size(size)
        async with self._uow().read_only() as uow:
            items = await SimulationRepository(uow.conn).list_page(
                require_tenant(tenant_id), before=time_cursor(token), limit=limit + 1
            )
        return newest_first_page(items, limit)

    async def recorded_calls(self, tenant_id: str, sim_id: str) -> list[CallRecord]:
        """The model calls the simulation's decisions came from, by turn: its own, or
        for a replay (of a run, of a bundle) those it replays; none for an offline run."""
        async with self._uow().read_only() as uow:
            found = await SimulationRepository(uow.conn).get(sim_id, require_tenant(tenant_id))
            if found is None:
                raise NotFound(f"Simulation '{sim_id}' not found")
            source = (found.llm or {}).get("replay_of") or sim_id
            return list((await LlmRepository(uow.conn).calls_of(source)).values())

    async def cancel(self, tenant_id: str, sim_id: str) -> SimulationRecord:
        """Queued: cancelled at once. Running: the worker stops at the next turn."""
        async with self._uow() as uow:
            repo = SimulationRepository(uow.conn)
            found = await repo.get(sim_id, require_tenant(tenant_id), for_update=True)
            if found is None:
                raise NotFound(f"Simulation '{sim_id}' not found")
            if found.finished:
                raise FailedPrecondition(f"Simulation '{sim_id}' is already {found.status}")
            if found.status == SimulationStatus.QUEUED:
                updated = await repo.update(
                    sim_id, status=SimulationStatus.CANCELLED, cancel_requested=True
                )
                uow.emit(*events.cancelled(updated))
            else:
                updated = await repo.update(sim_id, cancel_requested=True)
            await uow.commit()
        return updated

    async def create_campaign(
        self, tenant_id: str, name: str, description: str, participants: list[str], setting: str
    ) -> CampaignRecord:
        tenant = require_tenant(tenant_id)
        if not name.strip() or len(name) > 100:
            raise InvalidArgument("name: required, at most 100 characters")
        if len(description) > 2000 or len(setting) > 500:
            raise InvalidArgument("description/setting: at most 2000/500 characters")
        # The participants must make a valid cast, as a simulation of theirs would check.
        StartRequest(
            tenant_id=tenant,
            character_ids=tuple(participants),
            turns=1,
            seed=None,
            setting="",
            scenario="",
            campaign_id="",
            narrative_style=DEFAULT_STYLE,
        ).validated()
        await self._characters.sheets(tenant, participants)
        record = CampaignRecord(
            id=str(uuid.uuid4()),
            name=name,
            description=description,
            participants=tuple(participants),
            setting=setting,
            status="active",
            created_at=datetime.now(UTC),
        )
        async with self._uow() as uow:
            await SimulationRepository(uow.conn).add_campaign(tenant, record)
            await uow.commit()
        return record

    async def list_campaigns(
        self, tenant_id: str, size: int, token: str
    ) -> tuple[list[CampaignRecord], str]:
        limit = page_size(size)
        async with self._uow().read_only() as uow:
            items = await SimulationRepository(uow.conn).list_campaigns(
                require_tenant(tenant_id), before=time_cursor(token), limit=limit + 1
            )
        return newest_first_page(items, limit)
