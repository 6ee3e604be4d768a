"""The per-tenant cap on queued + running simulations (real PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from novel_platform.errors import Overloaded
from novel_platform.outbox import UnitOfWork
from services.simulation.adapters.repository import SimulationRepository
from services.simulation.adapters.tables import outbox
from services.simulation.domain import CharacterSheet
from services.simulation.service.handlers import SimulationService
from services.simulation.service.requests import StartRequest

pytestmark = pytest.mark.integration


class Roster:
    """A character directory that knows every id it is asked for."""

    async def sheets(self, tenant_id: str, ids: list[str]) -> list[CharacterSheet]:
        return [CharacterSheet(id=i, name=i.title()) for i in ids]


def _request(tenant: str) -> StartRequest:
    return StartRequest(tenant, ("pilot", "engineer"), 3, None, "", "", "", "epic")


async def test_a_tenant_past_its_cap_is_refused_until_one_finishes(
    engine: AsyncEngine, tenant: str
) -> None:
    def uow() -> UnitOfWork:
        return UnitOfWork(engine, outbox, None)

    service = SimulationService(uow, Roster(), max_active_per_tenant=2)
    first = await service.start(_request(tenant))
    await service.start(_request(tenant))
    with pytest.raises(Overloaded, match="2 simulations of this tenant are queued or running"):
        await service.start(_request(tenant))
    # Another tenant has a quota of its own.
    await service.start(_request(tenant + "-other"))

    async with uow() as unit:
        await SimulationRepository(unit.conn).update(first.id, status="completed")
        await unit.commit()
    assert (await service.start(_request(tenant))).status == "queued"
