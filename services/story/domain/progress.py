"""How new simulation events advance a story, decided on numbers alone (pure).

Applied one at a time, each event first records what it says (the first context, the
first turn count, a failure while writing), then writes every chapter whose turn and
earlier chapters exist, then closes the story once every expected turn has its chapter.
Several events applied together must end exactly where that sequence ends, including
where order matters: a failure before or after the closing, chapters written past a
turn count learned later. `replay` walks the sequence so a batch can do that; the prose
is written afterwards from its answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    """The story before the events."""

    has_context: bool
    turns_expected: int | None
    writing: bool  # neither completed nor failed
    chapters_written: int


@dataclass(frozen=True)
class Step:
    """What one new event says, in the order the events are applied."""

    has_context: bool = False
    turns_expected: int | None = None
    failure: str | None = None
    shared: int = 0  # with the context: chapters a branch shares with its parent


@dataclass(frozen=True)
class Advance:
    """Where the events leave the story."""

    context_from: int | None  # index of the step whose context the story takes
    turns_expected: int | None
    failure: str | None  # the story fails with this reason
    chapters: range  # chapter numbers to write, in order
    closes: bool
    closes_with_context: bool  # False only when it ends before any context is known

    @property
    def chapters_written(self) -> int:
        return self.chapters.stop - 1


def replay(start: Progress, steps: Sequence[Step], arrivals: Mapping[int, int]) -> Advance:
    """Apply `steps` one by one. `arrivals` maps every stored turn above the chapters
    written to the index of the step that brings it, or -1 if it was stored before."""
    has_context, limit = start.has_context, start.turns_expected
    writing, written = start.writing, start.chapters_written
    first = written + 1
    context_from: int | None = None
    failure: str | None = None
    closes = closes_with_context = False
    for i, step in enumerate(steps):
        if step.has_context and not has_context:
            has_context, context_from = True, i
            if step.shared > written:  # a branch's first chapters are its parent's
                written = step.shared
                first = written + 1
        if step.turns_expected is not None and limit is None:
            limit = step.turns_expected
        if step.failure is not None and writing:
            writing, failure = False, step.failure
        while has_context and (limit is None or written < limit):
            arrived = arrivals.get(written + 1)
            if arrived is None or arrived > i:
                break
            written += 1
        if writing and limit is not None and written >= limit:
            writing, closes, closes_with_context = False, True, has_context
    return Advance(
        context_from=context_from,
        turns_expected=limit,
        failure=failure,
        chapters=range(first, written + 1),
        closes=closes,
        closes_with_context=closes_with_context,
    )
