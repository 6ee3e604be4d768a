"""docker-compose.yml and .env, checked structurally (no Docker engine needed).

The file is interpolated from .env the way `docker compose` does, then each
rule is checked on the result. Like the Kubernetes rules, each check returns
violations so the mutation tests can prove it notices a broken copy.
"""

from __future__ import annotations

import copy
import re
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.llm_settings import LLM_KEYS, LLM_SERVICES, LLM_SETTINGS, defaults, settings_from

REPO_ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
ENV_FILE = REPO_ROOT / ".env"
DOCKERFILE = REPO_ROOT / "Dockerfile"

APP_SERVICES = {"gateway": 8000, "character": 50051, "simulation": 50052, "story": 50053}
LONG_RUNNING_RESTART = {"always", "unless-stopped", "on-failure"}
VERSION_TAG = re.compile(r"^v?\d+\.\d+(\.\d+)?([.-][\w.-]+)?$")
VAR = re.compile(
    r"\$(?:\$|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-?+])?(?P<arg>[^}]*)\}|(?P<bare>[A-Za-z_][A-Za-z0-9_]*))"
)

Service = dict[str, Any]


def read_env_file(path: Path) -> dict[str, str]:
    env = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        assert sep, f"malformed .env line: {line!r}"
        env[key.strip()] = value.strip()
    return env


def interpolate(node: Any, env: dict[str, str], used: set[str]) -> Any:
    """Compose-style ${VAR}, ${VAR:-default}, ${VAR:?error} and $$ escapes.
    Unset variables without a default are errors, as they would be a silent ''."""

    def sub(match: re.Match[str]) -> str:
        if match[0] == "$$":
            return "$"
        name = match["braced"] or match["bare"]
        used.add(name)
        op, arg = match["op"], match["arg"]
        value = env.get(name)
        if op in (":-", "-") and (value is None or (op == ":-" and value == "")):
            return arg
        if value is None:
            raise KeyError(f"${{{name}}} is not defined in .env")
        return value

    if isinstance(node, str):
        return VAR.sub(sub, node)
    if isinstance(node, list):
        return [interpolate(n, env, used) for n in node]
    if isinstance(node, dict):
        return {k: interpolate(v, env, used) for k, v in node.items()}
    return node


@pytest.fixture(scope="module")
def env() -> dict[str, str]:
    return read_env_file(ENV_FILE)


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def compose(raw: dict[str, Any], env: dict[str, str]) -> dict[str, Any]:
    return interpolate(raw, env, set())


def dockerfile_stages() -> set[str]:
    return set(
        re.findall(
            r"^FROM\s+\S+\s+AS\s+(\S+)", DOCKERFILE.read_text(), re.MULTILINE | re.IGNORECASE
        )
    )


def project_version() -> str:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["version"]


def is_one_shot(svc: Service) -> bool:
    return str(svc.get("restart", "no")) == "no"


def healthcheck_command(svc: Service) -> str:
    test = svc.get("healthcheck", {}).get("test", [])
    return " ".join(test) if isinstance(test, list) else str(test)


# ------------------------------------------------------------------ rules ---


def check_healthchecks(services: dict[str, Service]) -> list[str]:
    """Long-running services have a real healthcheck; one-shots have a restart policy of 'no'."""
    errors = []
    for name, svc in services.items():
        restart = str(svc.get("restart", "no"))
        if restart not in LONG_RUNNING_RESTART | {"no"}:
            errors.append(f"{name}: unknown restart policy {restart!r}")
        if is_one_shot(svc):
            continue
        check = svc.get("healthcheck")
        if not check or check.get("disable") or not isinstance(check.get("test"), list):
            errors.append(f"{name}: no healthcheck")
        elif check["test"][0] not in ("CMD", "CMD-SHELL") or check["test"] == ["NONE"]:
            errors.append(f"{name}: healthcheck test {check['test']!r} does not run a check")
    return errors


