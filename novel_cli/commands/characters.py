"""`novel characters list|get|create|edit|delete|export|import`.

`create --file` creates one character from a file written by `export --out`
(`export --format card-v2` writes Character Cards, which `import` reads back); `import`
uploads foreign files (the older system's folders, Character Cards) to
`POST /v1/characters:import`.
"""

from __future__ import annotations

import io
import json
import zipfile
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from novel_cli import fields, render
from novel_cli.commands.common import JsonOption, UrlOption, YesOption, delete, open_api, show
from novel_cli.exits import BAD_INPUT, CliError

app = typer.Typer(no_args_is_help=True, help="Create, read, change and export characters.")

Id = Annotated[str, typer.Argument(help="Character id (a slug such as 'pilot').")]
Trait = Annotated[list[str], typer.Option("--trait", help="NAME=0..1, repeatable.")]
Stat = Annotated[list[str], typer.Option("--stat", help="NAME=1..10, e.g. charisma=7.")]
Relationship = Annotated[
    list[str], typer.Option("--relationship", help="CHARACTER_ID=-1..1, repeatable.")
]
Goal = Annotated[list[str], typer.Option("--goal", help="Repeatable; replaces the list.")]
Equipment = Annotated[list[str], typer.Option("--equipment", help="Repeatable; replaces the list.")]
Text = Annotated[str | None, typer.Option(show_default=False)]


@app.command("list")
def list_characters(
    url: UrlOption = None,
    as_json: JsonOption = False,
    name: Annotated[str, typer.Option(help="Only names containing this.")] = "",
    faction: Annotated[str, typer.Option(help="Only this faction.")] = "",
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many.")] = None,
) -> None:
    """List your characters."""
    with open_api(url) as api:
        items = list(api.pages("/v1/characters", limit, name=name, faction=faction))
    render.print_json(items) if as_json else render.characters(items)


