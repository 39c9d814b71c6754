"""The default store: one SQLite file in WAL mode, with foreign keys, FTS5 and numbered migrations."""

from __future__ import annotations

import json
import re
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, astuple, fields
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from newstrace.records import Article, IngestProblem, LinkBatch, LinkInput, RunSummary, Speaker, StageOutput, Story
from newstrace.store.base import (
    CHECKED_FLAGS,
    EXPORT_COLUMNS,
    LIST_FILTERS,
    LIST_ORDERS,
    FramingInput,
    FramingRow,
    LinkedArticle,
    LinkState,
    ListFilters,
    SearchFilters,
    SearchHit,
    SearchSyntaxError,
    StoreError,
    UrlHistory,
)

_MIGRATION_NAME = re.compile(r"^(\d{4})_\w+\.sql$")
_FTS_TOKEN = re.compile(r'"([^"]*)"|(\S+)')
_FTS_WORD = re.compile(r"\w+")
_FETCH_ROWS = 2000
_ORDER_BY = {
    "sentences": "article_id, start",
    "stage_runs": "article_id, stage",
    "speakers": "id",
    "stories": "first_seen IS NULL, first_seen, id",
    "story_links": "story_id, related_story_id",
    "reuse": "article_id, source_article_id, article_start",
    "duplicates": "duplicate_of, published IS NULL, published, id",
    "framing": "article_id, start, category",
    "utterances": "first_seen IS NULL, first_seen, id",
    "renderings": "utterance_id, quote_id",
}
# Tables exported through a view: speakers with their counts, duplicates as a filtered article list.
_RELATION = {"speakers": "speaker_stats", "duplicates": "duplicate_articles", "framing": "framing_export"}
_STAGE_TABLES = {"sentences", "entities", "quotes", "event_mentions"}
_LINK_FETCH_ROWS = 200
_COUNTED_TABLES = (
    "articles", "sentences", "entities", "quotes", "speakers", "stories", "reuse", "framing_markers",
    "problems", "runs",
)  # fmt: skip
_RECENT_MEMBERS = 8  # latest members per story kept as candidates for passage alignment


# SQLite's own page cache per connection (its default is 2 MB). Linking writes into indexes spread over
# a large file; with the default, inserts at 100k articles keep re-reading index pages.
PAGE_CACHE_KIB = 131072


