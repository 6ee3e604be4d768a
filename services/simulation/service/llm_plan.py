"""Which model a simulation uses, from three layers, and what it will cost.

Server default (NE_LLM_*) <- the tenant's settings <- the simulation's own. A layer that
changes the base URL brings its own key (possibly none): the server's key is never sent
to a server a tenant chose. Keys are stored sealed (Fernet, NE_LLM_SECRET_KEY); the
server's own key is never stored, only marked as the one to use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from novel_engine.v1 import simulation_pb2
from novel_platform.errors import InvalidArgument
from novel_platform.llm.backend import OVERRIDABLE, Backend
from novel_platform.llm.client import ChatRequest
from novel_platform.llm.hosts import HostPolicy, HostRefused
from novel_platform.llm.sealing import Sealer, SealingError
from novel_platform.outbox import UnitOfWork
from services.simulation.adapters.llm_records import LlmRepository, TenantBackend
from services.simulation.domain import CharacterSheet, llm_usage, start_world
from services.simulation.domain.choices import DecisionPoint, decision_points
from services.simulation.domain.decision_prompt import decision_request

MAX_URL = 500
# Assumed time of one turn's model round (its characters are asked at once) when
# estimating a run; the README's bench figures tell what a given server does.
ROUND_SECONDS = 1.0
NARRATION_BYTES = 6000


@dataclass(frozen=True)
class LlmRequest:
    decisions: bool
    narration: bool
    backend: Mapping[str, Any]  # the simulation's override (no key)
    api_key: str
    replay_of: str = ""


def override_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """A layer's fields, checked; empty ones inherit."""
    fields = {k: v for k, v in values.items() if k in OVERRIDABLE and k != "api_key"}
    url = fields.get("base_url") or ""
    if url and (len(url) > MAX_URL or not url.startswith(("http://", "https://"))):
        raise InvalidArgument("llm.base_url: an http:// or https:// URL")
    if len(fields.get("model") or "") > 200:
        raise InvalidArgument("llm.model: at most 200 characters")
    temperature = fields.get("temperature")
    if temperature is not None and not 0 <= temperature <= 2:
        raise InvalidArgument("llm.temperature: 0..2")
    max_tokens = fields.get("max_tokens")
    if max_tokens is not None and not 16 <= max_tokens <= 32_768:
        raise InvalidArgument("llm.max_tokens: 16..32768")
    budget = fields.get("token_budget")
    if budget is not None and not 0 <= budget <= 100_000_000:
        raise InvalidArgument("llm.token_budget: 0..100000000")
    return {k: v for k, v in fields.items() if v not in (None, "")}


def layer(base: Backend, fields: Mapping[str, Any], api_key: str) -> Backend:
    """`base` with a layer's fields; its key replaces base's if given or if the layer
    points somewhere else."""
    changed_url = "base_url" in fields and fields["base_url"] != base.base_url
    key = api_key if (api_key or changed_url) else base.api_key
    return replace(base.layered(fields), api_key=key)


