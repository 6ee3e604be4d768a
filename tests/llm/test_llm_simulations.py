"""Model decisions end to end: the services as processes, the model a scripted HTTP server.

Covers the three configuration layers, recorded calls and byte-identical replays, the
fallbacks when the model misbehaves or goes away, budgets, and keys kept out of sight.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from bench.scripted_llm import ScriptedLLM
from novel_cli.stack import LocalStack
from novel_platform.llm.sealing import new_secret_key
from tests import infra
from tests.e2e.sse import read_events

pytestmark = pytest.mark.e2e

SERVER_KEY = "sk-server-default-4f1c9e0b7a"
TENANT_KEY = "sk-tenant-own-key-93ad11c2ee"
CAST = ["pilot", "scientist", "marcus"]


@pytest.fixture(scope="module")
def llm_stack(
    postgres_url: str, scripted_llm: ScriptedLLM, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LocalStack]:
    with infra.fresh_database(postgres_url) as database_url:
        local = LocalStack(
            run_dir=tmp_path_factory.mktemp("llm-stack"),
            database_url=database_url,
            free_ports=True,
            extra_env={
                "NE_LOG_LEVEL": "DEBUG",
                "NE_LLM_BASE_URL": scripted_llm.url,
                "NE_LLM_MODEL": "scripted-7b",
                "NE_LLM_API_KEY": SERVER_KEY,
                "NE_LLM_SECRET_KEY": new_secret_key(),
                "NE_LLM_TIMEOUT_SECONDS": "2",
                # The scripted servers listen on loopback: allowed here, explicitly.
                "NE_LLM_ALLOWED_HOSTS": "127.0.0.1",
            },
        )
        try:
            local.start()
            yield local
        finally:
            local.stop()


@pytest.fixture(scope="module")
def api(llm_stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=llm_stack.url, headers={"Authorization": f"Bearer {llm_stack.key}"}, timeout=30
    ) as client:
        yield client


def run(api: httpx.Client, **body) -> tuple[dict, dict]:
    payload = {"character_ids": CAST, "turns": 4, "seed": 5, **body}
    created = api.post("/v1/simulations", json=payload)
    assert created.status_code == 202, created.text
    return finish(api, created.json())


def finish(api: httpx.Client, created: dict) -> tuple[dict, dict]:
    events = read_events(api, f"/v1/simulations/{created['id']}/events")
    sim = api.get(f"/v1/simulations/{created['id']}").json()
    assert sim["status"] == "completed", sim
    assert events[-1].event == "story"
    story = api.get(f"/v1/stories/{sim['story_id']}").json()
    return sim, story


def narrated(api: httpx.Client, sim: dict, turns: int) -> dict:
    """The simulation once its narration's usage for `turns` chapters has come in (the
    story service reports it by events, after the story's own)."""
    deadline = time.monotonic() + 30
    while True:
        usage = sim["llm"]["narration_usage"]
        if usage["calls"] + usage["fallbacks"] + usage["replayed_calls"] >= turns:
            return sim
        assert time.monotonic() < deadline, sim["llm"]
        time.sleep(0.1)
        sim = api.get(f"/v1/simulations/{sim['id']}").json()


def prose(story: dict) -> str:
    return "\n\n".join(
        [
            story["title"],
            story["opening"],
            *(c["text"] for c in story["chapters"]),
            story["closing"],
        ]
    )


