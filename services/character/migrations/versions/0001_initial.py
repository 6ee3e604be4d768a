"""Characters and the outbox.

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

SCHEMA = "character"


def upgrade() -> None:
    op.create_table(
        "characters",
        sa.Column("tenant_id", sa.Text, primary_key=True),
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("faction", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("sheet", JSONB, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index(
        "characters_tenant_faction", "characters", ["tenant_id", "faction"], schema=SCHEMA
    )
    create_outbox_table(SCHEMA)


def downgrade() -> None:
    op.drop_table("outbox", schema=SCHEMA)
    op.drop_table("characters", schema=SCHEMA)
