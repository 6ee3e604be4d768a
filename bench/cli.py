"""`python -m bench`: the load benchmark (default), the story-throughput benchmark
(--stories) or the cost per call (--cost)."""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import signal
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench import report
from bench.calibration import calibrate
from bench.cgroup import CpuLimits, CpuLimitUnavailable
from bench.cost import CALLS, DEFAULT_CALLS, CostRun, CostSettings, parse_calls
from bench.cost_report import cost_report
from bench.drift import SOAK_TOLERANCE_PERCENT, memory_drift, soak_verdict
from bench.driver import LoadRun, run_steps
from bench.llm import llm_report, run_llm
from bench.overhead import StackMeter, StackReading, overhead
from bench.procs import Group, Sampler, machine_info
from bench.scenario import ACTIONS, MIXES, Scenario, parse_counts, parse_weights
from bench.stats import Window, capacity, lag_stats, step_stats, write_requests
from bench.target import Target, existing_stack, start_stack

DEFAULT_STEPS = "10,25,50,100,200,500,1000"
# The soak: 200 users held for 10 minutes after a 30 s ramp.
SOAK_DEFAULTS = {"users": "200", "step_seconds": 600.0, "ramp_seconds": 30.0}


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="Load benchmark of Novel Engine: virtual users in steps, every request "
        "counted; or, with --stories, story throughput with 1 and 2 simulation workers; or, "
        "with --cost, the CPU per call of every process and the counts behind it.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    load = p.add_argument_group("load benchmark")
    load.add_argument("--users", type=parse_counts, default=DEFAULT_STEPS, help="user steps")
    load.add_argument("--step-seconds", type=float, default=30.0, help="measured time per step")
    load.add_argument("--ramp-seconds", type=float, default=10.0, help="ramp before each step")
    load.add_argument("--think-min", type=float, default=1.0, help="think time, seconds")
    load.add_argument("--think-max", type=float, default=5.0)
    load.add_argument(
        "--mix",
        choices=sorted(MIXES),
        default="default",
        help="workload preset: default = equal shares of every action; seed = the old "
        "assessment's (equal shares of the three GETs and the synchronous POST "
        "/simulations, no async story)",
    )
    load.add_argument(
        "--weights",
        default="",
        help=f"action weights on top of the mix, e.g. health=1,story=2 (actions: "
        f"{', '.join(ACTIONS)}; unnamed ones keep the mix's)",
    )
    load.add_argument("--characters", type=_range, default="2-4", help="characters per run")
    load.add_argument("--turns", type=_range, default="2-5", help="turns per run")
    load.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    load.add_argument(
        "--story-timeout",
        type=float,
        default=120.0,
        help="sync POST /simulations, and a story generation from POST to its end",
    )
    load.add_argument("--generators", type=int, default=1, help="load-generator processes")
    load.add_argument("--seed", type=int, default=None, help="seed the users' choices")
    load.add_argument("--capacity-success", type=float, default=99.9, help="percent")
    load.add_argument("--capacity-p95-ms", type=float, default=200.0)
    load.add_argument(
        "--soak",
        action="store_true",
        help="soak preset: --users 200 --step-seconds 600 --ramp-seconds 30 unless given, "
        f"and a verdict: memory within ±{SOAK_TOLERANCE_PERCENT:g} %% (end vs start of the "
        "step) and no failed request",
    )
    stories = p.add_argument_group("story throughput (--stories)")
    stories.add_argument("--stories", action="store_true", help="run the story benchmark")
    stories.add_argument("--stories-seconds", type=float, default=120.0, help="measured time")
    stories.add_argument("--stories-warmup", type=float, default=15.0, help="unmeasured start")
    stories.add_argument("--stories-clients", type=int, default=32, help="concurrent clients")
    stories.add_argument(
        "--stories-workers",
        "--workers",
        type=parse_counts,
        default="1,2",
        help="simulation processes",
    )
    stories.add_argument(
        "--cpu-limit",
        type=float,
        default=None,
        metavar="CORES",
        help="hold each simulation worker to this many cores (cgroup v1 cpu quota; needs "
        "root); the rest of the stack keeps its CPU. E.g. --cpu-limit 0.25 --workers 1,2,3",
    )
    cost = p.add_argument_group("cost per call (--cost)")
    cost.add_argument(
        "--cost",
        action="store_true",
        help="CPU per call per process and in total, and the counts per call (SQL, "
        "transactions, NATS messages, gRPC calls)",
    )
    cost.add_argument(
        "--cost-calls",
        type=parse_calls,
        default="",
        help="calls per batch, e.g. health=100,simulation=20 (kinds: "
        f"{', '.join(CALLS)}; defaults "
        f"{','.join(f'{k}={v}' for k, v in DEFAULT_CALLS.items())})",
    )
    cost.add_argument(
        "--cost-concurrency", type=parse_counts, default="1,8", help="calls in flight"
    )
    cost.add_argument("--cost-warmup", type=int, default=10, help="unmeasured calls per kind")
    cost.add_argument(
        "--cost-idle-seconds",
        type=float,
        default=5.0,
        help="idle window that gives the background rates taken off each batch",
    )
    cost.add_argument(
        "--cost-settle-seconds", type=float, default=0.3, help="wait after a batch's last call"
    )
    llm = p.add_argument_group("model calls (--llm)")
    llm.add_argument(
        "--llm",
        action="store_true",
        help="model calls/s through one simulation process, the model a scripted server",
    )
    llm.add_argument("--llm-delay", type=float, default=0.5, help="seconds added per call")
    llm.add_argument("--llm-simulations", type=int, default=240, help="concurrent clients")
    llm.add_argument("--llm-turns", type=int, default=10, help="turns per simulation")
    llm.add_argument(
        "--llm-warmup",
        type=float,
        default=30.0,
        help="unmeasured start (the ramp: 0.1 s per client)",
    )
    llm.add_argument("--llm-seconds", type=float, default=40.0, help="measured time")
    llm.add_argument(
        "--llm-model-step",
        default="answer",
        help="what the scripted model does on every call: answer, malformed, illegal, hang, "
        "status:500, status:429:1 (a failing model: every run must still complete)",
    )
    stack = p.add_argument_group("the stack")
    stack.add_argument("--gateway-url", help="benchmark a running stack instead of starting one")
    stack.add_argument("--api-key", help="with --gateway-url (default: make up's dev key)")
    stack.add_argument(
        "--database-url",
        default=os.environ.get("NE_DATABASE_URL"),
        help="an existing PostgreSQL server (a database of the run's own is made on it); "
        "default NE_DATABASE_URL, else a local server is started",
    )
    stack.add_argument(
        "--nats-url",
        default=os.environ.get("NE_NATS_URL"),
        help="an existing NATS; default NE_NATS_URL, else a local server is started",
    )
    stack.add_argument(
        "--nats-monitor-url",
        default=None,
        help="with --nats-url: its monitoring endpoint (http://host:8222), for --cost's "
        "message counts (a NATS the run starts is known)",
    )
    stack.add_argument("--gateway-workers", type=int, default=1, help="NE_HTTP_WORKERS")
    stack.add_argument(
        "--simulation-workers", type=int, default=1, help="simulation service processes"
    )
    stack.add_argument(
        "--simulation-concurrency",
        type=int,
        default=None,
        help="NE_SIMULATION_WORKERS: simulations one process runs at once (service default)",
    )
    p.add_argument("--results-dir", type=Path, default=Path("bench-results"))
    # --soak changes the defaults only: options given explicitly still win.
    if p.parse_known_args(argv)[0].soak:
        p.set_defaults(**SOAK_DEFAULTS)
    args = p.parse_args(argv)
    try:
        args.weights = parse_weights(args.weights, args.mix)
    except ValueError as exc:
        p.error(str(exc))
    if sum((args.soak, args.stories, args.cost, args.llm)) > 1:
        p.error("--soak, --stories, --cost and --llm are separate benchmarks")
    if args.llm and args.gateway_url:
        p.error("--llm needs a stack it starts (pointed at the scripted model)")
    if args.cost and args.gateway_url:
        p.error("--cost needs a stack it starts (it reads the services' metrics ports)")
    if args.cpu_limit is not None and (not args.stories or args.gateway_url):
        p.error("--cpu-limit is for --stories on a stack the benchmark starts")
    if args.cost_warmup < 0 or args.cost_idle_seconds <= 0 or args.cost_settle_seconds < 0:
        p.error("--cost-warmup and --cost-settle-seconds must be >= 0, --cost-idle-seconds > 0")
    if not 0 <= args.think_min <= args.think_max:
        p.error("--think-min must be between 0 and --think-max")
    if min(args.generators, args.gateway_workers, args.simulation_workers) < 1:
        p.error("process counts must be at least 1")
    return args


