"""Options every user command shares, and opening the API client."""

from __future__ import annotations

from typing import Annotated

import typer

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


def open_api(url: str | None) -> Api:
    return Api(resolve(url))
