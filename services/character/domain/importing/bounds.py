"""Bounds on the text an import reads: a file that breaks one is refused as a whole,
naming the file and the rule (InvalidArgument), before any of it is parsed."""

from __future__ import annotations

from typing import Any

import yaml

from novel_platform import bounded_json
from novel_platform.errors import InvalidArgument

MAX_FILE_CHARS = 256 * 1024
MAX_LINES = 5_000
MAX_DEPTH = 20
# Nodes visited in a parsed YAML or JSON document; also stops an alias bomb, whose
# shared references are visited once per use.
MAX_NODES = 5_000


def decoded(path: str, content: bytes) -> str:
    """The file as text: UTF-8 (a BOM is dropped), bounded, with no control characters
    other than tab and line breaks."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidArgument(f"{path}: not UTF-8 text (byte {exc.start})") from None
    if len(text) > MAX_FILE_CHARS:
        raise InvalidArgument(f"{path}: larger than {MAX_FILE_CHARS} characters")
    for number, line in enumerate(text.splitlines(), start=1):
        if number > MAX_LINES:
            raise InvalidArgument(f"{path}: more than {MAX_LINES} lines")
        bad = next((ch for ch in line if ord(ch) < 32 and ch != "\t"), None)
        if bad is not None:
            raise InvalidArgument(f"{path}: line {number} holds control character {ord(bad)}")
    return text


def load_json(path: str, text: str) -> Any:
    try:
        value = bounded_json.loads(text, MAX_DEPTH)
    except bounded_json.JsonRefused as exc:
        raise InvalidArgument(f"{path}: {exc}") from None
    _check_nodes(path, value)
    return value


def load_yaml(path: str, text: str) -> Any:
    """`yaml.safe_load` (plain data only) of a bounded text, then a bounded walk."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        at = f" at line {where.line + 1}" if where is not None else ""
        problem = getattr(exc, "problem", None) or "malformed"
        raise InvalidArgument(f"{path}: not valid YAML{at}: {problem}") from None
    _check_nodes(path, value)
    return value


def _check_nodes(path: str, value: Any) -> None:
    count = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise InvalidArgument(f"{path}: more than {MAX_NODES} values")
        if depth > MAX_DEPTH:
            raise InvalidArgument(f"{path}: nested deeper than {MAX_DEPTH} levels")
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
            stack.extend((k, depth + 1) for k in node)
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