def _range(text: str) -> tuple[int, int]:
    low, _, high = text.partition("-")
    bounds = (int(low), int(high or low))
    if not 1 <= bounds[0] <= bounds[1]:
        raise ValueError("expected a range like 2-4")
    return bounds


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    # SIGTERM as Ctrl-C: end the steps early, still write the report, stop the stack.
    signal.signal(signal.SIGTERM, _interrupt)
    limits = None
    if args.cpu_limit is not None:
        try:
            limits = CpuLimits(args.cpu_limit)
        except (CpuLimitUnavailable, ValueError) as exc:
            print(f"python -m bench: {exc}", file=sys.stderr)
            return 2
    started = datetime.now(UTC)
    suffix = (
        "-stories"
        if args.stories
        else "-soak"
        if args.soak
        else "-cost"
        if args.cost
        else "-llm"
        if args.llm
        else ""
    )
    out = args.results_dir / (started.strftime("%Y%m%d-%H%M%S") + suffix)
    out.mkdir(parents=True, exist_ok=True)
    _raise_open_files_limit()
    _say("calibration loop (20 M additions)...")
    calibration = calibrate()
    _say(f"calibration: {calibration['cpu_seconds']:.2f} s CPU")
    base: dict[str, Any] = {
        "started_at": started.isoformat(timespec="seconds"),
        "command": shlex.join(["python", "-m", "bench", *argv]),
        "python": platform.python_version(),
        "machine": machine_info(),
        "calibration": calibration,
    }
    if args.llm:
        result = {"kind": "llm", **base, **run_llm(args, out)}
        text = llm_report(result)
        (out / "results.json").write_text(json.dumps(result, indent=2) + "\n")
        (out / "report.md").write_text(text)
        print(text)
        print(f"Report: {out / 'report.md'}   Data: {out / 'results.json'}", flush=True)
        return 0
    target = _open_target(args, out, min(args.stories_workers) if args.stories else None)
    try:
        if args.stories:
            result = {"kind": "stories", **base, **_stories(args, target, out, limits)}
        elif args.cost:
            result = {"kind": "cost", **base, **_cost(args, target)}
        else:
            result = {"kind": "load", **base, **_load(args, target, out)}
    finally:
        target.close()
        if limits is not None:
            limits.release()
    (out / "results.json").write_text(json.dumps(result, indent=2) + "\n")
    if args.stories:
        text = report.stories_report(result)
    elif args.cost:
        text = cost_report(result)
    else:
        text = report.load_report(result)
    (out / "report.md").write_text(text)
    print(text)
    print(f"Report: {out / 'report.md'}   Data: {out / 'results.json'}", flush=True)
    if "soak" in result:
        print(report.soak_verdict_line(result["soak"]), flush=True)
    return 0


