"""A run bundle's model-driven run, started again from the recordings it carries.

The bundle gives the backend's settings the run had (every request digest covers the
model, temperature and max_tokens) and its recorded calls. The decisions are stored
under the import's recordings id, its narration in the story service under the same id
(ImportNarrationCalls, before the start), and the new run replays them (`replay_of`):
the same story, byte for byte, and not one call to the model. What the replay finds
different from the recordings (another engine, a changed sheet) fails the run saying
which call; here the calls are checked against the run's inputs before anything is
stored.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from novel_platform.errors import InvalidArgument
from novel_platform.llm.backend import Backend
from novel_platform.llm.recorded import malformed
from services.simulation.adapters.llm_records import CallRecord
from services.simulation.service.llm_plan import new_usage, override_fields
from services.simulation.service.model_decisions import PURPOSE

MAX_RESPONSE = 64 * 1024  # characters of one recorded answer
MAX_PER_TURN = 12  # decisions of one turn: a cast of 6 and at most 6 newcomers


@dataclass(frozen=True)
class ImportedRun:
    recordings_id: str
    decisions: bool
    narration: bool
    backend: Mapping[str, Any]  # base_url, model, temperature, max_tokens, token_budget
    calls: tuple[CallRecord, ...]


def imported_plan(run: ImportedRun) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the simulation's `llm`, its first `llm_usage`): the bundle's backend, no key
    (a replay calls no model), replaying the recordings id. InvalidArgument when the
    settings are not a model run's."""
    try:
        uuid.UUID(run.recordings_id)
    except ValueError:
        raise InvalidArgument("recorded.recordings_id: a UUID") from None
    if not (run.decisions or run.narration):
        raise InvalidArgument("recorded: a model run decides, narrates or both")
    fields = override_fields(run.backend)
    if not (fields.get("base_url") and fields.get("model")):
        raise InvalidArgument("recorded: the model's base_url and model are needed")
    backend = Backend(base_url="", model="").layered(fields)
    total = backend.token_budget
    share = total // 2 if run.decisions and run.narration else total if run.decisions else 0
    plan = {
        "decisions": run.decisions,
        "narration": run.narration,
        "budgets": {"decision": share, "narration": total - share},
        "backend": backend.public(),
        "key": "sealed",
        "sealed_api_key": "",
        "replay_of": run.recordings_id,
        # Another installation's model: a branch asks the tenant's own (BranchService).
        "imported": True,
    }
    return plan, new_usage(plan, 0, 0.0)


def check_calls(run: ImportedRun, turns: int, deciders: Iterable[str]) -> None:
    """InvalidArgument unless every call is a decision of a turn of the run, by one of
    its characters (`deciders`: the cast and its newcomers), once, and well formed."""
    if run.calls and not run.decisions:
        raise InvalidArgument("recorded.calls: decisions were not the model's in this run")
    if len(run.calls) > turns * MAX_PER_TURN:
        raise InvalidArgument(f"recorded.calls: at most {MAX_PER_TURN} per turn")
    allowed, seen = set(deciders), set()
    for n, call in enumerate(run.calls):
        where = f"recorded.calls[{n}]"
        if call.purpose != PURPOSE:
            raise InvalidArgument(f"{where}: purpose must be '{PURPOSE}'")
        if not 1 <= call.turn <= turns:
            raise InvalidArgument(f"{where}: turn must be 1..{turns}, got {call.turn}")
        if call.subject not in allowed:
            raise InvalidArgument(f"{where}: '{call.subject[:70]}' is not in this run")
        if (call.turn, call.subject) in seen:
            raise InvalidArgument(f"{where}: turn {call.turn}, {call.subject} twice")
        seen.add((call.turn, call.subject))
        counts = (call.input_tokens, call.output_tokens, call.latency_ms)
        wrong = malformed(call.request_digest, call.outcome, call.response, counts, MAX_RESPONSE)
        if wrong:
            raise InvalidArgument(f"{where}: {wrong}")
    if run.decisions and not any(call.turn == 1 for call in run.calls):
        raise InvalidArgument("recorded.calls: none for turn 1 of a run the model decided")
