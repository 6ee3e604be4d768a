"""The bounded chaos campaign (`python -m chaos --small`): a service SIGKILLed twice, NATS
restarted, PostgreSQL stopped for 20 s, under a steady load of simulations. It must
pass its own checks from the databases: nothing accepted lost or left unfinished, every
completed simulation with one complete story, no turn stored twice, no 500."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from chaos.checks import bad_answers, secrets_in_logs
from chaos.cli import full_schedule
from chaos.load import Answer
from chaos.readiness import Outage, Sample, readiness_problems

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.e2e


@pytest.mark.timeout(900)
def test_the_small_campaign_loses_nothing_and_answers_no_500(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "chaos", "--small", "--results-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=850,
    )
    [run] = list(tmp_path.iterdir())
    results = json.loads((run / "results.json").read_text())
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert results["passed"] is True
    assert results["accepted"] > 0 and results["lost"] == [] and results["unfinished"] == []
    assert results["story_problems"] == [] and results["turn_problems"] == []
    assert results["bad_answers"] == []
    assert results["secrets_in_logs"] == []
    # Every process went not ready while PostgreSQL was stopped, and was ready after.
    assert results["readiness_problems"] == []
    # The burst went past the work queue's limit: the excess was refused, none of it
    # made a simulation, and what was accepted is among the accepted checked above.
    assert results["queue_fill_problems"] == []
    [burst] = results["bursts"]
    assert burst["refused"] > 0 and burst["accepted"] > 0
    assert [f["action"] + " " + f["target"] for f in results["faults"]] == [
        "fill work-queue",
        "kill simulation",
        "kill story",
        "restart nats",
        "stop postgres",
    ]
    report = (run / "report.md").read_text()
    assert "**Verdict: PASSED**" in report


def test_only_documented_failures_pass_the_answer_check() -> None:
    fine = [
        Answer(1, "POST /v1/simulations", 503, True),
        Answer(1, "POST /v1/simulations", 429, True),
        Answer(1, "POST /simulations", 504, False, simulation_id="abc"),
        Answer(1, "GET /v1/characters", 0, False, "ConnectError"),
    ]
    broken = [
        Answer(1, "GET /v1/characters", 500, False),
        Answer(1, "POST /v1/simulations", 503, False),
        Answer(1, "POST /v1/simulations", 502, True),
        Answer(1, "POST /simulations", 504, False),
    ]
    assert bad_answers(fine + broken) == broken


def test_the_full_schedule_strikes_every_fault_once_in_turn() -> None:
    schedule = full_schedule(600, seed=3)
    kinds = sorted(f.describe() for f in schedule)
    assert kinds.count("kill gateway") == 2 and kinds.count("term story") == 1
    assert {
        "restart nats",
        "stop nats for 30s",
        "restart postgres",
        "stop postgres for 30s",
    } <= set(kinds)
    assert "pause simulation for 15s" in kinds and "fill work-queue" in kinds
    for earlier, later in itertools.pairwise(schedule):
        assert later.at >= earlier.at + earlier.seconds  # one outage at a time
    assert schedule[-1].at + schedule[-1].seconds < 600


def test_the_log_check_finds_a_leaked_secret(tmp_path: Path) -> None:
    (tmp_path / "gateway.log").write_text('{"event": "auth", "key": "ne_abc_s3cr3t-part"}\n')
    (tmp_path / "story.log").write_text('{"event": "ok"}\n')
    assert secrets_in_logs(tmp_path, ["s3cr3t-part", ""]) == ["gateway.log"]
    assert secrets_in_logs(tmp_path, ["other"]) == []


def test_the_readiness_check_wants_not_ready_during_an_outage_and_ready_after() -> None:
    outage = Outage("postgres", 10, 30)

    def run(gateway_during: bool, story_after: bool) -> list[Sample]:
        samples = [Sample(t, {"gateway": True, "story": True}) for t in (5.0, 9.0)]
        samples += [Sample(t, {"gateway": gateway_during, "story": False}) for t in (15.0, 25.0)]
        samples += [Sample(t, {"gateway": True, "story": story_after}) for t in (32.0, 40.0)]
        return samples

    assert readiness_problems(run(False, True), [outage]) == []
    assert readiness_problems(run(True, True), [outage]) == [
        "postgres out 10-30s: gateway stayed ready"
    ]
    assert readiness_problems(run(False, False), [outage]) == [
        "postgres out 10-30s: not every process ready 45s after it"
    ]
    # A restart is too short to require a not-ready sample; being ready after still is.
    restart = Outage("nats", 10, 11)
    assert readiness_problems(run(True, True), [restart]) == []
