"""What settled a goal: the deed of the same hour it came from, as a noun phrase ("the
lipstick note", "the talk with Okafor"), so a reckoning says how, not only what.

A goal is read by its words, as the engine reads it, only to tell whether a deed fits it:
a find settles a goal to learn, a talk one to be trusted, a repair one to fix.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from .model import EventView
from .naming import Names, short_thing

_WON = ("success", "critical_success", "none")
# The deed kinds and the goal words they answer to.
_FITS = {
    "find": frozenset(("find", "discover", "uncover", "learn", "search", "solve", "truth",
        "secret", "answer", "who", "what", "why", "evidence", "source", "mystery", "hiding",
        "buried", "wrong", "happened")),
    "talk": frozenset(("trust", "trusted", "friend", "befriend", "talk", "understand", "bond",
        "share", "reconcile")),
    "persuade": frozenset(("convince", "persuade", "unite", "ally", "win", "rally", "lead",
        "recruit", "truce")),
    "repair": frozenset(("repair", "fix", "restore", "restart", "mend", "working", "running")),
    "scout": frozenset(("scout", "map", "chart", "explore", "route", "path", "way", "corridor",
        "locate")),
    "help": frozenset(("alive", "heal", "help", "care", "save", "rescue", "tend", "everyone")),
    "defend": frozenset(("guard", "protect", "defend", "secure")),
}  # fmt: skip


def _phrase(e: EventView, names: Names) -> tuple[str, Callable[[], str]] | None:
    """(kind of deed, its noun phrase, written when called) for a deed that can settle a
    goal, or None."""
    if e.outcome not in _WON:
        return None
    target = e.target_id
    finds = [f.detail for f in e.effects if f.kind == "clue_found"]
    if finds:
        return "find", lambda: short_thing(finds[-1])
    if e.action == "talk" and target:
        return "talk", lambda: f"the talk with {names.of(target)}"
    if e.action == "persuade" and target:
        return "persuade", lambda: f"winning {names.of(target)} over"
    if e.action == "repair" and any(f.kind == "repaired" for f in e.effects):
        return "repair", lambda: f"the work on {short_thing(e.target_name)}"
    if e.action == "scout" and e.target_name:
        return "scout", lambda: f"the look at {names.place(e.target_name)}"
    if e.action == "help" and target:
        return "help", lambda: f"tending {names.of(target)}"
    if e.action == "defend" and target and target != e.actor_id:
        return "defend", lambda: f"standing guard over {names.of(target)}"
    return None


def settled_by(goals: Sequence[str], deeds: Sequence[EventView], names: Names) -> str:
    """What of this hour's `deeds` settled `goals` (one phrase), or "" when none fits."""
    words = {w.strip(".,'") for g in goals for w in g.lower().split()}
    kinds = {kind for kind, cues in _FITS.items() if cues & words}
    if len(kinds) > 1:  # "learn what it means to be trusted" is about trust, not a find
        kinds.discard("find")
    for e in reversed(deeds):  # the last fitting deed of the hour
        found = _phrase(e, names)
        if found is not None and found[0] in kinds:
            return found[1]()
    return ""