def check_dependencies(services: dict[str, Service]) -> list[str]:
    """Every dependency waits for a condition: healthy for servers, completed for one-shots.
    Each one-shot (not in a profile) is waited for by someone, so `up --wait` succeeds."""
    errors = []
    awaited = set()
    for name, svc in services.items():
        deps = svc.get("depends_on", {})
        if isinstance(deps, list):
            errors.append(f"{name}: depends_on must use the long form with conditions")
            continue
        for dep, spec in deps.items():
            if dep not in services:
                errors.append(f"{name}: depends on unknown service {dep}")
                continue
            condition = spec.get("condition")
            if is_one_shot(services[dep]):
                if condition != "service_completed_successfully":
                    errors.append(f"{name}: one-shot {dep} must be service_completed_successfully")
                awaited.add(dep)
            elif condition != "service_healthy":
                errors.append(f"{name}: {dep} must be service_healthy, not {condition}")
    for name, svc in services.items():
        if is_one_shot(svc) and not svc.get("profiles") and name not in awaited:
            errors.append(f"{name}: one-shot that no service waits for")
    return errors


def check_app_services(services: dict[str, Service]) -> list[str]:
    """The four services wait for migrations, PostgreSQL, NATS and Jaeger; their
    healthchecks probe gRPC health (HTTP /readyz for the gateway) on their own port."""
    errors = []
    for name, port in APP_SERVICES.items():
        svc = services.get(name)
        if svc is None:
            errors.append(f"{name}: missing")
            continue
        deps = svc.get("depends_on", {})
        if not isinstance(deps, dict):
            errors.append(f"{name}: depends_on must use the long form with conditions")
            continue
        expected = {
            "migrate": "service_completed_successfully",
            "postgres": "service_healthy",
            "nats": "service_healthy",
            "jaeger": "service_healthy",
        }
        for dep, condition in expected.items():
            if deps.get(dep, {}).get("condition") != condition:
                errors.append(f"{name}: must wait for {dep} ({condition})")
        env = svc.get("environment", {})
        check = healthcheck_command(svc)
        if name == "gateway":
            if (
                str(env.get("NE_HTTP_PORT")) != str(port)
                or f"http http://127.0.0.1:{port}/readyz" not in check
            ):
                errors.append(f"{name}: healthcheck must GET /readyz on NE_HTTP_PORT {port}")
        else:
            if (
                str(env.get("NE_GRPC_PORT")) != str(port)
                or f"novel_platform.healthcheck grpc 127.0.0.1:{port}" not in check
            ):
                errors.append(f"{name}: healthcheck must probe gRPC health on NE_GRPC_PORT {port}")
        if env.get("OTEL_SERVICE_NAME") != name:
            errors.append(f"{name}: OTEL_SERVICE_NAME must be {name}")
        if not str(env.get("NE_DATABASE_URL", "")).startswith(f"postgresql+psycopg://{name}_svc:"):
            errors.append(f"{name}: must connect to PostgreSQL as its own role {name}_svc")
        grace = re.fullmatch(r"(\d+)s", str(svc.get("stop_grace_period", "10s")))
        if not grace or int(grace[1]) <= int(env.get("NE_SHUTDOWN_GRACE_SECONDS", 10)):
            errors.append(f"{name}: stop_grace_period must exceed NE_SHUTDOWN_GRACE_SECONDS")
        if svc.get("read_only") is not True or "ALL" not in svc.get("cap_drop", []):
            errors.append(f"{name}: must run with a read-only root and no capabilities")
    return errors


