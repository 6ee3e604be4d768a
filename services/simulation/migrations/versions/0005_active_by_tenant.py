"""An index for the per-tenant quota: a tenant's queued and running simulations.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SCHEMA = "simulation"


def upgrade() -> None:
    op.create_index(
        "simulations_active_by_tenant",
        "simulations",
        ["tenant_id"],
        schema=SCHEMA,
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )


def downgrade() -> None:
    op.drop_index("simulations_active_by_tenant", "simulations", schema=SCHEMA)
