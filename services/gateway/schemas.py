"""HTTP request and response bodies. Every input is bounded."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from novel_platform.characters import (
    DEFAULT_STAT,
    MAX_BACKSTORY,
    MAX_EQUIPMENT,
    MAX_GOALS,
    MAX_ID,
    MAX_ITEM,
    MAX_NAME,
    MAX_RELATIONSHIPS,
    MAX_SHORT,
    MAX_TRAIT_NAME,
    MAX_TRAITS,
    SLUG_PATTERN,
    STAT_MAX,
    STAT_MIN,
)
from novel_platform.llm.recorded import DIGEST, OUTCOME

# Free text: anything but NUL, which PostgreSQL cannot store in text (found by fuzzing:
# it used to surface as a 502).
TEXT_PATTERN = r"^[^\x00]*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=MAX_ID)]
TraitName = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_TRAIT_NAME, pattern=TEXT_PATTERN)
]
Unit = Annotated[float, Field(ge=0.0, le=1.0)]
Feeling = Annotated[float, Field(ge=-1.0, le=1.0)]
Item = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ITEM, pattern=TEXT_PATTERN)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME, pattern=TEXT_PATTERN)]
Label = Annotated[str, StringConstraints(max_length=MAX_SHORT, pattern=TEXT_PATTERN)]
Backstory = Annotated[str, StringConstraints(max_length=MAX_BACKSTORY, pattern=TEXT_PATTERN)]
# Each character takes part once (the schema says so; the service checks it).
UNIQUE: dict[str, Any] = {"uniqueItems": True}
# A relationship map's keys are character ids (the schema says so, not only the model).
SLUG_KEYS: dict[str, Any] = {"propertyNames": {"pattern": SLUG_PATTERN, "maxLength": MAX_ID}}
Stat = Annotated[int, Field(ge=STAT_MIN, le=STAT_MAX, strict=True)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Stats(Strict):
    strength: Stat = DEFAULT_STAT
    dexterity: Stat = DEFAULT_STAT
    intelligence: Stat = DEFAULT_STAT
    willpower: Stat = DEFAULT_STAT
    perception: Stat = DEFAULT_STAT
    charisma: Stat = DEFAULT_STAT


class CharacterFields(Strict):
    faction: Label = ""
    role: Label = ""
    traits: dict[TraitName, Unit] = Field(default_factory=dict, max_length=MAX_TRAITS)
    stats: Stats = Field(default_factory=Stats)
    goals: list[Item] = Field(default_factory=list, max_length=MAX_GOALS)
    relationships: dict[Slug, Feeling] = Field(
        default_factory=dict, max_length=MAX_RELATIONSHIPS, json_schema_extra=SLUG_KEYS
    )
    equipment: list[Item] = Field(default_factory=list, max_length=MAX_EQUIPMENT)
    backstory: Backstory = ""
    notes: Backstory = Field(default="", description="what an import kept with no field")


class CharacterCreate(CharacterFields):
    id: Slug | None = Field(default=None, description="Defaults to a slug of the name.")
    name: Name

    def slug(self) -> str:
        if self.id:
            return self.id
        slug = re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")[:MAX_ID].strip("-")
        return slug or "character"


class CharacterPatch(Strict):
    """Fields present replace the stored ones; `version` (or If-Match) guards the write."""

    name: Name | None = None
    faction: Label | None = None
    role: Label | None = None
    traits: dict[TraitName, Unit] | None = Field(default=None, max_length=MAX_TRAITS)
    stats: Stats | None = None
    goals: list[Item] | None = Field(default=None, max_length=MAX_GOALS)
    relationships: dict[Slug, Feeling] | None = Field(
        default=None, max_length=MAX_RELATIONSHIPS, json_schema_extra=SLUG_KEYS
    )
    equipment: list[Item] | None = Field(default=None, max_length=MAX_EQUIPMENT)
    backstory: Backstory | None = None
    notes: Backstory | None = None
    version: int | None = Field(default=None, ge=1, lt=2**63)


class CharacterOut(BaseModel):
    id: str
    name: str
    faction: str
    role: str
    traits: dict[str, float]
    stats: Stats
    goals: list[str]
    relationships: dict[str, float]
    equipment: list[str]
    backstory: str
    notes: str = ""
    version: int
    created_at: datetime | None
    updated_at: datetime | None


class CharacterPage(BaseModel):
    items: list[CharacterOut]
    next_page_token: str | None


class ErrorBody(BaseModel):
    code: str
    message: str
    details: object | None = None


class ErrorEnvelope(BaseModel):
    error: ErrorBody


# The error responses every route documents in the OpenAPI schema: 400 a body that is
# not JSON, 429/503 (with Retry-After) overload or a dependency briefly out of reach.
ERROR_CODES = (400, 401, 404, 409, 413, 422, 429, 503)
ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorEnvelope} for code in ERROR_CODES}


class LegacyError(BaseModel):
    """The older routes' error shape, which their clients parse."""

    error: str
    detail: str


