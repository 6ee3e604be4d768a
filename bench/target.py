"""The system under test: a stack this run starts with production settings, or one that
is already running (`--gateway-url`), and the processes to measure in either case."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import psycopg

from bench.procs import Group, listening_pid, processes_running
from novel_cli.registry import SERVICES
from novel_cli.stack import LocalStack
from novel_dev import localinfra

# Production settings: no debug logging, so no per-request log line on the hot path
# (uvicorn's access log is off in the gateway whatever the level); no pacing.
PRODUCTION_ENV = {
    "NE_LOG_LEVEL": "WARNING",
    "NE_SIMULATION_TURN_DELAY_SECONDS": "0",
}


@dataclass
class Target:
    url: str
    key: str
    groups: list[Group]
    origin: str
    settings: dict[str, str]
    stack: LocalStack | None = None
    simulation_workers: int | None = None
    logs_to: Path | None = None
    # What the cost benchmark reads its counts from (known for a stack it started).
    database_url: str | None = None
    postgres_admin_url: str | None = None  # another database of the same server
    nats_monitor_url: str | None = None
    _cleanup: list[Callable[[], None]] = field(default_factory=list)

    def add_simulation_worker(self) -> Group:
        """Start one more simulation process (only for a stack this run started)."""
        if self.stack is None or self.simulation_workers is None:
            raise RuntimeError("workers can be added only to a stack the benchmark started")
        self.simulation_workers += 1
        name = f"simulation-{self.simulation_workers}"
        self.stack.add_replica("simulation", name)
        group = Group(name, [self.stack.procs[name].pid], origin="started by the benchmark")
        self.groups.append(group)
        return group

    def metrics_urls(self) -> dict[str, str]:
        """Each service process's Prometheus endpoint, by process name (a started stack)."""
        if self.stack is None:
            return {}
        return {
            name: f"http://127.0.0.1:{self.stack.ports[name + '-metrics']}/metrics"
            for name in self.stack.procs
            if name + "-metrics" in self.stack.ports
        }

    def close(self) -> None:
        if self.stack is not None:
            self.stack.stop()
            if self.logs_to is not None:
                shutil.copytree(
                    self.stack.run_dir / "logs", self.logs_to / "logs", dirs_exist_ok=True
                )
        for step in reversed(self._cleanup):
            step()


def start_stack(
    *,
    results_dir: Path,
    database_url: str | None,
    nats_url: str | None,
    gateway_workers: int,
    simulation_workers: int,
    simulation_concurrency: int | None,
    pg_stat_statements: bool = False,
    simulation_replicas: int = 1,
    extra_env: dict[str, str] | None = None,
) -> Target:
    """LocalStack as `make up` runs it, with production settings, on free ports.

    Given an existing PostgreSQL server, the benchmark uses a database of its own on it
    (dropped afterwards), so runs do not measure each other's leftovers. With
    `pg_stat_statements` the PostgreSQL this run starts itself loads that extension
    (the cost benchmark counts statements with it); the default server is unchanged.
    """
    settings = {**PRODUCTION_ENV, "NE_HTTP_WORKERS": str(gateway_workers), **(extra_env or {})}
    if simulation_concurrency is not None:
        settings["NE_SIMULATION_WORKERS"] = str(simulation_concurrency)
    run_dir = Path(tempfile.mkdtemp(prefix="novel-bench-"))
    cleanup: list[Callable[[], None]] = [lambda: shutil.rmtree(run_dir, ignore_errors=True)]
    database = None
    own_postgres = None
    if database_url:
        database, drop = _own_database(database_url)
        cleanup.append(drop)
    elif pg_stat_statements:
        own_postgres = localinfra.start_postgres(
            run_dir / "postgres", preload=("pg_stat_statements",)
        )
        cleanup.append(own_postgres.stop)
        database, _ = _own_database(own_postgres.url, name="novel")
    stack = LocalStack(
        run_dir=run_dir,
        nats_url=nats_url,
        database_url=database,
        free_ports=True,
        extra_env=settings,
        durable_postgres=True,
        # Every simulation process this run may start serves StartSimulation too.
        simulation_replicas=max(simulation_replicas, simulation_workers),
    )
    target = Target("", "", [], "started by the benchmark", settings, stack, 1, results_dir)
    target._cleanup = cleanup
    try:
        stack.start()
        target.url, target.key = stack.url, stack.key
        target.database_url = stack.database_url
        target.postgres_admin_url = database_url
        for name, proc in stack.procs.items():
            target.groups.append(Group(name, [proc.pid], origin="started by the benchmark"))
        for server in [*stack._infra, *([own_postgres] if own_postgres else [])]:
            name = "nats" if server.url.startswith("nats") else "postgresql"
            target.groups.append(Group(name, [server.proc.pid], origin="started by the benchmark"))
            if server.monitor_url:
                target.nats_monitor_url = server.monitor_url
            elif name == "postgresql":
                target.postgres_admin_url = server.url
        if nats_url:
            target.groups.append(_external("nats", nats_url))
        if database_url:
            target.groups.append(_external("postgresql", database_url))
        for _ in range(simulation_workers - 1):
            target.add_simulation_worker()
    except BaseException:
        target.close()
        raise
    return target


