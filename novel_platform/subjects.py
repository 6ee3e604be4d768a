"""The messaging contract between services, like protos/: every event type with its one
name and payload, the streams, and the durable consumer names.

Stream definitions live here so every service declares them identically. The
per-simulation streams are bounded by age and size: JetStream keeps state per subject,
and one subject per simulation adds up under sustained load.
"""

from __future__ import annotations

from novel_engine.v1 import character_pb2, simulation_pb2, story_pb2
from novel_platform.events import EventType
from novel_platform.messaging import StreamSpec

CHARACTER_CREATED = EventType("character", "created", character_pb2.CharacterCreated)
CHARACTER_UPDATED = EventType("character", "updated", character_pb2.CharacterUpdated)
CHARACTER_DELETED = EventType("character", "deleted", character_pb2.CharacterDeleted)

SIMULATION_REQUESTED = EventType("simulation", "requested", simulation_pb2.SimulationRequested)
SIMULATION_TURNS_COMPLETED = EventType(
    "simulation", "turns_completed", simulation_pb2.TurnsCompleted, per_simulation=True
)
SIMULATION_FAILED = EventType(
    "simulation", "failed", simulation_pb2.SimulationFailed, per_simulation=True
)
SIMULATION_CANCELLED = EventType(
    "simulation", "cancelled", simulation_pb2.SimulationCancelled, per_simulation=True
)

STORY_CHAPTERS_WRITTEN = EventType(
    "story", "chapters_written", story_pb2.ChaptersWritten, per_simulation=True
)
STORY_COMPLETED = EventType("story", "completed", story_pb2.StoryCompleted, per_simulation=True)
STORY_NARRATION_USED = EventType(
    "story", "narration_used", story_pb2.NarrationUsed, per_simulation=True
)


DAY = 24 * 3600
CHARACTER_STREAM = StreamSpec(name="CHARACTER", subjects=("character.>",))
# Work-queue retention: each request is removed once a worker acknowledges it.
SIMULATION_WORK_STREAM = StreamSpec(
    name="SIMULATION_WORK", subjects=(SIMULATION_REQUESTED.type,), work_queue=True
)
SIMULATION_STREAM = StreamSpec(
    name="SIMULATION", subjects=("simulation.*.*",), max_age_seconds=7 * DAY, max_bytes=4 << 30
)
STORY_STREAM = StreamSpec(
    name="STORY", subjects=("story.*.*",), max_age_seconds=7 * DAY, max_bytes=4 << 30
)

# Durable consumer names: the simulation service watches the story writer's backlog for
# backpressure, and KEDA scales on the workers' (deploy/k8s/components/keda).
SIMULATION_WORKERS_DURABLE = "simulation-workers"
STORY_WRITER_DURABLE = "story-writer"
# The simulation service's reader of what narration cost (the runs' usage, the tenants').
NARRATION_USAGE_DURABLE = "simulation-narration-usage"


def simulation_subjects(simulation_id: str) -> tuple[tuple[StreamSpec, str], ...]:
    """Everything about one simulation, by stream: its own events, then its story's (the
    order they are caused in). `simulation_pattern` matches them all."""
    return (
        (SIMULATION_STREAM, f"simulation.{simulation_id}.*"),
        (STORY_STREAM, f"story.{simulation_id}.*"),
    )


def simulation_pattern(simulation_id: str) -> str:
    """One subscription's subject for everything about one simulation (its events and its
    story's: the only roots with the simulation id as their second token)."""
    return f"*.{simulation_id}.*"
