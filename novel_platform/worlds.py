"""A world's definition between its proto (`simulation_pb2.World`) and plain data: the
JSON of `/v1/worlds` and what the simulation service checks and stores. One mapping for
both sides, so the field names cannot drift."""

from __future__ import annotations

from typing import Any

from novel_engine.v1 import simulation_pb2


def world_fields(msg: simulation_pb2.World) -> dict[str, Any]:
    """The definition in `msg`, as plain data (no id, no bookkeeping)."""
    o = msg.objective
    return {
        "name": msg.name,
        "kind": msg.kind,
        "places": [{"name": p.name, "details": list(p.details)} for p in msg.places],
        "paths": [[p.start, p.end] for p in msg.paths],
        "items": [
            {
                "name": i.name,
                "broken": i.broken,
                "holds_clue": i.holds_clue,
                "at": i.at,
                "fixed": i.fixed,
            }
            for i in msg.items
        ],
        "clues": [{"name": c.name, "tags": list(c.tags)} for c in msg.clues],
        "hazards": [{"kind": h.kind, "text": h.text, "cause": h.cause} for h in msg.hazards],
        "factions": list(msg.factions),
        "caches": list(msg.caches),
        "objective": {
            "goal": o.goal,
            "place": o.place,
            "obstacle": o.obstacle,
            "consequence": o.consequence,
            "achieved": o.achieved,
        },
    }


def world_message(world_id: str, fields: dict[str, Any]) -> simulation_pb2.World:
    """The proto of a definition in the shape `world_fields` gives."""
    return simulation_pb2.World(
        id=world_id,
        name=fields["name"],
        kind=fields["kind"],
        places=[simulation_pb2.WorldPlace(**p) for p in fields["places"]],
        paths=[simulation_pb2.WorldPath(start=a, end=b) for a, b in fields["paths"]],
        items=[simulation_pb2.WorldItem(**i) for i in fields["items"]],
        clues=[simulation_pb2.WorldClue(**c) for c in fields["clues"]],
        hazards=[simulation_pb2.WorldHazard(**h) for h in fields["hazards"]],
        factions=fields["factions"],
        caches=fields["caches"],
        objective=simulation_pb2.WorldObjective(**fields["objective"]),
    )
