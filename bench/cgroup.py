"""CPU limits for single processes with the cgroup v1 `cpu` controller, the way a
Kubernetes CPU limit holds a pod: a CFS quota per period.

One group per process (`/sys/fs/cgroup/cpu/novel-bench-<our pid>-<name>`), so each
simulation worker gets its own fraction of a core; the groups are removed afterwards.
Needs root and the controller mounted (this project's development machine has both).
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

CPU_CONTROLLER = Path("/sys/fs/cgroup/cpu")
PERIOD_US = 100_000


class CpuLimitUnavailable(RuntimeError):
    """The limit cannot be applied here (not root, no cgroup v1 cpu controller)."""


def check(root: Path = CPU_CONTROLLER) -> None:
    """Raise CpuLimitUnavailable with the reason when limits cannot be set here."""
    if os.geteuid() != 0:
        raise CpuLimitUnavailable(
            "--cpu-limit needs root: it writes to the cgroup v1 cpu controller"
        )
    if not (root / "cpu.cfs_quota_us").exists() or not (root / "cgroup.procs").exists():
        raise CpuLimitUnavailable(
            f"--cpu-limit needs the cgroup v1 cpu controller at {root} (cpu.cfs_quota_us not found)"
        )


class CpuLimits:
    """Holds processes to `cores` each; `release()` moves them back and removes the groups."""

    def __init__(self, cores: float, root: Path = CPU_CONTROLLER) -> None:
        if cores <= 0:
            raise ValueError("a CPU limit must be above 0 cores")
        check(root)
        self.cores = cores
        self.root = root
        self.quota_us = max(round(cores * PERIOD_US), 1000)  # the kernel's minimum is 1 ms
        self.groups: list[Path] = []

    def hold(self, pid: int, name: str) -> Path:
        """Put the process (all its threads, and children it starts later) in a new group."""
        group = self.root / f"novel-bench-{os.getpid()}-{name}"
        group.mkdir(exist_ok=True)
        self.groups.append(group)
        (group / "cpu.cfs_period_us").write_text(f"{PERIOD_US}\n")
        (group / "cpu.cfs_quota_us").write_text(f"{self.quota_us}\n")
        (group / "cgroup.procs").write_text(f"{pid}\n")
        return group

    def release(self) -> None:
        """Processes still in a group go back to the root group; the groups are removed."""
        for group in reversed(self.groups):
            with contextlib.suppress(OSError):
                for pid in (group / "cgroup.procs").read_text().split():
                    with contextlib.suppress(OSError):
                        (self.root / "cgroup.procs").write_text(f"{pid}\n")
            with contextlib.suppress(OSError):
                group.rmdir()
        self.groups.clear()
