"""The services as real processes, started the way `make up` starts them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from novel_cli.keys import issue
from novel_cli.stack import LocalStack
from tests import infra


@pytest.fixture(scope="session")
def stack(
    postgres_url: str, nats_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalStack]:
    with infra.fresh_database(postgres_url) as database_url:
        local = LocalStack(
            run_dir=tmp_path_factory.mktemp("stack"),
            nats_url=nats_url,
            database_url=database_url,
            free_ports=True,
            extra_env={
                "NE_SHUTDOWN_GRACE_SECONDS": "10",
                "NE_LOG_LEVEL": "INFO",
                # Short enough that the 504 and crash tests finish quickly.
                "NE_SYNC_SIMULATION_TIMEOUT_SECONDS": "5",
                "NE_WORK_ACK_WAIT_SECONDS": "3",
                # Pacing keeps a long run in progress long enough to kill its worker.
                "NE_SIMULATION_TURN_DELAY_SECONDS": "0.03",
            },
        )
        try:
            local.start()
            yield local
        finally:
            local.stop()


@pytest.fixture(scope="session")
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=stack.url, headers={"Authorization": f"Bearer {stack.key}"}, timeout=30
    ) as client:
        yield client


def new_tenant_key(stack: LocalStack, tenant: str) -> str:
    assert stack.database_url
    return asyncio.run(issue(stack.database_url, tenant))


@pytest.fixture(scope="session")
def paced_stack(
    postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalStack]:
    """A second stack whose turns take a quarter second, so a person can watch one.

    It has its own NATS (two stacks on one NATS would share the work queue) and its own
    database on the session's PostgreSQL; the starter roster is seeded for its key.
    """
    with infra.fresh_database(postgres_url) as database_url:
        local = LocalStack(
            run_dir=tmp_path_factory.mktemp("paced-stack"),
            database_url=database_url,
            free_ports=True,
            extra_env={"NE_SIMULATION_TURN_DELAY_SECONDS": "0.25", "NE_LOG_LEVEL": "WARNING"},
        )
        try:
            local.start()
            yield local
        finally:
            local.stop()
