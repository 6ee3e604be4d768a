"""Imports and exports end to end (gateway → character / simulation / story services →
PostgreSQL, NATS): the older system's folders and Character Card PNGs in; stories as
Markdown, HTML, EPUB and a run bundle out; every kind of bad file refused with a 4xx."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from ebooklib import epub
from PIL import Image

from tests import character_files
from tests.e2e.cli import novel
from tests.e2e.conftest import new_tenant_key
from tests.e2e.sse import read_events

pytestmark = pytest.mark.e2e

IMPORT = "/v1/characters:import"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tenant_key(stack) -> str:
    return new_tenant_key(stack, "formats")


@pytest.fixture(scope="module")
def client(stack, tenant_key):
    with httpx.Client(
        base_url=stack.url, headers={"Authorization": f"Bearer {tenant_key}"}, timeout=60
    ) as api:
        yield api


def error_of(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and {"code", "message", "details"} <= set(body["error"])
    assert "Traceback" not in response.text
    return body["error"]["message"]


def by_source(report: dict) -> dict[str, dict]:
    return {item["source"]: item for item in report["characters"]}


def run_story(api: httpx.Client, character_ids: list[str], **settings) -> dict:
    started = api.post(
        "/v1/simulations", json={"character_ids": character_ids, "turns": 6, **settings}
    )
    assert started.status_code == 202, started.text
    return story_after(api, started.json()["id"])


def story_after(api: httpx.Client, simulation_id: str) -> dict:
    events = read_events(api, f"/v1/simulations/{simulation_id}/events")
    assert events[-1].event == "story", events[-1]
    story = api.get(f"/v1/stories/{events[-1].data['story_id']}")
    assert story.status_code == 200, story.text
    return story.json()


def test_older_folders_import_with_traits_and_faction(client):
    archive = character_files.zipped(dict(character_files.older_folders()))
    response = client.post(IMPORT, files={"file": ("characters.zip", archive, "application/zip")})
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["imported"], report["refused"]) == (4, 0), report
    found = by_source(report)
    kara = found["characters/kara_venn"]
    assert kara["status"] == "imported"
    assert any("**Affiliation** -> faction" in line for line in kara["mapped"])
    assert "Regiment" in kara["notes"]
    stored = client.get("/v1/characters/kara-venn").json()
    assert stored["faction"] == "Ashen Guard"
    assert {"stubborn", "fiercely loyal", "dry humour", "loyalty"} <= set(stored["traits"])
    assert "Regiment: Ninth Ashen" in stored["notes"]
    for cid, faction, trait in (
        ("grak-ironjaw", "Iron Horde", "aggressive"),
        ("brother-aldric", "Order of the Ember", "zealous"),
        ("iska-marr", "Free Traders", "curious"),
    ):
        got = client.get(f"/v1/characters/{cid}").json()
        assert got["faction"] == faction and trait in got["traits"], got

    again = client.post(IMPORT, content=archive, headers={"Content-Type": "application/zip"})
    assert again.status_code == 200, again.text
    assert again.json()["imported"] == 0
    assert all("already exists" in c["error"] for c in again.json()["characters"])


def test_multipart_files_keep_their_folder_and_dry_run_stores_nothing(client):
    files = [
        ("file", ("characters/dry_run_only/character.md", character_files.PROFILE_SHEET.replace(
            "Kara Venn", "Dry Run"), "text/markdown")),
    ]  # fmt: skip
    response = client.post(IMPORT, files=files, params={"dry_run": "true"})
    assert response.status_code == 200, response.text
    [item] = response.json()["characters"]
    assert item["status"] == "valid" and item["character"]["id"] == "dry-run-only"
    assert client.get("/v1/characters/dry-run-only").status_code == 404


def test_a_real_card_v2_png_imports_and_v3_prefers_ccv3(client):
    v2 = character_files.card_png(character_files.card_v2("Mira Sol"))
    response = client.post(IMPORT, content=v2, headers={"Content-Type": "image/png"})
    assert response.status_code == 200, response.text
    [item] = response.json()["characters"]
    assert item["status"] == "imported", item
    assert set(item["character"]["traits"]) == {"patient", "watchful", "stubborn"}
    assert any(r.startswith("data.system_prompt") for r in item["refused"])
    assert "First message" in item["notes"]

    v3 = character_files.card_v2("Tam Reyes")
    v3["spec"], v3["spec_version"] = "chara_card_v3", "3.0"
    v3["data"]["tags"] = ["Harbour Watch"]
    v3["data"]["assets"] = [{"type": "icon", "uri": "ccdefault:", "name": "main", "ext": "png"}]
    png = character_files.card_png(v3, keyword="ccv3")
    response = client.post(IMPORT, files={"file": ("tam.png", png, "image/png")})
    [item] = response.json()["characters"]
    assert item["character"]["name"] == "Tam Reyes"
    assert any(r.startswith("data.assets") for r in item["refused"])


def test_character_exports_as_card_v2_and_imports_back_whole(client):
    created = client.post(
        "/v1/characters",
        json={"name": "Card Trip", "faction": "Guild", "role": "Scout",
              "traits": {"brave": 0.8}, "goals": ["Map the caves"], "notes": "Age: 40"},
    )  # fmt: skip
    assert created.status_code == 201, created.text
    card = client.get("/v1/characters/card-trip", params={"format": "card-v2"})
    assert card.status_code == 200
    assert card.headers["content-type"].startswith("application/vnd.chara-card-v2+json")
    assert card.headers["content-disposition"] == 'attachment; filename="card-trip-card.json"'
    assert card.json()["spec"] == "chara_card_v2"
    by_accept = client.get(
        "/v1/characters/card-trip", headers={"Accept": "application/vnd.chara-card-v2+json"}
    )
    assert by_accept.json() == card.json()
    before = client.get("/v1/characters/card-trip").json()
    assert client.delete("/v1/characters/card-trip").status_code == 204
    back = client.post(IMPORT, content=card.content, headers={"Content-Type": "application/json"})
    assert back.status_code == 200, back.text
    after = client.get("/v1/characters/card-trip").json()
    for key in ("name", "faction", "role", "traits", "stats", "goals", "backstory", "notes"):
        assert after[key] == before[key], key
    error_of(client.get("/v1/characters/card-trip", params={"format": "yaml"}), 406)
    error_of(client.get("/v1/characters/card-trip", headers={"Accept": "image/gif"}), 406)


@pytest.fixture(scope="module")
def finished_story(client) -> dict:
    archive = character_files.zipped(dict(character_files.older_folders()))
    client.post(IMPORT, content=archive, headers={"Content-Type": "application/zip"})
    return run_story(client, ["kara-venn", "iska-marr", "grak-ironjaw"], seed=4242)


def epubcheck_command() -> list[str] | None:
    """Debian's epubcheck is a jar behind a symlink (run by binfmt where configured)."""
    found = shutil.which("epubcheck")
    if found is None:
        return None
    real = os.path.realpath(found)
    if real.endswith(".jar"):
        java = shutil.which("java")
        return [java, "-jar", real] if java else None
    return [found]


