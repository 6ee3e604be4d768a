"""Character reads, served from the process's CharacterCache when it has them.

The older clients' workload is mostly character reads; each one that misses costs a
call to the character service. The cache follows the CHARACTER stream (see
novel_platform/character_cache.py); writes through this gateway forget what they change
at once, so a client reads its own writes.
"""

from __future__ import annotations

from collections import OrderedDict

from novel_engine.v1 import character_pb2, character_pb2_grpc, common_pb2
from novel_platform.character_cache import CharacterCache, Key
from services.gateway.convert import character_out
from services.gateway.schemas import CharacterOut

# The old API returned every id at once; stop at a bound rather than at memory.
MAX_ROSTER = 1000
# Rendered characters kept (the most recently read); one is about 1 KiB.
MAX_RENDERED = 10_000


class CharacterReads:
    def __init__(
        self, cache: CharacterCache, stub: character_pb2_grpc.CharacterServiceStub
    ) -> None:
        self.cache = cache
        self._stub = stub
        # A cached character's JSON, made at its first read rather than at every one
        # (converting and serializing was a tenth of a read's CPU). Keyed by the cached
        # copy itself: a refreshed or re-read character is a new copy, rendered anew.
        self._rendered: OrderedDict[Key, tuple[character_pb2.Character, bytes]] = OrderedDict()

    async def get(self, tenant: str, character_id: str) -> character_pb2.Character:
        """The character; NotFound (gRPC) propagates as from the service."""
        found = self.cache.get(tenant, character_id)
        if found is None:
            seen = self.cache.generation(tenant)
            found = await self._stub.GetCharacter(
                character_pb2.GetCharacterRequest(tenant_id=tenant, id=character_id)
            )
            self.cache.put(tenant, found, seen)
        return found

    async def get_json(
        self, tenant: str, character_id: str
    ) -> tuple[character_pb2.Character, bytes]:
        """The character and its JSON (`CharacterOut`), as `get` finds it."""
        found = await self.get(tenant, character_id)
        key = (tenant, character_id)
        rendered = self._rendered.get(key)
        if rendered is None or rendered[0] is not found:
            out = CharacterOut.model_validate(character_out(found))
            rendered = (found, out.model_dump_json().encode())
            self._rendered[key] = rendered
            if len(self._rendered) > MAX_RENDERED:
                self._rendered.popitem(last=False)
        else:
            self._rendered.move_to_end(key)
        return rendered

    async def ids(self, tenant: str) -> tuple[str, ...]:
        """Every id of the tenant's characters (at most MAX_ROSTER), as the service lists them."""
        roster = self.cache.roster(tenant)
        if roster is None:
            seen = self.cache.generation(tenant)
            ids: list[str] = []
            token = ""
            while len(ids) < MAX_ROSTER:
                reply = await self._stub.ListCharacters(
                    character_pb2.ListCharactersRequest(
                        tenant_id=tenant,
                        page=common_pb2.PageRequest(page_size=100, page_token=token),
                    )
                )
                ids.extend(c.id for c in reply.characters)
                token = reply.next_page_token
                if not token:
                    break
            roster = tuple(ids[:MAX_ROSTER])
            self.cache.put_roster(tenant, roster, seen)
        return roster
