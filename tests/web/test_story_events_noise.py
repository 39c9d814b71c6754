"""A story's event panel on real-looking noise (issue 22): an event whose reports name no one is one
"unnamed" row, long actor words are cut at a word on the timeline and every row label shows whole in a
browser, and an event dated apart from its report says which day it shows; a weekday of an event to come
is the coming one. The report is fictional."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newstrace.serve.events import LABEL_CHARS

from .test_browser import _shot, browser, page, server  # noqa: F401  (fixtures, run over this module's web_db)
from .test_events_web import one_report_db, story_of_events

# Fictional, reported on Sunday 2024-07-14: a body whose words outgrow a timeline row, an attack no report
# names anyone in, a shipment to come "on Thursday" and a condemnation of "Monday" (before the report).
_NOISY = (
    "Lagoon fishers rebuke Vanuatu\n\nThe association of independent lagoon fishing cooperatives condemned "
    "Vanuatu on Monday.\n\nIt was the worst attack on the islands in years.\n\n"
    "Fiji will send medical supplies to Tonga on Thursday.\n"
)


@pytest.fixture(scope="module")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return one_report_db(tmp_path_factory.mktemp("noisy"), _NOISY, "2024-07-14")


@pytest.fixture(scope="module")
def noisy_story(web_db: Path) -> tuple[TestClient, str]:
    return story_of_events(web_db)


def test_the_story_timeline_names_an_unnamed_event_once_and_cuts_long_words_at_a_word(
    noisy_story: tuple[TestClient, str],
) -> None:
    client, story_id = noisy_story
    rows = client.get(f"/api/stories/{story_id}").json()["events_chart"]["y"]
    assert "unnamed" in rows and not any("unnamed → unnamed" in row for row in rows)
    [long] = [row for row in rows if row.endswith("→ VUT") and "…" in row]
    words = long.removesuffix(" → VUT").removesuffix("…")
    assert "The association of independent lagoon fishing cooperatives".startswith(words + " ")  # a whole word
    assert len(words) <= LABEL_CHARS


def test_an_event_dated_apart_from_its_report_says_so_and_a_coming_weekday_is_ahead(
    noisy_story: tuple[TestClient, str],
) -> None:
    client, story_id = noisy_story
    events = client.get(f"/api/stories/{story_id}").json()["events"]
    [shipment] = [event for event in events if event["event_type"] == "AID"]
    assert (shipment["date"], shipment["reported"]) == ("2024-07-18", "2024-07-14")  # Thursday to come
    [rebuke] = [event for event in events if event["event_type"] == "ACCUSE" and event["date"]]
    assert (rebuke["date"], rebuke["reported"]) == ("2024-07-08", "2024-07-14")  # last Monday, not the story's
    html = client.get(f"/stories/{story_id}").text
    assert "own date; first reported 2024-07-14)</span>" in html


def test_the_story_timeline_in_a_browser_shows_each_row_label_whole(
    server: str,  # noqa: F811
    page: object,  # noqa: F811
    noisy_story: tuple[TestClient, str],
) -> None:
    client, story_id = noisy_story
    rows = set(client.get(f"/api/stories/{story_id}").json()["events_chart"]["y"])
    p = page
    p.goto(f"{server}/stories/{story_id}")  # type: ignore[attr-defined]
    p.wait_for_selector("section.story-events div.chart .main-svg")  # type: ignore[attr-defined]
    chart = p.locator("section.story-events div.chart").bounding_box()  # type: ignore[attr-defined]
    labels = p.locator("section.story-events div.chart g.ytick text")  # type: ignore[attr-defined]
    assert {labels.nth(n).text_content() for n in range(labels.count())} == rows
    for n in range(labels.count()):  # none runs off the chart's left edge (a label cut mid-word)
        assert labels.nth(n).bounding_box()["x"] >= chart["x"]
    _shot(p, "12-story-events")
    assert p.errors == []  # type: ignore[attr-defined]