def _sql_value(value: object) -> object:
    """A record field as SQLite stores it: tuples (offset pairs, lists of names) as JSON text."""
    return json.dumps(value) if isinstance(value, tuple) else value


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SQLiteStore:
    """`Store` over a SQLite file; `readonly=True` opens an existing database without write access.

    A writable store brings an older schema up to date (the migrations run under one write lock, so
    two processes opening a new database at once wait for each other). A read-only store never
    changes the file: it refuses a missing file, and a schema older or newer than this newstrace's.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self._insert_sql: dict[tuple[str, tuple[str, ...]], str] = {}
        self.connection = self._connect(readonly)
        try:
            if readonly:
                self.check_current()
            else:
                self._migrate()
        except BaseException:
            self.connection.close()
            raise

    def _connect(self, readonly: bool) -> sqlite3.Connection:
        if readonly and not self.path.exists():
            raise StoreError(f"{self.path}: no such database (create it with `newstrace analyze ... --db {self.path}`)")
        try:
            connection = sqlite3.connect(
                database_uri(self.path, readonly=readonly), uri=True, isolation_level=None, check_same_thread=False
            )
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA busy_timeout = 10000")
            connection.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
            if not readonly:
                _use_write_ahead_log(connection)
                connection.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as error:
            raise storage_error(self.path, error) from error
        return connection

    # -- schema -------------------------------------------------------------------------------------

    def check_current(self) -> None:
        """Raise StoreError unless the database has exactly this newstrace's schema."""
        latest = _migrations()[-1][0]
        version = self.schema_version()
        if version == 0:
            raise StoreError(f"{self.path}: not a newstrace database (it has none of newstrace's tables)")
        if version < latest:
            raise StoreError(
                f"{self.path}: made by an older newstrace (database schema {version}, this version's is {latest}). "
                "Read commands never change a database: upgrade it once by running `newstrace analyze` on your "
                f"inputs again with --db {self.path} (stored articles are kept and not analysed again)"
            )
        self._refuse_newer(version, latest)

    def _refuse_newer(self, version: int, latest: int) -> None:
        if version > latest:
            raise StoreError(
                f"{self.path}: made by a newer newstrace (database schema {version}, this version knows up to "
                f"{latest}): upgrade newstrace to use it"
            )

    def schema_version(self) -> int:
        try:
            return int(self.connection.execute("PRAGMA user_version").fetchone()[0])
        except sqlite3.Error as error:
            raise storage_error(self.path, error) from error

    def _migrate(self) -> None:
        """Apply the pending migrations in one transaction. The version is read again once the write
        lock is held: another process may have migrated the file while this one waited for it."""
        latest = _migrations()[-1][0]
        if self.schema_version() == latest:
            return
        try:
            with self._transaction() as db:
                current = self.schema_version()
                self._refuse_newer(current, latest)
                for number, sql in _migrations():
                    if number > current:
                        _run_script(db, sql, f"migration {number:04d}")
                db.execute(f"PRAGMA user_version = {latest}")
        except _MigrationFailed as failure:
            raise StoreError(f"{self.path}: {failure.step} failed ({failure.__cause__})") from failure.__cause__

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken with the write lock; a SQLite failure (a full disk, a read-only
        file) becomes a StoreError that says so, after the transaction is rolled back."""
        try:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield self.connection
                self.connection.execute("COMMIT")
            except BaseException:
                if self.connection.in_transaction:
                    self.connection.execute("ROLLBACK")
                raise
        except sqlite3.Error as error:
            raise storage_error(self.path, error) from error

    # -- runs and problems -----------------------------------------------------------------------------

    def begin_run(self, command: str) -> int:
        with self._transaction() as db:
            cursor = db.execute("INSERT INTO runs(started_at, command) VALUES (?, ?)", (_now(), command))
        return int(cursor.lastrowid or 0)

    def finish_run(self, run_id: int, summary: RunSummary) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, summary = ? WHERE id = ?",
                (_now(), json.dumps(summary.to_dict()), run_id),
            )

    def record_problem(self, run_id: int, problem: IngestProblem) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO problems(run_id, origin, reason) VALUES (?, ?, ?)",
                (run_id, problem.origin, problem.reason),
            )

    # -- speakers ---------------------------------------------------------------------------------------

    def speaker_mentions(self) -> list[tuple[str, str | None]]:
        rows = self.connection.execute("SELECT speaker, source_text FROM quotes WHERE speaker IS NOT NULL ORDER BY id")
        return [(row["speaker"], row["source_text"]) for row in rows]

    def save_speakers(self, speakers: Sequence[Speaker], canonical: dict[str, str]) -> None:
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO speakers(name, aliases, roles, kind) VALUES (?, ?, ?, ?) ON CONFLICT(name) "
                "DO UPDATE SET aliases = excluded.aliases, roles = excluded.roles, kind = excluded.kind",
                [(s.name, json.dumps(list(s.aliases)), json.dumps(list(s.roles)), s.kind) for s in speakers],
            )
            db.execute("UPDATE quotes SET speaker_id = NULL")
            db.executemany(
                "UPDATE quotes SET speaker_id = (SELECT id FROM speakers WHERE name = ?) WHERE speaker = ?",
                [(target, name) for name, target in canonical.items()],
            )
            db.execute(  # an utterance speaks with its canonical quote's speaker, as corrected
                "UPDATE utterances "
                "SET speaker_id = (SELECT q.speaker_id FROM quotes q WHERE q.id = canonical_quote_id), "
                "speaker = (SELECT s.name FROM quotes q JOIN speakers s ON s.id = q.speaker_id "
                "WHERE q.id = canonical_quote_id) "
                "WHERE (SELECT q.speaker_id FROM quotes q WHERE q.id = canonical_quote_id) IS NOT NULL"
            )
            db.execute(
                "DELETE FROM speakers WHERE id NOT IN (SELECT speaker_id FROM quotes WHERE speaker_id IS NOT NULL)"
            )

    def speaker_corrections(self) -> list[dict[str, object]]:
        rows = self.connection.execute("SELECT action, name, target, kind FROM speaker_corrections ORDER BY id")
        return [dict(row) for row in rows]

    def add_speaker_correction(self, action: str, name: str, target: str, kind: str | None = None) -> None:
        with self._transaction() as db:
            db.execute(
                "INSERT INTO speaker_corrections(action, name, target, kind, made_at) VALUES (?, ?, ?, ?, ?)",
                (action, name, target, kind, _now()),
            )

    # -- articles ---------------------------------------------------------------------------------------

    def stage_versions_of(self, article_id: str) -> dict[str, int] | None:
        exists = self.connection.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone()
        if not exists:
            return None
        rows = self.connection.execute("SELECT stage, version FROM stage_runs WHERE article_id = ?", (article_id,))
        return {row["stage"]: row["version"] for row in rows}

    def url_history(self, url: str) -> UrlHistory | None:
        row = self.connection.execute(
            "SELECT COALESCE(revision_of, id) AS root, revision FROM articles WHERE url = ? "
            "ORDER BY revision DESC LIMIT 1",
            (url,),
        ).fetchone()
        return UrlHistory(row["root"], row["revision"]) if row else None

    def save_article(self, article: Article, outputs: Sequence[StageOutput], run_id: int) -> None:
        with self._transaction() as db:
            self._insert_article(db, article, run_id)
            for output in outputs:
                self._replace_stage_rows(db, article.id, output)

    def _insert_article(self, db: sqlite3.Connection, article: Article, run_id: int) -> None:
        values = asdict(article)
        values["field_sources"] = json.dumps(article.field_sources, sort_keys=True)
        values["header_spans"] = json.dumps(article.header_spans)
        values["first_run_id"] = run_id
        columns = tuple(values)
        db.execute(
            f"INSERT OR IGNORE INTO articles ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            tuple(values.values()),
        )

    def _replace_stage_rows(self, db: sqlite3.Connection, article_id: str, output: StageOutput) -> None:
        for table, rows in output.rows.items():
            if table not in _STAGE_TABLES:
                raise StoreError(f"stage {output.stage} wrote to unknown table {table!r}")
            db.execute(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))
            if rows:
                names = tuple(field.name for field in fields(rows[0]))  # type: ignore[arg-type]
                values = [tuple(map(_sql_value, asdict(row).values())) for row in rows]  # type: ignore[call-overload]
                db.executemany(self._insert_statement(table, names), values)
        db.execute(
            "INSERT OR REPLACE INTO stage_runs(article_id, stage, version, status, finished_at) VALUES (?, ?, ?, ?, ?)",
            (article_id, output.stage, output.version, output.status, _now()),
        )
        if "quotes" in output.rows:  # framing reads the quotes: new quotes mean framing again
            db.execute("DELETE FROM stage_runs WHERE article_id = ? AND stage = 'framing'", (article_id,))

    def _insert_statement(self, table: str, names: tuple[str, ...]) -> str:
        key = (table, names)
        if key not in self._insert_sql:
            quoted = ", ".join(f'"{name}"' for name in names)
            self._insert_sql[key] = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' * len(names))})"
        return self._insert_sql[key]

    # -- links ----------------------------------------------------------------------------------------

    def articles_to_link(self, stage_version: int) -> Iterator[LinkInput]:
        # The ids are read first: linking writes to these rows while the caller iterates.
        ids = [
            row[0]
            for row in self.connection.execute(
                "SELECT a.id FROM articles a "
                "LEFT JOIN stage_runs s ON s.article_id = a.id AND s.stage = 'link' AND s.version = ? "
                "WHERE s.article_id IS NULL ORDER BY a.published IS NULL, a.published, a.id",
                (stage_version,),
            )
        ]
        for first in range(0, len(ids), _LINK_FETCH_ROWS):
            chunk = ids[first : first + _LINK_FETCH_ROWS]
            marks = ", ".join("?" * len(chunk))
            rows = {
                row["id"]: row
                for row in self.connection.execute(
                    f"SELECT id, text, title, outlet, published, revision_of FROM articles WHERE id IN ({marks})",
                    chunk,
                )
            }
            entities = self._entities_of(chunk)
            for article_id in chunk:
                row = rows[article_id]
                yield LinkInput(
                    article_id,
                    row["text"],
                    row["title"],
                    row["outlet"],
                    row["published"],
                    entities.get(article_id, ()),
                    row["revision_of"],
                )

    def count_articles_to_link(self, stage_version: int) -> int:
        row = self.connection.execute(
            "SELECT count(*) FROM articles a "
            "LEFT JOIN stage_runs s ON s.article_id = a.id AND s.stage = 'link' AND s.version = ? "
            "WHERE s.article_id IS NULL",
            (stage_version,),
        ).fetchone()
        return int(row[0])

    def _entities_of(self, article_ids: list[str]) -> dict[str, tuple[tuple[str, str], ...]]:
        found: dict[str, list[tuple[str, str]]] = {}
        marks = ", ".join("?" * len(article_ids))
        rows = self.connection.execute(
            f"SELECT article_id, label, text FROM entities WHERE article_id IN ({marks}) ORDER BY article_id, start",
            article_ids,
        )
        for row in rows:
            found.setdefault(row["article_id"], []).append((row["label"], row["text"]))
        return {article_id: tuple(pairs) for article_id, pairs in found.items()}

    def link_state(self) -> LinkState:
        db = self.connection
        stories = [
            Story(row["id"], row["title"], row["first_seen"], row["last_seen"], row["state"])
            for row in db.execute("SELECT id, title, first_seen, last_seen, state FROM stories ORDER BY rowid")
        ]
        frequencies: dict[str, dict[str, int]] = {"term": {}, "entity": {}}
        for row in db.execute("SELECT kind, key, df FROM link_frequencies"):
            frequencies[row["kind"]][row["key"]] = row["df"]
        signatures = [
            LinkedArticle(row["id"], row["minhash"], row["published"], row["duplicate_of"], row["story_id"])
            for row in db.execute(
                "SELECT a.id, g.minhash, a.published, a.duplicate_of, a.story_id FROM article_signatures g "
                "JOIN articles a ON a.id = g.article_id ORDER BY a.published IS NULL, a.published, a.id"
            )
        ]
        recent: dict[str, list[str]] = {}
        for row in db.execute(
            "SELECT story_id, id FROM (SELECT story_id, id, row_number() OVER "
            "(PARTITION BY story_id ORDER BY published DESC, id DESC) AS position "
            "FROM articles WHERE story_id IS NOT NULL) WHERE position <= ? ORDER BY story_id, position DESC",
            (_RECENT_MEMBERS,),
        ):
            recent.setdefault(row["story_id"], []).append(row["id"])
        versions = {row[0] for row in db.execute("SELECT DISTINCT version FROM stage_runs WHERE stage = 'link'")}
        return LinkState(stories, frequencies, signatures, recent, versions)

    def article_text(self, article_id: str) -> str | None:
        row = self.connection.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row["text"] if row else None

    def update_article_metadata(self, article_id: str, values: dict[str, str], field_sources: dict[str, str]) -> bool:
        names = [name for name in ("outlet", "published", "url", "title") if name in values]
        row = self.connection.execute(
            f"SELECT {', '.join(names)}, field_sources FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None or all(row[name] == values[name] for name in names):
            return False
        sources = {**json.loads(row["field_sources"] or "{}"), **field_sources}
        with self._transaction() as db:
            db.execute(
                f"UPDATE articles SET {', '.join(f'{name} = ?' for name in names)}, field_sources = ? WHERE id = ?",
                (*(values[name] for name in names), json.dumps(sources, sort_keys=True), article_id),
            )
        return True

    def save_links(self, batch: LinkBatch, stage_version: int) -> None:
        now = _now()
        with self._transaction() as db:
            for repoint in batch.repoints:
                db.execute(
                    "UPDATE articles SET duplicate_of = ? WHERE duplicate_of = ?",
                    (repoint.new_original, repoint.old_original),
                )
                db.execute(
                    "UPDATE articles SET duplicate_of = ?, duplicate_reason = ? WHERE id = ?",
                    (repoint.new_original, repoint.reason, repoint.old_original),
                )
            db.executemany(
                "UPDATE articles SET story_id = ?, duplicate_of = ?, duplicate_reason = ? WHERE id = ?",
                [(a.story_id, a.duplicate_of, a.duplicate_reason, a.article_id) for a in batch.articles],
            )
            db.executemany(
                "INSERT OR REPLACE INTO article_signatures(article_id, minhash) VALUES (?, ?)",
                [(a.article_id, a.signature) for a in batch.articles],
            )
            db.executemany(
                "INSERT INTO stories(id, title, first_seen, last_seen, n_articles, n_outlets, state) "
                "VALUES (?, ?, ?, ?, 0, 0, ?) ON CONFLICT(id) DO UPDATE SET title = excluded.title, "
                "first_seen = excluded.first_seen, last_seen = excluded.last_seen, state = excluded.state",
                [(s.id, s.title, s.first_seen, s.last_seen, s.state) for s in batch.stories],
            )
            db.executemany(
                "UPDATE stories SET n_articles = (SELECT count(*) FROM articles WHERE story_id = stories.id), "
                "n_outlets = (SELECT count(DISTINCT outlet) FROM articles WHERE story_id = stories.id) WHERE id = ?",
                [(s.id,) for s in batch.stories],
            )
            db.executemany(
                "INSERT OR REPLACE INTO story_links VALUES (?, ?, ?, ?, ?, ?)",
                [tuple(asdict(link).values()) for link in batch.story_links],
            )
            db.executemany(
                "INSERT OR REPLACE INTO reuse VALUES (?, ?, ?, ?, ?, ?, ?)",
                [tuple(asdict(passage).values()) for passage in batch.reuse],
            )
            db.executemany(
                "INSERT INTO link_frequencies(kind, key, df) VALUES (?, ?, ?) "
                "ON CONFLICT(kind, key) DO UPDATE SET df = excluded.df",
                batch.frequencies,
            )
            db.executemany(
                "INSERT OR REPLACE INTO stage_runs(article_id, stage, version, status, finished_at) "
                "VALUES (?, 'link', ?, 'done', ?)",
                [(a.article_id, stage_version, now) for a in batch.articles],
            )

    def reset_links(self) -> None:
        with self._transaction() as db:
            db.execute("UPDATE articles SET story_id = NULL, duplicate_of = NULL, duplicate_reason = NULL")
            for table in ("reuse", "story_links", "stories", "article_signatures", "link_frequencies"):
                db.execute(f"DELETE FROM {table}")
            db.execute("DELETE FROM stage_runs WHERE stage = 'link'")

    # -- framing --------------------------------------------------------------------------------------

    def articles_to_frame(self, status: str) -> Iterator[FramingInput]:
        ids = [
            row[0]
            for row in self.connection.execute(
                "SELECT a.id FROM articles a LEFT JOIN stage_runs s "
                "ON s.article_id = a.id AND s.stage = 'framing' AND s.status = ? "
                "WHERE s.article_id IS NULL ORDER BY a.id",
                (status,),
            )
        ]
        for article_id in ids:
            text = self.article_text(article_id) or ""
            quotes = tuple(
                (row["id"], row["name"], row["cue_text"], row["cue_start"], row["cue_end"])
                for row in self.connection.execute(
                    "SELECT q.id, COALESCE(s.name, q.speaker, q.source_text) AS name, q.cue_text, q.cue_start, "
                    "q.cue_end FROM quotes q LEFT JOIN speakers s ON s.id = q.speaker_id "
                    "WHERE q.article_id = ? ORDER BY q.cue_start",
                    (article_id,),
                )
            )
            yield FramingInput(article_id, text, quotes)

    def save_framing(self, rows: Sequence[tuple[str, Sequence[FramingRow]]], status: str) -> None:
        now = _now()
        with self._transaction() as db:
            for article_id, markers in rows:
                db.execute("DELETE FROM framing_markers WHERE article_id = ?", (article_id,))
                db.executemany(
                    'INSERT INTO framing_markers(article_id, marker, referent, category, text, start, "end", quote_id) '
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(article_id, *astuple(marker)) for marker in markers],
                )
                db.execute(
                    "INSERT OR REPLACE INTO stage_runs(article_id, stage, version, status, finished_at) "
                    "VALUES (?, 'framing', ?, ?, ?)",
                    (article_id, int(status.split(":")[0]), status, now),
                )

    # -- trails ---------------------------------------------------------------------------------------

    def trail_quotes(self, *, grouped: bool) -> list[dict[str, object]]:
        join = "JOIN" if grouped else "LEFT JOIN"
        where = "" if grouped else "WHERE r.quote_id IS NULL"
        rows = self.connection.execute(
            "SELECT q.id AS quote_id, q.article_id, a.outlet, a.published, a.story_id, a.duplicate_of, q.speaker_id, "
            "COALESCE(s.name, q.speaker) AS speaker, q.kind, q.content_text, q.content_fragments, "
            # the article's text only where the content comes in pieces, to read each piece from it
            "CASE WHEN json_array_length(q.content_fragments) > 1 THEN a.text END AS article_text, "
            "r.utterance_id, u.recurs_from "
            f"FROM quotes q JOIN articles a ON a.id = q.article_id LEFT JOIN speakers s ON s.id = q.speaker_id "
            f"{join} renderings r ON r.quote_id = q.id LEFT JOIN utterances u ON u.id = r.utterance_id {where} "
            "ORDER BY a.published IS NULL, a.published, q.id"
        )
        return [dict(row) for row in rows]

    def save_trails(self, utterances: Sequence[dict[str, object]], renderings: Sequence[dict[str, object]]) -> None:
        with self._transaction() as db:
            for utterance in utterances:
                db.execute("DELETE FROM renderings WHERE utterance_id = ?", (utterance["id"],))
                columns = ", ".join(f'"{name}"' for name in utterance)
                db.execute(
                    f"INSERT OR REPLACE INTO utterances ({columns}) VALUES ({', '.join('?' * len(utterance))})",
                    tuple(utterance.values()),
                )
            for rendering in renderings:
                columns = ", ".join(f'"{name}"' for name in rendering)
                db.execute(
                    f"INSERT OR REPLACE INTO renderings ({columns}) VALUES ({', '.join('?' * len(rendering))})",
                    tuple(rendering.values()),
                )
            # Utterances whose quotes all went (a quotes stage that ran again) have nothing left to show.
            db.execute("DELETE FROM utterances WHERE id NOT IN (SELECT utterance_id FROM renderings)")

    def utterance(self, utterance_id: str) -> dict[str, object] | None:
        row = self.connection.execute("SELECT * FROM utterances WHERE id = ?", (utterance_id,)).fetchone()
        if row is None:  # a quote id names the utterance it renders
            row = self.connection.execute(
                "SELECT u.* FROM utterances u JOIN renderings r ON r.utterance_id = u.id WHERE r.quote_id = ?",
                (utterance_id,),
            ).fetchone()
        return dict(row) if row else None

    def utterances_by_id(self, utterance_ids: Sequence[str]) -> list[dict[str, object]]:
        return self._rows_for_ids("SELECT * FROM utterances WHERE id IN ({marks})", utterance_ids)

    def renderings_for_articles(self, article_ids: Sequence[str]) -> list[dict[str, object]]:
        return self._rows_for_ids(
            "SELECT r.*, q.kind, q.content_text, u.speaker, u.canonical_text, u.n_renderings FROM renderings r "
            "JOIN quotes q ON q.id = r.quote_id JOIN utterances u ON u.id = r.utterance_id "
            "WHERE r.article_id IN ({marks}) ORDER BY r.article_id, q.cue_start",
            article_ids,
        )

    def utterances_recurring_from(self, utterance_ids: Sequence[str]) -> list[dict[str, object]]:
        return self._rows_for_ids(
            "SELECT * FROM utterances WHERE recurs_from IN ({marks}) ORDER BY first_seen, id", utterance_ids
        )

    def renderings_of(self, utterance_id: str) -> list[dict[str, object]]:
        rows = self.connection.execute(
            "SELECT r.*, a.published, a.title, a.story_id, q.kind, q.content_text, q.content_start, q.content_end, "
            "q.cue_text, COALESCE(s.name, q.speaker) AS speaker FROM renderings r "
            "JOIN quotes q ON q.id = r.quote_id JOIN articles a ON a.id = r.article_id "
            "LEFT JOIN speakers s ON s.id = q.speaker_id WHERE r.utterance_id = ? "
            "ORDER BY a.published IS NULL, a.published, r.quote_id",
            (utterance_id,),
        )
        return [dict(row) for row in rows]

    # -- reading ---------------------------------------------------------------------------------------

    def page_stories(self, limit: int, offset: int) -> tuple[list[dict[str, object]], int]:
        rows = self.connection.execute(
            "SELECT id, title, first_seen, last_seen, n_articles, n_outlets FROM stories "
            "ORDER BY last_seen IS NULL, last_seen DESC, n_articles DESC, id LIMIT ? OFFSET ?",
            (limit, offset),
        )
        total = self.connection.execute("SELECT count(*) FROM stories").fetchone()[0]
        return [dict(row) for row in rows], int(total)

    def page_search(self, filters: SearchFilters, limit: int, offset: int) -> tuple[list[SearchHit], int]:
        relation = _search_relation(filters)
        hits = self._search_hits(filters, relation, limit, offset)
        # with words and no other filter, the FTS index counts its matches without touching articles
        source = "articles_fts" if relation.words_only else relation.source
        try:
            total = self.connection.execute(f"SELECT count(*) FROM {source}{relation.where}", relation.parameters)
        except sqlite3.OperationalError as error:
            raise SearchSyntaxError(f"cannot understand the search {filters.text!r}: {error}") from error
        return hits, int(total.fetchone()[0])

    def _search_hits(
        self, filters: SearchFilters, relation: _SearchRelation, limit: int, offset: int
    ) -> list[SearchHit]:
        """One page of hits, best first (newest first without words). Snippets are cut for that page
        only: asked for in the ranking query, SQLite would cut one for every match before sorting."""
        score = "bm25(articles_fts)" if relation.expression else "0"
        order = "score, a.id" if relation.expression else "a.published IS NULL, a.published DESC, a.id"
        try:
            rows = self.connection.execute(
                f"SELECT a.rowid, a.id, a.title, a.outlet, a.published, substr(a.text, 1, 160) AS opening, "
                f"{score} AS score FROM {relation.source}{relation.where} ORDER BY {order} LIMIT ? OFFSET ?",
                (*relation.parameters, limit, offset),
            ).fetchall()
            rowids = [row["rowid"] for row in rows]
            snippets = self._snippets(relation.expression, rowids) if relation.expression else {}
        except sqlite3.OperationalError as error:
            raise SearchSyntaxError(f"cannot understand the search {filters.text!r}: {error}") from error
        return [
            SearchHit(
                row["id"],
                row["title"],
                row["outlet"],
                row["published"],
                snippets.get(row["rowid"], row["opening"]),
                -row["score"],
            )
            for row in rows
        ]

    def _snippets(self, expression: str, rowids: list[int]) -> dict[int, str]:
        if not rowids:
            return {}
        marks = ", ".join("?" * len(rowids))
        rows = self.connection.execute(
            f"SELECT rowid, snippet(articles_fts, 1, '[', ']', '…', 16) FROM articles_fts "
            f"WHERE articles_fts MATCH ? AND rowid IN ({marks})",
            (expression, *rowids),
        )
        return {rowid: snippet for rowid, snippet in rows}

    def search_facets(self, filters: SearchFilters, limit: int) -> dict[str, list[dict[str, object]]]:
        relation = _search_relation(filters)
        matches = f"{relation.source}{relation.where}"
        queries = {
            "outlet": f"SELECT a.outlet AS value, count(*) AS n FROM {matches} GROUP BY a.outlet",
            "language": f"SELECT a.language AS value, count(*) AS n FROM {matches} GROUP BY a.language",
            "speaker": "SELECT s.name AS value, s.id AS id, count(DISTINCT q.article_id) AS n FROM quotes q "
            f"JOIN speakers s ON s.id = q.speaker_id WHERE q.article_id IN (SELECT a.id FROM {matches}) GROUP BY s.id",
            "story": "SELECT m.story_id AS value, st.title AS label, count(*) AS n FROM "
            f"(SELECT a.story_id FROM {matches}) m JOIN stories st ON st.id = m.story_id GROUP BY m.story_id",
        }
        try:
            facets = {
                name: self._rows(f"{sql} ORDER BY n DESC, value LIMIT ?", (*relation.parameters, limit))
                for name, sql in queries.items()
            }
            span = self.connection.execute(
                f"SELECT min(substr(a.published, 1, 10)), max(substr(a.published, 1, 10)) FROM {matches}",
                relation.parameters,
            ).fetchone()
        except sqlite3.OperationalError as error:
            raise SearchSyntaxError(f"cannot understand the search {filters.text!r}: {error}") from error
        facets["dates"] = [{"first": span[0], "last": span[1]}]
        return facets

    def search_attention(self, filters: SearchFilters, bucket: str) -> list[dict[str, object]]:
        relation = _search_relation(filters)
        day = "substr(a.published, 1, 10)"
        period = day if bucket == "day" else f"date({day}, 'weekday 0', '-6 days')"  # the week's Monday
        where = relation.where + (" AND " if relation.where else " WHERE ") + "a.published IS NOT NULL"
        try:
            return self._rows(
                f"SELECT {period} AS period, a.outlet AS outlet, count(*) AS n FROM {relation.source}{where} "
                "GROUP BY period, a.outlet ORDER BY period, a.outlet",
                relation.parameters,
            )
        except sqlite3.OperationalError as error:
            raise SearchSyntaxError(f"cannot understand the search {filters.text!r}: {error}") from error

    def iter_search(self, filters: SearchFilters) -> Iterator[dict[str, object]]:
        relation = _search_relation(filters)
        order = "bm25(articles_fts), a.id" if relation.expression else "a.published IS NULL, a.published DESC, a.id"
        columns = ", ".join(f'a."{column}"' for column in EXPORT_COLUMNS["articles"])
        sql = f"SELECT {columns} FROM {relation.source}{relation.where} ORDER BY {order}"
        try:
            return self._streamed(sql, relation.parameters)
        except sqlite3.OperationalError as error:
            raise SearchSyntaxError(f"cannot understand the search {filters.text!r}: {error}") from error

    def page_list(self, filters: ListFilters, limit: int, offset: int) -> tuple[list[dict[str, object]], int]:
        sql, parameters = _list_query(filters)
        total = self.connection.execute(f"SELECT count(*) FROM ({sql})", parameters).fetchone()[0]
        order = _LIST_ORDER_SQL[filters.listing][filters.order or LIST_ORDERS[filters.listing][0]]
        rows = self._rows(f"{sql} ORDER BY {order} LIMIT ? OFFSET ?", (*parameters, limit, offset))
        return rows, int(total)

    def iter_list(self, filters: ListFilters) -> Iterator[dict[str, object]]:
        sql, parameters = _list_query(filters)
        order = _LIST_ORDER_SQL[filters.listing][filters.order or LIST_ORDERS[filters.listing][0]]
        return self._streamed(f"{sql} ORDER BY {order}", parameters)

    def _rows(self, sql: str, parameters: Sequence[object]) -> list[dict[str, object]]:
        return [dict(row) for row in self.connection.execute(sql, parameters)]

    def _streamed(self, sql: str, parameters: Sequence[object]) -> Iterator[dict[str, object]]:
        """The rows of `sql` on a cursor of their own, fetched a batch at a time. The query starts
        here, so an error in it is raised by this call rather than by the first `next`."""
        cursor = self.connection.execute(sql, parameters)
        return _batched_rows(cursor)

    def speaker(self, speaker_id: int) -> dict[str, object] | None:
        row = self.connection.execute("SELECT * FROM speaker_stats WHERE id = ?", (speaker_id,)).fetchone()
        return dict(row) if row else None

    def page_utterances_of(self, speaker_id: int, limit: int, offset: int) -> tuple[list[dict[str, object]], int]:
        rows = self.connection.execute(
            "SELECT * FROM utterances WHERE speaker_id = ? "
            "ORDER BY first_seen IS NULL, first_seen, id LIMIT ? OFFSET ?",
            (speaker_id, limit, offset),
        )
        total = self.connection.execute("SELECT count(*) FROM utterances WHERE speaker_id = ?", (speaker_id,))
        return [dict(row) for row in rows], int(total.fetchone()[0])

    def article(self, article_id: str) -> dict[str, object] | None:
        row = self.connection.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return dict(row) if row else None

    def entities_of(self, article_id: str) -> list[dict[str, object]]:
        rows = self.connection.execute(
            'SELECT label, text, start, "end" FROM entities WHERE article_id = ? ORDER BY start', (article_id,)
        )
        return [dict(row) for row in rows]

    def outlets(self) -> list[dict[str, object]]:
        rows = self.connection.execute(
            "SELECT outlet, count(*) AS n_articles FROM articles WHERE outlet IS NOT NULL "
            "GROUP BY outlet ORDER BY n_articles DESC, outlet"
        )
        return [dict(row) for row in rows]

    def story(self, story_id: str) -> dict[str, object] | None:
        row = self.connection.execute(
            "SELECT id, title, first_seen, last_seen, n_articles, n_outlets FROM stories WHERE id = ?", (story_id,)
        ).fetchone()
        return dict(row) if row else None

    def articles_where(self, *, story_id: str | None = None, outlet: str | None = None) -> list[dict[str, object]]:
        column, value = ("story_id", story_id) if story_id is not None else ("outlet", outlet)
        rows = self.connection.execute(
            "SELECT id, outlet, title, published, story_id, duplicate_of, url, path FROM articles "
            f"WHERE {column} = ? ORDER BY published IS NULL, published, id",
            (value,),
        )
        return [dict(row) for row in rows]

    def quotes_of(self, article_ids: Sequence[str]) -> list[dict[str, object]]:
        return self._rows_for_ids(
            "SELECT q.*, COALESCE(s.name, q.speaker) AS speaker_name FROM quotes q "
            "LEFT JOIN speakers s ON s.id = q.speaker_id WHERE q.article_id IN ({marks}) "
            "ORDER BY q.article_id, q.cue_start",
            article_ids,
        )

    def markers_of(self, article_ids: Sequence[str]) -> list[dict[str, object]]:
        return self._rows_for_ids(
            "SELECT * FROM framing_markers WHERE article_id IN ({marks}) ORDER BY article_id, start", article_ids
        )

    def _rows_for_ids(self, sql: str, ids: Sequence[str]) -> list[dict[str, object]]:
        """Rows of `sql`, whose `{marks}` takes the ids, asked for 500 ids at a time."""
        found: list[dict[str, object]] = []
        for first in range(0, len(ids), 500):
            chunk = list(ids[first : first + 500])
            marks = ", ".join("?" * len(chunk))
            found += [dict(row) for row in self.connection.execute(sql.format(marks=marks), chunk)]
        return found

    def iter_rows(self, table: str, include_text: bool = False) -> Iterator[dict[str, object]]:
        if table not in EXPORT_COLUMNS:
            raise StoreError(f"no table {table!r}; choose one of: {', '.join(EXPORT_COLUMNS)}")
        columns = EXPORT_COLUMNS[table] + (("text",) if include_text and table == "articles" else ())
        order = _ORDER_BY.get(table, "rowid")
        quoted = ", ".join(f'"{column}"' for column in columns)
        relation = _RELATION.get(table, table)
        cursor = self.connection.execute(f"SELECT {quoted} FROM {relation} ORDER BY {order}")
        while batch := cursor.fetchmany(_FETCH_ROWS):
            for row in batch:
                yield dict(zip(columns, row, strict=True))

    def search(self, query: str, limit: int = 20, offset: int = 0, raw: bool = False) -> list[SearchHit]:
        filters = SearchFilters(query, raw=raw)
        relation = _search_relation(filters)
        return self._search_hits(filters, relation, limit, offset) if relation.expression else []

    def count_rows(self) -> dict[str, int]:
        return {
            table: int(self.connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in _COUNTED_TABLES
        }

    def close(self) -> None:
        self.connection.close()


def _batched_rows(cursor: sqlite3.Cursor) -> Iterator[dict[str, object]]:
    while batch := cursor.fetchmany(_FETCH_ROWS):
        yield from (dict(row) for row in batch)


class _SearchRelation(NamedTuple):
    """The FROM and WHERE of a search, with its parameters."""

    source: str
    where: str
    parameters: list[str | int]
    expression: str  # the FTS5 query; empty when no words are searched
    words_only: bool  # words and no other filter


def _search_relation(filters: SearchFilters) -> _SearchRelation:
    expression = filters.text if filters.raw else literal_fts_query(filters.text)
    conditions: list[str] = ["articles_fts MATCH ?"] if expression else []
    parameters: list[str | int] = [expression] if expression else []
    for clause, value in (
        ("a.outlet = ?", filters.outlet),
        ("a.published >= ?", filters.date_from),
        ("a.published <= ?", filters.date_to),
        ("a.id IN (SELECT article_id FROM quotes WHERE speaker_id = ?)", filters.speaker_id),
        ("a.language = ?", filters.language),
        (f"a.id IN (SELECT article_id FROM quotes WHERE speaker_id IN ({_SPEAKER_IDS}))", filters.speaker_name),
        ("a.story_id = ?", filters.story_id),
    ):
        if value not in (None, ""):
            conditions.append(clause)
            parameters.append(value)
    where = " WHERE " + " AND ".join(conditions) if conditions else ""
    source = "articles_fts JOIN articles a ON a.rowid = articles_fts.rowid" if expression else "articles a"
    return _SearchRelation(source, where, parameters, expression, bool(expression) and len(conditions) == 1)


# Each index listing: its rows before WHERE, what follows the WHERE (grouping), its orders, and the
# condition each filter adds (a `?` for each use of the value; `name` is added once per word, `%word%`).
_LIST_SELECT = {
    "stories": ("SELECT s.id, s.title, s.first_seen, s.last_seen, s.n_articles, s.n_outlets FROM stories s", ""),
    "speakers": (
        "SELECT s.id, s.name, s.kind, s.aliases, s.roles, count(q.id) AS n_quotes, "
        "count(DISTINCT q.article_id) AS n_articles, "
        "count(DISTINCT a.outlet) AS n_outlets FROM speakers s LEFT JOIN quotes q ON q.speaker_id = s.id "
        "LEFT JOIN articles a ON a.id = q.article_id",
        " GROUP BY s.id",
    ),
    "outlets": (
        "SELECT a.outlet, count(*) AS n_articles, min(a.published) AS first_published, "
        "max(a.published) AS last_published FROM articles a WHERE a.outlet IS NOT NULL",
        " GROUP BY a.outlet",
    ),
    "utterances": ("SELECT u.* FROM utterances u", ""),
    "flags": (
        "SELECT r.utterance_id, r.quote_id, r.article_id, r.outlet, r.fidelity, r.diff, r.flags, a.published, "
        "a.title, u.speaker, u.speaker_id, u.canonical_text, q.content_text FROM renderings r "
        "JOIN articles a ON a.id = r.article_id JOIN utterances u ON u.id = r.utterance_id "
        "JOIN quotes q ON q.id = r.quote_id WHERE EXISTS (SELECT 1 FROM json_each(r.flags) WHERE value IN "
        f"({', '.join(repr(flag) for flag in CHECKED_FLAGS)}))",
        "",
    ),
}
_LIST_ORDER_SQL = {
    "stories": {
        "coverage": "s.n_outlets DESC, s.n_articles DESC, s.id",
        "date": "s.last_seen IS NULL, s.last_seen DESC, s.id",
    },
    "speakers": {"quotes": "n_quotes DESC, s.name", "outlets": "n_outlets DESC, n_quotes DESC, s.name"},
    "outlets": {"articles": "n_articles DESC, a.outlet", "name": "a.outlet COLLATE NOCASE, a.outlet"},
    "utterances": {
        "renderings": "u.n_renderings DESC, u.n_outlets DESC, u.id",
        "date": "u.first_seen IS NULL, u.first_seen DESC, u.id",
    },
    "flags": {"date": "a.published IS NULL, a.published DESC, r.quote_id"},
}
_SPEAKER_IDS = "SELECT id FROM speakers WHERE name = ? COLLATE NOCASE"
_LIST_CONDITIONS: dict[str, dict[str, str]] = {
    "stories": {
        "name": "s.title LIKE ? ESCAPE '\\'",
        "outlet": "s.id IN (SELECT story_id FROM articles WHERE outlet = ? COLLATE NOCASE)",
        "date_from": "s.last_seen >= ?",
        "date_to": "s.first_seen <= ?",
    },
    "speakers": {
        "name": "(s.name LIKE ? ESCAPE '\\' OR s.aliases LIKE ? ESCAPE '\\')",
        "outlet": "a.outlet = ? COLLATE NOCASE",
        "date_from": "a.published >= ?",
        "date_to": "a.published <= ?",
    },
    "outlets": {"name": "a.outlet LIKE ? ESCAPE '\\'", "date_from": "a.published >= ?", "date_to": "a.published <= ?"},
    "utterances": {
        "name": "u.canonical_text LIKE ? ESCAPE '\\'",
        "outlet": "u.id IN (SELECT utterance_id FROM renderings WHERE outlet = ? COLLATE NOCASE)",
        "date_from": "u.first_seen >= ?",
        "date_to": "u.first_seen <= ?",
        "speaker": f"u.speaker_id IN ({_SPEAKER_IDS})",
    },
    "flags": {
        "name": "(q.content_text LIKE ? ESCAPE '\\' OR u.canonical_text LIKE ? ESCAPE '\\')",
        "outlet": "r.outlet = ? COLLATE NOCASE",
        "date_from": "a.published >= ?",
        "date_to": "a.published <= ?",
        "speaker": f"u.speaker_id IN ({_SPEAKER_IDS})",
        "flag": "EXISTS (SELECT 1 FROM json_each(r.flags) WHERE value = ?)",
    },
}


def _list_query(filters: ListFilters) -> tuple[str, list[object]]:
    """The SQL (without ORDER BY) of an index listing under its filters, and its parameters."""
    if filters.listing not in LIST_ORDERS:
        raise StoreError(f"no listing {filters.listing!r}; choose one of: {', '.join(LIST_ORDERS)}")
    if filters.order and filters.order not in LIST_ORDERS[filters.listing]:
        raise StoreError(f"{filters.listing} cannot be ordered by {filters.order!r}")
    select, grouping = _LIST_SELECT[filters.listing]
    conditions: list[str] = []
    parameters: list[object] = []
    for name in LIST_FILTERS[filters.listing]:
        value = getattr(filters, name)
        values = [f"%{_like_escaped(word)}%" for word in str(value).split()] if name == "name" else [value]
        for one in values if value else []:
            clause = _LIST_CONDITIONS[filters.listing][name]
            conditions.append(clause)
            parameters += [one] * clause.count("?")
    joiner = " AND " if " WHERE " in select else " WHERE "
    where = joiner + " AND ".join(conditions) if conditions else ""
    return select + where + grouping, parameters


def _like_escaped(word: str) -> str:
    """A word matched literally by LIKE ... ESCAPE '\\' (its % and _ are not wildcards)."""
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def literal_fts_query(query: str) -> str:
    """Turn what a user typed into an FTS5 query that matches it literally.

    Every word must occur; text in double quotes must occur as a phrase. No character of the input
    is interpreted as FTS5 syntax, so quotes, parentheses or operators can never cause an error.
    """
    parts = []
    for phrase, word in _FTS_TOKEN.findall(query):
        tokens = _FTS_WORD.findall(phrase if phrase else word)
        if tokens:
            parts.append('"' + " ".join(tokens) + '"')
    return " ".join(parts)


def _migrations() -> list[tuple[int, str]]:
    folder = resources.files("newstrace.store.migrations.sqlite")
    found = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    return sorted(found)


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