def test_the_model_decides_every_choice_and_is_recorded(api, llm):
    offline, offline_story = run(api)
    assert offline["llm"] is None
    assert llm.requests == []  # the default stays offline

    created = api.post(
        "/v1/simulations",
        json={"character_ids": CAST, "turns": 4, "seed": 5, "llm": {"decisions": True}},
    )
    assert created.status_code == 202, created.text
    estimate = created.json()["llm"]
    assert estimate["estimated_tokens"] > 0 and estimate["estimated_seconds"] > 0
    assert estimate["model"] == "scripted-7b" and estimate["calls"] == 0
    sim, story = finish(api, created.json())
    usage = sim["llm"]
    assert usage["calls"] == len(llm.requests) >= 4 * 3 - 3  # a character may fall
    assert usage["fallbacks"] == usage["fallback_reasons"].get("overruled", 0)
    assert 0 < usage["input_tokens"] + usage["output_tokens"] <= usage["token_budget"]
    assert set(llm.authorizations) == {f"Bearer {SERVER_KEY}"}
    # The scripted model always takes the last option: a different story from the policy's.
    assert prose(story) != prose(offline_story)
    # Each prompt is the deciding character's own view.
    assert all("You are " in r["messages"][1]["content"] for r in llm.requests)

    # Replay: the same story, byte for byte, and not one call to the model.
    llm.script([], default="status:500")
    replayed = api.post(f"/v1/simulations/{sim['id']}/replay")
    assert replayed.status_code == 202, replayed.text
    again, again_story = finish(api, replayed.json())
    assert llm.requests == []
    assert again["llm"]["replay_of"] == sim["id"]
    assert again["llm"]["replayed_calls"] == usage["calls"]
    assert again["llm"]["calls"] == 0 and again["llm"]["fallbacks"] == usage["fallbacks"]
    assert prose(again_story) == prose(story)
    assert again_story["chapters"] == story["chapters"]


def test_model_calls_tokens_and_fallbacks_are_metrics(api, llm, llm_stack):
    llm.script(["malformed"])
    run(api, llm={"decisions": True}, turns=1)
    port = llm_stack.ports["simulation-metrics"]
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    for name in (
        "novel_llm_calls_total",
        "novel_llm_tokens_total",
        "novel_llm_fallbacks_total",
        "gen_ai_client_operation_duration",
        "gen_ai_client_token_usage",
    ):
        assert name in text, name
    assert 'novel_tenant="dev"' in text and 'novel_outcome="invalid"' in text


def test_a_replay_missing_its_recording_fails_loudly(api, llm, llm_stack):
    sim, _ = run(api, llm={"decisions": True}, turns=2)
    with psycopg.connect(llm_stack.database_url, autocommit=True) as conn:
        deleted = conn.execute(
            "DELETE FROM simulation.llm_calls WHERE simulation_id = %s AND turn = 2",
            (sim["id"],),
        ).rowcount
    assert deleted > 0
    llm.script([])
    replayed = api.post(f"/v1/simulations/{sim['id']}/replay").json()
    events = read_events(api, f"/v1/simulations/{replayed['id']}/events")
    failed = api.get(f"/v1/simulations/{replayed['id']}").json()
    assert failed["status"] == "failed", events
    assert "no recorded model call for turn 2" in failed["error"]
    assert llm.requests == []
    # Deriving its turns needs the same recordings: a 409 naming the missing one.
    knowing = f"/v1/simulations/{sim['id']}/characters/pilot/knowledge"
    knowledge = api.get(knowing)
    assert knowledge.status_code == 409, knowledge.text
    assert "no recorded model call for turn 2" in knowledge.json()["error"]["message"]
    assert api.get(knowing, params={"turn": 1}).status_code == 200


def test_a_model_that_goes_away_mid_run_still_ends_every_simulation(api, llm_stack):
    server = ScriptedLLM(delay_seconds=0.05).start()
    put = api.put("/v1/settings/llm", json={"base_url": server.url, "model": "leaving"})
    assert put.status_code == 200, put.text
    try:
        started = [
            api.post(
                "/v1/simulations",
                json={"character_ids": CAST, "turns": 6, "seed": n, "llm": {"decisions": True}},
            ).json()
            for n in range(4)
        ]
        while len(server.requests) < 6:
            time.sleep(0.05)
        server.stop()
        finished = [finish(api, created)[0] for created in started]
    finally:
        api.put("/v1/settings/llm", json={})
    for sim in finished:
        assert sim["llm"]["model"] == "leaving"
        assert sim["llm"]["fallbacks"] > 0
    # The tenant's backend got no key: the server's is never sent to another server.
    assert set(server.authorizations) == {"Bearer unused"}


