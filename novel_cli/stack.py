"""The local stack: NATS, PostgreSQL, migrations and the four services as processes.

`novel up` runs it in the foreground; the end-to-end tests drive the same class.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg

from novel_cli.banner import stack_state, where_everything_is
from novel_cli.keys import issue
from novel_cli.registry import SERVICES, ServiceInfo
from novel_cli.seeding import seed_roster
from novel_cli.supervisor import Supervisor
from novel_dev import localinfra
from novel_platform import migrations
from novel_platform.healthcheck import check_grpc

DEV_TENANT = "dev"


@dataclass
class LocalStack:
    run_dir: Path
    http_port: int = 8000
    nats_url: str | None = None
    database_url: str | None = None
    dev_key: str | None = None
    # Ports chosen freely (tests) or the fixed defaults (make up).
    free_ports: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)
    durable_postgres: bool = True
    # Simulation processes the gateway addresses (round robin over those that are up):
    # short runs are computed in StartSimulation, so replicas added later
    # (`add_replica`) share them only if the gateway knows their ports from the start.
    simulation_replicas: int = 1
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    key: str = ""
    _infra: list[localinfra.LocalServer] = field(default_factory=list)
    # When a service was last restarted: the gateway is up again once it has probed since.
    _restarted_at: float = 0.0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['gateway']}"

    def env(self) -> dict[str, str]:
        assert self.nats_url and self.database_url
        env = {
            **os.environ,
            "NE_NATS_URL": self.nats_url,
            "NE_DATABASE_URL": self.database_url,
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }
        for service in SERVICES:
            if service.grpc:
                env[f"NE_{service.name.upper()}_ADDR"] = f"127.0.0.1:{self.ports[service.name]}"
        replicas = [f"simulation-{n}" for n in range(2, self.simulation_replicas + 1)]
        if replicas:
            ports = [self.ports["simulation"], *(self.ports[name] for name in replicas)]
            env["NE_SIMULATION_ADDR"] = "ipv4:" + ",".join(f"127.0.0.1:{p}" for p in ports)
        return env

    def start_infra(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if self.nats_url is None:
            server = localinfra.start_nats(self.run_dir / "nats")
            self._infra.append(server)
            self.nats_url = server.url
        if self.database_url is None:
            server = localinfra.start_postgres(
                self.run_dir / "postgres", durable=self.durable_postgres
            )
            self._infra.append(server)
            self.database_url = _ensure_database(server.url, "novel")

    def start(self) -> None:
        self.start_infra()
        assert self.database_url
        for service in SERVICES:
            migrations.upgrade(service.module, service.schema, self.database_url)
        for service in SERVICES:
            port = service.port
            if self.free_ports:
                port = localinfra.free_port()
            elif not service.grpc:
                port = self.http_port
            self.ports[service.name] = port
        for n in range(2, self.simulation_replicas + 1):
            self.ports[f"simulation-{n}"] = localinfra.free_port()
        logs = self.run_dir / "logs"
        logs.mkdir(exist_ok=True)
        env = self.env()
        # Backends first: the gateway's readiness depends on them.
        for service in sorted(SERVICES, key=lambda s: not s.grpc):
            self.start_service(service, env, logs)
        self.wait_ready()
        self.key = asyncio.run(issue(self.database_url, DEV_TENANT, self.dev_key))
        asyncio.run(seed_roster(f"127.0.0.1:{self.ports['character']}", DEV_TENANT))

    def start_service(
        self, service: ServiceInfo, env: dict[str, str], logs: Path, name: str = ""
    ) -> None:
        name = name or service.name
        port_var = "NE_GRPC_PORT" if service.grpc else "NE_HTTP_PORT"
        log = open(logs / f"{name}.log", "ab")  # noqa: SIM115 (owned by the child)
        # Each process gets its own scrape port: several share this machine.
        metrics = self.ports.setdefault(f"{name}-metrics", localinfra.free_port())
        self.procs[name] = subprocess.Popen(
            localinfra.child_command([sys.executable, "-m", service.module]),
            env={**env, port_var: str(self.ports[name]), "NE_METRICS_PORT": str(metrics)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def add_replica(self, name: str, replica: str) -> None:
        """Another process of a service (e.g. a second simulation worker)."""
        service = next(s for s in SERVICES if s.name == name)
        self.ports.setdefault(replica, localinfra.free_port())  # planned, or a new one
        self.start_service(service, self.env(), self.run_dir / "logs", replica)
        self.wait_ready({replica})

    def respawn(self, name: str) -> subprocess.Popen[bytes]:
        """Start a stopped process of the stack again (same ports), without waiting."""
        service = next(s for s in SERVICES if name.split("-")[0] == s.name)
        self.start_service(service, self.env(), self.run_dir / "logs", name)
        return self.procs[name]

    def restart_service(self, name: str) -> None:
        self._restarted_at = time.time()
        self.respawn(name)
        # The gateway's readiness probes its downstream channels, so they reconnect too.
        alive = {n for n, p in self.procs.items() if n == "gateway" and p.poll() is None}
        self.wait_ready({name} | alive)

    def ready(self, name: str) -> bool:
        """Ready to serve as part of the stack: a service's gRPC health; for the gateway,
        its /readyz and a working channel to every service (its own readiness does not
        require them, but a stack that has just (re)started one is up only then)."""
        port = self.ports[name]
        if name.startswith("gateway"):
            return _serves_everything(f"http://127.0.0.1:{port}/readyz", self._restarted_at)
        return check_grpc(f"127.0.0.1:{port}", timeout=1)

    def wait_ready(self, names: set[str] | None = None, timeout: float = 60) -> None:
        """Until every named process serves. One killed by a signal while starting is
        started again once, as the supervisor and Kubernetes would (gRPC has aborted a
        starting process here, rarely: "epoll_wait: Bad file descriptor"); an exit of
        its own, or a second death, fails the start."""
        deadline = time.monotonic() + timeout
        pending = set(self.procs) if names is None else set(names)
        respawned: set[str] = set()
        while pending:
            for name in sorted(pending):
                proc = self.procs[name]
                if proc.poll() is not None:
                    log = f"{self.run_dir}/logs/{name}.log"
                    if proc.returncode < 0 and name not in respawned:
                        print(f"{name} died ({proc.returncode}) while starting; again: {log}")
                        respawned.add(name)
                        self.respawn(name)
                        continue
                    raise RuntimeError(f"{name} exited with {proc.returncode}; see {log}")
                if self.ready(name):
                    pending.discard(name)
            if time.monotonic() > deadline:
                raise RuntimeError(f"not ready after {timeout}s: {', '.join(sorted(pending))}")
            time.sleep(0.1)

    def stop_service(self, name: str, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        proc = self.procs[name]
        if proc.poll() is None:
            proc.send_signal(sig)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return proc.returncode

    def stop(self) -> None:
        # Gateway first, so no new work reaches the backends while they drain.
        for name in sorted(self.procs, key=lambda n: n != "gateway"):
            self.stop_service(name)
        for server in reversed(self._infra):
            server.stop()
        self._infra.clear()


def _serves_everything(readyz: str, since: float) -> bool:
    """The gateway is ready and its last probe, made after `since`, reached every service
    (so its channel to a restarted one is connected again)."""
    try:
        answer = httpx.get(readyz, timeout=2)
    except httpx.HTTPError:
        return False
    if answer.status_code != 200:
        return False
    body = answer.json()
    return bool(body.get("probed_at", 0) > since and all(body.get("checks", {}).values()))


def _ensure_database(server_url: str, name: str) -> str:
    with psycopg.connect(server_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def _write_state(root: Path, stack: LocalStack) -> dict[str, Any]:
    """stack.json: how to reach the stack and its processes (for `novel down`, `novel
    status`, the user commands and chaos); rewritten when the supervisor restarts one."""
    assert stack.database_url and stack.nats_url
    state = stack_state(
        url=stack.url,
        key=stack.key,
        database_url=stack.database_url,
        nats_url=stack.nats_url,
        pids={name: proc.pid for name, proc in stack.procs.items()},
        ports=stack.ports,
        logs=root / "logs",
    )
    state["nats_url"] = stack.nats_url
    state["pids"] = {name: proc.pid for name, proc in stack.procs.items()}
    temp = root / "stack.json.tmp"
    temp.write_text(json.dumps(state, indent=2))
    temp.replace(root / "stack.json")
    return state


def _log(message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)


def run_stack(*, http_port: int, run_dir: str, free_ports: bool = False) -> int:
    root = Path(run_dir).resolve()
    stack = LocalStack(
        run_dir=root,
        http_port=http_port,
        nats_url=os.environ.get("NE_NATS_URL"),
        database_url=os.environ.get("NE_DATABASE_URL"),
        dev_key=os.environ.get("NE_DEV_API_KEY"),
        free_ports=free_ports,
    )
    stopping = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    started = time.monotonic()
    try:
        stack.start()
        state = _write_state(root, stack)
        print(f"Novel Engine is up in {time.monotonic() - started:.1f}s")
        otlp = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        print("\n".join(where_everything_is(state, DEV_TENANT, otlp)), flush=True)
        supervisor = Supervisor(stack.procs, stack.respawn, _log)
        while not stopping:
            if supervisor.poll():
                _write_state(root, stack)
            time.sleep(0.5)
        return 0
    except Exception as exc:  # print one line, not a traceback, for setup problems
        print(f"novel up failed: {exc}", file=sys.stderr)
        return 1
    finally:
        print("stopping...", flush=True)
        stack.stop()
        (root / "stack.json").unlink(missing_ok=True)


def stop_stack(run_dir: str) -> int:
    state = Path(run_dir) / "stack.json"
    if not state.exists():
        print("no stack is running here")
        return 0
    pid = json.loads(state.read_text())["pid"]
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        state.unlink(missing_ok=True)
        return 0
    for _ in range(600):
        if not state.exists():
            print("stopped")
            return 0
        time.sleep(0.1)
    print("stack did not stop within 60s", file=sys.stderr)
    return 1
