"""The dev overlay's Deployments as a real runtime sees them: `podman kube play` the
rendered Deployments and ConfigMaps (Secrets' values too) with the local images and
host networking, against this test's own PostgreSQL and NATS. The pods' init
containers (`novel wait-migrated`) run for real after the migrate image has run.

Rewritten before playing, because host networking has no cluster DNS or Services:
addresses (PostgreSQL, NATS and the gRPC peers at 127.0.0.1), ports (free ones, so
nothing on the host collides), the OTLP endpoint (no collector here) and the
database name (a fresh database). Worked around, because Podman 4.3.1 lacks them:
Secrets (it cannot read them back, so their values are inlined), the downward API
beyond metadata.name, $(VAR) expansion (done here as the kubelet would), and the
restart policy (OnFailure: Podman restarts finished init containers under Always).
The probes are taken out of the played YAML (Podman turns httpGet into a curl the
images do not carry and knows no grpc probe); their checks run here instead, inside
each container, on the probes' paths.

What kube play cannot check at all: HPA, PDB, NetworkPolicy, KEDA, Services, the
Gateway and HTTPRoute, StatefulSets and Jobs; those stay under the static validation
in tests/deploy.
"""

from __future__ import annotations

import base64
import re
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest
import yaml

from novel_dev.localinfra import free_port
from tests import infra
from tests.containers.engine import REPO_ROOT, SERVICES, Engine, engine_with_images, image
from tests.e2e.sse import read_events

pytestmark = pytest.mark.containers

Obj = dict[str, Any]
TENANT = "kube-play"
DEPLOYMENTS = ("character", "simulation", "story", "gateway")


def render_dev() -> list[Obj]:
    kubectl = REPO_ROOT / ".venv" / "bin" / "kubectl"
    done = subprocess.run(
        [str(kubectl), "kustomize", str(REPO_ROOT / "deploy/k8s/overlays/dev")],
        capture_output=True,
        text=True,
        check=True,
    )
    return [d for d in yaml.safe_load_all(done.stdout) if d]


class Played:
    def __init__(self, engine: Engine, database_url: str, nats_url: str) -> None:
        self.engine = engine
        self.database_url = database_url
        self.nats_url = nats_url
        self.ports = {name: free_port() for name in DEPLOYMENTS}
        self.metrics = {name: free_port() for name in DEPLOYMENTS}
        # A suffix of its own, so runs on one host (CI, a developer) never share pods.
        self.run_id = uuid.uuid4().hex[:6]
        self.file = Path(f"/tmp/novel-kube-play-{self.run_id}.yaml")
        self.checks: dict[str, list[list[str]]] = {}
        self.secrets: dict[str, dict[str, str]] = {}
        self.configmaps: dict[str, dict[str, str]] = {}

    def pod(self, deployment: str) -> str:
        """kube play names a Deployment's pod <name>-pod-0 (the name carries run_id)."""
        return f"{deployment}-{self.run_id}-pod-0"

    def container(self, deployment: str) -> str:
        return f"{self.pod(deployment)}-{deployment}"

    def remove_pods(self) -> None:
        """What a failed play may have left (kube down does not always remove it)."""
        for name in DEPLOYMENTS:
            self.engine.run("pod", "rm", "--force", "--time=0", self.pod(name), check=False)

    def rewrite(self, objs: list[Obj]) -> list[Obj]:
        db = urlsplit(self.database_url.replace("postgresql+psycopg://", "postgresql://"))
        nats = urlsplit(self.nats_url)
        played: list[Obj] = []
        for obj in objs:
            kind, name = obj["kind"], obj["metadata"]["name"]
            if kind == "ConfigMap":
                data = obj["data"]
                if name.startswith("novel-common"):
                    data.update(
                        DB_HOST="127.0.0.1",
                        DB_PORT=str(db.port),
                        DB_NAME=db.path.lstrip("/"),
                        NE_NATS_URL=f"nats://127.0.0.1:{nats.port}",
                    )
                    data.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
                for service in DEPLOYMENTS:
                    if name.startswith(f"{service}-config"):
                        port_var = "NE_HTTP_PORT" if service == "gateway" else "NE_GRPC_PORT"
                        data[port_var] = str(self.ports[service])
                        data["NE_METRICS_PORT"] = str(self.metrics[service])
                        for peer in ("character", "simulation", "story"):
                            key = f"NE_{peer.upper()}_ADDR"
                            if key in data:
                                data[key] = f"127.0.0.1:{self.ports[peer]}"
                self.configmaps[name] = data
                played.append(obj)
            elif kind == "Secret":
                self.secrets[name] = {
                    k: base64.b64decode(v).decode() for k, v in obj.get("data", {}).items()
                }
            elif kind == "Deployment" and name in DEPLOYMENTS:
                spec = obj["spec"]["template"]["spec"]
                obj["metadata"]["name"] = f"{name}-{self.run_id}"
                spec["hostNetwork"] = True
                # Podman 4.3 applies the pod's restart policy (a Deployment's Always) to
                # init containers too, restarting one that has finished: OnFailure.
                spec["restartPolicy"] = "OnFailure"
                obj["spec"]["replicas"] = 1
                for container in spec["containers"]:
                    container["image"] = f"localhost/{image(name)}"
                    # Declarations only; on the host network they would be port mappings.
                    container.pop("ports", None)
                    self.checks[name] = [self.probe(name, container[p]) for p in PROBES]
                    for probe in PROBES:
                        container.pop(probe)
                for init in spec.get("initContainers", []):
                    init["image"] = f"localhost/{image(name)}"
                played.append(obj)
        for obj in played:
            if obj["kind"] == "Deployment":
                spec = obj["spec"]["template"]["spec"]
                for container in spec["containers"] + spec.get("initContainers", []):
                    self.inline_env(container)
        return played

    def inline_env(self, container: Obj) -> None:
        """Podman 4.3.1's kube play cannot read a Secret back (it stores what it is given
        and fails to parse it: "is not valid JSON"), so secretKeyRefs become values. An
        optional reference to a Secret or key that does not exist sets nothing, as the
        kubelet does."""
        container["env"] = [
            item
            for item in container.get("env", [])
            if not (ref := item.get("valueFrom", {}).get("secretKeyRef"))
            or ref["key"] in self.secrets.get(ref["name"], {})
            or not ref.get("optional")
        ]
        for item in container["env"]:
            ref = item.get("valueFrom", {}).get("secretKeyRef")
            if ref:
                item.pop("valueFrom")
                item["value"] = self.secrets[ref["name"]][ref["key"]]
            # Nor does it know these downward-API fields (metadata.name it does).
            field = item.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
            if field in UNKNOWN_FIELDS:
                item.pop("valueFrom")
                item["value"] = UNKNOWN_FIELDS[field]
        # Nor does it expand $(VAR) references: done here, as the kubelet would.
        known: dict[str, str] = {}
        for source in container.get("envFrom", []):
            known.update(self.configmaps.get(source.get("configMapRef", {}).get("name", ""), {}))
        for item in container.get("env", []):
            if "value" in item:
                item["value"] = re.sub(
                    r"\$\((\w+)\)", lambda m: known.get(m[1], m[0]), str(item["value"])
                )
                known[item["name"]] = item["value"]

    def probe(self, name: str, probe: Obj) -> list[str]:
        """The probe's check as a command inside the container, on the rewritten port."""
        port = self.ports[name]
        if "grpc" in probe:
            return ["python", "-m", "novel_platform.healthcheck", "grpc", f"127.0.0.1:{port}"]
        path = probe["httpGet"]["path"]
        return [
            "python",
            "-m",
            "novel_platform.healthcheck",
            "http",
            f"http://127.0.0.1:{port}{path}",
        ]


