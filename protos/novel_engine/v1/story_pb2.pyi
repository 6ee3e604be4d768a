import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from novel_engine.v1 import common_pb2 as _common_pb2
from novel_engine.v1 import simulation_pb2 as _simulation_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Paragraph(_message.Message):
    __slots__ = ("event_ids",)
    EVENT_IDS_FIELD_NUMBER: _ClassVar[int]
    event_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, event_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class Chapter(_message.Message):
    __slots__ = ("number", "title", "text", "paragraphs")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    PARAGRAPHS_FIELD_NUMBER: _ClassVar[int]
    number: int
    title: str
    text: str
    paragraphs: _containers.RepeatedCompositeFieldContainer[Paragraph]
    def __init__(self, number: _Optional[int] = ..., title: _Optional[str] = ..., text: _Optional[str] = ..., paragraphs: _Optional[_Iterable[_Union[Paragraph, _Mapping]]] = ...) -> None: ...

class Story(_message.Message):
    __slots__ = ("id", "simulation_id", "title", "status", "narrative_style", "participants", "opening", "chapters", "closing", "turns_total", "created_at", "completed_at", "error", "fork_of", "fork_turn")
    ID_FIELD_NUMBER: _ClassVar[int]
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    NARRATIVE_STYLE_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANTS_FIELD_NUMBER: _ClassVar[int]
    OPENING_FIELD_NUMBER: _ClassVar[int]
    CHAPTERS_FIELD_NUMBER: _ClassVar[int]
    CLOSING_FIELD_NUMBER: _ClassVar[int]
    TURNS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    FORK_OF_FIELD_NUMBER: _ClassVar[int]
    FORK_TURN_FIELD_NUMBER: _ClassVar[int]
    id: str
    simulation_id: str
    title: str
    status: str
    narrative_style: str
    participants: _containers.RepeatedCompositeFieldContainer[_simulation_pb2.Participant]
    opening: str
    chapters: _containers.RepeatedCompositeFieldContainer[Chapter]
    closing: str
    turns_total: int
    created_at: _timestamp_pb2.Timestamp
    completed_at: _timestamp_pb2.Timestamp
    error: str
    fork_of: str
    fork_turn: int
    def __init__(self, id: _Optional[str] = ..., simulation_id: _Optional[str] = ..., title: _Optional[str] = ..., status: _Optional[str] = ..., narrative_style: _Optional[str] = ..., participants: _Optional[_Iterable[_Union[_simulation_pb2.Participant, _Mapping]]] = ..., opening: _Optional[str] = ..., chapters: _Optional[_Iterable[_Union[Chapter, _Mapping]]] = ..., closing: _Optional[str] = ..., turns_total: _Optional[int] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., error: _Optional[str] = ..., fork_of: _Optional[str] = ..., fork_turn: _Optional[int] = ...) -> None: ...

class ImportNarrationCallsRequest(_message.Message):
    __slots__ = ("tenant_id", "recordings_id", "calls")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDINGS_ID_FIELD_NUMBER: _ClassVar[int]
    CALLS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    recordings_id: str
    calls: _containers.RepeatedCompositeFieldContainer[_simulation_pb2.RecordedCall]
    def __init__(self, tenant_id: _Optional[str] = ..., recordings_id: _Optional[str] = ..., calls: _Optional[_Iterable[_Union[_simulation_pb2.RecordedCall, _Mapping]]] = ...) -> None: ...

class ImportNarrationCallsResponse(_message.Message):
    __slots__ = ("imported",)
    IMPORTED_FIELD_NUMBER: _ClassVar[int]
    imported: int
    def __init__(self, imported: _Optional[int] = ...) -> None: ...

class DiffStoriesRequest(_message.Message):
    __slots__ = ("tenant_id", "a", "b")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    A_FIELD_NUMBER: _ClassVar[int]
    B_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    a: str
    b: str
    def __init__(self, tenant_id: _Optional[str] = ..., a: _Optional[str] = ..., b: _Optional[str] = ...) -> None: ...

