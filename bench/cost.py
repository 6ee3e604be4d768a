"""`python -m bench --cost`: CPU per call, per process and in total, and the counts per
call that explain it (SQL statements, transactions, NATS messages, gRPC calls).

For each kind of call and each concurrency: a batch of identical calls, with every
process's CPU counter and every count read before and after it. An idle window measured
first gives each figure's background rate (pollers, probes, timers), which is taken off
in proportion to the batch's duration, so that a cheap call is not charged for the
stack ticking over. The engine's and the chronicler's CPU come from the services' own
counter in the same readings: the overhead ratio.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import psutil

from bench import counters
from bench.loadgen import error_kind
from bench.overhead import StackMeter, cpu_delta
from bench.procs import split_cpu_times
from bench.target import Target

CALLS = ("health", "characters", "character", "simulation", "simulation_4x5")
COST_LABELS = {
    "health": "GET /health",
    "characters": "GET /characters",
    "character": "GET /characters/{id}",
    "simulation": "POST /simulations (sync)",
    "simulation_4x5": "POST /simulations 4x5 (sync)",
}
SIMULATIONS = ("simulation", "simulation_4x5")
# About 2-3 minutes for the whole command on 2 shared cores, start-up included.
DEFAULT_CALLS = {
    "health": 600,
    "characters": 300,
    "character": 300,
    "simulation": 60,
    "simulation_4x5": 30,
}
# pg_stat_database is flushed by each backend at most once a second.
STATS_FLUSH_SECONDS = 1.2
QUIET_SECONDS = 2.0
TOP_STATEMENTS = 12

Request = tuple[str, str, dict[str, Any] | None]  # method, path, JSON body


def parse_calls(text: str) -> dict[str, int]:
    """`health=100,simulation=20`: calls per batch; unnamed kinds keep their default."""
    calls = dict(DEFAULT_CALLS)
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        if not sep or name.strip() not in calls:
            raise ValueError(f"cost calls: expected name=count with a name of {', '.join(CALLS)}")
        if int(value) < 1:
            raise ValueError(f"cost calls: {name} needs at least 1 call")
        calls[name.strip()] = int(value)
    return calls


@dataclass(frozen=True)
class CostSettings:
    calls: dict[str, int]
    concurrency: list[int]
    warmup: int
    idle_seconds: float
    settle_seconds: float
    characters: tuple[int, int]
    turns: tuple[int, int]
    seed: int
    timeout: float


@dataclass(frozen=True)
class Reading:
    """Every cumulative figure, flat: "cpu:<group>", "domain:<part>", "grpc:<method>",
    "nats:<name>", "sql:<statement>" (since the last reset), "db:<pg_stat_database>"."""

    t: float
    t_db: float
    values: dict[str, float]


@dataclass(frozen=True)
class _Measured:
    """One batch as read: every figure's change, and the windows' lengths."""

    call: str
    concurrency: int
    calls: int
    outcome: dict[str, Any]
    delta: dict[str, float]
    window: tuple[float, float]

    @property
    def failed(self) -> int:
        return int(self.outcome["failed"])


class CostRun:
    def __init__(self, target: Target, settings: CostSettings, ids: list[str]) -> None:
        if target.stack is None or not target.postgres_admin_url or not target.database_url:
            raise SystemExit("--cost needs a stack the benchmark starts (no --gateway-url)")
        self.target = target
        self.s = settings
        self.ids = ids
        self.meter = StackMeter(target)
        self.pg = counters.PostgresCounters(
            target.postgres_admin_url, target.database_url.rsplit("/", 1)[1]
        )
        self.rng = random.Random(settings.seed)  # noqa: S311 (choosing calls, not security)

    @property
    def _counted(self) -> tuple[bool, bool]:
        """(SQL statements counted, NATS messages counted)."""
        return self.pg.statements_available, bool(self.target.nats_monitor_url)

    def close(self) -> None:
        self.pg.close()

    def run(self, say: Callable[[str], None]) -> dict[str, Any]:
        warm = max(self.s.concurrency)
        say(f"warm-up: {self.s.warmup} call(s) of each kind at concurrency {warm}")
        for call in CALLS:
            self._drive(self._requests(call, self.s.warmup), warm)
        say(f"idle window: {self.s.idle_seconds:g} s with no calls (background rates)")
        first_idle = self._idle()
        raw = []
        machine = _MachineShare(self.meter)
        for concurrency in self.s.concurrency:
            for call in CALLS:
                measured = self._batch(call, concurrency)
                raw.append(measured)
                gross = sum(v for k, v in measured.delta.items() if k.startswith("cpu:"))
                say(
                    f"{COST_LABELS[call]} x{measured.calls} at concurrency {concurrency}: "
                    f"{1000 * gross / measured.calls:.2f} ms CPU per call (gross)"
                    + (f", {measured.failed} failed" if measured.failed else "")
                )
        share = machine.done()
        say(f"second idle window: {self.s.idle_seconds:g} s")
        # A background rate is the lower of the two windows' (before and after the
        # batches): a tail of work or an autovacuum in one window is not the background.
        second_idle = self._idle()
        idle_rates = {
            k: min(first_idle.get(k, 0.0), second_idle.get(k, 0.0))
            for k in set(first_idle) | set(second_idle)
        }
        batches = [self._summary(m, idle_rates) for m in raw]
        groups = [g.name for g in self.target.groups]
        return {
            "settings": {
                "Calls per batch": ", ".join(f"{k}={v}" for k, v in self.s.calls.items()),
                "Concurrency": ", ".join(map(str, self.s.concurrency)),
                "Warm-up": f"{self.s.warmup} call(s) of each kind",
                "Synchronous simulations": f"{self.s.characters[0]}-{self.s.characters[1]} "
                f"starter characters x {self.s.turns[0]}-{self.s.turns[1]} turns, seed "
                f"{self.s.seed}; and 4 characters x 5 turns",
                "Idle window": f"{self.s.idle_seconds:g} s; settle after a batch "
                f"{self.s.settle_seconds:g} s",
            },
            "groups": groups,
            "statements_source": self.pg.statements_note,
            "nats_monitoring": bool(self.target.nats_monitor_url),
            "idle": {
                "seconds": self.s.idle_seconds,
                "cpu_percent": {g: 100 * idle_rates.get(f"cpu:{g}", 0.0) for g in groups},
                "per_second": _counts(idle_rates, *self._counted),
            },
            "batches": batches,
            "machine_share": share,
            "overhead": _overhead_summary(batches),
        }

    def _idle(self) -> dict[str, float]:
        """Every figure's rate per second with no calls, after a quiet spell (the tail of
        earlier work ends, its statistics are flushed)."""
        time.sleep(min(QUIET_SECONDS, self.s.idle_seconds) + STATS_FLUSH_SECONDS)
        delta, window = self._measure(lambda: time.sleep(self.s.idle_seconds))
        return {k: v / _seconds(k, window) for k, v in delta.items()}

    def _batch(self, call: str, concurrency: int) -> _Measured:
        requests = self._requests(call, self.s.calls[call])
        outcome: dict[str, Any] = {}

        def work() -> None:
            outcome.update(self._drive(requests, concurrency))

        delta, window = self._measure(work)
        return _Measured(call, concurrency, len(requests), outcome, delta, window)

    def _summary(self, m: _Measured, idle: dict[str, float]) -> dict[str, Any]:
        """One batch's figures per call, net of the idle background over its duration."""
        call, concurrency, n, outcome, delta = m.call, m.concurrency, m.calls, m.outcome, m.delta
        net = {
            k: max(v - idle.get(k, 0.0) * _seconds(k, m.window), 0.0) / n for k, v in delta.items()
        }
        cpu = {g.name: 1000 * net.get(f"cpu:{g.name}", 0.0) for g in self.target.groups}
        cpu["total"] = sum(cpu.values())
        domain = {p: 1000 * net.get(f"domain:{p}", 0.0) for p in counters.DOMAIN_PARTS}
        work_ms = sum(domain.values())
        statements = {k[4:]: v for k, v in net.items() if k.startswith("sql:")}
        top = sorted(statements.items(), key=lambda kv: -kv[1])[:TOP_STATEMENTS]
        return {
            "call": call,
            "label": COST_LABELS[call],
            "concurrency": concurrency,
            "calls": n,
            "failed": outcome["failed"],
            "errors": outcome["errors"],
            "seconds": outcome["seconds"],
            "calls_per_second": n / outcome["seconds"] if outcome["seconds"] > 0 else 0.0,
            "latency_ms": outcome.get("latency_ms", {}),
            "cpu_ms": cpu,
            "cpu_ms_raw": {
                g.name: 1000 * delta.get(f"cpu:{g.name}", 0.0) / n for g in self.target.groups
            },
            "domain_ms": domain,
            "overhead_ratio": cpu["total"] / work_ms if work_ms > 0 else None,
            "counts": _counts(net, *self._counted),
            "grpc_methods": {
                k[5:].rsplit("/", 1)[-1]: v for k, v in net.items() if k.startswith("grpc:") and v
            },
            "top_statements": [[_short(q), v] for q, v in top if v > 0],
        }

    def _measure(self, work: Callable[[], None]) -> tuple[dict[str, float], tuple[float, float]]:
        """Deltas of every figure across `work` (plus the settle time), and the two
        windows' lengths: (main readings, pg_stat_database)."""
        self.pg.reset_statements()
        before = self._read()
        work()
        time.sleep(self.s.settle_seconds)
        after = self._read(statements=True)
        # pg_stat_database lags by up to a second: read it once more after the flush.
        time.sleep(STATS_FLUSH_SECONDS)
        db = self.pg.database_stats()
        after.values.update({f"db:{k}": v for k, v in db.items()})
        t_db = time.monotonic()
        keys = set(before.values) | set(after.values)
        delta = {k: after.values.get(k, 0.0) - before.values.get(k, 0.0) for k in keys}
        return delta, (after.t - before.t, t_db - before.t_db)

    def _read(self, *, statements: bool = False) -> Reading:
        t_db = time.monotonic()
        values = {f"db:{k}": v for k, v in self.pg.database_stats().items()}
        stack = self.meter.read()
        values.update({f"cpu:{k}": v for k, v in stack.cpu.items()})
        values.update({f"domain:{k}": v for k, v in stack.domain.items()})
        values.update({f"grpc:{k}": v for k, v in counters.grpc_calls(stack.scraped).items()})
        nats = counters.nats(self.target.nats_monitor_url)
        values.update({f"nats:{k}": v for k, v in nats.items()})
        if statements:  # since the reset at the start of the window
            values.update({f"sql:{k}": v for k, v in self.pg.statements().items()})
        return Reading(stack.t, t_db, values)

    def _requests(self, call: str, n: int) -> list[Request]:
        out: list[Request] = []
        for _ in range(n):
            if call == "health":
                out.append(("GET", "/health", None))
            elif call == "characters":
                out.append(("GET", "/characters", None))
            elif call == "character":
                out.append(("GET", f"/characters/{self.rng.choice(self.ids)}", None))
            else:
                low, high = (4, 4) if call == "simulation_4x5" else self.s.characters
                turns = 5 if call == "simulation_4x5" else self.rng.randint(*self.s.turns)
                cast = self.rng.sample(self.ids, self.rng.randint(low, high))
                out.append(("POST", "/simulations", {"character_names": cast, "turns": turns}))
        return out

    def _drive(self, requests: list[Request], concurrency: int) -> dict[str, Any]:
        return asyncio.run(
            _drive(self.target.url, self.target.key, requests, concurrency, self.s.timeout)
        )


