"""The story schema's tables (SQLAlchemy Core)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from novel_platform.outbox import outbox_table

SCHEMA = "story"

metadata = sa.MetaData(schema=SCHEMA)

stories = sa.Table(
    "stories",
    metadata,
    # uuid5 of the simulation id: a redelivered event can never start a second story.
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("tenant_id", sa.Text, nullable=False),
    sa.Column("simulation_id", sa.Text, nullable=False, unique=True),
    sa.Column("title", sa.Text, nullable=False, server_default=""),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("narrative_style", sa.Text, nullable=False, server_default=""),
    # The simulation's StoryContext; NULL until an event carrying it has arrived.
    sa.Column("context", JSONB, nullable=True),
    sa.Column("opening", sa.Text, nullable=False, server_default=""),
    sa.Column("closing", sa.Text, nullable=False, server_default=""),
    sa.Column("turns_total", sa.Integer, nullable=False, server_default="0"),
    # Turns the simulation actually ran; known once it completed or was cancelled.
    sa.Column("turns_expected", sa.Integer, nullable=True),
    sa.Column("chapters_written", sa.Integer, nullable=False, server_default="0"),
    sa.Column("failure_reason", sa.Text, nullable=False, server_default=""),
    sa.Column(
        "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('writing', 'completed', 'failed')", name="stories_status"),
    sa.Index("stories_tenant_created", "tenant_id", "created_at", "id"),
)

# Every turn received, kept after its chapter is written: the closing reads them all.
turns = sa.Table(
    "turns",
    metadata,
    sa.Column("simulation_id", sa.Text, primary_key=True),
    sa.Column("turn", sa.Integer, primary_key=True),
    sa.Column("events", JSONB, nullable=False),
    # W3C context of the event that brought the turn: chapter spans link to it.
    sa.Column("trace_context", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
)

chapters = sa.Table(
    "chapters",
    metadata,
    sa.Column("story_id", sa.Text, primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    # For each paragraph of text, the ids ("<turn>.<sequence>") of the events it tells.
    sa.Column("paragraph_events", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
)

# Ids of the events already applied: a redelivered one is recognised and skipped.
inbox = sa.Table(
    "inbox",
    metadata,
    sa.Column("event_id", sa.Text, primary_key=True),
    sa.Column(
        "received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)
sa.Index("inbox_received_at", inbox.c.received_at)  # pruning by age

outbox = outbox_table(metadata)

# Every chapter asked of a model (attempt 1, and 2 after a refusal): what a replay
# answers from, and what the simulation's narration spent.
llm_calls = sa.Table(
    "llm_calls",
    metadata,
    sa.Column("simulation_id", sa.Text, primary_key=True),
    sa.Column("turn", sa.Integer, primary_key=True),
    sa.Column("attempt", sa.Integer, primary_key=True),
    sa.Column("request_digest", sa.Text, nullable=False),
    sa.Column("outcome", sa.Text, nullable=False),  # ok, refused, invalid, budget, timeout...
    sa.Column("response", sa.Text, nullable=False),
    sa.Column("input_tokens", sa.Integer, nullable=False),
    sa.Column("output_tokens", sa.Integer, nullable=False),
    sa.Column("latency_ms", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)
