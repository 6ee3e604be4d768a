"""The mapping of foreign character files onto the sheet (pure domain)."""

from __future__ import annotations

import json

import pytest

from novel_platform.character_cards import card_v2
from novel_platform.errors import InvalidArgument
from services.character.domain.importing import import_files
from services.character.domain.model import validate
from tests import character_files

# "Billion laughs": each level lists the one before nine times (9**6 values in all).
LAUGHS = b"l0: &l0 [x, x, x, x, x, x, x, x, x]\n" + b"".join(
    f"l{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 9)}]\n".encode() for n in range(1, 7)
)


def _import(files: dict[str, str]) -> dict:
    results = import_files([(k, v.encode()) for k, v in files.items()])
    return {r.source: r for r in results}


def test_every_older_format_keeps_traits_and_faction():
    results = _import(character_files.older_folders())
    assert set(results) == {
        "characters/grak_ironjaw",
        "characters/kara_venn",
        "characters/brother aldric",
        "characters/iska-marr",
    }
    for result in results.values():
        assert result.error == "", result
        assert result.character is not None
        validate(result.character)

    grak = results["characters/grak_ironjaw"].character
    assert (grak.id, grak.name, grak.faction) == ("grak-ironjaw", "Grak Ironjaw", "Iron Horde")
    assert set(grak.traits) == {"aggressive", "loud"}
    assert "Skulls for the skull throne" in grak.notes  # a motto is no trait: kept
    assert "Red Fang Warband" in grak.notes

    kara = results["characters/kara_venn"]
    assert kara.character.faction == "Ashen Guard"  # from **Affiliation**
    assert kara.character.role == "Squad Sergeant"
    assert {"stubborn", "fiercely loyal", "dry humour"} <= set(kara.character.traits)
    assert kara.character.traits["loyalty"] == 0.9  # psychological_profile 9/10
    assert kara.character.stats["intelligence"] == 9  # tactics
    assert kara.character.relationships == {
        "tomas-reed": 0.6, "the-pale-king": -0.6, "old-hesk": 0.8
    }  # fmt: skip
    assert "Born in the under-hive" in kara.character.backstory
    assert any("**Affiliation** -> faction" in m for m in kara.mapped)
    assert "Regiment" in kara.notes
    assert "Regiment: Ninth Ashen" in kara.character.notes

    aldric = results["characters/brother aldric"].character
    assert aldric.id == "brother-aldric"
    assert (aldric.faction, aldric.role) == ("Order of the Ember", "Chaplain")
    assert aldric.traits["zealous"] == 0.9
    assert aldric.traits["patient"] == 0.8
    assert aldric.traits["self-preservation"] == 0.3
    assert "grim" in aldric.traits and "speaks rarely" in aldric.notes

    iska = results["characters/iska-marr"].character
    assert (iska.faction, iska.role) == ("Free Traders", "Navigator")
    assert {"curious", "reckless"} <= set(iska.traits)
    assert iska.stats["dexterity"] == 10
    assert "Lost her first ship" in iska.backstory
    assert "Fatalism: 2" in iska.notes


def test_card_v2_maps_refuses_and_keeps():
    [result] = import_files([("mira.json", json.dumps(character_files.card_v2()).encode())])
    mira = result.character
    assert mira is not None and mira.id == "mira-sol"
    assert set(mira.traits) == {"patient", "watchful", "stubborn"}
    assert mira.backstory == "A lighthouse keeper on a drowned coast."
    assert "First message: The lamp is lit." in mira.notes
    assert any(r.startswith("data.system_prompt:") for r in result.refused)
    assert any(r.startswith("data.extensions.depth_prompt:") for r in result.refused)


def test_our_own_card_round_trips_the_whole_sheet():
    sheet = {
        "id": "vera-lind", "name": "Vera Lind", "faction": "Survey Corps", "role": "Pilot",
        "traits": {"courage": 0.85, "caution": 0.35},
        "stats": {"strength": 4, "dexterity": 9, "intelligence": 6, "willpower": 7,
                  "perception": 8, "charisma": 6},
        "goals": ["Land safely"], "relationships": {"pilot": 0.5},
        "equipment": ["flare"], "backstory": "Flew cargo.", "notes": "Age: 30", "version": 3,
    }  # fmt: skip
    card = card_v2(sheet)
    [result] = import_files([("vera.card.json", json.dumps(card).encode())])
    got = result.character
    assert got is not None
    for key in ("id", "name", "faction", "role", "backstory", "notes"):
        assert getattr(got, key) == sheet[key]
    assert dict(got.traits) == sheet["traits"] and dict(got.stats) == sheet["stats"]
    assert list(got.goals) == sheet["goals"] and list(got.equipment) == sheet["equipment"]
    assert dict(got.relationships) == sheet["relationships"]


def test_a_character_the_model_refuses_is_reported_not_raised():
    [result] = import_files([("c/x/sheet.md", b"name: " + b"N" * 150 + b"\n")])
    assert result.character is None
    assert "name" in result.error or any("name" in r for r in result.refused)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"c/a/stats.yaml": b"character: {name: [unclosed"}, "c/a/stats.yaml: not valid YAML"),
        ({"c/a/stats.yaml": LAUGHS}, "more than 5000 values"),
        ({"c/a/s.md": b"name: A\x00B\n"}, "control character"),
        ({"c/a/s.md": b"name: \xff\xfe\n"}, "not UTF-8"),
        ({"c/a/s.md": b"```\nname: A\n"}, "never closed"),
        ({"c/a/s.md": b"x\n" * 6000}, "more than 5000 lines"),
        ({"card.json": b"[" * 50 + b"]" * 50}, "nested deeper"),
        ({"card.json": b"{not json"}, "not valid JSON"),
        ({"card.json": b"[null, null]"}, "a character card is a JSON object"),
        ({"c/a/run.exe": b"MZ"}, "not a character file"),
        ({"c/../../etc/passwd.md": b"name: x"}, "climb out"),
        ({"__MACOSX/._x.md": b"junk"}, "no character sheet"),
    ],
)
def test_unreadable_files_are_refused_naming_the_file(files, message):
    with pytest.raises(InvalidArgument) as caught:
        import_files(list(files.items()))
    assert message in caught.value.message
