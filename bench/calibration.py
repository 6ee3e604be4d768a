"""The calibration loop: a fixed pure-Python workload timed in CPU seconds, so that the
numbers of runs on different hosts (or on one host on a busy day) can be compared."""

from __future__ import annotations

import time
from typing import Any

ADDITIONS = 20_000_000
LOOP = f"for i in range({ADDITIONS:_}): x += i"


def calibrate() -> dict[str, Any]:
    """CPU seconds (this process's) of 20 M integer additions in a Python loop."""
    started = time.process_time()
    x = 0
    for i in range(ADDITIONS):
        x += i
    seconds = time.process_time() - started
    return {"loop": LOOP, "cpu_seconds": seconds, "result": x}


def calibration_line(calibration: dict[str, Any]) -> str:
    """The first line under every report's title."""
    return (
        f"Calibration: `{calibration['loop']}` took **{calibration['cpu_seconds']:.2f} s** of "
        "CPU in this run (the issue's absolute targets assume about 1.2 s)."
    )
