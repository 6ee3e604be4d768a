"""Stat checks: d20 + modifier against a difficulty, drawn from the simulation's RNG."""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import StrEnum


class CheckOutcome(StrEnum):
    """How a stat check came out."""

    SUCCESS = "success"
    FAILURE = "failure"
    CRITICAL_SUCCESS = "critical_success"
    CRITICAL_FAILURE = "critical_failure"
    NONE = "none"


@dataclass(frozen=True)
class Check:
    roll: int  # die + modifier, as reported in events
    difficulty: int
    outcome: CheckOutcome

    @property
    def succeeded(self) -> bool:
        return self.outcome in (CheckOutcome.SUCCESS, CheckOutcome.CRITICAL_SUCCESS)

    @property
    def critical(self) -> bool:
        return self.outcome in (CheckOutcome.CRITICAL_SUCCESS, CheckOutcome.CRITICAL_FAILURE)


def roll_check(rng: random.Random, modifier: int, difficulty: int) -> Check:
    die = rng.randint(1, 20)
    total = die + modifier
    # The total decides; the die only makes a result critical. So a failure never
    # carries a total that met its target, nor a success one that fell short.
    if total >= difficulty:
        outcome = CheckOutcome.CRITICAL_SUCCESS if die == 20 else CheckOutcome.SUCCESS
    else:
        outcome = CheckOutcome.CRITICAL_FAILURE if die == 1 else CheckOutcome.FAILURE
    return Check(roll=total, difficulty=difficulty, outcome=outcome)