def test_the_budget_is_never_exceeded_and_the_run_says_so(api, llm):
    sim, story = run(
        api, llm={"decisions": True, "backend": {"token_budget": 3000, "max_tokens": 32}}, turns=5
    )
    usage = sim["llm"]
    assert usage["budget_exhausted"] is True
    assert usage["input_tokens"] + usage["output_tokens"] <= 3000
    assert usage["fallback_reasons"]["budget"] > 0
    assert 0 < usage["calls"] < 5 * len(CAST)
    assert len(story["chapters"]) == 5


def test_tenant_settings_keep_the_key_sealed_and_unseen(api, llm, llm_stack):
    put = api.put(
        "/v1/settings/llm",
        json={
            "base_url": llm.url,
            "model": "tenant-model",
            "api_key": TENANT_KEY,
            "temperature": 0.7,
        },
    )
    assert put.status_code == 200, put.text
    try:
        shown = api.get("/v1/settings/llm").json()
        assert shown["backend"]["model"] == "tenant-model" and shown["api_key_set"] is True
        assert TENANT_KEY not in put.text and TENANT_KEY not in str(shown)
        sim, story = run(api, llm={"decisions": True}, turns=2)
        assert sim["llm"]["model"] == "tenant-model"
        assert set(llm.authorizations) == {f"Bearer {TENANT_KEY}"}
        assert {r["temperature"] for r in llm.requests} == {0.7}
        # A simulation's own layer wins over the tenant's.
        llm.script([])
        sim2, _ = run(api, llm={"decisions": True, "backend": {"model": "per-run"}}, turns=1)
        assert sim2["llm"]["model"] == "per-run"
        assert {r["model"] for r in llm.requests} == {"per-run"}
        assert api.get("/v1/settings/llm").json()["input_tokens"] > 0
        # The story service narrates with the tenant's key too (it travels sealed).
        llm.script([])
        sim3, story3 = run(api, llm={"decisions": True, "narration": True}, turns=2)
        assert set(llm.authorizations) == {f"Bearer {TENANT_KEY}"}
        assert narrated(api, sim3, 2)["llm"]["narration_usage"]["calls"] > 0
    finally:
        api.put("/v1/settings/llm", json={})
    with psycopg.connect(llm_stack.database_url, autocommit=True) as conn:
        stored = conn.execute("SELECT sealed_api_key FROM simulation.llm_settings").fetchall()
        rows = conn.execute("SELECT llm::text, llm_usage::text FROM simulation.simulations")
        dumped = str(rows.fetchall()) + str(stored)
        for table in ("simulation.llm_calls", "simulation.llm_narration", "story.llm_calls"):
            dumped += str(conn.execute(f"SELECT * FROM {table}").fetchall())
    for key in (TENANT_KEY, SERVER_KEY):
        assert key not in dumped
        assert key not in str(story) and key not in str(story3)
        for log in Path(llm_stack.run_dir, "logs").glob("*.log"):
            assert key not in log.read_text(errors="replace"), log


def test_the_model_narrates_checked_chapters_and_the_replay_reads_the_same(api, llm):
    _, offline_story = run(api, turns=3, seed=21)
    llm.script([])
    sim, story = run(api, turns=3, seed=21, llm={"narration": True})
    chapters = [c["text"] for c in story["chapters"]]
    assert len(chapters) == 3 and all(t.startswith("In truth, ") for t in chapters)
    # Same facts, same paragraphs: the model only retold them.
    assert [c["title"] for c in story["chapters"]] == [
        c["title"] for c in offline_story["chapters"]
    ]
    for told, offline in zip(story["chapters"], offline_story["chapters"], strict=True):
        assert told["text"].count("\n\n") == offline["text"].count("\n\n")
        # Paragraphs keep their event ids.
        assert told["paragraphs"] == offline["paragraphs"]
        assert any(p["event_ids"] for p in told["paragraphs"])
    narrations = [r for r in llm.requests if "paragraphs" in str(r["response_format"])]
    assert len(narrations) == 3
    # What the narration cost reaches the simulation, its totals and its tenant's.
    tenant_before = api.get("/v1/settings/llm").json()
    usage = narrated(api, sim, 3)["llm"]
    told = usage["narration_usage"]
    assert usage["narration"] is True and usage["decision_usage"]["calls"] == 0
    assert told["calls"] == 3 and told["fallbacks"] == 0 and told["input_tokens"] > 0
    assert usage["calls"] == 3 and usage["input_tokens"] == told["input_tokens"]
    assert told["input_tokens"] + told["output_tokens"] <= told["token_budget"]
    assert told["token_budget"] == usage["token_budget"]  # narration only: the whole
    tenant = api.get("/v1/settings/llm").json()
    assert tenant["input_tokens"] >= told["input_tokens"]
    assert tenant["input_tokens"] >= tenant_before["input_tokens"]

    llm.script([], default="status:500")
    replayed = api.post(f"/v1/simulations/{sim['id']}/replay")
    assert replayed.status_code == 202, replayed.text
    again_sim, again = finish(api, replayed.json())
    assert llm.requests == []
    assert prose(again) == prose(story)
    replay_usage = narrated(api, again_sim, 3)["llm"]
    assert replay_usage["narration_usage"]["replayed_calls"] == 3
    assert replay_usage["calls"] == 0 and replay_usage["input_tokens"] == 0


