"""Index pages read by a shortcut give the rows the plain query gives: on a small synthetic corpus
(benchmarks/synthetic_corpus.py, its articles on three days or undated, quote ids not in the order of
their articles), every page of the flags listing found from its articles first equals the page of the
join sorted whole, and every listing driven from its filter's rows (an outlet, dates, a speaker, a flag)
lists, pages and counts what its plain query does."""

from __future__ import annotations

import re
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from newstrace.serve import data as serve_data
from newstrace.store import SQLiteStore
from newstrace.store import base as store_base
from newstrace.store import sql as store_sql
from newstrace.store.base import (
    CHECKED_FLAGS,
    COUNT_CAP,
    LIST_FILTERS,
    LIST_ORDERS,
    LIST_RECORDS,
    ListFilters,
    SearchFilters,
)
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
        # stories' spans as the R*Tree must take them: a missing first day, a time after a day, a day that
        # does not exist (updated, so that its triggers follow the stories)
        store.connection.execute("UPDATE stories SET first_seen = NULL WHERE rowid % 11 = 0")
        store.connection.execute("UPDATE stories SET last_seen = last_seen || 'T10:00' WHERE rowid % 5 = 0")
        store.connection.execute("UPDATE stories SET first_seen = '2024-02-31' WHERE rowid % 13 = 0")
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
        "dates and name": {"date_from": "2024-01-15", "date_to": "2024-06-30", "name": "a"},
    }
    for listing, sql in _A_NAME.items():  # part of a word of the listing's first row, in capitals, and a
        word = max(str(store.connection.execute(sql).fetchone()[0]).split(), key=len)  # word too short
        narrowing[f"name {listing}"] = {"name": word[1:4].upper()}  # for its index
        narrowing[f"names {listing}"] = {"name": f"{word[1:4].upper()} {word[2:4]}"}
    cases = []
    for listing, orders in LIST_ORDERS.items():
        for label, values in narrowing.items():
            if label.startswith("name") and label.endswith(tuple(_A_NAME)) and not label.endswith(listing):
                continue
            if all(name in LIST_FILTERS[listing] for name in values):  # every order under an outlet alone
                cases += [
                    ListFilters(listing, order, **values)
                    for order in orders[: None if label in ("outlet", f"name {listing}") else 1]
                ]
    return cases


_A_NAME = {  # a text that the listing's name words are looked for in
    "stories": "SELECT title FROM stories ORDER BY rowid LIMIT 1",
    "speakers": "SELECT name FROM speakers ORDER BY id LIMIT 1",
    "utterances": "SELECT canonical_text FROM utterances ORDER BY rowid LIMIT 1",
}
_COMMONEST_OUTLET = "SELECT outlet FROM articles GROUP BY outlet ORDER BY count(*) DESC, outlet LIMIT 1"
_MOST_QUOTED = (
    "SELECT s.name FROM quotes q JOIN speakers s ON s.id = q.speaker_id GROUP BY s.id ORDER BY count(*) DESC LIMIT 1"
)


def _plain_rows(store: SQLiteStore, filters: ListFilters) -> list[object]:
    """Every row of the listing's plain query (`_list_query`, joined as written), sorted whole."""
    listing = store_sql._list_query(filters)
    order = store_sql._LIST_ORDER_SQL[filters.listing][filters.order or LIST_ORDERS[filters.listing][0]]
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


def test_the_speakers_over_the_whole_corpus_paged_by_their_counts_are_the_plain_query_s(synthetic_db: Path) -> None:
    """The speakers without an outlet or dates, ordered by their quotes and outlets counted apart (schema 30)
    and each listed speaker counted alone: the first page, a page further on, the last and the total are the
    plain query's, which joins every quote to its article (about 1 s for the two orders here; on the main
    branch the CLI's first page at a million articles took 10.7 s of CPU)."""
    store = SQLiteStore(synthetic_db, readonly=True)
    for order in LIST_ORDERS["speakers"]:
        filters = ListFilters("speakers", order)
        plain = _plain_rows(store, filters)
        with _Statements(store.connection) as ran:
            assert store.page_list(filters, 30, 0) == (plain[:30], COUNT_CAP + 1), order
        assert ran and not [sql for sql in ran if "JOIN articles" in sql], ran  # no quote joined to its article
        assert store.page_list(filters, 30, 2_000)[0] == plain[2_000:2_030], order  # past those quoted
        assert store.page_list(filters, 30, len(plain) - 5) == (plain[-5:], len(plain)), order
    store.close()


