"""A checkpoint keeps the world only where a batch of turns ended.

Turns run back to back commit in batches; the engine is deterministic from the last
stored world, so the worlds in between are never read and not worth their bytes.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SCHEMA = "simulation"


def upgrade() -> None:
    op.alter_column("checkpoints", "world", nullable=True, schema=SCHEMA)


def downgrade() -> None:
    op.execute("DELETE FROM simulation.checkpoints WHERE world IS NULL")
    op.alter_column("checkpoints", "world", nullable=False, schema=SCHEMA)
