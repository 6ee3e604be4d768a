"""The simulation schema's tables (SQLAlchemy Core)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from novel_platform.outbox import outbox_table

SCHEMA = "simulation"

metadata = sa.MetaData(schema=SCHEMA)

simulations = sa.Table(
    "simulations",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("tenant_id", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("character_ids", JSONB, nullable=False),
    sa.Column("turns_total", sa.Integer, nullable=False),
    sa.Column("turns_done", sa.Integer, nullable=False),
    sa.Column("seed", sa.BigInteger, nullable=False),
    sa.Column("setting", sa.Text, nullable=False),
    sa.Column("scenario", sa.Text, nullable=False),
    sa.Column("campaign_id", sa.Text, nullable=False),
    sa.Column("narrative_style", sa.Text, nullable=False),
    sa.Column("error", sa.Text, nullable=False),
    sa.Column("cancel_requested", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # The sheets as accepted (None: a row from before they were kept; fetch them).
    sa.Column("sheets", JSONB(none_as_null=True), nullable=True),
    # The world named at the start ("" when the setting's text chose one), and, for a
    # tenant's own world, its definition as accepted: deleting it later stops no run.
    sa.Column("world_id", sa.Text, nullable=False, server_default=""),
    sa.Column("world", JSONB(none_as_null=True), nullable=True),
    # With a model: its options and backend (key sealed), and what it did (None: offline).
    sa.Column("llm", JSONB(none_as_null=True), nullable=True),
    sa.Column("llm_usage", JSONB(none_as_null=True), nullable=True),
    # A branch: its parent, the last turn it shares with it, its tree's first run
    # ("", 0, "" for a run that is no branch); and the director's interventions.
    sa.Column("parent_id", sa.Text, nullable=False, server_default=""),
    sa.Column("fork_turn", sa.Integer, nullable=False, server_default="0"),
    sa.Column("root_id", sa.Text, nullable=False, server_default=""),
    sa.Column("interventions", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
)
# Columns a run computed at once never sets (no branch, no intervention): left to their
# defaults, they are not in its one statement.
BRANCH_COLUMNS = ("parent_id", "fork_turn", "root_id", "interventions")

# Every model call of a simulation: what a replay answers from, and the accounting.
# subject: the deciding character's id (decisions) or "" (a chapter's narration).
llm_calls = sa.Table(
    "llm_calls",
    metadata,
    sa.Column("simulation_id", sa.Text, primary_key=True),
    sa.Column("turn", sa.Integer, primary_key=True),
    sa.Column("purpose", sa.Text, primary_key=True),
    sa.Column("subject", sa.Text, primary_key=True),
    sa.Column("request_digest", sa.Text, nullable=False),
    sa.Column("outcome", sa.Text, nullable=False),  # ok, invalid, budget, timeout, ...
    sa.Column("response", sa.Text, nullable=False),
    sa.Column("input_tokens", sa.Integer, nullable=False),
    sa.Column("output_tokens", sa.Integer, nullable=False),
    sa.Column("latency_ms", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# What the story service's narration of each turn cost (story.narration_used), kept
# once per (simulation, turn): a redelivered event finds its row and adds nothing.
llm_narration = sa.Table(
    "llm_narration",
    metadata,
    sa.Column("simulation_id", sa.Text, primary_key=True),
    sa.Column("turn", sa.Integer, primary_key=True),
    sa.Column("calls", sa.Integer, nullable=False),
    sa.Column("input_tokens", sa.Integer, nullable=False),
    sa.Column("output_tokens", sa.Integer, nullable=False),
    sa.Column("replayed_calls", sa.Integer, nullable=False),
    sa.Column("fallback", sa.Text, nullable=False),  # "" when the model's chapter was kept
    sa.Column("budget_exhausted", sa.Boolean, nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
)

# A tenant's override of the server's model backend; the API key sealed (Fernet).
llm_settings = sa.Table(
    "llm_settings",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("backend", JSONB, nullable=False),
    sa.Column("sealed_api_key", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)

# The world (RNG state included) at the end of each committed batch, where a resume
# can start. The key (simulation, turn) also refuses a second worker's copy of a batch.
checkpoints = sa.Table(
    "checkpoints",
    metadata,
    sa.Column("simulation_id", sa.Text, primary_key=True),
    sa.Column("turn", sa.Integer, primary_key=True),
    sa.Column("world", JSONB, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

campaigns = sa.Table(
    "campaigns",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("participants", JSONB, nullable=False),
    sa.Column("setting", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# A tenant's own worlds (the built-in ones live in the domain code).
worlds = sa.Table(
    "worlds",
    metadata,
    sa.Column("tenant_id", sa.Text, primary_key=True),
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("definition", JSONB, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

outbox = outbox_table(metadata)
