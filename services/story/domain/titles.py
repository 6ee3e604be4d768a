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
    "discovery": ("What {a} Found", "The Secret of {place}", "{a} Digs Deeper"),
    "pursuit": ("{a} on the Move", "The Road to {place}", "{a} Gives Chase"),
    "parley": ("{a} and {b}", "Words at {place}", "A Bargain with {b}"),
    "resolution": ("{a} at the Heart of It", "The End of the Road", "What {a} Finished"),
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
        place = _place(p.events[0].location or "the unknown")
        return pick(options, *key).format(a=a, b=b, place=place)
    deeds = [e for e in events if e.actor_id != "director"]
    if deeds:
        e = deeds[0]
        who = first_name(names.full(e.actor_id, e.actor_name))
        place = _place(e.location or "the unknown")
        return pick((f"{who} at {place}", f"A Quiet Hour at {place}", f"{who} Waits"), *key)
    return pick(("Silence", "An Empty Hour", "Stillness"), *key)
