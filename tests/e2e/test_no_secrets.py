"""No secret in an error body or a log line: API keys (valid, unknown, malformed) and the
database's URL and password, after requests that fail every way a client can make
them fail, each carrying the key."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from chaos.checks import secrets_in_logs
from novel_cli.stack import LocalStack
from tests.e2e.conftest import new_tenant_key

pytestmark = pytest.mark.e2e


def _secret(key: str) -> str:
    """The part of `ne_<id>_<secret>` that must never be written down."""
    return key.split("_", 2)[2]


def test_error_bodies_and_logs_carry_no_key_and_no_password(stack: LocalStack) -> None:
    assert stack.database_url
    key = new_tenant_key(stack, "secrets")
    unknown = "ne_abcdefghijkl_" + "S3cretPartOfAnUnknownKey0123456789abcdefghi"
    secrets = [_secret(key), _secret(unknown), "Not-A-Key-But-Secret-4711"]
    password = urlsplit(stack.database_url).password
    if password:
        secrets.append(password)
    bodies: list[httpx.Response] = []
    with httpx.Client(base_url=stack.url, timeout=30) as client:
        auth = {"Authorization": f"Bearer {key}"}
        for bearer in (unknown, "Not-A-Key-But-Secret-4711", key + "x"):
            bodies.append(
                client.get("/v1/characters", headers={"Authorization": f"Bearer {bearer}"})
            )
            bodies.append(client.get("/characters", headers={"Authorization": f"Bearer {bearer}"}))
        failing: list[tuple[str, str, dict[str, object] | None, bytes | None, dict[str, str]]] = [
            ("POST", "/v1/characters", None, b"{not json", {"Content-Type": "application/json"}),
            ("POST", "/v1/characters", {"name": ""}, None, {}),
            (
                "POST",
                "/v1/simulations",
                {"character_ids": ["nobody", "none"], "turns": 1},
                None,
                {},
            ),
            ("POST", "/simulations", {"character_names": ["nobody", "none"]}, None, {}),
            ("GET", "/v1/characters/nobody", None, None, {}),
            ("GET", "/v1/simulations/00000000-0000-0000-0000-000000000000", None, None, {}),
            ("GET", "/v1/stories/nothing", None, None, {}),
            ("PATCH", "/v1/characters/nobody", {"name": "x"}, None, {"If-Match": "x"}),
            ("PUT", "/v1/characters", None, None, {}),
            ("POST", "/v1/characters", None, b"x" * (2 * 1024 * 1024), {}),
        ]
        for method, path, body, content, headers in failing:
            response = client.request(
                method, path, json=body, content=content, headers={**auth, **headers}
            )
            bodies.append(response)
    assert {r.status_code for r in bodies} >= {401, 404, 405, 413, 422}
    for response in bodies:
        assert response.status_code >= 400, response.text
        assert not any(s in response.text for s in secrets), response.text
        assert stack.database_url not in response.text
        assert not any(s in str(response.headers) for s in secrets)
    logs = Path(stack.run_dir) / "logs"
    assert "gateway.log" in {p.name for p in logs.glob("*.log")}
    assert secrets_in_logs(logs, [*secrets, stack.database_url]) == []
