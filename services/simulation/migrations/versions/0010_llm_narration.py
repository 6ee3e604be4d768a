"""Narration usage: what the story service's model narration of each turn cost, kept
once per (simulation, turn) from its story.narration_used events.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SCHEMA = "simulation"


def upgrade() -> None:
    op.create_table(
        "llm_narration",
        sa.Column("simulation_id", sa.Text, primary_key=True),
        sa.Column("turn", sa.Integer, primary_key=True),
        sa.Column("calls", sa.Integer, nullable=False),
        sa.Column("input_tokens", sa.Integer, nullable=False),
        sa.Column("output_tokens", sa.Integer, nullable=False),
        sa.Column("replayed_calls", sa.Integer, nullable=False),
        sa.Column("fallback", sa.Text, nullable=False),
        sa.Column("budget_exhausted", sa.Boolean, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("llm_narration", schema=SCHEMA)
