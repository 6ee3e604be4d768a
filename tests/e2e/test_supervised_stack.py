"""`novel up` keeps running when a service is killed, and restarts it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import infra

pytestmark = pytest.mark.e2e


def _state(run_dir: Path) -> dict[str, Any] | None:
    try:
        found: dict[str, Any] = json.loads((run_dir / "stack.json").read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return found


def _wait_for(check, timeout: float = 90):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def test_a_killed_service_is_restarted_and_the_stack_keeps_serving(
    postgres_url: str, nats_url: str, tmp_path: Path
) -> None:
    run_dir = tmp_path / "run"
    with infra.fresh_database(postgres_url) as database_url:
        env = {
            **os.environ,
            "NE_DATABASE_URL": database_url,
            "NE_NATS_URL": nats_url,
            "NE_RUN_DIR": str(run_dir),
            "NE_LOG_LEVEL": "WARNING",
            "NE_SHUTDOWN_GRACE_SECONDS": "2",
        }
        up = subprocess.Popen(
            [str(Path(sys.executable).parent / "novel"), "up", "--free-ports"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            state = _wait_for(lambda: _state(run_dir))
            pids: dict[str, int] = state["pids"]
            os.kill(pids["story"], signal.SIGKILL)
            restarted = _wait_for(
                lambda: (s := _state(run_dir)) and s["pids"]["story"] != pids["story"] and s
            )
            assert up.poll() is None, "the stack shut down"
            assert {k: v for k, v in restarted["pids"].items() if k != "story"} == {
                k: v for k, v in pids.items() if k != "story"
            }
            url, key = str(state["url"]), str(state["key"])
            headers = {"Authorization": f"Bearer {key}"}

            def story_back() -> bool:
                try:
                    response = httpx.get(f"{url}/v1/stories", headers=headers, timeout=5)
                except httpx.HTTPError:
                    return False
                return response.status_code == 200

            assert _wait_for(story_back)
        finally:
            up.send_signal(signal.SIGTERM)
            _, err = up.communicate(timeout=60)
        assert up.returncode == 0
        log = err.decode()
        assert "story exited with signal 9; restarting in 1s" in log
        assert "story restarted" in log
