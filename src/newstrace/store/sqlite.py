"""The default store: one SQLite file in WAL mode, with foreign keys, FTS5 and numbered migrations."""

from __future__ import annotations

import mmap
import os
import re
import sqlite3
import time
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from itertools import starmap
from pathlib import Path
from typing import Any

from newstrace.store.base import MATCH_END, MATCH_START, ListFilters, SearchFilters, StoreError
from newstrace.store.columns import FacetColumns, columns_of, read_soon, settled
from newstrace.store.query import SearchQuery, Term
from newstrace.store.sql import (
    FETCH_ROWS,
    Narrowing,
    RecordT,
    SearchRelation,
    SQLStore,
    day_after,
    matched_by_id,
    migration_scripts,
)

_MIGRATION_NAME = re.compile(r"^(\d{4})_\w+\.sql$")
_FACET_TOKEN = re.compile(r"[ol][0-9a-f]*")  # the tokens of the text index's `facets` column (schema 19)


# SQLite's own page cache per connection (its default is 2 MB). Linking writes into indexes spread over
# a large file; with the default, inserts at 100k articles keep re-reading index pages.
PAGE_CACHE_KIB = 131072
_STEPS_BETWEEN_CLOCK_CHECKS = 10_000  # about a millisecond of work between two looks at the clock
# A read-only store maps the file into memory (up to this size; SQLite caps it at its build's limit,
# 2 GB for Debian's) and reads its pages there instead of copying each into its own cache through a
# system call: the web server's threads share the pages the system caches, and a search on a million
# articles took 15-25 % less time.
READ_MAP_BYTES = 1 << 40


