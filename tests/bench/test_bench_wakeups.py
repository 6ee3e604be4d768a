"""`python -m bench.wakeups`, run small: it starts its own gRPC server process and prints
a calibration line and both batches with every figure. No timing is asserted."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(
    r"^\| (back to back|after 5 ms idle) \| (\d+\.\d+) ms \| (\d+\.\d+) ms \| (\d+\.\d) \|$"
)


def test_wakeups_reports_both_batches_from_its_own_server() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.wakeups", "--calls", "30", "--gap-ms", "5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("Calibration: `for i in range(20_000_000): x += i` took **")
    rows = [m.groups() for line in lines if (m := ROW.match(line))]
    assert [r[0] for r in rows] == ["back to back", "after 5 ms idle"]
    # The server answered every call, switching threads to do so (switches are counted
    # exactly; CPU is read in clock ticks, which 30 calls may not fill: never negative).
    assert all(float(r[3]) > 0 and float(r[1]) >= 0 and float(r[2]) >= 0 for r in rows)


def test_wakeups_refuses_a_batch_of_nothing() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.wakeups", "--calls", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--calls must be >= 1" in done.stderr
