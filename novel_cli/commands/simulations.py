"""`novel simulate` and `novel simulations list|get|follow|cancel` (the what-if commands
of the group are in what_if.py)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from novel_cli import render
from novel_cli.api import Api
from novel_cli.commands.common import (
    FollowJson,
    FollowOption,
    JsonOption,
    SimulationId,
    UrlOption,
    open_api,
)
from novel_cli.follow import follow

app = typer.Typer(
    no_args_is_help=True,
    help="List, follow and cancel simulations; fork and steer them, and ask what a character knew.",
)


class Style(StrEnum):
    epic = "epic"
    detailed = "detailed"
    concise = "concise"
    log = "log"  # the dice and thresholds, for game masters


def simulate(
    character_ids: Annotated[list[str], typer.Argument(help="2-6 character ids.")],
    turns: Annotated[int, typer.Option(min=1, max=50, help="Turns to simulate.")] = 5,
    setting: Annotated[str, typer.Option(help="Where it happens.")] = "",
    scenario: Annotated[str, typer.Option(help="What is at stake.")] = "",
    style: Annotated[Style, typer.Option(help="Narrative style.")] = Style.detailed,
    world: Annotated[
        str, typer.Option("--world", help="Run in this world (see `novel worlds list`).")
    ] = "",
    seed: Annotated[
        int | None, typer.Option(min=0, help="Same seed, same story.", show_default=False)
    ] = None,
    follow_it: FollowOption = False,
    url: UrlOption = None,
    as_json: FollowJson = False,
) -> None:
    """Start a simulation of CHARACTER_IDS; with --follow, watch its story being written."""
    body: dict[str, Any] = {
        "character_ids": character_ids,
        "turns": turns,
        "setting": setting,
        "scenario": scenario,
        "narrative_style": style.value,
    }
    if world:
        body["world_id"] = world
    if seed is not None:
        body["seed"] = seed
    with open_api(url) as api:
        created = api.json("POST", "/v1/simulations", json=body)
        if follow_it:
            raise typer.Exit(follow(api, created, as_json=as_json))
    if as_json:
        render.print_json(created)
    else:
        render.console.print(
            f"queued {created['id']}: {', '.join(created['character_ids'])}, "
            f"{created['turns_total']} turns\n"
            f"follow it with: novel simulations follow {created['id']}"
        )


@app.command("list")
def list_simulations(
    url: UrlOption = None,
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 20,
) -> None:
    """List your simulations."""
    with open_api(url) as api:
        items = list(api.pages("/v1/simulations", limit))
    if as_json:
        render.print_json(items)
    else:
        render.simulations(items)


def _get(api: Api, simulation_id: str) -> dict[str, Any]:
    found: dict[str, Any] = api.json("GET", f"/v1/simulations/{simulation_id}")
    return found


@app.command("get")
def get_simulation(
    simulation_id: SimulationId, url: UrlOption = None, as_json: JsonOption = False
) -> None:
    """Show one simulation: status, turns done, story id, error."""
    with open_api(url) as api:
        found = _get(api, simulation_id)
    if as_json:
        render.print_json(found)
    else:
        render.simulation(found)


@app.command("follow")
def follow_simulation(
    simulation_id: SimulationId, url: UrlOption = None, as_json: FollowJson = False
) -> None:
    """Watch a simulation (again): progress, then every chapter, from the start."""
    with open_api(url) as api:
        raise typer.Exit(follow(api, _get(api, simulation_id), as_json=as_json))


@app.command("cancel")
def cancel_simulation(
    simulation_id: SimulationId, url: UrlOption = None, as_json: JsonOption = False
) -> None:
    """Cancel: a queued simulation stops at once, a running one at its next turn."""
    with open_api(url) as api:
        cancelled = api.json("DELETE", f"/v1/simulations/{simulation_id}")
    if as_json:
        render.print_json(cancelled)
    elif cancelled["status"] == "cancelled":
        render.console.print(f"{simulation_id}: cancelled")
    else:
        render.console.print(f"{simulation_id}: cancel requested; it stops at its next turn")
