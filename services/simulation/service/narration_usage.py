"""What the story service's model narration cost, added to the simulation's usage.

The story service sends one story.narration_used event per narrated turn. Each is kept
once per (simulation, turn) and added to the run's narration part in the same unit of
work, under the simulation row's lock, so redelivered or concurrent events add each
turn once. The tenant's totals (GET /v1/settings/llm) read the runs' usage, so they
count it too.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog

from novel_engine.v1 import story_pb2
from novel_platform.errors import InvalidArgument
from novel_platform.outbox import UnitOfWork
from services.simulation.adapters.llm_records import LlmRepository
from services.simulation.domain import llm_usage

log = structlog.get_logger(__name__)


class NarrationUsage:
    def __init__(self, uow: Callable[[], UnitOfWork]) -> None:
        self._uow = uow

    async def add(self, tenant_id: str, used: story_pb2.NarrationUsed) -> bool:
        """Add one turn's narration to its simulation's usage; False when there is
        nothing to add to (no such simulation, no model) or the turn was added before.
        InvalidArgument: the event is about another tenant's simulation."""
        sim_id = used.simulation_id
        async with self._uow() as uow:
            repo = LlmRepository(uow.conn)
            tenant, usage = await repo.lock_usage(sim_id) or ("", None)
            if usage is None:
                log.warning("narration_usage_unmatched", simulation_id=sim_id, turn=used.turn)
                return False
            if tenant != tenant_id:
                raise InvalidArgument(
                    f"narration of simulation {sim_id} reported by another tenant"
                )
            if not await repo.add_narration_turn(used):
                return False
            part = llm_usage.add_narration(
                llm_usage.narration_part(usage),
                calls=used.calls,
                input_tokens=used.input_tokens,
                output_tokens=used.output_tokens,
                replayed_calls=used.replayed_calls,
                fallback=used.fallback,
                budget_exhausted=used.budget_exhausted,
            )
            await repo.set_narration_usage(sim_id, part)
            await uow.commit()
        return True
