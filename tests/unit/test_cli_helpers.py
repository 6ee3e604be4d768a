"""The `novel` command's pure helpers: errors, SSE parsing, progress, options, config."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import httpx
import pytest

from novel_cli import exits, fields, interventions
from novel_cli.api import describe_error
from novel_cli.banner import stack_state, where_everything_is, without_password
from novel_cli.commands.stories import Format, file_name
from novel_cli.connection import resolve, save_login
from novel_cli.exits import CliError
from novel_cli.progress import chapter_in, status_in, story_id_in, turns_in
from novel_cli.sse import Event, SseParser, closes_stream
from novel_cli.stackinfo import queue_depths


def test_errors_read_the_envelope_the_older_shape_or_the_status():
    v1 = json.dumps({"error": {"code": "not_found", "message": "Character 'x' not found"}})
    assert describe_error(404, v1.encode(), {}) == "404 not_found: Character 'x' not found"
    legacy = json.dumps({"error": "Gateway Timeout", "detail": "still writing"})
    assert describe_error(504, legacy.encode(), {}) == "504 Gateway Timeout: still writing"
    assert describe_error(502, b"<html>Bad gateway</html>\n", {}) == "502 <html>Bad gateway</html>"
    busy = json.dumps({"error": {"code": "service_unavailable", "message": "overloaded"}})
    headers = httpx.Headers({"Retry-After": "1"})
    assert describe_error(503, busy.encode(), headers).endswith("overloaded (retry after 1 s)")


def test_exit_codes_follow_the_status():
    assert [exits.for_status(s) for s in (401, 404, 409, 422, 429, 503, 500)] == [
        3,
        4,
        5,
        2,
        6,
        6,
        1,
    ]


def feed(parser: SseParser, text: str) -> list[Event]:
    return [e for line in text.split("\n") if (e := parser.feed(line)) is not None]


def test_sse_parser_joins_data_lines_skips_comments_and_keeps_the_last_id():
    parser = SseParser()
    events = feed(
        parser,
        ': ping\n\nid: 1.0.0\nevent: turn\ndata: {"turn":\ndata: 1}\n\n'
        "event: note\ndata: plain text\n\n",
    )
    assert events == [Event("turn", "1.0.0", {"turn": 1}), Event("note", "1.0.0", "plain text")]


def test_the_stream_closes_after_the_story_or_an_unfinished_status():
    assert closes_stream(Event("story", "", {"story_id": "s"}))
    assert closes_stream(Event("status", "", {"status": "failed", "error": "gone"}))
    assert not closes_stream(Event("status", "", {"status": "completed"}))
    assert not closes_stream(Event("chapter", "", {}))


@pytest.mark.parametrize(
    ("event", "turns"),
    [
        (Event("turn", "3.2.0", {"turn": 3, "events": []}), 3),
        (Event("turn", "7.2.0", {"turns": [{"turn": 6}, {"turn": 7}]}), 7),  # a batch
        (Event("turn", "9.0.0", {"turns": [8, 9]}), 9),
        (Event("turn", "4.0.0", {}), 4),  # only the id says it
        (Event("status", "5.5.1", {"status": "completed", "turns_executed": 5}), 5),
        (Event("chapter", "2.2.0", {"chapter": {"number": 2}}), None),
    ],
)
def test_turns_done_are_read_from_whatever_the_event_carries(event, turns):
    assert turns_in(event) == turns


def test_chapters_status_and_story_are_read_defensively():
    chapter = chapter_in(
        Event("chapter", "", {"chapter": {"number": 2, "title": "T", "text": "x"}})
    )
    assert chapter is not None and chapter.markdown() == "## T\n\nx\n"
    assert chapter_in(Event("chapter", "", {"chapter": {"number": 2}})) is None
    assert chapter_in(Event("chapter", "", "not json")) is None
    assert status_in(Event("status", "", {"status": "cancelled"})) == "cancelled"
    assert story_id_in(Event("story", "", {"story_id": "s1"})) == "s1"


def test_options_become_a_character_body_and_edits_merge_maps():
    change = fields.changes(name="Vera", traits=["brave=0.8"], stat_values=["charisma=7"])
    assert change == {"name": "Vera", "traits": {"brave": 0.8}, "stats": {"charisma": 7}}
    base = {"name": "V", "traits": {"calm": 0.2}, "goals": ["a"], "version": 3}
    merged = fields.apply(base, {"traits": {"brave": 0.8}, "goals": ["b"]})
    assert merged["traits"] == {"calm": 0.2, "brave": 0.8} and merged["goals"] == ["b"]
    assert fields.from_file(base, "f") == {"name": "V", "traits": {"calm": 0.2}, "goals": ["a"]}
    for bad in (["brave"], ["=1"], ["brave=high"]):
        with pytest.raises(CliError) as raised:
            fields.parse_pairs("--trait", bad, float)
        assert raised.value.exit_code == exits.BAD_INPUT
    with pytest.raises(CliError, match="unknown stat 'luck'"):
        fields.stats(["luck=3"])
    with pytest.raises(CliError, match="one character as a JSON object"):
        fields.from_file([base], "f")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("NE_URL", "NE_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NOVEL_CONFIG", str(tmp_path / "config.json"))
    monkeypatch.setenv("NE_RUN_DIR", str(tmp_path / "run"))
    return tmp_path


def test_the_key_is_looked_up_for_the_chosen_url(home: Path, monkeypatch: pytest.MonkeyPatch):
    with pytest.raises(CliError) as raised:
        resolve(None)
    assert raised.value.exit_code == exits.AUTH

    (home / "run").mkdir()
    (home / "run" / "stack.json").write_text(json.dumps({"url": "http://h:1", "key": "dev"}))
    assert resolve(None) == resolve("http://h:1/") and resolve(None).key == "dev"

    path = save_login("https://api.example", "ne_k")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert resolve(None).url == "https://api.example" and resolve(None).key == "ne_k"
    assert resolve("http://h:1").key == "dev"  # each URL keeps its own key
    with pytest.raises(CliError, match="no API key for http://other:2"):
        resolve("http://other:2")
    monkeypatch.setenv("NE_API_KEY", "from-env")
    assert resolve("http://other:2").key == "from-env"
    with pytest.raises(CliError, match="must start with http"):
        resolve("ftp://x")


def test_story_files_are_named_by_title_and_id():
    assert file_name("abc", "The Long Night!", Format.md) == "the-long-night-abc.md"
    assert file_name("abc", "", Format.json) == "abc.json"


def test_queue_depths_come_from_the_metrics_text():
    text = (
        "# TYPE novel_work_queue_pending gauge\n"
        'novel_work_queue_pending{consumer="simulation-workers",otel_scope_name="x"} 3.0\n'
        "# TYPE novel_outbox_backlog gauge\n"
        "novel_outbox_backlog 2.0\n"
        "# TYPE novel_other gauge\n"
        "novel_other 9.0\n"
    )
    assert queue_depths(text) == {
        "novel_work_queue_pending{consumer=simulation-workers}": 3.0,
        "novel_outbox_backlog": 2.0,
    }


def test_make_up_says_where_everything_is():
    state = stack_state(
        url="http://127.0.0.1:8000",
        key="ne_k",
        database_url="postgresql://u:secret@127.0.0.1:5/novel",
        nats_url="nats://127.0.0.1:4222",
        pids={"gateway": 10, "story": 11},
        ports={"gateway": 8000, "gateway-metrics": 9001, "story": 50053, "story-metrics": 9002},
        logs=Path("/r/logs"),
    )
    text = "\n".join(where_everything_is(state, "dev", None))
    for expected in (
        "http://127.0.0.1:8000/docs",
        "http://127.0.0.1:8000/app",
        "http://127.0.0.1:9001/metrics",
        "http://127.0.0.1:9002/metrics",
        "/r/logs/",
        "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317 make up",
    ):
        assert expected in text
    assert "secret" not in text and state["infra"]["postgres"].startswith("postgresql://u:***@")
    traced = "\n".join(where_everything_is(state, "dev", "http://jaeger:4317"))
    assert "sent to http://jaeger:4317" in traced
    assert without_password("nats://127.0.0.1:4222") == "nats://127.0.0.1:4222"


def test_an_intervention_option_names_kind_turn_who_and_text():
    assert interventions.parse("event@8: The relay mast collapses") == {
        "kind": "event",
        "turn": 8,
        "text": "The relay mast collapses",
    }
    assert interventions.parse("event the ridge: A rockslide: loud") == {
        "kind": "event",
        "location": "the ridge",
        "text": "A rockslide: loud",  # only the first colon ends WHO
    }
    assert interventions.parse("Whisper pilot: Marcus lies") == {
        "kind": "whisper",
        "character_id": "pilot",
        "text": "Marcus lies",
    }
    assert interventions.parse("enter@10 zara") == {
        "kind": "enter",
        "turn": 10,
        "character_id": "zara",
    }
    for spec, problem in [
        ("", r"expected KIND\[@TURN\]"),
        ("storm: x", "unknown kind 'storm'"),
        ("event@soon: x", "'soon' is not a turn number"),
        ("whisper: hi", "whisper needs a character"),
        ("goal scientist", "goal needs a text"),
        ("leave marcus: for good", "leave takes no text"),
    ]:
        with pytest.raises(CliError, match=problem) as raised:
            interventions.parse(spec)
        assert raised.value.exit_code == exits.BAD_INPUT


def test_an_interventions_file_is_the_apis_list_or_an_object_holding_one():
    listed = [
        {"kind": "event", "turn": 6, "text": "A comet", "character_id": "", "location": ""},
        {"kind": "enter", "turn": 7, "character_id": "zara", "text": "", "sheet": {"id": "z"}},
    ]
    expected = [
        {"kind": "event", "turn": 6, "text": "A comet"},
        {"kind": "enter", "turn": 7, "character_id": "zara"},  # the sheet is the run's own
    ]
    assert interventions.from_file(listed, "f.json") == expected
    assert interventions.from_file({"interventions": listed}, "bundle.json") == expected
    for data, problem in [
        ({"kind": "event"}, "expected a JSON list"),
        (["event"], r"f.json\[0\]: an intervention is a JSON object"),
        ([{"kind": "event", "text": "x", "when": 3}], "unknown field 'when'"),
        ([{"kind": "event", "text": "x", "turn": "3"}], "turn must be a whole number"),
        ([{"kind": "goal", "text": "x"}], r"f.json\[0\]: goal needs a character"),
    ]:
        with pytest.raises(CliError, match=problem):
            interventions.from_file(data, "f.json")
