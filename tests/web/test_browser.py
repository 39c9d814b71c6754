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


def test_the_trail_and_speaker_charts_count_in_whole_numbers(server: str, page: object, web_db: Path) -> None:
    """Renderings are counted: the y axis of a trail's spread and of a speaker's claims ticks at whole
    numbers (plotly's own ticks read 0.5, 1.5 or 1.2, 1.4 when the counts are small)."""
    import sqlite3

    with sqlite3.connect(web_db) as connection:
        (utterance,) = connection.execute("SELECT id FROM utterances WHERE n_renderings = 2 LIMIT 1").fetchone()
        (speaker,) = connection.execute(
            "SELECT speaker_id FROM utterances WHERE speaker_id IS NOT NULL GROUP BY speaker_id "
            "HAVING max(n_renderings) = 2 AND min(n_renderings) = 1 LIMIT 1"
        ).fetchone()
    p = page
    for path in (f"/utterances/{utterance}", f"/speakers/{speaker}"):
        p.goto(server + path)  # type: ignore[attr-defined]
        p.wait_for_selector("div.chart .main-svg")  # type: ignore[attr-defined]
        ticks = p.locator("div.chart .ytick text").all_text_contents()  # type: ignore[attr-defined]
        assert ticks and all(tick.isdigit() for tick in ticks), (path, ticks)
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


# -- the analyst's workbench: index pages, facets, attention, downloads, flags, /docs -------------------


@pytest.fixture(scope="module")
def shots() -> Path:
    """Where the workbench tests leave their screenshots and downloads: test artefacts beside the others
    (test-artifacts/screenshots/workbench/), not in pytest's temporary folder, which keeps its last three runs."""
    folder = SCREENSHOTS / "workbench"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _click_and_load(p: object, link: object) -> None:
    """Click a link and wait until the page it opens has loaded.

    A bare click only waits for the navigation to start, so counting the hits right after it can read
    a page that is still half built.
    """
    with p.expect_navigation(wait_until="load"):  # type: ignore[attr-defined]
        link.click()  # type: ignore[attr-defined]


def _hits(p: object) -> int:
    return int(p.locator("ol.hits li a.article-link").count())  # type: ignore[attr-defined]


def test_facets_narrow_the_search_and_the_attention_chart_draws(server: str, page: object, shots: Path) -> None:
    p = page
    p.goto(server + "/search?q=gravest+danger")  # type: ignore[attr-defined]
    p.wait_for_selector("div.chart .main-svg .bars path")  # type: ignore[attr-defined]
    assert p.locator("div.chart .legendtext").count() >= 2  # type: ignore[attr-defined]
    before = _hits(p)
    p.screenshot(path=str(shots / "search-facets.png"), full_page=True)  # type: ignore[attr-defined]
    facet = p.locator("section.facet-outlet li").first  # type: ignore[attr-defined]
    outlet, count = facet.locator("a.facet-link").inner_text(), int(facet.locator(".count").inner_text())
    _click_and_load(p, facet.locator("a.facet-link"))
    p.wait_for_selector("div.chart .main-svg")  # type: ignore[attr-defined]
    assert _hits(p) == count < before
    assert all(outlet in meta for meta in p.locator("ol.hits li .meta").all_inner_texts())  # type: ignore[attr-defined]
    speaker = p.locator("section.facet-speaker a.facet-link").first  # type: ignore[attr-defined]
    speaker_count = int(p.locator("section.facet-speaker .count").first.inner_text())  # type: ignore[attr-defined]
    _click_and_load(p, speaker)
    assert _hits(p) == speaker_count and p.input_value("input[name=speaker]")  # type: ignore[attr-defined]
    p.screenshot(path=str(shots / "search-narrowed.png"), full_page=True)  # type: ignore[attr-defined]
    assert p.errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", ["/", "/search?q=kestria&from=2025-03-13"])
def test_the_busiest_periods_narrow_the_search_to_their_days(server: str, page: object, path: str) -> None:
    """The periods facet (drawn from the attention chart's data by the page's script): each link keeps the
    search's filters, stays within its dates, and leads to as many matches as it counts."""
    from urllib.parse import parse_qsl, urlsplit

    p = page
    p.goto(server + path)  # type: ignore[attr-defined]
    links = p.locator("section.facet-period a.facet-link")  # type: ignore[attr-defined]
    links.first.wait_for()
    counts = p.locator("section.facet-period .count").all_inner_texts()  # type: ignore[attr-defined]
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs and len(counts) == len(hrefs)
    for href, count in zip(hrefs, counts, strict=True):
        asked = dict(parse_qsl(urlsplit(href).query))
        assert urlsplit(href).path == "/search" and asked["from"] <= asked["to"]
        narrowed = "q=" in path  # the search's words kept, and its first day
        assert asked.get("q") == ("kestria" if narrowed else None)
        assert asked["from"] >= ("2025-03-13" if narrowed else "")
        assert httpx.get(server + "/api/search", params=asked).json()["pagination"]["total"] == int(count), href
    _click_and_load(p, links.first)
    assert "from=" in p.url and _hits(p) == min(int(counts[0]), 20)  # type: ignore[attr-defined]
    assert p.errors == []  # type: ignore[attr-defined]


