"""`novel login`: remember a gateway and its API key for the other commands."""

from __future__ import annotations

from typing import Annotated

import typer

from novel_cli import render
from novel_cli.api import Api
from novel_cli.connection import DEFAULT_URL, Connection, normalize_url, save_login


def login(
    url: Annotated[str, typer.Option(help="Gateway URL.")] = DEFAULT_URL,
    key: Annotated[
        str | None,
        typer.Option(
            envvar="NE_API_KEY",
            help="API key (asked for, hidden, when not given).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Check the key against the gateway, then store both (owner-only file)."""
    chosen = normalize_url(url)
    secret = key or typer.prompt("API key", hide_input=True)
    with Api(Connection(chosen, secret.strip())) as api:
        api.request("GET", "/v1/characters", params={"page_size": 1})
    path = save_login(chosen, secret.strip())
    render.console.print(f"logged in to {chosen}; saved to {path}")
