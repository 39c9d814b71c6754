"""What the server keeps between requests (pages, counts, first matches) and when it keeps nothing: a page
kept is sent again until `analyze` writes to the database, and `keep_answers=False` (`serve --no-cache`)
reads every page anew."""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from newstrace.serve import app as app_module
from newstrace.serve import create_app, data, front
from newstrace.store import open_store
from newstrace.store.base import SearchFilters
from newstrace.store.recent import RecentAnswers
from tests.conftest import run_cli

# an invented word no article of the sample corpus holds
_NEW_WORD = "quillombrace"
_NEW_ARTICLE = f"""Harbour council delays the {_NEW_WORD} vote

The harbour council postponed its vote on the {_NEW_WORD} plan on Tuesday. "We need another month to read
the engineers' report," the council's chair, Imra Feldtorp, told reporters outside the hall.
"""


def _kept(response: httpx.Response) -> bool:
    return response.headers.get(front.KEPT_HEADER) == front.KEPT_PAGE


def test_a_kept_search_page_changes_once_analyze_adds_an_article(web_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "kept.db"
    shutil.copy(web_db, db)
    asked = {"q": _NEW_WORD}
    with TestClient(create_app(db), base_url="http://127.0.0.1:8000") as client:
        before = client.get("/search", params=asked)
        again = client.get("/search", params=asked)
        text = tmp_path / "2025-07-01_harbour-wire_vote.txt"
        text.write_text(_NEW_ARTICLE, encoding="utf-8")
        result = run_cli("analyze", str(text), "--db", str(db), "--quiet")  # a connection of its own
        assert result.returncode == 0, result.stderr
        after = client.get("/search", params=asked)
        listed = client.get("/api/search", params=asked).json()
    assert not _kept(before) and _kept(again) and again.text == before.text
    assert "Harbour council delays" not in before.text
    assert not _kept(after) and "Harbour council delays" in after.text
    assert listed["pagination"]["total"] == 1


def test_with_keep_answers_off_every_page_is_read_anew(web_db: Path) -> None:
    asked = {"q": "holm"}
    pages = app_module.RECENT_PAGES.hits  # (RECENT_SUMMARIES: other apps' summary threads may use it now)
    with TestClient(create_app(web_db, keep_answers=False), base_url="http://127.0.0.1:8000") as client:
        first, second = client.get("/search", params=asked), client.get("/search", params=asked)
        flags = [client.get("/flags") for _ in range(2)]
    assert first.text == second.text and "holm" in first.text.lower()
    assert not any(_kept(response) for response in (first, second, *flags))
    assert app_module.RECENT_PAGES.hits == pages


def test_a_store_without_a_data_version_shares_its_first_matches_within_one_read_only(
    web_db: Path, tmp_path: Path
) -> None:
    """A store that cannot tell its data version (PostgreSQL's, or one told to keep nothing) shares a
    search's first matches between the page, facets and chart of one read (one `time_limit` block), not
    with the next request's: the same search after a write counts the write."""
    db = tmp_path / "unversioned.db"
    shutil.copy(web_db, db)
    filters = SearchFilters("holm")
    reader = open_store(db, readonly=True)
    reader.keep_no_answers()
    try:
        assert reader.data_version() is None
        with reader.time_limit(10):
            first = data.search(reader, filters)
        article_id = str(first["hits"][0]["article_id"])  # type: ignore[index]
        writer = open_store(db)
        writer.update_article_metadata(article_id, {"outlet": "Fictional Gazette"}, {"outlet": "metadata"})
        writer.close()
        with reader.time_limit(10):
            outlets = {row["value"] for row in data.search(reader, filters)["facets"]["outlet"]}  # type: ignore[index]
    finally:
        reader.close()
    assert "Fictional Gazette" in outlets


def test_recent_answers_keep_no_more_than_their_budget() -> None:
    recent: RecentAnswers[bytes] = RecentAnswers(10, weigh=len, budget=10)
    for key, answer in (("a", b"1234"), ("b", b"5678"), ("a", b"1234"), ("c", b"90")):
        recent.get(key, lambda answer=answer: answer)
    assert (recent.kept("a"), recent.kept("b"), recent.kept("c"), recent.weight) == (b"1234", b"5678", b"90", 10)
    recent.get("d", lambda: b"abcdefg")  # over the budget: the least recently used ("a", then "b") go
    assert (recent.kept("a"), recent.kept("b"), recent.kept("d"), recent.weight) == (None, None, b"abcdefg", 9)
    assert recent.get("e", lambda: b"x" * 11) == b"x" * 11  # heavier than the whole budget: not kept
    assert (recent.kept("e"), recent.kept("c"), recent.weight) == (None, b"90", 9)
    recent.clear()
    assert (recent.kept("c"), recent.weight) == (None, 0)


def test_the_overview_and_speakers_pages_are_kept_per_corpus_summary(
    web_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages drawn from the corpus summary are kept once it is ready, and made again from the next one."""
    summaries: list[QuickSummary] = []

    class QuickSummary(app_module.CorpusSummary):
        def __init__(self, db: str | Path) -> None:
            super().__init__(db, refresh_seconds=3600)
            summaries.append(self)

    monkeypatch.setattr(app_module, "CorpusSummary", QuickSummary)
    with TestClient(create_app(web_db), base_url="http://127.0.0.1:8000") as client:
        [summary] = summaries
        deadline = time.monotonic() + 60
        while not summary.refreshed and time.monotonic() < deadline:
            time.sleep(0.05)
        first = [client.get(path) for path in ("/", "/speakers")]
        again = [client.get(path) for path in ("/", "/speakers")]
        summary.refreshed = -1  # as the next summary does: a number no summary had (they count from 1)
        remade = [client.get(path) for path in ("/", "/speakers")]
    assert not any(_kept(response) for response in first + remade)
    assert all(_kept(response) for response in again)
    assert [response.text for response in again] == [response.text for response in first]
    assert [response.text for response in remade] == [response.text for response in first]


def test_story_utterance_speaker_outlet_and_article_pages_are_kept_until_a_write(web_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "pages.db"
    shutil.copy(web_db, db)
    with sqlite3.connect(db) as connection:
        article, story, outlet = connection.execute(
            "SELECT id, story_id, outlet FROM articles WHERE story_id IS NOT NULL AND outlet IS NOT NULL ORDER BY id"
        ).fetchone()
        utterance = connection.execute("SELECT id FROM utterances ORDER BY id").fetchone()[0]
        speaker = connection.execute("SELECT id FROM speakers ORDER BY id").fetchone()[0]
    paths = [f"/stories/{story}", f"/utterances/{utterance}", f"/speakers/{speaker}", f"/outlets/{outlet}"]
    paths.append(f"/articles/{article}")
    with TestClient(create_app(db), base_url="http://127.0.0.1:8000") as client:
        first = [client.get(path) for path in paths]
        again = [client.get(path) for path in paths]
        writer = open_store(db)
        writer.update_article_metadata(article, {"title": "A title set after the page was kept"}, {"title": "metadata"})
        writer.close()
        written = client.get(f"/articles/{article}")
    assert all(response.status_code == 200 and not _kept(response) for response in first)
    assert all(_kept(response) for response in again)
    assert [response.text for response in again] == [response.text for response in first]
    assert not _kept(written) and "A title set after the page was kept" in written.text


def test_the_corpus_summary_is_counted_again_only_after_a_write(web_db: Path, tmp_path: Path) -> None:
    """The background summary (tens of seconds of CPU at a million articles) is not recounted while the
    database is unchanged, and is once a write changes its data version."""
    db = tmp_path / "news.db"
    shutil.copy(web_db, db)
    summary = app_module.CorpusSummary(db, refresh_seconds=0.05)
    try:
        deadline = time.monotonic() + 60
        while not summary.refreshed and time.monotonic() < deadline:
            time.sleep(0.02)
        first, first_counts = summary.refreshed, dict(summary.latest()["counts"])  # type: ignore[index, call-overload]
        time.sleep(0.5)  # ten refresh periods
        assert first and summary.refreshed == first
        with sqlite3.connect(db) as connection:
            connection.execute(
                "INSERT INTO articles(id, text, n_words, source_format, outlet, title, published) VALUES "
                "('new1', 'A fictional article.', 3, 'text', 'VDA', 'New', '2025-06-03')"
            )
        while summary.refreshed == first and time.monotonic() < deadline:
            time.sleep(0.02)
        assert summary.refreshed != first
        latest = summary.latest()
        store = open_store(db, readonly=True)
        try:
            assert latest is not None and latest["counts"] == store.count_rows() != first_counts
        finally:
            store.close()
    finally:
        summary.stop()
