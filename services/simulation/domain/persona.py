"""The persona policy: a character picks one action from what it can see and knows.

Every possible action gets a score from traits, stats, goals, relationships and memory,
plus a little noise from the simulation's RNG; the highest score wins. Each score comes
with the motive that explains it.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from .actions import Action
from .director import CharacterView
from .goals import Drive, goal_drives
from .intent import Intent, Option
from .options_social import social_options
from .options_solo import repair_options, solo_options, travel_options

NOISE = 0.25  # enough to vary stories, small next to strong motives
REPEAT = 0.16  # per recent repeat of the same action: characters vary what they do


def choose_intent(view: CharacterView, rng: random.Random) -> Intent:
    best_score, best = float("-inf"), Intent(Action.OBSERVE, motive="taking stock")
    recent = [m.action for m in view.memories if m.actor_id == view.id][-3:]
    for score, intent in options(view, goal_drives(view.goals)):
        noisy = score - REPEAT * recent.count(intent.action) + rng.random() * NOISE
        if noisy > best_score:
            best_score, best = noisy, intent
    return best


def options(view: CharacterView, drives: dict[Action, Drive]) -> Iterator[Option]:
    """Every action the character could take now, with the policy's score."""
    yield from solo_options(view, drives)
    yield from travel_options(view, drives)
    for other in view.present:
        yield from social_options(view, drives, other)
    yield from repair_options(view, drives)
