"""What if, end to end: forks, interventions, knowledge and story diffs on the real
services (PostgreSQL, NATS, the gateway, the simulation and story services)."""

from __future__ import annotations

import re
import uuid

import httpx
import psycopg
import pytest

from novel_cli.stack import LocalStack
from tests.e2e.conftest import new_tenant_key
from tests.e2e.sse import read_events
from tests.e2e.test_simulations_api import prose, start, story_of

pytestmark = pytest.mark.e2e

CAST = ["pilot", "scientist", "marcus"]
EVENT_ID = re.compile(r"^\d+\.\d+$")


def fork(api: httpx.Client, sim_id: str, **body) -> dict:
    response = api.post(f"/v1/simulations/{sim_id}/fork", json=body)
    assert response.status_code == 202, response.text
    assert response.headers["location"] == f"/v1/simulations/{response.json()['id']}"
    return response.json()


def chapters(story: dict) -> list[tuple[int, str, str]]:
    return [(c["number"], c["title"], c["text"]) for c in story["chapters"]]


def _rows(stack: LocalStack, query: str, *args: object) -> list[tuple[object, ...]]:
    assert stack.database_url
    with psycopg.connect(stack.database_url) as conn:
        return list(conn.execute(query, args).fetchall())


@pytest.fixture(scope="module")
def parent(api: httpx.Client) -> tuple[dict, dict]:
    """A finished 20-turn run and its story."""
    created = start(api, turns=20, seed=4242)
    return created, story_of(api, created["id"])


def test_a_fork_shares_the_prefix_and_with_the_parents_seed_repeats_the_whole_story(
    api: httpx.Client, stack: LocalStack, parent: tuple[dict, dict]
) -> None:
    run, story = parent
    assert [c["number"] for c in story["chapters"]] == list(range(1, 21))

    same = fork(api, run["id"], turn=7)
    assert (same["parent_id"], same["fork_turn"], same["root_id"]) == (run["id"], 7, run["id"])
    assert same["turns_done"] == 7 and same["seed"] == run["seed"]
    branch_story = story_of(api, same["id"])
    # With the parent's dice and no intervention, the branch is the parent, byte for byte.
    assert prose(branch_story) == prose(story)
    assert branch_story["chapters"] == story["chapters"]

    other = fork(api, run["id"], turn=7, seed=99)
    other_story = story_of(api, other["id"])
    assert chapters(other_story)[:7] == chapters(story)[:7]
    assert chapters(other_story) != chapters(story)
    assert [c["number"] for c in other_story["chapters"]] == list(range(1, 21))

    # The shared turns are stored once: each branch keeps one world (at its fork) and
    # writes only the chapters after it; its story reads the first seven from the parent.
    for branch in (same, other):
        kept = _rows(
            stack,
            "SELECT turn FROM simulation.checkpoints WHERE simulation_id = %s ORDER BY turn",
            branch["id"],
        )
        assert kept[0][0] == 7 and all(int(str(r[0])) >= 7 for r in kept)
        written = _rows(
            stack,
            "SELECT c.number FROM story.chapters c JOIN story.stories s ON s.id = c.story_id"
            " WHERE s.simulation_id = %s ORDER BY c.number",
            branch["id"],
        )
        assert [r[0] for r in written] == list(range(8, 21))

    # The tree, from the root or from a branch.
    tree = api.get(f"/v1/simulations/{other['id']}/branches")
    assert tree.status_code == 200, tree.text
    items = tree.json()["items"]
    assert tree.json()["root_id"] == run["id"] and items[0]["id"] == run["id"]
    assert {same["id"], other["id"]} <= {i["id"] for i in items}
    assert api.get(f"/v1/simulations/{run['id']}/branches").json() == tree.json()

    # Where they part.
    diff = api.get(f"/v1/stories/{story['id']}/diff/{other_story['id']}")
    assert diff.status_code == 200, diff.text
    body = diff.json()
    first = body["first_differing_turn"]
    assert first is not None and first > 7
    assert body["chapters"][0]["number"] == first
    assert body["chapters"][0]["a"] != body["chapters"][0]["b"]
    assert body["events"][0]["number"] == first
    assert body["events"][0]["a"] and body["events"][0]["b"]
    assert body["events"][0]["a"] != body["events"][0]["b"]
    alike = api.get(f"/v1/stories/{story['id']}/diff/{branch_story['id']}").json()
    assert alike["first_differing_turn"] is None and alike["chapters"] == []


