"""`python -m chaos`: start the stack, load it, strike the faults, drain, check, report."""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from chaos.burst import BurstResult
from chaos.checks import Findings, check, secrets_in_logs
from chaos.faults import CHAOS_ENV, QUEUE_LIMIT, ChaosStack, Fault, Struck, run_schedule
from chaos.fuzz import run_property_tests, run_schemathesis, seed_fuzz_tenant
from chaos.load import Load, LoadResult
from chaos.readiness import (
    RECOVERY_SECONDS,
    Outage,
    ReadinessSampler,
    Sample,
    readiness_problems,
    recovery_seconds,
)
from novel_cli.stack import DEV_TENANT

SERVICES = ("gateway", "character", "simulation", "story")


def small_schedule() -> list[Fault]:
    """The bounded campaign `make test` runs: one of each kind of outage."""
    return [
        Fault(3, "fill", "work-queue"),
        Fault(8, "kill", "simulation"),
        Fault(16, "kill", "story"),
        Fault(24, "restart", "nats"),
        Fault(34, "stop", "postgres", 20),
    ]


def full_schedule(seconds: float, seed: int) -> list[Fault]:
    """Every fault of the campaign, one at a time, in a shuffled order over `seconds`."""
    rng = random.Random(seed)  # noqa: S311 (a reproducible schedule, not security)
    faults: list[tuple[str, str, float]] = [
        *((kind, s, 0.0) for s in SERVICES for kind in ("kill", "kill", "term")),
        ("restart", "nats", 0.0),
        ("stop", "nats", 30.0),
        ("restart", "postgres", 0.0),
        ("stop", "postgres", 30.0),
        # Past the 10 s ack wait: the second worker takes the run over, then it wakes.
        ("pause", "simulation", 15.0),
        ("fill", "work-queue", 0.0),
    ]
    rng.shuffle(faults)
    gap = (seconds - 10 - sum(f[2] for f in faults)) / len(faults)
    at, schedule = 5.0, []
    for action, target, held in faults:
        schedule.append(Fault(round(at, 1), action, target, held))
        at += held + gap * rng.uniform(0.6, 1.0)
    return schedule


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__)
    parser.add_argument("--small", action="store_true", help="the bounded campaign of make test")
    parser.add_argument("--seconds", type=float, help="load duration (default 60 small, 600)")
    parser.add_argument("--users", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--drain-seconds", type=float, default=300)
    parser.add_argument("--results-dir", type=Path, default=Path("chaos-results"))
    parser.add_argument(
        "--fuzz-examples",
        type=int,
        help="Schemathesis examples per route after the load (default 0 small, 60); "
        "the property tests run with a budget scaled to match",
    )
    args = parser.parse_args(argv)
    seconds = args.seconds or (60.0 if args.small else 600.0)
    faults = small_schedule() if args.small else full_schedule(seconds, args.seed)
    fuzz = args.fuzz_examples if args.fuzz_examples is not None else (0 if args.small else 60)
    out = args.results_dir / datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out.mkdir(parents=True, exist_ok=True)
    findings = campaign(out, faults, seconds, args.users, args.seed, args.drain_seconds, fuzz)
    print((out / "report.md").read_text())
    raise SystemExit(0 if findings.passed else 1)


def campaign(
    out: Path,
    faults: list[Fault],
    seconds: float,
    users: int,
    seed: int,
    drain: float,
    fuzz_examples: int = 0,
) -> Findings:
    run_dir = Path(tempfile.mkdtemp(prefix="novel-chaos-"))
    chaos = ChaosStack(run_dir, {})
    began = time.monotonic()
    try:
        chaos.start(replicas=2 if any(f.action == "pause" for f in faults) else 1)
        assert chaos.stack.database_url
        started = time.monotonic()
        done = threading.Event()
        struck: list[Struck] = []
        control = threading.Thread(
            target=run_schedule, args=(chaos, faults, started, done, struck), name="chaos-control"
        )
        sampler = ReadinessSampler(chaos.names, chaos.ready, started)
        sampling = threading.Thread(target=sampler.run, name="chaos-readiness")
        control.start()
        sampling.start()
        try:
            load = Load(chaos.stack.url, chaos.stack.key, users, seed)
            result = asyncio.run(load.run(seconds, started))
            _await_bursts(chaos, sum(f.action == "fill" for f in faults))
            for b in chaos.bursts:
                result.answers += b.answers
                result.accepted |= b.accepted
            findings = check(
                chaos.stack.database_url,
                DEV_TENANT,
                result.accepted,
                result.answers,
                drain,
                chaos.bursts,
            )
            _await_recovery(sampler, outages(struck), started)
            if fuzz_examples:
                findings.fuzzing = fuzz_at_depth(chaos, out, fuzz_examples, seed)
        finally:
            # Last: the servers and services the control thread restarted die with it.
            done.set()
            control.join()
            sampler.stop()
            sampling.join()
        findings.readiness_problems = readiness_problems(sampler.samples, outages(struck))
        shutil.copytree(run_dir / "logs", out / "logs", dirs_exist_ok=True)
        # The key's secret part (after ne_<id>_) and the database password, if any.
        secrets = [chaos.stack.key.split("_", 2)[2]]
        password = urlsplit(chaos.stack.database_url).password
        findings.secrets_in_logs = secrets_in_logs(out / "logs", [*secrets, password or ""])
    finally:
        chaos.stop()
        shutil.rmtree(run_dir, ignore_errors=True)
    write_report(
        out,
        seconds,
        users,
        struck,
        chaos.restarts,
        result,
        findings,
        began,
        sampler.samples,
        chaos.bursts,
    )
    return findings


def fuzz_at_depth(chaos: ChaosStack, out: Path, examples: int, seed: int) -> dict[str, str]:
    """After the faults, on the recovered stack: Schemathesis with `examples` per route,
    and the engine's and chronicler's property tests at a matching depth. Returns each
    one's verdict line; a failure names itself with "FAILED"."""
    assert chaos.stack.database_url
    key, ids = seed_fuzz_tenant(chaos.stack.url, chaos.stack.database_url)
    api = run_schemathesis(chaos.stack.url, key, out, max_examples=examples, ids=ids, seed=seed)
    props = run_property_tests(max(1, examples // 10), out)
    last = api.summary.strip().splitlines()[-1] if api.summary.strip() else ""
    return {
        "schemathesis": ("passed: " if api.passed else "FAILED: ") + last.strip("= "),
        "hypothesis": ("passed: " if props.passed else "FAILED: ") + props.summary.strip("= "),
    }


def _await_bursts(chaos: ChaosStack, expected: int, timeout: float = 120) -> None:
    """The bursts scheduled during the load have all been answered."""
    deadline = time.monotonic() + timeout
    while len(chaos.bursts) < expected and time.monotonic() < deadline:
        time.sleep(0.5)


def _await_recovery(sampler: ReadinessSampler, outages: list[Outage], started: float) -> None:
    """Keep sampling until every process was seen ready after the last outage (or the
    time it is given for that has passed)."""
    if not outages:
        return
    last = max(o.ended for o in outages)
    while time.monotonic() - started < last + RECOVERY_SECONDS:
        if recovery_seconds(sampler.samples, Outage("", last, last)) is not None:
            return
        time.sleep(0.5)


def outages(struck: list[Struck]) -> list[Outage]:
    """The faults that take NATS or PostgreSQL away (a restart, a stop)."""
    return [
        Outage(s.fault.target, s.started, s.ended)
        for s in struck
        if s.fault.target in ("nats", "postgres")
    ]


def _readiness_column(s: Struck, samples: list[Sample]) -> str:
    """How many samples found each process ready during the fault, and for an outage,
    how long after it every process was ready again."""
    during = [x for x in samples if s.started <= x.at <= s.ended]
    cells = []
    if s.ended - s.started >= 1 and during:
        names = sorted({n for x in during for n in x.ready})
        ready = ", ".join(f"{n} {sum(x.ready.get(n, False) for x in during)}" for n in names)
        cells.append(f"ready samples of {len(during)}: {ready}")
    if s.fault.target in ("nats", "postgres"):
        back = recovery_seconds(samples, Outage(s.fault.target, s.started, s.ended))
        cells.append("all ready again " + (f"after {back:.1f} s" if back is not None else "never"))
    return "; ".join(cells) or "-"


def write_report(
    out: Path,
    seconds: float,
    users: int,
    struck: list[Struck],
    restarts: list[str],
    result: LoadResult,
    findings: Findings,
    began: float,
    samples: list[Sample],
    bursts: list[BurstResult],
) -> None:
    statuses = Counter((a.route, a.status) for a in result.answers)
    refused = Counter(a.error for a in result.answers if a.status == 0)
    lines = [
        "# Chaos campaign",
        "",
        f"**Verdict: {'PASSED' if findings.passed else 'FAILED'}** — "
        f"{len(result.accepted)} simulations accepted (2xx/202 or the documented 504), "
        f"{result.synchronous_completed} synchronous runs answered with their story; "
        f"{findings.simulations} simulations in the database.",
        "",
        f"Load: {users} users for {seconds:.0f} s; drain {findings.drain_seconds:.0f} s; "
        f"whole run {time.monotonic() - began:.0f} s. Settings: "
        + ", ".join(f"`{k}={v}`" for k, v in CHAOS_ENV.items()),
        "",
        "## Faults",
        "",
        "| at (s) | fault | until (s) | readiness (/readyz, gRPC health) |",
        "|---|---|---|---|",
    ]
    for s in sorted(struck, key=lambda s: s.started):
        ready = _readiness_column(s, samples)
        lines.append(f"| {s.started:.1f} | {s.fault.describe()} | {s.ended:.1f} | {ready} |")
    lines += ["", "Supervisor: " + ("; ".join(restarts) or "no restarts"), ""]
    for n, b in enumerate(bursts, 1):
        lines += [
            f"Work queue filled (burst {n}): {len(b.answers)} starts at once against a "
            f"limit of {QUEUE_LIMIT} waiting; {len(b.accepted)} accepted, {len(b.refused)} "
            f"refused with 429/503 + Retry-After; deepest queue seen {b.peak_pending}.",
            "",
        ]
    lines += [
        "## Checks (from the databases)",
        "",
        "| check | result |",
        "|---|---|",
        f"| accepted simulations without a row (lost) | {len(findings.lost)} |",
        f"| simulations not in a terminal state after the drain | {len(findings.unfinished)} |",
        f"| final states | {dict(findings.by_status)} |",
        f"| completed without exactly one complete story, chapters 1..n | "
        f"{len(findings.story_problems)} |",
        f"| turns stored twice or missing | {len(findings.turn_problems)} |",
        f"| 500s, 5xx without Retry-After, 429/503 without Retry-After | "
        f"{len(findings.bad_answers)} |",
        f"| starts given up after 2 minutes of retries | {result.gave_up} |",
        f"| SSE streams by how they ended | {dict(result.streams)} |",
        f"| log files holding an API key's secret or a password | "
        f"{len(findings.secrets_in_logs)} |",
        f"| outages a process stayed ready through, or not ready again after | "
        f"{len(findings.readiness_problems)} |",
        f"| work-queue bursts not refused past the limit, refused starts that left a "
        f"simulation | {len(findings.queue_fill_problems)} |",
        *(f"| fuzzing: {name} | {verdict} |" for name, verdict in findings.fuzzing.items()),
        "",
        "## Responses",
        "",
        "| route | status | count |",
        "|---|---|---|",
    ]
    for (route, status), count in sorted(statuses.items()):
        lines.append(f"| {route} | {status or 'no answer'} | {count} |")
    if refused:
        lines += [
            "",
            "No HTTP answer (gateway restarting): "
            + ", ".join(f"{k}: {v}" for k, v in refused.items()),
        ]
    examples = findings.lost[:5] + findings.unfinished[:5] + findings.story_problems[:5]
    examples += findings.turn_problems[:5] + [str(a) for a in findings.bad_answers[:5]]
    examples += findings.readiness_problems[:5] + findings.queue_fill_problems[:5]
    if examples:
        lines += ["", "## Examples of what failed", "", *(f"- {e}" for e in examples)]
    (out / "report.md").write_text("\n".join(lines) + "\n")
    (out / "results.json").write_text(
        json.dumps(
            {
                "passed": findings.passed,
                "accepted": len(result.accepted),
                "synchronous_completed": result.synchronous_completed,
                "simulations": findings.simulations,
                "by_status": dict(findings.by_status),
                "lost": findings.lost,
                "unfinished": findings.unfinished,
                "story_problems": findings.story_problems,
                "turn_problems": findings.turn_problems,
                "bad_answers": [asdict(a) for a in findings.bad_answers],
                "gave_up": result.gave_up,
                "streams": dict(result.streams),
                "secrets_in_logs": findings.secrets_in_logs,
                "readiness_problems": findings.readiness_problems,
                "queue_fill_problems": findings.queue_fill_problems,
                "fuzzing": findings.fuzzing,
                "bursts": [
                    {
                        "starts": len(b.answers),
                        "accepted": len(b.accepted),
                        "refused": len(b.refused),
                        "peak_pending": b.peak_pending,
                        "limit": QUEUE_LIMIT,
                    }
                    for b in bursts
                ],
                "faults": [
                    {**asdict(s.fault), "started": s.started, "ended": s.ended} for s in struck
                ],
                "responses": {f"{r} {s}": c for (r, s), c in statuses.items()},
            },
            indent=2,
        )
    )
