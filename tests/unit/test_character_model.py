from dataclasses import replace

import pytest

from novel_platform.characters import STAT_NAMES
from novel_platform.errors import InvalidArgument
from services.character.domain.model import Character, validate
from services.character.domain.starter_roster import STARTER_ROSTER

REQUIRED_IDS = {"pilot", "scientist", "engineer", "test", "aria", "zara", "marcus", "elena", "kai"}


def sheet(**changes: object) -> Character:
    base = Character(
        id="nova",
        name="Nova",
        traits={"courage": 0.5},
        stats=dict.fromkeys(STAT_NAMES, 5),
        relationships={"pilot": 0.2},
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_valid_sheet_passes():
    assert validate(sheet()).id == "nova"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id": "Not A Slug"}, "id"),
        ({"id": "-edge"}, "id"),
        ({"name": "  "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"traits": {"courage": 1.5}}, "traits.courage"),
        ({"traits": {"courage": -0.1}}, "traits.courage"),
        ({"stats": {**dict.fromkeys(STAT_NAMES, 5), "strength": 11}}, "stats.strength"),
        ({"stats": {**dict.fromkeys(STAT_NAMES, 5), "charisma": 0}}, "stats.charisma"),
        ({"stats": {"strength": 5}}, "stats"),
        ({"relationships": {"pilot": 1.2}}, "relationships.pilot"),
        ({"relationships": {"nova": 0.5}}, "relationships"),
        ({"goals": ("",)}, "goals[0]"),
        ({"equipment": tuple(f"item {i}" for i in range(51))}, "equipment"),
        ({"backstory": "x" * 10_001}, "backstory"),
    ],
)
def test_each_broken_rule_is_named(changes, field):
    with pytest.raises(InvalidArgument) as caught:
        validate(sheet(**changes))
    assert caught.value.message.startswith(field)


def test_patch_refuses_system_fields():
    with pytest.raises(InvalidArgument, match="version"):
        sheet().patched({"version": 7})
    assert sheet().patched({"faction": "Rogues"}).faction == "Rogues"


def test_starter_roster_is_valid_and_complete():
    ids = [c.id for c in STARTER_ROSTER]
    assert len(ids) == len(set(ids)) >= 9
    assert set(ids) >= REQUIRED_IDS
    for character in STARTER_ROSTER:
        validate(character)
        assert character.backstory and character.goals
        # Relationships point inside the roster, so any pair makes a story.
        assert set(character.relationships) <= set(ids)
