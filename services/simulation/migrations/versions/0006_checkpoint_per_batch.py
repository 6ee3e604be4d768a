"""A checkpoint per committed batch: the world where a resume can start, no events.

Turn events travel in the batch's outbox event (and live on in the SIMULATION stream
and the story service); nothing read them back from here, and encoding them twice was
a large part of a batch's cost. Rows of turns inside a batch (world NULL) go.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SCHEMA = "simulation"


def upgrade() -> None:
    op.execute("DELETE FROM simulation.checkpoints WHERE world IS NULL")
    op.drop_column("checkpoints", "events", schema=SCHEMA)
    op.alter_column("checkpoints", "world", nullable=False, schema=SCHEMA)


def downgrade() -> None:
    op.alter_column("checkpoints", "world", nullable=True, schema=SCHEMA)
    op.add_column(
        "checkpoints",
        sa.Column("events", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        schema=SCHEMA,
    )