def check_infrastructure(services: dict[str, Service], volumes: dict[str, Any]) -> list[str]:
    """PostgreSQL (pg_isready, init scripts), NATS (JetStream on a volume, JS health),
    Jaeger (OTLP in, UI 16686)."""
    errors = []
    pg, nats, jaeger = (
        services.get("postgres", {}),
        services.get("nats", {}),
        services.get("jaeger", {}),
    )
    if "pg_isready" not in healthcheck_command(pg):
        errors.append("postgres: healthcheck must use pg_isready")
    mounts = {v.split(":")[1]: v.split(":")[0] for v in pg.get("volumes", []) if isinstance(v, str)}
    init = {
        target: source
        for target, source in mounts.items()
        if target.startswith("/docker-entrypoint-initdb.d/")
    }
    if not init:
        errors.append("postgres: no init scripts mounted")
    for source in init.values():
        if not (REPO_ROOT / source).is_file():
            errors.append(f"postgres: init script {source} does not exist")
    if (
        "/var/lib/postgresql/data" not in mounts
        or mounts["/var/lib/postgresql/data"] not in volumes
    ):
        errors.append("postgres: data is not on a named volume")

    if "/healthz?js-enabled-only=true" not in healthcheck_command(nats):
        errors.append("nats: healthcheck must hit /healthz?js-enabled-only=true")
    command = " ".join(nats.get("command", []))
    store = re.search(r"--store_dir=(\S+)", command)
    if "--jetstream" not in command or not store:
        errors.append("nats: JetStream must be enabled with a store_dir")
    elif not any(
        isinstance(v, str) and v.split(":")[0] in volumes and v.split(":")[1] == store[1]
        for v in nats.get("volumes", [])
    ):
        errors.append("nats: JetStream store_dir is not on a named volume")

    if not any(str(p).endswith(":16686") for p in jaeger.get("ports", [])):
        errors.append("jaeger: UI port 16686 is not published")
    for name in APP_SERVICES:
        endpoint = services.get(name, {}).get("environment", {}).get("OTEL_EXPORTER_OTLP_ENDPOINT")
        if endpoint != "http://jaeger:4317":
            errors.append(f"{name}: OTEL_EXPORTER_OTLP_ENDPOINT must be Jaeger's OTLP gRPC port")
    return errors


def check_images(services: dict[str, Service]) -> list[str]:
    """Images are either built here (a Dockerfile target, tagged with the project
    version) or upstream images pinned to a version."""
    errors = []
    stages, version = dockerfile_stages(), project_version()
    for name, svc in services.items():
        image = str(svc.get("image", ""))
        if "build" in svc:
            target = svc["build"].get("target")
            if target not in stages:
                errors.append(f"{name}: build target {target!r} is not a Dockerfile stage")
            if image != f"novel-engine/{target}:{version}":
                errors.append(
                    f"{name}: built image must be novel-engine/{target}:{version}, got {image!r}"
                )
        else:
            repo, _, tag = image.rpartition(":")
            if not repo or "/" in tag or not VERSION_TAG.match(tag):
                errors.append(f"{name}: upstream image {image!r} is not pinned to a version")
    return errors


def check_limits_and_ports(services: dict[str, Service]) -> list[str]:
    """Every service has a memory limit; published ports bind to loopback only."""
    errors = []
    for name, svc in services.items():
        limit = svc.get("deploy", {}).get("resources", {}).get("limits", {}).get(
            "memory"
        ) or svc.get("mem_limit")
        if not limit:
            errors.append(f"{name}: no memory limit")
        for port in svc.get("ports", []):
            if not str(port).startswith("127.0.0.1:"):
                errors.append(f"{name}: port {port} is not bound to 127.0.0.1")
    return errors


def check_loadgen(services: dict[str, Service]) -> list[str]:
    """The optional load generator: profile-gated, runs the benchmark against the gateway."""
    svc = services.get("loadgen")
    if svc is None:
        return ["loadgen: missing"]
    errors = []
    if svc.get("profiles") != ["loadgen"]:
        errors.append("loadgen: must only run with the loadgen profile")
    if svc.get("command", [])[:3] != ["python", "-m", "bench"]:
        errors.append("loadgen: must run python -m bench")
    if "http://gateway:8000" not in " ".join(svc.get("command", [])):
        errors.append("loadgen: must target the gateway")
    if svc.get("depends_on", {}).get("gateway", {}).get("condition") != "service_healthy":
        errors.append("loadgen: must wait for a healthy gateway")
    return errors


def check_llm_env(services: dict[str, Service], env: dict[str, str]) -> list[str]:
    """On the uninterpolated file: the services reading LlmSettings get every NE_LLM_*
    variable from a .env variable of its own; .env leaves the keys empty (a real one
    comes from the shell, never from git); no other service gets any."""
    errors = []
    for name in APP_SERVICES:
        environment = services.get(name, {}).get("environment") or {}
        given = {k: str(v) for k, v in environment.items() if k.startswith("NE_LLM_")}
        if name not in LLM_SERVICES:
            errors += [f"{name}: has {var} but does not read it" for var in sorted(given)]
            continue
        for var in sorted(LLM_SETTINGS | LLM_KEYS):
            source = re.fullmatch(r"\$\{(NOVEL_\w+)\}", given.get(var, ""))
            if not source:
                errors.append(f"{name}: {var} does not come from a .env variable")
            elif var in LLM_KEYS and env.get(source[1]) != "":
                errors.append(f"{name}: {var} must be empty in .env (set it in the shell)")
    return errors


