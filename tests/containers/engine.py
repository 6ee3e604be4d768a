"""The container engine the container tests drive (Podman, or Docker when its daemon
answers), and the images they expect `make images` to have built."""

from __future__ import annotations

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
IMAGE_REPO = os.environ.get("IMAGE_REPO", "novel-engine")
IMAGE_TAG = os.environ.get("IMAGE_TAG", "0.1.0")
SERVICES = ("character", "simulation", "story", "gateway")
# `make test-containers` sets this: there, missing images are a failure, not a skip.
REQUIRED = os.environ.get("NE_CONTAINER_TESTS") == "require"


def image(target: str) -> str:
    return f"{IMAGE_REPO}/{target}:{IMAGE_TAG}"


@dataclass
class Engine:
    name: str

    def run(self, *args: str, check: bool = True, timeout: float = 120) -> str:
        done = subprocess.run(
            [self.name, *args], capture_output=True, text=True, timeout=timeout, env=_env()
        )
        if check and done.returncode != 0:
            command = " ".join([self.name, *args[:3]])
            raise AssertionError(f"{command}... exited {done.returncode}: {done.stderr[-2000:]}")
        return done.stdout

    def returncode(self, *args: str, timeout: float = 60) -> int:
        return subprocess.run(
            [self.name, *args], capture_output=True, timeout=timeout, env=_env()
        ).returncode

    def inspect(self, kind: str, name: str) -> dict[str, object]:
        value = json.loads(self.run(kind, "inspect", name))
        assert isinstance(value, list) and value
        first = value[0]
        assert isinstance(first, dict)
        return first

    def has_image(self, ref: str) -> bool:
        return self.returncode("image", "inspect", ref) == 0

    def wait_healthy(self, container: str, deadline_seconds: float = 90) -> None:
        """Runs the image's own HEALTHCHECK command until it passes (Podman) or the
        engine reports healthy (Docker); a container that exits fails at once."""
        deadline = time.monotonic() + deadline_seconds
        while True:
            state = self.inspect("container", container)["State"]
            assert isinstance(state, dict)
            if not state.get("Running"):
                logs = self.run("logs", container, check=False)
                raise AssertionError(f"{container} exited {state.get('ExitCode')}:\n{logs[-3000:]}")
            if self.name == "podman":
                if self.returncode("healthcheck", "run", container) == 0:
                    return
            elif (state.get("Health") or {}).get("Status") == "healthy":
                return
            if time.monotonic() > deadline:
                logs = self.run("logs", container, check=False)
                raise AssertionError(f"{container} never became healthy:\n{logs[-3000:]}")
            time.sleep(1)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # The repository's Podman settings (runc, capped ulimits) unless the caller chose.
    env.setdefault("CONTAINERS_CONF", str(REPO_ROOT / "deploy/images/containers.conf"))
    return env


def detect() -> Engine | None:
    """tools/container_engine.sh decides, as it does for `make images`."""
    name = subprocess.run(
        [str(REPO_ROOT / "tools/container_engine.sh")], capture_output=True, text=True
    ).stdout.strip()
    return Engine(name) if name else None


def engine_with_images(*targets: str) -> Engine:
    """The engine, or a skip that says why the container tests cannot run here."""
    engine = detect()
    if engine is None:
        pytest.skip("neither Podman nor a running Docker engine: the container tests need one")
    missing = [image(t) for t in targets if not engine.has_image(image(t))]
    if missing:
        message = (
            f"images not built: {', '.join(missing)}. `make test-containers` builds them and runs"
            " this test (`make images` alone builds them; a cold build takes minutes)"
        )
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    return engine
