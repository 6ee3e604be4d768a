"""The supervisor of `novel up` on real processes, with a clock the test moves."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from novel_cli.supervisor import Supervisor


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _sleeper() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])


@pytest.fixture
def procs() -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    running = {"story": _sleeper(), "gateway": _sleeper()}
    yield running
    for proc in running.values():
        proc.kill()
        proc.wait()


def _kill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_a_killed_process_is_restarted_after_a_growing_backoff_and_the_rest_runs_on(
    procs: dict[str, subprocess.Popen[bytes]],
) -> None:
    clock = Clock()
    lines: list[str] = []

    def respawn(name: str) -> subprocess.Popen[bytes]:
        procs[name] = _sleeper()
        return procs[name]

    supervisor = Supervisor(procs, respawn, lines.append, clock=clock)
    gateway = procs["gateway"]
    assert supervisor.poll() == []

    _kill(procs["story"])
    assert supervisor.poll() == []  # noticed, waiting out 1 s
    assert lines == ["story exited with signal 9; restarting in 1s"]
    clock.now += 1
    assert supervisor.poll() == ["story"]
    assert procs["story"].poll() is None
    assert procs["gateway"] is gateway and gateway.poll() is None

    # Dies again soon after its start: the wait doubles.
    _kill(procs["story"])
    clock.now += 5
    supervisor.poll()
    assert lines[-1] == "story exited with signal 9; restarting in 2s"
    clock.now += 1
    assert supervisor.poll() == []
    clock.now += 1
    assert supervisor.poll() == ["story"]
    assert supervisor.restarts("story") == 2

    # Up for a minute: a later crash waits 1 s again.
    clock.now += 61
    supervisor.poll()
    _kill(procs["story"])
    supervisor.poll()
    assert lines[-1] == "story exited with signal 9; restarting in 1s"
    assert gateway.poll() is None and supervisor.restarts("gateway") == 0
