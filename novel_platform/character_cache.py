"""A process's cache of characters, kept current by the CHARACTER stream.

Characters are read far more often than they change, and every read through the
character service costs a gRPC call and a query. Every change is already published
(through the outbox) as character.created / updated / deleted, so a process that
listens can keep what it read and refresh or drop it when the character changes.

What a reader can rely on:
- a cached character is never older than the last change event this process received
  for it: an update refreshes it, a deletion drops it;
- a read that raced with a change is not cached: every entry is put against the
  tenant's generation seen before the read (`generation()`), and any event for that
  tenant moves the generation on;
- a lost event cannot keep a stale entry for long: a reconnect to NATS forgets
  everything (events may have been missed meanwhile), and every entry expires after
  `max_age_seconds` anyway (a core subscription drops messages for a slow consumer).
The staleness a reader sees after a change is the relay's delay, milliseconds; the
process that made the change forgets it at once (`forget`).
"""

from __future__ import annotations

import time
from collections import OrderedDict, defaultdict

import structlog
from nats.aio.msg import Msg

from novel_engine.v1 import character_pb2
from novel_platform import subjects
from novel_platform.events import parse_envelope
from novel_platform.messaging import EventBus

log = structlog.get_logger(__name__)

Key = tuple[str, str]  # (tenant, character id)


class CharacterCache:
    def __init__(self, *, max_age_seconds: float = 60.0, max_entries: int = 50_000) -> None:
        self._max_age = max_age_seconds
        self._max_entries = max_entries
        self._entries: OrderedDict[Key, tuple[float, character_pb2.Character]] = OrderedDict()
        # A tenant's whole roster of ids, for the routes that list them all.
        self._rosters: dict[str, tuple[float, tuple[str, ...]]] = {}
        self._generations: defaultdict[str, int] = defaultdict(int)

    async def start(self, bus: EventBus) -> None:
        """Listen for changes; call before serving reads from the cache."""
        await bus.subscribe("character.>", self._on_event)
        bus.on_reconnect(self.clear)

    def generation(self, tenant_id: str) -> int:
        """Take before reading from the character service; pass to `put`."""
        return self._generations[tenant_id]

    def get(self, tenant_id: str, character_id: str) -> character_pb2.Character | None:
        entry = self._entries.get((tenant_id, character_id))
        if entry is None or entry[0] < time.monotonic() - self._max_age:
            return None
        return entry[1]

    def put(self, tenant_id: str, character: character_pb2.Character, seen: int) -> None:
        """Keep a character read at generation `seen` (ignored if anything changed since,
        or when the cache is off)."""
        if not self._max_age or seen != self._generations[tenant_id]:
            return
        key = (tenant_id, character.id)
        self._entries[key] = (time.monotonic(), character)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)

    def roster(self, tenant_id: str) -> tuple[str, ...] | None:
        entry = self._rosters.get(tenant_id)
        if entry is None or entry[0] < time.monotonic() - self._max_age:
            return None
        return entry[1]

    def put_roster(self, tenant_id: str, ids: tuple[str, ...], seen: int) -> None:
        if self._max_age and seen == self._generations[tenant_id]:
            self._rosters[tenant_id] = (time.monotonic(), ids)

    def forget(self, tenant_id: str, character_id: str = "") -> None:
        """Drop what a change makes stale: the character (if named) and the roster."""
        self._generations[tenant_id] += 1
        self._rosters.pop(tenant_id, None)
        if character_id:
            self._entries.pop((tenant_id, character_id), None)

    def clear(self) -> None:
        for tenant_id in list(self._generations):
            self._generations[tenant_id] += 1
        self._entries.clear()
        self._rosters.clear()

    async def _on_event(self, msg: Msg) -> None:
        try:
            envelope = parse_envelope(msg.data)
            tenant = envelope.tenant_id
            if envelope.type == subjects.CHARACTER_DELETED.type:
                self.forget(tenant, subjects.CHARACTER_DELETED.unpack(envelope).id)
                return
            for kind in (subjects.CHARACTER_CREATED, subjects.CHARACTER_UPDATED):
                if envelope.type == kind.type:
                    character = kind.unpack(envelope).character
                    cached = self.get(tenant, character.id)
                    self.forget(tenant, character.id)
                    if cached is not None and cached.version < character.version:
                        # Refreshed in place: the event carries the whole character.
                        self.put(tenant, character, self._generations[tenant])
                    return
        except Exception:
            # An event we cannot read: forget everything rather than serve stale data.
            log.warning("character_event_unreadable", subject=msg.subject, exc_info=True)
            self.clear()
