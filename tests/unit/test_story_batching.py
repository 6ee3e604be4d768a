"""The story service's batching: the coalescer that gathers a simulation's events
(asyncio only) and the replay that decides where a batch leaves a story (pure)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Sequence

import pytest

from services.story.domain.progress import Progress, Step, replay
from services.story.service.coalescer import Coalescer

# -- the coalescer --


class Recorder:
    """An `apply` that records its batches. Items are "key:name"; a batch holding a
    "bad" one fails, as does that item alone. `hold` makes the next call wait."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.started = asyncio.Event()
        self.hold: asyncio.Event | None = None

    async def __call__(self, items: Sequence[str]) -> list[str]:
        self.batches.append(list(items))
        self.started.set()
        hold, self.hold = self.hold, None
        if hold is not None:
            await hold.wait()
        if any(item.endswith("bad") for item in items):
            raise ValueError(f"cannot apply {items}")
        return [item.upper() for item in items]


def coalescer(apply: Recorder, max_batch: int = 64) -> Coalescer[str, str]:
    return Coalescer(lambda item: item.split(":")[0], apply, max_batch=max_batch)


async def test_items_of_a_key_submitted_together_form_one_batch():
    rec = Recorder()
    c = coalescer(rec)
    items = [f"a:{i}" for i in range(10)]
    assert await asyncio.gather(*(c.submit(i) for i in items)) == [i.upper() for i in items]
    assert rec.batches == [items]
    assert c.busy_keys == 0


async def test_batches_are_bounded():
    rec = Recorder()
    c = coalescer(rec, max_batch=4)
    items = [f"a:{i}" for i in range(10)]
    assert await asyncio.gather(*(c.submit(i) for i in items)) == [i.upper() for i in items]
    assert rec.batches == [items[:4], items[4:8], items[8:]]


async def test_items_arriving_while_a_batch_runs_join_the_next():
    rec = Recorder()
    gate = rec.hold = asyncio.Event()
    c = coalescer(rec)
    first = [asyncio.create_task(c.submit(f"a:{i}")) for i in range(2)]
    await rec.started.wait()
    later = [asyncio.create_task(c.submit(f"a:{i}")) for i in range(2, 5)]
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*first, *later) == [f"A:{i}" for i in range(5)]
    assert rec.batches == [["a:0", "a:1"], ["a:2", "a:3", "a:4"]]
    assert c.busy_keys == 0


async def test_the_last_item_handed_out_starts_its_batch_at_once():
    """`last`: no pass of the event loop for others to join. Items already queued still
    join it; one submitted after it waits for the next batch."""
    rec = Recorder()
    c = coalescer(rec)
    alone = asyncio.create_task(c.submit("a:0", last=True))
    after = asyncio.create_task(c.submit("a:1"))
    assert list(await asyncio.gather(alone, after)) == ["A:0", "A:1"]
    assert rec.batches == [["a:0"], ["a:1"]]
    # Without `last`, the two tasks share a batch.
    rec.batches.clear()
    assert list(await asyncio.gather(c.submit("a:2"), c.submit("a:3", last=True))) == ["A:2", "A:3"]
    assert rec.batches == [["a:2", "a:3"]]
    gate = rec.hold = asyncio.Event()
    rec.batches.clear()
    rec.started.clear()
    running = asyncio.create_task(c.submit("a:4"))
    await rec.started.wait()
    last = asyncio.create_task(c.submit("a:5", last=True))
    queued = asyncio.create_task(c.submit("a:6"))
    await asyncio.sleep(0)
    gate.set()
    assert list(await asyncio.gather(running, last, queued)) == ["A:4", "A:5", "A:6"]
    assert rec.batches == [["a:4"], ["a:5", "a:6"]]
    assert c.busy_keys == 0


async def test_keys_do_not_wait_for_each_other():
    """Key a's batch waits for key b's to have run: one lock for all would deadlock."""
    b_ran = asyncio.Event()

    async def apply(items: Sequence[str]) -> list[str]:
        if items[0].startswith("a"):
            await b_ran.wait()
        else:
            b_ran.set()
        return list(items)

    c: Coalescer[str, str] = Coalescer(lambda item: item[0], apply)
    a = asyncio.create_task(c.submit("a1"))
    await asyncio.sleep(0)
    b = asyncio.create_task(c.submit("b1"))
    assert list(await asyncio.wait_for(asyncio.gather(a, b), timeout=10)) == ["a1", "b1"]


async def test_a_failed_batch_is_applied_one_at_a_time():
    rec = Recorder()
    c = coalescer(rec)
    results = await asyncio.gather(
        *(c.submit(i) for i in ["a:1", "a:bad", "a:2"]), return_exceptions=True
    )
    assert results[0] == "A:1" and results[2] == "A:2"
    assert isinstance(results[1], ValueError)
    assert rec.batches == [["a:1", "a:bad", "a:2"], ["a:1"], ["a:bad"], ["a:2"]]
    with pytest.raises(ValueError):  # alone, it fails without a second try
        await c.submit("a:bad")
    assert rec.batches[-1] == ["a:bad"] and len(rec.batches) == 5
    assert c.busy_keys == 0


