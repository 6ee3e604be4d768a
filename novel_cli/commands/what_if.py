"""What if: `novel simulations fork|branches|intervene|knowledge` and `novel stories diff`.

A fork replays a finished run up to a turn and plays the rest again (another seed,
interventions); `intervene` steers a run while it plays; `knowledge` shows what one
character knew at a turn; `diff` shows where two branches' stories part.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from novel_cli import interventions, render
from novel_cli.commands.common import (
    FollowJson,
    FollowOption,
    JsonOption,
    SimulationId,
    UrlOption,
    open_api,
)
from novel_cli.exits import BAD_INPUT, CliError
from novel_cli.follow import follow


class Kind(StrEnum):
    event = "event"
    whisper = "whisper"
    goal = "goal"
    enter = "enter"
    leave = "leave"


class Layout(StrEnum):
    auto = "auto"  # side by side when the terminal is wide enough
    side = "side"
    stacked = "stacked"


def _read_interventions(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot read {path}: {exc}", BAD_INPUT) from exc
    return interventions.from_file(data, str(path))


def fork(
    simulation_id: SimulationId,
    turn: Annotated[
        int, typer.Option("--turn", min=0, help="The last turn the branch shares with the run.")
    ],
    seed: Annotated[
        int | None,
        typer.Option(
            min=0, help="New dice from the fork on (default: the run's go on).", show_default=False
        ),
    ] = None,
    intervention: Annotated[
        list[str],
        typer.Option(
            "--intervention",
            "-i",
            help="KIND\\[@TURN] [WHO][: TEXT], repeatable, e.g. 'event@8: The mast falls', "
            "'whisper pilot: Marcus lies', 'goal@9 scientist: leave', 'enter@10 zara', "
            "'leave marcus'. WHO is a character id (an event's: its place).",
        ),
    ] = [],  # noqa: B006 (typer reads the default; it is never mutated)
    interventions_file: Annotated[
        Path | None,
        typer.Option(
            "--interventions-file",
            help="A JSON list of the API's interventions (or a bundle or simulation "
            "holding one); applied before the --intervention ones.",
            show_default=False,
        ),
    ] = None,
    follow_it: FollowOption = False,
    url: UrlOption = None,
    as_json: FollowJson = False,
) -> None:
    """Branch a run: share its turns 1..TURN, play the rest again (another seed, the
    director's interventions). Without either, the branch is the run again, word for word.

    Example: novel simulations fork SIM --turn 7 -i 'event@8: The relay mast collapses'
    -i 'whisper pilot: Marcus sold the codes' --follow
    """
    steer = _read_interventions(interventions_file) if interventions_file else []
    steer += [interventions.parse(spec) for spec in intervention]
    body: dict[str, Any] = {"turn": turn, "interventions": steer}
    if seed is not None:
        body["seed"] = seed
    with open_api(url) as api:
        branch = api.json("POST", f"/v1/simulations/{simulation_id}/fork", json=body)
        if follow_it:
            raise typer.Exit(follow(api, branch, as_json=as_json))
    if as_json:
        render.print_json(branch)
    else:
        render.console.print(
            f"forked {simulation_id} after turn {turn}: branch {branch['id']} "
            f"({branch['status']}, {len(branch['interventions'])} interventions)\n"
            f"follow it with: novel simulations follow {branch['id']}",
            soft_wrap=True,  # ids whole on one line, for copying
        )


def branches(
    simulation_id: SimulationId, url: UrlOption = None, as_json: JsonOption = False
) -> None:
    """Show a run's tree: its first run and every branch, with the turn each forked at
    and its story (for `novel stories diff`).

    Example: novel simulations branches SIM
    """
    with open_api(url) as api:
        tree = api.json("GET", f"/v1/simulations/{simulation_id}/branches")
    if as_json:
        render.print_json(tree)
    else:
        render.branches(tree, simulation_id)


def intervene(
    simulation_id: SimulationId,
    kind: Annotated[Kind, typer.Option("--kind", help="What the director does.")],
    text: Annotated[str, typer.Option(help="What happens, is whispered, or the new goal.")] = "",
    character: Annotated[
        str, typer.Option("--character", help="Who (whisper, goal, enter, leave).")
    ] = "",
    location: Annotated[str, typer.Option(help="Where an event happens.")] = "",
    turn: Annotated[
        int | None,
        typer.Option(
            min=1, help="The turn it applies at (default: the next one it can).", show_default=False
        ),
    ] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Steer a running run at its next turn boundary (a paced or model-driven run; a
    finished or unpaced one is a conflict, exit 5: fork it instead).

    Example: novel simulations intervene SIM --kind whisper --character pilot --text
    'Marcus lies'
    """
    body = interventions.build(
        kind.value, turn=turn, character_id=character, text=text, location=location
    )
    with open_api(url) as api:
        updated = api.json("POST", f"/v1/simulations/{simulation_id}/interventions", json=body)
    if as_json:
        render.print_json(updated)
        return
    added = updated["interventions"][-1]
    render.console.print(f"{simulation_id}: {kind.value} at turn {added['turn']}")


def knowledge(
    simulation_id: SimulationId,
    character_id: Annotated[str, typer.Argument(help="Character id.")],
    turn: Annotated[
        int | None,
        typer.Option(
            min=0, help="At the end of this turn (default: the last one done).", show_default=False
        ),
    ] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """What a character knew at the end of a turn: facts, beliefs and memories, each with
    the events (TURN.SEQUENCE, as in the chapters) it came from and how.

    Example: novel simulations knowledge SIM pilot --turn 8
    """
    params = {} if turn is None else {"turn": turn}
    with open_api(url) as api:
        found = api.json(
            "GET",
            f"/v1/simulations/{simulation_id}/characters/{character_id}/knowledge",
            params=params,
        )
    render.print_json(found) if as_json else render.knowledge(found)


def diff(
    story_a: Annotated[str, typer.Argument(help="A story id (e.g. the parent's).")],
    story_b: Annotated[str, typer.Argument(help="Another story id (e.g. a branch's).")],
    layout: Annotated[
        Layout, typer.Option(help="Chapters side by side, one after the other, or auto.")
    ] = Layout.auto,
    events: Annotated[
        bool, typer.Option("--events", help="Also list the turns' events side by side.")
    ] = False,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Where two stories (branches of one run) part: the first turn whose chapter
    differs, then from there the chapters of both (side by side on a wide terminal).

    Example: novel stories diff PARENT_STORY BRANCH_STORY --layout stacked | less -R
    """
    with open_api(url) as api:
        found = api.json("GET", f"/v1/stories/{story_a}/diff/{story_b}")
    if as_json:
        render.print_json(found)
        return
    side = layout is Layout.side or (layout is Layout.auto and render.console.width >= 100)
    render.diff(found, side_by_side=side, with_events=events)
