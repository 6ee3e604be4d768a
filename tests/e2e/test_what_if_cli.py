"""What if from the command line: `novel simulations fork|branches|intervene|knowledge`,
`novel stories diff` and the export formats, run as a person runs them against a real
(paced) stack: PostgreSQL, NATS, the gateway and the services."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from tests.e2e.cli import Run, novel

pytestmark = pytest.mark.e2e

CAST = ("pilot", "scientist", "marcus")
TURNS = 10
FORK_TURN = 4
COMET = "A red comet splits the sky over the camp"


@pytest.fixture(scope="module")
def env(paced_stack, tmp_path_factory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("what-if-cli")
    return {
        "NE_URL": paced_stack.url,
        "NE_API_KEY": paced_stack.key,
        "NOVEL_CONFIG": str(home / "config.json"),
        "NE_RUN_DIR": str(home / "run"),
    }


@pytest.fixture(scope="module")
def api(paced_stack):
    with httpx.Client(
        base_url=paced_stack.url,
        headers={"Authorization": f"Bearer {paced_stack.key}"},
        timeout=30,
    ) as client:
        yield client


def ok(run: Run) -> Run:
    assert run.code == 0, run.err
    assert "Traceback" not in run.err
    return run


def refused(run: Run, code: int, *needles: str) -> None:
    """A clear one-line error and the exit code of its kind, never a traceback."""
    assert run.code == code, (run.code, run.out, run.err)
    assert run.err.startswith("novel: ") or "Usage:" in run.err, run.err
    assert "Traceback" not in run.err
    for needle in needles:
        assert needle in run.err, run.err


def followed_story(run: Run) -> str:
    """The story id a `--follow --json` run ends with."""
    ok(run)
    last = json.loads(run.out.splitlines()[-1])
    assert last["event"] == "story", last
    return str(last["data"]["story_id"])


@pytest.fixture(scope="module")
def parent(env) -> tuple[dict, str]:
    """A finished paced run of the starter roster and its story id."""
    started = json.loads(
        ok(novel("simulate", *CAST, "--turns", str(TURNS), "--seed", "4242", "--json", env=env)).out
    )
    story_id = followed_story(novel("simulations", "follow", started["id"], "--json", env=env))
    return started, story_id


@pytest.fixture(scope="module")
def steered(env, parent) -> tuple[dict, str]:
    """A branch after turn FORK_TURN with an event and a whisper, followed to its end."""
    run, _ = parent
    forked = novel(
        "simulations",
        "fork",
        run["id"],
        "--turn",
        str(FORK_TURN),
        "-i",
        f"event: {COMET}",
        "-i",
        "whisper pilot: Marcus lies",
        "--json",
        env=env,
    )
    branch = json.loads(ok(forked).out)
    story_id = followed_story(novel("simulations", "follow", branch["id"], "--json", env=env))
    return branch, story_id


def test_fork_follows_the_branch_and_intervention_options_reach_the_run(env, api, parent):
    run, _ = parent
    # Without --follow: the branch as queued, its interventions at the first turn after
    # the fork (no @TURN given).
    made = json.loads(
        ok(
            novel(
                "simulations",
                "fork",
                run["id"],
                "--turn",
                str(FORK_TURN),
                "--seed",
                "99",
                "-i",
                "goal@6 scientist: get off this moon",
                "-i",
                "leave@7 marcus",
                "-i",
                f"event the camp: {COMET}",
                "--json",
                env=env,
            )
        ).out
    )
    assert (made["parent_id"], made["fork_turn"], made["seed"]) == (run["id"], FORK_TURN, 99)
    assert [
        (i["kind"], i["turn"], i["character_id"] or i["location"]) for i in made["interventions"]
    ] == [
        ("goal", 6, "scientist"),
        ("leave", 7, "marcus"),
        ("event", FORK_TURN + 1, "the camp"),
    ]
    story_id_b = followed_story(novel("simulations", "follow", made["id"], "--json", env=env))
    story = api.get(f"/v1/stories/{story_id_b}").json()
    assert f"{COMET}." in story["chapters"][FORK_TURN]["text"]

    # The same from a file: the API's own objects, e.g. a simulation's "interventions".
    saved = Path(env["NE_RUN_DIR"]).parent / "steer.json"
    saved.write_text(json.dumps(made))
    again = json.loads(
        ok(
            novel(
                "simulations",
                "fork",
                run["id"],
                "--turn",
                str(FORK_TURN),
                "--interventions-file",
                str(saved),
                "--json",
                env=env,
            )
        ).out
    )
    assert again["interventions"] == made["interventions"]

    # --follow watches the branch be written, as `simulate --follow` does a run.
    watched = ok(
        novel(
            "simulations",
            "fork",
            run["id"],
            "--turn",
            str(TURNS - 2),
            "--seed",
            "5",
            "--follow",
            env=env,
        )
    )
    assert f"{TURNS}/{TURNS}" in watched.out
    assert f"is written: {TURNS} chapters" in watched.out

    # A person's view: the branch and how to follow it.
    said = ok(novel("simulations", "fork", run["id"], "--turn", "0", env=env)).out
    assert re.match(
        rf"forked {run['id']} after turn 0: branch \S+ \(queued, 0 interventions\)", said
    )
    assert "follow it with: novel simulations follow" in said


def test_branches_shows_the_tree_with_fork_turns(env, api, parent, steered):
    run, _ = parent
    branch, branch_story = steered
    tree = api.get(f"/v1/simulations/{run['id']}/branches").json()
    listed = json.loads(ok(novel("simulations", "branches", run["id"], "--json", env=env)).out)

    def shape(t: dict) -> list[tuple]:  # (earlier branches may still be running)
        return [(i["id"], i["parent_id"], i["fork_turn"]) for i in t["items"]]

    assert listed["root_id"] == tree["root_id"] and shape(listed) == shape(tree)
    assert len(tree["items"]) >= 2

    shown = ok(novel("simulations", "branches", branch["id"], env=env)).out
    lines = shown.splitlines()
    assert lines[0].startswith(run["id"])  # the first run is the root
    at = next(n for n, line in enumerate(lines) if branch["id"] in line)
    branch_line = lines[at]
    assert f"forked after turn {FORK_TURN}" in branch_line and "(this one)" in branch_line
    assert "2 interventions" in branch_line
    assert lines[at + 1].strip().endswith(f"story {branch_story}")
    assert re.match(r"^[│ ]*[├└]── ", branch_line)  # drawn under its parent
    for item in tree["items"]:
        assert item["id"] in shown
    count = len(tree["items"]) - 1
    assert lines[-1] == f"{count} branch" + ("" if count == 1 else "es")


def test_diff_says_where_the_stories_part_and_shows_both_chapters(env, api, parent, steered):
    _, story_id = parent
    _, branch_story = steered
    expected = api.get(f"/v1/stories/{story_id}/diff/{branch_story}").json()
    first = expected["first_differing_turn"]
    assert first == FORK_TURN + 1

    stacked = ok(novel("stories", "diff", story_id, branch_story, "--layout", "stacked", env=env))
    assert f"They part at turn {first}." in stacked.out
    pair = expected["chapters"][0]
    assert pair["number"] == first
    for side in ("a", "b"):
        assert f"Chapter {first}: {pair[side]['title']}" in stacked.out
    # One after the other: A's chapter, then B's (which tells the comet).
    a_part, b_part = stacked.out.split(f"\nB:\nChapter {first}: ", 1)
    assert f"\nA:\nChapter {first}: " in a_part and "red comet" not in a_part
    assert "red comet" in b_part.split(f" Chapter {first + 1} ")[0]  # (lines wrap)
    assert "Chapter 4:" not in stacked.out  # the shared chapters are not shown

    wide = ok(
        novel("stories", "diff", story_id, branch_story, "--layout", "side", "--events", env=env)
    )
    assert "Chapters" in wide.out and "Events" in wide.out
    assert f"{first}.0" in wide.out or f"{first}.1" in wide.out  # event ids of the turn
    assert (
        json.loads(ok(novel("stories", "diff", story_id, branch_story, "--json", env=env)).out)
        == expected
    )

    same = ok(novel("stories", "diff", story_id, story_id, env=env)).out
    assert "No chapter differs" in same


def test_knowledge_lists_what_a_character_knew_with_its_events(env, api, steered):
    branch, _ = steered
    path = f"/v1/simulations/{branch['id']}/characters/pilot/knowledge"
    expected = api.get(path, params={"turn": FORK_TURN + 1}).json()
    got = ok(
        novel(
            "simulations",
            "knowledge",
            branch["id"],
            "pilot",
            "--turn",
            str(FORK_TURN + 1),
            "--json",
            env=env,
        )
    )
    assert json.loads(got.out) == expected

    shown = ok(
        novel(
            "simulations", "knowledge", branch["id"], "pilot", "--turn", str(FORK_TURN + 1), env=env
        )
    ).out
    assert shown.startswith(f"pilot at the end of turn {FORK_TURN + 1}")
    for heading in ("Facts", "Beliefs", "Memories"):
        assert f"\n{heading}\n" in shown
    whispered = [
        (item, source)
        for part in ("facts", "beliefs", "memories")
        for item in expected[part]
        for source in item["sources"]
        if source["how"] == "whispered"
    ]
    assert whispered, expected
    item, source = whispered[0]
    assert "Marcus lies" in item["text"]
    assert any(
        "Marcus lies" in line and f"{source['event_id']} whispered" in line
        for line in shown.splitlines()
    )
    before = ok(
        novel("simulations", "knowledge", branch["id"], "pilot", "--turn", str(FORK_TURN), env=env)
    ).out
    assert "Marcus lies" not in before
    # Without --turn: the last turn done.
    latest = json.loads(
        ok(novel("simulations", "knowledge", branch["id"], "pilot", "--json", env=env)).out
    )
    assert latest["turn"] == TURNS


def test_intervene_steers_a_running_run_and_a_finished_one_is_a_conflict(env, api):
    started = json.loads(
        ok(novel("simulate", "pilot", "kai", "--turns", "40", "--seed", "7", "--json", env=env)).out
    )
    said = ok(
        novel(
            "simulations",
            "intervene",
            started["id"],
            "--kind",
            "event",
            "--text",
            "The ground shakes",
            "--turn",
            "30",
            env=env,
        )
    )
    assert said.out.strip() == f"{started['id']}: event at turn 30"
    story_id = followed_story(novel("simulations", "follow", started["id"], "--json", env=env))
    chapters = api.get(f"/v1/stories/{story_id}").json()["chapters"]
    assert "The ground shakes." in chapters[29]["text"]
    assert all("The ground shakes" not in c["text"] for c in chapters[:29])

    late = novel(
        "simulations",
        "intervene",
        started["id"],
        "--kind",
        "whisper",
        "--character",
        "pilot",
        "--text",
        "too late",
        env=env,
    )
    refused(late, 5, "novel: 409")


def test_bad_input_is_one_clear_line_with_the_usage_exit_code(env, parent, tmp_path):
    run, story_id = parent
    sim = run["id"]
    refused(novel("simulations", "fork", sim, env=env), 2, "--turn")
    refused(
        novel("simulations", "fork", sim, "--turn", "2", "-i", "storm: x", env=env),
        2,
        "unknown kind 'storm'",
    )
    refused(
        novel("simulations", "fork", sim, "--turn", "2", "-i", "whisper: hi", env=env),
        2,
        "whisper needs a character",
    )
    refused(
        novel("simulations", "fork", sim, "--turn", "2", "-i", "event@soon: x", env=env),
        2,
        "'soon' is not a turn number",
    )
    broken = tmp_path / "broken.json"
    broken.write_text("[{")
    refused(
        novel(
            "simulations", "fork", sim, "--turn", "2", "--interventions-file", str(broken), env=env
        ),
        2,
        f"cannot read {broken}",
    )
    refused(novel("simulations", "fork", sim, "--turn", str(TURNS), env=env), 2, "novel: 422")
    refused(
        novel("simulations", "fork", sim, "--turn", "2", "-i", "event@1: too early", env=env),
        2,
        "novel: 422",
    )
    refused(novel("simulations", "intervene", sim, "--kind", "storm", env=env), 2, "storm")
    refused(
        novel("simulations", "intervene", sim, "--kind", "goal", "--text", "x", env=env),
        2,
        "goal needs a character",
    )
    refused(novel("simulations", "branches", "no-such-run", env=env), 4, "novel: 404")
    refused(novel("simulations", "knowledge", sim, "nobody", env=env), 4, "novel: 404")
    refused(
        novel("simulations", "knowledge", sim, "pilot", "--turn", "99", env=env), 2, "novel: 422"
    )
    refused(novel("stories", "diff", story_id, "no-such-story", env=env), 4, "novel: 404")
    refused(novel("stories", "diff", story_id, story_id, "--layout", "diagonal", env=env), 2)


def test_export_to_a_file_in_each_format_and_import_the_bundle(env, api, parent, tmp_path):
    _, story_id = parent
    markdown = api.get(f"/v1/stories/{story_id}", headers={"Accept": "text/markdown"}).text
    target = tmp_path / "tale.md"
    assert ok(
        novel("stories", "export", story_id, "--format", "markdown", "-o", str(target), env=env)
    ).out.strip() == str(target)
    assert target.read_text() == markdown
    assert ok(novel("stories", "export", story_id, "-o", "-", env=env)).out == markdown
    book = tmp_path / "tale.epub"
    ok(novel("stories", "export", story_id, "--format", "epub", "-o", str(book), env=env))
    assert book.read_bytes()[:2] == b"PK"  # a zip, as EPUB is
    page = tmp_path / "tale.html"
    ok(novel("stories", "export", story_id, "--format", "html", "-o", str(page), env=env))
    assert page.read_text().lstrip().lower().startswith("<!doctype html")
    refused(
        novel("stories", "export", story_id, story_id, "-o", str(page), env=env),
        2,
        "-o writes one story",
    )

    bundle = tmp_path / "run.bundle.json"
    ok(novel("stories", "export", story_id, "--format", "bundle", "-o", str(bundle), env=env))
    assert json.loads(bundle.read_text())["format"] == "novel-engine-bundle"
    imported = ok(novel("stories", "import", str(bundle), "--json", env=env))
    replayed = json.loads(imported.out)["simulation"]["id"]
    again = followed_story(novel("simulations", "follow", replayed, "--json", env=env))
    diff = api.get(f"/v1/stories/{story_id}/diff/{again}").json()
    assert diff["first_differing_turn"] is None  # the same story, replayed


def test_characters_export_as_a_card_that_imports_back(env, api, tmp_path):
    card = json.loads(
        ok(novel("characters", "export", "pilot", "--format", "card-v2", env=env)).out
    )
    assert card == api.get("/v1/characters/pilot", params={"format": "card-v2"}).json()
    assert card["spec"] == "chara_card_v2" and card["data"]["name"]
    written = ok(
        novel(
            "characters",
            "export",
            "pilot",
            "scientist",
            "--format",
            "card-v2",
            "--out",
            str(tmp_path / "cards"),
            env=env,
        )
    )
    paths = sorted((tmp_path / "cards").iterdir())
    assert [p.name for p in paths] == ["pilot.card.json", "scientist.card.json"]
    assert written.out.split() == [str(p) for p in paths]
    dry = ok(novel("characters", "import", str(paths[0]), "--dry-run", "--json", env=env))
    [item] = json.loads(dry.out)["characters"]
    assert item["character"]["name"] == card["data"]["name"]
    refused(novel("characters", "export", "--format", "card-v2", env=env), 2, "one id, or --out")
