"""The trail page shows each rendering as its outlet printed it (case, punctuation, the words between
quoted pieces), with the word diff's changes marked on the printed words. Strings written here are
fictional."""

from __future__ import annotations

import html
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from newstrace.serve import create_app
from newstrace.serve.rendering_text import printed_segments, printed_text

from .test_browser import _shot, browser, page, server  # noqa: F401  (fixtures)


@pytest.fixture(scope="module")
def client(web_db: Path) -> TestClient:
    return TestClient(create_app(web_db), base_url="http://127.0.0.1:8000")


def _first_row(db: Path, query: str) -> tuple[Any, ...]:
    with sqlite3.connect(db) as connection:
        found: tuple[Any, ...] = connection.execute(query).fetchone()
    return found


# an utterance whose canonical quote comes in two pieces ("A," she said, "B."): its id, the quote's, the first piece
_JOINED_CANONICAL = (
    "SELECT u.id, q.id, q.content_text FROM utterances u JOIN quotes q ON q.id = u.canonical_quote_id "
    "WHERE json_array_length(q.content_fragments) > 1 ORDER BY u.id LIMIT 1"
)


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
    utterance_id, content, diff_json = _first_row(
        web_db,
        "SELECT r.utterance_id, q.content_text, r.diff FROM renderings r JOIN quotes q ON q.id = r.quote_id "
        "WHERE r.diff LIKE '%\"substituted\"%' AND q.content_text GLOB '*[A-Z]*' ORDER BY r.quote_id LIMIT 1",
    )
    diff = json.loads(diff_json)
    found = client.get(f"/api/utterances/{utterance_id}").json()
    rendering = next(r for r in found["renderings"] if r["content_text"] == content)
    assert "".join(segment["text"] for segment in rendering["printed"]) == content
    body = client.get(f"/utterances/{utterance_id}").text
    substituted = next(s for s in rendering["printed"] if s["op"] == "substituted")
    assert f'<ins class="sub">{html.escape(substituted["text"], quote=False)}</ins>' in body
    printed_words = [s["text"] for s in rendering["printed"] if s["op"] in ("kept", "inserted", "substituted")]
    capitalised = next(text for text in printed_words if text != text.lower())
    assert html.escape(capitalised, quote=False) in body  # as printed, not in the diff's lower-case words
    assert capitalised.lower() in " ".join(step["rendering"] for step in diff)


def test_a_cut_shows_the_canonical_words_as_printed_and_joined_pieces_keep_the_words_between() -> None:
    article = "Intro. “We hold the line,” Mara Holm said. “The Velka pass stays open.” Outro."  # fictional
    pieces = [[article.index("“We"), article.index(" Mara")], [article.index("“The"), article.index(" Outro")]]
    printed = printed_text("“We hold the line,”", pieces, article)
    assert printed == "“We hold the line,” Mara Holm said. “The Velka pass stays open.”"
    canonical = printed  # the canonical rendering itself: every word kept, "Mara Holm said" unmarked
    kept = [_step("kept", "we hold the line the velka pass stays open", "we hold the line the velka pass stays open")]
    segments = printed_segments(printed, kept, canonical)
    assert segments is not None and "".join(s["text"] for s in segments) == printed
    assert ("aside", ",” Mara Holm said. “") in [(s["op"], s["text"]) for s in segments]
    shorter = "“We hold the line.”"
    diff = [_step("kept", "we hold the line", "we hold the line"), _step("cut", "the velka pass stays open", "")]
    cut = next(s for s in printed_segments(shorter, diff, canonical) or [] if s["op"] == "cut")
    assert cut["canonical"] == "The Velka pass stays open"  # as printed, not "the velka pass stays open"


def test_a_rendering_made_of_joined_pieces_shows_as_its_article_printed_it(client: TestClient, web_db: Path) -> None:
    utterance_id, quote_id, first_piece = _first_row(web_db, _JOINED_CANONICAL)
    found = client.get(f"/api/utterances/{utterance_id}").json()
    rendering = next(r for r in found["renderings"] if r["quote_id"] == quote_id)
    assert first_piece in rendering["printed_text"]
    assert len(rendering["printed_text"]) > len(first_piece)  # both pieces and the cue between them
    assert rendering["printed"] is not None  # the diff laid over the printed words, not shown normalised
    assert "".join(segment["text"] for segment in rendering["printed"]) == rendering["printed_text"]
    body = client.get(f"/utterances/{utterance_id}").text
    assert all(html.escape(s["text"], quote=False) in body for s in rendering["printed"] if s["text"].strip())


@pytest.fixture(scope="module")
def repeated_db(web_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A copy of the web database in which one rendering of a two-outlet utterance is marked as repeating
    a passage another rendering gives (`same_passage`), as the trails stage marks a partial quote inside
    reported speech of the same sentence."""
    copy = tmp_path_factory.mktemp("repeated") / "news.db"
    with sqlite3.connect(web_db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
        utterance_id, quote_id = target.execute(
            "SELECT u.id, r.quote_id FROM utterances u JOIN renderings r ON r.utterance_id = u.id "
            "WHERE u.n_renderings >= 2 AND r.quote_id <> u.canonical_quote_id ORDER BY u.id, r.quote_id LIMIT 1"
        ).fetchone()
        target.execute("UPDATE renderings SET flags = '[\"same_passage\"]' WHERE quote_id = ?", (quote_id,))
    return copy, utterance_id


def test_the_trail_header_counts_the_renderings_its_table_lists(repeated_db: tuple[Path, str]) -> None:
    db, utterance_id = repeated_db
    client = TestClient(create_app(db), base_url="http://127.0.0.1:8000")
    found = client.get(f"/api/utterances/{utterance_id}").json()
    shown = found["renderings"]
    assert found["utterance"]["n_renderings"] == len(shown)
    assert found["utterance"]["n_outlets"] == len({r["outlet"] for r in shown if r["outlet"]})
    body = client.get(f"/utterances/{utterance_id}").text
    assert body.count('<a class="article-link"') == len(shown)
    noun = "rendering" if len(shown) == 1 else "renderings"
    assert f"· {len(shown)} {noun} in " in body


def test_the_trail_page_in_a_browser_shows_joined_pieces_as_printed(
    server: str,  # noqa: F811
    page: object,  # noqa: F811
    client: TestClient,
    web_db: Path,
) -> None:
    utterance_id, quote_id, _ = _first_row(web_db, _JOINED_CANONICAL)
    found = client.get(f"/api/utterances/{utterance_id}").json()
    p = page
    p.goto(f"{server}/utterances/{utterance_id}")  # type: ignore[attr-defined]
    p.wait_for_selector("div.chart .main-svg")  # type: ignore[attr-defined]
    shown = p.locator("table.renderings tbody tr")  # type: ignore[attr-defined]
    assert shown.count() == len(found["renderings"]) == found["utterance"]["n_renderings"]
    cells = [shown.nth(n).locator("a.article-link").inner_text() for n in range(shown.count())]
    [(canonical, cell)] = [
        (r, cell) for r, cell in zip(found["renderings"], cells, strict=True) if r["quote_id"] == quote_id
    ]
    assert " ".join(cell.split()) == " ".join(canonical["printed_text"].split())  # both pieces, the cue between
    _shot(p, "11-trail-joined-pieces")
    assert p.errors == []  # type: ignore[attr-defined]
