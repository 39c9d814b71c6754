"""The event views (issue 21) over a small database of fictional reports about real countries: a story's
who-did-what-to-whom timeline, the actor page and its JSON twin, and the actor page in a real browser
(Debian's chromium through Playwright), its screenshot saved in test-artifacts/screenshots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newstrace.serve import create_app
from newstrace.serve.events import actor
from newstrace.store import open_store

from ..conftest import run_cli
from .test_browser import _shot, browser, page, server  # noqa: F401  (fixtures, run over this module's web_db)

# Fictional reports: two outlets report Fiji's shipment to Tonga (one event), one Samoa's condemnation.
_REPORTS = {
    "first.txt": (
        "Harbour Wire",
        "Fiji sends aid\n\nOn Monday, Fiji sent medical supplies to Tonga. Samoa condemned Tonga.\n",
    ),
    "second.txt": (
        "Reef Post",
        "Aid for Tonga\n\nFiji sent medical supplies to Tonga on Monday. Samoa condemned Tonga again.\n",
    ),
}


@pytest.fixture(scope="module")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("events-web")
    db = root / "news.db"
    meta = ["path,outlet,published"]
    for name, (outlet, text) in _REPORTS.items():
        (root / name).write_text(text, encoding="utf-8")
        meta.append(f"{root / name},{outlet},2024-07-10")
    (root / "meta.csv").write_text("\n".join(meta) + "\n", encoding="utf-8")
    texts = [str(root / name) for name in _REPORTS]  # one run: one process, one model load
    result = run_cli("analyze", *texts, "--meta", str(root / "meta.csv"), "--db", str(db), "--quiet")
    assert result.returncode == 0, result.stderr
    return db


@pytest.fixture(scope="module")
def client(web_db: Path) -> TestClient:
    return TestClient(create_app(web_db), base_url="http://127.0.0.1:8000")


def test_the_actor_page_and_its_json_twin_show_the_same_events(client: TestClient, web_db: Path) -> None:
    found = client.get("/api/actors/fji").json()
    assert found == actor(open_store(str(web_db), readonly=True), "FJI")
    [shipment] = [event for event in found["events"] if event["event_type"] == "AID"]  # the headline's too
    assert (shipment["target_code"], shipment["n_mentions"], shipment["n_articles"], shipment["outlets"]) == (
        "TON", 3, 2, ["Harbour Wire", "Reef Post"],
    )  # fmt: skip
    assert shipment["date"] == "2024-07-08"  # "on Monday" in a Wednesday report
    triggers = [p["text"] for r in shipment["reports"] for p in r["evidence"] if "event-trigger" in p["classes"]]
    assert sorted(triggers) == ["sends", "sent", "sent"] and found["actor"]["n_did"] >= 1
    assert [trace["name"] for trace in found["chart"]["traces"]] == ["did", "was done to it"]
    tonga = client.get("/api/actors/TON").json()
    assert any(row["event_type"] == "AID" for row in tonga["underwent"])
    html = client.get("/actors/FJI").text
    assert "What it did" in html and 'class="event-trigger">sent</span>' in html
    assert client.get("/actors/XXX").status_code == 404


def test_a_story_page_shows_its_events_as_a_timeline(client: TestClient, web_db: Path) -> None:
    story_id = next(row["story_id"] for row in open_store(str(web_db), readonly=True).iter_rows("events"))
    found = client.get(f"/api/stories/{story_id}").json()
    assert found["events_chart"]["kind"] == "timeline" and "FJI → TON" in found["events_chart"]["y"]
    html = client.get(f"/stories/{story_id}").text
    assert "Who did what to whom" in html and 'href="/actors/FJI"' in html


def test_the_actor_page_in_a_browser(server: str, page: object) -> None:  # noqa: F811
    p = page
    p.goto(server + "/actors/TON")  # type: ignore[attr-defined]
    p.wait_for_selector("div.chart .main-svg .bars path")  # type: ignore[attr-defined]
    assert "Tonga" in p.inner_text("h1") and "What was done to it" in p.inner_text("main")  # type: ignore[attr-defined]
    p.click("li.event:has(strong.event-type:text-is('AID')) details.reports summary")  # type: ignore[attr-defined]
    assert (
        p.locator("li.event:has(strong.event-type:text-is('AID')) blockquote.evidence span.event-trigger").count() == 3
    )  # type: ignore[attr-defined]
    _shot(p, "10-actor")
    p.click("li.event:has(strong.event-type:text-is('AID')) a.actor-link:has-text('Fiji')")  # type: ignore[attr-defined]
    p.wait_for_selector("div.chart .main-svg")  # type: ignore[attr-defined]
    assert "Fiji" in p.inner_text("h1")  # type: ignore[attr-defined]
    assert p.errors == []  # type: ignore[attr-defined]


# Fictional: a body no dictionary knows, a clause's own event dated 16 years before the report, and a
# headline condemnation with no recipient named, and a domestic event (no recipient named either).
_FAR_DATED = (
    "Lagoon council rebukes Vanuatu\n\nThe lagoon council, which first met on March 3, 2008, condemned Vanuatu "
    "on Tuesday.\n\nKiribati hosted a meeting of the council on Monday.\n\n"
    "Kenyan police arrested forty protesters on Tuesday.\n"
)


def one_report_db(root: Path, text: str, published: str) -> Path:
    """A database of one fictional report of Harbour Wire's, analysed."""
    (root / "report.txt").write_text(text, encoding="utf-8")
    db = root / "news.db"
    result = run_cli("analyze", str(root / "report.txt"), "--db", str(db), "--outlet", "Harbour Wire",
                     "--published", published)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return db