def test_an_intervention_changes_the_story_from_its_turn_and_replays_byte_identical(
    api: httpx.Client, parent: tuple[dict, dict]
) -> None:
    run, story = parent
    steer = [
        {"kind": "event", "turn": 6, "text": "A red comet splits the sky over the camp"},
        {"kind": "whisper", "turn": 6, "character_id": "pilot", "text": "Marcus lies"},
        {"kind": "goal", "turn": 9, "character_id": "scientist", "text": "leave this place"},
        {"kind": "leave", "turn": 11, "character_id": "marcus"},
        {"kind": "enter", "turn": 12, "character_id": "zara"},  # not in the cast: joins
    ]
    steered = fork(api, run["id"], turn=5, interventions=steer)
    assert [i["turn"] for i in steered["interventions"]] == [6, 6, 9, 11, 12]
    steered_story = story_of(api, steered["id"])
    assert chapters(steered_story)[:5] == chapters(story)[:5]
    assert chapters(steered_story)[5] != chapters(story)[5]
    assert "A red comet splits the sky over the camp." in steered_story["chapters"][5]["text"]
    assert "Marcus lies" in steered_story["chapters"][5]["text"]

    newcomer = f"/v1/simulations/{steered['id']}/characters/zara/knowledge"
    assert api.get(newcomer, params={"turn": 11}).json()["memories"] == []
    assert api.get(newcomer).json()["memories"]
    assert api.get(f"/v1/simulations/{run['id']}/characters/zara/knowledge").status_code == 404

    # A fork at 0 carries every intervention: the whole steered run again, byte for byte.
    replay = fork(api, steered["id"], turn=0)
    assert replay["interventions"] == steered["interventions"]
    assert prose(story_of(api, replay["id"])) == prose(steered_story)

    # An intervention given while a paced run plays lands in the turn it names.
    # (50 paced turns take over a second and a half; the turn named is far enough on.)
    live = start(api, turns=50, seed=515)
    added = api.post(
        f"/v1/simulations/{live['id']}/interventions",
        json={"kind": "event", "turn": 40, "text": "The ground shakes"},
    )
    assert added.status_code == 202, added.text
    assert added.json()["interventions"][-1]["turn"] == 40
    events = read_events(api, f"/v1/simulations/{live['id']}/events")
    live_story = api.get(f"/v1/stories/{events[-1].data['story_id']}").json()
    assert "The ground shakes." in live_story["chapters"][39]["text"]
    assert all("The ground shakes" not in c["text"] for c in live_story["chapters"][:39])
    again = fork(api, live["id"], turn=0)
    assert prose(story_of(api, again["id"])) == prose(live_story)

    # A finished run takes no more.
    late = api.post(
        f"/v1/simulations/{live['id']}/interventions", json={"kind": "event", "text": "x"}
    )
    assert late.status_code == 409
    assert late.json()["error"]["code"]