# ------------------------------------------------------------------ tests ---


def test_every_variable_is_defined_and_used(raw: dict[str, Any], env: dict[str, str]) -> None:
    used: set[str] = set()
    interpolate(raw, env, used)  # raises on an undefined variable
    unused = {k for k in env if not k.startswith("COMPOSE_")} - used
    assert not unused, f".env defines variables nothing uses: {sorted(unused)}"


def test_published_ports_and_addresses_come_from_env(raw: dict[str, Any]) -> None:
    for name, svc in raw["services"].items():
        for port in svc.get("ports", []):
            assert re.fullmatch(r"\$\{NOVEL_BIND_ADDRESS\}:\$\{NOVEL_\w+\}:[\w${}]+", str(port)), (
                name,
                port,
            )
        for key, value in (svc.get("environment") or {}).items():
            if re.search(r"(_URL|_ADDR|_ENDPOINT)$", key) and isinstance(value, str):
                assert "${NOVEL_" in value, (
                    f"{name}: {key} is hard-coded instead of coming from .env"
                )


def test_env_addresses_match_ports(env: dict[str, str]) -> None:
    for svc in ("character", "simulation", "story"):
        assert (
            env[f"NOVEL_{svc.upper()}_ADDR"]
            == f"dns:///{svc}:{env[f'NOVEL_{svc.upper()}_GRPC_PORT']}"
        )
        assert env[f"NOVEL_{svc.upper()}_GRPC_PORT"] == str(APP_SERVICES[svc])
    assert env["NOVEL_GATEWAY_HTTP_PORT"] == str(APP_SERVICES["gateway"])
    assert env["NOVEL_IMAGE_TAG"] == project_version()
    assert env["NOVEL_BIND_ADDRESS"] == "127.0.0.1"
    # Embedded in SQLAlchemy URLs without escaping.
    for key, value in env.items():
        if key.endswith("_PASSWORD"):
            assert re.fullmatch(r"[A-Za-z0-9._~-]+", value), f"{key} is not URL-safe"


def test_compose_rules(compose: dict[str, Any], env: dict[str, str]) -> None:
    services = compose["services"]
    errors = (
        check_healthchecks(services)
        + check_dependencies(services)
        + check_app_services(services)
        + check_infrastructure(services, compose.get("volumes", {}))
        + check_images(services)
        + check_limits_and_ports(services)
        + check_loadgen(services)
    )
    assert not errors, "\n".join(errors)


def test_compose_matches_kubernetes_dev_credentials(env: dict[str, str]) -> None:
    """docker-compose and the dev overlay use the same dev-only passwords and roles."""
    kustomization = yaml.safe_load(
        (REPO_ROOT / "deploy/k8s/overlays/dev/kustomization.yaml").read_text()
    )
    secrets = {
        s["name"]: dict(lit.split("=", 1) for lit in s["literals"])
        for s in kustomization["secretGenerator"]
    }
    assert secrets["postgres-superuser"]["password"] == env["NOVEL_POSTGRES_SUPERUSER_PASSWORD"]
    assert secrets["migrator-db"] == {
        "username": "novel_migrator",
        "password": env["NOVEL_DB_MIGRATOR_PASSWORD"],
    }
    for svc in APP_SERVICES:
        assert secrets[f"{svc}-db"] == {
            "username": f"{svc}_svc",
            "password": env[f"NOVEL_DB_{svc.upper()}_PASSWORD"],
        }
    assert secrets["gateway-dev-api-key"]["api-key"] == env["NOVEL_DEV_API_KEY"]