class SQLiteStore(SQLStore):
    """`Store` over a SQLite file; `readonly=True` opens an existing database without write access.

    A writable store brings an older schema up to date (the migrations run under one write lock, so
    two processes opening a new database at once wait for each other). A read-only store never
    changes the file: it refuses a missing file, and a schema older or newer than this newstrace's.
    """

    # the index's third column (an article's outlet and language, schema 19) weighs nothing in the rank
    _RANK = "bm25(articles_fts, 1.0, 1.0, 0.0)"
    _TEXT_CONDITION = "articles_fts MATCH ?"
    _SEARCH_ERRORS = (sqlite3.OperationalError,)
    _ARTICLES_FIRST = "CROSS JOIN"
    _TEXT_INDEXED_FILTERS = ("outlet", "language")
    _FACET_KEYS = True
    _NUMBERED_KEY_CHANGES = True

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        super().__init__(str(Path(path)))
        self.path = Path(path)
        self._stopped = False  # set by the progress handler when a time limit stopped a statement
        self._wal_index: _WalIndex | None = None  # the log index's head, mapped (data_version)
        self.connection = self._connect(readonly)
        self._open_schema(readonly)

    def _connect(self, readonly: bool) -> sqlite3.Connection:
        if readonly and not self.path.exists():
            raise StoreError(no_such_database(self.path))
        try:
            connection = sqlite3.connect(
                database_uri(self.path, readonly=readonly), uri=True, isolation_level=None, check_same_thread=False
            )
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA busy_timeout = 10000")
            connection.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
            if readonly:
                connection.execute(f"PRAGMA mmap_size = {READ_MAP_BYTES}")
            else:
                _use_write_ahead_log(connection)
                connection.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as error:
            raise storage_error(self.path, error) from error
        return connection

    # -- schema -------------------------------------------------------------------------------------

    def _migrations(self) -> list[tuple[int, str]]:
        return _migrations()

    def schema_version(self) -> int:
        try:
            return int(self.connection.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.Error as error:
            raise storage_error(self.path, error) from error

    def _apply_migration(self, number: int, script: str) -> None:
        try:
            _run_script(self.connection, script, f"migration {number:04d}")
        except _MigrationFailed as failure:
            raise StoreError(f"{self.where}: {failure.step} failed ({failure.__cause__})") from failure.__cause__

    def _record_schema(self, version: int) -> None:
        self.connection.execute(f"PRAGMA user_version = {version}")

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write transaction, taken with the write lock; a SQLite failure (a full disk, a read-only
        file) becomes a StoreError that says so, after the transaction is rolled back."""
        try:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield
                self.connection.execute("COMMIT")
            except BaseException:
                if self.connection.in_transaction:
                    self.connection.execute("ROLLBACK")
                raise
        except sqlite3.Error as error:
            raise storage_error(self.path, error) from error

    # -- the dialect ----------------------------------------------------------------------------------

    def _execute(self, sql: str, parameters: Sequence[object] = ()) -> sqlite3.Cursor:
        return self.connection.execute(sql, parameters)

    def _value_rows(self, sql: str, parameters: Sequence[object] = ()) -> sqlite3.Cursor:
        # plain tuples: a sqlite3.Row per row, iterated for its values, took a sixth of reading a word's
        # first 1,000 matches
        cursor = self.connection.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, parameters)

    def _executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        self.connection.executemany(sql, rows)

    def _upsert(self, table: str, columns: Sequence[str], *, replace: bool) -> str:
        quoted = ", ".join(f'"{name}"' for name in columns)
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
        return f"{verb} INTO {table} ({quoted}) VALUES ({', '.join('?' * len(columns))})"

    def _article_changed(self, article_id: str) -> None:
        """Nothing to do: the FTS5 index follows its table through triggers."""

    def _week_start(self, day: str) -> str:
        return f"date({day}, 'weekday 0', '-6 days')"

    def _streamed(self, sql: str, parameters: Sequence[object]) -> Iterator[dict[str, object]]:
        return _batched_rows(self.connection.execute(sql, parameters))

    def _streamed_records(
        self, sql: str, parameters: Sequence[object], make: Callable[..., RecordT]
    ) -> Iterator[RecordT]:
        cursor = self.connection.cursor()
        cursor.row_factory = None  # plain tuples
        return _batched_records(cursor.execute(sql, parameters), make)

    # -- the index listings' own indexes (schema 29) ---------------------------------------------------

    def _index_narrowing(self, filters: ListFilters) -> Narrowing:
        """A listing's name words through the trigram index of its titles, names or texts, and the
        stories' dates (without an outlet, whose index leads) through the R*Tree of their spans, each only
        when it finds few rows
        (_INDEXED_ROWS_AT_MOST): a common word is met soon enough in the listing's own walk, which stops
        at a page and at the counting cap, where its thousands of index matches would all be looked up."""
        narrowing: list[tuple[str, Sequence[object]]] = []
        indexed = _WORD_INDEXES.get(filters.listing)
        words = trigram_query(filters.name or "")
        if filters.listing == "speakers" and not _as_in_json(filters.name or ""):
            words = ""  # the index holds the aliases as their JSON text, where such a word is written escaped
        if indexed and words and self._few_word_rows(indexed, words):
            index, _, rows = indexed
            narrowing.append((f"{rows} IN (SELECT rowid FROM {index} WHERE {index} MATCH ?)", (words,)))
        spans = _span_condition(filters) if filters.listing == "stories" and not filters.outlet else None
        if spans:
            meeting = f"SELECT story_rowid FROM stories_spans WHERE {spans[0]}"
            if self._scalar(f"SELECT count(*) FROM ({meeting} LIMIT {_INDEXED_ROWS_AT_MOST + 1})", spans[1]) <= (
                _INDEXED_ROWS_AT_MOST
            ):
                narrowing.append((f"s.rowid IN ({meeting})", spans[1]))
        return narrowing

    def _few_word_rows(self, indexed: tuple[str, str, str], words: str) -> bool:
        """Whether the rows holding `words` are at most _INDEXED_ROWS_AT_MOST, estimated from the first
        _WORD_PROBE of them (the index gives them in rowid order, one at a time: 5,000 matches of a word in
        three quarters of 453,000 utterances took 11 ms, all of them 0.4 s)."""
        index, table, _ = indexed
        probe = f"SELECT rowid FROM {index} WHERE {index} MATCH ? LIMIT {_WORD_PROBE}"
        found, last = self._execute(f"SELECT count(*), max(rowid) FROM ({probe})", (words,)).fetchone()
        if found < _WORD_PROBE:
            return True
        highest = int(self._scalar(f"SELECT max(rowid) FROM {table}"))
        return bool(found * highest / max(int(last), 1) <= _INDEXED_ROWS_AT_MOST)

    # -- search (FTS5) ------------------------------------------------------------------------------

    def _text_expression(self, query: SearchQuery) -> str:
        return fts_query(query)

    def _text_expression_of(self, filters: SearchFilters) -> str:
        # an outlet or a language is a token of the index's `facets` column: the words and it are one
        # intersection in the index (a common word in one outlet: 0.1-1 s asking each match's article
        # for its outlet, 1-8 ms so)
        tokens = [
            f"{kind}{value.encode().hex()}" for kind, value in (("o", filters.outlet), ("l", filters.language)) if value
        ]
        return " AND ".join([f"({fts_query(filters.query)})", *(f'facets : "{token}"' for token in tokens)])

    def _text_source(self, filters: SearchFilters) -> str:
        # CROSS JOIN keeps the text index first: with an outlet filter SQLite otherwise walked the
        # outlet's articles and asked the index about each (20 s for 30,000 articles)
        return "articles_fts CROSS JOIN articles a ON a.rowid = articles_fts.rowid"

    def _article_source(self, filters: SearchFilters) -> str:
        # matches named by id (a flag's or a speaker's articles) are looked up in the index on (id,
        # published) that holds their order too: SQLite chose the primary key's and read each article
        # for its date (a flag's newest 1,000 of 30,000 articles: 150 ms; so, 70 ms)
        return "articles a INDEXED BY articles_by_id_published" if matched_by_id(filters) else "articles a"

    def _capped_count_relation(self, filters: SearchFilters, relation: SearchRelation) -> tuple[str, str]:
        # words with a story: the text index gives its rowids, each asked of the covering index on
        # (story, rowid) rather than read from the article (a common word in one outlet of a million
        # articles, when outlets were asked so: 320 ms to count to 10,000 by the articles, 180 ms so;
        # an outlet is now a token of the text index, schema 19)
        if not relation.expression or not filters.story_id:
            return relation.source, relation.where
        matched = f"a.rowid IN (SELECT rowid FROM articles_fts WHERE {self._TEXT_CONDITION})"
        return "articles a", relation.where.replace(self._TEXT_CONDITION, matched, 1)

    def _keyed_source(self, relation: SearchRelation) -> str | None:
        if not relation.words_only:
            return None
        return "articles_fts CROSS JOIN article_facet_keys a ON a.rowid = articles_fts.rowid"

    def _newest_keyed_source(self, relation: SearchRelation) -> str | None:
        # the newest 1,000 of an outlet, a language or some days: their rowids and dates from the articles'
        # covering index, the rest from their facet keys, no article's row read (reading the articles'
        # rows, then the keys of the 1,000 by rowid, took 7 ms of CPU for an outlet; so, 3.4 ms)
        if relation.source != "articles a":
            return None
        return "articles a CROSS JOIN article_facet_keys k ON k.article_rowid = a.rowid"

    def _count_source(self, relation: SearchRelation) -> str:
        # with words and no other filter, the FTS index counts its matches without touching articles
        return "articles_fts" if relation.words_only else relation.source

    def _latest_first(self, source: str) -> str:
        # FTS5 gives its matches by rowid either way: descending when ordered by the index's own rowid (by
        # the article's joined to it, SQLite sorted every match); words with a story walk the covering index
        # on (story, rowid) backwards
        return " ORDER BY articles_fts.rowid DESC" if source.startswith("articles_fts") else " ORDER BY a.rowid DESC"

    def _newest_sample(
        self, sql: str, parameters: Sequence[Any], best: int | None
    ) -> tuple[tuple[int, ...], tuple[tuple[float, int], ...] | None]:
        # Read as one row of text: Python's sqlite3 gives up and takes back the GIL twice a row and once a
        # column, about 4,000 times for a 1,000-match sample, and under load each hand-off to another search
        # thread costs (cpu25: 630-685 hand-offs a search with six search threads). The text index gives the
        # sample by descending rowid and the rowids are unique, so sorting them again restores the order
        # whatever order group_concat joins them in. Ranked, the sample is ranked here and only the `best`
        # best come with their rank (printed with 17 digits, which read back exactly) to be sorted again:
        # reading every rank and sorting 1,000 in Python took 1.2-1.6 ms more a search at a million articles.
        if best is None:
            joined = next(iter(self._value_rows(f"SELECT group_concat(row_key), NULL FROM ({sql})", parameters)))
        else:
            joined = next(iter(self._value_rows(_RANKED_SAMPLE.format(sample=sql, best=int(best)), parameters)))
        if not joined[0]:
            return (), (() if best is not None else None)
        rowids = tuple(sorted(map(int, joined[0].split(",")), reverse=True))
        if best is None:
            return rowids, None
        pairs = (pair.split(" ") for pair in joined[1].split(","))
        return rowids, tuple(sorted((float(rank), int(rowid)) for rowid, rank in pairs))

    def _snippets(
        self, filters: SearchFilters, expression: str, rowids: list[int], *, in_sample: bool = False
    ) -> dict[int, str]:
        if not rowids:
            return {}
        marks = ", ".join("?" * len(rowids))
        # each `rowid = ?` seeks the word's list in every segment of the index, dearer the later the article
        # (20 of a word's 1,000 most recently stored at a million articles: 1.8-3.5 ms, 20 of its first
        # stored 1.1-1.3 ms); within a sample, the index walks the matches between the least and the
        # greatest once instead (at most the sample's 1,000: 0.5-0.8 ms), `+rowid` keeping the IN a filter
        within = f"rowid BETWEEN {min(rowids):d} AND {max(rowids):d} AND +rowid" if in_sample else "rowid"
        rows = self.connection.execute(
            f"SELECT rowid, snippet(articles_fts, 1, '{MATCH_START}', '{MATCH_END}', '…', 16) FROM articles_fts "
            f"WHERE articles_fts MATCH ? AND {within} IN ({marks})",
            (expression, *rowids),
        )
        return {rowid: snippet for rowid, snippet in rows}

    def _limit_query_time(self, seconds: float) -> None:
        """SQLite calls the progress handler every few thousand virtual-machine steps, and a true answer
        interrupts the statement. The statement then fails with an error that depends on where it
        stood ("interrupted", or an FTS5 table that "failed" to open), so the handler notes that it
        was the one that stopped it."""
        deadline = time.monotonic() + seconds
        self._stopped = False

        def past_deadline() -> bool:
            self._stopped = self._stopped or time.monotonic() > deadline
            return self._stopped

        self.connection.set_progress_handler(past_deadline, _STEPS_BETWEEN_CLOCK_CHECKS)

    def _stopped_by_time_limit(self, error: BaseException) -> bool:
        return self._stopped

    def _lift_query_time_limit(self) -> None:
        self.connection.set_progress_handler(None, 0)
        self._stopped = False

    def hold_facet_columns(self) -> None:
        super().hold_facet_columns()
        read_soon(self.path)

    def _facet_columns(self) -> FacetColumns | None:
        return columns_of(self.path, self.connection)

    def settle_facet_columns(self) -> None:
        if self._holds_columns():
            settled(self.path)

    def data_version(self) -> Hashable | None:
        """The head of the write-ahead log's index (the -shm file; it counts the log's commits and names
        its generation), which every commit changes; without a log, the time and size of the file. None
        when they cannot be read.

        Not `PRAGMA data_version`: that counts the commits one connection has seen since it opened, and
        the searches it keys are shared by every thread of the server, each with its own connection (a
        store opened after a write would give the number an older one gave before it). The index's head
        is read from a mapping of its first page, made the first time the file is found: two stats and a
        read of the files cost 30-150 µs (more on a busy machine), and the web server asks once a request
        and seven times more in a search; the mapping is read on every call, so that a commit is seen by
        the first call after it (`_WalIndex.head`)."""
        if not self._keeps_answers:
            return None
        if self._wal_index is not None:
            head = self._wal_index.head()
            if head is not None:
                return head
            self._wal_index = None
        try:
            files = tuple(_stat(Path(f"{self.path}{suffix}")) for suffix in ("", "-wal"))
            head = _head(Path(f"{self.path}-shm"))
        except OSError:
            return None
        if head is not None:
            self._wal_index = _WalIndex.mapped(Path(f"{self.path}-shm"))
            mapped = self._wal_index.head() if self._wal_index is not None else None
            if mapped is not None:
                return mapped  # as every later call gives it
        return files, head

    def close(self) -> None:
        if self._wal_index is not None:
            self._wal_index.close()
            self._wal_index = None
        self.connection.close()


_WAL_INDEX_HEAD = 48  # SQLite's wal-index header: its change counter, last frame, page count and salts


def _head(path: Path) -> bytes | None:
    """The start of a file (the wal-index header); None when it does not exist (no log)."""
    try:
        with path.open("rb") as file:
            return file.read(_WAL_INDEX_HEAD)
    except FileNotFoundError:
        return None


# How often a mapped log index is asked whether its file was removed (`_WalIndex.head`), in seconds.
WAL_INDEX_RECHECK_SECONDS = 1.0


class _WalIndex:
    """The head of a write-ahead log's index (`-shm`), read through a mapping of the file's first page."""

    def __init__(self, descriptor: int, mapping: mmap.mmap) -> None:
        self._descriptor = descriptor
        self._mapping = mapping
        self._checked = time.monotonic()  # when the file was last seen in place (mapped: now)

    @classmethod
    def mapped(cls, path: Path) -> _WalIndex | None:
        """The index at `path` mapped, or None when it cannot be (gone, or shorter than its head)."""
        try:
            descriptor = os.open(path, os.O_RDONLY)
        except OSError:
            return None
        try:
            return cls(descriptor, mmap.mmap(descriptor, _WAL_INDEX_HEAD, access=mmap.ACCESS_READ))
        except (OSError, ValueError):
            os.close(descriptor)
            return None

    def head(self) -> bytes | None:
        """The index's head as it is now; None (and the mapping closed) once the file is seen removed.

        The head is read from the mapping on every call: it is the memory SQLite itself writes at each
        commit, so that a commit is seen by the first call made after it. Whether the file was removed is
        asked (an `fstat`) at most once every WAL_INDEX_RECHECK_SECONDS: SQLite removes the file only when
        no connection has the database open (it must first take the index's exclusive lock, which each
        open connection's shared lock holds off), and the store that maps it keeps its own connection
        open, so the answer cannot change while the store asks. Asked on every call, the `fstat` gave up
        the GIL (to the lane's other read, or the event loop) eight times a search, for nothing."""
        now = time.monotonic()
        if now - self._checked >= WAL_INDEX_RECHECK_SECONDS:
            try:
                removed = os.fstat(self._descriptor).st_nlink == 0
            except OSError:
                removed = True
            if removed:
                self.close()
                return None
            self._checked = now
        return self._mapping[:_WAL_INDEX_HEAD]

    def close(self) -> None:
        if not self._mapping.closed:
            self._mapping.close()
            os.close(self._descriptor)


def no_such_database(path: str | Path) -> str:
    """What a command reading (or correcting) a database file that does not exist says."""
    return f"{path}: no such database (create it with `newstrace analyze ... --db {path}`)"


def _stat(path: Path) -> tuple[int, int] | None:
    """A file's modification time (ns) and size; None when it does not exist (no log yet)."""
    try:
        found = path.stat()
    except FileNotFoundError:
        return None
    return found.st_mtime_ns, found.st_size


def _batched_rows(cursor: sqlite3.Cursor) -> Iterator[dict[str, object]]:
    while batch := cursor.fetchmany(FETCH_ROWS):
        yield from (dict(row) for row in batch)


def _batched_records(cursor: sqlite3.Cursor, make: Callable[..., RecordT]) -> Iterator[RecordT]:
    while batch := cursor.fetchmany(FETCH_ROWS):
        yield from starmap(make, batch)


# Each listing whose name words a trigram index finds (schema 29): the index, its table, and the column of
# the listing's rows that is the index's rowid.
_WORD_INDEXES = {
    "stories": ("stories_title_trigrams", "stories", "s.rowid"),
    "speakers": ("speakers_name_trigrams", "speakers", "s.id"),
    "utterances": ("utterances_text_trigrams", "utterances", "u.rowid"),
}
# A listing is led through its index when that finds at most this many rows (`_index_narrowing`): at a
# million articles, a scan of the listing met 10,000 rows holding a word in 1.6 us a row read and a match
# from the index cost 3-4 us, so that a word found in more than about a tenth of the rows is cheaper walked.
_INDEXED_ROWS_AT_MOST = 40_000
_WORD_PROBE = 1000
_TRIGRAM = 3  # a trigram index finds no word shorter


def trigram_query(name: str) -> str:
    """The trigram index's query for a listing's name words (each word anywhere, in any case the index
    folds: a superset of LIKE's, which folds ASCII letters only); words shorter than three characters
    are left to the listing's LIKE. Empty when no word is long enough."""
    words = [word for word in name.split() if len(word) >= _TRIGRAM]
    return " AND ".join('"' + word.replace('"', '""') + '"' for word in words)


def _as_in_json(text: str) -> bool:
    """Whether `text` reads the same inside JSON text as `json.dumps` writes it (the speakers' aliases in
    their trigram index): printable ASCII without a double quote or a backslash, which it escapes."""
    return all(" " <= character <= "~" and character not in '"\\' for character in text)


def _span_condition(filters: ListFilters) -> tuple[str, tuple[str, ...]] | None:
    """The R*Tree condition of the stories whose span can meet the listing's dates (schema 29: a story
    kept by `last_seen >= from AND first_seen <= to` has a span of days that meets theirs), when each date
    given is a day (YYYY-MM-DD); None otherwise (a month or a year compares as text only)."""
    conditions: list[str] = []
    days: list[str] = []
    for day, condition in ((filters.date_from, "last_day >= "), (filters.date_to, "first_day <= ")):
        if day and day_after(day) is None:
            return None
        if day:
            conditions.append(condition + "CAST(julianday(?) AS INTEGER)")
            days.append(day)
    return (" AND ".join(conditions), tuple(days)) if conditions else None


# A word search's sample (a statement reading `row_key` and `score`) as one row: every rowid, and the `best`
# best ranked (the smallest score, ties by rowid) as "rowid rank" pairs, ranked once (MATERIALIZED: the
# sample is read once, its ranks computed once)
_RANKED_SAMPLE = (
    "WITH sample AS MATERIALIZED ({sample}) SELECT group_concat(row_key), "
    "(SELECT group_concat(row_key || ' ' || printf('%!.17g', score)) FROM "
    "(SELECT row_key, score FROM sample ORDER BY score, row_key LIMIT {best})) FROM sample"
)


def fts_query(query: SearchQuery) -> str:
    """The query in FTS5's syntax: each term a quoted string (a phrase when it holds several words,
    `*` after it for a prefix), OR within a clause, AND between clauses, NOT before each excluded term.
    The words are letters and digits only, so nothing in them is read as FTS5 syntax."""
    required = " AND ".join(
        _fts_term(clause[0]) if len(clause) == 1 else "(" + " OR ".join(map(_fts_term, clause)) + ")"
        for clause in query.required
    )
    return "".join([f"({required})", *(f" NOT {_fts_term(term)}" for term in query.excluded)])


def _fts_term(term: Term) -> str:
    phrase = '"' + " ".join(term.words) + '"' + ("*" if term.prefix else "")
    # a term that could be an outlet's or a language's token (`o576972652e`, `l656e`, `o*`) is asked of
    # the title and text only, so that no search finds an article by its outlet's token
    could_be_facet = all(_FACET_TOKEN.fullmatch(word) for word in term.words)
    return f"{{title text}} : {phrase}" if could_be_facet else phrase


def _migrations() -> list[tuple[int, str]]:
    return migration_scripts("newstrace.store.migrations.sqlite", _MIGRATION_NAME)


class _MigrationFailed(Exception):
    """A statement of a migration failed; `__cause__` is SQLite's error."""

    def __init__(self, step: str) -> None:
        super().__init__(step)
        self.step = step


def _run_script(db: sqlite3.Connection, script: str, step: str) -> None:
    """Run a migration's statements one by one inside the caller's transaction (`executescript` would
    commit it first). SQLite's own `complete_statement` decides where a statement ends."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if not sqlite3.complete_statement(pending):
            continue
        statement, pending = pending, ""
        try:
            db.execute(statement)
        except sqlite3.Error as error:
            raise _MigrationFailed(step) from error


def database_uri(path: Path, *, readonly: bool) -> str:
    """The SQLite URI of a file path, every special character (`#`, `?`, `%`) quoted: read-only opens
    (`mode=ro`) can never create a file, writable ones create it when it is missing."""
    return f"{path.absolute().as_uri()}?mode={'ro' if readonly else 'rwc'}"


_FULL, _READONLY, _BUSY, _NOT_A_DATABASE, _CANNOT_OPEN = 13, 8, 5, 26, 14


def storage_error(path: Path | str, error: sqlite3.Error) -> StoreError:
    """A SQLite failure as one sentence a user can act on, naming the database."""
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF  # the primary code, without the extended bits
    reasons = {
        _FULL: "the disk is full (or the database reached its size limit); the unfinished transaction was rolled "
        "back and everything stored before it is kept: free some space and run the same command again to resume",
        _READONLY: "the database cannot be written (the file or its folder is read-only); this command needs "
        "write access, while read commands (search, export, stories, trail, compare, serve) do not",
        _BUSY: "another process holds the database's write lock; wait for it to finish and try again",
        _NOT_A_DATABASE: "not a newstrace database (not even a SQLite file)",
        _CANNOT_OPEN: "cannot open the file (does its folder exist, and may it be read?)",
    }
    return StoreError(f"{path}: {reasons.get(code, f'database error: {error}')}")


def _use_write_ahead_log(connection: sqlite3.Connection, wait_seconds: float = 10.0) -> None:
    """Switch a new database to WAL. SQLite answers "locked" at once, without its busy timeout, while
    another process migrates the same new file; so this waits for that process the way every write does."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
