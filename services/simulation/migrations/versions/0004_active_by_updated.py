"""An index for the reconciler's scan: active simulations by last change.

Partial (queued/running only), so it stays as small as the work in flight however
many finished simulations the table holds.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SCHEMA = "simulation"


def upgrade() -> None:
    op.create_index(
        "simulations_active_updated_at",
        "simulations",
        ["updated_at"],
        schema=SCHEMA,
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )


def downgrade() -> None:
    op.drop_index("simulations_active_updated_at", "simulations", schema=SCHEMA)
