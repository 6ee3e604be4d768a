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