PROBES = ("startupProbe", "readinessProbe", "livenessProbe")
UNKNOWN_FIELDS = {"metadata.namespace": "novel-engine", "spec.nodeName": "kube-play"}


def as_user(url: str, user: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{user}@{parts.netloc.split('@')[-1]}"))


def prepare_database(database_url: str) -> None:
    """What the dev overlay's PostgreSQL does at first start: roles and schemas."""
    admin = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute((REPO_ROOT / "deploy/k8s/base/database/schemas.sql").read_text())


@pytest.fixture(scope="module")
def played(postgres_url: str, nats_url: str) -> Iterator[Played]:
    engine = engine_with_images("migrate", *SERVICES)
    if engine.name != "podman":
        pytest.skip("kube play is Podman's")
    with infra.fresh_database(postgres_url) as database_url:
        prepare_database(database_url)
        play = Played(engine, database_url, nats_url)
        objs = play.rewrite(render_dev())
        play.file.write_text(yaml.safe_dump_all(objs, sort_keys=False))
        # The migration Job's work (kube play runs no Jobs), as the schema owner.
        migrator = as_user(database_url, "novel_migrator")
        engine.run(
            "run",
            "--rm",
            "--network=host",
            "--read-only",
            "--tmpfs=/tmp",
            f"--env=NE_DATABASE_URL={migrator}",
            image("migrate"),
            timeout=180,
        )
        try:
            engine.run("kube", "play", str(play.file), timeout=300)
            yield play
        finally:
            engine.run("kube", "down", str(play.file), check=False, timeout=120)
            play.remove_pods()
            play.file.unlink(missing_ok=True)


def wait_for(
    engine: Engine, container: str, command: list[str], deadline_seconds: float = 90
) -> None:
    deadline = time.monotonic() + deadline_seconds
    while engine.returncode("exec", container, *command) != 0:
        if time.monotonic() > deadline:
            logs = engine.run("logs", container, check=False)
            raise AssertionError(f"{container}: {' '.join(command)} never passed:\n{logs[-3000:]}")
        time.sleep(1)


def test_pods_start_and_pass_their_probes_commands(played: Played) -> None:
    for name in DEPLOYMENTS:
        container = played.container(name)
        state = played.engine.inspect("container", container)["State"]
        assert isinstance(state, dict) and state["Running"], f"{container}: {state}"
        for command in played.checks[name]:
            wait_for(played.engine, container, command)
        # The securityContext arrived: uid 10001 and a read-only root file system.
        assert played.engine.run("exec", container, "id", "-u").strip() == "10001"
        write = ["python", "-c", "open('/app/probe', 'w')"]
        assert played.engine.returncode("exec", container, *write) != 0


def test_the_played_pods_serve_a_simulation(played: Played) -> None:
    for name in DEPLOYMENTS:
        for command in played.checks[name]:
            wait_for(played.engine, played.container(name), command)
    # The image's own CLI, as the gateway's role (it may write its schema's keys).
    key = played.engine.run(
        "exec", played.container("gateway"), "novel", "key", "create", f"--tenant={TENANT}"
    ).strip()
    seeded = played.engine.run(
        "exec",
        played.container("character"),
        "novel",
        "seed",
        f"--tenant={TENANT}",
        f"--character-addr=127.0.0.1:{played.ports['character']}",
    )
    assert "created:" in seeded, seeded
    with httpx.Client(
        base_url=f"http://127.0.0.1:{played.ports['gateway']}",
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    ) as api:
        created = api.post("/v1/simulations", json={"character_ids": ["pilot", "kai"], "turns": 2})
        assert created.status_code == 202, created.text
        events = read_events(api, f"/v1/simulations/{created.json()['id']}/events")
        assert [e.data["status"] for e in events if e.event == "status"] == ["completed"]
