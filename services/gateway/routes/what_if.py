"""What if: forks, the director's interventions, what a character knew, and where two
branches' stories part."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import grpc
from fastapi import APIRouter, Query, Request, Response

from novel_engine.v1 import simulation_pb2, story_pb2
from services.gateway.auth import Tenant
from services.gateway.clients import Downstream, downstream
from services.gateway.convert import chapter_out, knowledge_out, simulation_out, turn_event_out
from services.gateway.params import ResourceId
from services.gateway.routes.simulations import get_simulation_pb, story_id_of
from services.gateway.schemas import (
    ERRORS,
    BranchesOut,
    ForkIn,
    InterventionIn,
    KnowledgeOut,
    SimulationOut,
    StoryDiffOut,
)

router = APIRouter(tags=["what if"], responses=ERRORS)
MAX_DIFF_TURNS = 50


def intervention_message(i: InterventionIn) -> simulation_pb2.Intervention:
    return simulation_pb2.Intervention(
        turn=i.turn or 0,
        kind=i.kind,
        character_id=i.character_id,
        text=i.text,
        location=i.location,
    )


@router.post("/v1/simulations/{simulation_id}/fork", status_code=202, response_model=SimulationOut)
async def fork_simulation(
    simulation_id: ResourceId, body: ForkIn, tenant: Tenant, request: Request, response: Response
) -> dict[str, Any]:
    """Start a branch sharing turns 1..`turn` with the run; the rest is played again from
    the run's world at `turn`, with the given seed and interventions (an intervention
    without a turn applies at turn + 1)."""
    branch = await downstream(request).simulation.ForkSimulation(
        simulation_pb2.ForkSimulationRequest(
            tenant_id=tenant,
            id=simulation_id,
            turn=body.turn,
            seed=body.seed,
            interventions=[
                intervention_message(i.model_copy(update={"turn": i.turn or body.turn + 1}))
                for i in body.interventions
            ],
        )
    )
    response.headers["Location"] = f"/v1/simulations/{branch.id}"
    return simulation_out(branch)


@router.post(
    "/v1/simulations/{simulation_id}/interventions",
    status_code=202,
    response_model=SimulationOut,
)
async def add_intervention(
    simulation_id: ResourceId, body: InterventionIn, tenant: Tenant, request: Request
) -> dict[str, Any]:
    """Steer a running paced run: applied at the next turn boundary its worker has not
    passed (or at `turn`, if later). 409 once the run has finished."""
    updated = await downstream(request).simulation.AddIntervention(
        simulation_pb2.AddInterventionRequest(
            tenant_id=tenant, id=simulation_id, intervention=intervention_message(body)
        )
    )
    return simulation_out(updated)


@router.get("/v1/simulations/{simulation_id}/branches", response_model=BranchesOut)
async def list_branches(
    simulation_id: ResourceId, tenant: Tenant, request: Request
) -> dict[str, Any]:
    """The run's tree: its first run, then every branch of it (of any generation), each
    with its story's id (what a reader follows from one branch to the next)."""
    down = downstream(request)
    reply = await down.simulation.ListBranches(
        simulation_pb2.ListBranchesRequest(tenant_id=tenant, id=simulation_id)
    )
    story_ids = await asyncio.gather(*(story_id_of(down, tenant, s) for s in reply.simulations))
    return {
        "root_id": reply.root_id,
        "items": [simulation_out(s, i) for s, i in zip(reply.simulations, story_ids, strict=True)],
    }


@router.get(
    "/v1/simulations/{simulation_id}/characters/{character_id}/knowledge",
    response_model=KnowledgeOut,
)
async def character_knowledge(
    simulation_id: ResourceId,
    character_id: ResourceId,
    tenant: Tenant,
    request: Request,
    turn: Annotated[int | None, Query(ge=0, le=1000)] = None,
) -> dict[str, Any]:
    """What the character knew at the end of `turn` (default: the last turn done), each
    item with the events it came from and how."""
    k: simulation_pb2.Knowledge = await downstream(request).simulation.GetKnowledge(
        simulation_pb2.GetKnowledgeRequest(
            tenant_id=tenant,
            id=simulation_id,
            character_id=character_id,
            turn=-1 if turn is None else turn,
        )
    )
    return knowledge_out(k)


async def _events(
    down: Downstream, tenant: str, sim: simulation_pb2.Simulation, first: int
) -> dict[int, list[dict[str, Any]]]:
    """The run's events of turns `first`.. (at most MAX_DIFF_TURNS), by turn; none for a
    run whose turns cannot be derived again (a model-decided run missing a recording)."""
    last = min(sim.turns_done, first + MAX_DIFF_TURNS - 1)
    if last < first:
        return {}
    try:
        reply = await down.simulation.GetTurns(
            simulation_pb2.GetTurnsRequest(
                tenant_id=tenant, id=sim.id, from_turn=first, to_turn=last
            )
        )
    except grpc.aio.AioRpcError as exc:
        if exc.code() == grpc.StatusCode.FAILED_PRECONDITION:
            return {}
        raise
    return {t.number: [turn_event_out(e) for e in t.events] for t in reply.turns}


def _side(s: story_pb2.Story) -> dict[str, Any]:
    return {
        "story_id": s.id,
        "simulation_id": s.simulation_id,
        "title": s.title,
        "status": s.status,
    }


@router.get("/v1/stories/{a}/diff/{b}", response_model=StoryDiffOut)
async def diff_stories(
    a: ResourceId, b: ResourceId, tenant: Tenant, request: Request
) -> dict[str, Any]:
    """Where two stories (two branches of a run) part: the first turn whose chapter
    differs, then from there the chapters and the turns' events side by side."""
    down = downstream(request)
    diff = await down.story.DiffStories(story_pb2.DiffStoriesRequest(tenant_id=tenant, a=a, b=b))
    first = diff.first_differing_turn
    events: list[dict[str, Any]] = []
    if first:
        left = await _events(
            down, tenant, await get_simulation_pb(request, tenant, diff.a.simulation_id), first
        )
        right = await _events(
            down, tenant, await get_simulation_pb(request, tenant, diff.b.simulation_id), first
        )
        events = [
            {"number": n, "a": left.get(n), "b": right.get(n)}
            for n in sorted(left.keys() | right.keys())
        ]
    return {
        "a": _side(diff.a),
        "b": _side(diff.b),
        "first_differing_turn": first or None,
        "chapters": [
            {
                "number": p.number,
                "a": chapter_out(p.a) if p.HasField("a") else None,
                "b": chapter_out(p.b) if p.HasField("b") else None,
            }
            for p in diff.chapters
        ],
        "events": events,
    }
