"""Alembic, run per service: each service's migrations live in its own package and
keep their version table inside the service's own schema."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from novel_platform.db import sqlalchemy_url


def alembic_config(package: str, schema: str, database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", f"{package}:migrations")
    cfg.set_main_option("sqlalchemy.url", sqlalchemy_url(database_url))
    cfg.attributes["schema"] = schema
    return cfg


def upgrade(package: str, schema: str, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(package, schema, database_url), revision)


def at_head(package: str, schema: str, database_url: str) -> bool:
    """True when the schema's applied revisions are exactly the heads this code carries:
    code from a newer release finds the schema behind and must not serve yet."""
    heads = set(
        ScriptDirectory.from_config(alembic_config(package, schema, database_url)).get_heads()
    )
    engine = sa.create_engine(sqlalchemy_url(database_url), poolclass=sa.NullPool)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"version_table": "alembic_version", "version_table_schema": schema}
            )
            return set(context.get_current_heads()) == heads
    finally:
        engine.dispose()


def run_env() -> None:
    """Body of every service's migrations/env.py (online mode only)."""
    from alembic import context

    config = context.config
    schema = config.attributes["schema"]
    engine = sa.create_engine(config.get_main_option("sqlalchemy.url") or "", poolclass=sa.NullPool)
    with engine.connect() as conn:
        # Replicas starting together must not race on the same schema.
        conn.execute(sa.text("SELECT pg_advisory_lock(hashtext(:k))"), {"k": f"migrate:{schema}"})
        try:
            conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            conn.commit()
            context.configure(
                connection=conn,
                version_table="alembic_version",
                version_table_schema=schema,
                target_metadata=None,
            )
            with context.begin_transaction():
                context.run_migrations()
            conn.commit()
        finally:
            conn.execute(
                sa.text("SELECT pg_advisory_unlock(hashtext(:k))"), {"k": f"migrate:{schema}"}
            )
            conn.commit()
    engine.dispose()


def create_outbox_table(schema: str) -> None:
    """The outbox's DDL, version 1, for a service's first migration.

    Frozen: a later change to the outbox gets a migration of its own in every service,
    so this function must keep producing exactly this table.
    """
    from alembic import op

    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", sa.Text, nullable=False, unique=True),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("headers", sa.Text, nullable=False, server_default="{}"),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        schema=schema,
    )
