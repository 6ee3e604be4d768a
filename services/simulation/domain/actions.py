"""The action catalogue: everything a character may choose to do on its turn."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    OBSERVE = "observe"
    MOVE = "move"
    INVESTIGATE = "investigate"
    TALK = "talk"
    HELP = "help"
    PERSUADE = "persuade"
    DECEIVE = "deceive"
    TRADE = "trade"
    ATTACK = "attack"
    DEFEND = "defend"
    REPAIR = "repair"
    SCOUT = "scout"
    REST = "rest"
    FLEE = "flee"


CATALOGUE: tuple[Action, ...] = tuple(Action)

# The director's world happenings use the same event type under this actor and action.
DIRECTOR_ID = "director"
DIRECTOR_NAME = "the world"
COMPLICATION = "complication"