def test_overview_draws_attention_for_the_whole_corpus(server: str, page: object, shots: Path) -> None:
    p = page
    p.goto(server + "/")  # type: ignore[attr-defined]
    p.wait_for_selector("div.chart .main-svg .bars path")  # type: ignore[attr-defined]
    assert p.locator("aside.facets section.facet-story a.page-link").count() > 0  # type: ignore[attr-defined]
    # the chart by language draws too, a bar series per language, named in its legend
    p.wait_for_selector("div.language-chart .main-svg .bars path")  # type: ignore[attr-defined]
    legend = p.locator("div.language-chart .legendtext").all_text_contents()  # type: ignore[attr-defined]
    languages = [row.inner_text() for row in p.locator("section.facet-language a.facet-link").all()]  # type: ignore[attr-defined]
    assert legend and sorted(legend) == sorted(languages), (legend, languages)
    p.screenshot(path=str(shots / "overview.png"), full_page=True)  # type: ignore[attr-defined]
    assert p.errors == []  # type: ignore[attr-defined]


def test_speaker_names_are_suggested_as_one_types(server: str, page: object) -> None:
    p = page
    p.goto(server + "/search")  # type: ignore[attr-defined]
    p.fill("input[name=speaker]", "anne")  # type: ignore[attr-defined]
    p.wait_for_selector("datalist#speaker-names option", state="attached")  # type: ignore[attr-defined]
    options = p.locator("datalist#speaker-names option")  # type: ignore[attr-defined]
    assert "Anneke Holm" in [options.nth(i).get_attribute("value") for i in range(options.count())]
    assert p.errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("listing", ["stories", "speakers", "outlets", "utterances", "flags"])
def test_index_pages_sort_and_download_a_csv_that_parses(server: str, page: object, shots: Path, listing: str) -> None:
    import csv

    p = page
    p.goto(f"{server}/{listing}")  # type: ignore[attr-defined]
    rows = p.locator("table.listing tbody tr").count()  # type: ignore[attr-defined]
    assert rows >= 1
    p.screenshot(path=str(shots / f"index-{listing}.png"), full_page=True)  # type: ignore[attr-defined]
    if p.locator("a.order-link").count():  # type: ignore[attr-defined]
        p.click("a.order-link >> nth=0")  # type: ignore[attr-defined]
        assert "order=" in p.url and p.locator("table.listing tbody tr").count() == rows  # type: ignore[attr-defined]
    with p.expect_download() as download:  # type: ignore[attr-defined]
        p.click("a.csv-link")  # type: ignore[attr-defined]
    saved = shots / f"{listing}.csv"
    download.value.save_as(saved)
    parsed = list(csv.DictReader(saved.open(encoding="utf-8")))
    total = httpx.get(f"{server}/api/{listing}").json()["pagination"]["total"]
    assert len(parsed) == total and parsed[0]
    assert p.errors == []  # type: ignore[attr-defined]


def test_the_flags_page_links_each_flagged_rendering_to_its_trail(server: str, page: object, shots: Path) -> None:
    p = page
    p.goto(server + "/flags")  # type: ignore[attr-defined]
    quoted = p.locator("a.trail-link").first.inner_text()  # type: ignore[attr-defined]
    p.click("a.trail-link >> nth=0")  # type: ignore[attr-defined]
    p.wait_for_selector("div.chart .main-svg")  # type: ignore[attr-defined]
    assert p.inner_text("h1") == "Trail" and "/utterances/" in p.url  # type: ignore[attr-defined]
    assert "altered_direct_quote" in p.inner_text("table.renderings")  # type: ignore[attr-defined]
    assert quoted.strip('“”"') and p.locator("table.renderings tr").count() > 1  # type: ignore[attr-defined]
    p.screenshot(path=str(shots / "flag-trail.png"), full_page=True)  # type: ignore[attr-defined]
    assert p.errors == []  # type: ignore[attr-defined]


def test_the_api_explorer_works_offline(server: str, page: object, shots: Path) -> None:
    p = page
    outside: list[str] = []
    p.on("request", lambda request: outside.append(request.url) if not request.url.startswith(server) else None)  # type: ignore[attr-defined]
    p.goto(server + "/docs")  # type: ignore[attr-defined]
    p.wait_for_selector(".swagger-ui .opblock-summary-path")  # type: ignore[attr-defined]
    paths = p.locator(".swagger-ui .opblock-summary-path").all_inner_texts()  # type: ignore[attr-defined]
    assert any("/api/flags" in path for path in paths)
    # interactive under the app's Content-Security-Policy: try /api/stories with a name and read its answer
    p.click("#operations-default-api_stories_api_stories_get .opblock-summary")  # type: ignore[attr-defined]
    p.click("button.try-out__btn")  # type: ignore[attr-defined]
    p.fill(".opblock.is-open input[placeholder='q']", "summit")  # type: ignore[attr-defined]
    p.click(".opblock.is-open button.execute")  # type: ignore[attr-defined]
    answer = p.wait_for_selector(".live-responses-table .response .microlight")  # type: ignore[attr-defined]
    assert '"name": "summit"' in answer.inner_text() and '"rows"' in answer.inner_text()
    p.screenshot(path=str(shots / "docs.png"), full_page=True)  # type: ignore[attr-defined]
    assert outside == [] and p.errors == []  # type: ignore[attr-defined]


def test_a_page_past_the_last_leads_back_to_the_last_page(server: str, page: object) -> None:
    p = page
    p.goto(server + "/stories?per_page=2&page=999")  # type: ignore[attr-defined]
    assert "Page 999 is past the last page" in p.inner_text("table.listing")  # type: ignore[attr-defined]
    p.click("table.listing a.last-page")  # type: ignore[attr-defined]
    p.wait_for_selector("table.listing tbody tr a.story-link")  # type: ignore[attr-defined]
    assert "is past the last" not in p.inner_text("main") and "next →" not in p.inner_text("main")  # type: ignore[attr-defined]
    assert p.errors == []  # type: ignore[attr-defined]
