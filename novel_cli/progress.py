"""What a simulation's events say about its progress, read defensively.

The event names are fixed (`turn`, `chapter`, `status`, `story`) but their payloads may
grow (a `turn` event may carry a batch of turns), so every reader here takes the most it
can from what is there and ignores what it does not know.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from novel_cli.sse import Event


@dataclass(frozen=True)
class Chapter:
    number: int
    title: str
    text: str

    def markdown(self) -> str:
        return f"## {self.title or f'Chapter {self.number}'}\n\n{self.text}".rstrip() + "\n"


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def turns_in(event: Event) -> int | None:
    """The highest turn number an event shows as done, if it shows any.

    Read from the payload (`turn`, `turns_done`, `last_turn`, `turns_executed`, or a
    `turns` batch of numbers or objects with `turn`) and from the event id, whose first
    field is the gateway's count of turns sent ("<turns>.<chapters>.<final>").
    """
    found: list[int] = []
    data = event.data if isinstance(event.data, dict) else {}
    for key in ("turn", "turns_done", "last_turn", "turns_executed"):
        if (number := _int(data.get(key))) is not None:
            found.append(number)
    batch = data.get("turns")
    if isinstance(batch, list):
        for item in batch:
            number = _int(item.get("turn")) if isinstance(item, dict) else _int(item)
            if number is not None:
                found.append(number)
    head = event.id.split(".", 1)[0]
    if event.event == "turn" and head.isdigit():
        found.append(int(head))
    return max(found) if found else None


def chapter_in(event: Event) -> Chapter | None:
    """The chapter a `chapter` event carries (under `chapter`, or at the top level)."""
    if event.event != "chapter" or not isinstance(event.data, dict):
        return None
    body = event.data.get("chapter", event.data)
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        return None
    number = _int(body.get("number")) or 0
    title = body.get("title") if isinstance(body.get("title"), str) else ""
    return Chapter(number, str(title), body["text"])


def status_in(event: Event) -> str | None:
    if event.event != "status" or not isinstance(event.data, dict):
        return None
    status = event.data.get("status")
    return status if isinstance(status, str) else None


def story_id_in(event: Event) -> str | None:
    if event.event != "story" or not isinstance(event.data, dict):
        return None
    story_id = event.data.get("story_id") or event.data.get("id")
    return story_id if isinstance(story_id, str) else None
