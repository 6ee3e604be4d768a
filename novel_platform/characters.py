"""The character sheet as it crosses service boundaries: stat names and every bound.

The character service enforces these bounds, the gateway states them in its HTTP schema
and the simulation reads sheets by these stat names; one definition keeps the three in
step. Pure constants, no I/O.
"""

from __future__ import annotations

STAT_NAMES = ("strength", "dexterity", "intelligence", "willpower", "perception", "charisma")
STAT_MIN, STAT_MAX = 1, 10
DEFAULT_STAT = 5  # a stat left out counts as average

# A character id (and a relationship key): a slug of 1-64 lowercase letters, digits and
# dashes, no leading or trailing dash.
SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
MAX_ID = 64

# Bounds keep one sheet small enough to fan out in events and to render in prompts.
MAX_NAME, MAX_SHORT, MAX_BACKSTORY, MAX_ITEM, MAX_TRAIT_NAME = 100, 100, 10_000, 300, 40
MAX_TRAITS, MAX_GOALS, MAX_RELATIONSHIPS, MAX_EQUIPMENT = 32, 20, 100, 50
