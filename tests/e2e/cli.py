"""Running the installed `novel` executable the way a person does, against a stack."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

NOVEL = str(Path(sys.executable).parent / "novel")


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


def novel(*args: str, env: dict[str, str], timeout: float = 120) -> Run:
    """`novel ARGS` with only the given connection settings (no user config, no .run)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("NE_", "NOVEL_"))}
    done = subprocess.run(
        [NOVEL, *args],
        env={**clean, "COLUMNS": "120", **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return Run(done.returncode, done.stdout, done.stderr)
