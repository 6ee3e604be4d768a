"""gRPC servicer: translates messages and delegates to the service layer."""

from __future__ import annotations

from dataclasses import asdict

from grpc import aio

from novel_engine.v1 import simulation_pb2, simulation_pb2_grpc
from novel_platform.errors import FailedPrecondition
from novel_platform.paging import require_tenant
from novel_platform.turn_event_messages import add_turns
from novel_platform.worlds import world_fields
from services.simulation.adapters.convert import (
    backend_fields,
    campaign_to_proto,
    intervention_from_proto,
    knowledge_to_proto,
    llm_settings_to_proto,
    simulation_to_proto,
    world_to_proto,
)
from services.simulation.adapters.llm_records import CallRecord
from services.simulation.service.branches import BranchService
from services.simulation.service.handlers import SimulationService
from services.simulation.service.imported_runs import ImportedRun
from services.simulation.service.llm_plan import LlmRequest, ModelPlans
from services.simulation.service.requests import StartRequest
from services.simulation.service.worlds import WorldService

# Set by the gateway from a POST's Idempotency-Key header.
IDEMPOTENCY_KEY_METADATA = "idempotency-key"


class SimulationServicer(simulation_pb2_grpc.SimulationServiceServicer):
    def __init__(
        self,
        service: SimulationService,
        worlds: WorldService,
        models: ModelPlans | None = None,
        branches: BranchService | None = None,
    ) -> None:
        self._service = service
        self._worlds = worlds
        self._models = models
        self._branches = branches

    def _what_if(self) -> BranchService:
        if self._branches is None:
            raise FailedPrecondition("this server does not fork or steer simulations")
        return self._branches

    async def ForkSimulation(
        self, request: simulation_pb2.ForkSimulationRequest, context: aio.ServicerContext
    ) -> simulation_pb2.Simulation:
        record = await self._what_if().fork(
            request.tenant_id,
            request.id,
            request.turn,
            request.seed if request.HasField("seed") else None,
            [intervention_from_proto(i) for i in request.interventions],
        )
        return simulation_to_proto(record)

    async def AddIntervention(
        self, request: simulation_pb2.AddInterventionRequest, context: aio.ServicerContext
    ) -> simulation_pb2.Simulation:
        record = await self._what_if().intervene(
            request.tenant_id, request.id, intervention_from_proto(request.intervention)
        )
        return simulation_to_proto(record)

    async def ListBranches(
        self, request: simulation_pb2.ListBranchesRequest, context: aio.ServicerContext
    ) -> simulation_pb2.ListBranchesResponse:
        root, records = await self._what_if().tree(request.tenant_id, request.id)
        return simulation_pb2.ListBranchesResponse(
            root_id=root, simulations=[simulation_to_proto(r) for r in records]
        )

    async def GetTurns(
        self, request: simulation_pb2.GetTurnsRequest, context: aio.ServicerContext
    ) -> simulation_pb2.GetTurnsResponse:
        results = await self._what_if().turns(
            request.tenant_id, request.id, request.from_turn, request.to_turn
        )
        response = simulation_pb2.GetTurnsResponse()
        add_turns(response.turns, ((r.turn, r.events) for r in results))
        return response

    async def GetKnowledge(
        self, request: simulation_pb2.GetKnowledgeRequest, context: aio.ServicerContext
    ) -> simulation_pb2.Knowledge:
        found = await self._what_if().knowledge(
            request.tenant_id,
            request.id,
            request.character_id,
            request.turn if request.turn >= 0 else None,
        )
        return knowledge_to_proto(request.id, found)

    async def StartSimulation(
        self, request: simulation_pb2.StartSimulationRequest, context: aio.ServicerContext
    ) -> simulation_pb2.Simulation:
        record = await self._service.start(
            StartRequest(
                tenant_id=request.tenant_id,
                character_ids=tuple(request.character_ids),
                turns=request.turns,
                seed=request.seed if request.HasField("seed") else None,
                setting=request.setting,
                scenario=request.scenario,
                campaign_id=request.campaign_id,
                narrative_style=request.narrative_style,
                world_id=request.world_id,
                llm=llm_request(request.llm) if request.HasField("llm") else None,
                interventions=tuple(intervention_from_proto(i) for i in request.interventions),
                recorded=imported_run(request.recorded) if request.HasField("recorded") else None,
            ),
            idempotency_key=_metadata(context, IDEMPOTENCY_KEY_METADATA)[:255],
        )
        return simulation_to_proto(record)

    async def GetSimulation(
        self, request: simulation_pb2.GetSimulationRequest, context: aio.ServicerContext
    ) -> simulation_pb2.Simulation:
        return simulation_to_proto(await self._service.get(request.tenant_id, request.id))

    async def ListSimulations(
        self, request: simulation_pb2.ListSimulationsRequest, context: aio.ServicerContext
    ) -> simulation_pb2.ListSimulationsResponse:
        items, token = await self._service.list_page(
            request.tenant_id, request.page.page_size, request.page.page_token
        )
        return simulation_pb2.ListSimulationsResponse(
            simulations=[simulation_to_proto(r) for r in items], next_page_token=token
        )

    async def CancelSimulation(
        self, request: simulation_pb2.CancelSimulationRequest, context: aio.ServicerContext
    ) -> simulation_pb2.Simulation:
        return simulation_to_proto(await self._service.cancel(request.tenant_id, request.id))

    async def CreateCampaign(
        self, request: simulation_pb2.CreateCampaignRequest, context: aio.ServicerContext
    ) -> simulation_pb2.Campaign:
        record = await self._service.create_campaign(
            request.tenant_id,
            request.name,
            request.description,
            list(request.participants),
            request.setting,
        )
        return campaign_to_proto(record)

    async def ListCampaigns(
        self, request: simulation_pb2.ListCampaignsRequest, context: aio.ServicerContext
    ) -> simulation_pb2.ListCampaignsResponse:
        items, token = await self._service.list_campaigns(
            request.tenant_id, request.page.page_size, request.page.page_token
        )
        return simulation_pb2.ListCampaignsResponse(
            campaigns=[campaign_to_proto(r) for r in items], next_page_token=token
        )

    async def CreateWorld(
        self, request: simulation_pb2.CreateWorldRequest, context: aio.ServicerContext
    ) -> simulation_pb2.World:
        record = await self._worlds.create(
            request.tenant_id, request.world.id, world_fields(request.world)
        )
        return world_to_proto(record)

    async def GetWorld(
        self, request: simulation_pb2.GetWorldRequest, context: aio.ServicerContext
    ) -> simulation_pb2.World:
        return world_to_proto(await self._worlds.get(request.tenant_id, request.id))

    async def ListWorlds(
        self, request: simulation_pb2.ListWorldsRequest, context: aio.ServicerContext
    ) -> simulation_pb2.ListWorldsResponse:
        records = await self._worlds.list(request.tenant_id)
        return simulation_pb2.ListWorldsResponse(worlds=[world_to_proto(r) for r in records])

    async def DeleteWorld(
        self, request: simulation_pb2.DeleteWorldRequest, context: aio.ServicerContext
    ) -> simulation_pb2.DeleteWorldResponse:
        await self._worlds.delete(request.tenant_id, request.id)
        return simulation_pb2.DeleteWorldResponse()

    async def PutLlmSettings(
        self, request: simulation_pb2.PutLlmSettingsRequest, context: aio.ServicerContext
    ) -> simulation_pb2.LlmSettings:
        tenant = require_tenant(request.tenant_id)
        found = await self._plans().put_tenant(
            tenant, backend_fields(request.backend), request.backend.api_key
        )
        return llm_settings_to_proto(tenant, *found)

    async def GetLlmSettings(
        self, request: simulation_pb2.GetLlmSettingsRequest, context: aio.ServicerContext
    ) -> simulation_pb2.LlmSettings:
        tenant = require_tenant(request.tenant_id)
        return llm_settings_to_proto(tenant, *await self._plans().get_tenant(tenant))

    async def ListRecordedCalls(
        self, request: simulation_pb2.ListRecordedCallsRequest, context: aio.ServicerContext
    ) -> simulation_pb2.ListRecordedCallsResponse:
        calls = await self._service.recorded_calls(request.tenant_id, request.simulation_id)
        return simulation_pb2.ListRecordedCallsResponse(
            calls=[simulation_pb2.RecordedCall(**asdict(c)) for c in calls]
        )

    def _plans(self) -> ModelPlans:
        if self._models is None:
            raise FailedPrecondition("this server runs simulations offline only")
        return self._models


def llm_request(o: simulation_pb2.LlmOptions) -> LlmRequest | None:
    if not (o.decisions or o.narration or o.replay_of):
        return None
    return LlmRequest(
        decisions=o.decisions,
        narration=o.narration,
        backend=backend_fields(o.backend),
        api_key=o.backend.api_key,
        replay_of=o.replay_of,
    )


def imported_run(r: simulation_pb2.RecordedRun) -> ImportedRun:
    backend = {
        "base_url": r.base_url,
        "model": r.model,
        "temperature": r.temperature,
        "max_tokens": r.max_tokens,
        "token_budget": r.token_budget,
    }
    calls = tuple(
        CallRecord(
            turn=c.turn,
            purpose=c.purpose,
            subject=c.subject,
            request_digest=c.request_digest,
            outcome=c.outcome,
            response=c.response,
            input_tokens=c.input_tokens,
            output_tokens=c.output_tokens,
            latency_ms=c.latency_ms,
        )
        for c in r.calls
    )
    return ImportedRun(r.recordings_id, r.decisions, r.narration, backend, calls)


def _metadata(context: aio.ServicerContext, name: str) -> str:
    for key, value in context.invocation_metadata() or ():
        if key == name:
            return str(value)
    return ""
