"""The Dockerfile and .dockerignore, checked statically (no image is built here)."""

from __future__ import annotations

import fnmatch
import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO_ROOT / "Dockerfile"
DOCKERIGNORE = REPO_ROOT / ".dockerignore"

SERVICE_TARGETS = {
    "gateway": ("http", 8000),
    "character": ("grpc", 50051),
    "simulation": ("grpc", 50052),
    "story": ("grpc", 50053),
}
# Stages that install (with pip and the lock); final images only copy their venv.
BUILDERS = {"builder", "loadgen-builder"}
TARGETS = {*BUILDERS, "runtime", "migrate", "loadgen", *SERVICE_TARGETS}
BUILD_TOOLS = re.compile(
    r"\b(apt-get|apt|apk)\s+(-\S+\s+)*(install|add)\b|\b(gcc|g\+\+|build-essential|make|cmake)\b"
)


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)


def parse(text: str) -> tuple[dict[str, str], list[Stage]]:
    """Global ARG defaults, and the stages with their (KEYWORD, arguments) instructions."""
    joined = re.sub(r"\\\n", " ", text)
    args: dict[str, str] = {}
    stages: list[Stage] = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        keyword, rest = keyword.upper(), rest.strip()
        if keyword == "FROM":
            match = re.fullmatch(
                r"(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", rest, re.IGNORECASE
            )
            assert match, f"unparseable FROM: {rest}"
            stages.append(Stage(name=match[2] or str(len(stages)), base=match[1]))
        elif not stages:
            if keyword == "ARG" and "=" in rest:
                key, _, value = rest.partition("=")
                args[key] = value
        else:
            stages[-1].instructions.append((keyword, rest))
    return args, stages


def instructions(stage: Stage, keyword: str) -> list[str]:
    return [rest for kw, rest in stage.instructions if kw == keyword]


def lineage(stages: list[Stage], name: str) -> list[Stage]:
    """The stage and the internal stages it is built FROM, nearest first."""
    by_name = {s.name: s for s in stages}
    chain = []
    while name in by_name:
        chain.append(by_name[name])
        name = by_name[name].base
    return chain


def exec_form(args: str) -> list[str]:
    value = json.loads(args)
    assert isinstance(value, list)
    return value


def check_dockerfile(text: str) -> list[str]:
    errors = []
    first = text.splitlines()[0]
    if not re.fullmatch(r"# syntax=docker/dockerfile:\d+\.\d+(\.\d+)?", first):
        errors.append("the syntax directive must pin a dockerfile frontend version")
    args, stages = parse(text)
    names = {s.name for s in stages}
    if names != TARGETS:
        errors.append(f"stages are {sorted(names)}, expected {sorted(TARGETS)}")

    requires = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"][
        "requires-python"
    ]
    minor = re.search(r"3\.\d+", requires)
    for stage in stages:
        base = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m[1], m[0]), str(stage.base))
        if base in names:
            continue
        if not re.fullmatch(
            rf"python:{re.escape(minor[0] if minor else '3')}\.\d+-slim(-\w+)?", base
        ):
            errors.append(
                f"stage {stage.name}: base {base!r} is not a slim Python pinned to a patch"
            )

    for builder in (s for s in stages if s.name in BUILDERS):
        installs = [
            cmd
            for run in instructions(builder, "RUN")
            for cmd in re.split(r"&&|;", run)
            if re.search(r"\bpip install\b", cmd)
        ]
        if not installs:
            errors.append(f"{builder.name}: installs nothing with pip")
        for cmd in installs:
            if not re.search(r"(--constraint|-c) constraints\.txt", cmd):
                errors.append(
                    f"{builder.name}: pip install without constraints.txt: {cmd.strip()[:60]}"
                )

    for target in TARGETS - BUILDERS:
        chain = lineage(stages, target)
        if not chain or chain[-1].name == "builder":
            errors.append(f"{target}: does not derive from the runtime stage")
            continue
        env = " ".join(r for s in chain for r in instructions(s, "ENV"))
        for var in ("PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1"):
            if var not in env:
                errors.append(f"{target}: {var} is not set")
        users = [u for s in reversed(chain) for u in instructions(s, "USER")]
        if not users or not re.fullmatch(r"[1-9]\d*(:[1-9]\d*)?", users[-1]):
            errors.append(f"{target}: final USER must be a numeric non-root uid")
        for stage in chain:
            for run in instructions(stage, "RUN"):
                if BUILD_TOOLS.search(run):
                    errors.append(f"{target}: installs build tools in the final image: {run[:60]}")
            for copy in instructions(stage, "COPY"):
                if copy.startswith("--from=") and not re.match(
                    r"--from=([a-z]+-)?builder /opt/venv /opt/venv$", copy
                ):
                    errors.append(f"{target}: copies more than the venv from another stage: {copy}")
                if re.match(r"(--\S+\s+)*\.\s", copy):
                    errors.append(f"{target}: copies the whole build context")

    for target, (kind, port) in SERVICE_TARGETS.items():
        target_stage = next((s for s in stages if s.name == target), None)
        if target_stage is None:
            continue
        cmd = instructions(target_stage, "CMD")
        if not cmd or exec_form(cmd[-1]) != ["python", "-m", f"services.{target}"]:
            errors.append(f"{target}: CMD must be python -m services.{target}")
        if str(port) not in " ".join(instructions(target_stage, "EXPOSE")):
            errors.append(f"{target}: does not EXPOSE {port}")
        var = "NE_HTTP_PORT" if kind == "http" else "NE_GRPC_PORT"
        if f"{var}={port}" not in " ".join(instructions(target_stage, "ENV")):
            errors.append(f"{target}: {var} is not {port}")
        health = instructions(target_stage, "HEALTHCHECK")
        expected = (
            f'"http", "http://127.0.0.1:{port}/readyz"'
            if kind == "http"
            else f'"grpc", "127.0.0.1:{port}"'
        )
        if (
            not health
            or "novel_platform.healthcheck" not in health[-1]
            or expected not in health[-1]
        ):
            errors.append(
                f"{target}: HEALTHCHECK must run novel_platform.healthcheck against port {port}"
            )
    migrate = next((s for s in stages if s.name == "migrate"), None)
    if migrate and [exec_form(c) for c in instructions(migrate, "CMD")][-1:] != [
        ["novel", "migrate"]
    ]:
        errors.append("migrate: CMD must be novel migrate")
    return errors


