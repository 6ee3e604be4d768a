"""The events the simulation service emits, each with the subject it goes out on."""

from __future__ import annotations

from collections.abc import Sequence

from novel_engine.v1 import common_pb2, simulation_pb2
from novel_platform import subjects
from novel_platform.turn_event_messages import add_turns
from services.simulation.adapters.convert import simulation_to_proto
from services.simulation.adapters.repository import SimulationRecord
from services.simulation.domain import TurnEvent

Event = tuple[common_pb2.EventEnvelope, str]


def requested(record: SimulationRecord) -> Event:
    kind = subjects.SIMULATION_REQUESTED
    payload = simulation_pb2.SimulationRequested(simulation=simulation_to_proto(record))
    return kind.envelope(record.tenant_id, payload), kind.subject()


def turns_completed(
    record: SimulationRecord,
    context: simulation_pb2.StoryContext,
    turns: Sequence[tuple[int, Sequence[TurnEvent]]],
    *,
    completed: bool,
    turns_executed: int = 0,
    shared: Sequence[tuple[int, Sequence[TurnEvent]]] = (),
) -> Event:
    """One committed batch of turns; `completed` on the batch that ends the run.
    `shared`: a branch's turns up to its fork, on its completing batch."""
    kind = subjects.SIMULATION_TURNS_COMPLETED
    payload = simulation_pb2.TurnsCompleted(
        context=context,
        completed=completed,
        turns_executed=turns_executed if completed else 0,
    )
    add_turns(payload.turns, turns)
    add_turns(payload.shared_turns, shared)
    return kind.envelope(record.tenant_id, payload), kind.subject(record.id)


def failed(record: SimulationRecord, reason: str) -> Event:
    kind = subjects.SIMULATION_FAILED
    payload = simulation_pb2.SimulationFailed(simulation_id=record.id, reason=reason)
    return kind.envelope(record.tenant_id, payload), kind.subject(record.id)


def cancelled(record: SimulationRecord) -> Event:
    kind = subjects.SIMULATION_CANCELLED
    # A branch cancelled before a turn of its own ends its story before any context is
    # known, as a run cancelled before turn 1 does (the shared turns are not its own).
    ran = record.turns_done if record.turns_done > record.fork_turn else 0
    payload = simulation_pb2.SimulationCancelled(simulation_id=record.id, turns_done=ran)
    return kind.envelope(record.tenant_id, payload), kind.subject(record.id)
