"""Every span, attribute and metric name the project defines, in one place.

Standard names (OpenTelemetry semantic conventions) are used where one exists; our own
carry the `novel.` prefix. The README's observability section lists them.
"""

from __future__ import annotations

# --- attributes --------------------------------------------------------------------
TENANT = "novel.tenant"
SIMULATION_ID = "novel.simulation.id"
STORY_ID = "novel.story.id"
TURN = "novel.turn"
CHAPTER = "novel.chapter"
EVENT_TYPE = "novel.event.type"
STATUS = "novel.status"
DOMAIN_PART = "novel.domain.part"  # "engine" or "chronicler"

# Messaging semantic conventions (NATS has no instrumentation of its own).
MESSAGING_SYSTEM = "messaging.system"
MESSAGING_DESTINATION = "messaging.destination.name"
MESSAGING_MESSAGE_ID = "messaging.message.id"
MESSAGING_OPERATION = "messaging.operation.type"
MESSAGING_CONSUMER_GROUP = "messaging.consumer.group.name"
MESSAGING_DELIVERY_COUNT = "messaging.nats.delivery_count"

# Database conventions, as the SQLAlchemy instrumentation sets them (direct_sql's spans).
DB_SYSTEM = "db.system"
DB_STATEMENT = "db.statement"

# --- spans -------------------------------------------------------------------------
SPAN_TURN = "simulation.turn"  # one per simulated turn
SPAN_CHAPTER = "story.chapter.write"  # one per chapter written
SPAN_STORY_COMPLETE = "story.complete"  # the closing; links to every turn's producer


def publish_span(event_type: str) -> str:
    """Named by the event type, not the subject: one name per kind of span."""
    return f"{event_type} publish"


def process_span(event_type: str) -> str:
    return f"{event_type} process"


# --- metrics -----------------------------------------------------------------------
RPC_SERVER_DURATION = "rpc.server.duration"  # histogram, seconds; rpc.method, status
HTTP_SERVER_DURATION = "http.server.request.duration"  # histogram, s; method, route, status
SIMULATIONS_STARTED = "novel.simulations.started"  # counter
SIMULATIONS_FINISHED = "novel.simulations.finished"  # counter; novel.status
SIMULATIONS_REDRIVEN = "novel.simulations.redriven"  # counter; stranded runs re-queued
SIMULATIONS_RUNNING = "novel.simulations.running"  # up-down counter, per process
TURN_DURATION = "novel.turn.duration"  # histogram, seconds
# counter, CPU seconds spent in the pure domain (engine, chronicler); novel.domain.part.
# The benchmarks divide the whole stack's CPU by it: the overhead ratio.
DOMAIN_CPU_TIME = "novel.domain.cpu_time"
EVENT_LOOP_LAG = "novel.event_loop.lag"  # histogram, seconds
GC_PAUSE = "novel.gc.pause"  # histogram, seconds; generation
CHAPTERS_WRITTEN = "novel.chapters.written"  # counter
MESSAGES_PROCESSED = "novel.messages.processed"  # counter; consumer, outcome
MESSAGES_REDELIVERED = "novel.messages.redelivered"  # counter; consumer
MESSAGES_DEAD_LETTERED = "novel.messages.dead_lettered"  # counter; consumer
WORK_QUEUE_PENDING = "novel.work_queue.pending"  # gauge; consumer
OUTBOX_BACKLOG = "novel.outbox.backlog"  # gauge; rows waiting to be published
OUTBOX_PUBLISHED = "novel.outbox.published"  # counter; events the relay has published
DB_POOL_CHECKED_OUT = "novel.db.pool.checked_out"  # gauge
DB_POOL_SIZE = "novel.db.pool.size"  # gauge

# --- models (OpenTelemetry GenAI semantic conventions, plus our own counts) ----------
GEN_AI_OPERATION = "gen_ai.operation.name"
GEN_AI_PROVIDER = "gen_ai.provider.name"
GEN_AI_REQUEST_MODEL = "gen_ai.request.model"
GEN_AI_REQUEST_TEMPERATURE = "gen_ai.request.temperature"
GEN_AI_REQUEST_MAX_TOKENS = "gen_ai.request.max_tokens"
GEN_AI_USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens"
GEN_AI_USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
GEN_AI_TOKEN_TYPE = "gen_ai.token.type"  # noqa: S105 (a name, no secret): input/output
ERROR_TYPE = "error.type"
OUTCOME = "novel.outcome"
LLM_PURPOSE = "novel.llm.purpose"  # "decision" or "narration"
GEN_AI_OPERATION_DURATION = "gen_ai.client.operation.duration"  # histogram, s
GEN_AI_TOKEN_USAGE = "gen_ai.client.token.usage"  # noqa: S105 (a name); histogram
LLM_CALLS = "novel.llm.calls"  # counter; gen_ai.request.model, novel.outcome
LLM_TOKENS = "novel.llm.tokens"  # counter; novel.tenant, gen_ai.token.type
LLM_FALLBACKS = "novel.llm.fallbacks"  # counter; novel.llm.purpose, novel.outcome
