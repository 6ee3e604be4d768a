"""The worlds and turns of a run, derived again from what it stored.

A run stores no turn events, only its inputs (seed, sheets, world, interventions) and,
when it ran on a worker, the world after each batch (`checkpoints`). The engine is
deterministic, so any earlier state and any turn's events come back identical by
running the engine from the nearest stored world: a root from its start, a branch from
the world at its fork turn (stored once, when it was forked), with every turn up to the
fork taken from its parent, never stored again. Only the engine runs: no row, no event.

A run whose characters a model decided is derived the way a replay runs: its recorded
calls (those of the run it replays, for a replay) answer instead of the model, so no
model is called; a missing recording, or one asked differently, is a FailedPrecondition
naming it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence

from sqlalchemy.ext.asyncio import AsyncConnection

from novel_platform.errors import FailedPrecondition, NotFound
from novel_platform.llm.backend import Backend
from services.simulation.adapters.llm_records import LlmRepository
from services.simulation.adapters.repository import SimulationRecord, SimulationRepository
from services.simulation.domain import (
    CharacterSheet,
    TurnResult,
    WorldState,
    is_finished,
    run_turn,
    start_world,
)
from services.simulation.domain.intent import Intent
from services.simulation.domain.interventions import Intervention, due
from services.simulation.domain.world import capture_rng
from services.simulation.domain.worlds import chosen_world
from services.simulation.service.model_decisions import ModelRunBroken, recorded_choices

# A turn's choices (by character id) for the world before it; None: the persona policy.
Decide = Callable[[WorldState], dict[str, Intent]]


def first_world(record: SimulationRecord, sheets: Sequence[CharacterSheet]) -> WorldState:
    """The world before turn 1 of the run `record` describes. Raises ValueError."""
    return start_world(
        sheets,
        seed=record.seed,
        setting=record.setting,
        scenario=record.scenario,
        turns_total=record.turns_total,
        world=chosen_world(record.world_id, record.world),
    )


def _shares(record: SimulationRecord, turn: int) -> bool:
    """Whether the world at the end of `turn` is the branch's parent's."""
    return bool(record.parent_id) and record.fork_turn > 0 and turn <= record.fork_turn


def interventions_of(record: SimulationRecord) -> tuple[Intervention, ...]:
    return tuple(Intervention.from_dict(i) for i in record.interventions)


def play(
    world: WorldState,
    to_turn: int,
    interventions: Sequence[Intervention],
    decide: Decide | None = None,
) -> Iterator[TurnResult]:
    """Every turn after `world` up to `to_turn` (fewer when the run ends first)."""
    while world.turn < to_turn and not is_finished(world):
        chosen = decide(world) if decide else None
        result = run_turn(world, chosen, due(interventions, world.turn + 1))
        yield result
        world = result.world


def reseeded(world: WorldState, seed: int) -> WorldState:
    """The same world with its dice started again from `seed`."""
    twin = world.clone()
    # Not for security: a reproducible simulation.
    twin.rng_state = capture_rng(random.Random(seed))  # noqa: S311
    return twin


def derivable(record: SimulationRecord) -> None:
    """FailedPrecondition unless the run's turns can be derived again."""
    if record.sheets is None:
        raise FailedPrecondition(f"Simulation '{record.id}' predates kept character sheets")


class Lineage:
    """Derivations over one tenant's runs, on the unit of work's connection."""

    def __init__(self, conn: AsyncConnection, tenant_id: str) -> None:
        self._repo = SimulationRepository(conn)
        self._calls = LlmRepository(conn)
        self._tenant = tenant_id

    async def _decider(self, record: SimulationRecord) -> Decide | None:
        """The run's recorded choices, for a run whose characters a model decided."""
        if record.llm is None or not record.llm["decisions"]:
            return None
        source = record.llm.get("replay_of") or record.id
        recorded = await self._calls.calls_of(source)
        backend = Backend.from_public(record.llm["backend"])  # the digest needs no key
        of = f"Simulation '{record.id}' (derived from its recorded model calls)"
        return lambda world: recorded_choices(world, recorded, backend, of)

    async def _play(
        self, record: SimulationRecord, world: WorldState, to_turn: int
    ) -> list[TurnResult]:
        """The run's own turns after `world` up to `to_turn`."""
        decide = await self._decider(record)
        try:
            return list(play(world, to_turn, interventions_of(record), decide))
        except ModelRunBroken as exc:
            raise FailedPrecondition(str(exc)) from None

    async def _parent(self, record: SimulationRecord) -> SimulationRecord:
        parent = await self._repo.get(record.parent_id, self._tenant)
        if parent is None:
            raise NotFound(f"Simulation '{record.parent_id}' (a parent) not found")
        return parent

    async def _base(self, record: SimulationRecord) -> WorldState:
        """The world before the run's own first turn (after its fork turn)."""
        if record.parent_id and record.fork_turn:
            stored = await self._repo.checkpoint_at(record.id, record.fork_turn)
            if stored is None or stored.turn != record.fork_turn:
                raise FailedPrecondition(f"Simulation '{record.id}' lost its fork point")
            return WorldState.from_dict(stored.world)
        sheets = [CharacterSheet.from_dict(s) for s in record.sheets or ()]
        return first_world(record, sheets)

    async def world_at(self, record: SimulationRecord, turn: int) -> WorldState:
        """The world at the end of `turn` (0: before the first), from the nearest stored
        world of the run that owns that turn."""
        derivable(record)
        while _shares(record, turn):
            record = await self._parent(record)
        stored = await self._repo.checkpoint_at(record.id, turn)
        own_start = record.fork_turn if record.parent_id else 0
        if stored is not None and stored.turn >= own_start and stored.turn:
            world = WorldState.from_dict(stored.world)
        else:
            world = await self._base(record)
        for result in await self._play(record, world, turn):
            world = result.world
        return world

    async def turns(
        self, record: SimulationRecord, upto: int
    ) -> tuple[WorldState, list[TurnResult]]:
        """Every turn 1..`upto` of the run (its parent's up to the fork), and the world
        after the last."""
        derivable(record)
        if _shares(record, upto):
            return await self.turns(await self._parent(record), upto)
        earlier: list[TurnResult] = []
        if record.parent_id and record.fork_turn:
            _, earlier = await self.turns(await self._parent(record), record.fork_turn)
        world = await self._base(record)
        own = await self._play(record, world, upto)
        return (own[-1].world if own else world), earlier + own
