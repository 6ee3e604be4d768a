"""Stories, their buffered turns and chapters, the inbox and the outbox.

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

SCHEMA = "story"


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Text, primary_key=True),
        sa.Column("tenant_id", sa.Text, nullable=False),
        sa.Column("simulation_id", sa.Text, nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("narrative_style", sa.Text, nullable=False, server_default=""),
        sa.Column("context", JSONB, nullable=True),
        sa.Column("opening", sa.Text, nullable=False, server_default=""),
        sa.Column("closing", sa.Text, nullable=False, server_default=""),
        sa.Column("turns_total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("turns_expected", sa.Integer, nullable=True),
        sa.Column("chapters_written", sa.Integer, nullable=False, server_default="0"),
        sa.Column("failure_reason", sa.Text, nullable=False, server_default=""),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('writing', 'completed', 'failed')", name="stories_status"),
        schema=SCHEMA,
    )
    op.create_index(
        "stories_tenant_created", "stories", ["tenant_id", "created_at", "id"], schema=SCHEMA
    )
    op.create_table(
        "turns",
        sa.Column("simulation_id", sa.Text, primary_key=True),
        sa.Column("turn", sa.Integer, primary_key=True),
        sa.Column("events", JSONB, nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "chapters",
        sa.Column("story_id", sa.Text, primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "inbox",
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column(
            "received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        schema=SCHEMA,
    )
    create_outbox_table(SCHEMA)


def downgrade() -> None:
    op.drop_table("outbox", schema=SCHEMA)
    op.drop_table("inbox", schema=SCHEMA)
    op.drop_table("chapters", schema=SCHEMA)
    op.drop_table("turns", schema=SCHEMA)
    op.drop_table("stories", schema=SCHEMA)
