"""The story page's "In its own words": every piece of a quote its cue splits (`"A," she said, "B."`)
as its article printed it, with its offsets, in the page and its JSON twin."""

from __future__ import annotations

import html
import json
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newstrace.serve import create_app

from ..conftest import run_cli
from .test_browser import _shot, browser, page, server  # noqa: F401  (fixtures)

# a rendering in the side by side (its utterance rendered more than once) whose quote comes in pieces
_SPLIT_RENDERING = (
    "SELECT a.story_id, q.id, q.content_fragments, a.text FROM renderings r JOIN quotes q ON q.id = r.quote_id "
    "JOIN articles a ON a.id = q.article_id JOIN utterances u ON u.id = r.utterance_id "
    "WHERE json_array_length(q.content_fragments) > 1 AND u.n_renderings > 1 AND a.story_id IS NOT NULL "
    "AND r.flags NOT LIKE '%same_passage%' ORDER BY q.id LIMIT 1"
)


# Fictional: two outlets report one harbour story and quote one statement its cue splits in two.
_REPORTS = {
    "Harbour Wire": "Port Aster raises its tolls\n\nPort Aster will charge ships more from next spring, the port "
    "authority said on Tuesday.\n\n\u201cThe harbour tolls will rise next spring,\u201d harbour master Anneke Holm "
    "said, "
    "\u201cand every shipping firm should prepare for that now.\u201d\n\nThe ferries are not affected.\n",
    "Reef Post": "Tolls to rise at Port Aster\n\nShips will pay more at Port Aster from next spring, the port "
    "authority said on Tuesday.\n\n\u201cThe harbour tolls will rise next spring,\u201d harbour master Anneke Holm "
    "said, "
    "\u201cand every shipping firm should prepare for that now.\u201d\n\nFishing boats are not affected.\n",
}


@pytest.fixture(scope="module")
def web_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("split-quote")
    db = root / "news.db"
    meta = ["path,outlet,published"]
    for number, (outlet, text) in enumerate(_REPORTS.items()):
        (root / f"report{number}.txt").write_text(text, encoding="utf-8")
        meta.append(f"{root / f'report{number}.txt'},{outlet},2024-07-10")
    (root / "meta.csv").write_text("\n".join(meta) + "\n", encoding="utf-8")
    texts = [str(root / f"report{number}.txt") for number in range(len(_REPORTS))]  # one run, one model load
    result = run_cli("analyze", *texts, "--meta", str(root / "meta.csv"), "--db", str(db), "--quiet")
    assert result.returncode == 0, result.stderr
    return db


@pytest.fixture(scope="module")
def split(web_db: Path) -> tuple[str, str, list[dict[str, object]]]:
    """The story, the quote id and the quote's pieces as printed: {start, end, text}."""
    with sqlite3.connect(web_db) as connection:
        story_id, quote_id, fragments, text = connection.execute(_SPLIT_RENDERING).fetchone()
    pieces = [{"start": start, "end": end, "text": text[start:end]} for start, end in sorted(json.loads(fragments))]
    return story_id, quote_id, pieces


def test_the_story_json_gives_every_piece_of_a_split_quote(web_db: Path, split: tuple[str, str, list]) -> None:  # type: ignore[type-arg]
    story_id, quote_id, pieces = split
    client = TestClient(create_app(web_db), base_url="http://127.0.0.1:8000")
    found = client.get(f"/api/stories/{story_id}").json()
    [rendering] = [r for o in found["comparison"] for r in o["renderings"] if r["quote_id"] == quote_id]
    assert rendering["pieces"] == pieces and len(pieces) > 1
    body = client.get(f"/stories/{story_id}").text
    assert all(html.escape(str(piece["text"]), quote=False) in body for piece in pieces)


def test_the_story_page_in_a_browser_shows_both_pieces(
    server: str,  # noqa: F811
    page: object,  # noqa: F811
    split: tuple[str, str, list],  # type: ignore[type-arg]
) -> None:
    story_id, _, pieces = split
    p = page
    p.goto(f"{server}/stories/{story_id}")  # type: ignore[attr-defined]
    shown = p.locator("ul.own-words span.piece")  # type: ignore[attr-defined]
    printed = [(int(shown.nth(n).get_attribute("data-start")), shown.nth(n).inner_text()) for n in range(shown.count())]
    printed = {(start, " ".join(text.split())) for start, text in printed}
    assert all((piece["start"], " ".join(str(piece["text"]).split())) in printed for piece in pieces)
    _shot(p, "12-story-split-quote")
