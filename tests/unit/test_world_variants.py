"""A built-in world drawn per run from its pools: same seed, same world; other seeds,
other wording on the same map; a user's own world kept exactly as given."""

from __future__ import annotations

import json
from pathlib import Path

from services.character.domain.starter_roster import STARTER_ROSTER
from services.simulation.domain import CharacterSheet, WorldState, start_world
from services.simulation.domain.goals import goal_kind
from services.simulation.domain.items import item_kind
from services.simulation.domain.variants import POOLS, varied
from services.simulation.domain.world_spec import world_from_spec
from services.simulation.domain.worlds import WORLDS, world_named, world_of
from services.story.domain.naming import place_alias

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "worlds" / "vellmar.json"
SEEDS = range(40)


def sheets(n: int) -> list[CharacterSheet]:
    return [
        CharacterSheet(
            id=c.id, name=c.name, faction=c.faction, role=c.role, traits=dict(c.traits),
            stats=dict(c.stats), goals=tuple(c.goals), relationships=dict(c.relationships),
            equipment=tuple(c.equipment), backstory=c.backstory,
        )
        for c in STARTER_ROSTER[:n]
    ]  # fmt: skip


def test_every_built_in_world_has_a_pool_for_each_place() -> None:
    for world in WORLDS:
        assert len(POOLS[world.name].places) == len(world.places)


def test_a_draw_keeps_the_map_and_changes_only_wording() -> None:
    for world in WORLDS:
        names: set[tuple[str, ...]] = set()
        for seed in SEEDS:
            drawn = varied(world, seed)
            assert drawn == varied(world, seed)
            drawn.validate()
            assert (drawn.links, drawn.stakes.place, drawn.hazards) == (
                world.links, world.stakes.place, world.hazards,
            )  # fmt: skip
            assert [c.tags for c in drawn.clues[: len(world.clues)]] == [
                c.tags for c in world.clues
            ]
            assert len({c.name for c in drawn.clues}) == len(drawn.clues)
            for before, after in zip(world.items, drawn.items, strict=True):
                assert item_kind(before.name) == item_kind(after.name)
                assert (before.fixed, before.broken, before.at) == (
                    after.fixed, after.broken, after.at,
                )  # fmt: skip
                assert not before.fixed or before.name == after.name
            # Each place keeps a short name of its own: the prose never makes two one.
            shorts = [place_alias(p.name.format(name="Aldermere")) for p in drawn.places]
            assert len(set(shorts)) == len(shorts), shorts
            names.add(tuple(p.name for p in drawn.places))
        assert len(names) > len(SEEDS) // 2, world.name


def test_a_run_draws_its_world_from_its_seed_and_keeps_it_through_a_checkpoint() -> None:
    runs = [
        start_world(sheets(4), seed=s, setting="the storm moon Veyra", scenario="",
                    turns_total=5)
        for s in SEEDS
    ]  # fmt: skip
    assert len({tuple(r.locations) for r in runs}) > 5
    for run in runs[:5]:
        again = WorldState.from_dict(json.loads(json.dumps(run.to_dict())))
        assert again.varied and world_of(again) == world_of(run)
        assert [p.name.format(name="Veyra") for p in world_of(run).places] == run.locations


def test_a_checkpoint_from_before_worlds_varied_keeps_the_plain_world() -> None:
    run = start_world(sheets(2), seed=3, setting="", scenario="", turns_total=5)
    data = run.to_dict()
    del data["varied"]
    assert world_of(WorldState.from_dict(data)) == world_named(run.theme)


def test_a_users_world_keeps_its_own_names() -> None:
    mine = world_from_spec("vellmar", json.loads(EXAMPLE.read_text(encoding="utf-8")))
    assert varied(mine, 7) is mine
    for seed in SEEDS:
        run = start_world(sheets(3), seed=seed, setting="", scenario="", turns_total=5,
                          world=mine)  # fmt: skip
        assert not run.varied
        assert run.locations == [p.name.format(name=mine.default_name) for p in mine.places]


def test_starter_goals_are_told_in_the_runs_own_places_and_keep_their_kind() -> None:
    roster = sheets(len(STARTER_ROSTER))
    told: set[str] = set()
    for seed in SEEDS:
        run = start_world(roster, seed=seed, setting="", scenario="", turns_total=5)
        for sheet, char in zip(roster, run.characters, strict=True):
            kinds = {goal_kind(g) for g in char.goals}
            assert kinds <= {goal_kind(g) for g in sheet.goals} | {None}
            told.update(char.goals)
    assert "Find a safe landing corridor through the storms" not in told
    assert any(place in g for g in told for place in ("archive", "ridge", "tower"))
