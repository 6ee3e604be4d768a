"""Unit tests for the chronicler (services.story.domain).

The fixtures are written by hand: the story service never imports simulation code.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest

from services.story.domain import (
    STYLES,
    Chapter,
    EffectView,
    EventView,
    Participant,
    StoryContext,
    write_chapter,
    write_closing,
    write_opening,
    write_title,
)
from services.story.domain.model import NARRATIVE
from services.story.domain.naming import Names, place_alias

REPO = Path(__file__).resolve().parents[2]

ZARA = Participant("zara", "Zara Venn", "Scout", "Free Traders")
KADE = Participant("kade", "Kade Orr", "Enforcer", "Meridian Company")


def ctx(style: str = "epic", sim: str = "sim-1") -> StoryContext:
    return StoryContext(
        simulation_id=sim,
        participants=(ZARA, KADE),
        setting="the storm moon Veyra",
        scenario="A distress signal pulses from beneath the ice",
        narrative_style=style,
        turns_total=3,
    )


def ev(
    turn: int,
    seq: int,
    actor: Participant | None,
    action: str,
    *,
    target: Participant | None = None,
    target_name: str = "",
    target_id: str = "",
    location: str = "the ridge",
    motive: str = "",
    outcome: str = "none",
    roll: int = 0,
    difficulty: int = 0,
    effects: Sequence[EffectView] = (),
) -> EventView:
    return EventView(
        turn=turn,
        sequence=seq,
        actor_id=actor.id if actor else "director",
        actor_name=actor.name if actor else "the world",
        action=action,
        target_id=target.id if target else target_id,
        target_name=target.name if target else target_name,
        location=location,
        motive=motive,
        outcome=outcome,
        roll=roll,
        difficulty=difficulty,
        effects=tuple(effects),
    )


TURN_1 = (
    ev(
        1,
        0,
        ZARA,
        "investigate",
        target_name="the ridge",
        target_id="loc:the-ridge",
        motive="driven by the goal to find the source of the signal",
        outcome="success",
        roll=17,
        difficulty=14,
        effects=[EffectView("clue_found", "clue:log", "a looping distress beacon log")],
    ),
    ev(
        1,
        1,
        KADE,
        "attack",
        target=ZARA,
        motive="distrusts Zara Venn",
        outcome="success",
        roll=19,
        difficulty=13,
        effects=[
            EffectView("injured", "zara", "4 damage", 4.0),
            EffectView("relationship", "zara", "trust in Kade Orr -0.40", -0.4),
        ],
    ),
)
TURN_2 = (
    ev(
        2,
        0,
        None,
        "complication",
        target_name="the ridge",
        target_id="loc:the-ridge",
        motive="a dust storm howled across the ridge",
        effects=[EffectView("injured", "kade", "1 damage", 1.0)],
    ),
    ev(
        2,
        1,
        ZARA,
        "flee",
        target_name="the old archive",
        target_id="loc:the-old-archive",
        motive="badly hurt and fearing Kade Orr",
        outcome="success",
        roll=15,
        difficulty=11,
        effects=[EffectView("moved", "zara", "to the old archive")],
    ),
    ev(
        2,
        2,
        KADE,
        "move",
        target_name="the old archive",
        target_id="loc:the-old-archive",
        motive="hunting Zara Venn",
        effects=[EffectView("moved", "kade", "to the old archive")],
    ),
)
TURN_3 = (
    ev(
        3,
        0,
        KADE,
        "attack",
        target=ZARA,
        location="the old archive",
        motive="hating Zara Venn",
        outcome="critical_success",
        roll=25,
        difficulty=13,
        effects=[
            EffectView("injured", "zara", "10 damage", 10.0),
            EffectView("killed", "zara", "by Kade Orr"),
            EffectView("item_lost", "zara", "lockpicks"),
        ],
    ),
)
RUN = (TURN_1, TURN_2, TURN_3)


def story(style: str, sim: str = "sim-1") -> str:
    context = ctx(style, sim)
    parts = [write_title(context), write_opening(context)]
    for turn, events in enumerate(RUN, start=1):
        chapter = write_chapter(context, turn, events)
        parts += [chapter.title, chapter.text]
    parts.append(write_closing(context, RUN))
    return "\n\n".join(parts)


def paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


# -- determinism --


@pytest.mark.parametrize("style", STYLES)
def test_same_inputs_give_identical_text(style: str) -> None:
    assert story(style) == story(style)


def test_text_does_not_depend_on_string_hash_randomization() -> None:
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import test_chronicler as t; "
        "print(t.story('epic') + t.story('detailed') + t.story('concise'))"
    )
    outputs = set()
    for hash_seed in ("0", "7", "31337"):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(REPO)}
        done = subprocess.run(
            [sys.executable, "-c", code, str(Path(__file__).resolve().parent)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        outputs.add(done.stdout)
    assert len(outputs) == 1


def test_phrasing_varies_between_events() -> None:
    context = ctx("concise")
    texts = {
        write_chapter(
            context,
            turn,
            [
                ev(
                    turn,
                    0,
                    ZARA,
                    "move",
                    target_name="the ridge",
                    location="the landing site",
                    motive="curious about the ridge",
                )
            ],
        ).text
        for turn in range(1, 13)
    }
    assert len(texts) >= 3


# -- styles --


def test_each_style_reads_differently() -> None:
    texts = {style: story(style) for style in STYLES}
    assert len(set(texts.values())) == len(STYLES)
    assert len(texts["concise"]) < len(texts["epic"])
    assert len(texts["concise"]) < len(texts["detailed"])


def test_concise_chapters_are_one_paragraph() -> None:
    for turn, events in enumerate(RUN, start=1):
        assert len(paragraphs(write_chapter(ctx("concise"), turn, events).text)) == 1


def test_only_the_log_style_shows_rolls_and_relationship_deltas() -> None:
    text = write_chapter(ctx("log"), 1, TURN_1).text
    assert "19" in text and "13" in text  # Kade's roll against the difficulty
    assert "-0.40" in text
    assert "Zara Venn" in text and "Kade Orr" in text
    for style in NARRATIVE:
        prose = write_chapter(ctx(style), 1, TURN_1).text
        assert not re.search(r"\d", prose), prose  # no dice, thresholds or deltas


def test_epic_is_grand() -> None:
    text = story("epic")
    assert any(word in text for word in ("fate", "Fate", "tale"))
    assert "slain" in text


def test_unknown_style_is_rejected_and_case_is_forgiven() -> None:
    with pytest.raises(ValueError):
        write_opening(ctx("poetic"))
    assert write_opening(ctx(" Epic ")) == write_opening(ctx("epic"))


# -- content --


def _marked(events: Sequence[EventView]) -> list[EventView]:
    """The events as the engine sends them when each motive is new."""
    return [
        replace(e, effects=(*e.effects, EffectView("motive", e.actor_id, "new"))) for e in events
    ]


@pytest.mark.parametrize("style", STYLES)
def test_names_motives_and_outcomes_appear(style: str) -> None:
    chapter = write_chapter(ctx(style), 1, _marked(TURN_1))
    assert "Zara Venn" in chapter.text and "Kade Orr" in chapter.text
    assert "find the source of the signal" in chapter.text
    assert "distrusting zara" in chapter.text.lower()  # "distrusts" as a participle
    assert "a looping distress beacon log" in chapter.text


def test_a_motive_is_stated_only_when_it_is_new() -> None:
    text = write_chapter(ctx("detailed"), 1, TURN_1).text
    assert "find the source of the signal" not in text


@pytest.mark.parametrize("style", NARRATIVE)
def test_never_a_log_dump(style: str) -> None:
    text = story(style)
    assert "noteworthy" not in text.lower()
    assert "{" not in text and "}" not in text
    assert "  " not in text
    assert not re.search(r"\b(\w+) \1\b", text)  # no doubled words
    for paragraph in paragraphs(text)[2:]:
        assert paragraph[0].isupper()


@pytest.mark.parametrize("style", STYLES)
def test_two_characters_three_turns_make_a_story(style: str) -> None:
    text = story(style)
    assert len(paragraphs(text)) >= 3
    assert "Zara Venn" in text and "Kade Orr" in text


def test_opening_introduces_participants_setting_and_scenario() -> None:
    for style in STYLES:
        opening = write_opening(ctx(style))
        assert "Zara Venn" in opening and "Kade Orr" in opening
        assert "the storm moon Veyra" in opening
        assert "A distress signal pulses from beneath the ice." in opening
        assert "Free Traders" in opening or style == "epic" or "scout" in opening
    assert "Signal" in write_title(ctx("epic")) or "Veyra" in write_title(ctx("epic"))


@pytest.mark.parametrize("style", STYLES)
def test_closing_reflects_deaths_survivors_and_clues(style: str) -> None:
    closing = write_closing(ctx(style), RUN)
    assert "Zara Venn" in closing and "Kade Orr" in closing
    assert "by Kade" in closing  # the killer, by the short name once introduced
    # The chapters told the find in full; the afterword may name it as one already met.
    assert "looping distress beacon log" in closing
    assert "still" in closing  # Kade still stands


def test_closing_reports_relationships() -> None:
    assert "Zara Venn" in write_closing(ctx("detailed"), RUN)
    assert "-0.40" in write_closing(ctx("log"), RUN)
    assert "-0.40" not in write_closing(ctx("detailed"), RUN)
    # A bond gone sour is told as one, in one of its wordings.
    bitter = ("bitter", "enemy", "forgive", "contempt")
    assert any(word in write_closing(ctx("detailed"), RUN) for word in bitter)
    assert any(word in write_closing(ctx("concise"), RUN) for word in bitter)


def test_chapter_number_is_the_turn_and_events_are_ordered() -> None:
    forward = write_chapter(ctx("detailed"), 2, TURN_2)
    backward = write_chapter(ctx("detailed"), 2, tuple(reversed(TURN_2)))
    assert forward == backward
    assert isinstance(forward, Chapter) and forward.number == 2
    assert forward.title


def test_the_world_speaks_for_director_events() -> None:
    text = write_chapter(ctx("concise"), 2, TURN_2).text
    assert "dust storm howled across the ridge" in text
    assert "the world" not in text.lower().split("dust")[0]


def test_items_read_with_articles() -> None:
    text = write_chapter(ctx("concise"), 3, TURN_3).text
    assert "dropped the lockpicks" in text


# -- edge cases --


@pytest.mark.parametrize("style", STYLES)
def test_empty_turn_is_told_gracefully(style: str) -> None:
    chapter = write_chapter(ctx(style), 4, [])
    assert chapter.number == 4
    assert chapter.title and chapter.text
    assert "noteworthy" not in chapter.text.lower()
    closing = write_closing(ctx(style), [[], []])
    assert "Zara Venn" in closing and "Kade Orr" in closing


def test_unknown_actions_and_effects_still_read_as_prose() -> None:
    odd = ev(
        1,
        0,
        ZARA,
        "sing",
        target=KADE,
        motive="Hoping to calm Kade Orr",
        outcome="success",
        effects=[
            EffectView("charmed", "kade", "for a while"),
            EffectView("motive", ZARA.id, "new"),
        ],
    )
    for style in STYLES:
        text = write_chapter(ctx(style), 1, [odd]).text
        assert "Zara Venn" in text and "sing" in text and "Kade Orr" in text
        assert "{" not in text


def test_sparse_context_still_works() -> None:
    bare = StoryContext("s", (), "", "", "concise", 0)
    assert write_title(bare)
    assert write_opening(bare)
    nameless = replace(TURN_1[0], actor_name="")
    assert "zara" in write_chapter(bare, 1, [nameless]).text.lower()
    assert write_closing(bare, [[nameless]])


def test_places_go_by_full_short_and_head_noun_names_and_people_by_short_names_later() -> None:
    assert place_alias("the Blue Lantern club") == "the club"
    assert place_alias("the crypt beneath the keep") == "the crypt"
    assert place_alias("the docks of Port Calder") == "the docks"
    assert place_alias("the engine room") == "the engine room"  # "the room" names nothing
    names = Names({})
    names.know_places(["the Blue Lantern club", "the docks of Port Calder", "the old keep"])
    said = [names.place("the Blue Lantern club") for _ in range(4)]
    assert said == [
        "the Blue Lantern club",
        "the Blue Lantern club",
        "the club",
        "the Blue Lantern club",
    ]
    # "the keep" would also answer for "the crypt beneath the keep": no alias then.
    names.know_places(["the old keep", "the crypt beneath the keep"])
    assert "the keep" not in names.place_forms("the old keep")

    later = write_chapter(ctx("detailed"), 2, [replace(e, turn=2) for e in TURN_1])
    assert "Zara Venn" not in later.text and "Zara" in later.text


def test_a_deed_with_two_finds_is_two_sentences_and_moves_are_told_together() -> None:
    scout = ev(
        2, 1, ZARA, "scout", target_name="the old archive", target_id="loc:the-old-archive",
        location="the ridge", motive="wanting a first look at the old archive",
        outcome="success",
        effects=[
            EffectView("motive", "zara", "new"),
            EffectView("pronoun", "zara", "she"),
            EffectView("lead", "zara", "the old archive"),
            EffectView("clue_found", "clue:log", "a looping distress beacon log"),
        ],
    )  # fmt: skip
    moved = [EffectView("moved", "kade", "to the old archive")]
    move = ev(
        2, 2, KADE, "move", target_name="the old archive", target_id="loc:the-old-archive",
        outcome="success", effects=moved,
    )  # fmt: skip
    chapter = write_chapter(ctx("detailed"), 2, [scout, move])
    first, *rest = chapter.text.split("\n\n")
    # The find is its own sentence, led by her pronoun; the motive does not trail it.
    assert re.search(r"\. She [a-z ]*a looping distress beacon log\.$", first), first
    assert "wanting" not in first.split(". ")[-1].lower()
    # A plain move, nothing else to it, is the hour's comings and goings at the end.
    assert rest and "Kade" in rest[-1] and "the old archive" in rest[-1]
    assert chapter.paragraph_events[-1] == ("2.2",)


def test_a_motive_that_only_echoes_the_deed_is_not_stated() -> None:
    scout = ev(
        2, 1, ZARA, "scout", target_name="the old archive", target_id="loc:the-old-archive",
        motive="wanting a first look at the old archive", outcome="success",
        effects=[EffectView("motive", "zara", "new")],
    )  # fmt: skip
    search = replace(scout, sequence=2, action="investigate", motive="hunting for the beacon")
    text = write_chapter(ctx("detailed"), 2, [scout, search]).text
    assert "first look" not in text
    assert "hunting for the beacon" in text.lower()  # a motive that says more is stated


def test_settled_goals_are_told_as_done_in_the_past() -> None:
    from services.story.domain.tense import perfect, then

    assert perfect("keep the map and learn who took it") == "kept the map and learned who took it"
    assert perfect("see that nobody is left behind") == "seen to it that nobody was left behind"
    assert perfect("sell what she finds") == "sold what she found"
    assert perfect("the glory of it") == ""  # not a verb it knows: worded otherwise
    assert then("hold the well against anyone who comes") == "hold the well against anyone who came"
    reckoning = ev(
        3, 9, None, "reckoning",
        effects=[EffectView("goal", "zara", "Learn who lit the beacon", 1.0),
                 EffectView("goal", "kade", "Learn who lit the beacon", 1.0),
                 EffectView("goal", "kade", "Keep the ridge safe", -1.0)],
    )  # fmt: skip
    text = write_chapter(ctx("detailed"), 3, [reckoning]).text
    # Who settled the same goal alike share one sentence; a goal lost is told as lost.
    assert text.count("learned who lit the beacon") == 1, text
    assert "Zara" in text and "Kade" in text and "keep the ridge safe" in text


def test_a_swap_is_one_sentence() -> None:
    trade = ev(
        2, 1, ZARA, "trade", target=KADE, outcome="success",
        effects=[EffectView("item_lost", "zara", "lockpicks"),
                 EffectView("item_gained", "kade", "lockpicks"),
                 EffectView("item_lost", "kade", "a flare gun"),
                 EffectView("item_gained", "zara", "a flare gun")],
    )  # fmt: skip
    text = write_chapter(ctx("detailed"), 2, [trade]).text
    swap = [s for s in re.split(r"(?<=[.!?\"])\s+", text) if "lockpicks" in s]
    assert len(swap) == 1 and "flare gun" in swap[0], text


def test_a_line_that_ends_on_a_question_is_asked() -> None:
    asked = 0
    for turn in range(1, 13):  # the lines cycle with the turn
        trade = ev(turn, 1, ZARA, "trade", target=KADE, outcome="success")
        for line in re.findall(r'"([^"]+)"', write_chapter(ctx("detailed"), turn, [trade]).text):
            last = line.rsplit(". ", 1)[-1]
            if last.split(" ", 1)[0].removesuffix("'s") in ("What", "How", "Who", "Why"):
                assert line.endswith("?"), line
                asked += 1
    assert asked


def test_a_line_to_someone_resented_opens_with_the_grudge() -> None:
    from services.story.domain.voice import _GRUDGING

    grudges = [g.strip() for g in _GRUDGING]
    for turn in range(1, 7):
        talk = ev(
            turn, 1, ZARA, "talk", target=KADE, outcome="success",
            effects=[EffectView("voice", "zara", "blunt", -0.6)],
        )  # fmt: skip
        first = re.findall(r'"([^"]+)"', write_chapter(ctx("detailed"), turn, [talk]).text)[0]
        assert any(first.startswith(g) for g in grudges), first


def test_the_first_hour_never_finds_a_place_unchanged() -> None:
    scene = ev(1, 0, None, "scene", effects=[EffectView("scene", "", "the ridge|wind howled")])
    # Requests that differ only in their setting choose their shapes apart.
    stories = [replace(ctx("detailed"), setting=f"the storm moon Veyra {n}") for n in range(40)]
    said = [write_chapter(story, 1, [scene]).text for story in stories]
    assert len(set(said)) > 5
    assert all(not re.search(r"changed|same as ever|as always", t) for t in said)
    assert all("wind howled" in t.lower() for t in said)


def test_a_find_told_twice_in_an_hour_is_the_same_one() -> None:
    # The second finder was also hurt, so the two deeds are told apart.
    hurt = [EffectView("injured", KADE.id, "2 damage", 2)]
    finds = [
        ev(1, n, who, "investigate", target_name="the ridge", target_id="loc:the-ridge",
           outcome="success", motive=f"hunting for clue {n}",
           effects=[EffectView("motive", who.id, "new"),
                    EffectView("clue_found", "clue:log", "a looping distress beacon log"),
                    *(hurt if who is KADE else [])])
        for n, who in enumerate((ZARA, KADE))
    ]  # fmt: skip
    text = write_chapter(ctx("detailed"), 1, finds).text
    second = text.split("a looping distress beacon log", 1)[1]
    assert re.search(r"the same looping|as well|too|also found", second), text


def test_people_finding_the_same_thing_in_an_hour_are_one_discovery() -> None:
    finds = [
        ev(1, n, who, "investigate", target_name="the ridge", target_id="loc:the-ridge",
           outcome="success", motive=f"hunting for clue {n}",
           effects=[EffectView("motive", who.id, "new"),
                    EffectView("clue_found", "clue:log", "a looping distress beacon log",
                               float(n))])
        for n, who in enumerate((ZARA, KADE))
    ]  # fmt: skip
    text = write_chapter(ctx("detailed"), 1, finds).text
    assert text.count("beacon log") == 1, text
    found = next(s for s in text.split(". ") if "beacon log" in s)
    assert "Zara" in found and "Kade" in found, text
    assert "hunting for clue" not in text  # two motives are not one, so neither is said


def test_a_reckoning_of_many_goals_is_one_sentence_and_keeps_the_losses() -> None:
    people = ("Ada Quill", "Bo Reyes", "Cy Dane", "Di Moss")
    cast = [Participant(f"p{n}", name, "Scout", "Free Traders") for n, name in enumerate(people)]
    story = replace(ctx("detailed"), participants=tuple(cast))
    goals = [EffectView("goal", p.id, f"Learn secret number {n}", 1.0) for n, p in
             enumerate(cast)]  # fmt: skip
    goals.append(EffectView("goal", "p0", "Keep the ridge safe", -1.0))
    text = write_chapter(story, 5, [ev(5, 9, None, "reckoning", effects=goals)]).text
    assert "secret number" not in text  # the won goals are summed up, not listed
    assert all(name.split()[0] in text for name in people)
    assert "keep the ridge safe" in text  # a loss is still told
    assert "what they came for" not in text  # someone lost an aim: not "all got"


def test_things_learned_together_share_one_verb() -> None:
    from services.story.domain.consequences import _merge

    merged = _merge(["found out about a torn photograph", "found out about a matchbook"])
    assert merged == ["found out about a torn photograph and a matchbook"]
    assert _merge(["found a map", "found a key"]) == ["found a map and a key"]


def test_a_scenario_settled_before_the_last_hour_says_what_the_rest_is_for() -> None:
    """The climax names whose deed it was; one before the last hour adds a line on what
    the hours left are for, the last hour's does not."""
    win = ev(
        3, 1, ZARA, "investigate", target_name="the old archive", location="the old archive",
        outcome="success",
        effects=[EffectView("resolution", "zara", "the beacon was lit again", 1.0)],
    )  # fmt: skip
    early = write_chapter(replace(ctx("detailed"), turns_total=6), 3, [win]).text
    last = write_chapter(ctx("detailed"), 3, [win]).text
    ending = early.split("\n\n")[-1]
    assert "the beacon was lit again" in ending and "Zara" in ending
    assert last.split("\n\n")[-1] in ending and len(ending) > len(last.split("\n\n")[-1])


def test_a_goal_its_motive_just_stated_is_not_retold_in_the_reckoning() -> None:
    """The motive says the goal in full; the reckoning of the same hour says it short.
    A goal no motive stated this hour is still told in full."""
    deed = ev(
        4, 1, ZARA, "investigate", target_name="the ridge", outcome="success",
        motive="driven by the goal to map the caverns under the ridge",
        effects=[EffectView("motive", "zara", "new")],
    )  # fmt: skip
    settled = [EffectView("goal", "zara", "Map the caverns under the ridge", 1.0)]
    text = write_chapter(ctx("detailed"), 4, [deed, ev(4, 9, None, "reckoning", effects=settled)])
    assert text.text.count("the caverns under the ridge") == 1, text.text
    alone = write_chapter(ctx("detailed"), 4, [ev(4, 9, None, "reckoning", effects=settled)])
    assert "mapped the caverns under the ridge" in alone.text, alone.text
