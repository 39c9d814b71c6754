"""The PostgreSQL store (`--db postgresql://…`): the shared SQL of `store.sql` over psycopg 3.

Differences from SQLite a user may see:
- Full-text search uses a `tsvector` column with a GIN index. The store fills it with its own
  tokenizer (Unicode letters and digits, lower case, Latin letters without accents: what SQLite's
  FTS5 `unicode61` tokenizer does), so a search finds the same articles; the ranking is PostgreSQL's
  `ts_rank`, not FTS5's bm25, so the order of hits may differ. A search (`store.query`) becomes a
  tsquery here and an FTS5 query on SQLite; both find the same articles.
- Writes take one transaction-level advisory lock, so two processes writing the same database (two
  `newstrace analyze` runs) take turns as they do on a SQLite file; reads never wait.
- A batch of analysed articles is written by COPY into temporary staging tables, then moved in with
  one `INSERT … SELECT … ON CONFLICT` per table (`save_articles`); the other writes are pipelined.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from functools import lru_cache
from types import ModuleType
from typing import Any, ClassVar

from newstrace.records import Article
from newstrace.store.base import MATCH_END, MATCH_START, AnalysedArticle, SearchFilters, StoreError
from newstrace.store.query import SearchQuery, Term, search_words
from newstrace.store.sql import (
    FETCH_ROWS,
    PRIMARY_KEYS,
    STAGE_RUN_COLUMNS,
    STAGE_TABLES,
    STALE,
    RecordT,
    SQLStore,
    check_stage_table,
    migration_scripts,
    stage_row_values,
    stage_run_row,
)

URL_SCHEMES = ("postgres://", "postgresql://")
_MIGRATION_NAME = re.compile(r"^(\d{4})_\w+\.sql$")
_WRITE_LOCK = 0x6E657773  # the advisory lock every write transaction holds ("news")
_HIDDEN_COLUMNS = frozenset({"rowid", "search_vector"})  # PostgreSQL-only columns, never returned
_MAX_POSITION = 16383  # the largest word position a tsvector holds
_MAX_LEXEME_BYTES = 2046
_MAX_VECTOR_CHARS = 900_000  # a tsvector is at most 1 MB; longer ones keep their words without positions
_QUERY_SQL = "CAST(? AS tsquery)"  # the query's text, built by `tsquery`, is a parameter
_HEADLINE = (
    f"StartSel={MATCH_START}, StopSel={MATCH_END}, MaxWords=16, MinWords=6, ShortWord=0, MaxFragments=1, "
    "FragmentDelimiter=…"
)
# SQLite constructs in the shared SQL and their PostgreSQL forms, applied in order (see `translate`).
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"%"), "%%"),
    (re.compile(r"([\w.]+) = \? COLLATE NOCASE"), r'lower(\1) = lower(? COLLATE "C")'),
    (re.compile(r"([\w.]+) COLLATE NOCASE"), r"lower(\1)"),
    (re.compile(r" LIKE "), " ILIKE "),
    (re.compile(r"json_each\(([\w.]+)\)"), r"json_array_elements_text(\1::json) AS json_each(value)"),
    (re.compile(r"json_array_length\(([\w.]+)\)"), r"json_array_length(\1::json)"),
    (re.compile(r"\?"), "%s"),
)


def is_postgres_url(location: object) -> bool:
    return str(location).startswith(URL_SCHEMES)


def _psycopg() -> ModuleType:
    try:
        import psycopg
    except ImportError as error:
        raise StoreError(
            "a postgresql:// database needs psycopg 3, which is not installed: pip install 'newstrace[postgres]'"
        ) from error
    return psycopg


@lru_cache(maxsize=1024)
def translate(sql: str) -> str:
    """A statement of the shared SQL (SQLite's dialect, `?` placeholders) in PostgreSQL's: `%s`
    placeholders, ASCII case folding with lower() (the columns sort and compare as "C", and so does
    the value they are compared with, so lower() folds ASCII only, like NOCASE), ILIKE for SQLite's
    case-blind LIKE, and JSON functions over text."""
    for pattern, replacement in _REWRITES:
        sql = pattern.sub(replacement, sql)
    return sql


def search_vector(title: str | None, text: str) -> str:
    """The tsvector (in its text form) of an article: the title's words, then, one position apart so
    no phrase spans both, the text's."""
    positions: dict[str, list[int]] = {}
    for position, word in enumerate([*search_words(title or ""), "", *search_words(text)], start=1):
        if word and len(word.encode()) <= _MAX_LEXEME_BYTES:
            found = positions.setdefault(word, [])
            clamped = min(position, _MAX_POSITION)
            if not found or found[-1] != clamped:
                found.append(clamped)
    vector = " ".join(f"'{word}':{','.join(map(str, spots))}" for word, spots in positions.items())
    if len(vector) > _MAX_VECTOR_CHARS:
        vector = " ".join(f"'{word}'" for word in positions)
    return vector


def tsquery(query: SearchQuery) -> str:
    """The query as a tsquery's text: each term its words joined by <-> (followed by), the last with
    :* for a prefix; | within a clause, & between clauses, & ! before each excluded term. Each word is
    a quoted lexeme, so no character of what the user typed is read as tsquery syntax."""
    clauses = ["(" + " | ".join(map(_tsquery_term, clause)) + ")" for clause in query.required]
    return " & ".join([*clauses, *(f"!{_tsquery_term(term)}" for term in query.excluded)])


def _tsquery_term(term: Term) -> str:
    lexemes = ["'" + word.replace("\\", "\\\\").replace("'", "''") + "'" for word in term.words]
    if term.prefix:
        lexemes[-1] += ":*"
    return "(" + " <-> ".join(lexemes) + ")"


def display_url(url: str) -> str:
    """The URL without its password, to name the database in messages."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1@", url)


class _Row(dict[str, Any]):
    """A result row: a mapping of column names that also answers `row[0]`, like SQLite's rows."""

    def __getitem__(self, key: str | int) -> Any:
        if isinstance(key, int):
            return list(self.values())[key]
        return super().__getitem__(key)


def _row_factory(cursor: Any) -> Callable[[Sequence[Any]], _Row]:
    names = [column.name for column in cursor.description or ()]

    def make(values: Sequence[Any]) -> _Row:
        return _Row((name, value) for name, value in zip(names, values, strict=True) if name not in _HIDDEN_COLUMNS)

    return make


class PostgresStore(SQLStore):
    """`Store` over a PostgreSQL database (its tables go in the first schema of the search path).

    A writable store creates or upgrades the schema (under the write lock, so two processes starting
    on a new database wait for each other); a read-only store sets its session read-only and refuses
    a database with an older, newer or no newstrace schema."""

    _RANK = "-ts_rank(a.search_vector, search.query)"
    _TEXT_CONDITION = "a.search_vector @@ search.query"
    _SEARCH_ERRORS: tuple[type[Exception], ...] = ()  # the queries are built here: they always parse
    _ROWID_ALIASES: ClassVar[dict[str, str]] = {"entities": "id", "problems": "id", "runs": "id"}
    _FACET_KEYS = True

    def __init__(self, url: str, *, readonly: bool = False) -> None:
        super().__init__(display_url(url))
        self.url = url
        self._psycopg = _psycopg()
        self._cursor_numbers = itertools.count(1)
        self._staged_columns: dict[str, tuple[str, ...]] = {}  # table -> the columns its staging table has
        try:
            self.connection = self._psycopg.connect(url, autocommit=True, row_factory=_row_factory)
        except self._psycopg.Error as error:
            raise StoreError(f"{self.where}: cannot connect ({str(error).strip()})") from error
        if readonly:
            self._execute("SET default_transaction_read_only = on")
        self._pipelined = False  # a migration is a script of many statements, which a pipeline refuses
        self._open_schema(readonly)
        self._pipelined = True

    # -- schema -------------------------------------------------------------------------------------

    def _migrations(self) -> list[tuple[int, str]]:
        return _migrations()

    def schema_version(self) -> int:
        if self._scalar("SELECT to_regclass('newstrace_schema')") is None:
            return 0
        return int(self._scalar("SELECT version FROM newstrace_schema"))

    def _apply_migration(self, number: int, script: str) -> None:
        try:
            self.connection.execute(script)
        except self._psycopg.Error as error:
            raise StoreError(f"{self.where}: migration {number:04d} failed ({error})") from error

    def _record_schema(self, version: int) -> None:
        self._execute("UPDATE newstrace_schema SET version = ?", (version,))

    # -- the dialect ----------------------------------------------------------------------------------

    def _error(self, error: Exception) -> StoreError:
        return StoreError(f"{self.where}: database error: {str(error).strip()}")

    def _execute(self, sql: str, parameters: Sequence[object] = ()) -> Any:
        try:
            return self.connection.execute(translate(sql), parameters)
        except self._psycopg.Error as error:
            raise self._error(error) from error

    def _executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None:
        if not rows:
            return
        try:
            with self.connection.cursor() as cursor:
                cursor.executemany(translate(sql), rows)
        except self._psycopg.Error as error:
            raise self._error(error) from error

    def _transaction(self) -> AbstractContextManager[None]:
        """One write transaction holding the database's write lock; rolled back on any failure.

        Its statements go in pipeline mode: each is sent without waiting for the one before to answer,
        and the driver waits only where it reads a result and at the commit. A write of some seventy
        statements with one round trip each kept the driver waiting on the server (and the server
        switching in and out on cores the workers need). The articles of a batch are written by COPY
        instead (`save_articles`), which a pipeline cannot run."""
        return self._locked_transaction(pipelined=self._pipelined)

    @contextmanager
    def _locked_transaction(self, *, pipelined: bool) -> Iterator[None]:
        try:
            with self.connection.pipeline() if pipelined else nullcontext(), self.connection.transaction():
                self.connection.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))
                yield
        except self._psycopg.Error as error:
            raise self._error(error) from error

    # -- a batch of analysed articles, by COPY ----------------------------------------------------------

    def save_articles(self, batch: Sequence[AnalysedArticle], run_id: int) -> None:
        """The batch in one transaction, each table's rows sent by COPY into a staging table (temporary,
        emptied at every commit) and moved from there by one `INSERT … SELECT … ON CONFLICT`, in the
        order they came: a new article is added, a stored one kept; the stage rows of every article a
        stage wrote are deleted, then written again. A retried batch therefore leaves the rows it left
        the first time, and a second process writing the same articles (it waits for the write lock)
        neither fails on a key nor doubles a row."""
        if not batch:
            return
        tables = _staged_tables(batch)
        articles = [self._article_values(item.article, run_id) for item in batch]
        self._prepare_staging("articles", tuple(articles[0]))
        for table, (names, _, _) in tables.items():
            if names:  # no article of the batch has a row for it: nothing to stage
                self._prepare_staging(table, names)
        self._prepare_staging("stage_runs", STAGE_RUN_COLUMNS)
        with self._locked_transaction(pipelined=False):
            self._copy_rows("articles", tuple(articles[0]), [tuple(row.values()) for row in articles])
            for table, (names, article_ids, rows) in tables.items():
                self._execute(f"DELETE FROM {table} WHERE article_id = ANY(?)", (article_ids,))
                self._copy_rows(table, names, rows)
            runs = [stage_run_row(item.article.id, output) for item in batch for output in item.outputs]
            self._copy_rows("stage_runs", STAGE_RUN_COLUMNS, runs, replace=True)
            self._mark_batch_stale(batch)

    def _prepare_staging(self, table: str, names: tuple[str, ...]) -> None:
        """The session's staging table of `table` for these columns (created once, outside any write
        transaction so a rolled-back write does not take it along), with `staged_order` first."""
        if self._staged_columns.get(table) == names:
            return
        staging = _staging_name(table)
        quoted = ", ".join(f'"{name}"' for name in names)
        self._execute(f"DROP TABLE IF EXISTS {staging}")
        self._execute(
            f"CREATE TEMPORARY TABLE {staging} ON COMMIT DELETE ROWS AS "
            f"SELECT CAST(0 AS bigint) AS staged_order, {quoted} FROM {table} WITH NO DATA"
        )
        self._staged_columns[table] = names

    def _copy_rows(
        self, table: str, names: tuple[str, ...], rows: Sequence[Sequence[object]], *, replace: bool = False
    ) -> None:
        """Send `rows` to `table`'s staging table by COPY, then insert them in order; a row whose key is
        stored already is kept, or with `replace` updated to the new values."""
        if not rows:
            return
        quoted = ", ".join(f'"{name}"' for name in names)
        staging = _staging_name(table)
        with (
            self.connection.cursor() as cursor,
            cursor.copy(f"COPY {staging} (staged_order, {quoted}) FROM STDIN") as copy,
        ):
            for order, row in enumerate(rows):
                copy.write_row((order, *row))
        self._execute(
            f"INSERT INTO {table} ({quoted}) SELECT {quoted} FROM {staging} ORDER BY staged_order "
            + _on_conflict(table, names, replace=replace)
        )

    def _mark_batch_stale(self, batch: Sequence[AnalysedArticle]) -> None:
        """One UPDATE per set of stale stages (a batch mostly has one) rather than one per article."""
        by_stages: dict[tuple[str, ...], list[str]] = {}
        for item in batch:
            if item.stale:
                by_stages.setdefault(item.stale, []).append(item.article.id)
        for stages, article_ids in by_stages.items():
            self._execute(
                "UPDATE stage_runs SET status = ? WHERE article_id = ANY(?) AND stage = ANY(?)",
                (STALE, article_ids, list(stages)),
            )

    def _upsert(self, table: str, columns: Sequence[str], *, replace: bool) -> str:
        quoted = ", ".join(f'"{name}"' for name in columns)
        return f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' * len(columns))}) " + _on_conflict(
            table, columns, replace=replace
        )

    def _week_start(self, day: str) -> str:
        return f"to_char(date_trunc('week', CAST({day} AS date)), 'YYYY-MM-DD')"

    def _streamed(self, sql: str, parameters: Sequence[object]) -> Iterator[dict[str, object]]:
        return _batches(self._held_cursor(sql, parameters), dict)

    def _streamed_records(
        self, sql: str, parameters: Sequence[object], make: Callable[..., RecordT]
    ) -> Iterator[RecordT]:
        return _batches(self._held_cursor(sql, parameters), lambda row: make(*row.values()))

    def _held_cursor(self, sql: str, parameters: Sequence[object]) -> Any:
        """A cursor over `sql` declared WITH HOLD: it outlives the statement's transaction, so other queries
        may run on the connection while the caller reads it."""
        cursor = self.connection.cursor(name=f"newstrace_{next(self._cursor_numbers)}", withhold=True)
        try:
            cursor.execute(translate(sql), parameters)
        except self._psycopg.Error as error:
            cursor.close()
            raise self._error(error) from error
        return cursor

    def _article_columns(self, article: Article) -> dict[str, object]:
        return {"search_vector": search_vector(article.title, article.text)}

    def _article_changed(self, article_id: str) -> None:
        row = self._one("SELECT title, text FROM articles WHERE id = ?", (article_id,))
        if row:
            vector = search_vector(row["title"], str(row["text"]))  # type: ignore[arg-type]
            self._execute("UPDATE articles SET search_vector = CAST(? AS tsvector) WHERE id = ?", (vector, article_id))

    # -- search (tsvector) ----------------------------------------------------------------------------

    def _text_expression(self, query: SearchQuery) -> str:
        return tsquery(query)

    def _text_source(self, filters: SearchFilters) -> str:
        return f"articles a CROSS JOIN (SELECT {_QUERY_SQL} AS query) AS search"

    def _snippets(
        self, filters: SearchFilters, expression: str, rowids: list[int], *, in_sample: bool = False
    ) -> dict[int, str]:
        if not rowids:
            return {}
        rows = self._execute(
            f"SELECT a.rowid AS row_key, ts_headline('simple', a.text, {_QUERY_SQL}, '{_HEADLINE}') "
            f"AS snippet FROM articles a WHERE a.rowid IN ({', '.join('?' * len(rowids))})",
            (expression, *rowids),
        )
        return {row["row_key"]: row["snippet"] for row in rows}

    def _limit_query_time(self, seconds: float) -> None:
        self._execute(f"SET statement_timeout = {max(1, round(seconds * 1000))}")  # milliseconds

    def _stopped_by_time_limit(self, error: BaseException) -> bool:
        """PostgreSQL cancels a statement past `statement_timeout` with QueryCanceled, which the store
        or its caller may have wrapped: look down the chain of causes."""
        cause: BaseException | None = error
        while cause is not None:
            if isinstance(cause, self._psycopg.errors.QueryCanceled):
                return True
            cause = cause.__cause__ or cause.__context__
        return False

    def _lift_query_time_limit(self) -> None:
        self._execute("SET statement_timeout = 0")

    def close(self) -> None:
        self.connection.close()


