"""Schemathesis against the gateway's OpenAPI, with a valid key: every route, generated
valid and invalid input, and sequences that follow the API's links.

What must hold: no server error, and every response conforms to the schema (its status
code is documented, its body, content type and headers match). `positive_data_acceptance`
is left out: a schema cannot say that a page token must be one the API returned, or that
`character_ids` may be empty only with a campaign, so "valid by the schema" input is
sometimes rightly refused with 422.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

CHECKS = "all"
EXCLUDED_CHECKS = "positive_data_acceptance"


@dataclass(frozen=True)
class FuzzResult:
    passed: bool
    summary: str  # the run's closing lines (failures are described above them)
    output: str


def _config(ids: dict[str, list[str]]) -> str:
    """Real ids for the path parameters half of the time, so that fuzzing reaches past
    the 404 of an unknown id (the rest are generated)."""
    lines = ["[dictionaries]"]
    lines += [f"{name} = {{ values = {json.dumps(values)} }}" for name, values in ids.items()]
    lines += ["", "[parameters]"]
    lines += [
        f'"path.{name}" = {{ dictionary = "{name}", probability = 0.5 }}'
        for name, values in ids.items()
        if values
    ]
    return "\n".join(lines) + "\n"


def run_schemathesis(
    url: str,
    key: str,
    out: Path,
    *,
    max_examples: int,
    ids: dict[str, list[str]],
    seed: int = 1,
    timeout: float = 600,
) -> FuzzResult:
    out.mkdir(parents=True, exist_ok=True)
    config = out / "schemathesis.toml"
    config.write_text(_config({name: values for name, values in ids.items() if values}))
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--config-file",
        str(config),
        "--no-color",
        "run",
        f"{url}/openapi.json",
        "--header",
        f"Authorization: Bearer {key}",
        "--checks",
        CHECKS,
        "--exclude-checks",
        EXCLUDED_CHECKS,
        "--max-examples",
        str(max_examples),
        "--seed",
        str(seed),
        # One worker: generation compiles patterns, which is not thread-safe on 3.11.
        "--workers",
        "1",
        "--report",
        "junit",
        "--report-dir",
        str(out),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    output = done.stdout + done.stderr
    (out / "schemathesis.txt").write_text(output)
    summary = output[output.rfind("SUMMARY") :] if "SUMMARY" in output else output[-3000:]
    return FuzzResult(done.returncode == 0, summary, output)