class LegacyTimeout(LegacyError):
    simulation_id: str


LEGACY_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": LegacyError} for code in ERROR_CODES
}


# "log" keeps the dice, thresholds and deltas, for game masters.
NarrativeStyle = Literal["epic", "detailed", "concise", "log"]
ShortText = Annotated[str, StringConstraints(max_length=500, pattern=TEXT_PATTERN)]


class LlmBackendIn(Strict):
    """A model backend layer: fields left out inherit the layer below. The key is
    write-only: stored sealed, never shown."""

    base_url: Annotated[str, StringConstraints(max_length=500, pattern=r"^(https?://.+)?$")] = ""
    model: Annotated[str, StringConstraints(max_length=200)] = ""
    api_key: Annotated[str, StringConstraints(max_length=500)] = Field(default="", repr=False)
    temperature: float | None = Field(default=None, ge=0, le=2, strict=True)
    max_tokens: int | None = Field(default=None, ge=16, le=32_768, strict=True)
    token_budget: int | None = Field(default=None, ge=0, le=100_000_000, strict=True)


class LlmBackendOut(BaseModel):
    base_url: str | None = None
    model: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    token_budget: int | None = None


class LlmSettingsOut(BaseModel):
    backend: LlmBackendOut
    api_key_set: bool
    input_tokens: int
    output_tokens: int


class LlmIn(Strict):
    decisions: bool = Field(default=False, strict=True)
    narration: bool = Field(default=False, strict=True)
    backend: LlmBackendIn | None = None


class LlmCounts(BaseModel):
    calls: int
    input_tokens: int
    output_tokens: int
    fallbacks: int
    fallback_reasons: dict[str, int]
    budget_exhausted: bool
    replayed_calls: int


class LlmUsagePartOut(LlmCounts):
    token_budget: int = Field(description="this side's share of the simulation's budget")


class LlmUsageOut(LlmCounts):
    """The counts are the decisions' and the narration's together."""

    decisions: bool
    narration: bool
    model: str
    base_url: str
    temperature: float
    max_tokens: int
    token_budget: int
    estimated_tokens: int
    estimated_seconds: float
    replay_of: str | None
    decision_usage: LlmUsagePartOut
    narration_usage: LlmUsagePartOut


class SimulationCreate(Strict):
    character_ids: list[Slug] = Field(
        default_factory=list,
        max_length=6,
        description="2-6 ids; may be omitted with a campaign",
        json_schema_extra=UNIQUE,
    )
    turns: int = Field(ge=1, le=50, strict=True)
    seed: int | None = Field(default=None, ge=0, lt=2**62, strict=True)
    setting: ShortText = ""
    scenario: ShortText = ""
    campaign_id: Annotated[str, StringConstraints(max_length=64, pattern=TEXT_PATTERN)] = ""
    narrative_style: NarrativeStyle = "detailed"
    world_id: Slug | Literal[""] = Field(
        default="", description="run in this world (GET /v1/worlds); else the setting picks one"
    )
    llm: LlmIn | None = Field(
        default=None, description="let a model decide and/or narrate (default: offline)"
    )


