"""CPU and memory of every process that takes part, sampled once a second (psutil).

A group is a named set of root processes plus, optionally, all their descendants: the
gateway's uvicorn workers, PostgreSQL's backends. CPU is counted per process from its
own cpu_times, so a process born between two samples is counted from its birth.
Memory is the group's RSS and PSS (proportional: shared pages split between the
processes that map them, so a group's PSS adds up where its RSS would overcount).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import psutil

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0", "::", ""}


@dataclass
class Group:
    name: str
    pids: list[int]
    children: bool = True
    origin: str = ""  # how it was found, for the report


@dataclass(frozen=True)
class Tick:
    t: float  # time.monotonic() at the end of the interval
    interval: float
    machine_busy: float  # CPU seconds busy, all cores, in the interval
    machine_total: float  # CPU seconds in all, all cores (steal included)
    machine_steal: float  # CPU seconds the hypervisor gave to someone else
    cpu: dict[str, float]  # group -> CPU seconds in the interval
    rss: dict[str, int]  # group -> bytes at the sample
    pss: dict[str, int]
    count: dict[str, int]  # group -> processes at the sample


@dataclass
class _Seen:
    created: float
    cpu: float


@dataclass
class Sampler:
    groups: list[Group]
    interval: float = 1.0
    ticks: list[Tick] = field(default_factory=list)
    _seen: dict[int, _Seen] = field(default_factory=dict)
    _procs: dict[int, psutil.Process] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def add(self, group: Group) -> None:
        with self._lock:
            self.groups.append(group)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        last_wall = time.time()
        last_t = time.monotonic()
        last_machine = psutil.cpu_times()
        self._sample(last_wall, first=True)
        while not self._stop.wait(self.interval):
            wall, t, machine = time.time(), time.monotonic(), psutil.cpu_times()
            cpu, rss, pss, count = self._sample(last_wall)
            now, before = split_cpu_times(machine), split_cpu_times(last_machine)
            busy, total, steal = (a - b for a, b in zip(now, before, strict=True))
            tick = Tick(t, t - last_t, busy, total, steal, cpu, rss, pss, count)
            self.ticks.append(tick)
            last_wall, last_t, last_machine = wall, t, machine

    def _sample(
        self, since: float, *, first: bool = False
    ) -> tuple[dict[str, float], dict[str, int], dict[str, int], dict[str, int]]:
        cpu: dict[str, float] = {}
        rss: dict[str, int] = {}
        pss: dict[str, int] = {}
        count: dict[str, int] = {}
        with self._lock:
            groups = list(self.groups)
        for group in groups:
            cpu[group.name], rss[group.name], pss[group.name], count[group.name] = 0.0, 0, 0, 0
            for proc in self._members(group):
                try:
                    with proc.oneshot():
                        times = proc.cpu_times()
                        used = times.user + times.system
                        created = proc.create_time()
                        memory = proc.memory_full_info()
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    continue
                seen = self._seen.get(proc.pid)
                if seen is not None and seen.created == created:
                    delta = used - seen.cpu
                elif first or created < since:
                    delta = 0.0  # known from before this interval: this is the baseline
                else:
                    delta = used  # born in this interval
                self._seen[proc.pid] = _Seen(created, used)
                cpu[group.name] += max(delta, 0.0)
                rss[group.name] += memory.rss
                pss[group.name] += getattr(memory, "pss", memory.rss)
                count[group.name] += 1
        return cpu, rss, pss, count

    def _members(self, group: Group) -> list[psutil.Process]:
        members: list[psutil.Process] = []
        for pid in group.pids:
            proc = self._process(pid)
            if proc is None:
                continue
            members.append(proc)
            if group.children:
                with contextlib.suppress(psutil.Error):
                    members.extend(self._process(c.pid) or c for c in proc.children(True))
        return members

    def _process(self, pid: int) -> psutil.Process | None:
        proc = self._procs.get(pid)
        if proc is None or not proc.is_running():
            try:
                proc = psutil.Process(pid)
            except psutil.Error:
                return None
            self._procs[pid] = proc
        return proc

    def window(self, start: float, end: float) -> dict[str, dict[str, float]]:
        """Per group: CPU % of one core, peak RSS and PSS MiB; plus the machine's CPU %."""
        ticks = [k for k in self.ticks if start <= k.t - k.interval / 2 <= end]
        seconds = sum(k.interval for k in ticks) or 1.0
        out: dict[str, dict[str, float]] = {}
        for group in [g.name for g in self.groups]:
            out[group] = {
                "cpu_percent": 100 * sum(k.cpu.get(group, 0.0) for k in ticks) / seconds,
                "rss_mib": max((k.rss.get(group, 0) for k in ticks), default=0) / 2**20,
                "pss_mib": max((k.pss.get(group, 0) for k in ticks), default=0) / 2**20,
                "processes": max((k.count.get(group, 0) for k in ticks), default=0),
            }
        busy = sum(k.machine_busy for k in ticks)
        total = sum(k.machine_total for k in ticks) or 1.0
        measured = sum(v["cpu_percent"] for v in out.values())
        # Busy CPU that no measured process used: other programs, and the kernel's own
        # work (softirq for loopback traffic) not charged to a process.
        out["other"] = {"cpu_percent": max(100 * busy / seconds - measured, 0.0)}
        out["machine"] = {
            "cpu_percent": 100 * busy / total,
            "steal_percent": 100 * sum(k.machine_steal for k in ticks) / total,
        }
        return out


