"""Protobuf <-> domain conversion for characters."""

from __future__ import annotations

from google.protobuf.timestamp_pb2 import Timestamp

from novel_engine.v1 import character_pb2
from novel_platform.characters import STAT_NAMES
from services.character.domain.model import Character


def to_proto(c: Character) -> character_pb2.Character:
    msg = character_pb2.Character(
        id=c.id,
        name=c.name,
        faction=c.faction,
        role=c.role,
        traits=dict(c.traits),
        stats=character_pb2.Stats(**{k: int(v) for k, v in c.stats.items()}),
        goals=list(c.goals),
        relationships=dict(c.relationships),
        equipment=list(c.equipment),
        backstory=c.backstory,
        version=c.version,
    )
    if c.created_at:
        msg.created_at.CopyFrom(_ts(c.created_at))
    if c.updated_at:
        msg.updated_at.CopyFrom(_ts(c.updated_at))
    return msg


def from_proto(msg: character_pb2.Character) -> Character:
    return Character(
        id=msg.id,
        name=msg.name,
        faction=msg.faction,
        role=msg.role,
        traits=dict(msg.traits),
        stats={name: getattr(msg.stats, name) for name in STAT_NAMES},
        goals=tuple(msg.goals),
        relationships=dict(msg.relationships),
        equipment=tuple(msg.equipment),
        backstory=msg.backstory,
        version=msg.version,
    )


def _ts(value: object) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(value)  # type: ignore[arg-type]
    return stamp
