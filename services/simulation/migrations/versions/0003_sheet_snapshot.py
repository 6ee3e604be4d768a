"""A simulation keeps the character sheets it was accepted with.

The worker then runs from the row alone (seed + sheets) instead of asking the
character service a second time; NULL for rows stored before this revision, which
still fetch the sheets.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SCHEMA = "simulation"


def upgrade() -> None:
    op.add_column("simulations", sa.Column("sheets", JSONB, nullable=True), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("simulations", "sheets", schema=SCHEMA)
