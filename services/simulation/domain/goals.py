"""Reading free-text goals: which actions they favour and how to phrase the motive."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from .actions import Action
from .scenery import words


def _cues(text: str) -> frozenset[str]:
    return frozenset(text.split())


# A goal favours an action when it contains one of these words (singular forms).
_CUES: tuple[tuple[Action, frozenset[str]], ...] = (
    (
        Action.INVESTIGATE,
        _cues(
            "find discover uncover learn investigate search solve truth secret source mystery "
            "answer evidence clue crack catalogue study identify who why what"
        ),
    ),
    (Action.SCOUT, _cues("explore map scout chart locate track corridor route path")),
    (
        Action.ATTACK,
        _cues(
            "kill destroy defeat eliminate avenge revenge crush conquer punish catch hunt "
            "fight slay"
        ),
    ),
    (Action.DEFEND, _cues("protect defend guard shield keep secure safe hold")),
    (Action.HELP, _cues("heal help rescue care aid save tend alive everyone")),
    (
        Action.PERSUADE,
        _cues(
            "convince persuade unite negotiate recruit lead ally alliance peace truce broker "
            "win command rally"
        ),
    ),
    (Action.TALK, _cues("befriend friend talk reconcile trust trusted understand bond share")),
    (
        Action.TRADE,
        _cues("trade profit wealth buy sell acquire bargain gold money rich bidder deal"),
    ),
    (
        Action.DECEIVE,
        _cues("deceive steal trick lie manipulate betray hide cover frame smuggle never bury"),
    ),
    (
        Action.REPAIR,
        _cues("repair fix restore rebuild restart power reactivate mend build failing"),
    ),
    (Action.FLEE, _cues("escape flee leave evacuate off")),
    (Action.REST, _cues("survive recover rest endure")),
    (Action.OBSERVE, _cues("watch observe witness record document")),
)

_VERBS = frozenset(
    {w for _, cues in _CUES for w in cues}
    | _cues(
        "get make see become prove bring take earn clear end stop return go keep be "
        "finish claim sell buy learn"
    )
)
# Goals opening with these read "the goal of ...": nouns, determiners and gerunds.
_NOUNISH = _cues(
    "a an the my our his her their its no more some revenge vengeance peace freedom "
    "justice glory power wealth love redemption honor honour survival knowledge fame "
    "safety safe passage control order"
)
_NOUN_ENDINGS = ("ing", "ion", "ness", "ment", "ity", "ship", "dom")

# Too common to say a goal is about a particular place or person.
_STOP = _cues(
    "the a an of to and or for in on at by with from into under over before after "
    "old new what who that this their them they his her its our your"
)


@dataclass(frozen=True)
class Drive:
    goal: str
    motive: str
    weight: float  # 1.0 when the goal's leading verb names the action, less otherwise


def goal_motive(goal: str) -> str:
    text = " ".join(goal.split()).rstrip(".!?;:")
    if not text:
        return ""
    first = text.split()[0]
    if not (first.isupper() and len(first) > 1) and first != "I":
        text = text[0].lower() + text[1:]
    lead = first.lower()
    nounish = lead in _NOUNISH or (lead not in _VERBS and lead.endswith(_NOUN_ENDINGS))
    joiner = "of" if nounish else "to"
    return f"driven by the goal {joiner} {text}"


LEAD_WEIGHT, OTHER_WEIGHT = 1.0, 0.4


def goal_drives(goals: Sequence[str]) -> dict[Action, Drive]:
    """For each action some goal favours, the goal favouring it most (earliest on ties).
    The answer is shared between calls with the same goals: do not change it."""
    return _drives(tuple(goals))


@functools.lru_cache(maxsize=1024)
def _drives(goals: tuple[str, ...]) -> dict[Action, Drive]:
    # Goals rarely change and are read every turn by every character: parse them once.
    drives: dict[Action, Drive] = {}
    for goal in goals:
        tokens = words(goal)
        lead = words(goal.split()[0]) if goal.split() else ()
        for action, cues in _CUES:
            if any(t in cues for t in lead):
                weight = LEAD_WEIGHT
            elif any(t in cues for t in tokens):
                weight = OTHER_WEIGHT
            else:
                continue
            if action not in drives or drives[action].weight < weight:
                drives[action] = Drive(goal, goal_motive(goal), weight)
    return drives


def goal_naming(goals: Sequence[str], name: str) -> str:
    """The first goal that mentions a significant word of `name` (a place, person or
    faction), or ""."""
    return _naming(tuple(goals), name)


@functools.lru_cache(maxsize=8192)
def _naming(goals: tuple[str, ...], name: str) -> str:
    significant = [w for w in words(name) if len(w) > 2 and w not in _STOP]
    for goal in goals:
        tokens = words(goal)
        if any(w in tokens for w in significant):
            return goal
    return ""


def goal_kind(goal: str) -> Action | None:
    """The action a goal is mostly about: the one its leading verb names, else the first
    whose cue it contains, else None."""
    drives = goal_drives([goal])
    for drive_action, drive in drives.items():
        if drive.weight == LEAD_WEIGHT:
            return drive_action
    return next(iter(drives), None)