async def test_a_caller_cancelled_before_its_batch_drops_its_item():
    rec = Recorder()
    gate = rec.hold = asyncio.Event()
    c = coalescer(rec)
    running = asyncio.create_task(c.submit("a:1"))
    await rec.started.wait()
    dropped = asyncio.create_task(c.submit("a:2"))
    kept = asyncio.create_task(c.submit("a:3"))
    await asyncio.sleep(0)
    dropped.cancel()
    gate.set()
    assert list(await asyncio.gather(running, kept)) == ["A:1", "A:3"]
    with pytest.raises(asyncio.CancelledError):
        await dropped
    assert rec.batches == [["a:1"], ["a:3"]]
    assert c.busy_keys == 0


async def test_a_caller_cancelled_while_its_batch_runs_leaves_the_batch_alone():
    rec = Recorder()
    gate = rec.hold = asyncio.Event()
    c = coalescer(rec)
    runner = asyncio.create_task(c.submit("a:1"))
    rider = asyncio.create_task(c.submit("a:2"))
    await rec.started.wait()
    rider.cancel()
    await asyncio.sleep(0)
    gate.set()
    assert await runner == "A:1"
    with pytest.raises(asyncio.CancelledError):
        await rider
    assert rec.batches == [["a:1", "a:2"]]  # applied once; its message is redelivered
    assert c.busy_keys == 0


async def test_a_cancelled_runner_hands_the_rest_of_its_batch_back(recwarn):
    rec = Recorder()
    rec.hold = asyncio.Event()  # never set: the runner is cancelled while it waits
    c = coalescer(rec)
    runner = asyncio.create_task(c.submit("a:1"))
    others = [asyncio.create_task(c.submit(f"a:{i}")) for i in (2, 3)]
    await rec.started.wait()
    runner.cancel()
    with pytest.raises(asyncio.CancelledError):
        await runner
    # The next caller in line runs what is left (apply must be safe to repeat).
    assert await asyncio.gather(*others) == ["A:2", "A:3"]
    assert rec.batches == [["a:1", "a:2", "a:3"], ["a:2", "a:3"]]
    assert c.busy_keys == 0
    gc.collect()
    assert not [w for w in recwarn if "never retrieved" in str(w.message)]


async def test_apply_must_answer_every_item():
    async def short(items: Sequence[str]) -> list[str]:
        return list(items[:1])

    c: Coalescer[str, str] = Coalescer(lambda item: "k", short)
    results = await asyncio.gather(c.submit("x"), c.submit("y"), return_exceptions=True)
    # The runner sees the broken contract; the other item is handed back and applied alone.
    assert isinstance(results[0], RuntimeError) and results[1] == "y"
    assert c.busy_keys == 0


# -- the replay --

START = Progress(has_context=False, turns_expected=None, writing=True, chapters_written=0)


def turn(context: bool = True) -> Step:
    return Step(has_context=context)


def end(turns: int) -> Step:  # completed (with its context) or cancelled (without)
    return Step(has_context=True, turns_expected=turns)


def failed() -> Step:
    return Step(failure="boom")


def test_a_whole_simulation_in_order_closes():
    plan = replay(START, [turn(), turn(), turn(), end(3)], {1: 0, 2: 1, 3: 2})
    assert plan.context_from == 0 and plan.chapters == range(1, 4) and plan.closes
    assert plan.turns_expected == 3 and plan.failure is None


def test_a_turn_counts_only_from_the_event_that_brings_it():
    # Turn 2, cancelled after 1 turn, then turn 1: one chapter, as one by one; had turn 2
    # counted from the start, chapter 2 would have been written before the count.
    plan = replay(START, [turn(), Step(turns_expected=1), turn()], {2: 0, 1: 2})
    assert plan.chapters == range(1, 2) and plan.closes


def test_chapters_past_a_count_learned_later_stay_written():
    plan = replay(START, [turn(), turn(), turn(), Step(turns_expected=2)], {1: 0, 2: 1, 3: 2})
    assert plan.chapters == range(1, 4) and plan.closes and plan.turns_expected == 2


def test_a_failure_before_the_end_fails_and_one_after_it_is_ignored():
    before = replay(START, [turn(), failed(), end(1)], {1: 0})
    assert before.failure == "boom" and not before.closes and before.chapters == range(1, 2)
    after = replay(START, [turn(), end(1), failed()], {1: 0})
    assert after.failure is None and after.closes


def test_turns_stored_before_are_written_from():
    start = Progress(has_context=True, turns_expected=None, writing=True, chapters_written=1)
    plan = replay(start, [turn()], {2: 0, 3: -1, 5: -1})
    assert plan.context_from is None and plan.chapters == range(2, 4) and not plan.closes


def test_an_end_before_any_context_closes_without_one():
    plan = replay(START, [Step(turns_expected=0), turn()], {})
    assert plan.closes and not plan.closes_with_context and plan.context_from == 1