@app.command("get")
def get_character(character_id: Id, url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Show one character."""
    show(url, f"/v1/characters/{character_id}", as_json, render.character)


def _read_file(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise CliError(f"cannot read {path}: {exc}", BAD_INPUT) from exc


@app.command("create")
def create_character(
    name: Text = None,
    character_id: Annotated[
        str | None, typer.Option("--id", help="Default: a slug of the name.", show_default=False)
    ] = None,
    faction: Text = None,
    role: Text = None,
    backstory: Text = None,
    trait: Trait = [],  # noqa: B006 (typer reads the default; it is never mutated)
    stat: Stat = [],  # noqa: B006
    relationship: Relationship = [],  # noqa: B006
    goal: Goal = [],  # noqa: B006
    equipment: Equipment = [],  # noqa: B006
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", help="Start from this JSON (e.g. from `export --out`).", show_default=False
        ),
    ] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a character from options, a JSON file, or both (options win)."""
    body = fields.from_file(_read_file(file), str(file)) if file else {}
    body = fields.apply(
        body,
        fields.changes(
            name=name,
            character_id=character_id,
            faction=faction,
            role=role,
            backstory=backstory,
            traits=trait,
            stat_values=stat,
            relationships=relationship,
            goals=goal,
            equipment=equipment,
        ),
    )
    if not body.get("name"):
        raise CliError("a character needs a name: --name NAME (or a file with one)", BAD_INPUT)
    with open_api(url) as api:
        created = api.json("POST", "/v1/characters", json=body)
    if as_json:
        render.print_json(created)
    else:
        render.console.print(f"created {created['id']} (version {created['version']})")


@app.command("edit")
def edit_character(
    character_id: Id,
    name: Text = None,
    faction: Text = None,
    role: Text = None,
    backstory: Text = None,
    trait: Trait = [],  # noqa: B006
    stat: Stat = [],  # noqa: B006
    relationship: Relationship = [],  # noqa: B006
    goal: Goal = [],  # noqa: B006
    equipment: Equipment = [],  # noqa: B006
    version: Annotated[
        int | None,
        typer.Option(help="Change only if the character is still at this version.", min=1),
    ] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change some fields; traits, stats and relationships merge into the current ones.

    The write is guarded by the version read (or --version): a change made meanwhile by
    someone else makes it fail with exit code 5 instead of being overwritten.
    """
    change = fields.changes(
        name=name,
        faction=faction,
        role=role,
        backstory=backstory,
        traits=trait,
        stat_values=stat,
        relationships=relationship,
        goals=goal,
        equipment=equipment,
    )
    if not change:
        raise CliError("nothing to change: give at least one option (see --help)", BAD_INPUT)
    with open_api(url) as api:
        current = api.json("GET", f"/v1/characters/{character_id}")
        merged = fields.apply(current, change)
        patch = {key: merged[key] for key in change}
        expected = version or current["version"]
        updated = api.json(
            "PATCH",
            f"/v1/characters/{character_id}",
            json=patch,
            headers={"If-Match": f'"{expected}"'},
        )
    if as_json:
        render.print_json(updated)
    else:
        render.console.print(f"updated {updated['id']} (version {updated['version']})")


@app.command("delete")
def delete_character(character_id: Id, yes: YesOption = False, url: UrlOption = None) -> None:
    """Delete a character (asks first on a terminal unless --yes)."""
    delete(url, f"/v1/characters/{character_id}", character_id, yes=yes)


class CharacterFormat(StrEnum):
    json = "json"  # our own sheet: `create --file` takes it back
    card_v2 = "card-v2"  # a Character Card V2: other tools and `import` read it


# File names under --out: a card is told apart from a sheet by its name.
EXPORT_SUFFIX = {CharacterFormat.json: ".json", CharacterFormat.card_v2: ".card.json"}


@app.command("export")
def export_characters(
    character_ids: Annotated[
        list[str] | None, typer.Argument(help="Ids to export; all when none.", show_default=False)
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write DIR/<id>.json (.card.json) per character, not stdout."),
    ] = None,
    fmt: Annotated[
        CharacterFormat,
        typer.Option("--format", help="json (our sheet) or card-v2 (a Character Card V2)."),
    ] = CharacterFormat.json,
    url: UrlOption = None,
) -> None:
    """Export characters: an array of sheets on stdout, one card on stdout (card-v2, one
    id), or one file each with --out."""
    card = fmt is CharacterFormat.card_v2
    if card and out is None and len(character_ids or []) != 1:
        raise CliError("card-v2 is one card per character: give one id, or --out DIR", BAD_INPUT)
    params = {"format": fmt.value} if card else {}
    with open_api(url) as api:
        if character_ids or card:
            ids = character_ids or [c["id"] for c in api.pages("/v1/characters")]
            items = [api.json("GET", f"/v1/characters/{cid}", params=params) for cid in ids]
        else:  # the list holds the whole sheets
            items = list(api.pages("/v1/characters"))
            ids = [item["id"] for item in items]
    if out is None:
        render.print_json(items[0] if card else items)
        return
    out.mkdir(parents=True, exist_ok=True)
    for cid, item in zip(ids, items, strict=True):
        path = out / f"{cid}{EXPORT_SUFFIX[fmt]}"
        path.write_text(json.dumps(item, indent=2, ensure_ascii=False) + "\n")
        render.console.print(str(path))


# Uploaded as they are; a folder is zipped first (its files keep their relative paths).
MEDIA = {".zip": "application/zip", ".png": "image/png", ".json": "application/json"}
MAX_FOLDER_FILES = 200


def _folder_zip(folder: Path) -> bytes:
    """The folder as a zip whose paths start with the folder's name (the character id
    of a `characters/<id>/` folder; a `characters/` folder gives one per subfolder)."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    if len(files) > MAX_FOLDER_FILES:
        raise CliError(f"{folder}: more than {MAX_FOLDER_FILES} files", BAD_INPUT)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, str(Path(folder.name) / path.relative_to(folder)))
    return buffer.getvalue()


def _upload_part(path: Path) -> tuple[str, tuple[str, bytes, str]]:
    try:
        if path.is_dir():
            return "file", (f"{path.name}.zip", _folder_zip(path), "application/zip")
        data = path.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc}", BAD_INPUT) from exc
    media = MEDIA.get(path.suffix.lower(), "application/octet-stream")
    return "file", (path.name, data, media)


@app.command("import")
def import_characters(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Folders (characters/<id>/ or characters/), .zip, card .json or .png files."
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be imported; store nothing.")
    ] = False,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import characters from the older system's folders or Character Cards V2/V3, and
    show per character what was mapped, kept as notes and refused."""
    files = [_upload_part(path) for path in paths]
    with open_api(url) as api:
        report = api.json("POST", "/v1/characters:import", files=files, params={"dry_run": dry_run})
    if as_json:
        render.print_json(report)
    else:
        render.import_report(report)
