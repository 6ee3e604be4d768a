"""The engine's seam for model decisions: legal options, honoured choices, the prompt."""

from __future__ import annotations

import dataclasses
import json

from services.simulation.domain import run_turn, start_world
from services.simulation.domain.actions import Action
from services.simulation.domain.choices import decision_points
from services.simulation.domain.decision_prompt import decision_request, read_choice
from services.simulation.domain.intent import Intent
from tests.unit.test_engine import EXPEDITION


def world(seed: int = 7):
    return start_world(
        EXPEDITION, seed=seed, setting="Veyra", scenario="a crash landing", turns_total=6
    )


def test_decision_points_change_nothing_and_list_each_living_character():
    before = world()
    snapshot = json.dumps(before.to_dict(), sort_keys=True)
    points = decision_points(before)
    assert json.dumps(before.to_dict(), sort_keys=True) == snapshot
    assert [p.actor_id for p in points] == [c.id for c in before.characters]
    for point in points:
        keys = [(o.action, o.target_id) for o in point.options]
        assert len(keys) == len(set(keys)) and len(keys) >= 3


def test_no_choices_is_the_policy_run_and_choices_steer_it():
    base = world()
    offline = run_turn(base)
    assert run_turn(base, {}).events == offline.events
    points = decision_points(base)
    # Every character picks its last option; each is legal at its moment or overruled.
    chosen = {p.actor_id: p.options[-1] for p in points}
    steered = run_turn(base, chosen)
    acted = {e.actor_id: e for e in steered.events if e.actor_id in chosen}
    for actor_id, intent in chosen.items():
        if actor_id in steered.overruled:
            continue
        assert acted[actor_id].action == intent.action.value
        assert acted[actor_id].target_id == intent.target_id
    assert steered.events != offline.events
    # The RNG is consumed the same way: the same choices give the same turn.
    assert run_turn(base, chosen).events == steered.events


def test_an_illegal_choice_is_overruled_by_the_policy():
    base = world()
    offline = run_turn(base)
    ghost = Intent(Action.ATTACK, "nobody", "Nobody", "spite")
    result = run_turn(base, {"pilot": ghost})
    assert result.overruled == ("pilot",)
    assert result.events == offline.events


def test_the_prompt_holds_only_what_the_character_knows():
    base = world()
    point = decision_points(base)[0]
    _system, user, schema = decision_request(point)
    here = {c.name for c in point.view.present} | {point.view.name}
    elsewhere = {c.name for c in base.characters} - here - {w.name for w in point.view.elsewhere}
    assert all(name not in user for name in elsewhere)
    assert f"You are {point.view.name}" in user
    assert schema["properties"]["option"]["maximum"] == len(point.options)
    assert user.count("\n") > len(point.options)
    # No hidden clue or hidden item name leaks into the prompt.
    for clue in base.clues:
        if clue.id not in base.character(point.actor_id).known_clues:
            assert clue.name not in user


def test_only_a_valid_option_number_is_read():
    point = decision_points(world())[0]
    assert read_choice(point, json.dumps({"option": 1})) == point.options[0]
    for bad in (
        "{not json",
        "[]",
        '{"option": 0}',
        '{"option": 999}',
        '{"option": "1"}',
        '{"option": true}',
        '{"choice": 1}',
    ):
        assert read_choice(point, bad) is None


def test_a_choice_keeps_the_motive_of_its_moment():
    base = world()
    point = decision_points(base)[0]
    renamed = dataclasses.replace(point.options[0], motive="whatever the model said")
    result = run_turn(base, {point.actor_id: renamed})
    mine = [e for e in result.events if e.actor_id == point.actor_id]
    assert mine and mine[0].motive != "whatever the model said"
