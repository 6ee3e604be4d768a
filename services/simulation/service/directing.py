"""The director's interventions as a run accepts them: one check for every way in (a
fork, a running run, a start that replays a bundle)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from novel_platform.errors import InvalidArgument, NotFound
from services.simulation.adapters.repository import SimulationRecord
from services.simulation.domain.interventions import Intervention, checked
from services.simulation.service.requests import ID, MAX_CHARACTERS
from services.simulation.service.runner import Characters


def cast_of(record: SimulationRecord) -> list[str]:
    """The run's characters: those it started with, then those who entered it."""
    entered = [str(i["character_id"]) for i in record.interventions if i.get("sheet")]
    return [*record.character_ids, *entered]


async def accepted_interventions(
    characters: Characters,
    given: Sequence[Intervention],
    record: SimulationRecord,
    first_turn: int,
) -> list[Intervention]:
    """The interventions checked (InvalidArgument naming the first broken rule), a
    newcomer's entrance with the character's sheet as it is now."""
    cast = cast_of(record)
    kept: list[Intervention] = []
    for intervention in given:
        wanted = intervention
        newcomer = wanted.kind == "enter" and ID.match(wanted.character_id)
        if newcomer and wanted.character_id not in cast:
            if len(cast) >= MAX_CHARACTERS:
                raise InvalidArgument(
                    f"interventions: at most {MAX_CHARACTERS} characters in a run"
                )
            try:
                (sheet,) = await characters.sheets(record.tenant_id, [wanted.character_id])
            except NotFound:
                raise InvalidArgument(
                    f"interventions: character '{wanted.character_id}' not found"
                ) from None
            wanted = replace(wanted, sheet=sheet.to_dict())
            cast.append(wanted.character_id)
        try:
            kept.append(
                checked(wanted, cast=cast, first_turn=first_turn, turns_total=record.turns_total)
            )
        except ValueError as exc:
            raise InvalidArgument(f"interventions: {exc}") from None
    return kept
