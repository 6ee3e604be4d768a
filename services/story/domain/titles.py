"""Chapter titles, named after what happened: the lead pattern and its people."""

from __future__ import annotations

from collections.abc import Sequence

from .model import EventView
from .naming import Names, first_name
from .patterns import Pattern
from .variety import pick, title_case

_BY_PATTERN = {
    "confrontation": ("{a} Against {b}", "Blood at {place}", "The Quarrel at {place}"),
    "betrayal": ("{a}'s Treachery", "The Knife in {b}'s Back", "What {a} Did to {b}"),
    "rescue": ("{a} Keeps {b} Alive", "Mercy at {place}", "{b} Is Not Alone"),
    "discovery": ("What {a} Found", "The Secret of {place}", "{a} Digs Deeper",
                  "What {place} Kept", "{a} Finds a Thread", "A Find at {place}"),
    "pursuit": ("{a} on the Move", "The Road to {place}", "{a} Gives Chase"),
    "parley": ("{a} and {b}", "Words at {place}", "A Word with {b}"),
    "resolution": ("{a} at the Heart of It", "The End of the Road", "What {a} Finished",
                   "{a} Sees It Through", "It Ends at {place}", "The Last Door"),
}  # fmt: skip


# What the first deed of a chapter without a pattern makes of its actor.
_DOING = {
    "move": "{who} Moves On", "scout": "{who} Scouts Ahead", "investigate": "{who} Searches",
    "repair": "{who} at Work", "flee": "{who} Runs", "help": "{who} Lends a Hand",
}  # fmt: skip


def _place(location: str) -> str:
    titled = title_case(location)
    return "the" + titled[3:] if titled.startswith("The ") else titled


def chapter_title(
    events: Sequence[EventView], patterns: Sequence[Pattern], names: Names, key: tuple[object, ...]
) -> str:
    if patterns:
        p = patterns[0]
        a = first_name(names.full(p.people[0]))
        b = first_name(names.full(p.people[1])) if len(p.people) > 1 else ""
        options = [t for t in _BY_PATTERN[p.kind] if b or "{b}" not in t]
        first = p.events[0]
        # A search or a look names the place searched, not where the searcher stood.
        looked = first.action in ("investigate", "scout") and not names.is_person(first.target_id)
        place = _place((first.target_name if looked else "") or first.location or "the unknown")
        return pick(options, *key).format(a=a, b=b, place=place)
    deeds = [e for e in events if e.actor_id != "director"]
    if deeds:
        e = deeds[0]
        who = first_name(names.full(e.actor_id, e.actor_name))
        place = _place(e.location or "the unknown")
        doing = _DOING.get(e.action, "{who} Waits").format(who=who)
        return pick((f"{who} at {place}", f"A Quiet Hour at {place}", doing), *key)
    return pick(("Silence", "An Empty Hour", "Stillness"), *key)
