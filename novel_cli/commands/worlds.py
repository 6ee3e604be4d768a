"""`novel worlds list|get|create|delete`: the built-in worlds and your own.

`create --file world.json` sends a world written by hand (docs/worlds/vellmar.json is
one) or saved with `get --json`; a simulation runs in it with `novel simulate --world ID`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from novel_cli import render
from novel_cli.commands.common import JsonOption, UrlOption, YesOption, delete, open_api, show
from novel_cli.exits import BAD_INPUT, CliError

app = typer.Typer(no_args_is_help=True, help="List, show, define and delete worlds.")

Id = Annotated[str, typer.Argument(help="World id (a slug such as 'ice-moon').")]
# What GET returns beyond what POST takes.
_READ_ONLY = ("builtin", "created_at")


@app.command("list")
def list_worlds(url: UrlOption = None, as_json: JsonOption = False) -> None:
    """List the built-in worlds and yours."""
    with open_api(url) as api:
        items = api.json("GET", "/v1/worlds")["items"]
    render.print_json(items) if as_json else render.worlds(items)


@app.command("get")
def get_world(world_id: Id, url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Show one world: its places and paths, items, clues, hazards and objective."""
    show(url, f"/v1/worlds/{world_id}", as_json, render.world)


@app.command("create")
def create_world(
    file: Annotated[Path, typer.Option("--file", help="The world as JSON.")],
    world_id: Annotated[
        str | None, typer.Option("--id", help="Default: the file's id.", show_default=False)
    ] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Define a world from a JSON file; the service checks it and names a broken rule."""
    try:
        body: Any = json.loads(file.read_text())
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot read {file}: {exc}", BAD_INPUT) from exc
    if not isinstance(body, dict):
        raise CliError(f"{file}: a world is a JSON object", BAD_INPUT)
    body = {k: v for k, v in body.items() if k not in _READ_ONLY}
    if world_id:
        body["id"] = world_id
    if not body.get("id"):
        raise CliError('a world needs an id: --id ID (or an "id" in the file)', BAD_INPUT)
    with open_api(url) as api:
        created = api.json("POST", "/v1/worlds", json=body)
    if as_json:
        render.print_json(created)
    else:
        render.console.print(
            f"created {created['id']}: {len(created['places'])} places\n"
            f"run in it with: novel simulate IDS… --world {created['id']}"
        )


@app.command("delete")
def delete_world(world_id: Id, yes: YesOption = False, url: UrlOption = None) -> None:
    """Delete one of your worlds (runs already started in it go on)."""
    delete(url, f"/v1/worlds/{world_id}", world_id, yes=yes)
