"""Model narration: a chapter asked of the simulation's model, checked, else offline.

Drafts are written before the writer's unit of work opens, so no transaction or story
lock is held while a model thinks; the writer then uses a draft in place of the offline
chapter of the same turn. For each turn: ask (within the narration budget), check the
prose against the turn's facts (domain/narration.py), one retry on a refusal, then the
offline chronicler. Every call is recorded at once (story.llm_calls); a redelivered
event and a replay walk the recorded answers the same way without calling the model,
and a replay missing one fails loudly (NarrationBroken: the story fails, saying which).

Once a turn's chapter is decided, what its narration cost goes out as one
story.narration_used event (outbox), its id derived from the simulation and the turn: the
simulation service adds it to the run's usage and the tenant's totals, once.

Budget: the narration keeps to its share of the simulation's budget (ModelPlans splits
it up front), reserving each call's upper bound in story.llm_calls before asking (under
a lock per simulation, so replicas narrating its turns at once share it too); the
decisions keep to theirs, so together they never exceed the whole.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace

import structlog

from novel_engine.v1 import common_pb2, simulation_pb2, story_pb2
from novel_platform import semconv, subjects, telemetry
from novel_platform.llm.backend import Backend
from novel_platform.llm.client import ChatRequest, ModelClients, ModelFailure, ModelReply
from novel_platform.llm.sealing import Sealer, SealingError
from novel_platform.outbox import UnitOfWork
from services.story.adapters.narration_records import NarrationCall, NarrationRecords
from services.story.domain import Chapter, EventView, StoryContext
from services.story.domain.chronicler import write_chapter
from services.story.domain.narration import (
    check_prose,
    narrated,
    narration_request,
    read_narration,
)

log = structlog.get_logger(__name__)
_meter = telemetry.meter(__name__)
_fallbacks = _meter.create_counter(semconv.LLM_FALLBACKS)
_tokens = _meter.create_counter(semconv.LLM_TOKENS, unit="{token}")
PURPOSE = "narration"
ATTEMPTS = 2  # the first answer, and one retry after a refusal
ANSWERED = ("answered", "ok", "invalid", "refused")  # outcomes of a call the model answered
PENDING = "pending"  # a call's tokens reserved, its answer not yet recorded
# Fixed forever: the ids of story.narration_used events derive from it.
NARRATION_NAMESPACE = uuid.UUID("0b7e4d0c-93f1-5c6a-8e2d-41a9f6c3b857")


class NarrationBroken(Exception):
    """A turn cannot be narrated as asked: a replay misses a recorded call, or a
    recording asked something else. The story fails with this reason; the model is
    never asked in the recording's place."""


