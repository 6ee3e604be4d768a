"""Forks and interventions: a branch names its parent, the last turn it shares with
it and its tree's root; every run keeps the director's interventions it applies.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SCHEMA = "simulation"


def upgrade() -> None:
    op.add_column(
        "simulations",
        sa.Column("parent_id", sa.Text, nullable=False, server_default=""),
        schema=SCHEMA,
    )
    op.add_column(
        "simulations",
        sa.Column("fork_turn", sa.Integer, nullable=False, server_default="0"),
        schema=SCHEMA,
    )
    op.add_column(
        "simulations",
        sa.Column("root_id", sa.Text, nullable=False, server_default=""),
        schema=SCHEMA,
    )
    op.add_column(
        "simulations",
        sa.Column("interventions", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        schema=SCHEMA,
    )
    # A tree's branches, found from its root (only branches carry a root id).
    op.create_index(
        "simulations_root",
        "simulations",
        ["root_id", "created_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("root_id <> ''"),
    )


def downgrade() -> None:
    op.drop_index("simulations_root", table_name="simulations", schema=SCHEMA)
    for column in ("interventions", "root_id", "fork_turn", "parent_id"):
        op.drop_column("simulations", column, schema=SCHEMA)
