"""The story page at /app in headless Chromium, used the way a reader uses it.

Driven by Playwright for Python with the system's Chromium (Debian's `chromium`);
Playwright's own browser download is never used. Screenshots go to
`test-results/story-page/` (or NE_TEST_RESULTS), one of which the README shows.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.test_simulations_api import start, story_of

pytestmark = pytest.mark.e2e

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RESULTS = Path(os.environ.get("NE_TEST_RESULTS", "test-results")) / "story-page"
TURNS = 8

if not Path(CHROMIUM).exists():
    pytest.skip(
        "no Chromium on this machine: apt-get install chromium (.ci/run does)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


def test_the_page_is_served_with_a_strict_content_security_policy(paced_stack):
    redirected = httpx.get(f"{paced_stack.url}/app")
    assert redirected.status_code in (307, 308) and redirected.headers["location"].endswith("/app/")
    page = httpx.get(f"{paced_stack.url}/app/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in page.text and " style=" not in page.text  # nothing inline
    assert httpx.get(f"{paced_stack.url}/app/nothing.js").status_code == 404


def test_a_reader_creates_a_character_watches_a_story_arrive_and_reads_it(
    browser, paced_stack, tmp_path
):
    RESULTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1000, "height": 900}, accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    page.goto(f"{paced_stack.url}/app")
    page.get_by_text("Enter your API key to begin.").wait_for()
    page.get_by_label("API key").fill(paced_stack.key)
    page.get_by_label("API key").press("Enter")  # the keyboard is enough
    page.get_by_text("Key accepted.").wait_for()

    page.get_by_text("Create a character").click()
    page.get_by_label("Name").fill("Nova Reyes")
    page.get_by_label("Role").fill("Signal hunter")
    page.get_by_label("Traits").fill("curious=0.9, brave=0.6")
    page.get_by_role("button", name="Create character").click()
    page.get_by_text("Created Nova Reyes (nova-reyes).").wait_for()
    assert page.locator("#character-list").get_by_text("Signal hunter").is_visible()

    page.get_by_label("Nova Reyes").check()
    page.get_by_label("Rhea Voss").check()
    page.get_by_label("Turns", exact=True).fill(str(TURNS))
    page.get_by_label("Setting").fill("A drowned observatory")
    page.get_by_role("button", name="Start writing").click()

    # Chapters stream in while the run goes on: the bar is part way.
    page.locator("#live-chapters li").nth(1).wait_for()
    progress = page.get_by_label("Turns done")
    done = int(progress.get_attribute("value") or 0)
    assert 2 <= done <= TURNS
    page.screenshot(path=str(RESULTS / "live.png"))

    page.get_by_role("heading", name="The story is written").wait_for(timeout=60_000)
    assert page.locator("#live-chapters li").count() == TURNS
    assert progress.get_attribute("value") == str(TURNS)

    # The finished story opens in the reader, with its chapter list.
    reader = page.locator("#reader")
    reader.wait_for()
    title = page.locator("#reader-title").inner_text()
    assert title
    assert page.locator("#reader-toc li").count() == TURNS
    first = page.locator("#reader-toc a").first
    first.click()
    assert page.evaluate("location.hash") == "#chapter-1"
    assert "Nova Reyes" in page.locator("#reader-meta").inner_text()
    page.screenshot(path=str(RESULTS / "story.png"), full_page=True)
    assert page.locator("#story-list").get_by_role("button", name=title).count() >= 1

    with page.expect_download() as download:
        page.get_by_role("button", name="Download Markdown").click()
    saved = tmp_path / "story.md"
    download.value.save_as(saved)
    assert saved.read_text().startswith(f"# {title}\n")
    assert saved.read_text().count("\n## ") >= TURNS

    # The same page on a phone-sized screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(RESULTS / "phone.png"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the screen
    assert problems == []
    context.close()


def test_a_reader_follows_a_branch_compares_it_and_asks_what_a_character_knew(browser, paced_stack):
    """A run and a branch steered after turn 3, made through the API; the reader opens the
    branch by its address, sees the tree, compares it with its parent and asks the pilot."""
    with httpx.Client(
        base_url=paced_stack.url,
        headers={"Authorization": f"Bearer {paced_stack.key}"},
        timeout=30,
    ) as api:
        run = start(api, character_ids=["pilot", "scientist"], turns=6, seed=808)
        parent = story_of(api, run["id"])
        forked = api.post(
            f"/v1/simulations/{run['id']}/fork",
            json={
                "turn": 3,
                "interventions": [
                    {"kind": "event", "text": "A red comet splits the sky"},
                    {"kind": "whisper", "character_id": "pilot", "text": "The beacon is a lure"},
                ],
            },
        )
        assert forked.status_code == 202, forked.text
        branch = story_of(api, forked.json()["id"])
    RESULTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(f"{paced_stack.url}/app#story-{branch['id']}")
    page.get_by_label("API key").fill(paced_stack.key)
    page.get_by_label("API key").press("Enter")

    # The address opens the branch; the tree shows both runs, the branch marked.
    page.locator("#reader-title").get_by_text(branch["title"], exact=True).wait_for()
    branches = page.locator("#branches")
    branches.wait_for()
    assert "after turn 3." in page.locator("#branch-parent").inner_text()
    tree = page.locator("#branch-tree")
    assert tree.locator("li").count() == 2
    assert "(this story)" in tree.locator("[aria-current]").inner_text()
    assert "forked after turn 3, 2 interventions" in tree.locator("[aria-current]").inner_text()
    assert "the first run" in tree.locator("li").first.inner_text()

    # Compared with its parent: where they part, then both chapters side by side.
    page.get_by_role("button", name="Compare with parent").click()
    page.locator("#diff-summary").get_by_text("They part at turn 4").wait_for()
    rows = page.locator("#diff-chapters .diff-row")
    assert rows.count() == 3  # chapters 4, 5 and 6
    first = rows.first.locator(".diff-side")
    assert first.nth(0).locator("h5").inner_text().startswith("Parent, chapter 4:")
    assert "A red comet splits the sky" in first.nth(1).inner_text()
    assert "A red comet" not in first.nth(0).inner_text()
    branches.screenshot(path=str(RESULTS / "branch.png"))

    # What the pilot knew: the whisper at turn 4, not before it.
    page.get_by_text("What a character knew").click()
    page.get_by_label("Character", exact=True).select_option("pilot")
    page.get_by_label("At the end of turn").fill("4")
    page.get_by_role("button", name="Show what they knew").click()
    known = page.locator("#knowledge-result")
    known.get_by_text("The beacon is a lure").first.wait_for()
    assert "4." in known.get_by_text("whispered").first.inner_text()  # its event id
    page.get_by_label("At the end of turn").fill("3")
    page.get_by_role("button", name="Show what they knew").click()
    known.get_by_role("heading", name="Facts").wait_for()
    sync_api.expect(known).not_to_contain_text("The beacon is a lure")

    # The parent link opens the parent, whose tree links the branch back.
    page.locator("#branch-parent a").click()
    page.locator("#reader-title").get_by_text(parent["title"], exact=True).wait_for()
    assert page.evaluate("location.hash") == f"#story-{parent['id']}"
    sync_api.expect(page.get_by_role("button", name="Compare with parent")).to_be_hidden()
    sync_api.expect(page.locator("#branch-parent")).to_contain_text("The first run")
    page.locator("#branch-tree a").click()
    page.locator("#reader-title").get_by_text(branch["title"], exact=True).wait_for()

    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="Compare with parent").click()
    page.locator("#diff-summary").get_by_text("They part at turn 4").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert problems == []
    page.close()


def test_a_refused_key_is_said_plainly(browser, paced_stack):
    page = browser.new_page()
    page.goto(f"{paced_stack.url}/app")
    page.get_by_label("API key").fill("ne_nosuchkey0001_xxxxxxxxxxxxxxxxxxxxxxxx")
    page.get_by_role("button", name="Use key").click()
    alert = page.get_by_role("alert")
    alert.get_by_text("The API key was refused").wait_for()
    assert page.evaluate("document.activeElement.id") == "api-key"
    page.close()
