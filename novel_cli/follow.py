"""`--follow`: a live progress bar and the chapters as they arrive, or JSON lines."""

from __future__ import annotations

from typing import Any

from rich.markdown import Markdown
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from novel_cli import exits, render
from novel_cli.api import Api
from novel_cli.exits import CliError
from novel_cli.progress import chapter_in, status_in, story_id_in, turns_in
from novel_cli.sse import Event, follow_events


def follow(api: Api, simulation: dict[str, Any], *, as_json: bool) -> int:
    """Follow a simulation to its end; 0 when its story is written, 7 when it is not."""
    if as_json:
        return _follow_json(api, simulation)
    return _follow_live(api, simulation)


def _outcome(simulation_id: str, status: str | None, last: Event | None) -> int:
    if status in (None, "completed"):
        return exits.OK
    detail = ""
    if last is not None and isinstance(last.data, dict):
        detail = str(last.data.get("error") or "")
    raise CliError(
        f"simulation {simulation_id} {status}" + (f": {detail}" if detail else ""),
        exits.SIMULATION_FAILED,
    )


def _follow_json(api: Api, simulation: dict[str, Any]) -> int:
    status: str | None = None
    status_event: Event | None = None
    for event in follow_events(api, simulation["id"]):
        render.print_json({"event": event.event, "id": event.id, "data": event.data}, compact=True)
        if status_in(event):
            status, status_event = status_in(event), event
    return _outcome(simulation["id"], status, status_event)


def _follow_live(api: Api, simulation: dict[str, Any]) -> int:
    sim_id = simulation["id"]
    total = max(int(simulation.get("turns_total") or 0), 1)
    render.console.print(
        f"[bold]Simulation {sim_id}[/bold]: {', '.join(simulation.get('character_ids') or [])}"
        f" · {total} turns · {simulation.get('narrative_style', '')}"
    )
    status: str | None = None
    status_event: Event | None = None
    story_id: str | None = None
    printed: set[int] = set()
    progress = Progress(
        TextColumn("Turns"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("elapsed"),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=render.console,
    )

    def on_retry(reason: str, last_id: str | None) -> None:
        after = f" after event {last_id}" if last_id else ""
        progress.console.print(f"[yellow]{escape(reason)}; resuming{after}[/yellow]")

    with progress:
        task = progress.add_task("turns", total=total, completed=simulation.get("turns_done", 0))
        for event in follow_events(api, sim_id, on_retry=on_retry):
            done = turns_in(event)
            if done is not None:
                progress.update(task, completed=min(done, total))
            chapter = chapter_in(event)
            if chapter is not None and chapter.number not in printed:
                printed.add(chapter.number)
                progress.console.print()
                progress.console.print(Markdown(chapter.markdown()))
            if status_in(event):
                status, status_event = status_in(event), event
                if status == "completed":
                    progress.update(task, completed=total)
            story_id = story_id_in(event) or story_id
    if story_id:
        story = api.json("GET", f"/v1/stories/{story_id}")
        render.console.print(
            f"\n[bold]{escape(story.get('title') or 'The story')}[/bold] is written: "
            f"{len(story.get('chapters') or [])} chapters. "
            f"Read it with: novel stories get {story_id}"
        )
    return _outcome(sim_id, status, status_event)