InterventionKind = Literal["event", "whisper", "goal", "enter", "leave"]


class InterventionIn(Strict):
    kind: InterventionKind = Field(
        description="event: something happens; whisper: one character is told something; "
        "goal: a character's new goal; enter / leave: a character comes back or goes"
    )
    turn: int | None = Field(
        default=None,
        ge=1,
        le=1000,
        strict=True,
        description="the turn it applies at (default: the next turn boundary, or the first "
        "turn after a fork)",
    )
    character_id: Slug | Literal[""] = ""
    text: Annotated[str, StringConstraints(max_length=500, pattern=TEXT_PATTERN)] = ""
    location: Annotated[str, StringConstraints(max_length=100, pattern=TEXT_PATTERN)] = ""


class InterventionOut(BaseModel):
    turn: int
    kind: str
    character_id: str | None
    text: str
    location: str | None


class ForkIn(Strict):
    turn: int = Field(ge=0, le=1000, strict=True, description="the last turn shared")
    seed: int | None = Field(
        default=None,
        ge=0,
        lt=2**62,
        strict=True,
        description="absent (or the parent's): the parent's dice go on",
    )
    interventions: list[InterventionIn] = Field(default_factory=list, max_length=50)


class SimulationOut(BaseModel):
    id: str
    status: Literal["queued", "running", "completed", "failed", "cancelled"]
    character_ids: list[str]
    turns_total: int
    turns_done: int
    seed: int
    setting: str
    scenario: str
    campaign_id: str | None
    narrative_style: str
    world_id: str | None
    story_id: str | None
    error: str | None
    created_at: datetime
    updated_at: datetime
    llm: LlmUsageOut | None = None
    parent_id: str | None = Field(default=None, description="a branch: the run it was forked from")
    fork_turn: int | None = Field(default=None, description="a branch: the last turn it shares")
    root_id: str | None = Field(default=None, description="a branch: its tree's first run")
    interventions: list[InterventionOut] = Field(default_factory=list)


class SimulationPage(BaseModel):
    items: list[SimulationOut]
    next_page_token: str | None


class ParagraphOut(BaseModel):
    event_ids: list[str] = Field(description='the events the paragraph tells, "<turn>.<sequence>"')


class ChapterOut(BaseModel):
    number: int
    title: str
    text: str = Field(description="paragraphs separated by a blank line")
    paragraphs: list[ParagraphOut] = Field(description="one per paragraph of text, in order")


class ParticipantOut(BaseModel):
    id: str
    name: str
    role: str
    faction: str


class StorySummary(BaseModel):
    id: str
    simulation_id: str
    title: str
    status: Literal["writing", "completed", "failed"]
    narrative_style: str
    participants: list[ParticipantOut]
    turns_total: int
    error: str | None
    created_at: datetime | None
    completed_at: datetime | None


class StoryOut(StorySummary):
    opening: str
    chapters: list[ChapterOut]
    closing: str


class StoryPage(BaseModel):
    """Lists carry summaries; fetch a story by id for its text."""

    items: list[StorySummary]
    next_page_token: str | None


# Worlds. The simulation service checks the rules that span fields (paths between
# places that exist, every place reachable, ...) and names the one broken; these
# bounds keep any request small.
WorldName = Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=TEXT_PATTERN)]
WorldText = Annotated[str, StringConstraints(min_length=1, max_length=200, pattern=TEXT_PATTERN)]


class WorldPlace(Strict):
    name: WorldName
    details: list[WorldText] = Field(min_length=1, max_length=5, description="what one sees there")


