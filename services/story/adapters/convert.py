"""Conversions: simulation protos -> the chronicler's views <-> JSON for storage, and
stored stories -> story protos. Field names are the same in all three shapes."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson
from google.protobuf.internal.containers import RepeatedCompositeFieldContainer

from novel_engine.v1 import simulation_pb2, story_pb2
from novel_platform.timestamps import set_timestamp
from services.story.domain.model import (
    Chapter,
    EffectView,
    EventView,
    Participant,
    StoryContext,
)
from services.story.domain.story import StoryRecord

# -- simulation protos -> the chronicler's views --


def participant_from_proto(msg: simulation_pb2.Participant) -> Participant:
    return Participant(id=msg.id, name=msg.name, role=msg.role, faction=msg.faction)


def context_from_proto(msg: simulation_pb2.StoryContext) -> StoryContext:
    return StoryContext(
        simulation_id=msg.simulation_id,
        participants=tuple(participant_from_proto(p) for p in msg.participants),
        setting=msg.setting,
        scenario=msg.scenario,
        narrative_style=msg.narrative_style,
        turns_total=msg.turns_total,
        fork_of=msg.fork_of,
        fork_turn=msg.fork_turn,
    )


def event_from_proto(msg: simulation_pb2.TurnEvent) -> EventView:
    return EventView(
        turn=msg.turn,
        sequence=msg.sequence,
        actor_id=msg.actor_id,
        actor_name=msg.actor_name,
        action=msg.action,
        target_id=msg.target_id,
        target_name=msg.target_name,
        location=msg.location,
        motive=msg.motive,
        outcome=msg.outcome,
        roll=msg.roll,
        difficulty=msg.difficulty,
        effects=tuple([_effect(e.kind, e.subject_id, e.detail, e.value) for e in msg.effects]),
    )


# Effects repeat from run to run (the same cast moving to the same places, hurting and
# helping each other): equal ones share one immutable copy, which saves building most of
# them (~1.5 µs each, ~45 in a short run; 93% found here for the starter cast).
_effect = functools.lru_cache(maxsize=4096)(EffectView)


# -- the chronicler's views <-> JSON (JSONB columns) --


def context_to_json(ctx: StoryContext) -> dict[str, Any]:
    return {
        "simulation_id": ctx.simulation_id,
        "participants": [
            {"id": p.id, "name": p.name, "role": p.role, "faction": p.faction}
            for p in ctx.participants
        ],
        "setting": ctx.setting,
        "scenario": ctx.scenario,
        "narrative_style": ctx.narrative_style,
        "turns_total": ctx.turns_total,
        **({"fork_of": ctx.fork_of, "fork_turn": ctx.fork_turn} if ctx.fork_of else {}),
    }


def context_from_json(data: Mapping[str, Any]) -> StoryContext:
    return StoryContext(
        simulation_id=str(data["simulation_id"]),
        participants=tuple(
            Participant(
                id=str(p["id"]),
                name=str(p["name"]),
                role=str(p.get("role", "")),
                faction=str(p.get("faction", "")),
            )
            for p in data.get("participants", ())
        ),
        setting=str(data.get("setting", "")),
        scenario=str(data.get("scenario", "")),
        narrative_style=str(data.get("narrative_style", "")),
        turns_total=int(data.get("turns_total", 0)),
        fork_of=str(data.get("fork_of", "")),
        fork_turn=int(data.get("fork_turn", 0)),
    )


def event_to_json(event: EventView) -> dict[str, Any]:
    return {
        "turn": event.turn,
        "sequence": event.sequence,
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "target_id": event.target_id,
        "target_name": event.target_name,
        "location": event.location,
        "motive": event.motive,
        "outcome": event.outcome,
        "roll": event.roll,
        "difficulty": event.difficulty,
        "effects": [
            {"kind": e.kind, "subject_id": e.subject_id, "detail": e.detail, "value": e.value}
            for e in event.effects
        ],
    }


def event_from_json(data: Mapping[str, Any]) -> EventView:
    return EventView(
        turn=int(data["turn"]),
        sequence=int(data["sequence"]),
        actor_id=str(data["actor_id"]),
        actor_name=str(data["actor_name"]),
        action=str(data["action"]),
        target_id=str(data["target_id"]),
        target_name=str(data["target_name"]),
        location=str(data["location"]),
        motive=str(data["motive"]),
        outcome=str(data["outcome"]),
        roll=int(data["roll"]),
        difficulty=int(data["difficulty"]),
        effects=tuple(
            EffectView(
                kind=str(e["kind"]),
                subject_id=str(e["subject_id"]),
                detail=str(e["detail"]),
                value=float(e["value"]),
            )
            for e in data.get("effects", ())
        ),
    )


def events_to_json(events: Sequence[EventView]) -> list[dict[str, Any]]:
    return [event_to_json(e) for e in events]


def events_from_json(data: Sequence[Mapping[str, Any]]) -> list[EventView]:
    return [event_from_json(e) for e in data]


# -- stored stories -> story protos --


def chapter_to_proto(chapter: Chapter) -> story_pb2.Chapter:
    msg = story_pb2.Chapter()
    _set_chapter(msg, chapter)
    return msg


def add_chapters(
    into: RepeatedCompositeFieldContainer[story_pb2.Chapter], chapters: Iterable[Chapter]
) -> None:
    """Append chapters to a repeated Chapter field, built in place (a message passed to
    its parent is copied into it: as costly again as building it)."""
    for chapter in chapters:
        _set_chapter(into.add(), chapter)


def _set_chapter(msg: story_pb2.Chapter, chapter: Chapter) -> None:
    msg.number, msg.title, msg.text = chapter.number, chapter.title, chapter.text
    paragraphs = msg.paragraphs
    for ids in chapter.paragraph_events:
        paragraphs.add(event_ids=ids)


def paragraph_events_to_json(chapter: Chapter) -> str:
    """The chapter's per-paragraph event ids as stored (a JSON array of arrays)."""
    return orjson.dumps([list(ids) for ids in chapter.paragraph_events]).decode()


def paragraph_events_from_json(data: Sequence[Sequence[str]]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(str(i) for i in ids) for ids in data)


def story_to_proto(story: StoryRecord) -> story_pb2.Story:
    msg = story_pb2.Story()
    set_story(msg, story)
    return msg


def set_story(msg: story_pb2.Story, story: StoryRecord) -> None:
    """Fill an empty Story message (e.g. an event's field, in place: no copy)."""
    participants = story.context.participants if story.context is not None else ()
    msg.id, msg.simulation_id, msg.title = story.id, story.simulation_id, story.title
    msg.status, msg.narrative_style = story.status, story.narrative_style
    msg.opening, msg.closing = story.opening, story.closing
    msg.turns_total, msg.error = story.turns_total, story.failure_reason
    for p in participants:
        msg.participants.add(id=p.id, name=p.name, role=p.role, faction=p.faction)
    add_chapters(msg.chapters, story.chapters)
    if story.context is not None and story.context.fork_of:
        msg.fork_of, msg.fork_turn = story.context.fork_of, story.context.fork_turn
    set_timestamp(msg.created_at, story.created_at)
    if story.completed_at is not None:
        set_timestamp(msg.completed_at, story.completed_at)
