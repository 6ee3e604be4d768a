"""`novel key create|list|rotate|revoke` against the real gateway schema."""

from __future__ import annotations

import asyncio

import pytest
from typer.testing import CliRunner

from novel_cli.main import app
from novel_platform.config import DatabaseSettings
from novel_platform.db import create_engine
from services.gateway.adapters.api_keys import KeyStore

pytestmark = pytest.mark.integration


async def _tenants_of(database_url: str, *keys: str) -> list[str | None]:
    engine = create_engine(DatabaseSettings(database_url=database_url))
    try:
        store = KeyStore(engine, cache_seconds=0)  # every lookup goes to the database
        return [await store.tenant_for(key) for key in keys]
    finally:
        await engine.dispose()


def _listed(runner: CliRunner, env: dict[str, str], tenant: str) -> list[list[str]]:
    result = runner.invoke(app, ["key", "list", "--tenant", tenant], env=env)
    assert result.exit_code == 0, result.output
    return [line.split() for line in result.output.splitlines()]


def test_list_rotate_and_revoke(database_url: str, tenant: str) -> None:
    runner = CliRunner()
    env = {"NE_DATABASE_URL": database_url}
    created = runner.invoke(app, ["key", "create", "--tenant", tenant], env=env)
    assert created.exit_code == 0, created.output
    old = created.output.strip()
    old_id = old.split("_")[1]

    [row] = _listed(runner, env, tenant)
    assert row[0] == old_id and row[1] == tenant and row[-1] == "active"
    assert old.split("_", 2)[2] not in runner.invoke(app, ["key", "list"], env=env).output

    rotated = runner.invoke(app, ["key", "rotate", old_id], env=env)
    assert rotated.exit_code == 0, rotated.output
    new = rotated.output.strip()
    new_id = new.split("_")[1]
    rows = {r[0]: r for r in _listed(runner, env, tenant)}
    assert rows[old_id][-3] == "revoked" and rows[new_id][-1] == "active"
    assert asyncio.run(_tenants_of(database_url, old, new)) == [None, tenant]
    assert runner.invoke(app, ["key", "rotate", old_id], env=env).exit_code == 1

    assert runner.invoke(app, ["key", "revoke", new_id], env=env).exit_code == 0
    assert asyncio.run(_tenants_of(database_url, new)) == [None]
