"""Character bodies built from command-line options and files (pure: no I/O here).

`NAME=VALUE` options become the API's maps; a file (e.g. one written by
`novel characters export --out`) gives the starting body, with the fields the server
manages (version, timestamps) dropped so it can be created again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from novel_cli.exits import BAD_INPUT, CliError
from novel_platform.characters import STAT_NAMES

SERVER_FIELDS = ("version", "created_at", "updated_at")

T = TypeVar("T")


def parse_pairs(option: str, values: Sequence[str], convert: Callable[[str], T]) -> dict[str, T]:
    """`["brave=0.8", "calm=0.2"]` -> `{"brave": 0.8, "calm": 0.2}`; a bad one names itself."""
    pairs: dict[str, T] = {}
    for raw in values:
        name, sep, value = raw.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CliError(f"{option} expects NAME=VALUE, got {raw!r}", BAD_INPUT)
        try:
            pairs[name] = convert(value.strip())
        except ValueError as exc:
            raise CliError(
                f"{option} {raw!r}: {value.strip()!r} is not a number", BAD_INPUT
            ) from exc
    return pairs


def stats(values: Sequence[str]) -> dict[str, int]:
    parsed = parse_pairs("--stat", values, int)
    unknown = sorted(set(parsed) - set(STAT_NAMES))
    if unknown:
        raise CliError(
            f"--stat: unknown stat {unknown[0]!r} (one of {', '.join(STAT_NAMES)})", BAD_INPUT
        )
    return parsed


def from_file(data: Any, source: str) -> dict[str, Any]:
    """A character body from a file's JSON: one object, server-managed fields dropped."""
    if not isinstance(data, dict):
        raise CliError(f"{source}: expected one character as a JSON object", BAD_INPUT)
    return {k: v for k, v in data.items() if k not in SERVER_FIELDS}


def changes(
    *,
    name: str | None = None,
    character_id: str | None = None,
    faction: str | None = None,
    role: str | None = None,
    backstory: str | None = None,
    traits: Sequence[str] = (),
    stat_values: Sequence[str] = (),
    relationships: Sequence[str] = (),
    goals: Sequence[str] = (),
    equipment: Sequence[str] = (),
) -> dict[str, Any]:
    """The fields the options name; maps are partial and merged by `apply`."""
    body: dict[str, Any] = {}
    scalars = {
        "id": character_id,
        "name": name,
        "faction": faction,
        "role": role,
        "backstory": backstory,
    }
    body.update({k: v for k, v in scalars.items() if v is not None})
    if traits:
        body["traits"] = parse_pairs("--trait", traits, float)
    if stat_values:
        body["stats"] = stats(stat_values)
    if relationships:
        body["relationships"] = parse_pairs("--relationship", relationships, float)
    if goals:
        body["goals"] = list(goals)
    if equipment:
        body["equipment"] = list(equipment)
    return body


def apply(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """`change` over `base`: maps (traits, stats, relationships) merge, the rest replace."""
    merged = dict(base)
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merged[key] = {**base[key], **value}
        else:
            merged[key] = value
    return merged
