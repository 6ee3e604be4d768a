"""The Markdown report of `python -m bench --cost`."""

from __future__ import annotations

from typing import Any

from bench.calibration import calibration_line
from bench.cost import COST_LABELS, SIMULATIONS
from bench.overhead import ratio_text
from bench.report import context, group_order, table

COST_HEADER_START = ("Call", "Concurrency", "Calls", "Failed", "CPU per call")
COUNTS_HEADER = (
    "Call",
    "Concurrency",
    "SQL statements",
    "BEGIN/COMMIT",
    "Transactions",
    "Rows written",
    "NATS in",
    "NATS out",
    "JetStream stored",
    "gRPC calls",
)
OVERHEAD_HEADER = ("Simulation", "Concurrency", "Stack CPU", "Engine", "Chronicler", "Ratio")


def cpu_ms(value: float) -> str:
    return f"{value:.2f}"


def count(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def machine_line(share: dict[str, float]) -> str:
    """Other programs' CPU while the batches ran (a shared machine inflates the figures)."""
    return (
        f"While the batches ran ({share['seconds']:.0f} s) the machine was busy "
        f"{share['machine_busy_cores']:.2f} cores: the stack {share['stack_cores']:.2f}, this "
        f"benchmark {share['benchmark_cores']:.2f}, **other programs and kernel work "
        f"{share['other_cores']:.2f}** (1-minute load average {share['load_average_1m']:.1f}). "
        "Other load makes every call dearer (shared caches and cores): compare runs with "
        "little of it."
    )


def _latency(batch: dict[str, Any]) -> str:
    lat = batch.get("latency_ms") or {}
    if not lat:
        return "—"
    return f"{lat['p50']:.1f} / {lat['p95']:.1f} ms"


def cost_report(result: dict[str, Any]) -> str:
    batches: list[dict[str, Any]] = result["batches"]
    groups = group_order(result["groups"])
    cpu_rows = [
        [
            b["label"],
            str(b["concurrency"]),
            str(b["calls"]),
            str(b["failed"]),
            f"**{cpu_ms(b['cpu_ms']['total'])} ms**",
            *[cpu_ms(b["cpu_ms"].get(g, 0.0)) for g in groups],
            f"{b['calls_per_second']:.1f}",
            _latency(b),
        ]
        for b in batches
    ]
    count_rows = [
        [
            b["label"],
            str(b["concurrency"]),
            *[
                count(b["counts"][k])
                for k in (
                    "sql_statements",
                    "sql_transaction_control",
                    "transactions",
                    "rows_written",
                    "nats_in_msgs",
                    "nats_out_msgs",
                    "jetstream_stored",
                    "grpc_calls",
                )
            ],
        ]
        for b in batches
    ]
    overhead_rows = [
        [
            b["label"],
            str(b["concurrency"]),
            f"{b['cpu_ms']['total']:.2f} ms",
            f"{b['domain_ms']['engine']:.2f} ms",
            f"{b['domain_ms']['chronicler']:.2f} ms",
            f"**{ratio_text(b['overhead_ratio'])}**",
        ]
        for b in batches
        if b["call"] in SIMULATIONS
    ]
    overall = result["overhead"]
    overall_line = "; ".join(
        f"{COST_LABELS[call]}: **{ratio_text(overall[call]['ratio'])}**" for call in SIMULATIONS
    )
    idle = result["idle"]
    idle_rows = [[f"{idle['cpu_percent'].get(g, 0.0):.2f}" for g in groups]]
    statements_note = (
        "SQL statements: pg_stat_statements `calls` in the stack's database (top-level "
        "statements, BEGIN/COMMIT included; the BEGIN/COMMIT column counts those)."
        if result["statements_source"] == "pg_stat_statements"
        else f"SQL statements: **not counted** — {result['statements_source']}; transactions "
        "and rows come from pg_stat_database instead."
    )
    nats_note = (
        "NATS: the server's /varz `in_msgs` / `out_msgs` (every client message: publishes, "
        "acks, pull requests, deliveries) and /jsz `messages` (stored in the streams)."
        if result["nats_monitoring"]
        else "NATS: **not counted** (no monitoring endpoint known for this server)."
    )
    return "\n".join(
        [
            f"# Novel Engine cost per call — {result['started_at']}",
            "",
            calibration_line(result["calibration"]),
            "",
            f"Command: `{result['command']}`",
            "",
            context(result),
            machine_line(result["machine_share"]),
            "",
            "## Overhead ratio",
            "",
            "Whole-stack CPU per simulation divided by the CPU the engine and the chronicler "
            "spent on it, read in process from the services' `novel_domain_cpu_time_seconds` "
            "counter in the same readings.",
            "",
            table(OVERHEAD_HEADER, overhead_rows),
            "",
            f"Over all batches of each kind: {overall_line}.",
            "",
            "## CPU per call",
            "",
            "Milliseconds of CPU per call, per process group and in total (the gateway with "
            "its workers, PostgreSQL with all its backends, NATS), from each process's own "
            "CPU counters read before and after a batch of identical calls, net of the "
            "stack's idle background (below) over the batch's duration. Calls/s: the "
            "batch's rate on this shared machine (not a capacity figure). Latency: p50 / p95 "
            "wall time per call as the client saw it (at concurrency 1: an idle stack).",
            "",
            table([*COST_HEADER_START, *groups, "Calls/s", "Latency p50 / p95"], cpu_rows),
            "",
            "## Counts per call",
            "",
            "Taken from the systems themselves, before and after each batch, net of the idle "
            "background. " + statements_note + " Transactions: pg_stat_database "
            "`xact_commit + xact_rollback`; rows written: inserted + updated + deleted. "
            + nats_note
            + " gRPC calls: the services' `rpc_server_duration_seconds_count` (health checks "
            "left out).",
            "",
            table(COUNTS_HEADER, count_rows),
            "",
            *_simulation_detail(batches),
            "## Idle background",
            "",
            f"Two windows of {idle['seconds']:g} s with no calls, one after the warm-up and "
            "one after the batches; per figure the lower of the two rates (a tail of work "
            "or an autovacuum in one window is not background), taken off every batch in "
            "proportion to its duration. CPU % of one core:",
            "",
            table(groups, idle_rows),
            "",
            "Per second: "
            + ", ".join(
                f"{k.replace('_', ' ')} {count(v)}"
                for k, v in idle["per_second"].items()
                if v is not None
            )
            + ".",
            "",
        ]
    )


def _simulation_detail(batches: list[dict[str, Any]]) -> list[str]:
    """gRPC methods and the most frequent statements of one synchronous simulation."""
    first = next((b for b in batches if b["call"] == "simulation"), None)
    if first is None:
        return []
    where = f"{first['label']}, concurrency {first['concurrency']}"
    lines = [f"## One synchronous simulation in detail ({where})", ""]
    if first["grpc_methods"]:
        lines += [
            "gRPC calls per simulation: "
            + ", ".join(f"{m} {v:.2f}" for m, v in sorted(first["grpc_methods"].items()))
            + ".",
            "",
        ]
    if first["top_statements"]:
        rows = [[f"{v:.2f}", f"`{q.replace('|', '/')}`"] for q, v in first["top_statements"]]
        lines += [
            "Most frequent statements per simulation:",
            "",
            table(["Per simulation", "Statement"], rows),
            "",
        ]
    return lines
