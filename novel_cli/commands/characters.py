"""`novel characters list|get|create|edit|delete|export`.

There is no `import`: the API has no bulk upload route. `create --file` creates one
character from a file written by `export --out`.
"""

from __future__ import annotations

import json
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


@app.command("export")
def export_characters(
    character_ids: Annotated[
        list[str] | None, typer.Argument(help="Ids to export; all when none.", show_default=False)
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write DIR/<id>.json per character instead of stdout."),
    ] = None,
    url: UrlOption = None,
) -> None:
    """Export characters as JSON: an array on stdout, or one file each with --out."""
    with open_api(url) as api:
        if character_ids:
            items = [api.json("GET", f"/v1/characters/{cid}") for cid in character_ids]
        else:
            items = list(api.pages("/v1/characters"))
    if out is None:
        render.print_json(items)
        return
    out.mkdir(parents=True, exist_ok=True)
    for item in items:
        path = out / f"{item['id']}.json"
        path.write_text(json.dumps(item, indent=2, ensure_ascii=False) + "\n")
        render.console.print(str(path))
