"""The engine's side of forks, interventions and knowledge (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from novel_engine.v1 import simulation_pb2
from services.gateway.formats.bundle import NotReplayable, replay_interventions
from services.simulation.domain import (
    DIRECTOR_ID,
    CharacterSheet,
    TurnResult,
    WorldState,
    start_world,
)
from services.simulation.domain.interventions import Intervention, checked
from services.simulation.domain.knowledge import KnowledgeTrail, event_id
from services.simulation.service.lineage import play, reseeded
from tests.unit.test_engine import EXPEDITION

CAST = tuple(s.id for s in EXPEDITION)


def _start(seed: int = 7, turns: int = 12) -> WorldState:
    return start_world(EXPEDITION, seed=seed, setting="Veyra", scenario="", turns_total=turns)


def _dump(results: Sequence[TurnResult]) -> list[list[dict[str, object]]]:
    return [[e.to_dict() for e in r.events] for r in results]


def test_a_run_continued_from_its_world_at_n_repeats_the_rest() -> None:
    whole = list(play(_start(), 12, ()))
    prefix = list(play(_start(), 5, ()))
    rest = list(play(prefix[-1].world, 12, ()))
    assert _dump(prefix + rest) == _dump(whole)
    # Its checkpoint form carries everything, the dice included.
    thawed = WorldState.from_dict(prefix[-1].world.to_dict())
    assert _dump(list(play(thawed, 12, ()))) == _dump(rest)


def test_reseeding_at_the_fork_changes_what_follows() -> None:
    at_five = list(play(_start(), 5, ()))[-1].world
    same = list(play(at_five, 12, ()))
    other = list(play(reseeded(at_five, 99), 12, ()))
    assert _dump(same) != _dump(other)


def test_an_intervention_changes_the_run_from_its_turn_and_is_deterministic() -> None:
    steer = (Intervention(4, "goal", "pilot", "steal the engineer's signal flare"),)
    plain = _dump(list(play(_start(), 12, ())))
    steered = list(play(_start(), 12, steer))
    assert _dump(steered)[:3] == plain[:3]
    assert _dump(steered) != plain
    assert _dump(list(play(_start(), 12, steer))) == _dump(steered)
    directed = [e for e in steered[3].events if e.actor_id == DIRECTOR_ID and e.action == "goal"]
    assert [(e.turn, e.sequence, e.target_id) for e in directed] == [(4, 1, "pilot")]
    assert steered[3].world.character("pilot").goals == ["steal the engineer's signal flare"]


def test_leave_and_enter() -> None:
    steer = (
        Intervention(2, "leave", "pilot"),
        Intervention(4, "enter", "pilot", location="nowhere known"),
    )
    results = list(play(_start(), 6, steer))
    gone = results[1].world.character("pilot")
    assert not gone.alive and gone.location == ""
    assert all(e.actor_id != "pilot" for r in results[1:3] for e in r.events)
    assert results[3].world.character("pilot").alive
    (entered,) = [e for e in results[3].events if e.action == "enter"]
    assert (entered.outcome, entered.location) == ("success", results[3].world.locations[0])


def test_a_newcomer_enters_with_its_sheet_and_acts() -> None:
    sheet = CharacterSheet(
        id="drifter",
        name="Ines Calloway",
        goals=("Find the lost beacon",),
        relationships={"pilot": 0.5},
        equipment=("lantern",),
    )
    steer = (Intervention(3, "enter", "drifter", sheet=sheet.to_dict()),)
    results = list(play(_start(), 8, steer))
    assert all(r.world.find_character("drifter") is None for r in results[:2])
    joined = results[2].world.character("drifter")
    assert joined.alive and joined.relationships["pilot"] == 0.5
    assert [i.name for i in results[2].world.items_of("drifter")][:1] == ["lantern"]
    assert any(e.actor_id == "drifter" for r in results[2:] for e in r.events)
    # Its sheet travels with the intervention: the same run comes out again.
    again = [Intervention.from_dict(i.to_dict()) for i in steer]
    assert _dump(list(play(_start(), 8, again))) == _dump(results)
    with pytest.raises(ValueError, match="not in this run"):
        checked(Intervention(3, "enter", "drifter"), cast=CAST, first_turn=1, turns_total=8)


def test_a_whisper_is_known_to_its_addressee_only() -> None:
    steer = (Intervention(3, "whisper", "pilot", "The reactor is rigged to blow."),)
    results = list(play(_start(), 6, steer))
    trails = {cid: KnowledgeTrail(cid) for cid in CAST}
    for result in results:
        for trail in trails.values():
            trail.follow(result)
    told = trails["pilot"].at(results[-1].world)
    whispers = [k for k in told.facts if k.text == "The reactor is rigged to blow."]
    assert [s.how for k in whispers for s in k.sources] == ["whispered"]
    for other in CAST[1:]:
        known = trails[other].at(results[-1].world)
        texts = [k.text for k in (*known.facts, *known.beliefs)]
        assert "The reactor is rigged to blow." not in texts


def test_knowledge_cites_only_events_the_character_witnessed() -> None:
    results = list(play(_start(seed=3, turns=15), 15, ()))
    ids = {event_id(e): e for r in results for e in r.events}
    for cid in CAST:
        trail = KnowledgeTrail(cid)
        for result in results:
            trail.follow(result)
        known = trail.at(results[-1].world)
        me = results[-1].world.character(cid)
        remembered = {f"{m.turn}.{m.sequence}" for m in me.memories}
        for item in (*known.facts, *known.beliefs, *known.memories):
            assert item.sources
            for source in item.sources:
                assert source.event_id in ids  # a real event of this run
                event = ids[source.event_id]
                # Witnessed: the character's own deed, its target, or where it stood.
                assert (
                    cid in (event.actor_id, event.target_id)
                    or source.event_id in remembered
                    or any(e.subject_id == cid for e in event.effects)
                    or event.location in {m.location for m in me.memories}
                )
        assert len(known.memories) == len(me.memories)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (Intervention(3, "storm", "", "x"), "kind must be one of"),
        (Intervention(0, "event", "", "x"), "turn must be 2..12"),
        (Intervention(13, "event", "", "x"), "turn must be 2..12"),
        (Intervention(3, "event", "", "   "), "text is required"),
        (Intervention(3, "whisper", "", "x"), "character_id is required"),
        (Intervention(3, "goal", "stranger", "x"), "not in this run"),
        (Intervention(3, "event", "", "x" * 501), "at most 500"),
        (Intervention(3, "enter", "pilot", location="y" * 101), "location: at most 100"),
    ],
)
def test_bad_interventions_are_refused_by_name(given: Intervention, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        checked(given, cast=CAST, first_turn=2, turns_total=12)


def test_text_is_trimmed_to_one_line() -> None:
    kept = checked(
        Intervention(2, "event", "", " A bell\n rings\x0b twice "),
        cast=CAST,
        first_turn=1,
        turns_total=3,
    )
    assert kept.text == "A bell rings twice"


def _sim(sim_id: str, parent: str, fork_turn: int, seed: int, *given: Intervention):
    return simulation_pb2.Simulation(
        id=sim_id,
        parent_id=parent,
        fork_turn=fork_turn,
        seed=seed,
        interventions=[
            simulation_pb2.Intervention(
                turn=i.turn, kind=i.kind, character_id=i.character_id, text=i.text
            )
            for i in given
        ],
    )


def test_a_branch_of_a_branch_is_told_again_by_one_run_with_its_lineages_interventions() -> None:
    """Root R steered at 2 and 6; P forks R at 5 (keeps R's 6, adds 7); Q forks P at 3
    (keeps P's 6 and 7, adds 4). A run from turn 1 with what the bundle of Q carries
    (R's up to 3, then Q's own) plays Q's turns: R's to 3, then Q's from R's world at 3."""
    a, b = Intervention(2, "event", "", "A bell tolls"), Intervention(6, "leave", "marcus")
    c, d = Intervention(7, "goal", "pilot", "run"), Intervention(4, "whisper", "pilot", "hush")
    root = _sim("r", "", 0, 7, a, b)
    p = _sim("p", "r", 5, 7, b, c)
    q = _sim("q", "p", 3, 7, b, c, d)
    carried = replay_interventions([q, p, root])
    assert [(i.turn, i.kind) for i in carried] == [
        (2, "event"),
        (6, "leave"),
        (7, "goal"),
        (4, "whisper"),
    ]
    shared = list(play(_start(), 3, (a, b)))
    own = list(play(shared[-1].world, 12, (b, c, d)))
    again = [Intervention(i.turn, i.kind, i.character_id, i.text) for i in carried]
    assert _dump(list(play(_start(), 12, again))) == _dump(shared + own)
    # A branch given other dice at its fork turn: no run from turn 1 plays it.
    with pytest.raises(NotReplayable, match="'q' re-seeded its dice at turn 3 of 'p'"):
        replay_interventions([_sim("q", "p", 3, 99, d), p, root])
