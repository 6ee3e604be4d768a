"""NATS subjects and streams: part of the contract between services, like protos/.

Events about one simulation carry its id at a fixed position, so a reader can follow
one simulation (`simulation.<id>.>`, `story.<id>.>`) without reading everyone's.
The stream definitions live here so every service declares them identically.
"""

from __future__ import annotations

from novel_platform.messaging import StreamSpec

# Event types (EventEnvelope.type) and the subjects they are published on.
CHARACTER_CREATED = "character.created"
CHARACTER_UPDATED = "character.updated"
CHARACTER_DELETED = "character.deleted"
SIMULATION_REQUESTED = "simulation.requested"
SIMULATION_TURN_COMPLETED = "simulation.turn.completed"
SIMULATION_COMPLETED = "simulation.completed"
SIMULATION_FAILED = "simulation.failed"
SIMULATION_CANCELLED = "simulation.cancelled"
STORY_CHAPTER_WRITTEN = "story.chapter.written"
STORY_COMPLETED = "story.completed"

_PER_SIMULATION = {
    SIMULATION_TURN_COMPLETED: ("simulation", "turn_completed"),
    SIMULATION_COMPLETED: ("simulation", "completed"),
    SIMULATION_FAILED: ("simulation", "failed"),
    SIMULATION_CANCELLED: ("simulation", "cancelled"),
    STORY_CHAPTER_WRITTEN: ("story", "chapter_written"),
    STORY_COMPLETED: ("story", "completed"),
}


def subject(event_type: str, simulation_id: str = "") -> str:
    """The subject of an event: per-simulation events get the id in the middle."""
    if event_type in _PER_SIMULATION:
        if not simulation_id:
            raise ValueError(f"{event_type} needs a simulation id")
        root, kind = _PER_SIMULATION[event_type]
        return f"{root}.{simulation_id}.{kind}"
    return event_type


def simulation_subjects(simulation_id: str) -> tuple[str, str]:
    """Everything about one simulation: its own events and its story's."""
    return f"simulation.{simulation_id}.*", f"story.{simulation_id}.*"


CHARACTER_STREAM = StreamSpec(name="CHARACTER", subjects=("character.>",))
# Work-queue retention: each request is removed once a worker acknowledges it.
SIMULATION_WORK_STREAM = StreamSpec(
    name="SIMULATION_WORK", subjects=(SIMULATION_REQUESTED,), work_queue=True
)
SIMULATION_STREAM = StreamSpec(name="SIMULATION", subjects=("simulation.*.*",))
STORY_STREAM = StreamSpec(name="STORY", subjects=("story.*.*",))

# Durable consumer names: the simulation service watches the story writer's backlog for
# backpressure, and KEDA scales on the workers' (deploy/k8s/components/keda).
SIMULATION_WORKERS_DURABLE = "simulation-workers"
STORY_WRITER_DURABLE = "story-writer"
