"""A model-decided run derived again from its recordings, and recordings brought in by
a bundle checked before anything is stored (pure, no I/O)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from novel_engine.v1 import simulation_pb2
from novel_platform.errors import InvalidArgument
from novel_platform.llm.backend import Backend
from services.gateway.formats.bundle import shared_turns
from services.simulation.adapters.llm_records import CallRecord
from services.simulation.domain import TurnResult, WorldState, run_turn
from services.simulation.domain.choices import decision_points
from services.simulation.domain.decision_prompt import read_choice
from services.simulation.service.imported_runs import ImportedRun, check_calls, imported_plan
from services.simulation.service.lineage import play
from services.simulation.service.llm_plan import decision_chat
from services.simulation.service.model_decisions import ModelRunBroken, recorded_choices
from services.story.adapters.narration_records import NarrationCall
from services.story.service.imported_narration import checked
from tests.unit.test_what_if import CAST, _dump, _start

BACKEND = Backend(base_url="http://model.example/v1", model="m", temperature=0.3)


def _model_run(world: WorldState, turns: int) -> tuple[list[TurnResult], dict]:
    """A run whose every choice a "model" made (always the last option), recorded as
    the worker records it."""
    recorded, results = {}, []
    while world.turn < turns:
        chosen = {}
        for point in decision_points(world):
            answer = json.dumps({"option": len(point.options)})
            recorded[(point.turn, "decision", point.actor_id)] = CallRecord(
                point.turn, "decision", point.actor_id,
                decision_chat(point).digest(BACKEND), "ok", answer, 10, 1, 5,
            )  # fmt: skip
            pick = read_choice(point, answer)
            assert pick is not None
            chosen[point.actor_id] = pick
        result = run_turn(world, chosen)
        results.append(result)
        world = result.world
    return results, recorded


def test_recorded_choices_derive_the_run_that_recorded_them() -> None:
    ran, recorded = _model_run(_start(turns=8), 8)
    derived = list(
        play(_start(turns=8), 8, (), lambda w: recorded_choices(w, recorded, BACKEND, "run"))
    )
    assert _dump(derived) == _dump(ran)
    assert _dump(derived) != _dump(list(play(_start(turns=8), 8, ())))  # the policy's run


def test_a_missing_or_different_recording_is_named() -> None:
    _, recorded = _model_run(_start(turns=4), 4)
    missing = {k: v for k, v in recorded.items() if k != (3, "decision", "pilot")}
    with pytest.raises(ModelRunBroken, match=r"run: no recorded model call for turn 3, .* pilot"):
        list(play(_start(turns=4), 4, (), lambda w: recorded_choices(w, missing, BACKEND, "run")))
    hotter = replace(BACKEND, temperature=0.9)  # another request than the one recorded
    with pytest.raises(ModelRunBroken, match=r"turn 1, character .* asks something else"):
        list(play(_start(turns=4), 4, (), lambda w: recorded_choices(w, recorded, hotter, "run")))


def _imported(calls: tuple[CallRecord, ...], **changes: object) -> ImportedRun:
    run = ImportedRun(
        "6f1d3c2a-8a40-4d7e-9c55-1f2e3d4c5b6a",
        True,
        False,
        {"base_url": BACKEND.base_url, "model": "m", "temperature": 0.0, "max_tokens": 64,
         "token_budget": 900},
        calls,
    )  # fmt: skip
    return replace(run, **changes)  # type: ignore[arg-type]


def test_an_imported_run_replays_its_recordings_with_the_settings_it_had() -> None:
    _, recorded = _model_run(_start(turns=4), 4)
    run = _imported(tuple(recorded.values()))
    plan, usage = imported_plan(run)
    assert plan["replay_of"] == run.recordings_id and plan["sealed_api_key"] == ""
    assert plan["backend"]["temperature"] == 0.0 and plan["budgets"]["decision"] == 900
    assert usage["calls"] == 0 and usage["replay_of"] == run.recordings_id
    check_calls(run, 4, CAST)  # a run's own recordings pass
    with pytest.raises(InvalidArgument, match="recordings_id"):
        imported_plan(_imported((), recordings_id="../x"))
    with pytest.raises(InvalidArgument, match="decides, narrates"):
        imported_plan(_imported((), decisions=False))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"turn": 5}, r"calls\[0\]: turn must be 1..4, got 5"),
        ({"subject": "nobody"}, "'nobody' is not in this run"),
        ({"purpose": "narration"}, "purpose must be 'decision'"),
        ({"request_digest": "ab"}, "request_digest must be 64 hex digits"),
        ({"outcome": "OK!"}, "outcome must be"),
        ({"response": "x" * 70_000}, "response longer than"),
        ({"input_tokens": -1}, "tokens and latency"),
    ],
)
def test_an_imported_decision_that_no_run_could_have_recorded_is_refused(
    change: dict[str, object], message: str
) -> None:
    _, recorded = _model_run(_start(turns=4), 4)
    calls = list(recorded.values())
    calls[0] = replace(calls[0], **change)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgument, match=message):
        check_calls(_imported(tuple(calls)), 4, CAST)


def test_imported_decisions_must_be_there_once_and_only_when_the_model_decided() -> None:
    _, recorded = _model_run(_start(turns=4), 4)
    calls = tuple(recorded.values())
    with pytest.raises(InvalidArgument, match="twice"):
        check_calls(_imported((*calls, calls[0])), 4, CAST)
    with pytest.raises(InvalidArgument, match="none for turn 1"):
        check_calls(_imported(tuple(c for c in calls if c.turn > 1)), 4, CAST)
    with pytest.raises(InvalidArgument, match="not the model's"):
        check_calls(_imported(calls, decisions=False, narration=True), 4, CAST)


def test_imported_chapters_are_checked() -> None:
    chapter = NarrationCall(1, 1, "a" * 64, "ok", '{"paragraphs": []}', 5, 5, 5)
    checked([chapter, replace(chapter, attempt=2), replace(chapter, turn=2)])
    for bad, message in [
        ([chapter, chapter], "turn 1, attempt 1 twice"),
        ([replace(chapter, attempt=3)], "attempt 1..2"),
        ([replace(chapter, turn=51)], "turn 1..50"),
        ([replace(chapter, request_digest="A" * 64)], "request_digest"),
    ]:
        with pytest.raises(InvalidArgument, match=message):
            checked(bad)


def test_a_branch_bundle_takes_each_runs_recordings_for_the_turns_it_tells() -> None:
    root = simulation_pb2.Simulation(id="root")
    child = simulation_pb2.Simulation(id="child", parent_id="root", fork_turn=6)
    grandchild = simulation_pb2.Simulation(id="grand", parent_id="child", fork_turn=9)
    assert shared_turns([root]) == [(0, 10**9)]
    # The grandchild's own turns after 9, its parent's 7..9, the root's 1..6.
    assert shared_turns([grandchild, child, root]) == [(9, 10**9), (6, 9), (0, 6)]
    # A branch forked before its parent's own fork shares only the root's turns to it.
    early = simulation_pb2.Simulation(id="early", parent_id="child", fork_turn=3)
    assert shared_turns([early, child, root]) == [(3, 10**9), (6, 3), (0, 3)]