def test_a_grouped_listing_s_page_and_total_are_one_statement(synthetic_db: Path) -> None:
    """The speakers under an outlet or dates group every row before their order: the page and its total are
    read in one statement, not the groups made twice (0.1 s)."""
    store = SQLiteStore(synthetic_db, readonly=True)
    outlet = str(store.connection.execute(_COMMONEST_OUTLET).fetchone()[0])
    for filters in (ListFilters("speakers", outlet=outlet), ListFilters("speakers", date_from="2024-02-01")):
        plain = _plain_rows(store, filters)
        with _Statements(store.connection) as ran:
            assert store.page_list(filters, 3, 2) == (plain[2:5], len(plain)), filters
        assert len([sql for sql in ran if "GROUP BY" in sql]) == 1, ran
    store.close()


# A step of a query plan that reads a whole table (or a whole index of one) of the corpus: articles,
# quotes, renderings, utterances, speakers, stories, by name or by the listings' aliases. (A derived
# table named `a`, the outlets listing's counts, is no table of the corpus.)
_WHOLE_TABLE = re.compile(r"^SCAN (articles|quotes|renderings|utterances|speakers|stories|[qrsu]|a(?= USING))\b")


def _driven_by_an_index(filters: ListFilters) -> bool:
    """Whether a filter narrows the listing through an index: an outlet, a speaker (not on the flags
    listing, which the planner walks for a busy speaker), both dates (the stories' through the R*Tree of
    their spans; not the flagged renderings holding words, walked), or a name word of three letters or
    more on the stories, speakers and utterances (their trigram indexes; on this corpus every word is
    few enough to be looked up there)."""
    both_dates = bool(filters.date_from and filters.date_to) and not (filters.listing == "flags" and filters.name)
    worded = filters.listing in _A_NAME and any(len(word) >= 3 for word in (filters.name or "").split())
    return bool(filters.outlet) or both_dates or worded or (bool(filters.speaker) and filters.listing != "flags")


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


_OWN_INDEXES = ("stories_title_trigrams", "speakers_name_trigrams", "utterances_text_trigrams")


def _write_as_the_store_does(connection: sqlite3.Connection) -> None:
    """Stories inserted, upserted, updated and deleted; speakers upserted and deleted; utterances written
    with INSERT OR REPLACE (whose deletion of the row replaced fires no delete trigger) and deleted."""
    story = (
        "INSERT INTO stories(id, title, first_seen, last_seen, n_articles, n_outlets, state) "
        "VALUES (?, ?, ?, ?, 1, 1, '{}')"
    )
    upsert = f"{story} ON CONFLICT(id) DO UPDATE SET title = excluded.title, last_seen = excluded.last_seen"
    utterance = "INSERT OR REPLACE INTO utterances(id, canonical_text, n_renderings, n_outlets) VALUES (?, ?, 1, 1)"
    speaker = (
        "INSERT INTO speakers(name, aliases) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET aliases = excluded.aliases"
    )
    with connection:
        connection.executemany(
            story, [("st_a", "Harbour strike", "2024-03-01", "2024-03-04"), ("st_b", None, None, None)]
        )
        connection.execute(upsert, ("st_a", "Harbour strike ends", "2024-03-01", "2024-04-02T08:00"))
        connection.execute(story, ("st_c", "Drought", "2024-02-31", "2024-05-01"))
        connection.execute("UPDATE stories SET first_seen = '2024-01-09' WHERE id = 'st_b'")
        connection.execute("DELETE FROM stories WHERE id = 'st_c'")
        connection.executemany(speaker, [("Ada Holm", "[]"), ("Bo Lind", "[]"), ("Ada Holm", '["A. Holm"]')])
        connection.execute("DELETE FROM speakers WHERE name = 'Bo Lind'")
        connection.executemany(
            utterance, [("u_1", "the port is closed"), ("u_2", "no comment"), ("u_1", "the port opens")]
        )
        connection.execute("DELETE FROM utterances WHERE id = 'u_2'")


def test_the_listings_own_indexes_follow_their_tables_through_the_store_s_writes(tmp_path: Path) -> None:
    """The trigram indexes and the stories' spans (schema 29) hold what their tables hold after each kind
    of write, and the listings find by them what their plain queries find (0.1 s)."""
    store = SQLiteStore(tmp_path / "written.db")
    _write_as_the_store_does(store.connection)
    for index in _OWN_INDEXES:  # rank 1: the index compared with its table, row by row
        store.connection.execute(f"INSERT INTO {index}({index}, rank) VALUES ('integrity-check', 1)")
    spans = "SELECT story_rowid, first_day, last_day FROM {} ORDER BY story_rowid"
    assert store._rows(spans.format("stories_spans")) == store._rows(spans.format("stories_span_bounds"))
    for filters in (
        ListFilters("utterances", name="PORT"),
        ListFilters("utterances", name="closed"),
        ListFilters("speakers", name="holm"),
        ListFilters("stories", name="strike END"),
        ListFilters("stories", date_from="2024-03-10", date_to="2024-03-31"),
        ListFilters("stories", date_to="2024-01-31"),
    ):
        assert store._index_narrowing(filters) and list(store.iter_list(filters)) == _plain_rows(store, filters)
    assert [row.canonical_text for row in store.iter_list(ListFilters("utterances", name="PORT"))] == ["the port opens"]
    store.close()


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


