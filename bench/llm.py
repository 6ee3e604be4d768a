"""`python -m bench --llm`: model calls per second through one simulation process.

The model is the scripted OpenAI-compatible server (bench/scripted_llm.py) in a process
of its own, adding `--llm-delay` (0.5 s) to every call. `--llm-simulations` clients each
keep one simulation with model decisions running (6 characters, `--llm-turns` turns),
starting the next when one ends. Measured over a window after a warm-up: model calls
answered per second (the server's count), simulations running at once (the simulation
process's own gauge), that process's CPU, and every finished run's fallbacks and budget.
"""

from __future__ import annotations

import asyncio
import random
import re
import subprocess
import sys
import time
from collections import Counter
from typing import Any

import httpx
import psutil

from bench.target import Target, start_stack
from novel_dev import localinfra

CAST = ("pilot", "scientist", "engineer", "aria", "zara", "marcus")
_RUNNING = re.compile(r"^novel_simulations_running(?:\{[^}]*\})? ([0-9.e+-]+)$", re.MULTILINE)


def llm_env(url: str, simulations: int) -> dict[str, str]:
    return {
        "NE_LLM_BASE_URL": url,
        "NE_LLM_MODEL": "scripted",
        "NE_LLM_TIMEOUT_SECONDS": "30",
        "NE_LLM_MAX_CONCURRENCY": "4096",
        "NE_LLM_TOKEN_BUDGET": "1000000",
        "NE_SIMULATION_WORKERS": str(min(simulations + 16, 256)),
        "NE_MAX_QUEUED_SIMULATIONS": "10000",
        "NE_MAX_STORY_BACKLOG": "100000",
        "NE_MAX_STARTING_SIMULATIONS": "1024",
        "NE_WORK_ACK_WAIT_SECONDS": "120",
        # A saturated simulation process answers starts late rather than never.
        "NE_RPC_TIMEOUT_SECONDS": "30",
    }


def start_model(delay: float, step: str = "answer") -> tuple[subprocess.Popen[bytes], str]:
    port = localinfra.free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.scripted_llm",
            "--port",
            str(port),
            "--delay",
            str(delay),
            "--default",
            step,
        ]
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(f"{url}/stats", timeout=1).raise_for_status()
            return proc, url
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the scripted model server did not start")


class Clients:
    def __init__(self, target: Target, turns: int) -> None:
        self.target = target
        self.turns = turns
        self.finished: list[dict[str, Any]] = []
        self.stopping = False
        self.errors: Counter[str] = Counter()

    async def client(self, http: httpx.AsyncClient, n: int) -> None:
        rng = random.Random(n)  # noqa: S311 (seeds for stories, not secrets)
        await asyncio.sleep(n * 0.1)  # a ramp, not a burst of starts
        while not self.stopping:
            body = {
                "character_ids": list(CAST),
                "turns": self.turns,
                "seed": rng.randrange(2**31),
                "llm": {"decisions": True},
            }
            try:
                response = await http.post("/v1/simulations", json=body)
            except httpx.HTTPError as exc:
                self.errors[type(exc).__name__] += 1
                continue
            if response.status_code != 202:
                self.errors[str(response.status_code)] += 1
                await asyncio.sleep(float(response.headers.get("retry-after", "1")))
                continue
            sim_id = response.json()["id"]
            while True:
                await asyncio.sleep(4.0 + 2 * rng.random())  # light polling: it loads the process
                try:
                    polled = await http.get(f"/v1/simulations/{sim_id}")
                except httpx.HTTPError as exc:
                    self.errors[type(exc).__name__] += 1
                    continue
                sim = polled.json()
                if polled.status_code == 200 and sim["status"] in (
                    "completed",
                    "failed",
                    "cancelled",
                ):
                    self.finished.append(sim)
                    break


def _running(metrics_url: str) -> float:
    try:
        text = httpx.get(metrics_url, timeout=5).text
    except httpx.HTTPError:
        return 0.0
    return sum(float(v) for v in _RUNNING.findall(text))


