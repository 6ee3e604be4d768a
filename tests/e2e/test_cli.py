"""The `novel` command as a person uses it, against a real (paced) stack."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import httpx
import pytest

from novel_cli.banner import stack_state
from tests.e2e.cli import novel
from tests.e2e.dropping_proxy import dropping_proxy

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(paced_stack, tmp_path) -> dict[str, str]:
    return {
        "NE_URL": paced_stack.url,
        "NE_API_KEY": paced_stack.key,
        "NOVEL_CONFIG": str(tmp_path / "config.json"),
        "NE_RUN_DIR": str(tmp_path / "run"),
    }


@pytest.fixture
def api(paced_stack):
    with httpx.Client(
        base_url=paced_stack.url,
        headers={"Authorization": f"Bearer {paced_stack.key}"},
        timeout=30,
    ) as client:
        yield client


def test_characters_create_edit_export_delete_and_recreate(env, tmp_path):
    created = novel(
        "characters", "create", "--name", "Vera Lind", "--role", "Navigator",
        "--trait", "brave=0.8", "--stat", "charisma=7", "--goal", "Chart the rift", env=env,
    )  # fmt: skip
    assert created.code == 0, created.err
    assert created.out.strip() == "created vera-lind (version 1)"

    edited = novel("characters", "edit", "vera-lind", "--trait", "calm=0.3", "--json", env=env)
    assert edited.code == 0, edited.err
    body = json.loads(edited.out)
    assert body["traits"] == {"brave": 0.8, "calm": 0.3}  # merged, not replaced
    assert body["version"] == 2 and body["stats"]["charisma"] == 7

    stale = novel("characters", "edit", "vera-lind", "--role", "Pilot", "--version", "1", env=env)
    assert stale.code == 5
    assert stale.err.count("\n") == 1 and stale.err.startswith("novel: 409 conflict:")

    shown = novel("characters", "get", "vera-lind", env=env)
    assert "Vera Lind" in shown.out and "Navigator" in shown.out and "Chart the rift" in shown.out

    exported = novel("characters", "export", "vera-lind", "--out", str(tmp_path / "cast"), env=env)
    assert exported.code == 0, exported.err
    saved = tmp_path / "cast" / "vera-lind.json"
    assert json.loads(saved.read_text())["traits"] == {"brave": 0.8, "calm": 0.3}

    assert novel("characters", "delete", "vera-lind", "--yes", env=env).code == 0
    gone = novel("characters", "get", "vera-lind", env=env)
    assert gone.code == 4 and gone.err.startswith("novel: 404 not_found:")

    again = novel("characters", "create", "--file", str(saved), "--json", env=env)
    assert again.code == 0, again.err
    assert json.loads(again.out)["traits"] == {"brave": 0.8, "calm": 0.3}
    listed = json.loads(novel("characters", "list", "--json", env=env).out)
    assert "vera-lind" in [c["id"] for c in listed]
    table = novel("characters", "list", env=env).out
    assert "Vera Lind" in table and "Rhea Voss" in table


def test_errors_are_one_line_with_meaningful_exit_codes(env, tmp_path):
    bad_key = novel(
        "characters", "list", env={**env, "NE_API_KEY": "ne_nosuchkey0001_xxxxxxxxxxxxxxxxxxxxxxxx"}
    )
    assert bad_key.code == 3 and bad_key.err.startswith("novel: 401 unauthorized:")
    assert bad_key.err.count("\n") == 1

    no_key = {k: v for k, v in env.items() if k != "NE_API_KEY"}
    missing = novel("stories", "list", env=no_key)
    assert missing.code == 3 and "novel login" in missing.err

    one = novel("simulate", "pilot", "--turns", "2", env=env)
    assert one.code == 2 and one.err.startswith("novel: 422")

    unknown = novel("simulate", "pilot", "nobody-here", "--turns", "2", env=env)
    assert unknown.code in (2, 4) and "nobody-here" in unknown.err

    down = novel("characters", "list", "--url", "http://127.0.0.1:9", env=env)
    assert down.code == 6 and down.err.startswith("novel: cannot reach the gateway at")

    bad_trait = novel("characters", "create", "--name", "X", "--trait", "brave", env=env)
    assert bad_trait.code == 2 and "--trait expects NAME=VALUE" in bad_trait.err


def test_login_stores_the_key_for_that_url_only(paced_stack, env, tmp_path):
    config = tmp_path / "config.json"
    no_key = {k: v for k, v in env.items() if k not in ("NE_API_KEY", "NE_URL")}
    refused = novel(
        "login",
        "--url",
        paced_stack.url,
        "--key",
        "ne_nosuchkey0001_xxxxxxxxxxxxxxxxxxxxxxxx",
        env=no_key,
    )
    assert refused.code == 3 and not config.exists()

    logged = novel("login", "--url", paced_stack.url + "/", "--key", paced_stack.key, env=no_key)
    assert logged.code == 0, logged.err
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert json.loads(novel("characters", "list", "--json", env=no_key).out)

    # Another gateway never gets this one's key.
    elsewhere = novel("characters", "list", "--url", "http://127.0.0.1:9", env=no_key)
    assert elsewhere.code == 3 and "no API key for http://127.0.0.1:9" in elsewhere.err


def test_simulate_follow_shows_progress_and_every_chapter(env, api):
    run = novel("simulate", "pilot", "scientist", "--turns", "5", "--follow", env=env)
    assert run.code == 0, run.err
    assert "Turns" in run.out and "5/5" in run.out
    story_id = run.out.split("novel stories get")[-1].split()[0]
    story = api.get(f"/v1/stories/{story_id}").json()
    assert len(story["chapters"]) == 5
    # Printed in order, as they arrived: each chapter's title after the one before
    # (two chapters may share a title, so search on from the previous one).
    position = 0
    for chapter in story["chapters"]:
        position = run.out.index(chapter["title"], position) + len(chapter["title"])
    assert f"{story['title']} is written: 5 chapters" in run.out


def test_follow_resumes_after_a_dropped_connection(paced_stack, env):
    with dropping_proxy(paced_stack.ports["gateway"]) as proxy:
        run = novel(
            "simulate", "pilot", "marcus", "--turns", "6", "--follow", "--json",
            "--url", proxy.url, env=env,
        )  # fmt: skip
    assert run.code == 0, run.err
    assert proxy.dropped.is_set()
    assert b"last-event-id: " in bytes(proxy.sent_upstream).lower()
    events = [json.loads(line) for line in run.out.splitlines()]
    chapters = [e["data"]["chapter"]["number"] for e in events if e["event"] == "chapter"]
    turns = [e["data"]["turn"] for e in events if e["event"] == "turn"]
    assert chapters == [1, 2, 3, 4, 5, 6]  # the chapter lost in transit came again, once
    assert turns == [1, 2, 3, 4, 5, 6]
    assert events[-1]["event"] == "story"


def test_stories_list_get_and_export(env, api, tmp_path):
    started = json.loads(novel("simulate", "elena", "kai", "--turns", "2", "--json", env=env).out)
    followed = novel("simulations", "follow", started["id"], "--json", env=env)
    assert followed.code == 0, followed.err
    story_id = json.loads(followed.out.splitlines()[-1])["data"]["story_id"]
    markdown = api.get(f"/v1/stories/{story_id}", headers={"Accept": "text/markdown"}).text
    title = markdown.splitlines()[0].removeprefix("# ")

    listed = json.loads(novel("stories", "list", "--json", env=env).out)
    assert story_id in [s["id"] for s in listed]
    assert title in novel("stories", "get", story_id, env=env).out
    assert novel("stories", "get", story_id, "--raw", env=env).out == markdown

    exported = novel("stories", "export", story_id, "--out", str(tmp_path / "books"), env=env)
    assert exported.code == 0, exported.err
    [written] = (tmp_path / "books").iterdir()
    assert written.name.endswith(f"{story_id}.md") and written.read_text() == markdown


def test_simulations_list_cancel_and_follow_a_cancelled_run(env):
    started = json.loads(novel("simulate", "pilot", "zara", "--turns", "50", "--json", env=env).out)
    listed = novel("simulations", "list", env=env)
    assert started["id"] in listed.out
    cancelled = novel("simulations", "cancel", started["id"], env=env)
    assert cancelled.code == 0, cancelled.err
    followed = novel("simulations", "follow", started["id"], env=env)
    assert followed.code == 7 and followed.err.startswith(
        f"novel: simulation {started['id']} cancelled"
    )
    again = novel("simulations", "cancel", started["id"], env=env)
    assert again.code == 5 and "already cancelled" in again.err


def test_status_shows_processes_readiness_and_queues(paced_stack, env, tmp_path):
    # The state file `make up` writes, for this stack.
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    state = stack_state(
        url=paced_stack.url,
        key=paced_stack.key,
        database_url=paced_stack.database_url,
        nats_url=paced_stack.nats_url,
        pids={name: proc.pid for name, proc in paced_stack.procs.items()},
        ports=paced_stack.ports,
        logs=paced_stack.run_dir / "logs",
    )
    (run_dir / "stack.json").write_text(json.dumps(state))
    shown = novel("status", "--json", env=env)
    assert shown.code == 0, shown.err
    report = json.loads(shown.out)
    assert report["ready"] and "key" not in report
    processes = {p["name"]: p for p in report["processes"]}
    assert set(processes) == {"character", "simulation", "story", "gateway"}
    assert all(p["alive"] and p["ready"] for p in processes.values())
    assert any(k.startswith("novel_work_queue_pending") for k in processes["simulation"]["queues"])
    assert "ready" in novel("status", env=env).out

    (run_dir / "stack.json").unlink()
    assert novel("status", env=env).code == 6


def test_worlds_list_create_get_simulate_in_and_delete(env, tmp_path):
    example = REPO / "docs" / "worlds" / "vellmar.json"
    listed = novel("worlds", "list", env=env)
    assert listed.code == 0, listed.err
    assert "ice-moon" in listed.out and "derelict" in listed.out

    created = novel("worlds", "create", "--file", str(example), "--id", "glass-city", env=env)
    assert created.code == 0, created.err
    assert created.out.startswith("created glass-city: 4 places")
    shown = novel("worlds", "get", "glass-city", env=env)
    assert (
        "Vellmar" in shown.out
        and "the lamp tower" in shown.out
        and "ring the tide bell" in shown.out
    )

    # What `get --json` prints goes back in as it is (under another id).
    saved = tmp_path / "copy.json"
    saved.write_text(novel("worlds", "get", "glass-city", "--json", env=env).out)
    again = novel("worlds", "create", "--file", str(saved), "--id", "glass-copy", env=env)
    assert again.code == 0, again.err

    broken = tmp_path / "broken.json"
    data = json.loads(example.read_text())
    data["paths"] = [["the glass quay", "the moon"]]
    broken.write_text(json.dumps(data))
    refused = novel("worlds", "create", "--file", str(broken), "--id", "broken", env=env)
    assert refused.code == 2 and "'the moon' is not one of the places" in refused.err

    run = novel("simulate", "pilot", "kai", "--turns", "2", "--world", "glass-city", "--json",
                env=env)  # fmt: skip
    assert run.code == 0, run.err
    assert json.loads(run.out)["world_id"] == "glass-city"

    for world_id in ("glass-city", "glass-copy"):
        assert novel("worlds", "delete", world_id, "--yes", env=env).code == 0
    gone = novel("worlds", "get", "glass-city", env=env)
    assert gone.code == 4 and gone.err.startswith("novel: 404 not_found:")
