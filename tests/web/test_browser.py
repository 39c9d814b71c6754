"""A real browser (Debian's chromium driven by Playwright) against a live server over the sample corpus:
open each page type, follow story -> utterance -> speaker -> article by clicking, check what is shown,
fail on any console error, and save a screenshot of each page in test-artifacts/screenshots/."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from ..conftest import REPO

CHROMIUM = Path(os.environ.get("NEWSTRACE_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip

playwright_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (pip install -e '.[dev]')")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(web_db: Path) -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "newstrace", "serve", "--db", str(web_db), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(base + "/api/overview", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.skip(f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    opened = context.new_page()
    opened.errors = []  # console errors and uncaught exceptions, checked by each test
    opened.on("console", lambda message: opened.errors.append(message.text) if message.type == "error" else None)
    opened.on("pageerror", lambda error: opened.errors.append(str(error)))
    yield opened
    context.close()


def _shot(page: object, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def test_follow_story_utterance_speaker_article_by_clicking(server: str, page: object) -> None:
    p = page  # a playwright Page
    p.goto(server + "/")  # type: ignore[attr-defined]
    assert "Latest stories" in p.inner_text("main")  # type: ignore[attr-defined]
    _shot(p, "1-overview")
    p.click("a.story-link:has-text('League chief says')")  # type: ignore[attr-defined]
    p.wait_for_selector("div.chart .main-svg")  # type: ignore[attr-defined]
    assert "Side by side" in p.inner_text("main") and "Kestrograd" in p.inner_text("main")  # type: ignore[attr-defined]
    _shot(p, "2-story")
    p.click("a.utterance-link:has-text('gravest danger to our security')")  # type: ignore[attr-defined]
    p.wait_for_selector("div.chart .main-svg")  # type: ignore[attr-defined]
    text = p.inner_text("main")  # type: ignore[attr-defined]
    assert "Trail" in text and "altered_direct_quote" in text and "truncated" in text
    _shot(p, "3-utterance")
    p.click("a.speaker-link")  # type: ignore[attr-defined]
    p.wait_for_selector("div.chart .main-svg")  # type: ignore[attr-defined]
    assert "Anneke Holm" in p.inner_text("h1")  # type: ignore[attr-defined]
    _shot(p, "4-speaker")
    p.click("ol.claims a.utterance-link >> nth=0")  # type: ignore[attr-defined]
    p.click("table.renderings a.article-link >> nth=0")  # type: ignore[attr-defined]
    p.wait_for_selector("article.text span.cue")  # type: ignore[attr-defined]
    assert p.locator("article.text span.content").count() > 0  # type: ignore[attr-defined]
    _shot(p, "5-article")
    assert p.errors == []  # type: ignore[attr-defined]


def test_search_outlet_and_api_pages_show_without_errors(server: str, page: object) -> None:
    p = page
    p.goto(server + "/search?q=gravest+danger")  # type: ignore[attr-defined]
    assert p.locator("ol.hits li").count() >= 5  # type: ignore[attr-defined]
    _shot(p, "6-search")
    p.select_option("select[name=outlet]", "VDA")  # type: ignore[attr-defined]
    p.click("form.filters button")  # type: ignore[attr-defined]
    assert all("VDA" in item for item in p.locator("ol.hits li .meta").all_inner_texts())  # type: ignore[attr-defined]
    p.goto(server + "/outlets/VDA")  # type: ignore[attr-defined]
    assert "distancing" in p.inner_text("main")  # type: ignore[attr-defined]
    _shot(p, "7-outlet")
    p.goto(server + "/api")  # type: ignore[attr-defined]
    _shot(p, "8-api")
    assert p.errors == []  # type: ignore[attr-defined]


def test_hostile_article_text_stays_text_in_the_browser(server: str, page: object, web_db: Path) -> None:
    import sqlite3

    hostile = sqlite3.connect(web_db).execute("SELECT id FROM articles WHERE path LIKE '%hostile%'").fetchone()[0]
    p = page
    dialogs: list[str] = []
    p.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))  # type: ignore[attr-defined]
    p.goto(f"{server}/articles/{hostile}")  # type: ignore[attr-defined]
    body = p.inner_text("article.text")  # type: ignore[attr-defined]
    assert "<script>document.body.innerHTML='owned'</script>" in body and "onerror" in body
    assert dialogs == [] and p.locator("img").count() == 0  # type: ignore[attr-defined]
    _shot(p, "9-hostile-article")


def test_a_chart_of_one_day_shows_days_and_a_bar_narrower_than_the_chart(
    server: str, page: object, web_db: Path
) -> None:
    import re
    import sqlite3

    single_day = (
        sqlite3.connect(web_db)
        .execute(
            "SELECT r.utterance_id FROM renderings r JOIN articles a ON a.id = r.article_id GROUP BY r.utterance_id "
            "HAVING count(*) > 1 AND count(DISTINCT a.published) = 1 AND min(a.published) IS NOT NULL "
            "ORDER BY count(*) DESC, r.utterance_id LIMIT 1"
        )
        .fetchone()[0]
    )
    p = page
    p.goto(f"{server}/utterances/{single_day}")  # type: ignore[attr-defined]
    p.wait_for_selector("div.chart .main-svg")  # type: ignore[attr-defined]
    ticks = p.locator("div.chart .xtick text").all_text_contents()  # type: ignore[attr-defined]
    assert ticks and all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", tick) for tick in ticks), ticks
    bar = p.locator("div.chart .bars path").first.bounding_box()  # type: ignore[attr-defined]
    plot = p.locator("div.chart .nsewdrag").first.bounding_box()  # type: ignore[attr-defined]
    assert bar["width"] < plot["width"] / 2
    assert p.errors == []  # type: ignore[attr-defined]
