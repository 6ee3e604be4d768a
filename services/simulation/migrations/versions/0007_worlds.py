"""A tenant's own worlds, and the world a simulation was started in.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SCHEMA = "simulation"


def upgrade() -> None:
    op.create_table(
        "worlds",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("definition", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.add_column(
        "simulations",
        sa.Column("world_id", sa.Text, nullable=False, server_default=""),
        schema=SCHEMA,
    )
    op.add_column("simulations", sa.Column("world", JSONB, nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("simulations", "world", schema=SCHEMA)
    op.drop_column("simulations", "world_id", schema=SCHEMA)
    op.drop_table("worlds", schema=SCHEMA)
