"""Human-readable output (rich) and the plain JSON of `--json`."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

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


# What if: a run's tree, what a character knew, where two stories part. Text from the
# API goes in as Text (never parsed as markup: a story may hold brackets).


def _branch_label(s: dict[str, Any], parent: dict[str, Any] | None, chosen: str) -> Text:
    label = Text(s["id"], style="bold" if s["id"] == chosen else "")
    label.append(f"  {s['status']} {s['turns_done']}/{s['turns_total']}")
    if parent is not None:
        label.append(f"  forked after turn {s['fork_turn']}")
        if s["seed"] != parent["seed"]:
            label.append(f", seed {s['seed']}")
    if s.get("interventions"):
        label.append(f"  {len(s['interventions'])} interventions")
    if s["id"] == chosen:
        label.append("  (this one)", style="bold")
    if s.get("story_id"):
        label.append(f"\nstory {s['story_id']}", style="dim")
    return label


def branches(tree: dict[str, Any], chosen: str) -> None:
    """The run's tree: each branch under the run it was forked from."""
    by_id = {s["id"]: s for s in tree["items"]}
    children: dict[str, list[dict[str, Any]]] = {}
    for s in tree["items"]:
        if s.get("parent_id"):
            children.setdefault(s["parent_id"], []).append(s)

    def grow(node: Tree, s: dict[str, Any]) -> None:
        for child in children.get(s["id"], []):
            grow(node.add(_branch_label(child, s, chosen)), child)

    root = by_id[tree["root_id"]]
    shown = Tree(_branch_label(root, None, chosen))
    grow(shown, root)
    console.print(shown)
    count = len(tree["items"]) - 1
    console.print(f"{count} branch{'' if count == 1 else 'es'}")


def _sources(item: dict[str, Any]) -> str:
    cited = []
    for source in item["sources"]:
        how = source["how"]
        if how == "told" and source.get("by_name"):
            how = f"told by {source['by_name']}"
        cited.append(f"{source['event_id']} {how}")
    return "; ".join(cited)


def knowledge(k: dict[str, Any]) -> None:
    """Facts, beliefs and memories, each with the events it came from and how."""
    console.print(
        Text(f"{k['character_id']} at the end of turn {k['turn']}", style="bold"),
        Text(f"(simulation {k['simulation_id']})"),
    )
    for label, key in (("Facts", "facts"), ("Beliefs", "beliefs"), ("Memories", "memories")):
        console.print(Text(f"\n{label}", style="bold"))
        if not k[key]:
            console.print("  none")
        for item in k[key]:
            line = Text(f"  - {item['text']}")
            line.append(f"  [{_sources(item)}]", style="dim")
            console.print(line)


def _event_line(e: dict[str, Any]) -> str:
    who = e.get("actor_name") or e.get("actor_id") or "the director"
    what = f"{e.get('turn')}.{e.get('sequence', 0)} {who} {e.get('action', '')}"
    target = e.get("target_name") or e.get("target_id")
    if target and target != e.get("location"):
        what += f" {target}"
    if e.get("location"):
        what += f" at {e['location']}"
    if e.get("outcome"):
        what += f": {e['outcome']}"
    if e.get("difficulty"):
        what += f" ({e.get('roll', 0)} against {e['difficulty']})"
    return what


def _chapter_text(chapter: dict[str, Any] | None, number: int) -> Text:
    if chapter is None:
        return Text(f"(no chapter {number})", style="dim")
    text = Text(f"Chapter {number}: {chapter['title']}\n\n", style="bold")
    text.append(chapter["text"])
    return text


def _events_text(found: list[dict[str, Any]] | None) -> Text:
    if found is None:
        return Text("(no events kept for this turn)", style="dim")
    return Text("\n".join(_event_line(e) for e in found))


def diff(d: dict[str, Any], *, side_by_side: bool, with_events: bool) -> None:
    """The first differing turn, then the chapters from there (and the turns' events)."""
    a, b = d["a"], d["b"]
    for name, s in (("A", a), ("B", b)):
        console.print(Text(f"{name}: {s['title'] or 'Untitled'}", style="bold"))
        console.print(
            f"   story {s['story_id']} · simulation {s['simulation_id']} · {s['status']}",
            soft_wrap=True,
        )
    first = d["first_differing_turn"]
    if first is None:
        console.print("\nNo chapter differs: the two stories tell the same turns.")
        return
    console.print(f"\nThey part at turn {first}.")
    pairs = [
        (
            "chapters",
            p["number"],
            _chapter_text(p["a"], p["number"]),
            _chapter_text(p["b"], p["number"]),
        )
        for p in d["chapters"]
    ]
    if with_events:
        pairs += [
            ("events", e["number"], _events_text(e["a"]), _events_text(e["b"])) for e in d["events"]
        ]
    if side_by_side:
        for what in ("chapters", "events"):
            rows = [(left, right) for kind, _, left, right in pairs if kind == what]
            if not rows:
                continue
            table = Table(
                f"A: {a['title']}",
                f"B: {b['title']}",
                title=what.capitalize(),
                show_lines=True,
                expand=True,
            )
            for left, right in rows:
                table.add_row(left, right)
            console.print(table)
        return
    for kind, number, left, right in pairs:
        heading = "Chapter" if kind == "chapters" else "Events of turn"
        console.rule(Text(f"{heading} {number}"))
        for name, block in (("A", left), ("B", right)):
            console.print(Text(f"{name}:", style="bold underline"))
            console.print(block)
            console.print()
