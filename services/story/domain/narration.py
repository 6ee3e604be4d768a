"""A model's chapter: asked from the turn's facts, checked against them.

The request holds the offline chapter's paragraphs, each with the ids of the events it
tells, as the facts to retell; the answer must keep them paragraph for paragraph (so
paragraphs keep their event ids). The checker refuses prose that

- names a participant who has no part in that paragraph's events (absent, or dead and
  so no longer acting);
- names someone killed earlier in the chapter as if still there;
- contradicts an outcome: success words over a failed deed, failure words over a
  success, or a death told as survival.

A refused answer gets one retry, then the offline chapter stands (service/narrator.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .model import DIRECTOR_ID, Chapter, EventView, StoryContext

SYSTEM = (
    "You are the chronicler of a story. Retell each numbered paragraph of facts as vivid "
    "prose in the same order, one paragraph for each, in a {style} style. Keep every "
    "outcome exactly as given; name only the characters a paragraph's facts name; add no "
    "new events."
)
_SUCCESS = re.compile(r"\b(succeeded|succeeds|triumph\w*|managed to|victorious)\b", re.I)
_FAILURE = re.compile(r"\b(failed|fails|in vain|came to nothing|to no avail)\b", re.I)
_SURVIVED = re.compile(r"\b(survived|lived on|escaped death|unharmed)\b", re.I)
MAX_PARAGRAPH = 4000


def schema(count: int) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "paragraphs": {
                "type": "array",
                "minItems": count,
                "maxItems": count,
                "items": {
                    "type": "object",
                    "properties": {"event_id": {"type": "string"}, "text": {"type": "string"}},
                    "required": ["event_id", "text"],
                    "additionalProperties": False,
                },
            }
        },
        "required": ["paragraphs"],
        "additionalProperties": False,
    }


def _paragraphs(chapter: Chapter) -> list[tuple[str, str]]:
    """(event ids joined by ",", text) of each paragraph of the offline chapter."""
    texts = chapter.text.split("\n\n")
    ids = list(chapter.paragraph_events) + [()] * (len(texts) - len(chapter.paragraph_events))
    return [(",".join(i) or "-", t) for i, t in zip(ids, texts, strict=False)]


def narration_request(ctx: StoryContext, chapter: Chapter) -> tuple[str, str, dict[str, Any]]:
    """(system, user, schema) asking for chapter `chapter.number` from its facts."""
    paragraphs = _paragraphs(chapter)
    cast = ", ".join(p.name for p in ctx.participants)
    user = "\n".join(
        [
            f"Setting: {ctx.setting or 'unnamed'}. Scenario: {ctx.scenario or 'none'}.",
            f"Cast: {cast}.",
            f"Chapter {chapter.number}: {chapter.title}. Facts, one paragraph each:",
            *(f"- [{ids}] {text}" for ids, text in paragraphs),
        ]
    )
    system = SYSTEM.format(style=ctx.narrative_style)
    return system, user, schema(len(paragraphs))


def read_narration(chapter: Chapter, content: str) -> list[str] | None:
    """The paragraphs' texts, if the answer keeps the chapter's paragraphs and ids."""
    try:
        answer = json.loads(content)
    except ValueError:
        return None
    items = answer.get("paragraphs") if isinstance(answer, dict) else None
    expected = _paragraphs(chapter)
    if not isinstance(items, list) or len(items) != len(expected):
        return None
    texts = []
    for item, (ids, _) in zip(items, expected, strict=True):
        if not isinstance(item, dict) or item.get("event_id") != ids:
            return None
        text = item.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > MAX_PARAGRAPH:
            return None
        texts.append(" ".join(text.split()))
    return texts


def check_prose(
    ctx: StoryContext, chapter: Chapter, events: Sequence[EventView], texts: Sequence[str]
) -> list[str]:
    """What is wrong with the model's paragraphs; empty when they hold to the facts."""
    names = {p.id: p.name for p in ctx.participants}
    by_ref = {f"{e.turn}.{e.sequence}": e for e in events}
    problems: list[str] = []
    fallen: set[str] = set()
    for (ids, offline), text in zip(_paragraphs(chapter), texts, strict=True):
        told = [by_ref[i] for i in ids.split(",") if i in by_ref]
        involved = {e.actor_id for e in told} | {e.target_id for e in told}
        # Those a deed touched; the world's own happenings (a turn's opening, a storm)
        # touch everyone there, and may name only whom the facts' own words name.
        involved |= {f.subject_id for e in told if e.actor_id != DIRECTOR_ID for f in e.effects}
        # A name the offline paragraph uses is one the facts allow.
        allowed = {n for cid, n in names.items() if cid in involved or n in offline}
        for cid, name in names.items():
            if name in text and name not in allowed:
                problems.append(f"names {name}, who has no part in [{ids}]")
            elif name in text and cid in fallen and cid not in involved:
                problems.append(f"{name} appears after falling")
        problems += _contradictions(told, text, offline, ids)
        fallen |= {f.subject_id for e in told for f in e.effects if f.kind == "killed"}
    return problems


def _says(pattern: re.Pattern[str], text: str, offline: str) -> bool:
    """The model's text uses words of this kind that the facts did not."""
    return bool(pattern.search(text)) and not pattern.search(offline)


def _contradictions(told: Sequence[EventView], text: str, offline: str, ids: str) -> list[str]:
    """Words the facts did not use that turn the paragraph's outcomes around."""
    outcomes = {e.outcome for e in told}
    failed = bool(outcomes & {"failure", "critical_failure"})
    succeeded = bool(outcomes & {"success", "critical_success"})
    found = []
    if failed and not succeeded and _says(_SUCCESS, text, offline):
        found.append(f"[{ids}] tells a failure as a success")
    if succeeded and not failed and _says(_FAILURE, text, offline):
        found.append(f"[{ids}] tells a success as a failure")
    if any(f.kind == "killed" for e in told for f in e.effects) and _says(_SURVIVED, text, offline):
        found.append(f"[{ids}] tells a death as survival")
    return found


def narrated(chapter: Chapter, texts: Sequence[str]) -> Chapter:
    """The chapter with the model's paragraphs; its title and event ids unchanged."""
    return replace(chapter, text="\n\n".join(texts))
