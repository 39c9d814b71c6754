"""Index pages read by a shortcut give the rows the plain query gives: on a small synthetic corpus
(benchmarks/synthetic_corpus.py, its articles on three days or undated, quote ids not in the order of
their articles), every page of the flags listing found from its articles first equals the page of the
join sorted whole, and every listing driven from its filter's rows (an outlet, dates, a speaker, a flag)
lists, pages and counts what its plain query does."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from newstrace.store import SQLiteStore
from newstrace.store import base as store_base
from newstrace.store import sql as store_sql
from newstrace.store.base import CHECKED_FLAGS, COUNT_CAP, LIST_FILTERS, LIST_ORDERS, LIST_RECORDS, ListFilters
from newstrace.store.sql import records_of

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


def _filter_cases(store: SQLiteStore) -> list[ListFilters]:
    """Every listing in each order under each filter it takes that an index narrows (an outlet, in another
    case than stored, dates, a speaker, a flag), alone and two together, with values read from the corpus."""
    outlet = str(store.connection.execute(_COMMONEST_OUTLET).fetchone()[0]).upper()
    speaker = str(store.connection.execute(_MOST_QUOTED).fetchone()[0]).lower()
    narrowing: dict[str, dict[str, str]] = {
        "outlet": {"outlet": outlet},
        "dates": {"date_from": "2024-01-15", "date_to": "2024-06-30"},
        "from": {"date_from": "2024-02-01"},
        "to": {"date_to": "2024-02-01"},
        "outlet and dates": {"outlet": outlet, "date_from": "2024-01-15", "date_to": "2024-06-30"},
        "speaker": {"speaker": speaker},
        "flag": {"flag": "translated"},
        "flag and outlet": {"flag": "translated", "outlet": outlet},
        "name and outlet": {"name": "a", "outlet": outlet},
    }
    cases = []
    for listing, orders in LIST_ORDERS.items():
        for label, values in narrowing.items():
            if all(name in LIST_FILTERS[listing] for name in values):  # every order under an outlet alone
                cases += [ListFilters(listing, order, **values) for order in orders[: None if label == "outlet" else 1]]
    return cases


_COMMONEST_OUTLET = "SELECT outlet FROM articles GROUP BY outlet ORDER BY count(*) DESC, outlet LIMIT 1"
_MOST_QUOTED = (
    "SELECT s.name FROM quotes q JOIN speakers s ON s.id = q.speaker_id GROUP BY s.id ORDER BY count(*) DESC LIMIT 1"
)


def _plain_rows(store: SQLiteStore, filters: ListFilters) -> list[object]:
    """Every row of the listing's plain query (`_list_query`, joined as written), sorted whole."""
    listing = store_sql._list_query(filters)
    order = store_sql._LIST_ORDER_SQL[filters.listing][filters.order]
    return list(
        records_of(LIST_RECORDS[filters.listing], store._rows(f"{listing.sql()} ORDER BY {order}", listing.parameters))
    )


def test_filtered_listings_driven_from_their_filter_give_the_plain_query_s_pages_and_totals(synthetic_db: Path) -> None:
    """Each case's whole listing streamed, its second page and its total, against the plain query's
    (some 0.3 s a case at load 10: the plain speakers listing joins every speaker)."""
    store = SQLiteStore(synthetic_db, readonly=True)
    cases, listed = _filter_cases(store), 0
    for filters in cases:
        plain = _plain_rows(store, filters)
        listed += len(plain) > 7
        assert list(store.iter_list(filters)) == plain, filters
        found, total = store.page_list(filters, 7, 7)
        assert (list(found), total) == (plain[7:14], min(len(plain), COUNT_CAP + 1)), filters
    store.close()
    assert len(cases) > 30 and listed == len(cases)  # each case lists more than a page


# A step of a query plan that reads a whole table (or a whole index of one) of the corpus: articles,
# quotes, renderings, utterances, speakers, stories, by name or by the listings' aliases. (A derived
# table named `a`, the outlets listing's counts, is no table of the corpus.)
_WHOLE_TABLE = re.compile(r"^SCAN (articles|quotes|renderings|utterances|speakers|stories|[qrsu]|a(?= USING))\b")


def _driven_by_an_index(filters: ListFilters) -> bool:
    """Whether a filter narrows the listing through an index: an outlet, a speaker (not on the flags
    listing, which the planner walks for a busy speaker), or both dates on a listing other than stories
    (whose dates bound a span: first_seen and last_seen, with no index for both)."""
    both_dates = bool(filters.date_from and filters.date_to) and filters.listing != "stories"
    return bool(filters.outlet) or both_dates or (bool(filters.speaker) and filters.listing != "flags")


def test_no_listing_narrowed_by_an_indexed_filter_reads_a_whole_table(
    synthetic_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EXPLAIN QUERY PLAN of every statement a page of such a listing runs (a total and a page past the
    first): each reaches its rows through an index (0.3 s)."""
    store = SQLiteStore(synthetic_db, readonly=True)
    statements: list[tuple[str, Sequence[object]]] = []
    execute = store._execute
    monkeypatch.setattr(
        store, "_execute", lambda sql, parameters=(): statements.append((sql, parameters)) or execute(sql, parameters)
    )
    cases = [filters for filters in _filter_cases(store) if _driven_by_an_index(filters)]
    for filters in cases:
        statements.clear()
        store.page_list(filters, 7, 7)
        plans = [row[3] for sql, parameters in statements for row in execute(f"EXPLAIN QUERY PLAN {sql}", parameters)]
        assert plans and not [step for step in plans if _WHOLE_TABLE.match(step)], (filters, plans)
    store.close()
    assert len(cases) > 15


@pytest.mark.parametrize("listing", ["stories", "speakers", "utterances"])
def test_a_listing_s_outlet_facet_reads_its_rows_through_their_ids_index(
    synthetic_db: Path, listing: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EXPLAIN QUERY PLAN of the outlet facet's statement over the listing's first 200 rows: no whole table;
    and, each row's own read whole, the counts are those the plain query gives per outlet (0.1 s)."""
    store = SQLiteStore(synthetic_db, readonly=True)
    order = LIST_ORDERS[listing][0]
    filters = ListFilters(listing, order, date_from="2024-02-01" if listing == "speakers" else None)
    keys = [row.id for row in store.page_list(filters, 200, 0)[0]]  # type: ignore[union-attr]
    sql, parameters = store_sql._listing_outlet_rows(filters, keys, store._ARTICLES_FIRST)
    plans = [row[3] for row in store._execute(f"EXPLAIN QUERY PLAN {sql}", parameters)]
    assert plans and not [step for step in plans if _WHOLE_TABLE.match(step)], plans
    monkeypatch.setattr(store_base, "LISTING_FACET_PER_ROW", 10**6)
    counted = store.listing_outlets(filters, keys)
    outlet = counted.outlets[0].value
    assert not counted.cut and len(keys) == 200
    plain = _plain_rows(store, ListFilters(listing, order, **_dated(filters), outlet=outlet))
    assert counted.outlets[0].n == len(set(keys) & {row.id for row in plain})  # type: ignore[attr-defined]
    store.close()


def _dated(filters: ListFilters) -> dict[str, str]:
    return {"date_from": filters.date_from} if filters.date_from else {}
