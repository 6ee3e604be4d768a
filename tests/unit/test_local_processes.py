"""How the local stack starts its processes (novel_dev/localinfra.py): never through
fork() with a preexec_fn, and still dying with their parent."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

from novel_dev import localinfra


def test_a_local_server_starts_without_fork_handlers() -> None:
    # fork() runs the process's fork handlers; in a process that has used gRPC, gRPC's
    # restart its poller thread in the child, whose epoll fd subprocess then closes:
    # the child aborts before exec (epoll_wait: Bad file descriptor). vfork() runs
    # none, and subprocess takes it only without a preexec_fn. Python's own handlers
    # run exactly when gRPC's do, so they tell which one was taken.
    forks: list[int] = []
    os.register_at_fork(before=lambda: forks.append(os.getpid()))
    server = localinfra.start_nats()
    try:
        assert server.proc.poll() is None
    finally:
        server.stop()
    assert forks == []


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="setpriv (util-linux) not installed")
def test_a_child_dies_with_its_parent_even_killed() -> None:
    parent = textwrap.dedent(
        """
        import subprocess, sys, time
        from novel_dev import localinfra
        child = subprocess.Popen(localinfra.child_command(["sleep", "600"]))
        print(child.pid, flush=True)
        time.sleep(600)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", parent], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    child = psutil.Process(int(proc.stdout.readline()))
    # setpriv sets the signal before it execs the command: once that runs, it is set.
    for _ in range(3000):
        if child.cmdline()[:1] == ["sleep"]:
            break
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # Gone, or a zombie waiting for init to reap it: either way it ran no longer.
    try:
        child.wait(timeout=30)
    except psutil.TimeoutExpired:
        assert child.status() == psutil.STATUS_ZOMBIE


def test_nats_starts_again_when_its_free_port_was_taken_meanwhile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Another process binds the port free_port() chose before nats-server does (several
    # stacks start at once on a test machine): the server exits, and starts on new ports.
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    busy = taken.getsockname()[1]
    ports = iter([busy])
    real = localinfra.free_port
    monkeypatch.setattr(localinfra, "free_port", lambda: next(ports, None) or real())
    try:
        server = localinfra.start_nats()
    finally:
        taken.close()
    try:
        assert server.proc.poll() is None
        assert server.url != f"nats://127.0.0.1:{busy}"
    finally:
        server.stop()
