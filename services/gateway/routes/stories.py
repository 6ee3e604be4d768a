"""/v1/stories: the written stories, as JSON or Markdown."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import PlainTextResponse

from novel_engine.v1 import common_pb2, story_pb2
from services.gateway.auth import Tenant
from services.gateway.clients import downstream, request_metadata
from services.gateway.convert import story_markdown, story_out
from services.gateway.schemas import ERRORS, StoryOut, StoryPage

router = APIRouter(prefix="/v1/stories", tags=["stories"], responses=ERRORS)


@router.get("", response_model=StoryPage)
async def list_stories(
    tenant: Tenant,
    request: Request,
    page_size: Annotated[int, Query(ge=1, le=100)] = 20,
    page_token: Annotated[str, Query(max_length=200)] = "",
) -> dict[str, Any]:
    reply = await downstream(request).story.ListStories(
        story_pb2.ListStoriesRequest(
            tenant_id=tenant,
            page=common_pb2.PageRequest(page_size=page_size, page_token=page_token),
        ),
        metadata=request_metadata(),
    )
    return {
        "items": [story_out(s) for s in reply.stories],
        "next_page_token": reply.next_page_token or None,
    }


@router.get(
    "/{story_id}",
    response_model=StoryOut,
    responses={200: {"content": {"text/markdown": {}}}},
)
async def get_story(
    story_id: str,
    tenant: Tenant,
    request: Request,
    accept: Annotated[str, Header(max_length=500)] = "application/json",
) -> Any:
    """The story as JSON, or as Markdown with `Accept: text/markdown`."""
    story = await downstream(request).story.GetStory(
        story_pb2.GetStoryRequest(tenant_id=tenant, id=story_id[:64]),
        metadata=request_metadata(),
    )
    if "text/markdown" in accept:
        return PlainTextResponse(story_markdown(story), media_type="text/markdown; charset=utf-8")
    return story_out(story)
