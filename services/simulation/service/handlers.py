"""Use cases behind the simulation service's gRPC API."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Protocol

from novel_platform import semconv, telemetry
from novel_platform.errors import FailedPrecondition, InvalidArgument, NotFound, Overloaded
from novel_platform.outbox import UnitOfWork
from novel_platform.paging import newest_first_page, page_size, require_tenant, time_cursor
from services.simulation.adapters.repository import (
    CampaignRecord,
    SimulationRecord,
    SimulationRepository,
)
from services.simulation.domain import CharacterSheet
from services.simulation.service import events
from services.simulation.service.requests import DEFAULT_STYLE, SEED_BITS, StartRequest

_started = telemetry.meter(__name__).create_counter(semconv.SIMULATIONS_STARTED)


class Characters(Protocol):
    async def sheets(self, tenant_id: str, ids: list[str]) -> list[CharacterSheet]: ...


class Backlog(Protocol):
    @property
    def overloaded(self) -> bool: ...


class SimulationService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        characters: Characters,
        backlog: Backlog | None = None,
    ) -> None:
        self._uow = uow
        self._characters = characters
        self._backlog = backlog

    async def start(self, request: StartRequest) -> SimulationRecord:
        tenant = require_tenant(request.tenant_id)
        if self._backlog is not None and self._backlog.overloaded:
            raise Overloaded("too much work queued; retry shortly")
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
        request = replace(request, narrative_style=request.narrative_style or DEFAULT_STYLE)
        request.validated()
        # Unknown characters are refused now, not discovered by a worker later; the
        # sheets are kept, so the run uses the characters as they were when accepted.
        sheets = await self._characters.sheets(tenant, list(request.character_ids))
        now = datetime.now(UTC)
        record = SimulationRecord(
            id=str(uuid.uuid4()),
            tenant_id=tenant,
            status="queued",
            character_ids=request.character_ids,
            turns_total=request.turns,
            turns_done=0,
            seed=request.seed if request.seed is not None else secrets.randbits(SEED_BITS),
            setting=request.setting,
            scenario=request.scenario,
            campaign_id=request.campaign_id,
            narrative_style=request.narrative_style,
            error="",
            cancel_requested=False,
            created_at=now,
            updated_at=now,
            sheets=tuple(sheet.to_dict() for sheet in sheets),
        )
        async with self._uow() as uow:
            await SimulationRepository(uow.conn).add(record)
            uow.emit(*events.requested(record))
            await uow.commit()
        _started.add(1)
        return record

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

    async def cancel(self, tenant_id: str, sim_id: str) -> SimulationRecord:
        """Queued: cancelled at once. Running: the worker stops at the next turn."""
        async with self._uow() as uow:
            repo = SimulationRepository(uow.conn)
            found = await repo.get(sim_id, require_tenant(tenant_id), for_update=True)
            if found is None:
                raise NotFound(f"Simulation '{sim_id}' not found")
            if found.finished:
                raise FailedPrecondition(f"Simulation '{sim_id}' is already {found.status}")
            if found.status == "queued":
                updated = await repo.update(sim_id, status="cancelled", cancel_requested=True)
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
