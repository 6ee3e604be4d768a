"""Use cases for worlds: the built-in ones, and each tenant's own, checked like any
other input before they are stored."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from novel_platform.errors import AlreadyExists, FailedPrecondition, InvalidArgument, NotFound
from novel_platform.outbox import UnitOfWork
from novel_platform.paging import require_tenant
from services.simulation.adapters.worlds import WorldRecord, WorldRepository
from services.simulation.domain.scenery import World
from services.simulation.domain.world_spec import world_from_spec, world_to_spec
from services.simulation.domain.worlds import WORLDS, builtin

MAX_WORLDS_PER_TENANT = 50


def builtin_record(world: World) -> WorldRecord:
    return WorldRecord(
        id=world.name, definition=world_to_spec(world), created_at=None, builtin=True
    )


def checked(world_id: str, definition: Mapping[str, Any]) -> World:
    """The world, or InvalidArgument naming the first rule it breaks."""
    try:
        return world_from_spec(world_id, definition)
    except ValueError as exc:
        raise InvalidArgument(f"world: {exc}") from exc


class WorldService:
    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self._uow = uow

    async def create(
        self, tenant_id: str, world_id: str, definition: Mapping[str, Any]
    ) -> WorldRecord:
        tenant = require_tenant(tenant_id)
        world = checked(world_id, definition)
        if builtin(world_id) is not None:
            raise AlreadyExists(f"World '{world_id}' is a built-in world; choose another id")
        record = WorldRecord(world_id, world_to_spec(world), datetime.now(UTC))
        async with self._uow() as uow:
            repo = WorldRepository(uow.conn)
            if await repo.count(tenant) >= MAX_WORLDS_PER_TENANT:
                raise FailedPrecondition(
                    f"a tenant keeps at most {MAX_WORLDS_PER_TENANT} worlds; delete one first"
                )
            if not await repo.add(tenant, record):
                raise AlreadyExists(f"World '{world_id}' already exists")
            await uow.commit()
        return record

    async def get(self, tenant_id: str, world_id: str) -> WorldRecord:
        found = builtin(world_id)
        if found is not None:
            return builtin_record(found)
        async with self._uow().read_only() as uow:
            record = await WorldRepository(uow.conn).get(require_tenant(tenant_id), world_id)
        if record is None:
            raise NotFound(f"World '{world_id}' not found")
        return record

    async def list(self, tenant_id: str) -> list[WorldRecord]:
        async with self._uow().read_only() as uow:
            own = await WorldRepository(uow.conn).list(
                require_tenant(tenant_id), MAX_WORLDS_PER_TENANT
            )
        return [*(builtin_record(w) for w in WORLDS), *own]

    async def delete(self, tenant_id: str, world_id: str) -> None:
        if builtin(world_id) is not None:
            raise FailedPrecondition(f"World '{world_id}' is built in and cannot be deleted")
        async with self._uow() as uow:
            deleted = await WorldRepository(uow.conn).delete(require_tenant(tenant_id), world_id)
            await uow.commit()
        if not deleted:
            raise NotFound(f"World '{world_id}' not found")

    async def for_run(self, tenant_id: str, world_id: str) -> tuple[str, dict[str, Any] | None]:
        """The world's proper name, and what a simulation keeps of it: nothing for a
        built-in one (the engine has it), the definition of the tenant's own."""
        if not world_id:
            return "", None
        own = builtin(world_id)
        if own is not None:
            return own.default_name, None
        definition = (await self.get(tenant_id, world_id)).definition
        return str(definition["name"]), definition