async def _drive(
    url: str, key: str, requests: list[Request], concurrency: int, limit: float
) -> dict[str, Any]:
    """The calls, `concurrency` at a time; returns wall time, latencies and failures."""
    errors: Counter[str] = Counter()
    latencies: list[float] = []
    pending = iter(requests)
    connector = aiohttp.TCPConnector(limit=concurrency)
    headers = {"Authorization": f"Bearer {key}"}
    async with aiohttp.ClientSession(url, connector=connector, headers=headers) as session:

        async def client() -> None:
            for method, path, body in pending:
                try:
                    sent = time.perf_counter()
                    async with asyncio.timeout(limit):
                        async with session.request(method, path, json=body) as response:
                            await response.read()
                            if response.status != 200:
                                errors[f"http {response.status}"] += 1
                            else:
                                latencies.append(time.perf_counter() - sent)
                except Exception as exc:
                    errors[error_kind(exc)] += 1

        started = time.monotonic()
        await asyncio.gather(*(client() for _ in range(min(concurrency, len(requests)))))
        seconds = time.monotonic() - started
    ordered = sorted(latencies)
    return {
        "seconds": seconds,
        "failed": sum(errors.values()),
        "errors": dict(errors),
        # Wall time per call as the client saw it (p50, p95), successful calls only.
        "latency_ms": {
            q: 1000 * ordered[min(int(len(ordered) * f), len(ordered) - 1)] if ordered else 0.0
            for q, f in (("p50", 0.5), ("p95", 0.95))
        },
    }


