"""The coordinator's side of the load generators: start them, step the users, collect."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

from bench import loadgen
from bench.scenario import Record, Scenario
from bench.stats import Window

READY_TIMEOUT = 60.0


class LoadRun:
    """N generator processes, each holding its share of the virtual users."""

    def __init__(self, scenario: Scenario, processes: int, max_users: int) -> None:
        ctx = multiprocessing.get_context("spawn")  # no fork of a threaded coordinator
        self.records: list[Record] = []
        self.lags: dict[int, list[tuple[float, float]]] = {}
        self._lock = threading.Lock()
        self._conns: list[Connection] = []
        self._done: list[threading.Event] = []
        self._procs: list[multiprocessing.process.BaseProcess] = []
        per_process = -(-max_users // processes)
        for index in range(processes):
            parent, child = ctx.Pipe()
            proc = ctx.Process(
                target=loadgen.main,
                args=(child, scenario, index, per_process),
                name=f"bench-loadgen-{index}",
                daemon=True,
            )
            proc.start()
            child.close()
            self._conns.append(parent)
            self._procs.append(proc)
            self._done.append(threading.Event())
            self.lags[index] = []
        ready = [threading.Event() for _ in self._procs]
        for index, conn in enumerate(self._conns):
            threading.Thread(
                target=self._read, args=(index, conn, ready[index]), daemon=True
            ).start()
        for index, event in enumerate(ready):
            if not event.wait(READY_TIMEOUT):
                raise RuntimeError(f"load generator {index} did not start")

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._procs if p.pid is not None]

    def _read(self, index: int, conn: Connection, ready: threading.Event) -> None:
        try:
            while True:
                message: tuple[Any, ...] = conn.recv()
                if message[0] == "ready":
                    ready.set()
                elif message[0] == "records":
                    with self._lock:
                        self.records.extend(message[1])
                        self.lags[index].extend(message[2])
                elif message[0] == "done":
                    break
        except (EOFError, OSError):
            pass
        finally:
            self._done[index].set()

    def set_users(self, total: int, ramp: float) -> None:
        n = len(self._conns)
        for index, conn in enumerate(self._conns):
            conn.send(("users", total // n + (1 if index < total % n else 0), ramp))

    def snapshot(self) -> list[Record]:
        with self._lock:
            return list(self.records)

    def stop(self, drain: float) -> None:
        """Users finish what they are doing (at most `drain` s), then the processes exit."""
        for conn in self._conns:
            try:
                conn.send(("stop", drain))
            except OSError:
                continue
        for event in self._done:
            event.wait(drain + 15)
        for proc in self._procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
        for conn in self._conns:
            conn.close()


def run_steps(
    run: LoadRun,
    steps: list[int],
    *,
    step_seconds: float,
    ramp_seconds: float,
    on_step: Callable[[Window], None] | None = None,
    on_window_start: Callable[[], None] | None = None,
) -> tuple[list[Window], bool]:
    """Step through the user counts; returns the measured windows and whether the run
    was interrupted (Ctrl-C ends it early, with the steps done so far). `on_window_start`
    runs as each measured window opens, `on_step` as it closes."""
    windows: list[Window] = []
    try:
        for users in steps:
            ramp_start = time.monotonic()
            run.set_users(users, ramp_seconds)
            time.sleep(ramp_seconds)
            if on_window_start is not None:
                on_window_start()
            start = time.monotonic()
            time.sleep(step_seconds)
            window = Window(users, ramp_start, start, time.monotonic())
            windows.append(window)
            if on_step is not None:
                on_step(window)
    except KeyboardInterrupt:
        return windows, True
    return windows, False
