"""The flag facet, "who said X" over quotes, capped facet counts and the framing views (outlet charts, a
story side by side), in process against the sample corpus's database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newstrace.serve import create_app
from newstrace.store.base import CHECKED_FLAGS


@pytest.fixture(scope="module")
def client(web_db: Path) -> TestClient:
    return TestClient(create_app(web_db), base_url="http://127.0.0.1:8000")


def _rows(db: Path, sql: str, *parameters: object) -> list[tuple[object, ...]]:
    return sqlite3.connect(db).execute(sql, parameters).fetchall()


def test_the_flag_facet_counts_articles_with_a_flagged_rendering_and_narrows_to_them(
    client: TestClient, web_db: Path
) -> None:
    flagged = _rows(web_db, "SELECT DISTINCT r.article_id, j.value FROM renderings r, json_each(r.flags) j")
    by_flag: dict[object, set[object]] = {}
    for article_id, flag in flagged:
        by_flag.setdefault(flag, set()).add(article_id)
    assert by_flag, "the sample corpus has flagged renderings"
    facet = {row["value"]: row["n"] for row in client.get("/api/search").json()["facets"]["flag"]}
    assert facet == {flag: len(ids) for flag, ids in by_flag.items() if flag in CHECKED_FLAGS}
    for flag, ids in by_flag.items():
        if flag in facet:
            narrowed = client.get("/api/search", params={"flag": flag, "per_page": 100}).json()
            assert {hit["article_id"] for hit in narrowed["hits"]} == ids
            assert narrowed["pagination"]["total"] == facet[flag]
    assert 'data-facet="flag"' in client.get("/search").text
    assert client.get("/api/search", params={"flag": "nonsense"}).status_code == 400


def test_who_said_it_finds_the_quotes_holding_the_words_by_the_speaker(client: TestClient, web_db: Path) -> None:
    speaker_id, name, content = _rows(
        web_db,
        "SELECT s.id, s.name, q.content_text FROM quotes q JOIN speakers s ON s.id = q.speaker_id "
        "WHERE length(q.content_text) > 30 ORDER BY q.id LIMIT 1",
    )[0]
    word = max(str(content).split(), key=len).strip(".,;:\"'")
    found = client.get("/api/search", params={"q": word, "scope": "quotes", "speaker": str(name).upper()}).json()
    expected = _rows(
        web_db,
        "SELECT id FROM quotes WHERE speaker_id = ? AND content_text LIKE ?",
        speaker_id,
        f"%{word}%",
    )
    assert {hit["quote_id"] for hit in found["hits"]} == {row[0] for row in expected}
    assert found["pagination"]["total"] == len(expected)
    assert all(hit["speaker_id"] == speaker_id for hit in found["hits"])
    page = client.get("/search", params={"q": word, "scope": "quotes", "speaker": name})
    assert 'class="hits quote-hits"' in page.text and f'href="/speakers/{speaker_id}"' in page.text
