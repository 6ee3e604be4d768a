"""JSON from outside, parsed only when its nesting is bounded: Python's parser recurses,
so a deep enough document would end in RecursionError rather than a clear refusal."""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 20


class JsonRefused(ValueError):
    """The text is not JSON, or is nested deeper than allowed; the message says which."""


def nesting(text: str) -> int:
    """The deepest bracket nesting of a JSON text, outside its strings."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


def loads(text: str, max_depth: int = MAX_DEPTH) -> Any:
    if nesting(text) > max_depth:
        raise JsonRefused(f"JSON nested deeper than {max_depth} levels")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise JsonRefused(f"not valid JSON ({exc})") from None
