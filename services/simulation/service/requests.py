"""What a simulation request must satisfy, checked before anything is stored."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from novel_platform.errors import InvalidArgument
from services.simulation.domain.interventions import MAX_PER_RUN, Intervention

if TYPE_CHECKING:
    from services.simulation.service.imported_runs import ImportedRun
    from services.simulation.service.llm_plan import LlmRequest

MIN_CHARACTERS, MAX_CHARACTERS = 2, 6
MIN_TURNS, MAX_TURNS = 1, 50
# Three narrative styles, and "log" (the same events with the dice) for game masters.
STYLES = ("epic", "detailed", "concise", "log")
DEFAULT_STYLE = "detailed"
MAX_TEXT = 500
ID = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
SEED_BITS = 62  # fits int64 on the wire and BIGINT in PostgreSQL


@dataclass(frozen=True)
class StartRequest:
    tenant_id: str
    character_ids: tuple[str, ...]
    turns: int
    seed: int | None
    setting: str
    scenario: str
    campaign_id: str
    narrative_style: str
    world_id: str = ""  # a built-in world's id or one of the tenant's own
    llm: LlmRequest | None = None
    # Checked against the run by `directing.accepted_interventions` once its cast is known.
    interventions: tuple[Intervention, ...] = ()
    # A run bundle's model run, replayed from its recordings (instead of `llm`).
    recorded: ImportedRun | None = None

    def validated(self) -> StartRequest:
        if not self.tenant_id or len(self.tenant_id) > 64:
            raise InvalidArgument("tenant_id: required, at most 64 characters")
        ids = self.character_ids
        if not MIN_CHARACTERS <= len(ids) <= MAX_CHARACTERS:
            raise InvalidArgument(
                f"character_ids: {MIN_CHARACTERS} to {MAX_CHARACTERS} characters, got {len(ids)}"
            )
        if len(set(ids)) != len(ids):
            raise InvalidArgument("character_ids: each character may take part once")
        for cid in ids:
            if not ID.match(cid):
                raise InvalidArgument(f"character_ids: '{cid[:70]}' is not a character id")
        if not MIN_TURNS <= self.turns <= MAX_TURNS:
            raise InvalidArgument(f"turns: must be {MIN_TURNS}..{MAX_TURNS}, got {self.turns}")
        if self.narrative_style not in STYLES:
            raise InvalidArgument(f"narrative_style: one of {', '.join(STYLES)}")
        if self.seed is not None and not 0 <= self.seed < 2**SEED_BITS:
            raise InvalidArgument(f"seed: must be 0..2^{SEED_BITS}-1")
        if self.world_id and not ID.match(self.world_id):
            raise InvalidArgument(f"world_id: '{self.world_id[:70]}' is not a world id")
        if self.recorded is not None and self.llm is not None:
            raise InvalidArgument("llm: a recorded run replays its own model settings")
        if len(self.interventions) > MAX_PER_RUN:
            raise InvalidArgument(f"interventions: at most {MAX_PER_RUN} in a run")
        for name in ("setting", "scenario"):
            if len(getattr(self, name)) > MAX_TEXT:
                raise InvalidArgument(f"{name}: at most {MAX_TEXT} characters")
        return self