def test_a_narration_replay_missing_its_recording_fails_its_story(api, llm, llm_stack):
    sim, _ = run(api, turns=2, seed=41, llm={"narration": True})
    with psycopg.connect(llm_stack.database_url, autocommit=True) as conn:
        deleted = conn.execute(
            "DELETE FROM story.llm_calls WHERE simulation_id = %s AND turn = 2", (sim["id"],)
        ).rowcount
    assert deleted > 0
    llm.script([])
    replayed = api.post(f"/v1/simulations/{sim['id']}/replay").json()
    deadline = time.monotonic() + 30
    story: dict = {}
    while story.get("status") != "failed":
        assert time.monotonic() < deadline, story
        time.sleep(0.1)
        found = api.get(f"/v1/simulations/{replayed['id']}").json()
        if found["story_id"]:
            story = api.get(f"/v1/stories/{found['story_id']}").json()
    assert "no recorded narration for turn 2" in story["error"]
    assert llm.requests == []


def test_decisions_and_narration_share_the_budget_and_count_together(api, llm, llm_stack):
    budget = 5000
    sim, story = run(
        api,
        turns=6,
        seed=31,
        llm={
            "decisions": True,
            "narration": True,
            "backend": {"token_budget": budget, "max_tokens": 64},
        },
    )
    usage = narrated(api, sim, 6)["llm"]
    decided, told = usage["decision_usage"], usage["narration_usage"]
    # Each side keeps to its half; together they never exceed the whole.
    assert decided["token_budget"] + told["token_budget"] == budget
    for part in (decided, told):
        assert part["input_tokens"] + part["output_tokens"] <= part["token_budget"]
    assert usage["input_tokens"] == decided["input_tokens"] + told["input_tokens"]
    assert usage["output_tokens"] == decided["output_tokens"] + told["output_tokens"]
    assert usage["input_tokens"] + usage["output_tokens"] <= budget
    assert usage["calls"] == decided["calls"] + told["calls"] and told["calls"] > 0
    assert usage["fallbacks"] == decided["fallbacks"] + told["fallbacks"]
    # A chapter asks for far more than a choice: the narration's half runs out first,
    # and the chapters it cannot afford are told offline, and counted.
    assert told["budget_exhausted"] and told["fallback_reasons"]["budget"] > 0, f"{usage}"
    assert usage["budget_exhausted"] is True
    assert len(story["chapters"]) == 6
    port = llm_stack.ports["story-metrics"]
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    assert 'novel_llm_purpose="narration"' in text
    assert "novel_llm_tokens_total" in text and "novel_llm_fallbacks_total" in text