class _MachineShare:
    """How busy the machine was while the batches ran, and how much of that was neither
    the stack nor this benchmark: other programs on a shared machine make every process
    slower per call (caches, memory bandwidth), so the report says how much there was."""

    def __init__(self, meter: StackMeter) -> None:
        self.meter = meter
        self.start = (time.monotonic(), split_cpu_times(psutil.cpu_times()), meter.read(), _own())

    def done(self) -> dict[str, float]:
        t0, (busy0, _, _), stack0, own0 = self.start
        busy1, _, _ = split_cpu_times(psutil.cpu_times())
        seconds = time.monotonic() - t0
        stack = sum(cpu_delta(stack0, self.meter.read()).values())
        busy, own = busy1 - busy0, _own() - own0
        return {
            "seconds": seconds,
            "machine_busy_cores": busy / seconds,
            "stack_cores": stack / seconds,
            "benchmark_cores": own / seconds,
            "other_cores": max(busy - stack - own, 0.0) / seconds,
            "load_average_1m": psutil.getloadavg()[0],
        }


def _own() -> float:
    times = psutil.Process().cpu_times()
    return times.user + times.system + times.children_user + times.children_system


def _seconds(key: str, window: tuple[float, float]) -> float:
    return window[1] if key.startswith("db:") else window[0]


