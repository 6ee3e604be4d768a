"""The deed that settles the objective, told as that deed and not as one more search:
what the doer brought to it, and whose find it was ("Kai took the lipstick note Elena
had dug out at the piers into the mayor's suite, and this time it was enough")."""

from __future__ import annotations

from .consequences import source_of
from .model import EventView
from .naming import Names, short_thing
from .variety import cap, pick

# Effects that leave nothing else to tell beside the climax itself.
_QUIET = frozenset(("resolution", "source", "motive", "voice", "alerted"))
_SHAPES = (
    "{A} took {w} into {p}, and this time it was enough.",
    "{A} went to work at {p} with {w}, and everything fitted.",
    "At {p}, {a} laid out {w}, and it all came together.",
    "{A} had {w}, and at {p} it was all that was needed.",
    "{A} brought {w} to {p} and set to work.",
    "It was {w} that settled it: {a} put it to use at {p}.",
)  # fmt: skip
_THEIRS = ("{c} that {f} had turned up{at}", "{c} {f} had found{at}", "{c}, {f}'s find{at}")


def climax(event: EventView, names: Names, key: tuple[object, ...]) -> str:
    """The sentence for the deed that achieved the objective, or "" when the event is not
    one (or did more than that, which the usual telling then covers)."""
    won = any(f.kind == "resolution" and f.value > 0 for f in event.effects)
    if not won or any(f.kind not in _QUIET for f in event.effects):
        return ""
    clue = next((f.detail.split("|", 1)[0] for f in event.effects if f.kind == "source"), "")
    if not clue:
        return ""
    finder, found_at = source_of(event, clue)
    place = event.target_name or event.location
    at = f" at {names.place(found_at)}" if found_at and found_at != place else ""
    thing = short_thing(clue)
    if finder == event.actor_id:
        whose = f"{thing} from {names.place(found_at)}" if at else thing
    else:
        shape = pick(_THEIRS, *key, "theirs")
        whose = shape.format(c=thing, f=names.of(finder), at=at)
    doer = names.of(event.actor_id, event.actor_name)
    text = pick(_SHAPES, *key, "climax").format(A=doer, a=doer, w=whose, p=names.place(place))
    return cap(text)