class ModelPlans:
    def __init__(
        self, uow: Callable[[], UnitOfWork], server: Backend, sealer: Sealer, policy: HostPolicy
    ) -> None:
        self._uow = uow
        self.server = server
        self.sealer = sealer
        self.policy = policy

    async def _check_host(self, url: str) -> None:
        """InvalidArgument for a URL the host policy refuses (also checked again at
        every connection: DNS may change)."""
        try:
            await self.policy.check_url(url)
        except HostRefused as exc:
            raise InvalidArgument(
                f"llm.base_url: {exc}; the server calls only public hosts and those its "
                "operator allows (NE_LLM_ALLOWED_HOSTS)"
            ) from None

    def _seal(self, key: str) -> str:
        try:
            return self.sealer.seal(key)
        except SealingError as exc:
            raise InvalidArgument(f"llm.api_key: {exc}") from None

    async def tenant_layer(self, tenant_id: str) -> Backend:
        async with self._uow().read_only() as uow:
            stored = await LlmRepository(uow.conn).tenant_backend(tenant_id)
        if stored is None:
            return self.server
        return layer(self.server, stored.backend, self.sealer.open(stored.sealed_api_key))

    async def put_tenant(
        self, tenant_id: str, values: Mapping[str, Any], api_key: str
    ) -> tuple[dict[str, Any], bool, tuple[int, int]]:
        fields = override_fields(values)
        if fields.get("base_url"):
            await self._check_host(fields["base_url"])
        settings = TenantBackend(fields, self._seal(api_key))
        async with self._uow() as uow:
            await LlmRepository(uow.conn).put_tenant_backend(tenant_id, settings)
            await uow.commit()
        return await self.get_tenant(tenant_id)

    async def get_tenant(self, tenant_id: str) -> tuple[dict[str, Any], bool, tuple[int, int]]:
        """The tenant's override (no key), whether it holds a key, its tokens so far."""
        async with self._uow().read_only() as uow:
            repo = LlmRepository(uow.conn)
            stored = await repo.tenant_backend(tenant_id)
            tokens = await repo.tenant_tokens(tenant_id)
        if stored is None:
            return {}, False, tokens
        return stored.backend, bool(stored.sealed_api_key), tokens

    async def plan(
        self,
        tenant_id: str,
        request: LlmRequest,
        sheets: Sequence[CharacterSheet],
        *,
        turns: int,
        seed: int,
        setting: str,
        scenario: str,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """(the simulation's `llm`, its first `llm_usage` with the estimate)."""
        backend = layer(
            await self.tenant_layer(tenant_id), override_fields(request.backend), request.api_key
        )
        if not backend.configured:
            raise InvalidArgument(
                "llm: no model backend is configured (the server's NE_LLM_BASE_URL and "
                "NE_LLM_MODEL, PUT /v1/settings/llm, or llm.backend here)"
            )
        # Also a tenant's URL stored before the policy, or before the operator changed it.
        await self._check_host(backend.base_url)
        server_key = bool(backend.api_key) and backend.api_key == self.server.api_key
        total = backend.token_budget
        both = request.decisions and request.narration
        decision_share = total // 2 if both else total if request.decisions else 0
        plan = {
            "decisions": request.decisions,
            "narration": request.narration,
            # Decisions and narration, both on, share the budget half and half: each side
            # keeps to its own, so the simulation never spends more than the whole.
            "budgets": {"decision": decision_share, "narration": total - decision_share},
            "backend": backend.public(),
            "key": "server" if server_key else "sealed",
            "sealed_api_key": "" if server_key else self._seal(backend.api_key),
            "replay_of": "",
        }
        tokens, seconds = estimate(backend, sheets, turns, seed, setting, scenario, request)
        return plan, new_usage(plan, tokens, seconds)

    def backend_of(self, plan: Mapping[str, Any]) -> Backend:
        key = self.server.api_key if plan["key"] == "server" else ""
        if plan["key"] != "server":
            key = self.sealer.open(plan["sealed_api_key"])
        public = dict(plan["backend"])
        # Process-wide limits follow the server's settings, not what a run stored.
        public["max_concurrency"] = self.server.max_concurrency
        public["timeout_seconds"] = self.server.timeout_seconds
        public["token_budget"] = plan["budgets"]["decision"]
        return Backend.from_public(public, api_key=key)

    @staticmethod
    def narration_of(plan: Mapping[str, Any]) -> simulation_pb2.LlmNarration | None:
        """What the story service needs to ask for this simulation's chapters."""
        if not plan["narration"]:
            return None
        backend = plan["backend"]
        return simulation_pb2.LlmNarration(
            base_url=backend["base_url"],
            model=backend["model"],
            temperature=backend["temperature"],
            max_tokens=backend["max_tokens"],
            token_budget=plan["budgets"]["narration"],
            server_key=plan["key"] == "server",
            sealed_api_key=plan["sealed_api_key"],
            replay_of=plan["replay_of"],
        )


def estimate(
    backend: Backend,
    sheets: Sequence[CharacterSheet],
    turns: int,
    seed: int,
    setting: str,
    scenario: str,
    request: LlmRequest,
) -> tuple[int, float]:
    """Tokens (an upper bound, within the budget) and seconds for a whole run: every
    living character asked every turn, each call as large as turn 1's largest."""
    # A chapter's request: the offline chapter's text and the answer, each at most
    # about this many bytes; one per turn.
    narration = turns * (NARRATION_BYTES + backend.max_tokens) if request.narration else 0
    if not request.decisions:
        return min(backend.token_budget, narration), round(turns * ROUND_SECONDS, 1)
    world = start_world(sheets, seed=seed, setting=setting, scenario=scenario, turns_total=turns)
    points = decision_points(world)
    per_call = max(decision_chat(p).reserve(backend) for p in points)
    tokens = min(backend.token_budget, per_call * len(points) * turns + narration)
    return tokens, round(turns * ROUND_SECONDS, 1)


def decision_chat(point: DecisionPoint) -> ChatRequest:
    system, user, schema = decision_request(point)
    return ChatRequest(system, user, "decision", schema)


def new_usage(plan: Mapping[str, Any], tokens: int, seconds: float) -> dict[str, Any]:
    return {
        "decisions": plan["decisions"],
        "narration": plan["narration"],
        "model": plan["backend"]["model"],
        "base_url": plan["backend"]["base_url"],
        "token_budget": plan["backend"]["token_budget"],
        "estimated_tokens": tokens,
        "estimated_seconds": seconds,
        **llm_usage.empty_part(),  # the decisions'
        llm_usage.NARRATION: llm_usage.empty_part(),
        "replay_of": plan.get("replay_of", ""),
    }