def test_story_exports_as_markdown_html_and_epub(client, finished_story, tmp_path):
    sid = finished_story["id"]
    markdown = client.get(f"/v1/stories/{sid}", headers={"Accept": "text/markdown"})
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text.startswith(f"# {finished_story['title']}")
    assert markdown.headers["content-disposition"].endswith('.md"')
    assert finished_story["chapters"][0]["text"] in markdown.text

    page = client.get(f"/v1/stories/{sid}", params={"format": "html"})
    assert page.headers["content-type"].startswith("text/html")
    assert page.text.startswith("<!DOCTYPE html>") and "<style>" in page.text
    assert "<script" not in page.text and "src=" not in page.text  # self-contained
    assert page.headers["content-disposition"].startswith('attachment; filename="')

    book = client.get(f"/v1/stories/{sid}", headers={"Accept": "application/epub+zip"})
    assert book.status_code == 200
    assert book.headers["content-disposition"].endswith('.epub"')
    path = tmp_path / "story.epub"
    path.write_bytes(book.content)
    opened = epub.read_epub(str(path))
    assert opened.get_metadata("DC", "title")[0][0] == finished_story["title"]
    texts = [item.get_content().decode() for item in opened.get_items_of_type(9)]
    assert any(finished_story["chapters"][-1]["title"] in text for text in texts)
    command = epubcheck_command()
    if command is None:
        pytest.skip("epubcheck is not installed (apt-get install epubcheck): EPUB not validated")
    checked = subprocess.run([*command, str(path)], capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_unknown_story_formats_are_406(client, finished_story):
    sid = finished_story["id"]
    assert "formats:" in error_of(client.get(f"/v1/stories/{sid}", params={"format": "pdf"}), 406)
    error_of(client.get(f"/v1/stories/{sid}", headers={"Accept": "application/pdf"}), 406)
    chosen = client.get(f"/v1/stories/{sid}", headers={"Accept": "text/html;q=0.5, */*;q=0.1"})
    assert chosen.headers["content-type"].startswith("text/html")


def comparable(bundle: dict) -> dict:
    """What must be equal between a run and its replay: the story and every event."""
    story = {k: v for k, v in bundle["story"].items() if k not in ("id", "simulation_id")}
    return {"story": story, "events": bundle["events"], "settings": bundle["settings"]}


def test_a_bundle_exported_deleted_and_reimported_replays_identically(client, finished_story):
    sid = finished_story["id"]
    exported = client.get(f"/v1/stories/{sid}", params={"format": "bundle"})
    assert exported.status_code == 200, exported.text
    assert exported.headers["content-disposition"].endswith('.bundle.json"')
    bundle = exported.json()
    assert (bundle["format"], bundle["version"]) == ("novel-engine-bundle", 1)
    assert [c["id"] for c in bundle["characters"]] == ["kara-venn", "iska-marr", "grak-ironjaw"]
    assert bundle["settings"]["seed"] == 4242 and bundle["settings"]["turns"] == 6
    assert bundle["interventions"] == [] and bundle["recordings"] == []
    # Every event a paragraph tells is in the bundle (a run may end before its turns).
    told = {e for c in bundle["story"]["chapters"] for p in c["paragraphs"] for e in p["event_ids"]}
    carried = {f"{e['turn']}.{e['sequence']}" for t in bundle["events"] for e in t["events"]}
    assert told and told <= carried

    for character in bundle["characters"]:
        assert client.delete(f"/v1/characters/{character['id']}").status_code == 204
    error_of(client.get(f"/v1/stories/{sid}", params={"format": "bundle"}), 409)

    replayed = client.post("/v1/bundles:import", content=exported.content,
                           headers={"Content-Type": "application/json"})  # fmt: skip
    assert replayed.status_code == 202, replayed.text
    assert sorted(replayed.json()["created_character_ids"]) == sorted(
        c["id"] for c in bundle["characters"]
    )
    story = story_after(client, replayed.json()["simulation"]["id"])
    assert story["id"] != sid
    again = client.get(f"/v1/stories/{story['id']}", params={"format": "bundle"}).json()
    assert comparable(again) == comparable(bundle)
    assert again["characters"] == bundle["characters"]

    # The characters are there now, with the same sheets: reused, not duplicated.
    twice = client.post("/v1/bundles:import", json=bundle)
    assert twice.status_code == 202, twice.text
    assert twice.json()["created_character_ids"] == []


def bad_zip_entries(count: int) -> bytes:
    return character_files.zipped({f"characters/x/{n}.md": "name: X" for n in range(count)})


def zip_bomb() -> bytes:
    return character_files.zipped({"characters/x/bomb.md": b"a" * (3 * 1024 * 1024)})


def traversal_zip() -> bytes:
    return character_files.zipped({"../../etc/cron.d/x.md": "name: X"})


def png_of(size: tuple[int, int], text: dict | None = None) -> bytes:
    if text is not None:
        return character_files.card_png(text, size=size)
    buffer = io.BytesIO()
    Image.new("L", size).save(buffer, "PNG")
    return buffer.getvalue()


def many_sheets() -> bytes:
    """Each entry within bounds, together more than one call to the service may carry."""
    return character_files.zipped(
        {f"characters/c{n}/sheet.md": f"name: C{n}\n" + "x" * (1500 * 1024) for n in range(3)}
    )


def nested_archive() -> bytes:
    return character_files.zipped({"inner.zip": character_files.zipped({"a.md": "name: A"})})


BAD_UPLOADS = [
    ("not a zip", b"PK\x03\x04 this is not a zip", "application/zip", 422, "not a readable zip"),
    ("traversal", traversal_zip(), "application/zip", 422, "leaves the archive"),
    ("zip bomb", zip_bomb(), "application/zip", 422, "unpacks to more than"),
    ("too many entries", bad_zip_entries(201), "application/zip", 422, "more than 200"),
    ("nested zip", nested_archive(), "application/zip", 422, "archive inside"),
    ("too much text", many_sheets(), "application/zip", 422, "bytes of character files"),
    ("huge image", png_of((5000, 8), character_files.card_v2()), "image/png", 422, "5000x8"),
    ("png without card", png_of((8, 8)), "image/png", 422, "no character card"),
    ("broken png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "image/png", 422, "not a valid PNG"),
    ("deep json", b"[" * 100 + b"]" * 100, "application/json", 422, "nested deeper"),
    ("bad json", b"{nope", "application/json", 422, "not valid JSON"),
    ("not a card", b'{"spec": "something"}', "application/json", 200, ""),
    ("unknown type", b"name: x", "text/plain", 415, "Content-Type"),
]


@pytest.mark.parametrize(
    ("data", "media", "status", "message"),
    [case[1:] for case in BAD_UPLOADS],
    ids=[case[0] for case in BAD_UPLOADS],
)
def test_bad_uploads_get_a_4xx_naming_what_is_wrong(client, data, media, status, message):
    response = client.post(IMPORT, content=data, headers={"Content-Type": media})
    if status == 200:  # read, but refused as a character, saying why
        [item] = response.json()["characters"]
        assert item["status"] == "refused" and "not a Character Card" in item["refused"][0]
        return
    assert message in error_of(response, status)


BAD_SHEETS = [
    ("malformed yaml", "characters/y/stats.yaml", b"character: {name: [oops", "not valid YAML"),
    ("control bytes", "characters/y/y.md", b"name: Y\x07\n", "control character"),
    ("not utf-8", "characters/y/y.md", b"name: \xc3\x28\n", "not UTF-8"),
    ("open fence", "characters/y/y.md", b"name: Y\n```\n", "never closed"),
    ("too long", "characters/y/y.md", b"x" * (300 * 1024), "larger than"),
    ("unknown file", "characters/y/y.exe", b"MZ", "not a character file"),
]


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [case[1:] for case in BAD_SHEETS],
    ids=[case[0] for case in BAD_SHEETS],
)
def test_bad_sheets_get_a_422_naming_the_file(client, path, data, message):
    response = client.post(IMPORT, files={"file": (path, data, "application/octet-stream")})
    got = error_of(response, 422)
    assert path in got and message in got


def test_oversized_upload_is_413(client):
    response = client.post(
        IMPORT, content=b"\0" * (8 * 1024 * 1024 + 1), headers={"Content-Type": "image/png"}
    )
    error_of(response, 413)


def test_bad_bundles_are_refused(client, finished_story):
    bundle = client.get(f"/v1/stories/{finished_story['id']}", params={"format": "bundle"})
    good = bundle.json() if bundle.status_code == 200 else None
    base = good or {"format": "novel-engine-bundle", "version": 1}
    cases = [
        ({**base, "version": 2}, "version 2"),
        ({"format": "something-else"}, "not a Novel Engine bundle"),
        ({**base, "settings": {**base.get("settings", {}), "turns": 500}}, "do not validate"),
    ]
    for body, message in cases:
        response = client.post("/v1/bundles:import", json=body)
        assert message in error_of(response, 422)
    deep = b'{"format": "novel-engine-bundle", "version": 1, "x": ' + b"[" * 60 + b"]" * 60 + b"}"
    response = client.post(
        "/v1/bundles:import", content=deep, headers={"Content-Type": "application/json"}
    )
    assert "nested deeper" in error_of(response, 422)


def test_cli_imports_a_characters_folder_and_exports_formats(
    stack, tenant_key, finished_story, tmp_path
):
    env = {
        "NE_URL": stack.url,
        "NE_API_KEY": tenant_key,
        "NOVEL_CONFIG": str(tmp_path / "config.json"),
        "NE_RUN_DIR": str(tmp_path / "run"),
    }
    files = {
        k.replace("kara_venn", "cli_kara").replace("Kara Venn", "Cli Kara"): v.replace(
            "Kara Venn", "Cli Kara"
        )
        for k, v in character_files.older_folders().items()
        if "kara_venn" in k
    }
    folder = character_files.write_folders(tmp_path / "old", files)
    done = novel("characters", "import", str(folder), "--json", env=env)
    assert done.code == 0, done.err
    report = json.loads(done.out)
    assert report["imported"] == 1
    assert report["characters"][0]["character"]["faction"] == "Ashen Guard"
    shown = novel("characters", "import", str(folder), env=env)
    assert "refused" in shown.out and "already exists" in shown.out
    card = tmp_path / "card.png"
    card.write_bytes(character_files.card_png(character_files.card_v2("Cli Card")))
    assert novel("characters", "import", str(card), env=env).code == 0
    out = tmp_path / "out"
    for fmt, ending in (("epub", ".epub"), ("html", ".html"), ("bundle", ".bundle.json")):
        done = novel("stories", "export", finished_story["id"], "--format", fmt,
                     "--out", str(out), env=env)  # fmt: skip
        assert done.code == 0, done.err
        assert done.out.strip().endswith(ending)
    written = {p.suffix for p in out.iterdir()}
    assert written == {".epub", ".html", ".json"}


def test_a_bundle_of_a_run_in_the_tenants_world_brings_the_world_back(client):
    world = json.loads((REPO / "docs" / "worlds" / "vellmar.json").read_text(encoding="utf-8"))
    created = client.post("/v1/worlds", json={"id": "bundle-vellmar", **world})
    assert created.status_code == 201, created.text
    people = []
    for name in ("World Walker", "World Warden"):
        made = client.post("/v1/characters", json={"name": name, "traits": {"brave": 0.6}})
        assert made.status_code == 201, made.text
        people.append(made.json()["id"])
    story = run_story(client, people, seed=77, world_id="bundle-vellmar")
    bundle = client.get(f"/v1/stories/{story['id']}", params={"format": "bundle"}).json()
    assert bundle["settings"]["world_id"] == "bundle-vellmar"
    assert bundle["settings"]["world"]["places"] == world["places"]

    for cid in people:
        assert client.delete(f"/v1/characters/{cid}").status_code == 204
    assert client.delete("/v1/worlds/bundle-vellmar").status_code == 204
    replayed = client.post("/v1/bundles:import", json=bundle)
    assert replayed.status_code == 202, replayed.text
    assert client.get("/v1/worlds/bundle-vellmar").status_code == 200
    again = story_after(client, replayed.json()["simulation"]["id"])
    assert [c["text"] for c in again["chapters"]] == [c["text"] for c in story["chapters"]]
    assert again["title"] == story["title"]


def fork_of(api: httpx.Client, sim_id: str, **body) -> dict:
    response = api.post(f"/v1/simulations/{sim_id}/fork", json=body)
    assert response.status_code == 202, response.text
    return response.json()


def bundle_of(api: httpx.Client, story_id: str) -> dict:
    exported = api.get(f"/v1/stories/{story_id}", params={"format": "bundle"})
    assert exported.status_code == 200, exported.text
    return exported.json()


def replayed_bundle(api: httpx.Client, bundle: dict) -> dict:
    """The bundle imported (its characters deleted first), run, and exported again."""
    newcomers = [i["sheet"]["id"] for i in bundle["interventions"] if i["sheet"]]
    for cid in [c["id"] for c in bundle["characters"]] + newcomers:
        assert api.delete(f"/v1/characters/{cid}").status_code == 204
    replayed = api.post("/v1/bundles:import", json=bundle)
    assert replayed.status_code == 202, replayed.text
    assert sorted(replayed.json()["created_character_ids"]) == sorted(
        [c["id"] for c in bundle["characters"]] + newcomers
    )
    run = replayed.json()["simulation"]
    assert run["parent_id"] is None
    assert run["interventions"] == [
        {k: i[k] or None if k in ("character_id", "location") else i[k] for k in
         ("turn", "kind", "character_id", "text", "location")}
        for i in bundle["interventions"]
    ]  # fmt: skip
    return bundle_of(api, story_after(api, run["id"])["id"])


def same_bytes(a: dict, b: dict) -> bool:
    """The story, events and settings of two bundles serialise to the same bytes."""
    return json.dumps(comparable(a), sort_keys=True) == json.dumps(comparable(b), sort_keys=True)


def test_an_intervened_runs_bundle_carries_its_interventions_and_replays_identically(
    client, finished_story
):
    newcomer = client.post(
        "/v1/characters",
        json={"name": "Bundle Wanderer", "faction": "Drifters", "traits": {"curious": 0.8}},
    )
    assert newcomer.status_code == 201, newcomer.text
    wanderer = newcomer.json()["id"]
    steer = [
        {"kind": "event", "turn": 2, "text": "A red comet splits the sky", "location": ""},
        {"kind": "whisper", "turn": 3, "character_id": "iska-marr", "text": "Grak lies"},
        {"kind": "goal", "turn": 3, "character_id": "kara-venn", "text": "leave this place"},
        {"kind": "enter", "turn": 4, "character_id": wanderer},
        {"kind": "leave", "turn": 5, "character_id": "grak-ironjaw"},
    ]
    # A fork at 0 is a run of its own from turn 1: the run as steered from the start.
    steered = fork_of(client, finished_story["simulation_id"], turn=0, interventions=steer)
    story = story_after(client, steered["id"])
    assert [c["text"] for c in story["chapters"]] != [c["text"] for c in finished_story["chapters"]]
    bundle = bundle_of(client, story["id"])
    assert bundle["version"] == 1
    assert not any("interventions" in note for note in bundle["notes"])
    carried = bundle["interventions"]
    assert [(i["turn"], i["kind"], i["character_id"]) for i in carried] == [
        (2, "event", ""), (3, "whisper", "iska-marr"), (3, "goal", "kara-venn"),
        (4, "enter", wanderer), (5, "leave", "grak-ironjaw"),
    ]  # fmt: skip
    assert [i["sheet"] is None for i in carried] == [True, True, True, False, True]
    sheet = carried[3]["sheet"]
    assert (sheet["id"], sheet["name"], sheet["faction"]) == (
        wanderer,
        "Bundle Wanderer",
        "Drifters",
    )
    assert sheet["traits"] == {"curious": 0.8}
    told = " ".join(c["text"] for c in bundle["story"]["chapters"])
    assert "A red comet splits the sky" in told

    again = replayed_bundle(client, bundle)
    assert again["interventions"] == carried
    assert same_bytes(again, bundle)
    assert again["characters"] == bundle["characters"]


def test_a_branchs_bundle_is_the_run_that_tells_its_story_from_turn_one(client, finished_story):
    """A fork at 3 of a steered run, with an intervention of its own: its bundle carries
    the steered run's interventions up to turn 3, the ones after it the branch kept, and
    its own; replayed from turn 1 it tells the branch's whole story. A branch whose dice
    were re-seeded after turn 0 is told by no single run: 409."""
    steer = [
        {"kind": "event", "turn": 2, "text": "The bells ring at noon"},
        {"kind": "event", "turn": 5, "text": "Rain floods the lower streets"},
    ]
    steered = fork_of(client, finished_story["simulation_id"], turn=0, interventions=steer)
    story_after(client, steered["id"])
    own = {"kind": "whisper", "character_id": "kara-venn", "text": "the vault is empty"}
    branch = fork_of(client, steered["id"], turn=3, interventions=[own])
    branch_story = story_after(client, branch["id"])
    bundle = bundle_of(client, branch_story["id"])
    assert bundle["settings"]["seed"] == 4242
    assert [(i["turn"], i["text"]) for i in bundle["interventions"]] == [
        (2, "The bells ring at noon"),
        (5, "Rain floods the lower streets"),
        (4, "the vault is empty"),
    ]
    assert [c["number"] for c in bundle["story"]["chapters"]][:3] == [1, 2, 3]
    again = replayed_bundle(client, bundle)
    assert same_bytes(again, bundle)

    reseeded = fork_of(client, steered["id"], turn=3, seed=99)
    reseeded_story = story_after(client, reseeded["id"])
    message = error_of(
        client.get(f"/v1/stories/{reseeded_story['id']}", params={"format": "bundle"}), 409
    )
    assert "re-seeded" in message and reseeded["id"] in message


def test_bad_interventions_in_a_bundle_are_422_naming_them_and_version_1_still_imports(
    client, finished_story
):
    good = bundle_of(client, finished_story["id"])
    event = {"turn": 2, "kind": "event", "character_id": "", "text": "x", "location": ""}
    cases = [
        ([{**event, "kind": "storm"}], "interventions.0.kind"),
        ([event, {**event, "turn": 0}], "interventions.1.turn"),
        ([{**event, "text": "x" * 501}], "interventions.0.text"),
        ([{**event, "sheet": good["characters"][0]}], "interventions[0]: a sheet comes only"),
        ([{**event, "turn": 40}], "interventions: turn must be 1..6 for this run, got 40"),
        ([{**event, "kind": "whisper"}], "interventions: character_id is required"),
        ([{**event, "kind": "goal", "character_id": "nobody-here"}], "not in this run"),
        ([{**event, "kind": "enter", "character_id": "nobody-here"}], "'nobody-here' not found"),
        ([event] * 51, "interventions"),
    ]
    for interventions, message in cases:
        response = client.post("/v1/bundles:import", json={**good, "interventions": interventions})
        assert message in error_of(response, 422), interventions

    # A version-1 bundle written before interventions were carried: no such field (or an
    # empty list and a note saying so) imports and replays the same story.
    older = {k: v for k, v in good.items() if k != "interventions"}
    older["notes"] = [*good["notes"], "interventions: this version records none"]
    replayed = client.post("/v1/bundles:import", json=older)
    assert replayed.status_code == 202, replayed.text
    again = bundle_of(client, story_after(client, replayed.json()["simulation"]["id"])["id"])
    assert same_bytes(again, good) and again["interventions"] == []
