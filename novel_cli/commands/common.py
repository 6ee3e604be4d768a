"""Options every user command shares, and opening the API client."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import typer

from novel_cli import render
from novel_cli.api import Api
from novel_cli.connection import resolve

UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url",
        help="Gateway URL. Default: NE_URL, then `novel login`'s, then a local `make up` stack.",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (for scripts).")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")]
SimulationId = Annotated[str, typer.Argument(help="Simulation id.")]
FollowJson = Annotated[
    bool, typer.Option("--json", help="Print JSON; with --follow, one event per line.")
]
FollowOption = Annotated[
    bool,
    typer.Option("--follow", "-f", help="Show progress and print chapters as they arrive."),
]


def open_api(url: str | None) -> Api:
    return Api(resolve(url))


def delete(url: str | None, path: str, name: str, *, yes: bool) -> None:
    """DELETE `path`, asking first on a terminal unless `yes`; `name` is what it deletes."""
    if not yes and typer.get_text_stream("stdin").isatty():
        typer.confirm(f"Delete {name}?", abort=True)
    with open_api(url) as api:
        api.request("DELETE", path)
    render.console.print(f"deleted {name}")


def show(url: str | None, path: str, as_json: bool, as_text: Callable[[Any], None]) -> None:
    """GET `path` and print it: as JSON, or as `as_text` renders it."""
    with open_api(url) as api:
        found = api.json("GET", path)
    render.print_json(found) if as_json else as_text(found)
