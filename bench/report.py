"""The Markdown report and the tables in it."""

from __future__ import annotations

from typing import Any

from bench.calibration import calibration_line
from bench.drift import SPAN_RULE
from bench.overhead import ratio_text
from bench.scenario import ACTIONS, ENDPOINTS, LABELS

SUMMARY_HEADER = ("Users", "Success", "p50", "p95", "p99", "Throughput", "Stories/min", "CPU")
STORIES_HEADER = (
    "Simulation workers",
    "Stories",
    "Failed",
    "Stories/min",
    "vs first",
    "p50",
    "p95",
    "CPU",
    "Overhead ratio",
)
ENDPOINT_HEADER: tuple[str, ...] = ("Users", "Endpoint", "Requests", "Success", "p50", "p95")
ENDPOINT_HEADER += ("p99", "Max", "Rate", "Errors")
DRIFT_HEADER = ("Users", "Process", "RSS MiB", "PSS MiB", "Processes")
VERDICT_HEADER = ("Users", "Process", "RSS change", "PSS change", "Within")
SERVICE_ORDER = ("gateway", "character", "simulation", "story", "postgresql", "nats")
BENCH_GROUPS = ("load generator", "coordinator")
MACHINE = ("machine", "other")
# "other" CPU (no measured process) above this share of one core: someone else's load.
SHARED_OTHER_PERCENT = 25.0


