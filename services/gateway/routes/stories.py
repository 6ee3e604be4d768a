"""/v1/stories: the written stories, as JSON or Markdown."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import PlainTextResponse

from novel_engine.v1 import story_pb2
from services.gateway.auth import Tenant
from services.gateway.clients import downstream
from services.gateway.convert import story_markdown, story_out
from services.gateway.params import Page, ResourceId
from services.gateway.schemas import ERRORS, StoryOut, StoryPage

router = APIRouter(prefix="/v1/stories", tags=["stories"], responses=ERRORS)


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
    responses={200: {"content": {"text/markdown": {}}}},
)
async def get_story(
    story_id: ResourceId,
    tenant: Tenant,
    request: Request,
    accept: Annotated[str, Header(max_length=500)] = "application/json",
) -> Any:
    """The story as JSON, or as Markdown with `Accept: text/markdown`."""
    story = await downstream(request).story.GetStory(
        story_pb2.GetStoryRequest(tenant_id=tenant, id=story_id),
    )
    if "text/markdown" in accept:
        return PlainTextResponse(story_markdown(story), media_type="text/markdown; charset=utf-8")
    return story_out(story)
