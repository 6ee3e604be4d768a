"""Goals read against the world, titles from a run's events, and the past tense of a
user's scenario: the pieces the story-quality round 2 added (pure functions)."""

from __future__ import annotations

from services.simulation.domain.fitting import fit_goals, fits
from services.simulation.domain.goals import goal_kind
from services.simulation.domain.worlds import WORLDS
from services.story.domain import EffectView, EventView, Participant, StoryContext, write_title
from services.story.domain.naming import Names, short_place
from services.story.domain.tense import past

ICE, KINGDOM = WORLDS[0], next(w for w in WORLDS if w.name == "kingdom")


def test_a_goal_of_another_world_is_rewritten_keeping_its_kind() -> None:
    goal = "Find a safe landing corridor through the storms"
    assert fits(goal, ICE) and not fits(goal, KINGDOM)
    places = [p.name.format(name="Lhen") for p in KINGDOM.places]
    fitted = fit_goals([goal, "Keep everyone alive"], KINGDOM, "Lhen", places)
    assert fitted[1] == "Keep everyone alive"  # fits anywhere: untouched
    assert "storm" not in fitted[0].lower() and "landing" not in fitted[0].lower()
    assert goal_kind(fitted[0]) == goal_kind(goal)
    assert any(p in fitted[0] for p in places)  # told in this world's places
    assert fit_goals([goal], KINGDOM, "Lhen", places) == fitted[:1]  # deterministic


def test_the_default_worlds_name_becomes_this_worlds() -> None:
    places = [p.name.format(name="Io") for p in ICE.places]
    assert fit_goals(["Get the crew off Veyra alive"], ICE, "Io", places) == [
        "Get the crew off Io alive"
    ]


def test_scenarios_and_obstacles_read_in_the_past_tense() -> None:
    assert (
        past("A distress signal pulses under the ice.") == "A distress signal pulsed under the ice."
    )
    assert past("The reactor is failing and someone is lying") == (
        "The reactor was failing and someone was lying"
    )
    assert past("A map points to a wreck the tide will bury") == (
        "A map pointed to a wreck the tide would bury"
    )
    assert past("the ship's failsafes are sealing deck after deck") == (
        "the ship's failsafes were sealing deck after deck"
    )
    assert past("A relic was stolen.") == "A relic was stolen."


def test_names_are_full_once_then_short_and_never_shared() -> None:
    names = Names(
        {
            "a": "Dr. Ilan Okafor",
            "b": "Zara Kade",
            "c": "Zara Venn",
            "p": "the docks of Port Calder",
        },
        people=["a", "b", "c"],
    )
    assert [names.of("a"), names.of("a")] == ["Dr. Ilan Okafor", "Okafor"]
    assert [names.of("b"), names.of("b")] == ["Zara Kade", "Zara Kade"]  # "Zara" is two people
    assert short_place("the docks of Port Calder") == "the docks"
    assert [names.place("the docks of Port Calder"), names.place("the docks of Port Calder")] == [
        "the docks of Port Calder",
        "the docks",
    ]
    text = "Okafor? Dr. Ilan Okafor met Dr. Ilan Okafor."
    assert names.shorten_repeats(text) == "Okafor? Dr. Ilan Okafor met Okafor."


def _event(turn: int, actor: Participant, effects: tuple[EffectView, ...]) -> EventView:
    return EventView(turn, 1, actor.id, actor.name, "investigate", "loc:docks", "the docks",
                     "the docks of Port Calder", "", "success", 0, 0, effects)  # fmt: skip


def test_titles_come_from_the_events_when_given() -> None:
    kai, tess = Participant("kai", "Kai Nakamura"), Participant("tess", "Tess")
    ctx = StoryContext("s", (kai, tess), "rain-soaked Port Calder", "A councilman died.",
                       "detailed", 2)  # fmt: skip
    found = (EffectView("clue_found", "kai", "a blood-stained matchbook"),)
    events = [_event(1, kai, found), _event(2, tess, ())]
    titled = write_title(ctx, events)
    assert titled != write_title(ctx)  # the old call still works and differs
    assert "Matchbook" in titled or "Two Hours" in titled
    assert write_title(ctx, events) == titled


def test_a_pronoun_follows_only_a_sentence_about_that_person_alone() -> None:
    names = Names({"z": "Zara Kade", "k": "Kade Orr"}, people=["z", "k"])
    names.set_pronouns({"z": "she", "k": "they"})  # only "she" and "he" are used
    told = names.with_pronouns(
        [
            "Zara Kade searched the docks.",
            "Zara found a map.",  # about Zara alone before: "She"
            "Zara warned Kade Orr.",  # the sentence before named only Zara: "She"
            "Zara and Kade ran.",  # a group keeps its names
            "Kade Orr was hurt.",  # no pronoun given for Kade
        ]
    )
    assert told == [
        "Zara Kade searched the docks.",
        "She found a map.",
        "She warned Kade Orr.",
        "Zara and Kade ran.",
        "Kade Orr was hurt.",
    ]


def test_a_sheet_gives_a_pronoun_only_when_its_backstory_uses_one_kind() -> None:
    from services.simulation.domain.creation import pronoun_of

    assert pronoun_of("Rhea flew cargo. She has never lost a ship.") == "she"
    assert pronoun_of("He talks to machines more than to people.") == "he"
    assert pronoun_of("Kai was nineteen when they sold their first map.") == ""
    assert pronoun_of("She said he would come.") == ""
