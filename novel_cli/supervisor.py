"""Keeps the local stack's service processes running: `novel up` polls it.

A process that exits is logged and started again after a backoff that doubles each
time it dies soon after a start (1 s, 2 s, 4 s … up to 30 s), and is back to 1 s once
it has stayed up for a minute. The other processes keep running meanwhile: one
crashed service is a degraded stack (its callers get 503 + Retry-After), not a
stopped one.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass, field


@dataclass
class _State:
    started_at: float
    backoff: float
    restart_at: float | None = None  # set while dead, waiting for its backoff
    restarts: int = 0


@dataclass
class Supervisor:
    procs: MutableMapping[str, subprocess.Popen[bytes]]
    # Starts the named process again and returns it (it also replaces it in `procs`).
    respawn: Callable[[str], subprocess.Popen[bytes]]
    log: Callable[[str], None]
    initial_backoff: float = 1.0
    max_backoff: float = 30.0
    stable_after: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _states: dict[str, _State] = field(default_factory=dict)

    def restarts(self, name: str) -> int:
        state = self._states.get(name)
        return state.restarts if state else 0

    def poll(self) -> list[str]:
        """Notice exits and restart what is due; returns the names restarted now."""
        now = self.clock()
        restarted = []
        for name, proc in list(self.procs.items()):
            state = self._states.setdefault(name, _State(now, self.initial_backoff))
            if state.restart_at is None:
                if proc.poll() is None:
                    if now - state.started_at >= self.stable_after:
                        state.backoff = self.initial_backoff
                    continue
                # Died: wait its backoff; a crash loop waits longer each time.
                delay = state.backoff
                if now - state.started_at < self.stable_after:
                    state.backoff = min(state.backoff * 2, self.max_backoff)
                else:
                    delay = state.backoff = self.initial_backoff
                state.restart_at = now + delay
                self.log(
                    f"{name} exited with {_describe(proc.returncode)}; restarting in {delay:.0f}s"
                )
            elif now >= state.restart_at:
                new = self.respawn(name)
                state.restart_at = None
                state.started_at = now
                state.restarts += 1
                restarted.append(name)
                self.log(f"{name} restarted (pid {new.pid}, restart #{state.restarts})")
        return restarted


def _describe(code: int | None) -> str:
    if code is not None and code < 0:
        return f"signal {-code}"
    return f"code {code}"
