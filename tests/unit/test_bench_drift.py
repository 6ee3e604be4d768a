"""Memory drift and the soak verdict of the benchmark, from synthetic sampler ticks."""

from __future__ import annotations

import pytest

from bench.cli import parse_args
from bench.drift import memory_drift, soak_verdict, span_seconds
from bench.procs import Tick

MIB = 2**20


def tick(t: float, **groups: tuple[float, float, int]) -> Tick:
    """A sample at `t`; per group (RSS MiB, PSS MiB, processes)."""
    return Tick(
        t=t,
        interval=1.0,
        machine_busy=0.0,
        machine_total=1.0,
        machine_steal=0.0,
        cpu={name: 0.0 for name in groups},
        rss={name: int(rss * MIB) for name, (rss, _, _) in groups.items()},
        pss={name: int(pss * MIB) for name, (_, pss, _) in groups.items()},
        count={name: n for name, (_, _, n) in groups.items()},
    )


def test_the_span_is_a_minute_for_long_windows_and_a_fifth_of_short_ones():
    assert span_seconds(600) == 60
    assert span_seconds(300) == 60
    assert span_seconds(299) == pytest.approx(59.8)
    assert span_seconds(40) == pytest.approx(8)


def test_a_soak_window_compares_the_first_and_the_last_minute():
    start = 1000.0
    # Ramp samples before the window must not count, however large.
    ticks = [tick(start - 5 + i, gateway=(999, 999, 1)) for i in range(5)]
    # 600 samples, one a second; the gateway grows 0.1 MiB a second, PSS is half of RSS.
    for i in range(600):
        rss = 100 + 0.1 * i
        ticks.append(tick(start + 0.5 + i, gateway=(rss, rss / 2, 2)))
    drift = memory_drift(ticks, start, start + 600, ["gateway"])

    assert drift["span_seconds"] == 60
    assert drift["start"] == {"samples": 60, "from_s": 0.5, "to_s": 59.5}
    assert drift["end"] == {"samples": 60, "from_s": 540.5, "to_s": 599.5}
    g = drift["groups"]["gateway"]
    assert g["samples"] == [60, 60]
    assert g["rss_start_mib"] == pytest.approx(100 + 0.1 * 29.5, abs=1e-3)
    assert g["rss_end_mib"] == pytest.approx(100 + 0.1 * 569.5, abs=1e-3)
    assert g["rss_change_percent"] == pytest.approx(100 * 54 / 102.95, abs=1e-2)
    assert g["pss_change_percent"] == pytest.approx(g["rss_change_percent"], abs=1e-2)
    assert g["processes_start"] == g["processes_end"] == 2


def test_a_short_window_averages_its_first_and_last_fifth():
    ticks = [tick(float(t), story=(50 if t < 20 else 55, 40, 1)) for t in range(1, 41)]
    drift = memory_drift(ticks, 0.0, 40.0, ["story"])
    assert drift["span_seconds"] == pytest.approx(8)
    assert drift["start"]["samples"] == 7  # t = 1..7 (< 8)
    assert drift["end"]["samples"] == 8  # t = 33..40 (> 32)
    story = drift["groups"]["story"]
    assert story["rss_start_mib"] == pytest.approx(50, abs=1e-3)
    assert story["rss_end_mib"] == pytest.approx(55, abs=1e-3)
    assert story["rss_change_percent"] == pytest.approx(10.0, abs=1e-3)
    assert story["pss_change_percent"] == pytest.approx(0.0, abs=1e-3)


def test_a_window_with_one_sample_compares_it_with_itself():
    drift = memory_drift([tick(2.5, nats=(20, 20, 1))], 2.0, 3.0, ["nats"])
    assert drift["start"]["samples"] == drift["end"]["samples"] == 1
    assert drift["groups"]["nats"]["rss_change_percent"] == 0


def test_a_group_without_processes_has_no_figures():
    ticks = [tick(float(t), gateway=(100, 80, 1), late=(0, 0, 0)) for t in range(10)]
    drift = memory_drift(ticks, 0.0, 10.0, ["gateway", "late", "unknown"])
    for name in ("late", "unknown"):
        g = drift["groups"][name]
        assert g["samples"] == [0, 0]
        assert g["rss_start_mib"] is None and g["rss_change_percent"] is None
    empty = memory_drift([], 0.0, 10.0, ["gateway"])
    assert empty["start"] == {"samples": 0, "from_s": None, "to_s": None}
    assert empty["groups"]["gateway"]["pss_change_percent"] is None


def step(users: int, **changes: tuple[float | None, float | None]) -> dict:
    groups = {
        name: {"rss_change_percent": rss, "pss_change_percent": pss}
        for name, (rss, pss) in changes.items()
    }
    return {"users": users, "memory_drift": {"groups": groups}}


def test_the_soak_holds_only_with_flat_memory_no_failure_and_a_complete_run():
    steps = [step(200, gateway=(3.0, -9.9), postgresql=(10.0, 1.0), coordinator=(80.0, 80.0))]
    judged = ["gateway", "postgresql"]  # the benchmark's own processes are not judged
    verdict = soak_verdict(steps, judged, requests=1000, failed=0, complete=True)
    assert verdict["holds"] and verdict["memory_flat"] and verdict["no_failures"]
    assert [r["group"] for r in verdict["groups"]] == judged

    failed = soak_verdict(steps, judged, requests=1000, failed=1, complete=True)
    assert not failed["holds"] and failed["memory_flat"] and not failed["no_failures"]
    cut = soak_verdict(steps, judged, requests=1000, failed=0, complete=False)
    assert not cut["holds"]
    assert not soak_verdict(steps, judged, requests=0, failed=0, complete=True)["holds"]

    grew = [step(200, gateway=(3.0, 10.1), postgresql=(1.0, 1.0))]
    verdict = soak_verdict(grew, judged, requests=1000, failed=0, complete=True)
    assert not verdict["holds"] and not verdict["memory_flat"]
    assert [r["flat"] for r in verdict["groups"]] == [False, True]
    unmeasured = [step(200, gateway=(None, None))]
    assert not soak_verdict(unmeasured, judged, requests=9, failed=0, complete=True)["holds"]


def test_soak_sets_the_issue_defaults_that_explicit_options_override():
    args = parse_args(["--soak"])
    assert (args.users, args.step_seconds, args.ramp_seconds) == ([200], 600, 30)
    args = parse_args(["--soak", "--users", "5", "--step-seconds", "40"])
    assert (args.users, args.step_seconds, args.ramp_seconds) == ([5], 40, 30)
    args = parse_args([])
    assert not args.soak
    assert (args.users[-1], args.step_seconds, args.ramp_seconds) == (1000, 30, 10)
    with pytest.raises(SystemExit):
        parse_args(["--soak", "--stories"])
