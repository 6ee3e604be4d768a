"""The faults and the stack they strike: a LocalStack with its own NATS and PostgreSQL,
kept running by the same supervisor as `make up`."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from chaos.burst import BurstResult, burst
from novel_cli.stack import LocalStack
from novel_cli.supervisor import Supervisor
from novel_dev import localinfra
from novel_platform.healthcheck import check_grpc, check_http

QUEUE_LIMIT = 40

# Short waits so that recovery fits a campaign: a silent worker is presumed dead after
# 10 s, and a stranded run is re-driven 5 s after that.
CHAOS_ENV = {
    "NE_LOG_LEVEL": "WARNING",
    "NE_WORK_ACK_WAIT_SECONDS": "10",
    "NE_RECONCILE_INTERVAL_SECONDS": "5",
    "NE_RECONCILE_MARGIN_SECONDS": "5",
    "NE_RETRY_BACKOFF_CAP_SECONDS": "8",
    # Runs stay in flight long enough for faults to land in the middle of them.
    "NE_SIMULATION_TURN_DELAY_SECONDS": "0.05",
    # Keys are looked up again during outages (the lookup must answer 503, not 500).
    "NE_API_KEY_CACHE_SECONDS": "2",
    "NE_SHUTDOWN_GRACE_SECONDS": "5",
    # Low enough that the burst fault fills the work queue past it.
    "NE_MAX_QUEUED_SIMULATIONS": str(QUEUE_LIMIT),
}


@dataclass(frozen=True)
class Fault:
    """`action` is kill|term|pause|restart|stop (`target` a service, nats or postgres),
    or fill (`target` work-queue: a burst of starts past the queue's limit)."""

    at: float  # seconds after the load started
    action: str
    target: str
    seconds: float = 0.0  # how long a stop or pause lasts

    def describe(self) -> str:
        held = f" for {self.seconds:.0f}s" if self.seconds else ""
        return f"{self.action} {self.target}{held}"


@dataclass
class Struck:
    fault: Fault
    started: float  # seconds after the load started
    ended: float


class ChaosStack:
    def __init__(self, run_dir: Path, extra_env: dict[str, str]) -> None:
        self.stack = LocalStack(
            run_dir=run_dir,
            free_ports=True,
            extra_env={**CHAOS_ENV, **extra_env},
            durable_postgres=True,
        )
        self.restarts: list[str] = []
        self.bursts: list[BurstResult] = []
        self._lock = threading.Lock()
        self._supervisor: Supervisor | None = None

    def start(self, replicas: int = 1) -> None:
        self.stack.start()
        for n in range(2, replicas + 1):
            self.stack.add_replica("simulation", f"simulation-{n}")
        self._supervisor = Supervisor(self.stack.procs, self.stack.respawn, self.restarts.append)

    def supervise(self) -> None:
        with self._lock:
            assert self._supervisor is not None
            self._supervisor.poll()

    def names(self) -> list[str]:
        """The stack's service processes (replicas included)."""
        with self._lock:
            return sorted(self.stack.procs)

    def ready(self, name: str) -> bool:
        """The process's own verdict: /readyz for the gateway, gRPC health otherwise."""
        port = self.stack.ports[name]
        if name.startswith("gateway"):
            return check_http(f"http://127.0.0.1:{port}/readyz")
        return check_grpc(f"127.0.0.1:{port}", timeout=1)

    def _server(self, kind: str) -> localinfra.LocalServer:
        prefix = "nats" if kind == "nats" else "postgres"
        return next(s for s in self.stack._infra if s.url.startswith(prefix))

    def _start_server(self, kind: str, old: localinfra.LocalServer) -> None:
        port = urlsplit(old.url).port
        if kind == "nats":
            new = localinfra.start_nats(old.data_dir, port)
        else:
            new = localinfra.start_postgres(old.data_dir, port, durable=True)
        self.stack._infra[self.stack._infra.index(old)] = new

    def strike(self, fault: Fault, started: float) -> None:
        """Begin the fault (a stop or pause is ended by `recover`; a fill is over when
        every start of its burst has its answer)."""
        if fault.action == "fill":
            assert self.stack.nats_url
            self.bursts.append(
                asyncio.run(burst(self.stack.url, self.stack.key, self.stack.nats_url, started))
            )
            return
        if fault.target in ("nats", "postgres"):
            server = self._server(fault.target)
            server.stop()
            if fault.action == "restart":
                self._start_server(fault.target, server)
            return
        with self._lock:
            pid = self.stack.procs[fault.target].pid
        sig = {"kill": signal.SIGKILL, "term": signal.SIGTERM, "pause": signal.SIGSTOP}
        os.kill(pid, sig[fault.action])

    def recover(self, fault: Fault) -> None:
        if fault.action == "stop":
            self._start_server(fault.target, self._server(fault.target))
        elif fault.action == "pause":
            with self._lock:
                os.kill(self.stack.procs[fault.target].pid, signal.SIGCONT)

    def stop(self) -> None:
        self.stack.stop()


def run_schedule(
    chaos: ChaosStack,
    faults: list[Fault],
    started: float,
    done: threading.Event,
    struck: list[Struck],
) -> None:
    """Strike each fault at its time and supervise, until `done`; `struck` gets each
    fault once it is over.

    The processes this thread starts (a restarted server, a respawned service) die with
    it (PR_SET_PDEATHSIG follows the thread that forked): keep it running until the
    stack is no longer needed."""
    pending = sorted(faults, key=lambda f: f.at)
    active: list[Struck] = []
    while not done.is_set() or active:
        now = time.monotonic() - started
        while pending and pending[0].at <= now:
            fault = pending.pop(0)
            chaos.strike(fault, started)
            # A restart's outage ends once the server is back.
            ended = time.monotonic() - started if not fault.seconds else now + fault.seconds
            record = Struck(fault, now, ended)
            (active if fault.seconds else struck).append(record)
        for record in list(active):
            if now >= record.ended:
                chaos.recover(record.fault)
                record.ended = time.monotonic() - started
                active.remove(record)
                struck.append(record)
        chaos.supervise()
        time.sleep(0.25)