def dockerignore_patterns() -> list[str]:
    lines = [line.strip() for line in DOCKERIGNORE.read_text().splitlines()]
    return [line for line in lines if line and not line.startswith("#")]


def ignored(path: str, patterns: list[str]) -> bool:
    """.dockerignore semantics, enough for our patterns: a path is excluded when it
    or a parent matches; later !patterns re-include."""
    parts = path.strip("/").split("/")
    candidates = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pat = pattern.lstrip("!").strip("/")
        for candidate in candidates:
            if fnmatch.fnmatchcase(candidate, pat) or (
                pat.startswith("**/") and fnmatch.fnmatchcase(candidate.split("/")[-1], pat[3:])
            ):
                result = not negate
    return result


def test_dockerfile_rules() -> None:
    errors = check_dockerfile(DOCKERFILE.read_text())
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("USER 10001:10001", "USER root"),
        ("python:3.11.11-slim-bookworm", "python:3.11-slim"),
        ("PYTHONUNBUFFERED=1 \\\n", ""),
        ("COPY --from=builder /opt/venv /opt/venv", "COPY --from=builder / /"),
        ("WORKDIR /app\n", "WORKDIR /app\nRUN apt-get update && apt-get install -y gcc\n"),
        ("--constraint constraints.txt --requirement", "--requirement"),
        ('CMD ["python", "-m", "services.story"]', 'CMD ["python", "-m", "services.character"]'),
        ('"grpc", "127.0.0.1:50052"]', '"grpc", "127.0.0.1:50051"]'),
        ("# syntax=docker/dockerfile:1.12", "# syntax=docker/dockerfile:1"),
    ],
    ids=[
        "root user",
        "floating base",
        "no PYTHONUNBUFFERED",
        "copies builder root",
        "compiler in runtime",
        "no constraints",
        "wrong module",
        "wrong health port",
        "floating frontend",
    ],
)
def test_dockerfile_rules_catch_mutation(old: str, new: str) -> None:
    text = DOCKERFILE.read_text()
    assert old in text
    assert check_dockerfile(text.replace(old, new, 1))


def test_dockerignore_keeps_what_the_build_copies() -> None:
    patterns = dockerignore_patterns()
    _, stages = parse(DOCKERFILE.read_text())
    for stage in stages:
        for copy in instructions(stage, "COPY"):
            if copy.startswith("--from="):
                continue
            sources = [p for p in copy.split() if not p.startswith("--")][:-1]
            for source in sources:
                assert not ignored(source, patterns), (
                    f"{source} is COPY'd but excluded by .dockerignore"
                )


@pytest.mark.parametrize(
    "path",
    [
        ".git/HEAD",
        ".venv/bin/python",
        ".env",
        "tests/deploy/conftest.py",
        "services/__pycache__/x.pyc",
        ".run/stack.json",
        "deploy/k8s/base/kustomization.yaml",
    ],
)
def test_dockerignore_excludes_noise_and_secrets(path: str) -> None:
    assert ignored(path, dockerignore_patterns())


# Dev tooling: the load generator and the local stack's own servers. Only the
# loadgen image installs them (issue 12, item 9).
DEV_PACKAGES = {"bench", "novel_dev"}


def copied_sources(stage: Stage) -> set[str]:
    return {
        src.strip("/")
        for copy in instructions(stage, "COPY")
        for src in copy.split()[:-1]
        if not src.startswith("--")
    }


def test_service_images_carry_no_dev_tooling() -> None:
    _, stages = parse(DOCKERFILE.read_text())
    by_name = {s.name: s for s in stages}
    assert not copied_sources(by_name["builder"]) & DEV_PACKAGES
    assert copied_sources(by_name["loadgen-builder"]) >= DEV_PACKAGES
    assert not (REPO_ROOT / "novel_platform" / "localinfra.py").exists()


def test_builder_copies_every_installed_package() -> None:
    """Whatever pyproject.toml installs must be in the build; the image has no other source."""
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    find = pyproject["tool"]["setuptools"]["packages"]["find"]
    _, stages = parse(DOCKERFILE.read_text())
    by_name = {s.name: s for s in stages}
    copied = copied_sources(by_name["builder"]) | copied_sources(by_name["loadgen-builder"])
    for required in ("pyproject.toml", "constraints.txt", pyproject["project"]["readme"]):
        assert required in copied, f"{required} is not copied into the builder"
    for pattern in find["include"]:
        package = pattern.rstrip("*").rstrip(".")
        homes = [
            (Path(root) / package).as_posix().removeprefix("./")
            for root in find.get("where", ["."])
            if (REPO_ROOT / root / package).is_dir()
        ]
        assert homes, f"package {package} not found"
        for home in homes:
            parts = home.split("/")
            covered = any("/".join(parts[: i + 1]) in copied for i in range(len(parts)))
            assert covered, f"{home}/ is installed by pyproject.toml but not copied"
