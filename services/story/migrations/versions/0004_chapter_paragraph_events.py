"""Chapters keep, per paragraph, the ids of the events it tells.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SCHEMA = "story"


def upgrade() -> None:
    op.add_column(
        "chapters",
        sa.Column("paragraph_events", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_column("chapters", "paragraph_events", schema=SCHEMA)