def table(header: tuple[str, ...] | list[str], rows: list[list[str]]) -> str:
    """A Markdown table, padded so that it also reads well in a terminal."""
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]

    def line(cells: tuple[str, ...] | list[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return "\n".join(
        [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
        + [line(r) for r in rows]
    )


def ms(value: float) -> str:
    if value >= 10_000:
        return f"{value / 1000:.1f} s"
    return f"{value:.1f} ms" if value < 10 else f"{value:.0f} ms"


def change(value: float | None) -> str:
    return "-" if value is None else f"{value:+.1f} %"


def pct(value: float | None) -> str:
    if value is None:
        return "-"
    return "100 %" if value == 100 else f"{value:.2f} %"


def errors_text(errors: dict[str, int]) -> str:
    return ", ".join(f"{kind} x{n}" for kind, n in errors.items()) or "-"


def group_order(names: list[str]) -> list[str]:
    known = [n for n in SERVICE_ORDER if n in names]
    replicas = sorted(n for n in names if n not in SERVICE_ORDER and n not in BENCH_GROUPS)
    return known[:3] + replicas + known[3:] + [n for n in BENCH_GROUPS if n in names]


def machine_cpu(machine: dict[str, float]) -> str:
    steal = machine.get("steal_percent", 0.0)
    text = f"{machine['cpu_percent']:.0f} %"
    return text + (f" (steal {steal:.0f} %)" if steal >= 0.5 else "")


def summary_rows(steps: list[dict[str, Any]]) -> list[list[str]]:
    rows = []
    for step in steps:
        o = step["overall"]
        machine = step["resources"]["machine"]["cpu_percent"]
        rows.append(
            [
                str(step["users"]),
                pct(o["success_percent"]),
                ms(o["p50_ms"]),
                ms(o["p95_ms"]),
                ms(o["p99_ms"]),
                f"{o['throughput_per_s']:.1f} req/s",
                f"{step['stories_per_minute']:.1f}",
                f"{machine:.0f} %",
            ]
        )
    return rows


def load_report(result: dict[str, Any]) -> str:
    steps: list[dict[str, Any]] = result["steps"]
    cap = result["capacity"]
    parts = [
        f"# Novel Engine load benchmark — {result['started_at']}",
        "",
        calibration_line(result["calibration"]),
        "",
        f"Command: `{result['command']}`",
        "",
        context(result),
        *([soak_section(result["soak"])] if "soak" in result else []),
        "## Summary",
        "",
        "Users: concurrent virtual users. Success, p50/p95/p99 (failures included) and "
        "Throughput (completed per second) are over the user actions, a story generation "
        "counting as one (POST /v1/simulations to the end of its event stream). CPU: the "
        "whole machine's busy share of all its cores, load generator included.",
        "",
        table(SUMMARY_HEADER, summary_rows(steps)),
        "",
        capacity_line(cap),
        "",
        overhead_line(steps),
        "",
        "## Per endpoint",
        "",
        table(
            ENDPOINT_HEADER,
            [
                [
                    str(step["users"]),
                    LABELS[ep] + ("" if ep in ACTIONS else " (part of story)"),
                    str(e["requests"]),
                    pct(e["success_percent"]),
                    ms(e["p50_ms"]),
                    ms(e["p95_ms"]),
                    ms(e["p99_ms"]),
                    ms(e["max_ms"]),
                    f"{e['throughput_per_s']:.1f}/s",
                    errors_text(e["errors"]),
                ]
                for step in steps
                for ep in ENDPOINTS
                for e in [step["endpoints"][ep]]
            ],
        ),
        "",
        resources_section(steps, result["processes"]),
        accounting_section(result),
    ]
    return "\n".join(parts)


def overhead_line(steps: list[dict[str, Any]]) -> str:
    """Per step: the whole stack's CPU over the engine's and the chronicler's."""
    ratios = ", ".join(
        f"{s['users']} users {ratio_text(s.get('overhead', {}).get('ratio'))}" for s in steps
    )
    return (
        "Overhead ratio (whole-stack CPU in the step, every request included, divided by "
        f"the CPU the engine and the chronicler spent in it, read in process): {ratios}."
    )


def capacity_line(cap: dict[str, Any]) -> str:
    rule = f"≥ {cap['success_percent']} % success with p95 < {cap['p95_ms']:.0f} ms"
    if cap["users"] is None:
        line = f"**Capacity: no step met {rule}** (overall p95, stories included)."
    else:
        line = f"**Capacity: {cap['users']} users** (the most users served at {rule})."
    reads = cap["users_reads"]
    return line + (
        f" Judged by the GET requests' p95 instead (overall success unchanged): "
        f"{'no step' if reads is None else f'{reads} users'}."
    )


def resources_section(steps: list[dict[str, Any]], processes: dict[str, str]) -> str:
    names = group_order([n for n in steps[0]["resources"] if n not in MACHINE]) if steps else []
    label = {"users": "Users"}
    cpu_rows = [
        [str(s["users"])]
        + [f"{s['resources'][n]['cpu_percent']:.0f}" for n in [*names, "other"]]
        + [machine_cpu(s["resources"]["machine"])]
        for s in steps
    ]
    mem_rows = [
        [str(s["users"])]
        + [
            f"{s['resources'][n]['rss_mib']:.0f} / {s['resources'][n]['pss_mib']:.0f}"
            for n in names
        ]
        for s in steps
    ]
    lag_rows = [
        [
            str(s["users"]),
            f"{s['resources'].get('load generator', {}).get('cpu_percent', 0):.0f} %",
            ms(s["loadgen_lag"]["p99_ms"]),
            ms(s["loadgen_lag"]["max_ms"]),
        ]
        for s in steps
    ]
    counts = {
        name: max((s["resources"].get(name, {}).get("processes", 0) for s in steps), default=0)
        for name in processes
    }
    where = "\n".join(
        f"- {name}: {origin}; {counts[name]} process(es)" for name, origin in processes.items()
    )
    return "\n".join(
        [
            "## Processes",
            "",
            "CPU % of one core (100 = one core busy), per process group over each measured "
            "window, children included (the gateway's workers, PostgreSQL's backends); "
            "other: busy CPU no measured process used (other programs, kernel network "
            "work); machine: busy share of all cores (and the hypervisor's steal, if any).",
            "",
            table([label["users"], *names, "other", "machine"], cpu_rows),
            "",
            "Peak memory, RSS / PSS MiB (PSS splits shared pages, so it adds up over "
            "PostgreSQL's processes where RSS overcounts):",
            "",
            table([label["users"], *names], mem_rows),
            "",
            drift_section(steps, names),
            "The load generator shares the machine; its own CPU, and how late its event "
            "loop woke up (a lag of more than a few ms would inflate the latencies above):",
            "",
            table(["Users", "Generator CPU", "Loop lag p99", "Loop lag max"], lag_rows),
            "",
            "Where the processes came from:",
            "",
            where,
            "",
        ]
    )


def drift_section(steps: list[dict[str, Any]], names: list[str]) -> str:
    """Memory over each step: start → end (change), from bench.drift.memory_drift."""
    steps = [s for s in steps if "memory_drift" in s]
    if not steps:
        return ""
    rows = []
    for s in steps:
        groups = s["memory_drift"]["groups"]
        for name in [n for n in names if n in groups]:
            g = groups[name]
            rows.append(
                [
                    str(s["users"]),
                    name,
                    _from_to(g["rss_start_mib"], g["rss_end_mib"], g["rss_change_percent"]),
                    _from_to(g["pss_start_mib"], g["pss_end_mib"], g["pss_change_percent"]),
                    _from_to(g["processes_start"], g["processes_end"], None),
                ]
            )
    spans = []
    for s in steps:
        d = s["memory_drift"]
        spans.append(
            f"- {s['users']} users ({d['window_seconds']:.0f} s window, span "
            f"{d['span_seconds']:.1f} s): start = {_span_text(d['start'])}, "
            f"end = {_span_text(d['end'])}"
        )
    return "\n".join(
        [
            "Memory over the step: start → end (change), RSS and PSS MiB, each end the mean "
            f"of the samples (one a second) in {SPAN_RULE}. Processes: mean count in the "
            "same spans (PostgreSQL's backends come and go with the connections).",
            "",
            table(DRIFT_HEADER, rows),
            "",
            "Spans averaged (seconds from the start of the measured window):",
            "",
            *spans,
            "",
        ]
    )


def _from_to(start: float | None, end: float | None, percent: float | None) -> str:
    if start is None or end is None:
        return "-"
    text = f"{start:.0f} → {end:.0f}"
    return text if percent is None else f"{text} ({change(percent)})"


def _span_text(span: dict[str, Any]) -> str:
    if not span["samples"]:
        return "no sample"
    return f"mean of {span['samples']} sample(s) at {span['from_s']:.1f} to {span['to_s']:.1f} s"


def soak_section(soak: dict[str, Any]) -> str:
    tol = f"±{soak['tolerance_percent']:g} %"
    order = group_order(sorted({r["group"] for r in soak["groups"]}))
    rows = [
        [
            str(r["users"]),
            r["group"],
            change(r["rss_change_percent"]),
            change(r["pss_change_percent"]),
            "yes" if r["flat"] else "**no**",
        ]
        for r in sorted(soak["groups"], key=lambda r: (r["step"], order.index(r["group"])))
    ]
    setting = (
        f"{', '.join(map(str, soak['users']))} users, {soak['step_seconds']:g} s measured "
        f"after a {soak['ramp_seconds']:g} s ramp"
    )
    lines = [
        "## Soak verdict",
        "",
        'The issue: "A 10-minute soak at 200 users: memory of every process flat within '
        f'10%, zero failed requests". This run: {setting}.',
    ]
    if not soak["as_issue"]:
        lines[-1] += " **Not the issue's setting**: the verdict is for this run only."
    failing = sorted({r["group"] for r in soak["groups"] if not r["flat"]})
    lines += [
        "",
        "Memory change from the start to the end of the step (see Processes for the spans "
        f"averaged), judged within {tol} on PSS (RSS counts PostgreSQL's shared pages once "
        "per backend). The load generator and the coordinator are the benchmark itself "
        "and are not judged.",
        "",
        table(VERDICT_HEADER, rows),
        "",
        f"- Memory flat within {tol}: **{_yes(soak['memory_flat'])}**"
        + (f" (not: {', '.join(failing)})" if failing else ""),
        f"- Zero failed requests: **{_yes(soak['no_failures'])}** "
        f"({soak['failed_requests']} of {soak['requests']} requests failed, ramps and the "
        "end of the run included)",
    ]
    if not soak["complete"]:
        lines.append("- The run was cut short: **not a complete soak**.")
    lines += ["", f"**{soak_verdict_line(soak)}**", ""]
    return "\n".join(lines)


def soak_verdict_line(soak: dict[str, Any]) -> str:
    """One line, also printed at the very end of a soak run."""
    tol = f"±{soak['tolerance_percent']:g} %"
    memory = (
        f"memory within {tol} for all {len({r['group'] for r in soak['groups']})} process groups"
        if soak["memory_flat"]
        else f"memory NOT within {tol} for "
        + (", ".join(sorted({r["group"] for r in soak["groups"] if not r["flat"]})) or "-")
    )
    failures = f"{soak['failed_requests']} of {soak['requests']} requests failed"
    cut = "" if soak["complete"] else ", run cut short"
    return (
        f"Soak verdict: {'HOLDS' if soak['holds'] else 'DOES NOT HOLD'} — {memory}, {failures}{cut}"
    )


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def accounting_section(result: dict[str, Any]) -> str:
    a = result["accounting"]
    return "\n".join(
        [
            "## Accounting",
            "",
            f"Every request is counted once: {a['total']} requests in all, {a['in_steps']} "
            f"started in the measured windows, {a['in_ramps']} during the ramps "
            f"({a['failed_in_ramps']} of them failed), {a['other']} outside both. "
            f"Requests still running at the end were waited for (up to "
            f"{a['drain_seconds']:.0f} s); {a['cancelled']} were cut off.",
            "",
        ]
    )


def context(result: dict[str, Any]) -> str:
    m = result["machine"]
    settings = result["settings"]
    target = result["target"]
    lines = [
        "## Setup",
        "",
        f"- Machine: {m['logical_cores']} logical cores ({m['cpu_model']}), "
        f"{m['memory_gib']} GiB, Linux {m['kernel']}, Python {result['python']}",
        f"- Stack: {target['origin']} ({target['url']})",
    ]
    if target["settings"]:
        env = ", ".join(f"{k}={v}" for k, v in target["settings"].items())
        lines.append(f"- Service settings: {env}")
    lines += [f"- {key}: {value}" for key, value in settings.items()]
    if result.get("interrupted"):
        lines.append("- **Interrupted**: only the steps shown were run.")
    return "\n".join([*lines, ""])


def stories_report(result: dict[str, Any]) -> str:
    runs: list[dict[str, Any]] = result["runs"]
    rows = [
        [
            str(r["simulation_workers"]),
            str(r["story"]["ok"]),
            str(r["story"]["failed"]),
            f"{r['stories_per_minute']:.1f}",
            "-" if r.get("vs_first") is None else f"{r['vs_first']:.2f}x",
            ms(r["story"]["p50_ms"]),
            ms(r["story"]["p95_ms"]),
            f"{r['resources']['machine']['cpu_percent']:.0f} %",
            ratio_text(r.get("overhead", {}).get("ratio")),
        ]
        for r in runs
    ]
    ratio = result["scaling_ratio"]
    ratio_line = (
        f"**Scaling ratio: {ratio:.2f}x** ({runs[-1]['simulation_workers']} workers over "
        f"{runs[0]['simulation_workers']})."
        if ratio is not None
        else "Scaling ratio: - (needs two worker counts on a stack the benchmark started)."
    )
    names = group_order([n for n in runs[-1]["resources"] if n not in MACHINE]) if runs else []
    cpu_rows = [
        [str(r["simulation_workers"])]
        + [f"{r['resources'].get(n, {}).get('cpu_percent', 0):.0f}" for n in [*names, "other"]]
        + [machine_cpu(r["resources"]["machine"])]
        for r in runs
    ]
    errors = [
        f"- {r['simulation_workers']} worker(s): {errors_text(r['story']['errors'])}" for r in runs
    ]
    other = max((r["resources"].get("other", {}).get("cpu_percent", 0.0) for r in runs), default=0)
    shared = (
        [
            f"**The machine was shared**: CPU no measured process used reached {other:.0f} % "
            "of one core (other programs): the stack did not have the cores to itself, so "
            "neither stories/min nor the ratios are to be trusted.",
            "",
        ]
        if other > SHARED_OTHER_PERCENT
        else []
    )
    return "\n".join(
        [
            f"# Novel Engine story throughput — {result['started_at']}",
            "",
            calibration_line(result["calibration"]),
            "",
            f"Command: `{result['command']}`",
            "",
            context(result),
            "## Stories per minute",
            "",
            "Complete stories (story event received) per minute over the measured window, "
            "each story 4 characters x 5 turns through the async API, with a fixed number "
            "of clients each starting the next story as soon as one ends. p50/p95: POST to "
            "the end of the event stream. vs first: stories/min over the first row's. "
            "Overhead ratio: the whole stack's CPU in the window divided by the CPU the "
            "engine and the chronicler spent in it (read in process).",
            "",
            table(STORIES_HEADER, rows),
            "",
            ratio_line,
            "",
            "CPU % of one core per process group (machine: share of all cores):",
            "",
            table(["Simulation workers", *names, "other", "machine"], cpu_rows),
            "",
            *shared,
            "Errors:",
            "",
            *errors,
            "",
        ]
    )
