"""The character schema's tables (SQLAlchemy Core: cheaper than the ORM on hot paths)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from novel_platform.outbox import outbox_table

SCHEMA = "character"

metadata = sa.MetaData(schema=SCHEMA)

characters = sa.Table(
    "characters",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("faction", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("sheet", JSONB, nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

outbox = outbox_table(metadata)