# -- a page past the last (slow27) -----------------------------------------------------------------------
# It is answered without reading a row up to its offset, and names the last page: with COUNT_CAP made small,
# so that the corpus's totals pass it, every listing and a search of each kind counts every row when a page
# lies past the cap, and the page past the last runs no statement with an OFFSET (at a million articles that
# walk took 1-9 s: docs/web.md, "slow27").
_CAP = 7  # COUNT_CAP for these tests


@pytest.fixture
def capped_store(synthetic_db: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SQLiteStore]:
    monkeypatch.setattr(store_sql, "COUNT_CAP", _CAP)
    monkeypatch.setattr(serve_data, "COUNT_CAP", _CAP)
    monkeypatch.setattr(serve_data, "LISTING_FACET_SAMPLE", 2)  # below the cap, as 100 is below 10,000
    opened = SQLiteStore(synthetic_db, readonly=True)
    opened.keep_no_answers()
    yield opened
    opened.close()


class _Statements:
    """The statements a connection runs while this is entered."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection, self.sql = connection, list[str]()

    def __enter__(self) -> list[str]:
        self.connection.set_trace_callback(self.sql.append)
        return self.sql

    def __exit__(self, *_: object) -> None:
        self.connection.set_trace_callback(None)


def _listing_cases(store: SQLiteStore) -> list[ListFilters]:
    outlet = str(store.connection.execute(_COMMONEST_OUTLET).fetchone()[0])
    cases = [ListFilters(listing, order) for listing, orders in LIST_ORDERS.items() for order in orders]
    # the speakers by a name word: all 50,000 of them took a second to list
    cases = [ListFilters(f.listing, f.order, name="kaba") if f.listing == "speakers" else f for f in cases]
    cases += [ListFilters("speakers", outlet=outlet), ListFilters("utterances", outlet=outlet)]
    cases += [ListFilters("flags", flag="altered_direct_quote"), ListFilters("stories", name="a")]
    return cases


def test_a_listing_page_past_the_last_counts_every_row_and_reads_none(capped_store: SQLiteStore) -> None:
    store = capped_store
    for filters in _listing_cases(store):
        every = list(store.iter_list(filters))
        assert len(every) > _CAP, filters
        with _Statements(store.connection) as ran:
            rows, total = store.page_list(filters, 3, len(every) + 30)
        assert (rows, total) == ([], len(every)), filters
        assert not [sql for sql in ran if "OFFSET" in sql], filters  # no row read up to the offset
        last, _ = store.page_list(filters, 3, len(every) - 1)  # the last row, past the cap: read as before
        assert last == every[-1:], filters


def test_a_search_page_past_the_last_counts_every_match_and_reads_none(capped_store: SQLiteStore) -> None:
    store = capped_store
    word = str(store.connection.execute("SELECT title FROM articles WHERE title IS NOT NULL").fetchone()[0]).split()[0]
    speaker = str(store.connection.execute("SELECT name FROM speakers ORDER BY id").fetchone()[0])
    language = str(store.connection.execute("SELECT language FROM articles").fetchone()[0])
    for filters in (
        SearchFilters(),
        SearchFilters(word),
        SearchFilters(language=language),
        SearchFilters(speaker_name=speaker),
        SearchFilters(flag="altered_direct_quote"),
    ):
        every = len(list(store.iter_search(filters)))
        assert every > _CAP, filters
        with _Statements(store.connection) as ran:
            hits, total = store.page_search(filters, 3, every + 30, 2)
        assert (hits, total) == ([], every), filters
        assert not [sql for sql in ran if "OFFSET" in sql], filters


def test_a_page_past_the_last_names_the_last_page_though_its_total_passes_the_cap(capped_store: SQLiteStore) -> None:
    store = capped_store
    stories = len(list(store.iter_list(ListFilters("stories"))))
    pages = -(-stories // 3)
    page = serve_data.listing(store, ListFilters("stories"), pages + 5, 3)["pagination"]
    assert page == {"page": pages + 5, "per_page": 3, "total": stories, "more_than": False, "pages": pages}
    inside = serve_data.listing(store, ListFilters("stories"), pages, 3)["pagination"]  # the last page: as before
    assert inside == {"page": pages, "per_page": 3, "total": _CAP, "more_than": True, "pages": 3}
    searched = serve_data.search(store, SearchFilters(), 10_000, 3)["pagination"]
    assert searched["total"] == len(list(store.iter_search(SearchFilters()))) and not searched["more_than"]
