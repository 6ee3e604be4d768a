"""A character's temperament: the voice the story gives their lines."""

from __future__ import annotations

from .world import CharacterState

# The strongest trait sets the voice; the order breaks ties.
_VOICES = (
    ("aggression", "blunt"), ("empathy", "warm"), ("cunning", "sly"), ("discipline", "clipped"),
    ("curiosity", "eager"), ("caution", "wary"), ("courage", "bold"), ("loyalty", "earnest"),
)  # fmt: skip


def temperament(char: CharacterState) -> str:
    best, voice = -1.0, "plain"
    for trait, word in _VOICES:
        level = char.traits.get(trait, -1.0)
        if level > best:
            best, voice = level, word
    return voice