def split_cpu_times(t: Any) -> tuple[float, float, float]:
    """(busy, total, steal) CPU seconds of psutil.cpu_times() (guest is within user)."""
    busy = t.user + t.nice + t.system + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0)
    steal = getattr(t, "steal", 0.0)
    return busy, busy + t.idle + getattr(t, "iowait", 0.0) + steal, steal


def listening_pid(url: str) -> tuple[int | None, str]:
    """The local process listening on the URL's port, e.g. an existing PostgreSQL."""
    parts = urlsplit(url)
    if parts.hostname not in LOCAL_HOSTS:
        return None, f"remote ({parts.hostname}): not measured"
    port = parts.port or {"postgresql": 5432, "nats": 4222, "http": 80}.get(parts.scheme, 0)
    try:
        connections = psutil.net_connections(kind="inet")
    except psutil.AccessDenied:
        return None, "not measured (no permission to list sockets)"
    for conn in connections:
        local = conn.laddr[1] if conn.laddr else None
        if conn.status == psutil.CONN_LISTEN and local == port and conn.pid is not None:
            return conn.pid, f"external: {_name(conn.pid)} listening on port {port}"
    return None, f"external on port {port}: no local process found"


def processes_running(module: str) -> list[int]:
    """Processes started as `python -m <module>` (a stack this run did not start)."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info.get("cmdline") or []
        if "-m" in cmdline and module in cmdline and proc.pid != os.getpid():
            found.append(proc.pid)
    return found


def _name(pid: int) -> str:
    try:
        return psutil.Process(pid).name()
    except psutil.Error:
        return "?"


def machine_info() -> dict[str, object]:
    freq = psutil.cpu_freq()
    model = ""
    with contextlib.suppress(OSError):
        for line in open("/proc/cpuinfo").read().splitlines():  # noqa: SIM115
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpu_model": model,
        "logical_cores": psutil.cpu_count(),
        "physical_cores": psutil.cpu_count(logical=False),
        "cpu_mhz": round(freq.current) if freq else None,
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "kernel": os.uname().release,
    }


def cpu_seconds(group: Group) -> float:
    """CPU seconds the group has used so far: each root's own and its reaped children's
    (a PostgreSQL backend that exited is counted in its postmaster), plus every live
    descendant's. The difference of two readings is exact for the span between them."""
    total = 0.0
    for pid in group.pids:
        try:
            root = psutil.Process(pid)
            times = root.cpu_times()
            total += times.user + times.system
            if not group.children:
                continue
            total += times.children_user + times.children_system
            descendants = root.children(recursive=True)
        except psutil.Error:
            continue
        for proc in descendants:
            with contextlib.suppress(psutil.Error):
                times = proc.cpu_times()
                total += times.user + times.system
    return total
