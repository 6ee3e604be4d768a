"""A run bundle's recorded chapters, kept for the replay of the run it imports.

The gateway imports them under a new recordings id before it starts the run, whose
narration then replays them (`replay_of`: that id), so the story is the bundled one,
byte for byte, without calling the model. Each call is checked here: a chapter of a
possible turn, attempt 1 or 2 (one retry), once, and well formed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from novel_platform.errors import AlreadyExists, InvalidArgument
from novel_platform.llm.recorded import malformed
from novel_platform.outbox import UnitOfWork
from novel_platform.paging import require_tenant
from services.story.adapters.narration_records import NarrationCall, NarrationRecords

MAX_TURNS, MAX_ATTEMPTS = 50, 2
MAX_RESPONSE = 256 * 1024  # characters of one recorded chapter answer


def checked(calls: Sequence[NarrationCall]) -> None:
    """InvalidArgument naming the first call that no run could have recorded."""
    if len(calls) > MAX_TURNS * MAX_ATTEMPTS:
        raise InvalidArgument(f"calls: at most {MAX_TURNS * MAX_ATTEMPTS}")
    seen: set[tuple[int, int]] = set()
    for n, call in enumerate(calls):
        where = f"calls[{n}]"
        if not 1 <= call.turn <= MAX_TURNS or not 1 <= call.attempt <= MAX_ATTEMPTS:
            raise InvalidArgument(
                f"{where}: turn 1..{MAX_TURNS} and attempt 1..{MAX_ATTEMPTS}, "
                f"got {call.turn} and {call.attempt}"
            )
        if (call.turn, call.attempt) in seen:
            raise InvalidArgument(f"{where}: turn {call.turn}, attempt {call.attempt} twice")
        seen.add((call.turn, call.attempt))
        counts = (call.input_tokens, call.output_tokens, call.latency_ms)
        wrong = malformed(call.request_digest, call.outcome, call.response, counts, MAX_RESPONSE)
        if wrong:
            raise InvalidArgument(f"{where}: {wrong}")


class NarrationImports:
    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self._uow = uow

    async def add(self, tenant_id: str, recordings_id: str, calls: Sequence[NarrationCall]) -> int:
        """Keep `calls` under a new recordings id (AlreadyExists if it holds any)."""
        require_tenant(tenant_id)
        try:
            uuid.UUID(recordings_id)
        except ValueError:
            raise InvalidArgument("recordings_id: a UUID") from None
        checked(calls)
        async with self._uow() as uow:
            records = NarrationRecords(uow.conn)
            if await records.of_simulation(recordings_id):
                raise AlreadyExists(f"recordings '{recordings_id}' exist already")
            await records.add_new(recordings_id, calls)
            await uow.commit()
        return len(calls)