class WorldItem(Strict):
    name: WorldName
    broken: bool = False
    holds_clue: bool = Field(default=False, description="repairing it reveals a clue")
    at: Annotated[str, StringConstraints(max_length=80)] = Field(
        default="", description="a place's name; empty: placed by the seed"
    )
    fixed: bool = Field(default=False, description="an installation nobody carries off")


class WorldClue(Strict):
    name: WorldName
    tags: list[Annotated[str, StringConstraints(min_length=1, max_length=30)]] = Field(
        default_factory=list, max_length=8
    )


class WorldHazard(Strict):
    kind: Literal["storm", "tremor", "cache", "malfunction"]
    text: WorldText = Field(description='past tense, with "{loc}" for where it struck')
    cause: WorldName


class WorldObjective(Strict):
    goal: WorldText
    place: WorldName
    obstacle: WorldText
    consequence: WorldText
    achieved: WorldText


class WorldFields(Strict):
    name: WorldName = Field(description="its proper name")
    kind: Annotated[str, StringConstraints(max_length=200)] = ""
    places: list[WorldPlace] = Field(min_length=2, max_length=12)
    paths: list[tuple[WorldName, WorldName]] = Field(min_length=1, max_length=40)
    items: list[WorldItem] = Field(default_factory=list, max_length=16)
    clues: list[WorldClue] = Field(min_length=1, max_length=16)
    hazards: list[WorldHazard] = Field(min_length=1, max_length=8)
    factions: list[WorldName] = Field(default_factory=list, max_length=6)
    caches: list[WorldName] = Field(default_factory=list, max_length=8)
    objective: WorldObjective


class WorldCreate(WorldFields):
    id: Slug


class WorldOut(WorldFields):
    id: str
    builtin: bool
    created_at: datetime | None


class WorldList(BaseModel):
    items: list[WorldOut]


class LegacySimulationRequest(BaseModel):
    character_names: list[Slug] = Field(min_length=2, max_length=6, json_schema_extra=UNIQUE)
    turns: int = Field(default=3, ge=1, le=10)
    narrative_style: NarrativeStyle = "detailed"
    setting: ShortText = ""
    scenario: ShortText = ""


class LegacySimulationResult(BaseModel):
    story: str
    participants: list[str]
    turns_executed: int
    duration_seconds: float


class LegacyCampaignCreate(BaseModel):
    name: Name
    description: Annotated[str, StringConstraints(max_length=2000, pattern=TEXT_PATTERN)] = ""
    participants: list[Slug] = Field(min_length=2, max_length=6, json_schema_extra=UNIQUE)
    setting: ShortText = ""


class LegacyCampaignCreated(BaseModel):
    campaign_id: str
    name: str
    status: str
    created_at: datetime


class BranchesOut(BaseModel):
    root_id: str
    items: list[SimulationOut] = Field(
        description="the root first, then its branches, oldest first"
    )


class KnowledgeSourceOut(BaseModel):
    event_id: str = Field(description='"<turn>.<sequence>", as in a chapter\'s paragraphs')
    how: Literal["did", "seen", "found", "told", "whispered"]
    by_id: str | None
    by_name: str | None


class KnownOut(BaseModel):
    text: str
    sources: list[KnowledgeSourceOut]


class KnowledgeOut(BaseModel):
    simulation_id: str
    character_id: str
    turn: int
    facts: list[KnownOut]
    beliefs: list[KnownOut]
    memories: list[KnownOut]


class ChapterPairOut(BaseModel):
    number: int
    a: ChapterOut | None
    b: ChapterOut | None


class TurnEventsOut(BaseModel):
    number: int
    a: list[dict[str, Any]] | None
    b: list[dict[str, Any]] | None


class StorySideOut(BaseModel):
    story_id: str
    simulation_id: str
    title: str
    status: str


class StoryDiffOut(BaseModel):
    a: StorySideOut
    b: StorySideOut
    first_differing_turn: int | None = Field(description="null: no chapter differs")
    chapters: list[ChapterPairOut]
    events: list[TurnEventsOut] = Field(
        description="the turns' events from the first differing turn on, side by side"
    )