async def measure(args: Any, target: Target, model_url: str) -> dict[str, Any]:
    clients = Clients(target, args.llm_turns)
    limits = httpx.Limits(max_connections=args.llm_simulations + 8)
    metrics = target.metrics_urls()["simulation"]
    sim_proc = psutil.Process(target.stack.procs["simulation"].pid) if target.stack else None
    async with httpx.AsyncClient(
        base_url=target.url,
        headers={"Authorization": f"Bearer {target.key}"},
        timeout=60,
        limits=limits,
    ) as http:
        tasks = [asyncio.create_task(clients.client(http, n)) for n in range(args.llm_simulations)]
        await asyncio.sleep(args.llm_warmup)
        calls0 = (await http.get(f"{model_url}/stats")).json()["calls"]
        cpu0 = sum(sim_proc.cpu_times()[:2]) if sim_proc else 0.0
        t0 = time.monotonic()
        running = []
        while time.monotonic() - t0 < args.llm_seconds:
            await asyncio.sleep(2.0)
            running.append(await asyncio.to_thread(_running, metrics))
        elapsed = time.monotonic() - t0
        calls = (await http.get(f"{model_url}/stats")).json()["calls"] - calls0
        cpu = (sum(sim_proc.cpu_times()[:2]) - cpu0) if sim_proc else 0.0
        clients.stopping = True
        await asyncio.wait(tasks, timeout=args.llm_turns * 5 + 60)
        for task in tasks:
            task.cancel()
    finished = clients.finished
    over_budget = [
        s["id"]
        for s in finished
        if s["llm"]
        and s["llm"]["input_tokens"] + s["llm"]["output_tokens"] > s["llm"]["token_budget"]
    ]
    reasons: Counter[str] = Counter()
    for s in finished:
        reasons.update((s["llm"] or {}).get("fallback_reasons", {}))
    decisions = sum((s["llm"] or {}).get("calls", 0) for s in finished)
    return {
        "model_delay_seconds": args.llm_delay,
        "model_step": args.llm_model_step,
        "clients": args.llm_simulations,
        "turns": args.llm_turns,
        "characters": len(CAST),
        "window_seconds": round(elapsed, 1),
        "model_calls": calls,
        "model_calls_per_second": round(calls / elapsed, 1),
        "running_simulations": {
            "min": min(running, default=0),
            "mean": round(sum(running) / max(len(running), 1), 1),
        },
        "simulation_process_cpu_percent": round(100 * cpu / elapsed, 1),
        "finished": dict(Counter(s["status"] for s in finished)),
        "finished_with_story": sum(1 for s in finished if s.get("story_id")),
        "finished_calls": decisions,
        "fallbacks": dict(reasons),
        "over_budget": over_budget,
        "client_errors": dict(clients.errors),
    }


def llm_report(result: dict[str, Any]) -> str:
    r = result["llm"]
    return "\n".join(
        [
            "# Model calls through one simulation process",
            "",
            f"Calibration: {result['calibration']['cpu_seconds']:.2f} s CPU "
            f"(`{result['calibration']['loop']}`). Command: `{result['command']}`",
            "",
            f"- Scripted model: {r['model_delay_seconds']:g} s added to every call; every "
            f"answer: `{r['model_step']}`",
            f"- Clients: {r['clients']}, each one simulation at a time "
            f"({r['characters']} characters x {r['turns']} turns, model decisions)",
            f"- Window: {r['window_seconds']:g} s after the warm-up",
            f"- **Model calls: {r['model_calls_per_second']:g}/s** ({r['model_calls']} calls)",
            f"- Simulations running at once (simulation process gauge): mean "
            f"{r['running_simulations']['mean']:g}, min {r['running_simulations']['min']:g}",
            f"- Simulation process CPU: {r['simulation_process_cpu_percent']:g} %",
            f"- Finished runs: {r['finished']} ({r['finished_with_story']} with a story); "
            f"their calls: {r['finished_calls']}, "
            f"fallbacks by reason: {r['fallbacks'] or 'none'}; over budget: "
            f"{len(r['over_budget'])}",
            f"- Refused or failed requests of the clients (retried): "
            f"{r['client_errors'] or 'none'}",
            "",
        ]
    )


def run_llm(args: Any, out: Any) -> dict[str, Any]:
    model, url = start_model(args.llm_delay, args.llm_model_step)
    try:
        target = start_stack(
            results_dir=out,
            database_url=args.database_url,
            nats_url=args.nats_url,
            gateway_workers=args.gateway_workers,
            simulation_workers=1,
            simulation_concurrency=None,
            extra_env=llm_env(f"{url}/v1", args.llm_simulations),
        )
        try:
            return {"llm": asyncio.run(measure(args, target, url))}
        finally:
            target.close()
    finally:
        model.terminate()
        model.wait(10)
