"""The events the simulation service emits, each with the subject it goes out on."""

from __future__ import annotations

from collections.abc import Sequence

from novel_engine.v1 import common_pb2, simulation_pb2
from novel_platform import subjects
from novel_platform.turn_event_messages import event_to_proto
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
) -> Event:
    """One committed batch of turns; `completed` on the batch that ends the run."""
    kind = subjects.SIMULATION_TURNS_COMPLETED
    payload = simulation_pb2.TurnsCompleted(
        context=context,
        turns=[
            simulation_pb2.Turn(number=number, events=[event_to_proto(e) for e in events])
            for number, events in turns
        ],
        completed=completed,
        turns_executed=turns_executed if completed else 0,
    )
    return kind.envelope(record.tenant_id, payload), kind.subject(record.id)


def failed(record: SimulationRecord, reason: str) -> Event:
    kind = subjects.SIMULATION_FAILED
    payload = simulation_pb2.SimulationFailed(simulation_id=record.id, reason=reason)
    return kind.envelope(record.tenant_id, payload), kind.subject(record.id)


def cancelled(record: SimulationRecord) -> Event:
    kind = subjects.SIMULATION_CANCELLED
    payload = simulation_pb2.SimulationCancelled(
        simulation_id=record.id, turns_done=record.turns_done
    )
    return kind.envelope(record.tenant_id, payload), kind.subject(record.id)
