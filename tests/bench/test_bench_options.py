"""The benchmark's presets and option parsing, and the CPU-limit mode's refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import cgroup
from bench.cli import parse_args
from bench.cost import DEFAULT_CALLS, parse_calls
from bench.counters import statement_summary


def test_the_seed_mix_is_the_old_assessments_workload():
    args = parse_args(["--mix", "seed"])
    assert dict(args.weights) == {
        "health": 1,
        "characters": 1,
        "character": 1,
        "simulation": 1,
        "story": 0,
    }
    assert (args.think_min, args.think_max) == (1, 5)
    assert (args.characters, args.turns) == ((2, 4), (2, 5))


def test_the_default_mix_has_every_action_and_weights_change_single_ones():
    assert set(dict(parse_args([]).weights).values()) == {1.0}
    args = parse_args(["--mix", "seed", "--weights", "story=2,health=0.5"])
    assert dict(args.weights)["story"] == 2 and dict(args.weights)["health"] == 0.5
    with pytest.raises(SystemExit):
        parse_args(["--weights", "nosuch=1"])


def test_cost_options():
    args = parse_args(["--cost"])
    assert args.cost_calls == DEFAULT_CALLS and args.cost_concurrency == [1, 8]
    assert parse_calls("health=5,simulation_4x5=2") == {
        **DEFAULT_CALLS,
        "health": 5,
        "simulation_4x5": 2,
    }
    for bad in ("health=0", "nosuch=3", "health"):
        with pytest.raises(ValueError):
            parse_calls(bad)
    for conflicting in (["--cost", "--stories"], ["--cost", "--gateway-url", "http://x"]):
        with pytest.raises(SystemExit):
            parse_args(conflicting)


def test_scale_out_options():
    args = parse_args(["--stories", "--cpu-limit", "0.25", "--workers", "1,2,3"])
    assert args.stories_workers == [1, 2, 3] and args.cpu_limit == 0.25
    with pytest.raises(SystemExit):  # only for the story benchmark
        parse_args(["--cpu-limit", "0.25"])


def test_cpu_limits_refuse_without_the_controller(tmp_path: Path):
    with pytest.raises(cgroup.CpuLimitUnavailable, match=r"cpu controller|needs root"):
        cgroup.CpuLimits(0.25, root=tmp_path)


def test_cpu_limits_refuse_without_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "cpu.cfs_quota_us").write_text("-1\n")
    (tmp_path / "cgroup.procs").write_text("")
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    with pytest.raises(cgroup.CpuLimitUnavailable, match="needs root"):
        cgroup.CpuLimits(0.25, root=tmp_path)


def test_statement_summary_counts_transaction_control():
    calls = {"BEGIN ISOLATION LEVEL READ COMMITTED": 2.0, "COMMIT": 3.0, "SELECT 1": 5.0}
    assert statement_summary(calls) == {"sql_statements": 10, "sql_transaction_control": 5}


def test_the_llm_option_defaults_to_the_issues_target_and_stands_alone():
    args = parse_args(["--llm"])
    assert args.llm and args.llm_delay == 0.5 and args.llm_simulations >= 200
    with pytest.raises(SystemExit):
        parse_args(["--llm", "--stories"])
    with pytest.raises(SystemExit):
        parse_args(["--llm", "--gateway-url", "http://127.0.0.1:8000"])
