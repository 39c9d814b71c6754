"""The browser (Debian's chromium driven by Playwright, as in test_browser.py) on the pages this part of
the workbench added: the flag facet, "who said it" over quotes, the outlet page's framing charts and a
story's side by side. Screenshots go to pytest's temporary folder; with NEWSTRACE_TOUR_IMAGES set to a
folder (scripts/web_tour.sh sets docs/images), the parts docs/web.md shows are saved there as well."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
from pathlib import Path

import httpx
import pytest

from .test_browser import SCREENSHOTS, browser, page, server  # noqa: F401 - the fixtures, shared

TOUR = Path(os.environ["NEWSTRACE_TOUR_IMAGES"]) if os.environ.get("NEWSTRACE_TOUR_IMAGES") else None
TOUR_HEIGHT = 640


@pytest.fixture(scope="module")
def shots() -> Path:
    """Test artefacts beside test_browser's: test-artifacts/screenshots/framing/."""
    folder = SCREENSHOTS / "framing"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _saved(p: object, shots: Path, name: str, part: str = "main") -> None:
    """A screenshot of the page, and of its `part` for the tour when NEWSTRACE_TOUR_IMAGES is set."""
    p.screenshot(path=str(shots / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
    if TOUR:
        TOUR.mkdir(parents=True, exist_ok=True)
        box = p.locator(part).first.bounding_box()  # type: ignore[attr-defined]
        clip = {**box, "height": min(box["height"], TOUR_HEIGHT)}  # the top of a long part: the images stay small
        p.screenshot(path=str(TOUR / f"web-{name}.png"), clip=clip, full_page=True)  # type: ignore[attr-defined]


def _hits(p: object, kind: str = "a.article-link") -> int:
    return int(p.locator(f"ol.hits li {kind}").count())  # type: ignore[attr-defined]


def test_the_flag_facet_narrows_the_search_and_its_csv_parses(server: str, page: object, shots: Path) -> None:  # noqa: F811 - fixtures
    p = page
    p.goto(server + "/search")  # type: ignore[attr-defined]
    facet = p.locator("section.facet-flag li").first  # type: ignore[attr-defined]
    flag, count = facet.locator("a.facet-link").inner_text(), int(facet.locator(".count").inner_text())
    before = int(httpx.get(server + "/api/search").json()["pagination"]["total"])
    facet.locator("a.facet-link").click()
    p.wait_for_selector("div.chart .main-svg")  # type: ignore[attr-defined]
    assert f"flag={flag}" in p.url and _hits(p) == count < before  # type: ignore[attr-defined]
    _saved(p, shots, "search-flag-facet", "div.with-facets")
    with p.expect_download() as download:  # type: ignore[attr-defined]
        p.click("a.csv-link")  # type: ignore[attr-defined]
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert len(rows) == count and all(row["id"] for row in rows)
    assert p.errors == []  # type: ignore[attr-defined]


def test_who_said_it_lists_the_speakers_quotes_and_leads_to_their_trail(
    server: str,  # noqa: F811 - fixtures
    page: object,  # noqa: F811
    shots: Path,
    web_db: Path,
) -> None:
    name, content = (
        sqlite3.connect(web_db)
        .execute(
            "SELECT s.name, q.content_text FROM quotes q JOIN speakers s ON s.id = q.speaker_id "
            "JOIN renderings r ON r.quote_id = q.id WHERE length(q.content_text) > 30 ORDER BY q.id LIMIT 1"
        )
        .fetchone()
    )
    word = max(str(content).split(), key=len).strip(".,;:\"'")
    p = page
    p.goto(server + "/search")  # type: ignore[attr-defined]
    p.fill("form.filters input[name=q]", word)  # type: ignore[attr-defined]
    p.fill("input[name=speaker]", name)  # type: ignore[attr-defined]
    p.select_option("select[name=scope]", "quotes")  # type: ignore[attr-defined]
    p.click("form.filters button[type=submit]")  # type: ignore[attr-defined]
    p.wait_for_selector("ol.quote-hits")  # type: ignore[attr-defined]
    quotes = p.locator("ol.quote-hits li q.quoted").all_inner_texts()  # type: ignore[attr-defined]
    assert quotes and all(word.lower() in quote.lower() for quote in quotes)
    assert set(p.locator("ol.quote-hits a.speaker-link").all_inner_texts()) == {name}  # type: ignore[attr-defined]
    _saved(p, shots, "search-who-said-it", "div.results")
    p.click("ol.quote-hits a.trail-link >> nth=0")  # type: ignore[attr-defined]
    p.wait_for_selector("table.renderings")  # type: ignore[attr-defined]
    assert p.inner_text("h1") == "Trail" and name in p.inner_text("p.speaker")  # type: ignore[attr-defined]
    assert p.errors == []  # type: ignore[attr-defined]


def test_the_outlet_page_draws_its_framing_charts_and_links_its_voices(server: str, page: object, shots: Path) -> None:  # noqa: F811 - fixtures
    p = page
    # VDA: the sample outlet whose verbs distance (the tour's distancing chart drew only empty bars of Coastal Post)
    p.goto(server + "/outlets/VDA")  # type: ignore[attr-defined]
    naming = p.locator("figure.naming-chart svg polyline.series")  # type: ignore[attr-defined]
    assert naming.count() >= 2 and p.locator("figure.naming-chart svg circle.point").count() >= 2  # type: ignore[attr-defined]
    assert p.locator("figure.naming-chart svg").first.bounding_box()["width"] > 300  # type: ignore[attr-defined]
    bars = p.locator("figure.distancing-chart svg rect")  # type: ignore[attr-defined]
    assert bars.count() >= 2 and bars.first.bounding_box()["width"] > 100
    twin = httpx.get(server + "/api/outlets/VDA").json()["charts"]
    assert any(row["distancing"] for row in twin["distancing"])
    assert naming.count() == sum(len(chart["series"]) for chart in twin["naming"])
    note = p.locator("p.evidence-note")  # type: ignore[attr-defined]
    assert note.is_visible() and "first 5 places" in note.inner_text()
    listed = httpx.get(server + note.locator("a.json-link").get_attribute("href")).json()["profile"]["verbs"]
    assert all(len(c["evidence"]) <= 5 and c["count"] == len(c["evidence"]) + c["more"] for c in listed) and listed
    p.screenshot(path=str(shots / "outlet.png"), full_page=True)  # type: ignore[attr-defined]
    if TOUR:
        p.locator("figure.naming-chart").first.screenshot(path=str(TOUR / "web-outlet-naming.png"))  # type: ignore[attr-defined]
        p.locator("figure.distancing-chart").first.screenshot(path=str(TOUR / "web-outlet-distancing.png"))  # type: ignore[attr-defined]
    voice = p.locator("p.voices a.speaker-link").first  # type: ignore[attr-defined]
    name = voice.inner_text()
    voice.click()
    p.wait_for_selector("h1")  # type: ignore[attr-defined]
    assert "/speakers/" in p.url and name in p.inner_text("h1")  # type: ignore[attr-defined]
    assert p.errors == []  # type: ignore[attr-defined]


def test_a_story_side_by_side_shows_each_outlets_own_words(
    server: str,  # noqa: F811 - fixtures
    page: object,  # noqa: F811
    shots: Path,
    web_db: Path,
) -> None:
    story_id = (
        sqlite3.connect(web_db).execute("SELECT id FROM stories ORDER BY n_outlets DESC, id LIMIT 1").fetchone()[0]
    )
    p = page
    p.goto(f"{server}/stories/{story_id}")  # type: ignore[attr-defined]
    p.wait_for_selector("div.chart .main-svg")  # type: ignore[attr-defined]
    columns = p.locator("section.outlet-column")  # type: ignore[attr-defined]
    assert columns.count() >= 2
    own = p.locator("ul.own-words li span.piece").all_inner_texts()  # type: ignore[attr-defined]
    twin = httpx.get(f"{server}/api/stories/{story_id}").json()
    pieces = [piece["text"] for o in twin["comparison"] for r in o["renderings"] for piece in r["pieces"]]
    assert own and sorted(own) == sorted(pieces)  # each piece of a quote as printed
    _saved(p, shots, "story-side-by-side", "div.compare")
    p.click("section.outlet-column p.voices a.speaker-link >> nth=0")  # type: ignore[attr-defined]
    p.wait_for_selector("h1")  # type: ignore[attr-defined]
    assert "/speakers/" in p.url  # type: ignore[attr-defined]
    assert p.errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("path", "name", "part"),
    [("/", "overview", "div.with-facets"), ("/flags", "flags", "main"), ("/speakers", "speakers", "main")],
)
def test_the_tour_pages_show_without_errors(
    server: str,  # noqa: F811 - fixtures
    page: object,  # noqa: F811
    shots: Path,
    path: str,
    name: str,
    part: str,
) -> None:
    p = page
    p.goto(server + path)  # type: ignore[attr-defined]
    if path == "/":
        p.wait_for_selector("div.chart .main-svg .bars path")  # type: ignore[attr-defined]
    else:
        assert p.locator("table.listing tbody tr").count() >= 1  # type: ignore[attr-defined]
    _saved(p, shots, name, part)
    assert p.errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize("listing", ["flags", "utterances"])
def test_a_facet_narrows_an_index_page(server: str, page: object, shots: Path, listing: str) -> None:  # noqa: F811
    """The first outlet of the index page's facets (and on /flags its first flag) is followed: the listing
    then holds as many rows as the facet counted (on /flags each of that outlet or flag), and the facet
    says the same (2 cases, some 3 s beside the module's server)."""
    p = page
    p.goto(f"{server}/{listing}")  # type: ignore[attr-defined]
    for field in ("outlet", "flag") if listing == "flags" else ("outlet",):
        facet = p.locator(f"aside.listing-facets section.facet-{field} li").first  # type: ignore[attr-defined]
        value, count = facet.locator("a.facet-link").inner_text(), int(facet.locator(".count").inner_text())
        before = int(httpx.get(f"{server}/api/{listing}", params=_query(p.url)).json()["pagination"]["total"])  # type: ignore[attr-defined]
        facet.locator("a.facet-link").click()
        p.wait_for_load_state()  # type: ignore[attr-defined]
        after = httpx.get(f"{server}/api/{listing}", params={**_query(p.url), "per_page": "100"}).json()  # type: ignore[attr-defined]
        assert f"{field}=" in p.url and after["pagination"]["total"] == count <= before  # type: ignore[attr-defined]
        assert p.locator("table.listing tbody tr").count() == min(count, 20)  # type: ignore[attr-defined]
        if listing == "flags":  # its rows name their outlet and flags (an utterance's are its renderings')
            assert all(value == row["outlet"] or value in row["flags"] for row in after["rows"])
        shown = p.locator(f"aside.listing-facets section.facet-{field} li").first  # type: ignore[attr-defined]
        assert shown.locator("a.facet-link").inner_text() == value and shown.locator(".count").inner_text() == str(
            count
        )
    p.screenshot(path=str(shots / f"{listing}-facet.png"), full_page=True)  # type: ignore[attr-defined]
    assert p.errors == []  # type: ignore[attr-defined]


def _query(url: str) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(url).query))
