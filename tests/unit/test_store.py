"""The SQLite store: migrations, pragmas, per-article transactions and the full-text index."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newstrace.records import Article, Entity, Sentence, StageOutput
from newstrace.store import QueryTimeout, SearchSyntaxError, SQLiteStore, StoreError, open_store
from newstrace.store import sqlite as sqlite_backend
from newstrace.store.base import ListFilters, SearchFilters
from newstrace.store.query import parse_query
from newstrace.store.sql import SQLStore
from newstrace.store.sqlite import _migrations, fts_query


def _article(identity: str = "a1", text: str = "Holm spoke in Velmora.", url: str | None = None) -> Article:
    return Article(
        id=identity, text=text, source_format="text", path=None, url=url, title="Holm", published=None,
        outlet="Wire", author=None, dateline=None, language="en", n_words=4, field_sources={},
    )  # fmt: skip


def _output(identity: str = "a1") -> StageOutput:
    return StageOutput(
        "nlp", 1, {"sentences": [Sentence(identity, 0, 22)], "entities": [Entity(identity, "PERSON", "Holm", 0, 4)]}
    )


def test_new_database_is_migrated_in_wal_mode_with_foreign_keys(store: SQLiteStore) -> None:
    numbers = [number for number, _ in _migrations()]
    assert numbers == list(range(1, len(numbers) + 1))  # numbered one by one, none skipped
    assert store.schema_version() == numbers[-1]
    assert store.connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.connection.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def database_at_schema(path: Path, last_migration: int) -> sqlite3.Connection:
    """A database as an older newstrace left it: migrated up to `last_migration` only."""
    connection = sqlite3.connect(path)
    for number, sql in _migrations():
        if number <= last_migration:
            connection.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
    return connection


def test_quotes_stored_before_content_fragments_keep_their_content_as_one_piece(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    connection = database_at_schema(path, 7)
    connection.execute(
        "INSERT INTO articles(id, text, n_words, source_format) VALUES ('a1', 'Holm said it rains.', 4, 'text')"
    )
    connection.execute(
        "INSERT INTO quotes(id, article_id, kind, cue_text, cue_start, cue_end, content_text, content_start, "
        "content_end, confidence) VALUES ('a1-5', 'a1', 'indirect', 'said', 5, 9, 'it rains', 10, 18, 0.9)"
    )
    connection.commit()
    connection.close()
    [row] = SQLiteStore(path).iter_rows("quotes")
    assert row["content_fragments"] == "[[10,18]]"


def test_reopening_does_not_migrate_again(tmp_path: Path) -> None:
    SQLiteStore(tmp_path / "db").close()
    assert SQLiteStore(tmp_path / "db").schema_version() == _migrations()[-1][0]


def test_saving_twice_replaces_stage_rows_instead_of_duplicating(store: SQLiteStore) -> None:
    run = store.begin_run("test")
    store.save_article(_article(), [_output()], run)
    store.save_article(_article(), [_output()], run)
    counts = store.count_rows()
    assert (counts["articles"], counts["sentences"], counts["entities"]) == (1, 1, 1)
    assert store.stage_versions_of("a1") == {"nlp": "1"}
    assert store.stage_versions_of("missing") is None


def test_a_failing_save_leaves_nothing_half_written(store: SQLiteStore) -> None:
    run = store.begin_run("test")
    broken = StageOutput("nlp", 1, {"sentences": [Sentence("a1", 0, 5)], "no_such_table": [Sentence("a1", 0, 5)]})
    with pytest.raises(StoreError):
        store.save_article(_article(), [broken], run)
    assert store.count_rows()["articles"] == 0 and store.count_rows()["sentences"] == 0


def test_url_history_follows_revisions(store: SQLiteStore) -> None:
    run = store.begin_run("test")
    store.save_article(_article("a1", url="https://x.example/1"), [], run)
    assert store.url_history("https://x.example/1") == type(store.url_history("https://x.example/1"))("a1", 0)
    assert store.url_history("https://x.example/2") is None


def test_search_words_phrases_and_bad_syntax(store: SQLiteStore) -> None:
    store.save_article(_article(), [], store.begin_run("test"))
    assert [hit.article_id for hit in store.search("velmora holm")] == ["a1"]
    assert store.search('"Holm spoke"') and not store.search('"spoke Holm"')
    assert store.search("NEAR(") == []  # a word like any other
    with pytest.raises(SearchSyntaxError, match="not closed"):
        store.search('"holm')


@given(st.text(alphabet=st.sampled_from('ab -*"()OR:^+'), max_size=30) | st.text(max_size=60))
def test_a_query_either_is_bad_syntax_or_fts5_reads_it(query: str) -> None:
    """Whatever is typed, the search says it cannot understand it, or gives FTS5 a query it accepts."""
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(title, text, facets)")  # the columns of schema 19
    connection.execute("INSERT INTO t VALUES ('holm', 'spoke in velmora', 'o57 l656e')")
    try:
        parsed = parse_query(query)
    except SearchSyntaxError:
        return
    if parsed:
        connection.execute("SELECT * FROM t WHERE t MATCH ?", (fts_query(parsed),)).fetchall()


def test_readonly_store_refuses_writes_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such database"):
        open_store(tmp_path / "missing.db", readonly=True)
    SQLiteStore(tmp_path / "db").close()
    readonly = open_store(tmp_path / "db", readonly=True)
    with pytest.raises(StoreError, match="cannot be written"):
        readonly.begin_run("x")


def _open_new_database(path: Path) -> str:
    try:
        SQLiteStore(path).close()
    except StoreError as error:
        return str(error)
    return "ok"


def test_processes_opening_a_new_database_at_once_wait_for_each_other(tmp_path: Path) -> None:
    for attempt in range(3):
        path = tmp_path / f"new{attempt}.db"
        with multiprocessing.get_context("fork").Pool(3) as pool:
            assert pool.map(_open_new_database, [path] * 3) == ["ok"] * 3
        assert SQLiteStore(path).schema_version() == _migrations()[-1][0]


def test_a_read_only_open_refuses_an_older_schema_and_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    database_at_schema(path, 4).close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match=r"older newstrace .*schema 4.*`newstrace analyze`"):
        open_store(path, readonly=True)
    assert path.read_bytes() == before
    assert SQLiteStore(path).schema_version() == _migrations()[-1][0]  # a writable open migrates it
    assert open_store(path, readonly=True).count_rows()["articles"] == 0


def test_a_read_only_open_refuses_a_newer_schema_and_a_foreign_sqlite_file(tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    SQLiteStore(newer).connection.execute(f"PRAGMA user_version = {_migrations()[-1][0] + 1}")
    with pytest.raises(StoreError, match="newer newstrace"):
        open_store(newer, readonly=True)
    with pytest.raises(StoreError, match="newer newstrace"):
        open_store(newer)
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)")
    with pytest.raises(StoreError, match="not a newstrace database"):
        open_store(foreign, readonly=True)
    (tmp_path / "text.db").write_text("fictional: not a database at all\n" * 200)
    with pytest.raises(StoreError, match="not a newstrace database"):
        open_store(tmp_path / "text.db", readonly=True)


@pytest.mark.parametrize("name", ["we#ird.db", "what?.db", "per%41cent.db"])
def test_file_names_with_uri_characters_open_that_file_and_nothing_else(tmp_path: Path, name: str) -> None:
    SQLiteStore(tmp_path / name).close()
    assert open_store(tmp_path / name, readonly=True).schema_version() == _migrations()[-1][0]
    with pytest.raises(StoreError, match="no such database"):
        open_store(tmp_path / ("missing-" + name), readonly=True)
    assert sorted(path.name for path in tmp_path.iterdir() if not path.name.endswith(("-wal", "-shm"))) == [name]


def test_a_full_disk_is_one_clear_error_and_keeps_what_was_stored(store: SQLiteStore) -> None:
    run = store.begin_run("test")
    store.save_article(_article("a1"), [_output("a1")], run)
    pages = store.connection.execute("PRAGMA page_count").fetchone()[0]
    store.connection.execute(f"PRAGMA max_page_count = {pages}")  # SQLite reports SQLITE_FULL beyond this
    with pytest.raises(StoreError, match=r"disk is full.*rolled back"):
        store.save_article(_article("a2", text="Holm spoke at length. " * 2000), [_output("a2")], run)
    assert store.count_rows()["articles"] == 1 and not store.connection.in_transaction


def test_unknown_export_table_is_named(store: SQLiteStore) -> None:
    with pytest.raises(StoreError, match="choose one of"):
        list(store.iter_rows("sqlite_master"))


def test_a_read_past_its_time_limit_is_stopped_and_later_reads_are_not(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_backend, "_STEPS_BETWEEN_CLOCK_CHECKS", 10)  # look at the clock very often
    run = store.begin_run("test")
    for number in range(20):
        store.save_article(_article(f"a{number}", f"Holm spoke in Velmora, report {number}."), [], run)
    everything = SearchFilters(text="velmora")
    with pytest.raises(QueryTimeout, match="stopped"), store.time_limit(0.0):
        store.page_search(everything, 10, 0)
    with pytest.raises(QueryTimeout), store.time_limit(0.0):
        store.page_list(ListFilters("outlets"), 10, 0)
    with store.time_limit(60.0):
        assert store.page_search(everything, 10, 0)[1] == 20
    assert store.search_facets(everything, 10).outlet  # no limit outside a block


def test_the_data_version_is_the_databases_not_a_connections(tmp_path: Path) -> None:
    # The web keeps search answers per data version in one cache for all its threads, each with its own
    # connection. PRAGMA data_version counts the commits one connection saw since it opened, so a store
    # opened after a write could give the number an older store gave before it: the key must come from
    # the files (the database, its log and the log's index head), the same for every connection.
    path = tmp_path / "news.db"
    writer_store = open_store(path)
    writer_store.save_article(_article(), [_output()], writer_store.begin_run("test"))
    first = open_store(path, readonly=True)
    before = first.data_version()
    assert before is not None and open_store(path, readonly=True).data_version() == before
    with sqlite3.connect(path) as writer:  # another connection, as another process would be
        writer.execute("UPDATE articles SET title = 'Holm spoke again'")
    after = open_store(path, readonly=True).data_version()
    assert after != before and first.data_version() == after


def test_the_log_index_head_is_read_through_its_mapping_until_the_file_is_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # data_version reads the head of the -shm file through a mapping (a stat and a read of the files cost
    # 30-150 µs a call); a file removed (SQLite removes it when the last connection closes) is noticed
    # (at the next look, WAL_INDEX_RECHECK_SECONDS after the last: here every call).
    monkeypatch.setattr(sqlite_backend, "WAL_INDEX_RECHECK_SECONDS", 0.0)
    index = tmp_path / "news.db-shm"
    index.write_bytes(bytes(range(48)) + bytes(32_720))
    mapped = sqlite_backend._WalIndex.mapped(index)
    assert mapped is not None and mapped.head() == bytes(range(48))
    with index.open("r+b") as file:  # a commit rewrites the head in place
        file.write(b"\xff" * 4)
    assert mapped.head() == b"\xff" * 4 + bytes(range(4, 48))
    index.unlink()
    assert mapped.head() is None and sqlite_backend._WalIndex.mapped(index) is None


def test_a_commit_is_seen_by_the_next_read_while_writes_and_reads_run_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Answers are kept per data version (a search's first matches, counted here by its facets), and
    # data_version asks whether the log index was removed only once a second: each read must still see
    # every commit made before it, as a writer in another thread commits one article after another.
    monkeypatch.setattr(sqlite_backend, "WAL_INDEX_RECHECK_SECONDS", 3600.0)  # never asked during the test
    path = tmp_path / "news.db"
    writer = open_store(path)
    run = writer.begin_run("test")
    writer.save_article(_article("a0", "Holm spoke in Velmora."), [], run)
    reader = open_store(path, readonly=True)
    velmora = SearchFilters(text="velmora")
    committed = [1]  # articles whose commit the writer has seen return

    def write() -> None:
        for number in range(1, 16):
            writer.save_article(_article(f"a{number}", f"Holm spoke in Velmora, report {number}."), [], run)
            committed[0] = number + 1
            time.sleep(0.01)  # the reader's turn (else the GIL can let several commits pass between two reads)

    thread = threading.Thread(target=write)
    thread.start()
    counts: list[int] = []
    while True:
        finished, before = not thread.is_alive(), committed[0]
        counts.append(sum(row.n for row in reader.search_facets(velmora, 10, 1000).outlet))
        assert counts[-1] >= before, f"a read after {before} commits counted {counts[-1]}"
        if finished:
            break
    thread.join()
    assert counts[-1] == 16 and len(set(counts)) > 2  # the reads met the writes part way


def _vm_steps_to_update_quotes(tmp_path: Path, n_articles: int) -> int:
    """SQLite's virtual-machine steps (in hundreds) to update 20 quotes' speakers in a store of
    `n_articles` articles of one quote each (fictional rows written straight into the tables)."""
    store = open_store(tmp_path / f"keys{n_articles}.db")
    assert isinstance(store, SQLiteStore)
    try:
        connection = store.connection
        connection.executemany(
            "INSERT INTO articles(id, text, source_format, n_words, field_sources, revision, header_spans) "
            "VALUES (?, 'Holm spoke.', 'text', 2, '{}', 1, '[]')",
            [(f"a{n}",) for n in range(n_articles)],
        )
        connection.executemany(
            "INSERT INTO quotes(article_id, kind, cue_text, cue_start, cue_end, content_text, content_start, "
            "content_end, confidence, content_fragments) VALUES (?, 'direct', 'said', 0, 4, 'x', 5, 6, 1, '[]')",
            [(f"a{n}",) for n in range(n_articles)],
        )
        connection.commit()
        steps = 0

        def count() -> int:
            nonlocal steps
            steps += 1
            return 0

        connection.set_progress_handler(count, 100)
        first = [f"a{n}" for n in range(20)]
        connection.execute(f"UPDATE quotes SET speaker_id = NULL WHERE article_id IN ({','.join('?' * 20)})", first)
        connection.set_progress_handler(None, 0)
        connection.rollback()
        return steps
    finally:
        store.close()


def test_updating_a_quotes_speaker_recounts_only_its_own_articles_facet_keys(tmp_path: Path) -> None:
    # each quote's trigger recounted every article's quotes through a view, so the speakers stage's update
    # of all quotes grew with the square of the corpus and held the write lock past other writers' wait
    small, large = _vm_steps_to_update_quotes(tmp_path, 40), _vm_steps_to_update_quotes(tmp_path, 800)
    assert large < 2 * small + 10


def test_a_word_samples_read_as_one_row_is_the_row_by_row_read(store: SQLiteStore) -> None:
    """SQLite reads a word search's sample as one row of text (`_newest_sample`, to spare Python's sqlite3
    thousands of GIL hand-offs), ranked in the database with only the best read with their rank; its rowids,
    order, best and their ranks are those the rows give, ties by rowid (fictional texts; every 21st the
    same, so that ranks tie)."""
    run = store.begin_run("test")
    for number in range(30):
        text = "Holm spoke in Velmora. " + "The harbour talks went on. " * (number % 7) + "Holm left." * (number % 3)
        store.save_article(_article(f"a{number}", text=text), [], run)
    cases = (("holm", 5, 25), ("holm", None, 25), ("harbour", 100, 1000), ("harbour", 9, 1000), ("nobody", 5, 5))
    for words, best, cap in cases:
        score = f", {store._RANK} AS score" if best else ""
        sql = (
            f"SELECT rowid AS row_key{score} FROM articles_fts WHERE articles_fts MATCH ? "
            f"ORDER BY articles_fts.rowid DESC LIMIT {cap}"
        )
        one_row = store._newest_sample(sql, [words], best)
        row_by_row = SQLStore._newest_sample(store, sql, [words], best)
        assert one_row == row_by_row
        assert len(one_row[0]) == {"holm": 25, "harbour": 25, "nobody": 0}[words]
        if best:
            every = sorted((row["score"], row["row_key"]) for row in store.connection.execute(sql, [words]))
            assert one_row[1] == tuple(every[:best])
            assert not every or len({rank for rank, _ in every}) < len(every)  # ties, ordered by rowid