def test_a_chapter_naming_an_absent_character_is_retried_then_told_offline(api, llm):
    _, offline_story = run(api, turns=2, seed=23)
    # Chapter 1: refused, then a good retry. Chapter 2: refused twice, so offline.
    llm.script(["absent", "answer", "absent", "absent"])
    _, story = run(api, turns=2, seed=23, llm={"narration": True})
    first, second = (c["text"] for c in story["chapters"])
    assert first.startswith("In truth, ") and "watched it all" not in first
    assert second == offline_story["chapters"][1]["text"]
    assert len(llm.requests) == 4


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.8:8000/v1",
        "http://[::1]:11434/v1",
    ],
)
def test_internal_model_urls_are_refused_with_a_clear_4xx(api, url):
    put = api.put("/v1/settings/llm", json={"base_url": url, "model": "m"})
    assert put.status_code == 422, put.text
    assert "NE_LLM_ALLOWED_HOSTS" in put.json()["error"]["message"]
    started = api.post(
        "/v1/simulations",
        json={
            "character_ids": CAST,
            "turns": 1,
            "llm": {"decisions": True, "backend": {"base_url": url, "model": "m"}},
        },
    )
    assert started.status_code == 422, started.text
    assert api.get("/v1/settings/llm").json()["backend"]["base_url"] is None