def existing_stack(
    url: str, key: str | None, database_url: str | None, nats_url: str | None
) -> Target:
    """A running stack (e.g. `make up`): its processes are found by port and command line."""
    state = _make_up_state(url)
    key = key or os.environ.get("NE_BENCH_API_KEY") or state.get("key")
    if not key:
        raise SystemExit("--gateway-url needs --api-key (or NE_BENCH_API_KEY)")
    database_url = database_url or state.get("database_url")
    gateway = _external("gateway", url)
    gateway.pids = [_root(pid, "services.gateway") for pid in gateway.pids]
    # `make up` starts every process of the stack as a child of one `novel up`.
    siblings = _siblings(gateway.pids[0]) if gateway.pids else []
    groups = [gateway]
    for service in SERVICES:
        if service.grpc:
            groups.append(_by_command_line(service.name, service.module, siblings))
    if database_url:
        groups.append(_external("postgresql", database_url))
    groups.append(
        _external("nats", nats_url) if nats_url else _by_command_line("nats", "", siblings)
    )
    return Target(url.rstrip("/"), key, groups, f"existing stack at {url}", {})


def _external(name: str, url: str) -> Group:
    pid, origin = listening_pid(url)
    return Group(name, [pid] if pid is not None else [], origin=origin)


def _root(pid: int, module: str) -> int:
    """A uvicorn worker shares the gateway's socket: measure from its master."""
    try:
        proc = psutil.Process(pid)
        parent = proc.parent()
        if parent is not None and module in parent.cmdline():
            return parent.pid
    except psutil.Error:
        pass
    return pid


def _siblings(pid: int) -> list[psutil.Process]:
    try:
        parent = psutil.Process(pid).parent()
        return parent.children() if parent is not None and parent.pid != 1 else []
    except psutil.Error:
        return []


def _by_command_line(name: str, module: str, siblings: list[psutil.Process]) -> Group:
    """The stack's process: among the gateway's siblings, else by command line alone."""
    what = module or "nats-server"

    def matches(proc: psutil.Process) -> bool:
        try:
            if not module:
                return bool(proc.name() == "nats-server")
            return module in proc.cmdline() and "-m" in proc.cmdline()
        except psutil.Error:
            return False

    found = [p.pid for p in siblings if matches(p)]
    if found:
        return Group(name, found, origin=f"{what}, started beside the gateway")
    found = processes_running(module) if module else []
    if len(found) == 1:
        return Group(name, found, origin=f"found by command line ({what})")
    return Group(name, [], origin=f"{what}: {len(found) or 'no'} candidates, not measured")


def _make_up_state(url: str) -> dict[str, str]:
    """`make up` writes .run/stack.json with its URL, dev key and database."""
    path = Path(os.environ.get("NE_RUN_DIR", ".run")) / "stack.json"
    try:
        state: dict[str, str] = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return state if state.get("url", "").rstrip("/") == url.rstrip("/") else {}


def _own_database(server_url: str, name: str = "") -> tuple[str, Callable[[], None]]:
    admin = server_url.replace("postgresql+psycopg://", "postgresql://")
    name = name or f"novel_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return admin.rsplit("/", 1)[0] + f"/{name}", drop