def story_of_events(db: Path) -> tuple[TestClient, str]:
    """A client over the database and the story its events are in."""
    story_id = next(str(row["story_id"]) for row in open_store(str(db), readonly=True).iter_rows("events"))
    return TestClient(create_app(db), base_url="http://127.0.0.1:8000"), story_id


@pytest.fixture(scope="module")
def far_dated_story(tmp_path_factory: pytest.TempPathFactory) -> tuple[TestClient, str]:
    return story_of_events(one_report_db(tmp_path_factory.mktemp("far-dated"), _FAR_DATED, "2024-07-10"))


def test_an_event_dated_far_from_the_reports_is_listed_not_charted(far_dated_story: tuple[TestClient, str]) -> None:
    client, story_id = far_dated_story
    found = client.get(f"/api/stories/{story_id}").json()
    chart = found["events_chart"]
    assert chart["x"] and all(str(day).startswith("2024-07") for day in chart["x"])
    assert chart["x_range"][0] >= "2024-06"  # not stretched back to 2008
    [far] = found["events_outside_chart"]
    assert far["date"] == "2008-03-03" and far["id"] in {event["id"] for event in found["events"]}
    assert far["summary"].endswith("· 1 report, first on 2024-07-10")  # the event's own date is 2008's
    html = client.get(f"/stories/{story_id}").text
    assert 'class="events-outside"' in html and f'href="#{far["id"]}">2008-03-03</a>' in html


def test_an_actor_no_dictionary_knows_shows_its_words_and_none_shows_no_question_mark(
    far_dated_story: tuple[TestClient, str],
) -> None:
    client, story_id = far_dated_story
    found = client.get(f"/api/stories/{story_id}").json()
    rows = found["events_chart"]["y"] + [far["row"] for far in found["events_outside_chart"]]
    assert "The lagoon council → VUT" in rows and "Lagoon council → unnamed" in rows  # the headline's
    assert not any("?" in row for row in rows)
    html = client.get(f"/stories/{story_id}").text
    unknown = '<span class="actor-unknown" title="not a known actor: the words of the report">The lagoon council</span>'
    assert unknown in html
    assert "?</" not in html and "> ? <" not in html


def test_a_domestic_event_reads_as_the_actors_own_not_as_a_self_event(
    far_dated_story: tuple[TestClient, str],
) -> None:
    client, story_id = far_dated_story
    found = client.get(f"/api/stories/{story_id}").json()
    [arrest] = [event for event in found["events"] if event["event_type"] == "COERCE"]
    assert arrest["domestic"] and (arrest["source_code"], arrest["target_code"]) == ("KEN", "KEN")
    assert "KEN (domestic)" in found["events_chart"]["y"] and "KEN → KEN" not in found["events_chart"]["y"]
    html = client.get(f"/stories/{story_id}").text
    assert 'class="actor-domestic"' in html