def _open_target(args: argparse.Namespace, out: Path, workers: int | None) -> Target:
    if args.gateway_url:
        return existing_stack(args.gateway_url, args.api_key, args.database_url, args.nats_url)
    _say("starting the stack (production settings)...")
    target = start_stack(
        results_dir=out,
        database_url=args.database_url,
        nats_url=args.nats_url,
        gateway_workers=args.gateway_workers,
        simulation_workers=workers or args.simulation_workers,
        simulation_concurrency=args.simulation_concurrency,
        pg_stat_statements=args.cost,
        simulation_replicas=max(args.stories_workers) if args.stories else 1,
    )
    if args.nats_monitor_url:
        target.nats_monitor_url = args.nats_monitor_url.rstrip("/")
    _say(f"stack up at {target.url}")
    return target


def _scenario(args: argparse.Namespace, target: Target, **changes: Any) -> Scenario:
    response = httpx.get(
        f"{target.url}/characters",
        headers={"Authorization": f"Bearer {target.key}"},
        timeout=10,
    )
    response.raise_for_status()
    ids = tuple(sorted(response.json()["characters"]))
    fields: dict[str, Any] = {
        "base_url": target.url,
        "api_key": target.key,
        "character_ids": ids,
        "weights": args.weights,
        "think_min": args.think_min,
        "think_max": args.think_max,
        "characters_min": args.characters[0],
        "characters_max": args.characters[1],
        "turns_min": args.turns[0],
        "turns_max": args.turns[1],
        "timeout": args.timeout,
        "story_timeout": args.story_timeout,
        "seed": args.seed,
        **changes,
    }
    if len(ids) < fields["characters_max"]:
        raise SystemExit(f"the tenant has {len(ids)} characters; the scenario needs more")
    return Scenario(**fields)


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "Steps (users)": ", ".join(map(str, args.users)),
        "Per step": f"{args.ramp_seconds:g} s ramp, then {args.step_seconds:g} s measured",
        "Think time": f"{args.think_min:g}-{args.think_max:g} s",
        "Mix": args.mix,
        "Weights": ", ".join(f"{n}={w:g}" for n, w in args.weights),
        "Simulations": f"{args.characters[0]}-{args.characters[1]} characters, "
        f"{args.turns[0]}-{args.turns[1]} turns",
        "Timeouts": f"{args.timeout:g} s per request, {args.story_timeout:g} s for "
        "POST /simulations and a story generation",
        "Load generator": f"{args.generators} process(es), asyncio + uvloop + aiohttp",
        "Gateway workers": args.gateway_workers,
        "Simulation workers": args.simulation_workers,
    }


