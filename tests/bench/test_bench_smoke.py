"""The benchmark itself, run small: a few users for a few seconds against a stack it starts
on the session's PostgreSQL and NATS. It must write a well-formed report in which no
request failed. No timing is asserted: this machine's speed is not the test's business."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.cost import CALLS, COST_LABELS
from bench.cost_report import COST_HEADER_START, COUNTS_HEADER, OVERHEAD_HEADER
from bench.report import DRIFT_HEADER, STORIES_HEADER, SUMMARY_HEADER, VERDICT_HEADER
from bench.scenario import ENDPOINTS, LABELS, Record
from bench.stats import Window, capacity, percentile, step_stats

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("gateway", "character", "simulation", "story", "postgresql", "nats")
FROM_TO = re.compile(r"\d+ → \d+ \([+-]\d+\.\d %\)")  # "119 → 121 (+1.7 %)"
CALIBRATION = re.compile(
    r"Calibration: `for i in range\(20_000_000\): x \+= i` took \*\*(\d+\.\d+) s\*\*"
)


def run_bench(tmp_path: Path, postgres_url: str | None, nats_url: str | None, *args: str):
    """Run `python -m bench`; without URLs it starts its own PostgreSQL and NATS."""
    results = tmp_path / "results"
    infra = ("--database-url", postgres_url, "--nats-url", nats_url) if postgres_url else ()
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--results-dir", str(results), *args, *infra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    (out,) = results.iterdir()
    report = (out / "report.md").read_text()
    assert done.stdout.startswith(report)  # the tables are printed at the end too
    check_calibration(report, data_path=results)
    assert (out / "logs" / "gateway.log").exists()
    requests = [
        row for path in sorted(out.glob("requests*.csv")) for row in csv.DictReader(path.open())
    ]
    data = json.loads((out / "results.json").read_text())
    return data, report, requests, out.name, done.stdout


def check_calibration(report: str, data_path: Path) -> None:
    """Every report opens with the calibration line: title, blank line, calibration."""
    lines = report.splitlines()
    assert lines[0].startswith("# Novel Engine")
    match = CALIBRATION.match(lines[2])
    assert match, lines[2]
    (out,) = data_path.iterdir()
    seconds = json.loads((out / "results.json").read_text())["calibration"]["cpu_seconds"]
    assert float(match.group(1)) == round(seconds, 2) > 0


def table_rows(report: str, header: tuple[str, ...]) -> list[list[str]]:
    """The rows of the Markdown table with this header (cells stripped)."""
    lines = [line.strip() for line in report.splitlines()]
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in lines]
    start = cells.index(list(header))
    assert set(lines[start + 1]) <= {"|", "-"}
    rows = []
    for line, row in zip(lines[start + 2 :], cells[start + 2 :], strict=False):
        if not line.startswith("|"):
            break
        assert len(row) == len(header), line
        rows.append(row)
    return rows


@pytest.mark.e2e
def test_load_benchmark_small_run(tmp_path, postgres_url, nats_url):
    # --soak with its step settings overridden: the load benchmark plus the soak verdict.
    data, report, requests, run_dir, stdout = run_bench(
        tmp_path,
        postgres_url,
        nats_url,
        "--soak",
        *("--users", "2,4", "--step-seconds", "3", "--ramp-seconds", "1"),
        *("--think-min", "0.1", "--think-max", "0.3", "--seed", "7"),
    )
    assert data["kind"] == "load" and not data["interrupted"]
    steps = data["steps"]
    assert [s["users"] for s in steps] == [2, 4]
    for step in steps:
        assert step["overall"]["requests"] > 0
        assert step["overall"]["failed"] == 0, step["overall"]["errors"]
        assert step["overall"]["success_percent"] == 100
        assert set(step["endpoints"]) == set(ENDPOINTS)
        assert all(e["failed"] == 0 for e in step["endpoints"].values())
        resources = step["resources"]
        for name in ("gateway", "character", "simulation", "story", "postgresql", "nats"):
            assert name in resources
        assert "load generator" in resources and "machine" in resources
    for endpoint in ENDPOINTS:  # every endpoint was exercised
        assert sum(s["endpoints"][endpoint]["requests"] for s in steps) > 0, endpoint
    assert sum(s["endpoints"]["story"]["ok"] for s in steps) > 0

    accounting = data["accounting"]
    assert accounting["cancelled"] == 0
    assert accounting["total"] == (
        accounting["in_steps"] + accounting["in_ramps"] + accounting["other"]
    )
    assert accounting["in_steps"] == sum(
        e["requests"] for s in steps for e in s["endpoints"].values()
    )
    # The raw requests agree with the figures: every one is there, none failed.
    assert len(requests) == accounting["total"]
    assert {row["endpoint"] for row in requests} == set(ENDPOINTS)
    assert all(row["error"] == "" for row in requests)
    for step in steps:
        in_step = [row for row in requests if row["phase"] == f"{step['users']} users"]
        assert len(in_step) == sum(e["requests"] for e in step["endpoints"].values())

    summary = table_rows(report, SUMMARY_HEADER)
    assert [row[0] for row in summary] == ["2", "4"]
    assert all(row[1] == "100 %" for row in summary)
    assert "Capacity" in report
    assert "Overhead ratio" in report
    for step in steps:
        ratio = step["overhead"]["ratio"]
        assert step["overhead"]["stack_cpu_seconds"] > 0
        assert ratio is None or ratio > 0  # None: no simulation ran in the window
    for endpoint in ENDPOINTS:
        assert LABELS[endpoint] in report
    check_memory_drift(data, report)
    check_soak_verdict(data, report, run_dir, stdout)


def check_memory_drift(data: dict, report: str) -> None:
    """Per step and process group: start and end memory, and the change, as numbers."""
    for step in data["steps"]:
        drift = step["memory_drift"]
        assert drift["span_seconds"] > 0
        for span in (drift["start"], drift["end"]):
            assert span["samples"] >= 1
            assert 0 <= span["from_s"] <= span["to_s"] <= drift["window_seconds"]
        assert set(drift["groups"]) >= {*SERVICES, "load generator", "coordinator"}
        for name, g in drift["groups"].items():
            assert g["samples"][0] >= 1 and g["samples"][1] >= 1, name
            for kind in ("rss", "pss"):
                assert g[f"{kind}_start_mib"] > 0 and g[f"{kind}_end_mib"] > 0, name
                assert isinstance(g[f"{kind}_change_percent"], float), name
            assert g["processes_start"] >= 1 and g["processes_end"] >= 1, name
    rows = table_rows(report, DRIFT_HEADER)
    assert len(rows) == sum(len(s["memory_drift"]["groups"]) for s in data["steps"])
    assert {(row[0], row[1]) for row in rows} >= {(u, n) for u in ("2", "4") for n in SERVICES}
    for row in rows:
        assert FROM_TO.fullmatch(row[2]) and FROM_TO.fullmatch(row[3]), row
        assert re.fullmatch(r"\d+ → \d+", row[4]), row
    assert "Spans averaged" in report


def check_soak_verdict(data: dict, report: str, run_dir: str, stdout: str) -> None:
    """The verdict is there and consistent; whether memory stayed flat for a few seconds
    on this machine is not asserted."""
    assert run_dir.endswith("-soak")
    soak = data["soak"]
    assert soak["users"] == [2, 4] and not soak["as_issue"] and soak["complete"]
    assert soak["no_failures"] and soak["failed_requests"] == 0
    assert soak["requests"] == data["accounting"]["total"] > 0
    assert {(r["users"], r["group"]) for r in soak["groups"]} == {
        (u, n) for u in (2, 4) for n in SERVICES
    }
    assert soak["holds"] == soak["memory_flat"]
    rows = table_rows(report, VERDICT_HEADER)
    assert len(rows) == len(soak["groups"])
    for row in rows:
        assert re.fullmatch(r"[+-]\d+\.\d %", row[2]) and re.fullmatch(r"[+-]\d+\.\d %", row[3])
        assert row[4] in ("yes", "**no**")
    verdict = stdout.rstrip().splitlines()[-1]
    assert verdict.startswith("Soak verdict: " + ("HOLDS" if soak["holds"] else "DOES NOT"))
    assert f"**{verdict}**" in report


@pytest.mark.e2e
def test_story_benchmark_small_run(tmp_path, postgres_url, nats_url):
    data, report, requests, run_dir, _ = run_bench(
        tmp_path,
        postgres_url,
        nats_url,
        *("--stories", "--stories-seconds", "3", "--stories-warmup", "1"),
        *("--stories-clients", "2", "--stories-workers", "1,2"),
    )
    assert data["kind"] == "stories" and run_dir.endswith("-stories")
    runs = data["runs"]
    assert [r["simulation_workers"] for r in runs] == [1, 2]
    for run in runs:
        assert run["story"]["ok"] > 0
        assert run["story"]["failed"] == 0, run["story"]["errors"]
        assert run["stories_per_minute"] > 0
    assert "simulation-2" in runs[1]["resources"]
    assert {row["endpoint"] for row in requests} == {"story", "story_post"}
    assert all(row["error"] == "" for row in requests)
    assert data["scaling_ratio"] > 0
    assert all(run["overhead"]["ratio"] > 0 for run in runs)
    assert runs[0]["vs_first"] == 1
    assert [row[0] for row in table_rows(report, STORIES_HEADER)] == ["1", "2"]
    assert "Scaling ratio" in report


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile(values, 100) == 100
    assert percentile([3.0], 99) == 3.0
    assert percentile([], 99) == 0.0


def test_a_request_counts_in_the_step_it_started_in():
    window = Window(users=10, ramp_start=0.0, start=10.0, end=20.0)
    records = [
        Record("health", 5.0, 0.01, 200, ""),  # during the ramp
        Record("health", 11.0, 0.02, 200, ""),
        Record("health", 12.0, 30.0, 0, "timeout"),  # started in, ended after the window
        Record("story", 13.0, 2.0, 200, ""),
        Record("story_post", 13.0, 0.02, 202, ""),
        Record("character", 19.9, 0.5, 200, ""),  # ends after the window
        Record("characters", 20.0, 0.01, 200, ""),  # the next step's
    ]
    step = step_stats(records, window)
    overall = step["overall"]
    assert overall["requests"] == 4 and overall["failed"] == 1  # story_post not an action
    assert overall["errors"] == {"timeout": 1}
    assert overall["max_ms"] == 30_000  # failures count in the latencies
    assert step["endpoints"]["story_post"]["requests"] == 1
    assert step["ramp"] == {"requests": 1, "failed": 0}
    # Throughput counts completions inside the window: health at 11 s and the story.
    assert overall["throughput_per_s"] == pytest.approx(2 / 10)
    assert step["stories_per_minute"] == pytest.approx(6.0)
    assert capacity([step], 99.9, 200) is None
    assert capacity([step], 50.0, 60_000) == 10


@pytest.mark.e2e
def test_cost_benchmark_small_run(tmp_path):
    # No URLs: the run starts its own PostgreSQL (with pg_stat_statements) and NATS (with
    # monitoring), the setting `make bench-cost` uses.
    data, report, _, run_dir, _ = run_bench(
        tmp_path,
        None,
        None,
        "--cost",
        *("--cost-calls", "health=5,characters=3,character=3,simulation=4,simulation_4x5=3"),
        *("--cost-concurrency", "2", "--cost-warmup", "1", "--cost-idle-seconds", "1"),
        *("--cost-settle-seconds", "0.1", "--seed", "3"),
    )
    assert data["kind"] == "cost" and run_dir.endswith("-cost")
    assert data["statements_source"] == "pg_stat_statements" and data["nats_monitoring"]
    batches = data["batches"]
    assert [(b["call"], b["concurrency"]) for b in batches] == [(c, 2) for c in CALLS]
    for batch in batches:
        assert batch["failed"] == 0, batch["errors"]
        assert 0 < batch["latency_ms"]["p50"] <= batch["latency_ms"]["p95"]
        assert set(batch["cpu_ms"]) == {*SERVICES, "total"}
        assert all(v >= 0 for v in batch["cpu_ms"].values())
    for batch in [b for b in batches if b["call"].startswith("simulation")]:
        counts = batch["counts"]
        for key in ("sql_statements", "transactions", "rows_written", "nats_in_msgs"):
            assert counts[key] > 0, key
        assert counts["jetstream_stored"] > 0
        assert counts["grpc_calls"] >= 1 and batch["grpc_methods"]
        assert batch["cpu_ms"]["total"] > 0 and batch["domain_ms"]["engine"] > 0
        assert batch["overhead_ratio"] > 0
        assert batch["top_statements"]
    assert data["overhead"]["simulation"]["ratio"] > 0
    assert data["overhead"]["simulation_4x5"]["ratio"] > 0

    # The report's tables: one row per batch, numbers in every cell.
    cpu_rows = table_rows(report, (*COST_HEADER_START, *SERVICES, "Calls/s", "Latency p50 / p95"))
    assert [row[0] for row in cpu_rows] == [COST_LABELS[c] for c in CALLS]
    for row in cpu_rows:
        assert re.fullmatch(r"\*\*\d+\.\d\d ms\*\*", row[4]), row
        assert all(re.fullmatch(r"\d+\.\d+", cell) for cell in row[5:-1]), row
        assert re.fullmatch(r"\d+\.\d / \d+\.\d ms", row[-1]), row
    count_rows = table_rows(report, COUNTS_HEADER)
    assert [row[0] for row in count_rows] == [COST_LABELS[c] for c in CALLS]
    for row in count_rows:
        assert all(re.fullmatch(r"\d+(\.\d)?", cell) for cell in row[2:]), row
    simulation_row = count_rows[CALLS.index("simulation")]
    assert float(simulation_row[2]) > 0 and float(simulation_row[4]) > 0
    overhead_rows = table_rows(report, OVERHEAD_HEADER)
    assert len(overhead_rows) == 2
    for row in overhead_rows:
        assert re.fullmatch(r"\*\*\d+\.\d\*\*", row[5]), row
