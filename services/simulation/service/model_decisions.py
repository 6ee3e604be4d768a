"""Model decisions for one running simulation: ask, account, record, or replay.

Before each turn every living character's choice is asked of the model at once (the
worker's event loop keeps running other simulations meanwhile); a turn's choices then
go to the engine, which resolves them by the rules. Anything but a valid, timely answer
leaves the choice to the persona policy and counts as a fallback, by reason.

Budget: a call is made only if its upper bound (ChatRequest.reserve) fits in what is
left, so a simulation never spends more than its budget; when one does not fit, the
run goes on offline and its usage says `budget_exhausted`.

Replay: the answers come from the recorded calls of the simulation replayed, checked
against the request digest; a missing or different recording stops the run (failed)
instead of asking the model.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import structlog

from novel_platform import semconv, telemetry
from novel_platform.llm.backend import Backend
from novel_platform.llm.client import ModelClient, ModelClients, ModelFailure
from novel_platform.llm.sealing import SealingError
from novel_platform.outbox import UnitOfWork
from services.simulation.adapters.llm_records import CallRecord, LlmRepository
from services.simulation.adapters.repository import SimulationRecord
from services.simulation.domain import TurnResult, WorldState
from services.simulation.domain.choices import DecisionPoint, decision_points
from services.simulation.domain.decision_prompt import read_choice
from services.simulation.domain.intent import Intent
from services.simulation.service.llm_plan import ModelPlans, decision_chat

log = structlog.get_logger(__name__)
_meter = telemetry.meter(__name__)
_fallbacks = _meter.create_counter(semconv.LLM_FALLBACKS)
_tokens = _meter.create_counter(semconv.LLM_TOKENS, unit="{token}")
PURPOSE = "decision"


class ModelRunBroken(Exception):
    """The run cannot go on as asked: a replay needs a recorded call that is missing or
    was asked differently, or the stored API key cannot be opened (another server key)."""


Recorded = Mapping[tuple[int, str, str], CallRecord]


def recorded_pick(
    recorded: Recorded, point: DecisionPoint, digest: str, of: str
) -> tuple[CallRecord, Intent | None]:
    """The recorded call answering `point` and the choice it made (None: the persona
    policy decided); ModelRunBroken, naming `of`, when it is missing or was asked
    differently."""
    call = recorded.get((point.turn, PURPOSE, point.actor_id))
    if call is None:
        raise ModelRunBroken(
            f"{of}: no recorded model call for turn {point.turn}, character {point.actor_id}"
        )
    if call.request_digest != digest:
        raise ModelRunBroken(
            f"{of}: turn {point.turn}, character {point.actor_id} asks something else "
            "than was recorded"
        )
    return call, read_choice(point, call.response) if call.outcome == "ok" else None


def recorded_choices(
    world: WorldState, recorded: Recorded, backend: Backend, of: str
) -> dict[str, Intent]:
    """A turn's choices as the recorded calls made them, without the model: how the
    turns of a run a model decided are derived again."""
    picks = {}
    for point in decision_points(world):
        _, pick = recorded_pick(recorded, point, decision_chat(point).digest(backend), of)
        if pick is not None:
            picks[point.actor_id] = pick
    return picks


class DecisionSession:
    def __init__(
        self,
        record: SimulationRecord,
        client: ModelClient,
        backend: Backend,
        usage: dict[str, Any],
        recorded: Recorded | None = None,
    ) -> None:
        self._sim = record
        self._client = client
        self._backend = backend
        self.usage = usage
        self._recorded = recorded
        self._reserved = 0
        self._pending: list[CallRecord] = []

    @property
    def decisions(self) -> bool:
        return bool(self.usage["decisions"])

    async def choose(self, world: WorldState) -> dict[str, Intent]:
        if not self.decisions:
            return {}
        points = decision_points(world)
        picks = await asyncio.gather(*(self._decide(p) for p in points))
        return {p.actor_id: pick for p, pick in zip(points, picks, strict=True) if pick}

    def settle(self, result: TurnResult) -> None:
        """Choices no longer legal when their character acted are fallbacks too."""
        for _ in result.overruled:
            self._fallback("overruled")

    def take_calls(self) -> list[CallRecord]:
        calls, self._pending = self._pending, []
        return calls

    async def _decide(self, point: DecisionPoint) -> Intent | None:
        chat = decision_chat(point)
        if self._recorded is not None:
            return self._replay(point, chat.digest(self._backend))
        backend = self._backend
        digest = chat.digest(backend)
        reserve = chat.reserve(backend)
        spent = self.usage["input_tokens"] + self.usage["output_tokens"]
        if spent + self._reserved + reserve > backend.token_budget:
            if not self.usage["budget_exhausted"]:
                log.info("llm_budget_exhausted", spent=spent, budget=backend.token_budget)
            self.usage["budget_exhausted"] = True
            return self._store(point, digest, "budget", "", None)
        self._reserved += reserve
        try:
            reply = await self._client.complete(
                chat,
                {
                    semconv.SIMULATION_ID: self._sim.id,
                    semconv.TENANT: self._sim.tenant_id,
                    semconv.TURN: point.turn,
                    semconv.LLM_PURPOSE: PURPOSE,
                },
                backend,
            )
        except ModelFailure as failure:
            return self._store(point, digest, failure.kind, "", None)
        finally:
            self._reserved -= reserve
        self.usage["calls"] += 1
        self.usage["input_tokens"] += reply.input_tokens
        self.usage["output_tokens"] += reply.output_tokens
        tenant = {semconv.TENANT: self._sim.tenant_id, semconv.LLM_PURPOSE: PURPOSE}
        _tokens.add(reply.input_tokens, {**tenant, semconv.GEN_AI_TOKEN_TYPE: "input"})
        _tokens.add(reply.output_tokens, {**tenant, semconv.GEN_AI_TOKEN_TYPE: "output"})
        pick = read_choice(point, reply.content)
        return self._store(point, digest, "ok" if pick else "invalid", reply.content, reply, pick)

    def _store(
        self,
        point: DecisionPoint,
        digest: str,
        outcome: str,
        response: str,
        reply: Any,
        pick: Intent | None = None,
    ) -> Intent | None:
        self._pending.append(
            CallRecord(
                turn=point.turn,
                purpose=PURPOSE,
                subject=point.actor_id,
                request_digest=digest,
                outcome=outcome,
                response=response,
                input_tokens=reply.input_tokens if reply else 0,
                output_tokens=reply.output_tokens if reply else 0,
                latency_ms=reply.latency_ms if reply else 0,
            )
        )
        if pick is None:
            self._fallback(outcome)
        return pick

    def _replay(self, point: DecisionPoint, digest: str) -> Intent | None:
        assert self._recorded is not None
        call, pick = recorded_pick(
            self._recorded, point, digest, f"replay of {self.usage['replay_of']}"
        )
        self.usage["replayed_calls"] += 1
        if call.outcome == "budget":
            self.usage["budget_exhausted"] = True
        if pick is None:
            self._fallback(call.outcome)
        return pick

    def _fallback(self, reason: str) -> None:
        self.usage["fallbacks"] += 1
        reasons = Counter(self.usage["fallback_reasons"])
        reasons[reason] += 1
        self.usage["fallback_reasons"] = dict(sorted(reasons.items()))
        _fallbacks.add(1, {semconv.LLM_PURPOSE: PURPOSE, semconv.OUTCOME: reason})


class ModelDecisions:
    """Opens a decision session for each simulation run that uses a model."""

    def __init__(
        self, uow: Callable[[], UnitOfWork], plans: ModelPlans, clients: ModelClients
    ) -> None:
        self._uow = uow
        self._plans = plans
        self._clients = clients

    async def session(self, record: SimulationRecord) -> DecisionSession:
        assert record.llm is not None and record.llm_usage is not None
        try:
            backend = self._plans.backend_of(record.llm)
        except SealingError as exc:
            raise ModelRunBroken(f"the model's API key: {exc}") from None
        client = self._clients.get(backend)
        recorded = None
        source = record.llm.get("replay_of", "")
        if source:
            async with self._uow().read_only() as uow:
                recorded = await LlmRepository(uow.conn).calls_of(source)
        return DecisionSession(record, client, backend, dict(record.llm_usage), recorded)

    async def store(self, session: DecisionSession, conn: Any, sim_id: str) -> None:
        repo = LlmRepository(conn)
        await repo.add_calls(sim_id, session.take_calls())
        await repo.set_usage(sim_id, session.usage)
