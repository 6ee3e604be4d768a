"""Use cases of the character service: each one is one unit of work."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from novel_engine.v1 import character_pb2, common_pb2
from novel_platform import subjects
from novel_platform.errors import AlreadyExists, InvalidArgument, NotFound, VersionConflict
from novel_platform.outbox import UnitOfWork
from novel_platform.paging import decode_cursor, encode_cursor, page_size, require_tenant
from services.character.adapters.convert import to_proto
from services.character.adapters.repository import CharacterRepository
from services.character.domain.model import Character, validate
from services.character.domain.starter_roster import STARTER_ROSTER

MAX_BATCH = 100


class CharacterService:
    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self._uow = uow

    async def create(self, tenant_id: str, character: Character) -> Character:
        tenant_id = require_tenant(tenant_id)
        validate(replace(character, version=1))
        async with self._uow() as uow:
            created = await CharacterRepository(uow.conn).add_many(
                tenant_id, [replace(character, version=1)]
            )
            if not created:
                raise AlreadyExists(f"character '{character.id}' already exists")
            uow.emit(_created(tenant_id, created[0]))
            await uow.commit()
        return created[0]

    async def get(self, tenant_id: str, char_id: str) -> Character:
        async with self._uow().read_only() as uow:
            found = await CharacterRepository(uow.conn).get(require_tenant(tenant_id), char_id)
        if found is None:
            raise NotFound(f"Character '{char_id}' not found")
        return found

    async def batch_get(
        self, tenant_id: str, ids: Sequence[str]
    ) -> tuple[list[Character], list[str]]:
        if len(ids) > MAX_BATCH:
            raise InvalidArgument(f"ids: at most {MAX_BATCH}")
        async with self._uow().read_only() as uow:
            found = await CharacterRepository(uow.conn).get_many(require_tenant(tenant_id), ids)
        by_id = {c.id: c for c in found}
        # Keep the caller's order: simulations depend on it for determinism.
        return [by_id[i] for i in ids if i in by_id], [i for i in ids if i not in by_id]

    async def list_page(
        self, tenant_id: str, *, size: int, token: str, name: str = "", faction: str = ""
    ) -> tuple[list[Character], str]:
        limit = page_size(size)
        cursor = decode_cursor(token, 1)
        if len(name) > 100 or len(faction) > 100:
            raise InvalidArgument("name/faction filter: at most 100 characters")
        async with self._uow().read_only() as uow:
            items = await CharacterRepository(uow.conn).list_page(
                require_tenant(tenant_id),
                after=cursor[0] if cursor else "",
                limit=limit + 1,
                name=name,
                faction=faction,
            )
        has_more = len(items) > limit
        items = items[:limit]
        return items, encode_cursor(items[-1].id) if has_more else ""

    async def update(
        self, tenant_id: str, char_id: str, changes: Mapping[str, Any], expected_version: int
    ) -> Character:
        tenant_id = require_tenant(tenant_id)
        async with self._uow() as uow:
            repo = CharacterRepository(uow.conn)
            current = await _locked_at_version(repo, tenant_id, char_id, expected_version)
            updated = await repo.replace(tenant_id, validate(current.patched(changes)))
            uow.emit(
                subjects.CHARACTER_UPDATED.envelope(
                    tenant_id, character_pb2.CharacterUpdated(character=to_proto(updated))
                )
            )
            await uow.commit()
        return updated

    async def delete(self, tenant_id: str, char_id: str, expected_version: int) -> None:
        tenant_id = require_tenant(tenant_id)
        async with self._uow() as uow:
            repo = CharacterRepository(uow.conn)
            current = await _locked_at_version(repo, tenant_id, char_id, expected_version)
            await repo.delete(tenant_id, char_id)
            uow.emit(
                subjects.CHARACTER_DELETED.envelope(
                    tenant_id, character_pb2.CharacterDeleted(id=char_id, version=current.version)
                )
            )
            await uow.commit()

    async def seed_starter_roster(self, tenant_id: str) -> tuple[list[str], list[str]]:
        tenant_id = require_tenant(tenant_id)
        async with self._uow() as uow:
            created = await CharacterRepository(uow.conn).add_many(tenant_id, STARTER_ROSTER)
            for character in created:
                uow.emit(_created(tenant_id, character))
            await uow.commit()
        new_ids = {c.id for c in created}
        return sorted(new_ids), sorted(c.id for c in STARTER_ROSTER if c.id not in new_ids)


async def _locked_at_version(
    repo: CharacterRepository, tenant_id: str, char_id: str, expected_version: int
) -> Character:
    """The character, locked for this transaction, if it is at the version the caller saw
    (0: any version)."""
    current = await repo.get(tenant_id, char_id, for_update=True)
    if current is None:
        raise NotFound(f"Character '{char_id}' not found")
    if expected_version and expected_version != current.version:
        raise VersionConflict(
            f"character '{char_id}' is at version {current.version}, not {expected_version}"
        )
    return current


def _created(tenant_id: str, c: Character) -> common_pb2.EventEnvelope:
    return subjects.CHARACTER_CREATED.envelope(
        tenant_id, character_pb2.CharacterCreated(character=to_proto(c))
    )
