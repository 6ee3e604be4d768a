"""Simulations, checkpoints, campaigns and the outbox.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from novel_platform.migrations import create_outbox_table

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "simulation"


def _timestamp(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "simulations",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("character_ids", JSONB, nullable=False),
        sa.Column("turns_total", sa.Integer, nullable=False),
        sa.Column("turns_done", sa.Integer, nullable=False),
        sa.Column("seed", sa.BigInteger, nullable=False),
        sa.Column("setting", sa.Text, nullable=False),
        sa.Column("scenario", sa.Text, nullable=False),
        sa.Column("campaign_id", sa.Text, nullable=False),
        sa.Column("narrative_style", sa.Text, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("cancel_requested", sa.Boolean, nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        schema=SCHEMA,
    )
    op.create_index(
        "simulations_tenant_created",
        "simulations",
        ["tenant_id", "created_at", "id"],
        schema=SCHEMA,
    )
    op.create_table(
        "checkpoints",
        sa.Column("simulation_id", sa.Text, primary_key=True),
        sa.Column("turn", sa.Integer, primary_key=True),
        sa.Column("world", JSONB, nullable=False),
        sa.Column("events", JSONB, nullable=False),
        _timestamp("created_at"),
        schema=SCHEMA,
    )
    op.create_table(
        "campaigns",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("participants", JSONB, nullable=False),
        sa.Column("setting", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        _timestamp("created_at"),
        schema=SCHEMA,
    )
    create_outbox_table(SCHEMA)


def downgrade() -> None:
    for table in ("outbox", "campaigns", "checkpoints", "simulations"):
        op.drop_table(table, schema=SCHEMA)