def _staging_name(table: str) -> str:
    return f"pg_temp.newstrace_staged_{table}"


StagedRows = tuple[tuple[str, ...], list[str], list[tuple[object, ...]]]


def _staged_tables(batch: Sequence[AnalysedArticle]) -> dict[str, StagedRows]:
    """Per stage table a batch writes: its columns, the articles whose rows it replaces (those with no
    rows too) and the new rows, in the batch's order. An unknown table stops the write before it starts."""
    article_ids: dict[str, list[str]] = {}
    records: dict[str, list[object]] = {}
    for item in batch:
        for output in item.outputs:
            for table, rows in output.rows.items():
                check_stage_table(output, table)
                article_ids.setdefault(table, []).append(item.article.id)
                records.setdefault(table, []).extend(rows)
    staged: dict[str, StagedRows] = {}
    for table in STAGE_TABLES:
        if table in article_ids:
            names, values = stage_row_values(records[table]) if records[table] else ((), [])
            staged[table] = (names, article_ids[table], values)
    return staged


def _on_conflict(table: str, columns: Sequence[str], *, replace: bool) -> str:
    """What an insert does with a row whose key is stored already: keep the stored row, or (`replace`)
    update its other columns to the new values."""
    keys = PRIMARY_KEYS.get(table, ())
    updates = [f'"{name}" = excluded."{name}"' for name in columns if name not in keys] if replace else []
    if not updates:
        return "ON CONFLICT DO NOTHING"
    return f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {', '.join(updates)}"


def _batches(cursor: Any, make: Callable[[Any], RecordT]) -> Iterator[RecordT]:
    try:
        while batch := cursor.fetchmany(FETCH_ROWS):
            yield from map(make, batch)
    finally:
        cursor.close()


def _migrations() -> list[tuple[int, str]]:
    return migration_scripts("newstrace.store.migrations.postgres", _MIGRATION_NAME)