def test_knowledge_cites_real_events_and_nothing_the_character_could_not_see(
    api: httpx.Client,
) -> None:
    created = start(api, turns=30, seed=31)
    added = api.post(
        f"/v1/simulations/{created['id']}/interventions",
        json={"kind": "whisper", "turn": 20, "character_id": "pilot", "text": "The vault is open"},
    )
    assert added.status_code == 202, added.text
    streamed = read_events(api, f"/v1/simulations/{created['id']}/events")
    events = {
        f"{e['turn']}.{e.get('sequence', 0)}": e  # proto JSON leaves out zeros
        for s in streamed
        if s.event == "turn"
        for e in s.data["events"]
    }
    assert events
    done = api.get(f"/v1/simulations/{created['id']}").json()["turns_done"]
    assert done >= 20

    def knowledge(cid: str, turn: int | None = None) -> dict:
        params = {} if turn is None else {"turn": turn}
        response = api.get(
            f"/v1/simulations/{created['id']}/characters/{cid}/knowledge", params=params
        )
        assert response.status_code == 200, response.text
        return response.json()

    def cited(k: dict) -> list[tuple[str, dict]]:
        return [(i["text"], s) for part in ("facts", "beliefs", "memories") for i in k[part]
                for s in i["sources"]]  # fmt: skip

    for cid in CAST:
        k = knowledge(cid)
        assert k["turn"] == done and k["memories"]
        for _, source in cited(k):
            event = events[source["event_id"]]  # a real event of this run
            involved = cid in (event.get("actor_id"), event.get("target_id")) or any(
                f.get("subject_id") == cid for f in event.get("effects", ())
            )
            if source["how"] in ("did", "found"):
                assert event.get("actor_id") == cid
            if source["how"] in ("told", "whispered"):
                assert involved
        early = knowledge(cid, 3)
        assert early["turn"] == 3
        assert all(int(s["event_id"].split(".")[0]) <= 3 for _, s in cited(early))

    pilot = knowledge("pilot")
    whispered = [(t, s) for t, s in cited(pilot) if s["how"] == "whispered"]
    assert ("The vault is open", "20") in [(t, s["event_id"].split(".")[0]) for t, s in whispered]
    for other in ("scientist", "marcus"):
        assert all("The vault is open" not in text for text, _ in cited(knowledge(other)))
    # Before the whisper, the pilot did not know it either.
    assert all("The vault is open" not in text for text, _ in cited(knowledge("pilot", 19)))


def test_bad_input_is_a_clear_4xx(
    api: httpx.Client, stack: LocalStack, parent: tuple[dict, dict]
) -> None:
    run, story = parent
    sim = run["id"]
    bad_forks = [
        ({"turn": 20}, 422),  # nothing left to play
        ({"turn": -1}, 422),
        ({"turn": 3, "seed": -5}, 422),
        ({"turn": 3, "surprise": 1}, 422),
        ({"turn": 3, "interventions": [{"kind": "storm", "text": "x"}]}, 422),
        ({"turn": 3, "interventions": [{"kind": "event", "turn": 2, "text": "x"}]}, 422),
        ({"turn": 3, "interventions": [{"kind": "event", "text": "x" * 501}]}, 422),
        ({"turn": 3, "interventions": [{"kind": "whisper", "text": "hi"}]}, 422),
        ({"turn": 3, "interventions": [{"kind": "goal", "character_id": "no", "text": "x"}]}, 422),
        ({"turn": 3, "interventions": [{"kind": "event", "text": "x"}] * 51}, 422),
    ]  # fmt: skip
    for body, status in bad_forks:
        response = api.post(f"/v1/simulations/{sim}/fork", json=body)
        assert response.status_code == status, (body, response.text)
        assert response.json()["error"]["message"], body
    missing = str(uuid.uuid4())
    assert api.post(f"/v1/simulations/{missing}/fork", json={"turn": 1}).status_code == 404
    assert api.get(f"/v1/simulations/{missing}/branches").status_code == 404
    assert api.get(f"/v1/simulations/{sim}/characters/nobody/knowledge").status_code == 404
    too_late = api.get(f"/v1/simulations/{sim}/characters/pilot/knowledge", params={"turn": 21})
    assert too_late.status_code == 422
    assert api.get(f"/v1/stories/{story['id']}/diff/{missing}").status_code == 404

    # Another tenant's run is not there at all.
    with httpx.Client(
        base_url=stack.url,
        headers={"Authorization": f"Bearer {new_tenant_key(stack, 'what-if-stranger')}"},
        timeout=30,
    ) as stranger:
        assert stranger.post(f"/v1/simulations/{sim}/fork", json={"turn": 1}).status_code == 404
        assert stranger.get(f"/v1/simulations/{sim}/branches").status_code == 404
        assert (
            stranger.post(
                f"/v1/simulations/{sim}/interventions", json={"kind": "event", "text": "x"}
            ).status_code
            == 404
        )
        assert stranger.get(f"/v1/simulations/{sim}/characters/pilot/knowledge").status_code == 404
        assert stranger.get(f"/v1/stories/{story['id']}/diff/{story['id']}").status_code == 404
