"""/v1/stories: the written stories as JSON, Markdown, HTML, EPUB or a run bundle."""

from __future__ import annotations

from typing import Annotated, Any

import grpc
import orjson
from fastapi import APIRouter, Header, Query, Request, Response

from novel_engine.v1 import character_pb2, simulation_pb2, story_pb2
from services.gateway.auth import Tenant
from services.gateway.clients import Downstream, downstream
from services.gateway.convert import story_out
from services.gateway.errors import ApiError
from services.gateway.formats import bundle, stories
from services.gateway.formats.negotiation import attachment, choose
from services.gateway.params import Page, ResourceId
from services.gateway.schemas import ERRORS, StoryOut, StoryPage

router = APIRouter(prefix="/v1/stories", tags=["stories"], responses=ERRORS)

BUNDLE_MEDIA = "application/vnd.novel-engine.bundle+json"
FORMATS = {
    "json": "application/json",
    "markdown": "text/markdown",
    "html": "text/html",
    "epub": "application/epub+zip",
    "bundle": BUNDLE_MEDIA,
}
EXTENSIONS = {"markdown": "md", "html": "html", "epub": "epub", "bundle": "bundle.json"}
FormatQuery = Annotated[
    str | None,
    Query(
        alias="format",
        max_length=40,
        description="json, markdown, html, epub or bundle (else Accept decides)",
    ),
]


@router.get("", response_model=StoryPage)
async def list_stories(
    tenant: Tenant,
    request: Request,
    page: Page,
) -> dict[str, Any]:
    reply = await downstream(request).story.ListStories(
        story_pb2.ListStoriesRequest(
            tenant_id=tenant,
            page=page,
        ),
    )
    return {
        "items": [story_out(s) for s in reply.stories],
        "next_page_token": reply.next_page_token or None,
    }


@router.get(
    "/{story_id}",
    response_model=StoryOut,
    responses={
        200: {"content": {media: {} for media in FORMATS.values() if media != FORMATS["json"]}},
        406: {"description": "no offered format is acceptable"},
    },
)
async def get_story(
    story_id: ResourceId,
    tenant: Tenant,
    request: Request,
    fmt: FormatQuery = None,
    accept: Annotated[str, Header(max_length=500)] = "application/json",
) -> Any:
    """The story as JSON (default), Markdown, one self-contained HTML page, an EPUB 3
    book, or the run's bundle: `?format=` or `Accept`. Files come with a
    `Content-Disposition` naming them."""
    chosen = choose(FORMATS, fmt, accept, "json")
    down = downstream(request)
    story = await down.story.GetStory(
        story_pb2.GetStoryRequest(tenant_id=tenant, id=story_id),
    )
    if chosen == "json":
        return story_out(story)
    headers = attachment(f"{story.title or 'story'}-{story.id[:8]}", EXTENSIONS[chosen])
    if chosen == "markdown":
        body: str | bytes = stories.markdown(story)
    elif chosen == "html":
        body = stories.html_page(story)
    elif chosen == "epub":
        body = stories.epub_book(story)
    else:
        body = bundle_json(await _bundle(down, tenant, story))
    media = FORMATS[chosen] + ("; charset=utf-8" if chosen in ("markdown", "html") else "")
    return Response(body, media_type=media, headers=headers)


def bundle_json(data: dict[str, Any]) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_INDENT_2)


async def _bundle(down: Downstream, tenant: str, story: story_pb2.Story) -> dict[str, Any]:
    simulation = await down.simulation.GetSimulation(
        simulation_pb2.GetSimulationRequest(tenant_id=tenant, id=story.simulation_id),
    )
    if simulation.status != simulation_pb2.SIMULATION_STATUS_COMPLETED:
        raise ApiError(409, f"simulation '{simulation.id}' has not completed: no bundle yet")
    found = await down.character.BatchGetCharacters(
        character_pb2.BatchGetCharactersRequest(
            tenant_id=tenant, ids=list(simulation.character_ids)
        ),
    )
    if found.missing_ids:
        raise ApiError(
            409,
            "the run's characters no longer exist: " + ", ".join(found.missing_ids),
            details={"missing_character_ids": list(found.missing_ids)},
        )
    world = None
    if simulation.world_id:
        world = await down.simulation.GetWorld(
            simulation_pb2.GetWorldRequest(tenant_id=tenant, id=simulation.world_id)
        )
        world = None if world.builtin else world
    lineage = await _lineage(down, tenant, simulation)
    try:
        interventions = bundle.replay_interventions(lineage)
    except bundle.NotReplayable as exc:
        raise ApiError(409, f"no bundle: {exc}") from None
    turns = await _turns(down, tenant, story, simulation)
    recordings: list[tuple[str, simulation_pb2.RecordedCall]] = []
    # A branch's turns up to its fork were recorded by the runs it shares them with.
    for run, (after, upto) in zip(lineage, bundle.shared_turns(lineage), strict=True):
        if not run.HasField("llm"):
            continue
        request = simulation_pb2.ListRecordedCallsRequest(
            tenant_id=tenant, simulation_id=run.id, recordings_id=run.llm.replay_of
        )
        decided = await down.simulation.ListRecordedCalls(request)
        told = await down.story.ListNarrationCalls(request)
        taken = [("simulation", c) for c in decided.calls]
        taken += [("story", c) for c in told.calls]
        recordings += [(service, c) for service, c in taken if after < c.turn <= upto]
    recordings.sort(key=lambda r: (r[0], r[1].turn, r[1].subject, r[1].attempt))
    return bundle.bundle(
        simulation, story, list(found.characters), world, turns, recordings, interventions
    )


async def _lineage(
    down: Downstream, tenant: str, simulation: simulation_pb2.Simulation
) -> list[simulation_pb2.Simulation]:
    """The run, then each ancestor it shares turns with (a tree holds at most 101 runs;
    a fork at 0 shares none)."""
    lineage = [simulation]
    while lineage[-1].parent_id and lineage[-1].fork_turn > 0:
        lineage.append(
            await down.simulation.GetSimulation(
                simulation_pb2.GetSimulationRequest(tenant_id=tenant, id=lineage[-1].parent_id)
            )
        )
    return lineage


async def _turns(
    down: Downstream, tenant: str, story: story_pb2.Story, simulation: simulation_pb2.Simulation
) -> list[simulation_pb2.Turn]:
    """The run's events turn by turn. An offline run's are derived again from its inputs
    (the engine is deterministic, so nothing is stored for them); a run a model decided
    gives the turns its story service kept and wrote from."""
    if not simulation.HasField("llm"):
        derived = await down.simulation.GetTurns(
            simulation_pb2.GetTurnsRequest(
                tenant_id=tenant, id=simulation.id, from_turn=1, to_turn=simulation.turns_done
            )
        )
        return list(derived.turns)
    try:
        kept = await down.story.ListStoryTurns(
            story_pb2.ListStoryTurnsRequest(tenant_id=tenant, story_id=story.id)
        )
    except grpc.aio.AioRpcError as exc:
        if exc.code() != grpc.StatusCode.NOT_FOUND:
            raise
        raise ApiError(404, f"Story '{story.id}' not found") from None
    return list(kept.turns)