def test_bad_model_settings_are_a_clear_4xx(api):
    bad = api.post(
        "/v1/simulations",
        json={
            "character_ids": CAST,
            "turns": 2,
            "llm": {"decisions": True, "backend": {"base_url": "ftp://x"}},
        },
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"]
    assert api.put("/v1/settings/llm", json={"temperature": 9}).status_code == 422
    unknown = api.post("/v1/simulations/nope/replay")
    assert unknown.status_code == 404 and unknown.json()["error"]


# Last: repeated failures leave the shared backend's breaker open for a while.
@pytest.mark.parametrize(
    ("script", "reason"),
    [
        ("malformed", "invalid"),
        ("illegal", "invalid"),
        ("status:500", "server_error"),
        ("hang", "timeout"),
    ],
)
def test_a_misbehaving_model_falls_back_and_the_story_is_told(api, llm, script, reason):
    llm.script([], default=script)
    sim, story = run(api, llm={"decisions": True}, turns=2, seed=9)
    usage = sim["llm"]
    asked = 2 * len(CAST)
    assert usage["fallbacks"] >= asked - 1
    # After repeated failures the breaker answers for the model at once.
    assert set(usage["fallback_reasons"]) <= {reason, "circuit_open", "overruled"}
    assert (
        usage["fallback_reasons"].get(reason, 0) + usage["fallback_reasons"].get("circuit_open", 0)
        >= asked - 1
    )
    assert len(story["chapters"]) == 2
    # The fallback is the built-in policy: the same story as an offline run.
    _, offline_story = run(api, turns=2, seed=9)
    assert prose(story) == prose(offline_story)


def test_a_model_driven_run_exports_its_recorded_calls_in_the_bundle(api, llm):
    llm.script([])
    _, story = run(api, turns=3, seed=33, llm={"decisions": True, "narration": True})
    bundle = api.get(f"/v1/stories/{story['id']}", params={"format": "bundle"})
    assert bundle.status_code == 200, bundle.text
    body = bundle.json()
    assert body["settings"]["llm"]["decisions"] and body["settings"]["llm"]["narration"]
    by_service = {r["service"] for r in body["recordings"]}
    assert by_service == {"simulation", "story"}
    decisions = [r for r in body["recordings"] if r["purpose"] == "decision"]
    narrations = [r for r in body["recordings"] if r["service"] == "story"]
    # One recorded decision per character's choice, whatever its outcome.
    assert decisions and all(r["subject"] in CAST for r in decisions)
    assert sorted({r["turn"] for r in narrations}) == [1, 2, 3]
    assert all(r["request_digest"] and r["outcome"] for r in body["recordings"])
    assert SERVER_KEY not in bundle.text


def test_a_model_run_bundle_imports_into_the_same_story_without_the_model(api, llm):
    llm.script([])
    sim, story = run(api, turns=3, seed=35, llm={"decisions": True, "narration": True})
    sim = narrated(api, sim, 3)
    body = api.get(f"/v1/stories/{story['id']}", params={"format": "bundle"}).json()
    assert body["settings"]["llm"]["temperature"] == sim["llm"]["temperature"]

    def refused(changed: dict) -> str:
        response = api.post("/v1/bundles:import", json=changed)
        assert response.status_code == 422, response.text
        return response.json()["error"]["message"]

    decision = next(n for n, r in enumerate(body["recordings"]) if r["service"] == "simulation")

    def with_recording(n: int, **fields) -> dict:
        recordings = [dict(r) for r in body["recordings"]]
        recordings[n].update(fields)
        return {**body, "recordings": recordings}

    assert "turn must be 1..3" in refused(with_recording(decision, turn=4))
    assert "'zara' is not in this run" in refused(with_recording(decision, subject="zara"))
    assert "twice" in refused({**body, "recordings": [*body["recordings"], body["recordings"][0]]})
    assert "recordings" in refused(with_recording(decision, service="story"))
    assert "request_digest" in refused(with_recording(decision, request_digest="nope"))
    no_temperature = {k: v for k, v in body["settings"]["llm"].items() if k != "temperature"}
    assert "temperature" in refused(
        {**body, "settings": {**body["settings"], "llm": no_temperature}}
    )
    offline = {**body, "settings": {**body["settings"], "llm": None}}
    assert "recordings must hold" in refused(offline)

    for cid in CAST:
        assert api.delete(f"/v1/characters/{cid}").status_code == 204
    llm.script([], default="status:500")  # any call to the model would change the story
    # Exported from another installation: its server is never asked (the digests do
    # not cover the URL, so the replay is the same).
    elsewhere = {**body["settings"]["llm"], "base_url": "http://elsewhere.example/v1"}
    body = {**body, "settings": {**body["settings"], "llm": elsewhere}}
    imported = api.post("/v1/bundles:import", json=body)
    assert imported.status_code == 202, imported.text
    assert sorted(imported.json()["created_character_ids"]) == sorted(CAST)
    again_sim, again = finish(api, imported.json()["simulation"])
    again_sim = narrated(api, again_sim, 3)
    assert llm.requests == []
    assert prose(again) == prose(story) and again["chapters"] == story["chapters"]
    usage = again_sim["llm"]
    assert usage["calls"] == 0 and usage["input_tokens"] == usage["output_tokens"] == 0
    assert usage["replayed_calls"] == len(body["recordings"])

    # Exported again, it carries the same recordings; replayed, the same story again.
    twice = api.get(f"/v1/stories/{again['id']}", params={"format": "bundle"}).json()
    assert twice["recordings"] == body["recordings"] and twice["events"] == body["events"]
    replayed = api.post(f"/v1/simulations/{again_sim['id']}/replay")
    assert replayed.status_code == 202, replayed.text
    _, replay_story = finish(api, replayed.json())
    assert replay_story["chapters"] == story["chapters"] and llm.requests == []

    # A branch of it asks the tenant's model (here the server's default), not the
    # bundle's, for its own turns.
    llm.script([], default="answer")
    forked = api.post(f"/v1/simulations/{again_sim['id']}/fork", json={"turn": 1})
    assert forked.status_code == 202, forked.text
    branch, _ = finish(api, forked.json())
    assert branch["llm"]["base_url"] == llm.url and branch["llm"]["replay_of"] is None
    assert branch["llm"]["calls"] + branch["llm"]["fallbacks"] > 0
    assert len(llm.requests) == branch["llm"]["calls"]


@pytest.fixture
def own_llm() -> Iterator[ScriptedLLM]:
    """A scripted server of the test's own: earlier tests' failures may have opened the
    shared one's circuit breaker in the services."""
    server = ScriptedLLM().start()
    try:
        yield server
    finally:
        server.stop()


def cited(knowledge: dict) -> list[dict]:
    return [s for part in ("facts", "beliefs", "memories") for i in knowledge[part]
            for s in i["sources"]]  # fmt: skip


def test_a_model_decided_run_knows_from_its_recorded_calls(api, own_llm):
    llm = own_llm
    decided = {"decisions": True, "backend": {"base_url": llm.url}}
    created = api.post(
        "/v1/simulations", json={"character_ids": CAST, "turns": 4, "seed": 41, "llm": decided}
    )
    assert created.status_code == 202, created.text
    streamed = read_events(api, f"/v1/simulations/{created.json()['id']}/events")
    events = {
        f"{e['turn']}.{e.get('sequence', 0)}": e  # proto JSON leaves out zeros
        for s in streamed
        if s.event == "turn"
        for e in s.data["events"]
    }
    asked = len(llm.requests)
    assert asked > 0 and events
    llm.script([], default="status:500")  # knowledge must not ask the model
    for cid in CAST:
        response = api.get(f"/v1/simulations/{created.json()['id']}/characters/{cid}/knowledge")
        assert response.status_code == 200, response.text
        sources = cited(response.json())
        assert sources
        for source in sources:
            event = events[source["event_id"]]  # a real event of this run
            if source["how"] == "did":
                assert event.get("actor_id") == cid
    assert llm.requests == []


def test_a_fork_of_a_model_run_shares_its_turns_and_asks_only_for_later_ones(api, own_llm):
    llm = own_llm
    decided = {"decisions": True, "backend": {"base_url": llm.url}}
    parent, parent_story = run(api, turns=4, seed=43, llm=decided)
    recorded = api.get(f"/v1/stories/{parent_story['id']}", params={"format": "bundle"}).json()
    later = [r for r in recorded["recordings"] if r["turn"] > 2 and r["outcome"] == "ok"]
    assert later and len(later) < parent["llm"]["calls"]

    llm.script([])  # the same scripted answers: the branch repeats its parent
    forked = api.post(f"/v1/simulations/{parent['id']}/fork", json={"turn": 2})
    assert forked.status_code == 202, forked.text
    branch, story = finish(api, forked.json())
    assert branch["parent_id"] == parent["id"] and branch["fork_turn"] == 2
    # Asked only for turns 3 and 4: as many calls as the parent made for them.
    assert len(llm.requests) == branch["llm"]["calls"] == len(later)
    assert branch["llm"]["replayed_calls"] == 0
    assert story["chapters"] == parent_story["chapters"]
    for cid in CAST:
        at_fork = [
            api.get(f"/v1/simulations/{sim}/characters/{cid}/knowledge", params={"turn": 2})
            for sim in (parent["id"], branch["id"])
        ]
        assert at_fork[0].status_code == at_fork[1].status_code == 200, at_fork[1].text
        told = [{**k.json(), "simulation_id": ""} for k in at_fork]
        assert told[0] == told[1] and cited(told[0])

    # A replay of the branch replays its own calls from its fork on: not one request.
    llm.script([], default="status:500")
    replayed = api.post(f"/v1/simulations/{branch['id']}/replay")
    assert replayed.status_code == 202, replayed.text
    again, again_story = finish(api, replayed.json())
    assert again["fork_turn"] == 2 and again["llm"]["replayed_calls"] == len(later)
    assert again_story["chapters"] == story["chapters"] and llm.requests == []

    # The branch's bundle is one run from turn 1: the parent's recordings up to the fork.
    bundled = api.get(f"/v1/stories/{story['id']}", params={"format": "bundle"}).json()

    def asked(bundle: dict) -> list[dict]:  # a recording but its latency
        return [{**r, "latency_ms": 0} for r in bundle["recordings"]]

    assert asked(bundled) == asked(recorded)
    imported = api.post("/v1/bundles:import", json=bundled)
    assert imported.status_code == 202, imported.text
    _, imported_story = finish(api, imported.json()["simulation"])
    assert imported_story["chapters"] == story["chapters"] and llm.requests == []

    # Steered differently after turn 2, the branch's own turns differ from the parent's.
    llm.script([], default="answer")
    steered = api.post(
        f"/v1/simulations/{parent['id']}/fork",
        json={"turn": 2, "interventions": [{"kind": "leave", "character_id": "marcus"}]},
    )
    assert steered.status_code == 202, steered.text
    other, other_story = finish(api, steered.json())

    def shared(chapters: list[dict]) -> list[dict]:
        return [c for c in chapters if c["number"] <= 2]

    assert shared(other_story["chapters"]) == shared(parent_story["chapters"])
    assert other_story["chapters"] != parent_story["chapters"]
    assert len(llm.requests) == other["llm"]["calls"] > 0
