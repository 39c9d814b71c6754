"""The default store: one SQLite file in WAL mode, with foreign keys, FTS5 and numbered migrations."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, astuple, fields
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from newstrace.records import Article, IngestProblem, LinkBatch, LinkInput, RunSummary, Speaker, StageOutput, Story
from newstrace.store.base import (
    EXPORT_COLUMNS,
    FramingInput,
    FramingRow,
    LinkedArticle,
    LinkState,
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
_STAGE_TABLES = {"sentences", "entities", "quotes"}
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
    """`Store` over a SQLite file; `readonly=True` opens an existing database without write access."""

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self._insert_sql: dict[tuple[str, tuple[str, ...]], str] = {}
        self.connection = self._connect(readonly)
        if not readonly:
            self._migrate()

    def _connect(self, readonly: bool) -> sqlite3.Connection:
        if readonly and not self.path.exists():
            raise StoreError(f"{self.path}: no such database (create it with `newstrace analyze ... --db {self.path}`)")
        target = f"file:{self.path}?mode=ro" if readonly else str(self.path)
        try:
            connection = sqlite3.connect(target, uri=readonly, isolation_level=None, check_same_thread=False)
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA foreign_keys = ON")
            connection.execute("PRAGMA busy_timeout = 10000")
            connection.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
            if not readonly:
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as error:
            raise StoreError(f"{self.path}: cannot open as a newstrace database ({error})") from error
        return connection

    # -- schema -------------------------------------------------------------------------------------

    def check_current(self) -> None:
        """Raise StoreError when a database opened read-only has an older schema than this newstrace."""
        latest = _migrations()[-1][0]
        if self.schema_version() < latest:
            raise StoreError(
                f"{self.path}: database schema {self.schema_version()} is older than this newstrace's ({latest}); "
                f"upgrade it with `newstrace link --db {self.path}`"
            )

    def schema_version(self) -> int:
        return int(self.connection.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        current = self.schema_version()
        for number, sql in _migrations():
            if number <= current:
                continue
            try:
                self.connection.executescript(f"BEGIN;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
            except sqlite3.DatabaseError as error:
                if self.connection.in_transaction:
                    self.connection.execute("ROLLBACK")
                raise StoreError(f"{self.path}: migration {number:04d} failed ({error})") from error

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield self.connection
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        self.connection.execute("COMMIT")

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
                "INSERT INTO speakers(name, aliases, roles) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET aliases = excluded.aliases, roles = excluded.roles",
                [(s.name, json.dumps(list(s.aliases)), json.dumps(list(s.roles))) for s in speakers],
            )
            db.execute("UPDATE quotes SET speaker_id = NULL")
            db.executemany(
                "UPDATE quotes SET speaker_id = (SELECT id FROM speakers WHERE name = ?) WHERE speaker = ?",
                [(target, name) for name, target in canonical.items()],
            )
            db.execute(
                "DELETE FROM speakers WHERE id NOT IN (SELECT speaker_id FROM quotes WHERE speaker_id IS NOT NULL)"
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
            "SELECT q.id AS quote_id, q.article_id, a.outlet, a.published, a.story_id, q.speaker_id, "
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
            "SELECT r.*, q.kind, u.speaker, u.canonical_text, u.n_renderings FROM renderings r "
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
    ):
        if value not in (None, ""):
            conditions.append(clause)
            parameters.append(value)
    where = " WHERE " + " AND ".join(conditions) if conditions else ""
    source = "articles_fts JOIN articles a ON a.rowid = articles_fts.rowid" if expression else "articles a"
    return _SearchRelation(source, where, parameters, expression, bool(expression) and len(conditions) == 1)


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
