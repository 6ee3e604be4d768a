"""A turn event as its protobuf message: the simulation sends them, the story service
returns the ones it kept (exports). One conversion for the one definition."""

from __future__ import annotations

from novel_engine.v1 import simulation_pb2
from novel_platform.turn_events import TurnEvent


def event_to_proto(e: TurnEvent) -> simulation_pb2.TurnEvent:
    return simulation_pb2.TurnEvent(
        turn=e.turn,
        sequence=e.sequence,
        actor_id=e.actor_id,
        actor_name=e.actor_name,
        action=e.action,
        target_id=e.target_id,
        target_name=e.target_name,
        location=e.location,
        motive=e.motive,
        outcome=e.outcome,
        roll=e.roll,
        difficulty=e.difficulty,
        effects=[
            simulation_pb2.Effect(
                kind=f.kind, subject_id=f.subject_id, detail=f.detail, value=f.value
            )
            for f in e.effects
        ],
    )
