"""Simulations end to end: queued work, SSE, stories, the older synchronous route."""

from __future__ import annotations

import signal
import time

import httpx
import pytest

from tests.e2e.sse import read_events

pytestmark = pytest.mark.e2e


def start(api: httpx.Client, **body) -> dict:
    payload = {"character_ids": ["pilot", "scientist", "marcus"], "turns": 4, **body}
    response = api.post("/v1/simulations", json=payload)
    assert response.status_code == 202, response.text
    assert response.headers["location"] == f"/v1/simulations/{response.json()['id']}"
    return response.json()


def story_of(api: httpx.Client, sim_id: str) -> dict:
    events = read_events(api, f"/v1/simulations/{sim_id}/events")
    assert events[-1].event == "story"
    story = api.get(f"/v1/stories/{events[-1].data['story_id']}")
    assert story.status_code == 200
    return story.json()


def prose(story: dict) -> str:
    return "\n\n".join(
        [
            story["title"],
            story["opening"],
            *(c["text"] for c in story["chapters"]),
            story["closing"],
        ]
    )


def test_async_flow_streams_every_turn_and_ends_with_the_story(api):
    created = start(api, turns=4, seed=11, narrative_style="epic")
    assert created["status"] == "queued" and created["turns_total"] == 4

    events = read_events(api, f"/v1/simulations/{created['id']}/events")
    turns = [e.data["turn"] for e in events if e.event == "turn"]
    chapters = [e.data["chapter"]["number"] for e in events if e.event == "chapter"]
    statuses = [e.data["status"] for e in events if e.event == "status"]
    assert turns == [1, 2, 3, 4]
    assert chapters == [1, 2, 3, 4]
    assert statuses == ["completed"]
    assert events[-1].event == "story"
    assert all(e.data["events"] for e in events if e.event == "turn")

    sim = api.get(f"/v1/simulations/{created['id']}").json()
    assert sim["status"] == "completed" and sim["turns_done"] == 4
    assert sim["story_id"] == events[-1].data["story_id"]

    story = api.get(f"/v1/stories/{sim['story_id']}").json()
    assert story["status"] == "completed" and len(story["chapters"]) == 4
    assert story["narrative_style"] == "epic"
    markdown = api.get(f"/v1/stories/{sim['story_id']}", headers={"Accept": "text/markdown"})
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text.startswith(f"# {story['title']}")
    assert markdown.text.count("\n## ") >= 4

    # Resuming after turn 2 / chapter 2 replays only what came later.
    resumed = read_events(api, f"/v1/simulations/{created['id']}/events", last_event_id="2.2.0")
    assert [e.data["turn"] for e in resumed if e.event == "turn"] == [3, 4]
    assert [e.data["chapter"]["number"] for e in resumed if e.event == "chapter"] == [3, 4]

    listed = api.get("/v1/simulations", params={"page_size": 100}).json()["items"]
    assert created["id"] in [s["id"] for s in listed]
    assert story["id"] in [
        s["id"] for s in api.get("/v1/stories", params={"page_size": 100}).json()["items"]
    ]


def test_same_seed_same_story_byte_for_byte(api):
    first = story_of(api, start(api, seed=2024)["id"])
    second = story_of(api, start(api, seed=2024)["id"])
    other = story_of(api, start(api, seed=2025)["id"])
    assert prose(first) == prose(second)
    assert prose(first) != prose(other)


def test_sync_route_returns_the_story(api):
    response = api.post(
        "/simulations", json={"character_names": ["pilot", "scientist"], "turns": 3}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"story", "participants", "turns_executed", "duration_seconds"}
    assert body["participants"] == ["pilot", "scientist"] and body["turns_executed"] == 3
    paragraphs = [p for p in body["story"].split("\n\n") if p.strip()]
    assert len(paragraphs) >= 3
    assert "Rhea Voss" in body["story"] and "Okafor" in body["story"]
    assert "noteworthy event" not in body["story"].lower()


def test_sync_route_errors(api):
    unknown = api.post("/simulations", json={"character_names": ["pilot", "ghost"], "turns": 2})
    assert unknown.status_code == 404
    assert unknown.json() == {"error": "Not Found", "detail": "Character 'ghost' not found"}
    for bad in (
        {"character_names": ["pilot"], "turns": 2},
        {"character_names": ["pilot", "scientist"], "turns": 11},
        {"character_names": ["pilot", "scientist"], "narrative_style": "purple"},
        {"turns": 2},
    ):
        response = api.post("/simulations", json=bad)
        assert response.status_code == 422, bad
        assert set(response.json()) == {"error", "detail"}


def test_v1_errors(api):
    def error(response: httpx.Response, status: int) -> dict:
        assert response.status_code == status, response.text
        return response.json()["error"]

    assert (
        "Character 'ghost'"
        in error(
            api.post("/v1/simulations", json={"character_ids": ["pilot", "ghost"], "turns": 2}), 404
        )["message"]
    )
    error(api.post("/v1/simulations", json={"character_ids": ["pilot", "kai"], "turns": 0}), 422)
    error(api.post("/v1/simulations", json={"character_ids": ["pilot"] * 7, "turns": 2}), 422)
    error(api.get("/v1/simulations/not-a-simulation"), 404)
    error(api.get("/v1/stories/not-a-story"), 404)
    error(api.get("/v1/simulations/not-a-simulation/events"), 404)
    # A stream reads NATS subjects named by the id: wildcards and separators stream
    # nothing, not even the caller's own simulation's events.
    story_of(api, start(api, turns=1)["id"])
    for pattern in ("*", "%3E", "x.y", "%2A.%3E"):
        error(api.get(f"/v1/simulations/{pattern}/events"), 404)
    # An id longer than any id is refused as such, never cut short to another one.
    long_id = "s" * 65
    assert "path.simulation_id" in error(api.get(f"/v1/simulations/{long_id}"), 422)["message"]
    assert "path.simulation_id" in error(api.delete(f"/v1/simulations/{long_id}"), 422)["message"]
    assert "path.story_id" in error(api.get(f"/v1/stories/{long_id}"), 422)["message"]


