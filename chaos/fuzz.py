"""Schemathesis against the gateway's OpenAPI, with a valid key: every route, generated
valid and invalid input, and sequences that follow the API's links.

What must hold: no server error, and every response conforms to the schema (its status
code is documented, its body, content type and headers match). `positive_data_acceptance`
is left out: a schema cannot say that a page token must be one the API returned, or that
`character_ids` may be empty only with a campaign, so "valid by the schema" input is
sometimes rightly refused with 422.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from novel_cli.keys import issue

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
    out = out.resolve()
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
    # In the results directory: Schemathesis keeps its cache (.schemathesis/) in the
    # working directory, which must not be the repository.
    done = subprocess.run(
        command, cwd=out, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = done.stdout + done.stderr
    (out / "schemathesis.txt").write_text(output)
    summary = output[output.rfind("SUMMARY") :] if "SUMMARY" in output else output[-3000:]
    return FuzzResult(done.returncode == 0, summary, output)


ROOT = Path(__file__).resolve().parents[1]
FUZZ_TENANT = "fuzz"


def seed_fuzz_tenant(url: str, database_url: str) -> tuple[str, dict[str, list[str]]]:
    """A tenant of the fuzzer's own (it deletes and cancels what it finds): a key, two
    characters and a finished simulation with its story."""
    key = asyncio.run(issue(database_url, FUZZ_TENANT))
    ids: dict[str, list[str]] = {"character_id": [], "simulation_id": [], "story_id": []}
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=url, headers=headers, timeout=30) as api:
        for name in ("Fuzz Ada", "Fuzz Bo"):
            created = api.post("/v1/characters", json={"name": name})
            created.raise_for_status()
            ids["character_id"].append(created.json()["id"])
        started = api.post(
            "/v1/simulations", json={"character_ids": ids["character_id"], "turns": 2}
        )
        started.raise_for_status()
        sim_id = started.json()["id"]
        ids["simulation_id"].append(sim_id)
        give_up = time.monotonic() + 120
        while time.monotonic() < give_up:
            found = api.get(f"/v1/simulations/{sim_id}").json()
            if found.get("status") == "completed" and found.get("story_id"):
                ids["story_id"].append(found["story_id"])
                break
            time.sleep(0.5)
    return key, ids


def run_property_tests(depth: int, out: Path, timeout: float = 600) -> FuzzResult:
    """The engine's and the chronicler's Hypothesis tests with `depth` times the budget
    `make test` gives them."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", PROPERTY_TESTS],
        cwd=ROOT,
        env={**os.environ, "NE_FUZZ_DEPTH": str(depth)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = done.stdout + done.stderr
    (out / "hypothesis.txt").write_text(output)
    return FuzzResult(done.returncode == 0, output.strip().splitlines()[-1], output)


PROPERTY_TESTS = "tests/unit/test_engine_properties.py"