def _load(args: argparse.Namespace, target: Target, out: Path) -> dict[str, Any]:
    scenario = _scenario(args, target)
    sampler = Sampler(
        [
            *target.groups,
            Group("coordinator", [os.getpid()], children=False, origin="this benchmark"),
        ]
    )
    sampler.start()
    run = LoadRun(scenario, args.generators, max(args.users))
    sampler.add(Group("load generator", run.pids, children=False, origin="this benchmark"))
    total = len(args.users) * (args.ramp_seconds + args.step_seconds)
    _say(f"{len(args.users)} steps, about {total / 60:.1f} min; every line is one step")

    meter = StackMeter(target)
    opened: list[StackReading] = []
    overheads: dict[float, dict[str, Any]] = {}

    def progress(window: Window) -> None:
        overheads[window.start] = overhead(opened[-1], meter.read())
        s = step_stats(run.snapshot(), window)
        o = s["overall"]
        cpu = sampler.window(window.start, window.end)["machine"]["cpu_percent"]
        _say(
            f"{window.users:>5} users: {o['requests']} requests, {o['failed']} failed, "
            f"p95 {report.ms(o['p95_ms'])} (so far), {o['throughput_per_s']:.1f} req/s, "
            f"{s['stories_per_minute']:.1f} stories/min, CPU {cpu:.0f} %"
        )

    windows, interrupted = run_steps(
        run,
        args.users,
        step_seconds=args.step_seconds,
        ramp_seconds=args.ramp_seconds,
        on_step=progress,
        on_window_start=lambda: opened.append(meter.read()),
    )
    # Interrupted: no waiting; what is still running is recorded as "cancelled".
    drain = 0.0 if interrupted else max(args.timeout, args.story_timeout) + 5
    _say("interrupted: stopping" if interrupted else "waiting for the requests still running...")
    run.stop(drain)
    sampler.stop()
    records = run.records
    write_requests(out / "requests.csv", records, windows)
    steps = []
    for window in windows:
        step = step_stats(records, window)
        step["resources"] = sampler.window(window.start, window.end)
        step["loadgen_lag"] = lag_stats([x for lags in run.lags.values() for x in lags], window)
        names = [g.name for g in sampler.groups]
        step["memory_drift"] = memory_drift(sampler.ticks, window.start, window.end, names)
        step["overhead"] = overheads.get(window.start, {})
        steps.append(step)
    in_steps = sum(1 for r in records if any(w.start <= r.start < w.end for w in windows))
    in_ramps = [r for r in records if any(w.ramp_start <= r.start < w.start for w in windows)]
    failed = [r for r in records if r.error]
    soak: dict[str, Any] = {}
    if args.soak:
        verdict = soak_verdict(
            steps,
            [g.name for g in sampler.groups if g.name not in report.BENCH_GROUPS],
            requests=len(records),
            failed=len(failed),
            complete=not interrupted and len(windows) == len(args.users),
        )
        soak = {
            "soak": {
                "users": args.users,
                "step_seconds": args.step_seconds,
                "ramp_seconds": args.ramp_seconds,
                "as_issue": args.users == [200] and args.step_seconds >= 600,
                **verdict,
            }
        }
    return {
        "settings": _settings(args),
        "target": _target_info(target),
        "processes": {g.name: g.origin for g in sampler.groups},
        "interrupted": interrupted,
        "steps": steps,
        "capacity": {
            "users": capacity(steps, args.capacity_success, args.capacity_p95_ms),
            "users_reads": capacity(
                steps, args.capacity_success, args.capacity_p95_ms, latency_of="reads"
            ),
            "success_percent": args.capacity_success,
            "p95_ms": args.capacity_p95_ms,
        },
        "accounting": {
            "total": len(records),
            "in_steps": in_steps,
            "in_ramps": len(in_ramps),
            "failed_in_ramps": sum(1 for r in in_ramps if r.error),
            "failed": len(failed),
            "errors": dict(Counter(r.error for r in failed).most_common()),
            "other": len(records) - in_steps - len(in_ramps),
            "cancelled": sum(1 for r in records if r.error == "cancelled"),
            "drain_seconds": drain,
        },
        **soak,
    }


