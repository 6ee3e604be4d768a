"""`novel stories list|get|export|import`: stories as tables, rendered Markdown, or
files (`diff` is in what_if.py)."""

from __future__ import annotations

import json
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from novel_cli import render
from novel_cli.api import Api
from novel_cli.commands.common import JsonOption, UrlOption, open_api
from novel_cli.exits import BAD_INPUT, CliError

app = typer.Typer(no_args_is_help=True, help="Read and export the written stories.")

MARKDOWN = {"Accept": "text/markdown"}


class Format(StrEnum):
    md = "md"
    markdown = "markdown"  # the API's name for md
    json = "json"
    html = "html"
    epub = "epub"
    bundle = "bundle"


# The API's name of each format, and the file extension written.
API_FORMAT = {"md": "markdown", "html": "html", "epub": "epub", "bundle": "bundle"}
EXTENSION = {"bundle": "bundle.json"}


@app.command("list")
def list_stories(
    url: UrlOption = None,
    as_json: JsonOption = False,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 20,
) -> None:
    """List your stories."""
    with open_api(url) as api:
        items = list(api.pages("/v1/stories", limit))
    if as_json:
        render.print_json(items)
    else:
        render.stories(items)


@app.command("get")
def get_story(
    story_id: Annotated[str, typer.Argument(help="Story id.")],
    raw: Annotated[bool, typer.Option("--raw", help="The Markdown source, not rendered.")] = False,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a story, rendered as Markdown in the terminal."""
    with open_api(url) as api:
        if as_json:
            render.print_json(api.json("GET", f"/v1/stories/{story_id}"))
            return
        text = api.request("GET", f"/v1/stories/{story_id}", headers=MARKDOWN).text
    if raw:
        render.console.out(text, end="", highlight=False)
    else:
        render.markdown(text)


def file_name(story_id: str, title: str, fmt: Format) -> str:
    """`<slug of the title>-<id>.<md|json>`: readable, and unique by the id."""
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].strip("-")
    extension = EXTENSION.get(fmt.value, fmt.value)
    return f"{slug}-{story_id}.{extension}" if slug else f"{story_id}.{extension}"


def _fetch(api: Api, story_id: str, fmt: Format) -> tuple[str, bytes]:
    """The story's title and its file's bytes in `fmt`."""
    if fmt is Format.json:
        story = api.json("GET", f"/v1/stories/{story_id}")
        text = json.dumps(story, indent=2, ensure_ascii=False).rstrip("\n") + "\n"
        return story.get("title") or "", text.encode()
    response = api.request(
        "GET", f"/v1/stories/{story_id}", params={"format": API_FORMAT[fmt.value]}
    )
    if fmt is Format.md:
        title = response.text.partition("\n")[0].removeprefix("# ")
    else:
        title = api.json("GET", f"/v1/stories/{story_id}").get("title") or ""
    return title, response.content


@app.command("import")
def import_bundle(
    bundle: Annotated[Path, typer.Argument(help="A bundle written by `export --format bundle`.")],
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Replay a run bundle: recreate its characters and start the same run."""
    try:
        data = bundle.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {bundle}: {exc}", BAD_INPUT) from exc
    with open_api(url) as api:
        started = api.json(
            "POST",
            "/v1/bundles:import",
            content=data,
            headers={"Content-Type": "application/json"},
        )
    if as_json:
        render.print_json(started)
    else:
        render.console.print(
            f"started simulation {started['simulation']['id']}; created "
            f"{', '.join(started['created_character_ids']) or 'no character'}"
        )


@app.command("export")
def export_stories(
    story_ids: Annotated[
        list[str] | None,
        typer.Argument(help="Stories to export; every story when none.", show_default=False),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder to write into.  [default: .]")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the one story given to this file (- for stdout)."
        ),
    ] = None,
    fmt: Annotated[
        Format,
        typer.Option("--format", help="md (or markdown), json, html, epub or bundle (the run)."),
    ] = Format.md,
    url: UrlOption = None,
) -> None:
    """Write stories to files (one per story, named after its title) and print their
    paths; or one story to the file -o names."""
    fmt = Format.md if fmt is Format.markdown else fmt
    if output is not None and (out is not None or len(story_ids or []) != 1):
        raise CliError("-o writes one story: give one story id (and no --out)", BAD_INPUT)
    with open_api(url) as api:
        if output is not None:
            _, data = _fetch(api, (story_ids or [""])[0], fmt)
            if str(output) == "-":
                sys.stdout.buffer.write(data)
                return
            try:
                output.write_bytes(data)
            except OSError as exc:
                raise CliError(f"cannot write {output}: {exc}", BAD_INPUT) from exc
            render.console.print(str(output))
            return
        folder = out or Path(".")
        folder.mkdir(parents=True, exist_ok=True)
        for story_id in story_ids or [s["id"] for s in api.pages("/v1/stories")]:
            title, data = _fetch(api, story_id, fmt)
            path = folder / file_name(story_id, title, fmt)
            path.write_bytes(data)
            render.console.print(str(path))
