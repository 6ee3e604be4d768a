"""The events the simulation service emits, with the subjects they go out on."""

from __future__ import annotations

from collections.abc import Sequence

from novel_engine.v1 import common_pb2, simulation_pb2
from novel_platform import subjects
from novel_platform.events import make_envelope
from services.simulation.adapters.convert import event_to_proto, simulation_to_proto
from services.simulation.adapters.repository import SimulationRecord
from services.simulation.domain import TurnEvent

Event = tuple[common_pb2.EventEnvelope, str]


def requested(record: SimulationRecord) -> Event:
    payload = simulation_pb2.SimulationRequested(simulation=simulation_to_proto(record))
    envelope = make_envelope(subjects.SIMULATION_REQUESTED, record.tenant_id, payload)
    return envelope, subjects.subject(subjects.SIMULATION_REQUESTED)


def _about(record: SimulationRecord, event_type: str, payload: object) -> Event:
    envelope = make_envelope(event_type, record.tenant_id, payload)  # type: ignore[arg-type]
    return envelope, subjects.subject(event_type, record.id)


def turn_completed(
    record: SimulationRecord,
    context: simulation_pb2.StoryContext,
    turn: int,
    events: Sequence[TurnEvent],
) -> Event:
    payload = simulation_pb2.TurnCompleted(
        context=context, turn=turn, events=[event_to_proto(e) for e in events]
    )
    return _about(record, subjects.SIMULATION_TURN_COMPLETED, payload)


def completed(
    record: SimulationRecord, context: simulation_pb2.StoryContext, turns_executed: int
) -> Event:
    payload = simulation_pb2.SimulationCompleted(context=context, turns_executed=turns_executed)
    return _about(record, subjects.SIMULATION_COMPLETED, payload)


def failed(record: SimulationRecord, reason: str) -> Event:
    payload = simulation_pb2.SimulationFailed(simulation_id=record.id, reason=reason)
    return _about(record, subjects.SIMULATION_FAILED, payload)


def cancelled(record: SimulationRecord) -> Event:
    payload = simulation_pb2.SimulationCancelled(
        simulation_id=record.id, turns_done=record.turns_done
    )
    return _about(record, subjects.SIMULATION_CANCELLED, payload)
