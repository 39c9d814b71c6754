"""The trail page shows each rendering as its outlet printed it (case, punctuation, the words between
quoted pieces), with the word diff's changes marked on the printed words. Strings written here are
fictional."""

from __future__ import annotations

import html
import json
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newstrace.serve import create_app
from newstrace.serve.rendering_text import printed_segments


@pytest.fixture(scope="module")
def client(web_db: Path) -> TestClient:
    return TestClient(create_app(web_db), base_url="http://127.0.0.1:8000")


def _step(op: str, canonical: str, rendering: str) -> dict[str, str]:
    return {"op": op, "canonical": canonical, "rendering": rendering}


def test_each_diff_step_lies_over_the_printed_words_it_covers() -> None:
    printed = "“We will never yield,” she said, “to pressure from the Velka council.”"  # fictional
    diff = [
        _step("kept", "we will", "we will"),
        _step("substituted", "not", "never"),
        _step("kept", "yield to pressure from", "yield to pressure from"),
        _step("inserted", "", "the"),
        _step("kept", "velka", "velka"),
        _step("cut", "ever", ""),
        _step("inserted", "", "council"),
    ]
    segments = printed_segments(printed, diff)
    assert segments is not None
    assert "".join(segment["text"] for segment in segments) == printed  # nothing lost or normalised
    marked = [(s["op"], s["text"], s["canonical"]) for s in segments if s["op"] != "aside"]
    assert marked == [
        ("kept", "We will", "we will"),
        ("substituted", "never", "not"),
        ("kept", "yield", "yield to pressure from"),
        ("kept", "to pressure from", ""),  # the same step, resumed after "she said"
        ("inserted", "the", ""),
        ("kept", "Velka", "velka"),
        ("cut", "", "ever"),
        ("inserted", "council", ""),
    ]
    assert ",” she said, “" in [s["text"] for s in segments if s["op"] == "aside"]


def test_a_diff_of_other_words_than_the_printed_ones_is_not_laid_over_them() -> None:
    assert printed_segments("The harbour stays shut.", [_step("kept", "the port", "the port")]) is None  # fictional


def test_the_trail_page_shows_the_rendering_as_printed_with_its_changes(client: TestClient, web_db: Path) -> None:
    with sqlite3.connect(web_db) as connection:
        utterance_id, content, diff_json = connection.execute(
            "SELECT r.utterance_id, q.content_text, r.diff FROM renderings r JOIN quotes q ON q.id = r.quote_id "
            "WHERE r.diff LIKE '%\"substituted\"%' AND q.content_text GLOB '*[A-Z]*' ORDER BY r.quote_id LIMIT 1"
        ).fetchone()
    diff = json.loads(diff_json)
    found = client.get(f"/api/utterances/{utterance_id}").json()
    rendering = next(r for r in found["renderings"] if r["content_text"] == content)
    assert "".join(segment["text"] for segment in rendering["printed"]) == content
    page = client.get(f"/utterances/{utterance_id}").text
    substituted = next(s for s in rendering["printed"] if s["op"] == "substituted")
    assert f'<ins class="sub">{html.escape(substituted["text"], quote=False)}</ins>' in page
    printed_words = [s["text"] for s in rendering["printed"] if s["op"] in ("kept", "inserted", "substituted")]
    capitalised = next(text for text in printed_words if text != text.lower())
    assert html.escape(capitalised, quote=False) in page  # as printed, not in the diff's lower-case words
    assert capitalised.lower() in " ".join(step["rendering"] for step in diff)