class Narrator:
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clients: ModelClients,
        sealer: Sealer,
        server: Backend,
    ) -> None:
        self._uow = uow
        self._clients = clients
        self._sealer = sealer
        self._server = server

    async def drafts(
        self,
        tenant_id: str,
        simulation_id: str,
        context: StoryContext,
        narration: simulation_pb2.LlmNarration,
        turns: Sequence[tuple[int, Sequence[EventView]]],
    ) -> dict[int, Chapter]:
        """The model's chapter of each turn that has one it wrote and the checker kept."""
        try:
            key = (
                self._server.api_key
                if narration.server_key
                else self._sealer.open(narration.sealed_api_key)
            )
        except SealingError as exc:
            log.error("narration_key_unreadable", simulation_id=simulation_id, reason=str(exc))
            _fallbacks.add(len(turns), {semconv.LLM_PURPOSE: PURPOSE, semconv.OUTCOME: "key"})
            async with self._uow() as uow:
                for number, _ in turns:
                    uow.emit(*narration_used(tenant_id, simulation_id, number, [], "", "key"))
                await uow.commit()
            return {}
        backend = Backend(
            base_url=narration.base_url,
            model=narration.model,
            api_key=key,
            temperature=narration.temperature,
            max_tokens=narration.max_tokens,
            token_budget=narration.token_budget,
            timeout_seconds=self._server.timeout_seconds,
            max_concurrency=self._server.max_concurrency,
        )
        drafts = {}
        for number, events in turns:
            offline = write_chapter(context, number, events)
            chapter = await self._chapter(
                tenant_id, simulation_id, context, narration.replay_of, backend, offline, events
            )
            if chapter is not None:
                drafts[number] = chapter
        return drafts

    async def _chapter(
        self,
        tenant_id: str,
        simulation_id: str,
        ctx: StoryContext,
        replay_of: str,
        backend: Backend,
        offline: Chapter,
        events: Sequence[EventView],
    ) -> Chapter | None:
        system, user, schema = narration_request(ctx, offline)
        chat = ChatRequest(system, user, "chapter", schema)
        digest = chat.digest(backend)
        number = offline.number
        async with self._uow().read_only() as uow:
            recorded = await NarrationRecords(uow.conn).of_turn(replay_of or simulation_id, number)
        outcome = "budget"
        walked: list[NarrationCall] = []
        chapter: Chapter | None = None
        for attempt in range(1, ATTEMPTS + 1):
            call = recorded[attempt - 1] if attempt <= len(recorded) else None
            if call is not None and call.request_digest != digest:
                raise NarrationBroken(
                    f"narration of simulation {simulation_id}, turn {number}: the recorded "
                    "call asked something else"
                )
            # A reservation left by a run that stopped while the model thought: the
            # budget still holds its tokens, the question is asked again.
            reserved = call is not None and call.outcome == PENDING
            if (call is None or reserved) and replay_of:
                raise NarrationBroken(
                    f"replay of {replay_of}: no recorded narration for turn {number}, "
                    f"attempt {attempt}"
                )
            asked = call is None or reserved
            if asked:
                call = await self._ask(
                    tenant_id, simulation_id, chat, backend, number, attempt, reserved
                )
            assert call is not None
            chapter, outcome = self._judge(ctx, offline, events, call)
            call = replace(call, outcome=outcome)
            walked.append(call)
            # A refused or unreadable chapter is asked once more; anything else decides.
            retry = chapter is None and outcome in ("invalid", "refused") and attempt < ATTEMPTS
            decided = not retry
            if asked or decided:
                async with self._uow() as uow:
                    if asked:
                        await NarrationRecords(uow.conn).add(simulation_id, call)
                    if decided:
                        fallback = "" if chapter is not None else outcome
                        uow.emit(
                            *narration_used(
                                tenant_id, simulation_id, number, walked, replay_of, fallback
                            )
                        )
                    await uow.commit()
            if decided:
                break
        if chapter is None:
            _fallbacks.add(1, {semconv.LLM_PURPOSE: PURPOSE, semconv.OUTCOME: outcome})
        return chapter

    async def _ask(
        self,
        tenant_id: str,
        simulation_id: str,
        chat: ChatRequest,
        backend: Backend,
        turn: int,
        attempt: int,
        reserved: bool,
    ) -> NarrationCall:
        """The model's answer, or why there is none. The call's upper bound is reserved
        first (recorded as PENDING until the answer replaces it), so replicas narrating
        turns of one simulation at once never spend more than its budget together."""
        digest = chat.digest(backend)
        if not reserved:
            pending = NarrationCall(turn, attempt, digest, PENDING, "", chat.reserve(backend), 0, 0)
            async with self._uow() as uow:
                fits = await NarrationRecords(uow.conn).reserve(
                    simulation_id, pending, backend.token_budget
                )
                await uow.commit()
            if not fits:
                log.info("llm_budget_exhausted", purpose=PURPOSE, turn=turn)
                return NarrationCall(turn, attempt, digest, "budget", "", 0, 0, 0)
        try:
            reply: ModelReply = await self._clients.get(backend).complete(
                chat,
                {
                    semconv.SIMULATION_ID: simulation_id,
                    semconv.TENANT: tenant_id,
                    semconv.TURN: turn,
                    semconv.LLM_PURPOSE: PURPOSE,
                },
                backend,
            )
        except ModelFailure as failure:
            return NarrationCall(turn, attempt, digest, failure.kind, "", 0, 0, 0)
        tenant = {semconv.TENANT: tenant_id, semconv.LLM_PURPOSE: PURPOSE}
        _tokens.add(reply.input_tokens, {**tenant, semconv.GEN_AI_TOKEN_TYPE: "input"})
        _tokens.add(reply.output_tokens, {**tenant, semconv.GEN_AI_TOKEN_TYPE: "output"})
        return NarrationCall(
            turn,
            attempt,
            digest,
            "answered",
            reply.content,
            reply.input_tokens,
            reply.output_tokens,
            reply.latency_ms,
        )

    @staticmethod
    def _judge(
        ctx: StoryContext, offline: Chapter, events: Sequence[EventView], call: NarrationCall
    ) -> tuple[Chapter | None, str]:
        """The chapter an answer gives, if the checker keeps it, and the call's outcome."""
        if call.outcome not in ANSWERED:
            return None, call.outcome  # no answer: a failure or the budget
        texts = read_narration(offline, call.response)
        if texts is None:
            return None, "invalid"
        problems = check_prose(ctx, offline, events, texts)
        if problems:
            log.info("narration_refused", turn=offline.number, problems=problems[:3])
            return None, "refused"
        return narrated(offline, texts), "ok"


def narration_used(
    tenant_id: str,
    simulation_id: str,
    turn: int,
    calls: Sequence[NarrationCall],
    replay_of: str,
    fallback: str,
) -> tuple[common_pb2.EventEnvelope, str]:
    """The story.narration_used event of a turn whose chapter is decided: the same
    event (id and content) however often the turn is walked, as its calls are recorded."""
    answered = [c for c in calls if c.outcome in ANSWERED]
    own = not replay_of  # a replay spends nothing: its answers are recorded ones
    used = story_pb2.NarrationUsed(
        simulation_id=simulation_id,
        turn=turn,
        calls=len(answered) if own else 0,
        input_tokens=sum(c.input_tokens for c in answered) if own else 0,
        output_tokens=sum(c.output_tokens for c in answered) if own else 0,
        replayed_calls=0 if own else len(answered),
        fallback=fallback,
        budget_exhausted=any(c.outcome == "budget" for c in calls),
    )
    event = subjects.STORY_NARRATION_USED
    event_id = str(uuid.uuid5(NARRATION_NAMESPACE, f"{simulation_id}/{turn}"))
    return (
        event.envelope(tenant_id, used, event_id=event_id),
        event.subject(simulation_id),
    )