def _stories(
    args: argparse.Namespace, target: Target, out: Path, limits: CpuLimits | None
) -> dict[str, Any]:
    """Closed loop: N clients, each starting the next 4 x 5 story when one ends. With
    `limits`, every simulation worker is held to its CPU limit (scale-out mode)."""
    scenario = _scenario(
        args,
        target,
        weights=(("story", 1.0),),
        think_min=0.0,
        think_max=0.0,
        characters_min=4,
        characters_max=4,
        turns_min=5,
        turns_max=5,
    )
    sampler = Sampler(
        [
            *target.groups,
            Group("coordinator", [os.getpid()], children=False, origin="this benchmark"),
        ]
    )
    generator = Group("load generator", [], children=False, origin="this benchmark")
    sampler.add(generator)
    meter = StackMeter(target)
    if limits is not None:
        for group in target.groups:
            if group.name.startswith("simulation"):
                limits.hold(group.pids[0], group.name)
    sampler.start()
    runs: list[dict[str, Any]] = []
    for workers in sorted(set(args.stories_workers)):
        if target.simulation_workers is None:
            if runs:
                _say("a running stack: its simulation workers cannot be changed; one run only")
                break
        else:
            while target.simulation_workers < workers:
                worker = target.add_simulation_worker()
                if limits is not None:
                    limits.hold(worker.pids[0], worker.name)
                sampler.add(worker)
        label: int | str = workers if target.simulation_workers is not None else "existing"
        _say(
            f"{label} simulation worker(s): {args.stories_clients} clients, "
            f"{args.stories_warmup:g} s warm-up + {args.stories_seconds:g} s measured"
        )
        run = LoadRun(scenario, args.generators, args.stories_clients)
        generator.pids = run.pids
        ramp_start = time.monotonic()
        run.set_users(args.stories_clients, 0.0)
        try:
            time.sleep(args.stories_warmup)
            opened = meter.read()
            start = time.monotonic()
            time.sleep(args.stories_seconds)
            closed = meter.read()
        except KeyboardInterrupt:  # report the runs done so far, without this one
            _say("interrupted: stopping")
            run.stop(0.0)
            break
        window = Window(args.stories_clients, ramp_start, start, time.monotonic())
        run.stop(args.story_timeout + 5)
        write_requests(out / f"requests-{workers}-workers.csv", run.records, [window])
        stats = step_stats(run.records, window)
        runs.append(
            {
                "simulation_workers": label,
                "clients": args.stories_clients,
                "seconds": window.seconds,
                "stories_per_minute": stats["stories_per_minute"],
                "story": stats["endpoints"]["story"],
                "story_post": stats["endpoints"]["story_post"],
                "resources": sampler.window(window.start, window.end),
                "overhead": overhead(opened, closed),
            }
        )
        _say(f"  {stats['stories_per_minute']:.1f} stories/min")
    sampler.stop()
    if not runs:
        raise SystemExit("interrupted before a run was complete: no report")
    first, last = runs[0]["stories_per_minute"], runs[-1]["stories_per_minute"]
    ratio = last / first if len(runs) > 1 and first > 0 else None
    for run_result in runs:
        rate = run_result["stories_per_minute"]
        run_result["vs_first"] = rate / first if first > 0 else None
    limit = (
        {
            "CPU limit": f"{limits.cores:g} core per simulation worker (cgroup v1 cpu: "
            f"cfs_quota_us {limits.quota_us} per cfs_period_us 100000); the rest of the "
            "stack is not limited"
        }
        if limits is not None
        else {}
    )
    return {
        "settings": {
            "Stories": "4 characters x 5 turns, async API (POST /v1/simulations + SSE)",
            "Clients": f"{args.stories_clients}, closed loop (no think time)",
            "Per run": f"{args.stories_warmup:g} s warm-up, then {args.stories_seconds:g} s "
            "measured",
            "Gateway workers": args.gateway_workers,
            "Load generator": f"{args.generators} process(es), asyncio + uvloop + aiohttp",
            **limit,
        },
        "target": _target_info(target),
        "processes": {g.name: g.origin for g in sampler.groups},
        "runs": runs,
        "scaling_ratio": ratio,
    }


def _cost(args: argparse.Namespace, target: Target) -> dict[str, Any]:
    """CPU per call and the counts per call, batch by batch (bench.cost)."""
    settings = CostSettings(
        calls=args.cost_calls,
        concurrency=args.cost_concurrency,
        warmup=args.cost_warmup,
        idle_seconds=args.cost_idle_seconds,
        settle_seconds=args.cost_settle_seconds,
        characters=args.characters,
        turns=args.turns,
        seed=1 if args.seed is None else args.seed,
        timeout=args.story_timeout,
    )
    ids = list(_scenario(args, target).character_ids)
    run = CostRun(target, settings, ids)
    try:
        result = run.run(_say)
    finally:
        run.close()
    return {"target": _target_info(target), **result}


def _target_info(target: Target) -> dict[str, Any]:
    return {"url": target.url, "origin": target.origin, "settings": target.settings}


def _raise_open_files_limit() -> None:
    """1000 users hold 1000 sockets here and in the gateway (a child: it inherits)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 65536 if hard == resource.RLIM_INFINITY else hard
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def _say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)
