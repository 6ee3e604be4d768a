"""An index on inbox.received_at, for pruning applied event ids by age.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "story"


def upgrade() -> None:
    op.create_index("inbox_received_at", "inbox", ["received_at"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("inbox_received_at", "inbox", schema=SCHEMA)