def _counts(values: dict[str, float], statements: bool, nats: bool) -> dict[str, float | None]:
    """The counts of one call (or one idle second) from the flat figures; None for what
    could not be counted (no pg_stat_statements, no NATS monitoring endpoint)."""
    sql = {k[4:]: v for k, v in values.items() if k.startswith("sql:")}
    summary = counters.statement_summary(sql)

    def get(key: str) -> float:
        return values.get(key, 0.0)

    def from_nats(key: str) -> float | None:
        return get(key) if nats else None

    return {
        "sql_statements": summary["sql_statements"] if statements else None,
        "sql_transaction_control": summary["sql_transaction_control"] if statements else None,
        "transactions": get("db:xact_commit") + get("db:xact_rollback"),
        "rollbacks": get("db:xact_rollback"),
        "rows_written": get("db:tup_inserted") + get("db:tup_updated") + get("db:tup_deleted"),
        "rows_read": get("db:tup_returned") + get("db:tup_fetched"),
        "nats_in_msgs": from_nats("nats:nats_in_msgs"),
        "nats_out_msgs": from_nats("nats:nats_out_msgs"),
        "nats_bytes": get("nats:nats_in_bytes") + get("nats:nats_out_bytes") if nats else None,
        "jetstream_stored": from_nats("nats:jetstream_messages"),
        "jetstream_api": from_nats("nats:jetstream_api"),
        "grpc_calls": sum(v for k, v in values.items() if k.startswith("grpc:")),
    }


def _overhead_summary(batches: list[dict[str, Any]]) -> dict[str, Any]:
    """The ratio per simulation kind and concurrency, and over all its batches."""
    out: dict[str, Any] = {}
    for call in SIMULATIONS:
        mine = [b for b in batches if b["call"] == call]
        total = sum(b["cpu_ms"]["total"] * b["calls"] for b in mine)
        work = sum(sum(b["domain_ms"].values()) * b["calls"] for b in mine)
        out[call] = {
            "by_concurrency": {str(b["concurrency"]): b["overhead_ratio"] for b in mine},
            "ratio": total / work if work > 0 else None,
        }
    return out


_SPACE = re.compile(r"\s+")


def _short(query: str, width: int = 110) -> str:
    text = _SPACE.sub(" ", query).strip()
    return text if len(text) <= width else text[: width - 1] + "…"
