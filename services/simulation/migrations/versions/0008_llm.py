"""Bring your own model: per-simulation model settings and usage, every model call
recorded (for replay and accounting), and tenants' backend overrides (key sealed).

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SCHEMA = "simulation"


def upgrade() -> None:
    op.add_column("simulations", sa.Column("llm", JSONB, nullable=True), schema=SCHEMA)
    op.add_column("simulations", sa.Column("llm_usage", JSONB, nullable=True), schema=SCHEMA)
    op.create_table(
        "llm_calls",
        sa.Column("simulation_id", sa.Text, primary_key=True),
        sa.Column("turn", sa.Integer, primary_key=True),
        sa.Column("purpose", sa.Text, primary_key=True),
        sa.Column("subject", sa.Text, primary_key=True),
        sa.Column("request_digest", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("input_tokens", sa.Integer, nullable=False),
        sa.Column("output_tokens", sa.Integer, nullable=False),
        sa.Column("latency_ms", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "llm_settings",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("backend", JSONB, nullable=False),
        sa.Column("sealed_api_key", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("llm_settings", schema=SCHEMA)
    op.drop_table("llm_calls", schema=SCHEMA)
    op.drop_column("simulations", "llm_usage", schema=SCHEMA)
    op.drop_column("simulations", "llm", schema=SCHEMA)
