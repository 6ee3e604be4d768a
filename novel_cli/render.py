"""Human-readable output (rich) and the plain JSON of `--json`."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)


def print_json(value: Any, *, compact: bool = False) -> None:
    """Plain JSON on stdout (no colour codes), one document or one line for streams."""
    text = json.dumps(value, ensure_ascii=False, indent=None if compact else 2, default=str)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _when(value: Any) -> str:
    return str(value or "")[:19].replace("T", " ")


def characters(items: Iterable[dict[str, Any]]) -> None:
    table = Table("ID", "Name", "Faction", "Role", "Version", title="Characters")
    for c in items:
        table.add_row(
            c["id"], c["name"], c.get("faction", ""), c.get("role", ""), str(c["version"])
        )
    console.print(table if table.row_count else "No characters yet.")


def character(c: dict[str, Any]) -> None:
    console.print(f"[bold]{c['name']}[/bold]  ({c['id']}, version {c['version']})")
    for label, key in (("Faction", "faction"), ("Role", "role")):
        if c.get(key):
            console.print(f"  {label}: {c[key]}")
    stats = c.get("stats") or {}
    if stats:
        console.print("  Stats: " + ", ".join(f"{k} {v}" for k, v in stats.items()))
    for label, key in (("Traits", "traits"), ("Relationships", "relationships")):
        if c.get(key):
            console.print(f"  {label}: " + ", ".join(f"{k} {v:g}" for k, v in c[key].items()))
    for label, key in (("Goals", "goals"), ("Equipment", "equipment")):
        if c.get(key):
            console.print(f"  {label}: " + "; ".join(c[key]))
    if c.get("backstory"):
        console.print(f"\n{c['backstory']}")


def worlds(items: Iterable[dict[str, Any]]) -> None:
    table = Table("ID", "Name", "Kind", "Places", "Built in", title="Worlds")
    for w in items:
        table.add_row(
            w["id"], w["name"], w["kind"], str(len(w["places"])), "yes" if w["builtin"] else ""
        )
    console.print(table)


def world(w: dict[str, Any]) -> None:
    console.print(f"[bold]{w['name']}[/bold]  ({w['id']}{', built in' if w['builtin'] else ''})")
    console.print(f"  {w['kind']}")
    goal = w["objective"]
    console.print(
        f"  Objective: {goal['goal']}, at {goal['place']}; against it: {goal['obstacle']}"
    )
    for p in w["places"]:
        console.print(f"  Place: {p['name']} ({'; '.join(p['details'])})")
    console.print("  Paths: " + "; ".join(f"{a} - {b}" for a, b in w["paths"]))
    for label, key in (("Items", "items"), ("Clues", "clues")):
        if w.get(key):
            console.print(f"  {label}: " + "; ".join(x["name"] for x in w[key]))
    console.print("  Hazards: " + "; ".join(h["text"] for h in w["hazards"]))
    if w.get("factions"):
        console.print("  Factions: " + "; ".join(w["factions"]))


def simulations(items: Iterable[dict[str, Any]]) -> None:
    table = Table("ID", "Status", "Turns", "Characters", "Story", "Created", title="Simulations")
    for s in items:
        table.add_row(
            s["id"],
            s["status"],
            f"{s['turns_done']}/{s['turns_total']}",
            ", ".join(s.get("character_ids") or []),
            s.get("story_id") or "",
            _when(s.get("created_at")),
        )
    console.print(table if table.row_count else "No simulations yet.")


def simulation(s: dict[str, Any]) -> None:
    console.print(
        f"[bold]{s['id']}[/bold]  {s['status']}, {s['turns_done']}/{s['turns_total']} turns, "
        f"{', '.join(s.get('character_ids') or [])}"
    )
    if s.get("story_id"):
        console.print(f"  story: {s['story_id']}   (novel stories get {s['story_id']})")
    if s.get("error"):
        console.print(f"  error: {s['error']}")


def stories(items: Iterable[dict[str, Any]]) -> None:
    table = Table("ID", "Title", "Status", "Style", "Turns", "Completed", title="Stories")
    for s in items:
        table.add_row(
            s["id"],
            s.get("title") or "",
            s["status"],
            s.get("narrative_style") or "",
            str(s.get("turns_total", "")),
            _when(s.get("completed_at")),
        )
    console.print(table if table.row_count else "No stories yet.")


def markdown(text: str) -> None:
    console.print(Markdown(text))


def import_report(report: dict[str, Any]) -> None:
    """One block per character: status, then what was mapped, kept and refused."""
    for item in report["characters"]:
        character = item.get("character") or {}
        name = f"{character.get('id', '')} ({character.get('name', '')})" if character else ""
        console.print(f"[bold]{item['status']}[/bold] {item['source']} {name}".rstrip())
        if item.get("error"):
            console.print(f"  error: {item['error']}", highlight=False)
        for label, key in (
            ("mapped", "mapped"),
            ("kept as notes", "notes"),
            ("refused", "refused"),
        ):
            if item[key]:
                console.print(f"  {label}:", highlight=False)
                for line in item[key]:
                    console.print(f"    {line}", highlight=False, markup=False)
    console.print(f"{report['imported']} imported, {report['refused']} refused")
