"""The checker of a model's chapter: it keeps faithful prose and refuses the rest."""

from __future__ import annotations

import dataclasses
import json

from services.story.domain import Participant
from services.story.domain.chronicler import write_chapter
from services.story.domain.narration import (
    check_prose,
    narrated,
    narration_request,
    read_narration,
)
from tests.unit.test_chronicler import TURN_1, TURN_2, TURN_3, ctx

MIRA = Participant("mira", "Mira Solen", "Medic", "Survey Corps")


def context():
    return dataclasses.replace(ctx("detailed"), participants=(*ctx().participants, MIRA))


def faithful(chapter) -> list[str]:
    return [f"In truth, {p}" for p in chapter.text.split("\n\n")]


def answer(chapter, texts) -> str:
    ids = [",".join(i) or "-" for i in chapter.paragraph_events]
    ids += ["-"] * (len(texts) - len(ids))
    return json.dumps(
        {"paragraphs": [{"event_id": i, "text": t} for i, t in zip(ids, texts, strict=False)]}
    )


def test_a_faithful_retelling_is_kept_with_its_event_ids():
    c = context()
    for number, events in enumerate((TURN_1, TURN_2, TURN_3), 1):
        chapter = write_chapter(c, number, events)
        _system, user, schema = narration_request(c, chapter)
        assert "Mira Solen" in user and f"Chapter {number}" in user
        assert schema["properties"]["paragraphs"]["maxItems"] == len(chapter.text.split("\n\n"))
        texts = read_narration(chapter, answer(chapter, faithful(chapter)))
        assert texts is not None
        assert check_prose(c, chapter, events, texts) == []
        told = narrated(chapter, texts)
        assert told.paragraph_events == chapter.paragraph_events
        assert told.title == chapter.title and told.text != chapter.text


def test_an_absent_character_is_refused():
    c = context()
    chapter = write_chapter(c, 1, TURN_1)
    texts = faithful(chapter)
    texts[-1] += " Mira Solen watched it all."
    assert any("Mira Solen" in p for p in check_prose(c, chapter, TURN_1, texts))


def test_the_dead_do_not_act_again():
    c = context()
    chapter = write_chapter(c, 3, TURN_3)
    texts = [*faithful(chapter)]
    texts[-1] += " Zara Venn survived, unharmed."
    problems = check_prose(c, chapter, TURN_3, texts)
    assert any("death as survival" in p for p in problems)


def test_an_outcome_turned_around_is_refused():
    c = context()
    failed = dataclasses.replace(TURN_1[0], outcome="failure", effects=())
    chapter = write_chapter(c, 1, (failed,))
    texts = [t.replace("In truth,", "Triumphant, she succeeded:") for t in faithful(chapter)]
    assert any("failure as a success" in p for p in check_prose(c, chapter, (failed,), texts))


def test_answers_that_break_the_paragraphs_are_not_read():
    chapter = write_chapter(context(), 1, TURN_1)
    texts = faithful(chapter)
    assert read_narration(chapter, answer(chapter, texts[:-1])) is None
    assert read_narration(chapter, "{not json") is None
    wrong_ids = json.loads(answer(chapter, texts))
    wrong_ids["paragraphs"][0]["event_id"] = "9.9"
    assert read_narration(chapter, json.dumps(wrong_ids)) is None
