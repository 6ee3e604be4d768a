import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from novel_engine.v1 import common_pb2 as _common_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SimulationStatus(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SIMULATION_STATUS_UNSPECIFIED: _ClassVar[SimulationStatus]
    SIMULATION_STATUS_QUEUED: _ClassVar[SimulationStatus]
    SIMULATION_STATUS_RUNNING: _ClassVar[SimulationStatus]
    SIMULATION_STATUS_COMPLETED: _ClassVar[SimulationStatus]
    SIMULATION_STATUS_FAILED: _ClassVar[SimulationStatus]
    SIMULATION_STATUS_CANCELLED: _ClassVar[SimulationStatus]
SIMULATION_STATUS_UNSPECIFIED: SimulationStatus
SIMULATION_STATUS_QUEUED: SimulationStatus
SIMULATION_STATUS_RUNNING: SimulationStatus
SIMULATION_STATUS_COMPLETED: SimulationStatus
SIMULATION_STATUS_FAILED: SimulationStatus
SIMULATION_STATUS_CANCELLED: SimulationStatus

class Simulation(_message.Message):
    __slots__ = ("id", "status", "character_ids", "turns_total", "turns_done", "seed", "setting", "scenario", "campaign_id", "narrative_style", "story_id", "error", "created_at", "updated_at", "world_id", "llm", "parent_id", "fork_turn", "interventions", "root_id")
    ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CHARACTER_IDS_FIELD_NUMBER: _ClassVar[int]
    TURNS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    TURNS_DONE_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    SETTING_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    NARRATIVE_STYLE_FIELD_NUMBER: _ClassVar[int]
    STORY_ID_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    WORLD_ID_FIELD_NUMBER: _ClassVar[int]
    LLM_FIELD_NUMBER: _ClassVar[int]
    PARENT_ID_FIELD_NUMBER: _ClassVar[int]
    FORK_TURN_FIELD_NUMBER: _ClassVar[int]
    INTERVENTIONS_FIELD_NUMBER: _ClassVar[int]
    ROOT_ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    status: SimulationStatus
    character_ids: _containers.RepeatedScalarFieldContainer[str]
    turns_total: int
    turns_done: int
    seed: int
    setting: str
    scenario: str
    campaign_id: str
    narrative_style: str
    story_id: str
    error: str
    created_at: _timestamp_pb2.Timestamp
    updated_at: _timestamp_pb2.Timestamp
    world_id: str
    llm: LlmUsage
    parent_id: str
    fork_turn: int
    interventions: _containers.RepeatedCompositeFieldContainer[Intervention]
    root_id: str
    def __init__(self, id: _Optional[str] = ..., status: _Optional[_Union[SimulationStatus, str]] = ..., character_ids: _Optional[_Iterable[str]] = ..., turns_total: _Optional[int] = ..., turns_done: _Optional[int] = ..., seed: _Optional[int] = ..., setting: _Optional[str] = ..., scenario: _Optional[str] = ..., campaign_id: _Optional[str] = ..., narrative_style: _Optional[str] = ..., story_id: _Optional[str] = ..., error: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., updated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., world_id: _Optional[str] = ..., llm: _Optional[_Union[LlmUsage, _Mapping]] = ..., parent_id: _Optional[str] = ..., fork_turn: _Optional[int] = ..., interventions: _Optional[_Iterable[_Union[Intervention, _Mapping]]] = ..., root_id: _Optional[str] = ...) -> None: ...

class Intervention(_message.Message):
    __slots__ = ("turn", "kind", "character_id", "text", "location", "sheet_json")
    TURN_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CHARACTER_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    SHEET_JSON_FIELD_NUMBER: _ClassVar[int]
    turn: int
    kind: str
    character_id: str
    text: str
    location: str
    sheet_json: str
    def __init__(self, turn: _Optional[int] = ..., kind: _Optional[str] = ..., character_id: _Optional[str] = ..., text: _Optional[str] = ..., location: _Optional[str] = ..., sheet_json: _Optional[str] = ...) -> None: ...

class ForkSimulationRequest(_message.Message):
    __slots__ = ("tenant_id", "id", "turn", "seed", "interventions")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    TURN_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    INTERVENTIONS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    id: str
    turn: int
    seed: int
    interventions: _containers.RepeatedCompositeFieldContainer[Intervention]
    def __init__(self, tenant_id: _Optional[str] = ..., id: _Optional[str] = ..., turn: _Optional[int] = ..., seed: _Optional[int] = ..., interventions: _Optional[_Iterable[_Union[Intervention, _Mapping]]] = ...) -> None: ...

class AddInterventionRequest(_message.Message):
    __slots__ = ("tenant_id", "id", "intervention")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    INTERVENTION_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    id: str
    intervention: Intervention
    def __init__(self, tenant_id: _Optional[str] = ..., id: _Optional[str] = ..., intervention: _Optional[_Union[Intervention, _Mapping]] = ...) -> None: ...

class ListBranchesRequest(_message.Message):
    __slots__ = ("tenant_id", "id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    id: str
    def __init__(self, tenant_id: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...

class ListBranchesResponse(_message.Message):
    __slots__ = ("root_id", "simulations")
    ROOT_ID_FIELD_NUMBER: _ClassVar[int]
    SIMULATIONS_FIELD_NUMBER: _ClassVar[int]
    root_id: str
    simulations: _containers.RepeatedCompositeFieldContainer[Simulation]
    def __init__(self, root_id: _Optional[str] = ..., simulations: _Optional[_Iterable[_Union[Simulation, _Mapping]]] = ...) -> None: ...

class GetTurnsRequest(_message.Message):
    __slots__ = ("tenant_id", "id", "from_turn", "to_turn")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    FROM_TURN_FIELD_NUMBER: _ClassVar[int]
    TO_TURN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    id: str
    from_turn: int
    to_turn: int
    def __init__(self, tenant_id: _Optional[str] = ..., id: _Optional[str] = ..., from_turn: _Optional[int] = ..., to_turn: _Optional[int] = ...) -> None: ...

class GetTurnsResponse(_message.Message):
    __slots__ = ("turns",)
    TURNS_FIELD_NUMBER: _ClassVar[int]
    turns: _containers.RepeatedCompositeFieldContainer[Turn]
    def __init__(self, turns: _Optional[_Iterable[_Union[Turn, _Mapping]]] = ...) -> None: ...

class GetKnowledgeRequest(_message.Message):
    __slots__ = ("tenant_id", "id", "character_id", "turn")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    CHARACTER_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    id: str
    character_id: str
    turn: int
    def __init__(self, tenant_id: _Optional[str] = ..., id: _Optional[str] = ..., character_id: _Optional[str] = ..., turn: _Optional[int] = ...) -> None: ...

class KnowledgeSource(_message.Message):
    __slots__ = ("event_id", "how", "by_id", "by_name")
    EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    HOW_FIELD_NUMBER: _ClassVar[int]
    BY_ID_FIELD_NUMBER: _ClassVar[int]
    BY_NAME_FIELD_NUMBER: _ClassVar[int]
    event_id: str
    how: str
    by_id: str
    by_name: str
    def __init__(self, event_id: _Optional[str] = ..., how: _Optional[str] = ..., by_id: _Optional[str] = ..., by_name: _Optional[str] = ...) -> None: ...

class KnownItem(_message.Message):
    __slots__ = ("text", "sources")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    SOURCES_FIELD_NUMBER: _ClassVar[int]
    text: str
    sources: _containers.RepeatedCompositeFieldContainer[KnowledgeSource]
    def __init__(self, text: _Optional[str] = ..., sources: _Optional[_Iterable[_Union[KnowledgeSource, _Mapping]]] = ...) -> None: ...

class Knowledge(_message.Message):
    __slots__ = ("simulation_id", "character_id", "turn", "facts", "beliefs", "memories")
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    CHARACTER_ID_FIELD_NUMBER: _ClassVar[int]
    TURN_FIELD_NUMBER: _ClassVar[int]
    FACTS_FIELD_NUMBER: _ClassVar[int]
    BELIEFS_FIELD_NUMBER: _ClassVar[int]
    MEMORIES_FIELD_NUMBER: _ClassVar[int]
    simulation_id: str
    character_id: str
    turn: int
    facts: _containers.RepeatedCompositeFieldContainer[KnownItem]
    beliefs: _containers.RepeatedCompositeFieldContainer[KnownItem]
    memories: _containers.RepeatedCompositeFieldContainer[KnownItem]
    def __init__(self, simulation_id: _Optional[str] = ..., character_id: _Optional[str] = ..., turn: _Optional[int] = ..., facts: _Optional[_Iterable[_Union[KnownItem, _Mapping]]] = ..., beliefs: _Optional[_Iterable[_Union[KnownItem, _Mapping]]] = ..., memories: _Optional[_Iterable[_Union[KnownItem, _Mapping]]] = ...) -> None: ...

class LlmBackend(_message.Message):
    __slots__ = ("base_url", "model", "api_key", "temperature", "max_tokens", "token_budget")
    BASE_URL_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    API_KEY_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    MAX_TOKENS_FIELD_NUMBER: _ClassVar[int]
    TOKEN_BUDGET_FIELD_NUMBER: _ClassVar[int]
    base_url: str
    model: str
    api_key: str
    temperature: float
    max_tokens: int
    token_budget: int
    def __init__(self, base_url: _Optional[str] = ..., model: _Optional[str] = ..., api_key: _Optional[str] = ..., temperature: _Optional[float] = ..., max_tokens: _Optional[int] = ..., token_budget: _Optional[int] = ...) -> None: ...

class LlmOptions(_message.Message):
    __slots__ = ("decisions", "narration", "backend", "replay_of")
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    NARRATION_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    REPLAY_OF_FIELD_NUMBER: _ClassVar[int]
    decisions: bool
    narration: bool
    backend: LlmBackend
    replay_of: str
    def __init__(self, decisions: _Optional[bool] = ..., narration: _Optional[bool] = ..., backend: _Optional[_Union[LlmBackend, _Mapping]] = ..., replay_of: _Optional[str] = ...) -> None: ...

class LlmUsage(_message.Message):
    __slots__ = ("decisions", "narration", "model", "base_url", "token_budget", "estimated_tokens", "estimated_seconds", "calls", "input_tokens", "output_tokens", "fallbacks", "fallback_reasons", "budget_exhausted", "replay_of", "replayed_calls", "decision_usage", "narration_usage", "temperature", "max_tokens")
    class FallbackReasonsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    NARRATION_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    BASE_URL_FIELD_NUMBER: _ClassVar[int]
    TOKEN_BUDGET_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_TOKENS_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_SECONDS_FIELD_NUMBER: _ClassVar[int]
    CALLS_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    FALLBACKS_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_REASONS_FIELD_NUMBER: _ClassVar[int]
    BUDGET_EXHAUSTED_FIELD_NUMBER: _ClassVar[int]
    REPLAY_OF_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_CALLS_FIELD_NUMBER: _ClassVar[int]
    DECISION_USAGE_FIELD_NUMBER: _ClassVar[int]
    NARRATION_USAGE_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    MAX_TOKENS_FIELD_NUMBER: _ClassVar[int]
    decisions: bool
    narration: bool
    model: str
    base_url: str
    token_budget: int
    estimated_tokens: int
    estimated_seconds: float
    calls: int
    input_tokens: int
    output_tokens: int
    fallbacks: int
    fallback_reasons: _containers.ScalarMap[str, int]
    budget_exhausted: bool
    replay_of: str
    replayed_calls: int
    decision_usage: LlmUsagePart
    narration_usage: LlmUsagePart
    temperature: float
    max_tokens: int
    def __init__(self, decisions: _Optional[bool] = ..., narration: _Optional[bool] = ..., model: _Optional[str] = ..., base_url: _Optional[str] = ..., token_budget: _Optional[int] = ..., estimated_tokens: _Optional[int] = ..., estimated_seconds: _Optional[float] = ..., calls: _Optional[int] = ..., input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., fallbacks: _Optional[int] = ..., fallback_reasons: _Optional[_Mapping[str, int]] = ..., budget_exhausted: _Optional[bool] = ..., replay_of: _Optional[str] = ..., replayed_calls: _Optional[int] = ..., decision_usage: _Optional[_Union[LlmUsagePart, _Mapping]] = ..., narration_usage: _Optional[_Union[LlmUsagePart, _Mapping]] = ..., temperature: _Optional[float] = ..., max_tokens: _Optional[int] = ...) -> None: ...

class LlmUsagePart(_message.Message):
    __slots__ = ("token_budget", "calls", "input_tokens", "output_tokens", "fallbacks", "fallback_reasons", "budget_exhausted", "replayed_calls")
    class FallbackReasonsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    TOKEN_BUDGET_FIELD_NUMBER: _ClassVar[int]
    CALLS_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    FALLBACKS_FIELD_NUMBER: _ClassVar[int]
    FALLBACK_REASONS_FIELD_NUMBER: _ClassVar[int]
    BUDGET_EXHAUSTED_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_CALLS_FIELD_NUMBER: _ClassVar[int]
    token_budget: int
    calls: int
    input_tokens: int
    output_tokens: int
    fallbacks: int
    fallback_reasons: _containers.ScalarMap[str, int]
    budget_exhausted: bool
    replayed_calls: int
    def __init__(self, token_budget: _Optional[int] = ..., calls: _Optional[int] = ..., input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., fallbacks: _Optional[int] = ..., fallback_reasons: _Optional[_Mapping[str, int]] = ..., budget_exhausted: _Optional[bool] = ..., replayed_calls: _Optional[int] = ...) -> None: ...

class LlmSettings(_message.Message):
    __slots__ = ("tenant_id", "backend", "api_key_set", "input_tokens", "output_tokens")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    API_KEY_SET_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    backend: LlmBackend
    api_key_set: bool
    input_tokens: int
    output_tokens: int
    def __init__(self, tenant_id: _Optional[str] = ..., backend: _Optional[_Union[LlmBackend, _Mapping]] = ..., api_key_set: _Optional[bool] = ..., input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ...) -> None: ...

class PutLlmSettingsRequest(_message.Message):
    __slots__ = ("tenant_id", "backend")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    BACKEND_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    backend: LlmBackend
    def __init__(self, tenant_id: _Optional[str] = ..., backend: _Optional[_Union[LlmBackend, _Mapping]] = ...) -> None: ...

class GetLlmSettingsRequest(_message.Message):
    __slots__ = ("tenant_id",)
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    def __init__(self, tenant_id: _Optional[str] = ...) -> None: ...

class Campaign(_message.Message):
    __slots__ = ("id", "name", "description", "participants", "setting", "status", "created_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANTS_FIELD_NUMBER: _ClassVar[int]
    SETTING_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    description: str
    participants: _containers.RepeatedScalarFieldContainer[str]
    setting: str
    status: str
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., participants: _Optional[_Iterable[str]] = ..., setting: _Optional[str] = ..., status: _Optional[str] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class StartSimulationRequest(_message.Message):
    __slots__ = ("tenant_id", "character_ids", "turns", "seed", "setting", "scenario", "campaign_id", "narrative_style", "world_id", "llm", "interventions", "recorded")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    CHARACTER_IDS_FIELD_NUMBER: _ClassVar[int]
    TURNS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    SETTING_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    CAMPAIGN_ID_FIELD_NUMBER: _ClassVar[int]
    NARRATIVE_STYLE_FIELD_NUMBER: _ClassVar[int]
    WORLD_ID_FIELD_NUMBER: _ClassVar[int]
    LLM_FIELD_NUMBER: _ClassVar[int]
    INTERVENTIONS_FIELD_NUMBER: _ClassVar[int]
    RECORDED_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    character_ids: _containers.RepeatedScalarFieldContainer[str]
    turns: int
    seed: int
    setting: str
    scenario: str
    campaign_id: str
    narrative_style: str
    world_id: str
    llm: LlmOptions
    interventions: _containers.RepeatedCompositeFieldContainer[Intervention]
    recorded: RecordedRun
    def __init__(self, tenant_id: _Optional[str] = ..., character_ids: _Optional[_Iterable[str]] = ..., turns: _Optional[int] = ..., seed: _Optional[int] = ..., setting: _Optional[str] = ..., scenario: _Optional[str] = ..., campaign_id: _Optional[str] = ..., narrative_style: _Optional[str] = ..., world_id: _Optional[str] = ..., llm: _Optional[_Union[LlmOptions, _Mapping]] = ..., interventions: _Optional[_Iterable[_Union[Intervention, _Mapping]]] = ..., recorded: _Optional[_Union[RecordedRun, _Mapping]] = ...) -> None: ...

class RecordedRun(_message.Message):
    __slots__ = ("recordings_id", "decisions", "narration", "base_url", "model", "temperature", "max_tokens", "token_budget", "calls")
    RECORDINGS_ID_FIELD_NUMBER: _ClassVar[int]
    DECISIONS_FIELD_NUMBER: _ClassVar[int]
    NARRATION_FIELD_NUMBER: _ClassVar[int]
    BASE_URL_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    MAX_TOKENS_FIELD_NUMBER: _ClassVar[int]
    TOKEN_BUDGET_FIELD_NUMBER: _ClassVar[int]
    CALLS_FIELD_NUMBER: _ClassVar[int]
    recordings_id: str
    decisions: bool
    narration: bool
    base_url: str
    model: str
    temperature: float
    max_tokens: int
    token_budget: int
    calls: _containers.RepeatedCompositeFieldContainer[RecordedCall]
    def __init__(self, recordings_id: _Optional[str] = ..., decisions: _Optional[bool] = ..., narration: _Optional[bool] = ..., base_url: _Optional[str] = ..., model: _Optional[str] = ..., temperature: _Optional[float] = ..., max_tokens: _Optional[int] = ..., token_budget: _Optional[int] = ..., calls: _Optional[_Iterable[_Union[RecordedCall, _Mapping]]] = ...) -> None: ...

class GetSimulationRequest(_message.Message):
    __slots__ = ("tenant_id", "id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    id: str
    def __init__(self, tenant_id: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...

class ListSimulationsRequest(_message.Message):
    __slots__ = ("tenant_id", "page")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page: _common_pb2.PageRequest
    def __init__(self, tenant_id: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListSimulationsResponse(_message.Message):
    __slots__ = ("simulations", "next_page_token")
    SIMULATIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    simulations: _containers.RepeatedCompositeFieldContainer[Simulation]
    next_page_token: str
    def __init__(self, simulations: _Optional[_Iterable[_Union[Simulation, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CancelSimulationRequest(_message.Message):
    __slots__ = ("tenant_id", "id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    id: str
    def __init__(self, tenant_id: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...

class CreateCampaignRequest(_message.Message):
    __slots__ = ("tenant_id", "name", "description", "participants", "setting")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANTS_FIELD_NUMBER: _ClassVar[int]
    SETTING_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    name: str
    description: str
    participants: _containers.RepeatedScalarFieldContainer[str]
    setting: str
    def __init__(self, tenant_id: _Optional[str] = ..., name: _Optional[str] = ..., description: _Optional[str] = ..., participants: _Optional[_Iterable[str]] = ..., setting: _Optional[str] = ...) -> None: ...

class ListCampaignsRequest(_message.Message):
    __slots__ = ("tenant_id", "page")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    page: _common_pb2.PageRequest
    def __init__(self, tenant_id: _Optional[str] = ..., page: _Optional[_Union[_common_pb2.PageRequest, _Mapping]] = ...) -> None: ...

class ListCampaignsResponse(_message.Message):
    __slots__ = ("campaigns", "next_page_token")
    CAMPAIGNS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    campaigns: _containers.RepeatedCompositeFieldContainer[Campaign]
    next_page_token: str
    def __init__(self, campaigns: _Optional[_Iterable[_Union[Campaign, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class WorldPlace(_message.Message):
    __slots__ = ("name", "details")
    NAME_FIELD_NUMBER: _ClassVar[int]
    DETAILS_FIELD_NUMBER: _ClassVar[int]
    name: str
    details: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., details: _Optional[_Iterable[str]] = ...) -> None: ...

class WorldPath(_message.Message):
    __slots__ = ("start", "end")
    START_FIELD_NUMBER: _ClassVar[int]
    END_FIELD_NUMBER: _ClassVar[int]
    start: str
    end: str
    def __init__(self, start: _Optional[str] = ..., end: _Optional[str] = ...) -> None: ...

class WorldItem(_message.Message):
    __slots__ = ("name", "broken", "holds_clue", "at", "fixed")
    NAME_FIELD_NUMBER: _ClassVar[int]
    BROKEN_FIELD_NUMBER: _ClassVar[int]
    HOLDS_CLUE_FIELD_NUMBER: _ClassVar[int]
    AT_FIELD_NUMBER: _ClassVar[int]
    FIXED_FIELD_NUMBER: _ClassVar[int]
    name: str
    broken: bool
    holds_clue: bool
    at: str
    fixed: bool
    def __init__(self, name: _Optional[str] = ..., broken: _Optional[bool] = ..., holds_clue: _Optional[bool] = ..., at: _Optional[str] = ..., fixed: _Optional[bool] = ...) -> None: ...

class WorldClue(_message.Message):
    __slots__ = ("name", "tags")
    NAME_FIELD_NUMBER: _ClassVar[int]
    TAGS_FIELD_NUMBER: _ClassVar[int]
    name: str
    tags: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, name: _Optional[str] = ..., tags: _Optional[_Iterable[str]] = ...) -> None: ...

class WorldHazard(_message.Message):
    __slots__ = ("kind", "text", "cause")
    KIND_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    CAUSE_FIELD_NUMBER: _ClassVar[int]
    kind: str
    text: str
    cause: str
    def __init__(self, kind: _Optional[str] = ..., text: _Optional[str] = ..., cause: _Optional[str] = ...) -> None: ...

class WorldObjective(_message.Message):
    __slots__ = ("goal", "place", "obstacle", "consequence", "achieved")
    GOAL_FIELD_NUMBER: _ClassVar[int]
    PLACE_FIELD_NUMBER: _ClassVar[int]
    OBSTACLE_FIELD_NUMBER: _ClassVar[int]
    CONSEQUENCE_FIELD_NUMBER: _ClassVar[int]
    ACHIEVED_FIELD_NUMBER: _ClassVar[int]
    goal: str
    place: str
    obstacle: str
    consequence: str
    achieved: str
    def __init__(self, goal: _Optional[str] = ..., place: _Optional[str] = ..., obstacle: _Optional[str] = ..., consequence: _Optional[str] = ..., achieved: _Optional[str] = ...) -> None: ...

class World(_message.Message):
    __slots__ = ("id", "name", "kind", "places", "paths", "items", "clues", "hazards", "factions", "caches", "objective", "builtin", "created_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    PLACES_FIELD_NUMBER: _ClassVar[int]
    PATHS_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    CLUES_FIELD_NUMBER: _ClassVar[int]
    HAZARDS_FIELD_NUMBER: _ClassVar[int]
    FACTIONS_FIELD_NUMBER: _ClassVar[int]
    CACHES_FIELD_NUMBER: _ClassVar[int]
    OBJECTIVE_FIELD_NUMBER: _ClassVar[int]
    BUILTIN_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    kind: str
    places: _containers.RepeatedCompositeFieldContainer[WorldPlace]
    paths: _containers.RepeatedCompositeFieldContainer[WorldPath]
    items: _containers.RepeatedCompositeFieldContainer[WorldItem]
    clues: _containers.RepeatedCompositeFieldContainer[WorldClue]
    hazards: _containers.RepeatedCompositeFieldContainer[WorldHazard]
    factions: _containers.RepeatedScalarFieldContainer[str]
    caches: _containers.RepeatedScalarFieldContainer[str]
    objective: WorldObjective
    builtin: bool
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., kind: _Optional[str] = ..., places: _Optional[_Iterable[_Union[WorldPlace, _Mapping]]] = ..., paths: _Optional[_Iterable[_Union[WorldPath, _Mapping]]] = ..., items: _Optional[_Iterable[_Union[WorldItem, _Mapping]]] = ..., clues: _Optional[_Iterable[_Union[WorldClue, _Mapping]]] = ..., hazards: _Optional[_Iterable[_Union[WorldHazard, _Mapping]]] = ..., factions: _Optional[_Iterable[str]] = ..., caches: _Optional[_Iterable[str]] = ..., objective: _Optional[_Union[WorldObjective, _Mapping]] = ..., builtin: _Optional[bool] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class CreateWorldRequest(_message.Message):
    __slots__ = ("tenant_id", "world")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    WORLD_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    world: World
    def __init__(self, tenant_id: _Optional[str] = ..., world: _Optional[_Union[World, _Mapping]] = ...) -> None: ...

class GetWorldRequest(_message.Message):
    __slots__ = ("tenant_id", "id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    id: str
    def __init__(self, tenant_id: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...

class ListWorldsRequest(_message.Message):
    __slots__ = ("tenant_id",)
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    def __init__(self, tenant_id: _Optional[str] = ...) -> None: ...

class ListWorldsResponse(_message.Message):
    __slots__ = ("worlds",)
    WORLDS_FIELD_NUMBER: _ClassVar[int]
    worlds: _containers.RepeatedCompositeFieldContainer[World]
    def __init__(self, worlds: _Optional[_Iterable[_Union[World, _Mapping]]] = ...) -> None: ...

class DeleteWorldRequest(_message.Message):
    __slots__ = ("tenant_id", "id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    id: str
    def __init__(self, tenant_id: _Optional[str] = ..., id: _Optional[str] = ...) -> None: ...

class DeleteWorldResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class Effect(_message.Message):
    __slots__ = ("kind", "subject_id", "detail", "value")
    KIND_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_ID_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    VALUE_FIELD_NUMBER: _ClassVar[int]
    kind: str
    subject_id: str
    detail: str
    value: float
    def __init__(self, kind: _Optional[str] = ..., subject_id: _Optional[str] = ..., detail: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...

class TurnEvent(_message.Message):
    __slots__ = ("turn", "sequence", "actor_id", "actor_name", "action", "target_id", "target_name", "location", "motive", "outcome", "roll", "difficulty", "effects")
    TURN_FIELD_NUMBER: _ClassVar[int]
    SEQUENCE_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_NAME_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    TARGET_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_NAME_FIELD_NUMBER: _ClassVar[int]
    LOCATION_FIELD_NUMBER: _ClassVar[int]
    MOTIVE_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    ROLL_FIELD_NUMBER: _ClassVar[int]
    DIFFICULTY_FIELD_NUMBER: _ClassVar[int]
    EFFECTS_FIELD_NUMBER: _ClassVar[int]
    turn: int
    sequence: int
    actor_id: str
    actor_name: str
    action: str
    target_id: str
    target_name: str
    location: str
    motive: str
    outcome: str
    roll: int
    difficulty: int
    effects: _containers.RepeatedCompositeFieldContainer[Effect]
    def __init__(self, turn: _Optional[int] = ..., sequence: _Optional[int] = ..., actor_id: _Optional[str] = ..., actor_name: _Optional[str] = ..., action: _Optional[str] = ..., target_id: _Optional[str] = ..., target_name: _Optional[str] = ..., location: _Optional[str] = ..., motive: _Optional[str] = ..., outcome: _Optional[str] = ..., roll: _Optional[int] = ..., difficulty: _Optional[int] = ..., effects: _Optional[_Iterable[_Union[Effect, _Mapping]]] = ...) -> None: ...

class Participant(_message.Message):
    __slots__ = ("id", "name", "role", "faction")
    ID_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    FACTION_FIELD_NUMBER: _ClassVar[int]
    id: str
    name: str
    role: str
    faction: str
    def __init__(self, id: _Optional[str] = ..., name: _Optional[str] = ..., role: _Optional[str] = ..., faction: _Optional[str] = ...) -> None: ...

class StoryContext(_message.Message):
    __slots__ = ("simulation_id", "participants", "setting", "scenario", "narrative_style", "turns_total", "narration", "fork_of", "fork_turn")
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANTS_FIELD_NUMBER: _ClassVar[int]
    SETTING_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_FIELD_NUMBER: _ClassVar[int]
    NARRATIVE_STYLE_FIELD_NUMBER: _ClassVar[int]
    TURNS_TOTAL_FIELD_NUMBER: _ClassVar[int]
    NARRATION_FIELD_NUMBER: _ClassVar[int]
    FORK_OF_FIELD_NUMBER: _ClassVar[int]
    FORK_TURN_FIELD_NUMBER: _ClassVar[int]
    simulation_id: str
    participants: _containers.RepeatedCompositeFieldContainer[Participant]
    setting: str
    scenario: str
    narrative_style: str
    turns_total: int
    narration: LlmNarration
    fork_of: str
    fork_turn: int
    def __init__(self, simulation_id: _Optional[str] = ..., participants: _Optional[_Iterable[_Union[Participant, _Mapping]]] = ..., setting: _Optional[str] = ..., scenario: _Optional[str] = ..., narrative_style: _Optional[str] = ..., turns_total: _Optional[int] = ..., narration: _Optional[_Union[LlmNarration, _Mapping]] = ..., fork_of: _Optional[str] = ..., fork_turn: _Optional[int] = ...) -> None: ...

class LlmNarration(_message.Message):
    __slots__ = ("base_url", "model", "temperature", "max_tokens", "token_budget", "server_key", "sealed_api_key", "replay_of")
    BASE_URL_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    MAX_TOKENS_FIELD_NUMBER: _ClassVar[int]
    TOKEN_BUDGET_FIELD_NUMBER: _ClassVar[int]
    SERVER_KEY_FIELD_NUMBER: _ClassVar[int]
    SEALED_API_KEY_FIELD_NUMBER: _ClassVar[int]
    REPLAY_OF_FIELD_NUMBER: _ClassVar[int]
    base_url: str
    model: str
    temperature: float
    max_tokens: int
    token_budget: int
    server_key: bool
    sealed_api_key: str
    replay_of: str
    def __init__(self, base_url: _Optional[str] = ..., model: _Optional[str] = ..., temperature: _Optional[float] = ..., max_tokens: _Optional[int] = ..., token_budget: _Optional[int] = ..., server_key: _Optional[bool] = ..., sealed_api_key: _Optional[str] = ..., replay_of: _Optional[str] = ...) -> None: ...

class SimulationRequested(_message.Message):
    __slots__ = ("simulation",)
    SIMULATION_FIELD_NUMBER: _ClassVar[int]
    simulation: Simulation
    def __init__(self, simulation: _Optional[_Union[Simulation, _Mapping]] = ...) -> None: ...

class Turn(_message.Message):
    __slots__ = ("number", "events")
    NUMBER_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    number: int
    events: _containers.RepeatedCompositeFieldContainer[TurnEvent]
    def __init__(self, number: _Optional[int] = ..., events: _Optional[_Iterable[_Union[TurnEvent, _Mapping]]] = ...) -> None: ...

class TurnsCompleted(_message.Message):
    __slots__ = ("context", "turns", "completed", "turns_executed", "shared_turns")
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    TURNS_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_FIELD_NUMBER: _ClassVar[int]
    TURNS_EXECUTED_FIELD_NUMBER: _ClassVar[int]
    SHARED_TURNS_FIELD_NUMBER: _ClassVar[int]
    context: StoryContext
    turns: _containers.RepeatedCompositeFieldContainer[Turn]
    completed: bool
    turns_executed: int
    shared_turns: _containers.RepeatedCompositeFieldContainer[Turn]
    def __init__(self, context: _Optional[_Union[StoryContext, _Mapping]] = ..., turns: _Optional[_Iterable[_Union[Turn, _Mapping]]] = ..., completed: _Optional[bool] = ..., turns_executed: _Optional[int] = ..., shared_turns: _Optional[_Iterable[_Union[Turn, _Mapping]]] = ...) -> None: ...

class SimulationFailed(_message.Message):
    __slots__ = ("simulation_id", "reason")
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    simulation_id: str
    reason: str
    def __init__(self, simulation_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class SimulationCancelled(_message.Message):
    __slots__ = ("simulation_id", "turns_done")
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    TURNS_DONE_FIELD_NUMBER: _ClassVar[int]
    simulation_id: str
    turns_done: int
    def __init__(self, simulation_id: _Optional[str] = ..., turns_done: _Optional[int] = ...) -> None: ...

class RecordedCall(_message.Message):
    __slots__ = ("purpose", "turn", "subject", "attempt", "request_digest", "outcome", "response", "input_tokens", "output_tokens", "latency_ms")
    PURPOSE_FIELD_NUMBER: _ClassVar[int]
    TURN_FIELD_NUMBER: _ClassVar[int]
    SUBJECT_FIELD_NUMBER: _ClassVar[int]
    ATTEMPT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_DIGEST_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_FIELD_NUMBER: _ClassVar[int]
    INPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    OUTPUT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    LATENCY_MS_FIELD_NUMBER: _ClassVar[int]
    purpose: str
    turn: int
    subject: str
    attempt: int
    request_digest: str
    outcome: str
    response: str
    input_tokens: int
    output_tokens: int
    latency_ms: int
    def __init__(self, purpose: _Optional[str] = ..., turn: _Optional[int] = ..., subject: _Optional[str] = ..., attempt: _Optional[int] = ..., request_digest: _Optional[str] = ..., outcome: _Optional[str] = ..., response: _Optional[str] = ..., input_tokens: _Optional[int] = ..., output_tokens: _Optional[int] = ..., latency_ms: _Optional[int] = ...) -> None: ...

class ListRecordedCallsRequest(_message.Message):
    __slots__ = ("tenant_id", "simulation_id", "recordings_id")
    TENANT_ID_FIELD_NUMBER: _ClassVar[int]
    SIMULATION_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDINGS_ID_FIELD_NUMBER: _ClassVar[int]
    tenant_id: str
    simulation_id: str
    recordings_id: str
    def __init__(self, tenant_id: _Optional[str] = ..., simulation_id: _Optional[str] = ..., recordings_id: _Optional[str] = ...) -> None: ...

class ListRecordedCallsResponse(_message.Message):
    __slots__ = ("calls",)
    CALLS_FIELD_NUMBER: _ClassVar[int]
    calls: _containers.RepeatedCompositeFieldContainer[RecordedCall]
    def __init__(self, calls: _Optional[_Iterable[_Union[RecordedCall, _Mapping]]] = ...) -> None: ...