# Imports and bundles.


class ImportedCharacterOut(BaseModel):
    source: str = Field(description="the folder or file it came from")
    status: Literal["imported", "valid", "refused"]
    character: CharacterOut | None
    mapped: list[str] = Field(description='"<source field> -> <our field>"')
    notes: list[str] = Field(description="source fields kept in the character's notes")
    refused: list[str] = Field(description='"<source field>: <why it was not taken>"')
    error: str | None = Field(description="why the whole character was refused")


class ImportReport(BaseModel):
    imported: int
    refused: int
    characters: list[ImportedCharacterOut]


Count = Annotated[int, Field(ge=0, le=10_000_000, strict=True)]


class BundleLlm(Strict):
    """The model settings a model-driven run ran with: every recorded request's digest
    covers the model, its temperature and max_tokens."""

    decisions: bool
    narration: bool
    model: str = Field(min_length=1, max_length=200)
    base_url: str = Field(min_length=1, max_length=500)
    temperature: float = Field(ge=0, le=2)
    max_tokens: int = Field(ge=16, le=32_768, strict=True)
    token_budget: int = Field(ge=0, le=100_000_000, strict=True)


class BundleRecording(Strict):
    """One recorded model call: a decision (the simulation's) or a chapter (the story's)."""

    service: Literal["simulation", "story"]
    purpose: Literal["decision", "narration"]
    turn: int = Field(ge=1, le=50, strict=True)
    subject: str = Field(default="", max_length=MAX_ID)
    attempt: int = Field(default=0, ge=0, le=2, strict=True)
    request_digest: str = Field(pattern=DIGEST.pattern)
    outcome: str = Field(pattern=OUTCOME.pattern)
    response: str = Field(default="", max_length=256 * 1024)
    input_tokens: Count = 0
    output_tokens: Count = 0
    latency_ms: Count = 0


class BundleSettings(Strict):
    setting: ShortText = ""
    scenario: ShortText = ""
    narrative_style: NarrativeStyle = "detailed"
    world_id: Slug | Literal[""] = ""
    world: WorldFields | None = Field(default=None, description="a tenant world's definition")
    seed: int = Field(ge=0, lt=2**62, strict=True)
    turns: int = Field(ge=1, le=50, strict=True)
    llm: BundleLlm | None = Field(default=None, description="null: an offline run")


class BundleCharacter(CharacterFields):
    id: Slug
    name: Name


class BundleIntervention(InterventionIn):
    """An intervention as a run keeps it: its turn, and for a newcomer's entrance the
    sheet it entered with (created as a character on import, like the cast)."""

    turn: int = Field(ge=1, le=1000, strict=True)
    sheet: BundleCharacter | None = Field(default=None, description="a newcomer's sheet")


class BundleIn(BaseModel):
    """A bundle as exported (`GET /v1/stories/{id}?format=bundle`); `story` and `events`
    are what the replay is checked against, and are not read on import."""

    model_config = ConfigDict(extra="forbid")
    format: Literal["novel-engine-bundle"]
    version: int
    exported_at: str = Field(default="", max_length=64)
    settings: BundleSettings
    characters: list[BundleCharacter] = Field(min_length=2, max_length=6)
    interventions: list[BundleIntervention] = Field(default_factory=list, max_length=50)
    # At most 12 decisions (a cast of 6, 6 newcomers) and 2 chapters a turn, 50 turns.
    recordings: list[BundleRecording] = Field(default_factory=list, max_length=700)
    events: list[dict[str, Any]] = Field(default_factory=list, max_length=50)
    story: dict[str, Any] = Field(default_factory=dict)
    notes: list[str] = Field(default_factory=list, max_length=20)


class BundleImportOut(BaseModel):
    simulation: SimulationOut
    created_character_ids: list[str]
    reused_character_ids: list[str] = Field(description="already there with the same sheet")
