"""Session-wide real infrastructure: one PostgreSQL database and one NATS server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from novel_cli.registry import SERVICES
from novel_platform import migrations
from tests import infra


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    with infra.postgres_server() as url:
        yield url


@pytest.fixture(scope="session")
def nats_url() -> Iterator[str]:
    with infra.nats_server() as url:
        yield url


@pytest.fixture(scope="session")
def database_url(postgres_url: str) -> Iterator[str]:
    """A fresh database with every service's migrations applied."""
    with infra.fresh_database(postgres_url) as url:
        for service in SERVICES:
            migrations.upgrade(service.module, service.schema, url)
        yield url


@pytest.fixture
def tenant() -> str:
    """A tenant of its own for each test, so tests never see each other's data."""
    return f"t-{uuid.uuid4().hex[:12]}"
