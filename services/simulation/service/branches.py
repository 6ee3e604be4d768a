"""What if: forks of a run, the director's interventions, and what a character knew.

- A fork is a new simulation that shares turns 1..N with its parent. It stores the
  world at N once (as its first checkpoint, from which a worker runs turns N+1..) and
  nothing of turns 1..N: those stay the parent's. With no seed (or the parent's) and no
  new intervention it repeats the parent to the end; it also carries the parent's
  interventions after N, so a fork at 0 is a replay of the whole run.
- An intervention is stored with the run it changes and applied at the start of its
  turn. A running run takes one for the first turn its worker cannot have computed yet
  (done + 2: turn done + 1 may be under way), and only when it commits every turn
  (paced, or with a model), so the turn it names is the turn it lands in.
- Knowledge and past turns are derived again from the stored inputs (`lineage.py`); a
  run a model decided, from its recorded calls. A branch of such a run asks the model
  for its own turns only, on a budget of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from novel_platform.errors import FailedPrecondition, InvalidArgument, NotFound
from novel_platform.outbox import UnitOfWork
from novel_platform.paging import require_tenant
from services.simulation.adapters.repository import SimulationRecord, SimulationRepository
from services.simulation.domain import CharacterSheet, TurnResult, is_finished, llm_usage
from services.simulation.domain.interventions import MAX_PER_RUN, Intervention
from services.simulation.domain.knowledge import Knowledge, KnowledgeTrail
from services.simulation.domain.status import SimulationStatus
from services.simulation.service import events
from services.simulation.service.directing import accepted_interventions, cast_of
from services.simulation.service.handlers import within_quota
from services.simulation.service.lineage import Lineage, derivable, reseeded
from services.simulation.service.llm_plan import LlmRequest, ModelPlans
from services.simulation.service.requests import SEED_BITS
from services.simulation.service.runner import Characters

MAX_BRANCHES = 100  # per tree, the root apart
MAX_TURNS_READ = 50  # turns per GetTurns


class BranchService:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        characters: Characters,
        *,
        paced: bool,
        max_active_per_tenant: int = 0,
        plans: ModelPlans | None = None,
    ) -> None:
        self._uow = uow
        self._characters = characters
        self._plans = plans
        self._max_active = max_active_per_tenant
        # Without pacing a worker commits many turns at once: a running run cannot be
        # steered at a turn boundary it may already have passed.
        self._paced = paced

    async def _get(self, repo: SimulationRepository, tenant: str, sim_id: str) -> SimulationRecord:
        found = await repo.get(sim_id, tenant)
        if found is None:
            raise NotFound(f"Simulation '{sim_id}' not found")
        return found

    async def fork(
        self,
        tenant_id: str,
        sim_id: str,
        turn: int,
        seed: int | None,
        given: Sequence[Intervention],
    ) -> SimulationRecord:
        """A branch sharing turns 1..`turn` with the run, queued for a worker."""
        tenant = require_tenant(tenant_id)
        if self._max_active:  # a branch is a run like any other
            await within_quota(self._uow, tenant, self._max_active)
        async with self._uow().read_only() as uow:
            repo = SimulationRepository(uow.conn)
            parent = await self._get(repo, tenant, sim_id)
            derivable(parent)
            if not 0 <= turn <= parent.turns_done or turn >= parent.turns_total:
                raise InvalidArgument(
                    f"turn: must be 0..{min(parent.turns_done, parent.turns_total - 1)} "
                    f"for this run, got {turn}"
                )
            if seed is not None and not 0 <= seed < 2**SEED_BITS:
                raise InvalidArgument(f"seed: must be 0..2^{SEED_BITS}-1")
            root = parent.root_id or parent.id
            if await repo.count_branches(root) >= MAX_BRANCHES:
                raise FailedPrecondition(f"this run has {MAX_BRANCHES} branches already")
            world = await Lineage(uow.conn, tenant).world_at(parent, turn)
        later = [i for i in parent.interventions if int(i["turn"]) > turn]
        if len(later) + len(given) > MAX_PER_RUN:
            raise InvalidArgument(f"interventions: at most {MAX_PER_RUN} in a run")
        added = await accepted_interventions(self._characters, given, parent, turn + 1)
        if is_finished(world):
            raise FailedPrecondition(f"Simulation '{sim_id}' had ended by turn {turn}")
        if seed is not None and seed != parent.seed and turn:
            world = reseeded(world, seed)
        llm, usage = parent.llm, parent.llm_usage
        if llm is not None and llm.get("imported"):
            llm, usage = await self._tenant_plan(tenant, parent, llm)
        elif llm is not None and usage is not None:
            # Its own turns ask the model (a branch of a replay too), on its own budget;
            # the turns it shares were decided by the parent's recorded calls.
            llm, usage = {**llm, "replay_of": ""}, llm_usage.reset(usage, "")
        now = datetime.now(UTC)
        branch = replace(
            parent,
            id=str(uuid.uuid4()),
            status=SimulationStatus.QUEUED,
            turns_done=turn,
            seed=parent.seed if seed is None else seed,
            error="",
            cancel_requested=False,
            created_at=now,
            updated_at=now,
            parent_id=parent.id,
            fork_turn=turn,
            root_id=root,
            interventions=(*later, *(i.to_dict() for i in added)),
            llm=llm,
            llm_usage=usage,
        )
        async with self._uow() as uow:
            repo = SimulationRepository(uow.conn)
            await repo.add(branch)
            if turn:
                await repo.add_checkpoint(branch.id, turn, world.to_dict())
            uow.emit(*events.requested(branch))
            await uow.commit()
        return branch

    async def _tenant_plan(
        self, tenant: str, parent: SimulationRecord, llm: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """A branch of an imported bundle's run: its own turns ask the tenant's model
        as configured now (never the bundle's server), the way a start would."""
        if self._plans is None:
            raise FailedPrecondition("this server runs simulations offline only")
        asked = LlmRequest(llm["decisions"], llm["narration"], backend={}, api_key="")
        sheets = [CharacterSheet.from_dict(s) for s in parent.sheets or ()]
        return await self._plans.plan(
            tenant,
            asked,
            sheets,
            turns=parent.turns_total,
            seed=parent.seed,
            setting=parent.setting,
            scenario=parent.scenario,
        )

    async def intervene(
        self, tenant_id: str, sim_id: str, intervention: Intervention
    ) -> SimulationRecord:
        """Store an intervention with a run that has not finished (FailedPrecondition
        when it has, or when it cannot be steered turn by turn)."""
        tenant = require_tenant(tenant_id)
        async with self._uow().read_only() as uow:
            before = await self._get(SimulationRepository(uow.conn), tenant, sim_id)
        # A newcomer's sheet is read before the row is locked (a call to another service).
        wanted = (
            intervention if intervention.turn else replace(intervention, turn=before.turns_total)
        )
        (prepared,) = await accepted_interventions(self._characters, [wanted], before, 1)
        async with self._uow() as uow:
            repo = SimulationRepository(uow.conn)
            found = await repo.get(sim_id, tenant, for_update=True)
            if found is None:
                raise NotFound(f"Simulation '{sim_id}' not found")
            if found.finished:
                raise FailedPrecondition(f"Simulation '{sim_id}' is already {found.status}")
            if not self._paced and found.llm is None:
                raise FailedPrecondition(
                    "an unpaced run commits many turns at once and cannot be steered while "
                    "it runs: fork it with the intervention instead"
                )
            first = found.turns_done + 2
            if first > found.turns_total:
                raise FailedPrecondition(f"Simulation '{sim_id}' has no turn boundary left")
            if len(found.interventions) >= MAX_PER_RUN:
                raise FailedPrecondition(f"at most {MAX_PER_RUN} interventions in a run")
            at = intervention.turn or first
            if at < first:
                raise InvalidArgument(
                    f"interventions: turn must be {first}..{found.turns_total} now, got {at}"
                )
            accepted = replace(prepared, turn=at)
            updated = await repo.update(
                sim_id, interventions=[*found.interventions, accepted.to_dict()]
            )
            await uow.commit()
        return updated

    async def tree(self, tenant_id: str, sim_id: str) -> tuple[str, list[SimulationRecord]]:
        """The run's tree: its root first, then every branch, oldest first."""
        tenant = require_tenant(tenant_id)
        async with self._uow().read_only() as uow:
            repo = SimulationRepository(uow.conn)
            found = await self._get(repo, tenant, sim_id)
            root = found.root_id or found.id
            return root, await repo.tree(tenant, root, limit=MAX_BRANCHES + 1)

    async def turns(self, tenant_id: str, sim_id: str, first: int, last: int) -> list[TurnResult]:
        """Turns `first`..`last` of the run as they happened (its parent's up to a fork)."""
        tenant = require_tenant(tenant_id)
        async with self._uow().read_only() as uow:
            repo = SimulationRepository(uow.conn)
            found = await self._get(repo, tenant, sim_id)
            if not 1 <= first <= last <= found.turns_done or last - first >= MAX_TURNS_READ:
                raise InvalidArgument(
                    f"turns: from 1 <= from <= to <= {found.turns_done} (turns done), "
                    f"at most {MAX_TURNS_READ} at once"
                )
            _, results = await Lineage(uow.conn, tenant).turns(found, last)
        return results[first - 1 :]

    async def knowledge(
        self, tenant_id: str, sim_id: str, character_id: str, turn: int | None
    ) -> Knowledge:
        """What the character knew at the end of `turn` (None: the last turn done)."""
        tenant = require_tenant(tenant_id)
        async with self._uow().read_only() as uow:
            repo = SimulationRepository(uow.conn)
            found = await self._get(repo, tenant, sim_id)
            if character_id not in cast_of(found):
                raise NotFound(f"Character '{character_id[:64]}' is not in simulation '{sim_id}'")
            at = found.turns_done if turn is None else turn
            if not 0 <= at <= found.turns_done:
                raise InvalidArgument(f"turn: must be 0..{found.turns_done}, got {turn}")
            world, results = await Lineage(uow.conn, tenant).turns(found, at)
        trail = KnowledgeTrail(character_id)
        for result in results:
            trail.follow(result)
        return trail.at(world)