MUTATIONS: list[tuple[str, Callable[[dict[str, Any]], None]]] = [
    ("healthcheck removed", lambda c: c["services"]["story"].pop("healthcheck")),
    ("depends_on short form", lambda c: c["services"]["story"].update(depends_on=["postgres"])),
    (
        "started instead of healthy",
        lambda c: c["services"]["character"]["depends_on"]["nats"].update(
            condition="service_started"
        ),
    ),
    ("migrations not awaited", lambda c: c["services"]["simulation"]["depends_on"].pop("migrate")),
    ("unpinned upstream image", lambda c: c["services"]["nats"].update(image="nats:latest")),
    ("unknown build target", lambda c: c["services"]["story"]["build"].update(target="nope")),
    ("no memory limit", lambda c: c["services"]["jaeger"].pop("deploy")),
    ("port on all interfaces", lambda c: c["services"]["gateway"].update(ports=["8000:8000"])),
    (
        "wrong health port",
        lambda c: c["services"]["story"]["healthcheck"].update(
            test=["CMD", "python", "-m", "novel_platform.healthcheck", "grpc", "127.0.0.1:50051"]
        ),
    ),
    (
        "NATS health without JetStream",
        lambda c: c["services"]["nats"]["healthcheck"].update(
            test=["CMD", "wget", "-q", "http://127.0.0.1:8222/healthz"]
        ),
    ),
    ("loadgen always on", lambda c: c["services"]["loadgen"].pop("profiles")),
]


@pytest.mark.parametrize(("mutate"), [pytest.param(m[1], id=m[0]) for m in MUTATIONS])
def test_compose_rules_catch_mutation(
    compose: dict[str, Any], env: dict[str, str], mutate: Callable[[dict[str, Any]], None]
) -> None:
    broken = copy.deepcopy(compose)
    mutate(broken)
    services = broken["services"]
    errors = (
        check_healthchecks(services)
        + check_dependencies(services)
        + check_app_services(services)
        + check_infrastructure(services, broken.get("volumes", {}))
        + check_images(services)
        + check_limits_and_ports(services)
        + check_loadgen(services)
    )
    assert errors


def test_model_settings_reach_the_services(raw: dict[str, Any], env: dict[str, str]) -> None:
    errors = check_llm_env(raw["services"], env)
    assert not errors, "\n".join(errors)


LLM_MUTATIONS: list[tuple[str, Callable[[dict[str, Any], dict[str, str]], object]]] = [
    ("setting missing", lambda c, e: c["services"]["story"]["environment"].pop("NE_LLM_MODEL")),
    (
        "key written in the file",
        lambda c, e: c["services"]["simulation"]["environment"].update(NE_LLM_API_KEY="sk-1"),
    ),
    ("key committed to .env", lambda c, e: e.update(NOVEL_LLM_SECRET_KEY="k")),
    (
        "key given to the gateway",
        lambda c, e: c["services"]["gateway"]["environment"].update(
            NE_LLM_API_KEY="${NOVEL_LLM_API_KEY}"
        ),
    ),
]


@pytest.mark.parametrize(("mutate"), [pytest.param(m[1], id=m[0]) for m in LLM_MUTATIONS])
def test_model_settings_rule_catches_mutation(
    raw: dict[str, Any],
    env: dict[str, str],
    mutate: Callable[[dict[str, Any], dict[str, str]], object],
) -> None:
    broken, broken_env = copy.deepcopy(raw), dict(env)
    mutate(broken, broken_env)
    assert check_llm_env(broken["services"], broken_env)


@pytest.mark.parametrize("service", sorted(LLM_SERVICES))
def test_model_settings_parse_offline(
    compose: dict[str, Any], service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """.env as shipped: every NE_LLM_* variable empty, which the service reads as its
    defaults (no model, no key) instead of failing to start."""
    environment = compose["services"][service]["environment"]
    given = {k: str(v) for k, v in environment.items() if k.startswith("NE_LLM_")}
    assert given == dict.fromkeys(LLM_SETTINGS | LLM_KEYS, "")
    settings = settings_from(given, monkeypatch)
    assert settings == defaults() and not settings.backend().configured


def test_interpolation_rejects_undefined_variables() -> None:
    with pytest.raises(KeyError):
        interpolate({"a": "${NOT_DEFINED}"}, {}, set())
    assert interpolate("$${X}-${Y:-d}-${Z}", {"Z": "z"}, set()) == "${X}-d-z"