class StoryDiff(_message.Message):
    __slots__ = ("a", "b", "first_differing_turn", "chapters")
    A_FIELD_NUMBER: _ClassVar[int]
    B_FIELD_NUMBER: _ClassVar[int]
    FIRST_DIFFERING_TURN_FIELD_NUMBER: _ClassVar[int]
    CHAPTERS_FIELD_NUMBER: _ClassVar[int]
    a: Story
    b: Story
    first_differing_turn: int
    chapters: _containers.RepeatedCompositeFieldContainer[ChapterPair]
    def __init__(self, a: _Optional[_Union[Story, _Mapping]] = ..., b: _Optional[_Union[Story, _Mapping]] = ..., first_differing_turn: _Optional[int] = ..., chapters: _Optional[_Iterable[_Union[ChapterPair, _Mapping]]] = ...) -> None: ...

class ChapterPair(_message.Message):
    __slots__ = ("number", "a", "b")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    A_FIELD_NUMBER: _ClassVar[int]
    B_FIELD_NUMBER: _ClassVar[int]
    number: int
    a: Chapter
    b: Chapter
    def __init__(self, number: _Optional[int] = ..., a: _Optional[_Union[Chapter, _Mapping]] = ..., b: _Optional[_Union[Chapter, _Mapping]] = ...) -> None: ...

class GetStoryRequest(_message.Message):
    __slots__ = ("tenant_id", "id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    id: str
    def __init__(self, tenant_id: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...

class GetStoryBySimulationRequest(_message.Message):
    __slots__ = ("tenant_id", "simulation_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    simulation_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., simulation_id: _Optional[str] = ...) -> None: ...

class ListStoriesRequest(_message.Message):
    __slots__ = ("tenant_id", "page")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page: _common_pb2.PageRequest
    def __init__(self, tenant_id: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListStoriesResponse(_message.Message):
    __slots__ = ("stories", "next_page_token")
    STORIES_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    stories: _containers.RepeatedCompositeFieldContainer[Story]
    next_page_token: str
    def __init__(self, stories: _Optional[_Iterable[_Union[Story, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class ListStoryTurnsRequest(_message.Message):
    __slots__ = ("tenant_id", "story_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    STORY_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    story_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., story_id: _Optional[str] = ...) -> None: ...

class ListStoryTurnsResponse(_message.Message):
    __slots__ = ("turns",)
    TURNS_FIELD_NUMBER: _ClassVar[int]
    turns: _containers.RepeatedCompositeFieldContainer[_simulation_pb2.Turn]
    def __init__(self, turns: _Optional[_Iterable[_Union[_simulation_pb2.Turn, _Mapping]]] = ...) -> None: ...

class ChaptersWritten(_message.Message):
    __slots__ = ("story_id", "simulation_id", "chapters")
    STORY_ID_FIELD_NUMBER: _ClassVar[int]
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    CHAPTERS_FIELD_NUMBER: _ClassVar[int]
    story_id: str
    simulation_id: str
    chapters: _containers.RepeatedCompositeFieldContainer[Chapter]
    def __init__(self, story_id: _Optional[str] = ..., simulation_id: _Optional[str] = ..., chapters: _Optional[_Iterable[_Union[Chapter, _Mapping]]] = ...) -> None: ...

class StoryCompleted(_message.Message):
    __slots__ = ("story_id", "simulation_id", "story")
    STORY_ID_FIELD_NUMBER: _ClassVar[int]
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    STORY_FIELD_NUMBER: _ClassVar[int]
    story_id: str
    simulation_id: str
    story: Story
    def __init__(self, story_id: _Optional[str] = ..., simulation_id: _Optional[str] = ..., story: _Optional[_Union[Story, _Mapping]] = ...) -> None: ...

class NarrationUsed(_message.Message):
    __slots__ = ("simulation_id", "turn", "calls", "input_tokens", "output_tokens", "replayed_calls", "fallback", "budget_exhausted")
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_FIELD_NUMBER: _ClassVar[int]
    CALLS_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_CALLS_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_FIELD_NUMBER: _ClassVar[int]
    BUDGET_EXHAUSTED_FIELD_NUMBER: _ClassVar[int]
    simulation_id: str
    turn: int
    calls: int
    input_tokens: int
    output_tokens: int
    replayed_calls: int
    fallback: str
    budget_exhausted: bool
    def __init__(self, simulation_id: _Optional[str] = ..., turn: _Optional[int] = ..., calls: _Optional[int] = ..., input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., replayed_calls: _Optional[int] = ..., fallback: _Optional[str] = ..., budget_exhausted: _Optional[bool] = ...) -> None: ...
