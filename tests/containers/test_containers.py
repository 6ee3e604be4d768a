"""The images run for real: migrate, then the four services, against this test's own
PostgreSQL and NATS on the host; one synchronous and one queued simulation through the
gateway container; every container non-root on a read-only root file system and
stopped by SIGTERM inside its grace period.

The containers share one pod (one network namespace, like a Kubernetes pod's
containers), so the images' healthchecks use their default ports; the pod reaches the
host's loopback at 10.0.2.2 (slirp4netns). Skipped where neither Podman nor a running
Docker engine exists, or where `make images` has not been run (`make test-containers`
builds first and fails instead of skipping).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from novel_dev.localinfra import free_port
from tests import infra
from tests.containers.engine import SERVICES, Engine, engine_with_images, image
from tests.e2e.sse import read_events

pytestmark = pytest.mark.containers

HOST_FROM_POD = "10.0.2.2"
GRACE_SECONDS = 30  # the manifests' terminationGracePeriodSeconds
TENANT = "containers"


class Stack:
    def __init__(self, engine: Engine, name: str, database_url: str, nats_url: str) -> None:
        self.engine, self.name = engine, name
        self.database_url = database_url
        self.http_port = free_port()
        self.env = {
            "NE_DATABASE_URL": database_url.replace("127.0.0.1", HOST_FROM_POD).replace(
                "localhost", HOST_FROM_POD
            ),
            "NE_NATS_URL": nats_url.replace("127.0.0.1", HOST_FROM_POD),
            "NE_SHUTDOWN_GRACE_SECONDS": "10",
            "NE_LOG_LEVEL": "INFO",
        }
        self.containers: list[str] = []

    def container(self, service: str) -> str:
        return f"{self.name}-{service}"

    def run(self, service: str, *, detach: bool, extra_env: dict[str, str]) -> str:
        env = [f"--env={k}={v}" for k, v in {**self.env, **extra_env}.items()]
        return self.engine.run(
            "run",
            *(["--detach"] if detach else []),
            f"--name={self.container(service)}",
            f"--pod={self.name}",
            # What the manifests' securityContext demands.
            "--read-only",
            "--tmpfs=/tmp",
            "--cap-drop=ALL",
            "--security-opt=no-new-privileges",
            f"--stop-timeout={GRACE_SECONDS}",
            *env,
            image(service),
            timeout=180,
        )


@pytest.fixture(scope="module")
def stack(postgres_url: str, nats_url: str) -> Iterator[Stack]:
    engine = engine_with_images("migrate", *SERVICES)
    if engine.name != "podman":
        pytest.skip("the container test drives Podman pods; with Docker use `make compose-up`")
    with infra.fresh_database(postgres_url) as database_url:
        stack = Stack(engine, f"ne-test-{uuid.uuid4().hex[:8]}", database_url, nats_url)
        engine.run(
            "pod",
            "create",
            f"--name={stack.name}",
            "--network=slirp4netns:allow_host_loopback=true",
            f"--publish=127.0.0.1:{stack.http_port}:8000",
        )
        try:
            stack.run("migrate", detach=False, extra_env={})
            stack.containers.append(stack.container("migrate"))
            # Each its own metrics port: the pod's containers share one network namespace.
            for index, service in enumerate(SERVICES):
                stack.run(service, detach=True, extra_env={"NE_METRICS_PORT": str(9464 + index)})
                stack.containers.append(stack.container(service))
            for service in SERVICES:
                engine.wait_healthy(stack.container(service))
            yield stack
        finally:
            engine.run("pod", "rm", "--force", "--time=0", stack.name, check=False)


@pytest.fixture(scope="module")
def api(stack: Stack) -> Iterator[httpx.Client]:
    # The images' own CLI, so the test needs nothing of this checkout's schema.
    key = stack.engine.run(
        "exec", stack.container("gateway"), "novel", "key", "create", f"--tenant={TENANT}"
    ).strip()
    # The starter roster, through the character container's own CLI and gRPC port.
    seeded = stack.engine.run(
        "exec", stack.container("character"), "novel", "seed", f"--tenant={TENANT}"
    )
    assert "created:" in seeded, seeded
    with httpx.Client(
        base_url=f"http://127.0.0.1:{stack.http_port}",
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    ) as client:
        yield client


def test_a_synchronous_simulation_through_the_gateway_container(api: httpx.Client) -> None:
    response = api.post(
        "/simulations", json={"character_names": ["pilot", "scientist"], "turns": 3}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["participants"] == ["pilot", "scientist"] and body["turns_executed"] == 3
    assert "Rhea Voss" in body["story"]


def test_a_queued_simulation_through_the_gateway_container(api: httpx.Client) -> None:
    created = api.post(
        "/v1/simulations", json={"character_ids": ["pilot", "scientist", "marcus"], "turns": 3}
    )
    assert created.status_code == 202, created.text
    events = read_events(api, f"/v1/simulations/{created.json()['id']}/events")
    assert [e.data["status"] for e in events if e.event == "status"] == ["completed"]
    assert events[-1].event == "story"
    story = api.get(f"/v1/stories/{events[-1].data['story_id']}")
    assert story.status_code == 200 and len(story.json()["chapters"]) == 3


@pytest.mark.parametrize("service", SERVICES)
def test_runs_as_non_root_on_a_read_only_root(stack: Stack, service: str) -> None:
    name = stack.container(service)
    assert stack.engine.run("exec", name, "id", "-u").strip() == "10001"
    host_config = stack.engine.inspect("container", name)["HostConfig"]
    assert isinstance(host_config, dict) and host_config["ReadonlyRootfs"] is True
    # The flag is honoured, not just recorded: writing anywhere but /tmp fails.
    write = ["python", "-c", "open('/app/probe', 'w')"]
    assert stack.engine.returncode("exec", name, *write) != 0
    tmp = ["python", "-c", "open('/tmp/probe', 'w').write('ok')"]
    assert stack.engine.returncode("exec", name, *tmp) == 0


def test_sigterm_stops_every_container_inside_the_grace_period(
    stack: Stack, api: httpx.Client
) -> None:
    # The gateway first, as a rollout would drain it, then the services behind it.
    for service in ("gateway", "simulation", "story", "character"):
        name = stack.container(service)
        stack.engine.run("stop", f"--time={GRACE_SECONDS}", name, timeout=GRACE_SECONDS + 30)
        state = stack.engine.inspect("container", name)["State"]
        assert isinstance(state, dict)
        # 137 would be the SIGKILL at the end of the grace period.
        logs = stack.engine.run("logs", name, check=False)[-2000:]
        assert state["ExitCode"] == 0, f"{service} exited {state['ExitCode']}:\n{logs}"