def test_sync_route_times_out_with_the_id_and_the_story_still_arrives(stack, api):
    stack.stop_service("story")
    try:
        response = api.post("/simulations", json={"character_names": ["kai", "zara"], "turns": 2})
    finally:
        stack.restart_service("story")
    assert response.status_code == 504
    body = response.json()
    assert body["error"] == "Gateway Timeout" and body["simulation_id"]
    story = story_of(api, body["simulation_id"])
    assert len(story["chapters"]) == 2


def test_cancel_stops_a_running_simulation(api):
    created = start(api, turns=50)
    deadline = time.monotonic() + 20
    while api.get(f"/v1/simulations/{created['id']}").json()["turns_done"] < 2:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    cancelled = api.delete(f"/v1/simulations/{created['id']}")
    assert cancelled.status_code == 202
    events = read_events(api, f"/v1/simulations/{created['id']}/events")
    assert [e.data["status"] for e in events if e.event == "status"] == ["cancelled"]
    sim = api.get(f"/v1/simulations/{created['id']}").json()
    assert sim["status"] == "cancelled" and 2 <= sim["turns_done"] < 50
    again = api.delete(f"/v1/simulations/{created['id']}")
    assert again.status_code == 409


def test_killed_worker_mid_run_still_yields_one_complete_story(stack, api):
    stack.add_replica("simulation", "simulation-2")
    created = start(api, turns=30, seed=99)
    deadline = time.monotonic() + 20
    while (done := api.get(f"/v1/simulations/{created['id']}").json()["turns_done"]) < 5:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert done < 25, "the run ended before it could be interrupted"
    # SIGKILL every worker process, so the one running it surely dies mid-run; a fresh
    # worker must resume from the last checkpoint once the message's ack wait runs out.
    stack.stop_service("simulation", signal.SIGKILL)
    stack.stop_service("simulation-2", signal.SIGKILL)
    stack.restart_service("simulation")
    story = story_of(api, created["id"])
    assert [c["number"] for c in story["chapters"]] == list(range(1, 31))
    assert story["status"] == "completed"
    sim = api.get(f"/v1/simulations/{created['id']}").json()
    assert sim["status"] == "completed" and sim["turns_done"] == 30
    # Identical to an uninterrupted run with the same inputs.
    assert prose(story_of(api, start(api, turns=30, seed=99)["id"])) == prose(story)


def test_log_style_runs_end_to_end_and_every_paragraph_names_its_events(api):
    """The "log" style passes the gateway and the simulation service, and every chapter,
    in GET /v1/stories/{id} and in the SSE `chapter` events alike, says which events
    each of its paragraphs tells."""
    created = start(api, turns=3, seed=5, narrative_style="log")
    events = read_events(api, f"/v1/simulations/{created['id']}/events")
    told = {
        f"{e['turn']}.{e.get('sequence', 0)}": e for t in events if t.event == "turn"
        for e in t.data["events"]
    }  # fmt: skip
    streamed = [e.data["chapter"] for e in events if e.event == "chapter"]
    story = api.get(f"/v1/stories/{events[-1].data['story_id']}").json()
    assert story["narrative_style"] == "log"
    assert [c["number"] for c in streamed] == [c["number"] for c in story["chapters"]] == [1, 2, 3]
    for chapter, live in zip(story["chapters"], streamed, strict=True):
        assert chapter == live
        paragraphs = chapter["text"].split("\n\n")
        assert len(chapter["paragraphs"]) == len(paragraphs)
        for text, paragraph in zip(paragraphs, chapter["paragraphs"], strict=True):
            # The log style opens each paragraph with its event's id: "[2.3] ...".
            (event_id,) = paragraph["event_ids"]
            assert text.startswith(f"[{event_id}] ")
            assert told[event_id]["turn"] == chapter["number"]
        assert set(told) >= {i for p in chapter["paragraphs"] for i in p["event_ids"]}
    # Every event of the run is told by some paragraph.
    assert {i for c in story["chapters"] for p in c["paragraphs"] for i in p["event_ids"]} == set(
        told
    )


def test_detailed_paragraphs_name_the_events_they_tell(api):
    story = story_of(api, start(api, turns=3, seed=8)["id"])
    for chapter in story["chapters"]:
        assert len(chapter["paragraphs"]) == len(chapter["text"].split("\n\n"))
        ids = [i for p in chapter["paragraphs"] for i in p["event_ids"]]
        assert ids and all(i.split(".")[0] == str(chapter["number"]) for i in ids)
    bad = api.post("/v1/simulations", json={"character_ids": ["pilot", "kai"], "turns": 2,
                                            "narrative_style": "purple"})  # fmt: skip
    assert bad.status_code == 422 and "narrative_style" in bad.text
