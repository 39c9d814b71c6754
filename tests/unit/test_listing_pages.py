"""Index pages read by a shortcut give the rows the plain query gives: on a small synthetic corpus
(benchmarks/synthetic_corpus.py, its articles on three days or undated, quote ids not in the order of
their articles), every page of the flags listing
found from its articles first equals the page of the join sorted whole."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from newstrace.store import SQLiteStore
from newstrace.store import sql as store_sql
from newstrace.store.base import CHECKED_FLAGS, ListFilters

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def synthetic_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import synthetic_corpus  # benchmarks/synthetic_corpus.py
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    db = tmp_path_factory.mktemp("listing") / "synthetic.db"
    synthetic_corpus.build(db, 1500, 5)
    store = SQLiteStore(db)
    store.connection.execute("PRAGMA foreign_keys = OFF")  # quote ids renamed in quotes and renderings alike
    with store.connection:
        # three days and no date, so that pages end among ties of a date and of no date; and the quotes of every other
        # article renamed to sort first, so that a day's renderings are not in the order of its articles
        store.connection.execute("UPDATE articles SET published = '2024-0' || (rowid % 3 + 1) || '-01'")
        store.connection.execute("UPDATE articles SET published = NULL WHERE rowid % 7 = 0")
        odd = "SELECT id FROM articles WHERE rowid % 2 = 0"
        store.connection.execute(f"UPDATE quotes SET id = '0' || id WHERE article_id IN ({odd})")
        store.connection.execute(f"UPDATE renderings SET quote_id = '0' || quote_id WHERE article_id IN ({odd})")
    store.close()
    return db


def _every_page(store: SQLiteStore, filters: ListFilters, per_page: int) -> list[list[object]]:
    pages: list[list[object]] = []
    while not pages or pages[-1]:
        pages.append(list(store.page_list(filters, per_page, len(pages) * per_page)[0]))
    return pages


@pytest.mark.parametrize("flag", ["", *CHECKED_FLAGS])
def test_the_flags_listing_s_pages_found_from_their_articles_are_the_sorted_join_s(
    synthetic_db: Path, flag: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SQLiteStore(synthetic_db, readonly=True)
    filters = ListFilters("flags", flag=flag)
    shortcut = _every_page(store, filters, 7)
    monkeypatch.setattr(store_sql, "_FLAGGED_WALK", 30)  # a date's ties too many: the first pages by the join
    fewer = _every_page(store, filters, 7)
    monkeypatch.setattr(store_sql, "_FLAGGED_WALK", 0)  # every page by the join, sorted whole
    plain = _every_page(store, filters, 7)
    store.close()
    assert len(plain) > 2  # a corpus whose listing spans pages
    assert shortcut == plain and fewer == plain
