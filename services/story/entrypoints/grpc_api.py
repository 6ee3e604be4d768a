"""gRPC servicer: translates messages and delegates to the service layer."""

from __future__ import annotations

from dataclasses import asdict, replace

from grpc import aio

from novel_engine.v1 import simulation_pb2, story_pb2, story_pb2_grpc
from novel_platform.turn_event_messages import add_turns
from services.story.adapters.convert import chapter_to_proto, story_to_proto
from services.story.adapters.narration_records import NarrationCall
from services.story.service.handlers import StoryReader
from services.story.service.imported_narration import NarrationImports


class StoryServicer(story_pb2_grpc.StoryServiceServicer):
    def __init__(self, reader: StoryReader, imports: NarrationImports) -> None:
        self._reader = reader
        self._imports = imports

    async def GetStory(
        self, request: story_pb2.GetStoryRequest, context: aio.ServicerContext
    ) -> story_pb2.Story:
        return story_to_proto(await self._reader.get(request.tenant_id, request.id))

    async def DiffStories(
        self, request: story_pb2.DiffStoriesRequest, context: aio.ServicerContext
    ) -> story_pb2.StoryDiff:
        found = await self._reader.diff(request.tenant_id, request.a, request.b)
        return story_pb2.StoryDiff(
            a=story_to_proto(replace(found.a, chapters=())),
            b=story_to_proto(replace(found.b, chapters=())),
            first_differing_turn=found.first_differing_turn,
            chapters=[
                story_pb2.ChapterPair(
                    number=p.number,
                    a=chapter_to_proto(p.a) if p.a else None,
                    b=chapter_to_proto(p.b) if p.b else None,
                )
                for p in found.chapters
            ],
        )

    async def GetStoryBySimulation(
        self, request: story_pb2.GetStoryBySimulationRequest, context: aio.ServicerContext
    ) -> story_pb2.Story:
        story = await self._reader.get_by_simulation(request.tenant_id, request.simulation_id)
        return story_to_proto(story)

    async def ListStories(
        self, request: story_pb2.ListStoriesRequest, context: aio.ServicerContext
    ) -> story_pb2.ListStoriesResponse:
        items, token = await self._reader.list_page(
            request.tenant_id, size=request.page.page_size, token=request.page.page_token
        )
        return story_pb2.ListStoriesResponse(
            stories=[story_to_proto(s) for s in items], next_page_token=token
        )

    async def ListStoryTurns(
        self, request: story_pb2.ListStoryTurnsRequest, context: aio.ServicerContext
    ) -> story_pb2.ListStoryTurnsResponse:
        turns = await self._reader.turns(request.tenant_id, request.story_id)
        response = story_pb2.ListStoryTurnsResponse()
        add_turns(response.turns, turns)
        return response

    async def ListNarrationCalls(
        self, request: simulation_pb2.ListRecordedCallsRequest, context: aio.ServicerContext
    ) -> simulation_pb2.ListRecordedCallsResponse:
        calls = await self._reader.narration_calls(
            request.tenant_id, request.simulation_id, request.recordings_id
        )
        return simulation_pb2.ListRecordedCallsResponse(
            calls=[
                simulation_pb2.RecordedCall(purpose="narration", subject="", **asdict(c))
                for c in calls
            ]
        )

    async def ImportNarrationCalls(
        self, request: story_pb2.ImportNarrationCallsRequest, context: aio.ServicerContext
    ) -> story_pb2.ImportNarrationCallsResponse:
        calls = [
            NarrationCall(
                turn=c.turn,
                attempt=c.attempt,
                request_digest=c.request_digest,
                outcome=c.outcome,
                response=c.response,
                input_tokens=c.input_tokens,
                output_tokens=c.output_tokens,
                latency_ms=c.latency_ms,
            )
            for c in request.calls
        ]
        imported = await self._imports.add(request.tenant_id, request.recordings_id, calls)
        return story_pb2.ImportNarrationCallsResponse(imported=imported)
