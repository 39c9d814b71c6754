"""The SQL both backends share: every `Store` method written once, over a small dialect.

`SQLStore` holds the queries; a backend (`store.sqlite`, `store.postgres`) supplies the connection, its
transactions, the upsert statements, full-text search and the few functions whose names differ. The
queries are written in SQLite's dialect with `?` placeholders; the PostgreSQL backend rewrites the
handful of constructs that differ (see `store.postgres.translate`).
"""

from __future__ import annotations

import heapq
import json
import re
from abc import ABC, abstractmethod
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict, astuple, dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from operator import attrgetter
from typing import Any, ClassVar, NamedTuple, TypeVar, cast

import numpy as np

from newstrace.events.records import EventReport, MentionPlacement, MentionToGroup, StoredEvent, StoredMention
from newstrace.records import (
    Article,
    ArticleRendering,
    ArticleSummary,
    EntitySpan,
    FieldSource,
    IngestProblem,
    LinkBatch,
    LinkInput,
    OutletFraming,
    OutletSummary,
    RunSummary,
    Speaker,
    SpeakerCorrection,
    SpeakerListing,
    SpeakerName,
    SpeakerSummary,
    StageOutput,
    StoredArticle,
    StoredMarker,
    StoredQuote,
    StoredRendering,
    StoredUtterance,
    Story,
    StorySummary,
    TrailRendering,
    TranslationRow,
)
from newstrace.store import base as store_base
from newstrace.store import sampled as sample_counts
from newstrace.store.base import (
    CHECKED_FLAGS,
    COUNT_CAP,
    EXPORT_COLUMNS,
    LIST_FILTERS,
    LIST_ORDERS,
    LIST_RECORDS,
    OUTLET_EVIDENCE_ARTICLES,
    UNKNOWN_OUTLET,
    AnalysedArticle,
    ArticleRow,
    DateSpan,
    FacetCount,
    FramingInput,
    FramingRow,
    LinkedArticle,
    LinkedLead,
    LinkState,
    ListFilters,
    ListingOutlets,
    ListingRow,
    PeriodCount,
    QueryTimeout,
    QuoteHit,
    SearchFacets,
    SearchFilters,
    SearchHit,
    SearchSyntaxError,
    SpeakerCount,
    SpeakerUtterances,
    StageRecord,
    StoreError,
    StoryCount,
    TableRow,
    TrailQuote,
    UrlHistory,
    UtteranceSpeaker,
    counted_by_store,
    drawn_outlets,
    newest_first,
)
from newstrace.store.columns import (
    CountedSlice,
    DayOutletCounts,
    DayOutletPairs,
    FacetColumns,
    IntArray,
    summed_per_group,
)
from newstrace.store.query import SearchQuery
from newstrace.store.recent import RecentAnswers
from newstrace.store.sampled import CodedSample, DecodedColumn, coded_sample

FETCH_ROWS = 2000
# The first matches of the last searches, per database, data version and filters (see store.recent): up
# to 1,000 matches a search, about 0.5 MB (measured at a million articles), so 64 hold some 35 MB.
RECENT_MATCHES: RecentAnswers[_FirstMatches] = RecentAnswers(64)
# By (a column's days, chart bucket): the days, each day code's place among their periods sorted (-1 for a
# day `_counted_day` leaves out), and those periods (`SQLStore._day_groups`)
_DAY_PERIODS: dict[tuple[int, str], tuple[Any, IntArray, list[str | None]]] = {}
# Of a ranked sample (words alone), the best matches read with their rank: five pages of 20. The rest are
# ranked by the database and left there: a page past these reads the sample again. (Reading all 1,000 ranks
# as text and sorting them in Python took 1.2-1.6 ms of a word search's CPU at a million articles.)
BEST_READ = 100
# The counts of the last outlet pages read (`outlet_framing`), until the database changes.
RECENT_OUTLETS: RecentAnswers[OutletFraming] = RecentAnswers(16)
# Attention's periods longer than a week: the characters of an ISO day kept, and what follows them to
# name the period's first day ("2024-03-17" is in the month "2024-03-01" and the year "2024-01-01").
PERIOD_STARTS = {"day": (10, ""), "week": (10, ""), "month": (7, "-01"), "year": (4, "-01-01")}
# Articles newest first, undated last: written so that an index on (outlet or language, published) gives
# them in order ("published IS NULL, published DESC" made the database sort every match first).
_NEWEST_FIRST = "a.published DESC NULLS LAST, a.id"
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # a day as the facet keys hold it: the first ten characters of a date
# What a search's facets and chart count of each of its first matches (see _FirstMatches).
_SAMPLED_COLUMNS = (
    "a.id AS id, a.outlet AS outlet, a.language AS language, substr(a.published, 1, 10) AS day, "
    "a.story_id AS story_id, NULL AS speakers, NULL AS flags"
)
# The same, and the speakers and flags, from the facet keys (SQLite schema 20) as `a`.
_KEYED_COLUMNS = "a.id AS id, a.outlet, a.language, a.day, a.story_id, a.speakers, a.flags"
# Export orders. A column that may be NULL is sorted after "column IS NULL": SQLite puts NULL before
# every value and PostgreSQL after, so an order silent about NULLs lists rows differently on each.
_ORDER_BY = {
    "sentences": "article_id, start",
    "stage_runs": "article_id, stage",
    "speakers": "id",
    "stories": "first_seen IS NULL, first_seen, id",
    "story_links": "story_id, related_story_id",
    "reuse": "article_id, source_article_id, article_start",
    "translations": "article_id, source_article_id",
    "duplicates": "duplicate_of, published IS NULL, published, id",
    "framing": "article_id, start, category",
    "utterances": "first_seen IS NULL, first_seen, id",
    "renderings": "utterance_id, quote_id",
    "events": "event_date IS NULL, event_date, first_reported IS NULL, first_reported, event_id",
}
# Tables exported through a view: speakers with their counts, duplicates as a filtered article list.
_RELATION = {
    "speakers": "speaker_stats",
    "duplicates": "duplicate_articles",
    "framing": "framing_export",
    "events": "events_export",
}
STAGE_TABLES = ("sentences", "entities", "quotes", "event_mentions")  # what document stages write
# The key of each table a write replaces rows of by key (the upserts of the PostgreSQL dialect need it).
PRIMARY_KEYS = {
    "articles": ("id",),
    "stage_runs": ("article_id", "stage"),
    "article_signatures": ("article_id",),
    "article_leads": ("article_id",),
    "story_links": ("story_id", "related_story_id", "relation"),
    "reuse": ("article_id", "source_article_id", "article_start"),
    "translations": ("article_id", "source_article_id"),
    "utterances": ("id",),
    "renderings": ("quote_id",),
    "events": ("id",),
}
STAGE_RUN_COLUMNS = ("article_id", "stage", "version", "status", "finished_at")
STALE = "stale"  # the status of a run an upstream stage made outdated
# Articles without a current run of a stage (its parameters: the stage and its version).
_PENDING = (
    "FROM articles a LEFT JOIN stage_runs s ON s.article_id = a.id AND s.stage = ? AND s.version = ? "
    f"AND s.status <> '{STALE}' WHERE s.article_id IS NULL"
)
_LINK_FETCH_ROWS = 200
_LINK_PAGE_ROWS = 10_000  # ids of articles to link read at a time
_SUM_N = "CAST(sum(n) AS INTEGER)"  # a sum of the stored counts (PostgreSQL's sum of bigint is numeric)
_EVENT_GROUPS = "event_groups"  # the stage name of the events grouping in stage_runs
_FRAME_FETCH_ROWS = 200  # articles whose texts and quotes are read at once for framing
_COUNTED_TABLES = (
    "articles", "sentences", "entities", "quotes", "speakers", "stories", "reuse", "framing_markers",
    "problems", "runs",
)  # fmt: skip
_RECENT_MEMBERS = 8  # latest members per story kept as candidates for passage alignment
_STORY_PAGE_ROWS = 1000  # stories read at a time when a link run starts


def check_stage_table(output: StageOutput, table: str) -> None:
    if table not in STAGE_TABLES:
        raise StoreError(f"stage {output.stage} wrote to unknown table {table!r}")


def stage_row_values(rows: Sequence[object]) -> tuple[tuple[str, ...], list[tuple[object, ...]]]:
    """The column names of a stage's records (dataclasses of one kind) and each record's values."""
    names = tuple(field.name for field in fields(rows[0]))  # type: ignore[arg-type]
    # one `attrgetter` call per record rather than asdict (which deep-copies every field, a third of a
    # write's time) or a getattr per field; only the columns that hold a tuple are turned into JSON
    read = attrgetter(*names)
    values: list[tuple[object, ...]] = [read(row) for row in rows] if len(names) > 1 else [(read(row),) for row in rows]
    columns = enumerate(zip(*values, strict=True))
    as_json = [number for number, column in columns if any(isinstance(value, tuple) for value in column)]
    return names, [_with_json(row, as_json) for row in values] if as_json else values


def _with_json(values: tuple[object, ...], columns: list[int]) -> tuple[object, ...]:
    """`values` with the fields at `columns` as `sql_value` stores them."""
    stored = list(values)
    for number in columns:
        stored[number] = sql_value(stored[number])
    return tuple(stored)


def stage_run_row(article_id: str, output: StageOutput) -> tuple[str, str, str, str, str]:
    """The `stage_runs` row saying `output`'s stage ran on the article."""
    return (article_id, output.stage, str(output.version), output.status, now())


def sql_value(value: object) -> object:
    """A record field as the database stores it: tuples (offset pairs, lists of names) as JSON text."""
    return json.dumps(value) if isinstance(value, tuple) else value


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class SearchRelation(NamedTuple):
    """The FROM and WHERE of a search, with its parameters."""

    source: str
    where: str
    parameters: list[str | int]
    expression: str  # the backend's text query; empty when no words are searched
    words_only: bool  # words and no other filter


class SQLStore(ABC):
    """Every `Store` method over a DB-API connection; subclasses give the dialect.

    Rows come back as mappings that also answer `row[0]` (SQLite's `Row`, or the PostgreSQL
    backend's row factory)."""

    # The search: how to rank (smaller first), and the condition of a text search.
    _RANK: str
    _TEXT_CONDITION: str
    # Errors of a malformed search expression, reported as SearchSyntaxError.
    _SEARCH_ERRORS: tuple[type[Exception], ...]
    # The join that keeps its left side as the outer loop (SQLite: CROSS JOIN; others plan their own).
    _ARTICLES_FIRST: ClassVar[str] = "JOIN"
    # Tables without a `rowid` column in this backend, and the column that orders them by insertion.
    _ROWID_ALIASES: ClassVar[dict[str, str]] = {}
    # Filters a search with words asks of the text index itself, with the words (SQLite: outlet and
    # language, schema 19), rather than of each match's article.
    _TEXT_INDEXED_FILTERS: ClassVar[tuple[str, ...]] = ()
    # Whether the backend keeps a row of facet keys per article (`article_facet_keys`, SQLite schema 20,
    # PostgreSQL 10)
    # from which the speaker and flag facets of a search's first matches are counted.
    _FACET_KEYS: ClassVar[bool] = False
    # Whether the backend numbers the changes of its facet keys (`facet_key_changes`, SQLite schema 25), so
    # that a process can hold them as columns and follow the database (`store.columns`).
    _NUMBERED_KEY_CHANGES: ClassVar[bool] = False

    def __init__(self, where: str) -> None:
        self.where = where  # the database as messages name it
        self._last_sample: tuple[Hashable, _FirstMatches] | None = None  # _first_matches
        self._keeps_answers = True  # False: no data version, nothing of a search kept (keep_no_answers)
        self._holds_facet_columns = False  # hold_facet_columns
        self._last_selection: tuple[SearchFilters, _Selection | None] | None = None  # _column_selection
        self._insert_sql: dict[tuple[str, tuple[str, ...]], str] = {}

    # -- schema -------------------------------------------------------------------------------------

    @abstractmethod
    def schema_version(self) -> int:
        """The number of the last migration applied; 0 for a database without newstrace's tables."""

    @abstractmethod
    def _migrations(self) -> list[tuple[int, str]]:
        """This backend's migrations, in order: (number, SQL script)."""

    @abstractmethod
    def _apply_migration(self, number: int, script: str) -> None:
        """Run one migration's script inside the current transaction (a StoreError when it fails)."""

    @abstractmethod
    def _record_schema(self, version: int) -> None: ...

    def _migrate(self) -> None:
        """Apply the pending migrations in one transaction, or refuse a newer schema. The version is read
        again once the write lock is held: another process may have migrated while this one waited."""
        latest = self._migrations()[-1][0]
        if self.schema_version() == latest:
            return
        with self._transaction():
            current = self.schema_version()
            mismatch = schema_mismatch(self.where, current, latest, readonly=False)
            if mismatch:
                raise mismatch
            for number, script in self._migrations():
                if number > current:
                    self._apply_migration(number, script)
            self._record_schema(latest)

    @abstractmethod
    def close(self) -> None: ...

    def check_current(self) -> None:
        """Raise StoreError unless the database has exactly this newstrace's schema."""
        mismatch = schema_mismatch(self.where, self.schema_version(), self._migrations()[-1][0], readonly=True)
        if mismatch:
            raise mismatch

    def _open_schema(self, readonly: bool) -> None:
        """Check the schema of a read-only store, or bring a writable one's up to date; the connection
        is closed when that fails."""
        try:
            if readonly:
                self.check_current()
            else:
                self._migrate()
        except BaseException:
            self.close()
            raise

    @contextmanager
    def time_limit(self, seconds: float) -> Iterator[None]:
        """Stop a query that is still running `seconds` after the block began. Whatever error the
        stopped statement surfaces as (a backend's own, or what the caller made of it) becomes
        QueryTimeout."""
        self._limit_query_time(seconds)
        try:
            yield
        except Exception as error:
            if self._stopped_by_time_limit(error):
                raise QueryTimeout(
                    f"the query took longer than the {seconds:g} s allowed and was stopped; narrow it down"
                ) from error
            raise
        finally:
            self._lift_query_time_limit()
            # the first matches a page's reads share end with them: between requests they are kept in
            # RECENT_MATCHES only, keyed on the data version (kept here, a backend without one, or a
            # server told to keep nothing, answered the same search after a write from before it)
            self._last_sample = None
            self._last_selection = None

    # -- the dialect ------------------------------------------------------------------------------------

    @abstractmethod
    def _limit_query_time(self, seconds: float) -> None:
        """From now on, stop any statement still running `seconds` from now."""

    @abstractmethod
    def _stopped_by_time_limit(self, error: BaseException) -> bool:
        """Whether `error` (or what it was raised from) is a statement the time limit stopped."""

    @abstractmethod
    def _lift_query_time_limit(self) -> None: ...

    @abstractmethod
    def _execute(self, sql: str, parameters: Sequence[object] = ()) -> Any:
        """Run one statement written with `?` placeholders; returns its cursor."""

    @abstractmethod
    def _executemany(self, sql: str, rows: Sequence[Sequence[object]]) -> None: ...

    @abstractmethod
    def _transaction(self) -> AbstractContextManager[None]:
        """One write transaction, exclusive of every other writer of the database."""

    @abstractmethod
    def _upsert(self, table: str, columns: Sequence[str], *, replace: bool) -> str:
        """INSERT into `table` that replaces (or, without `replace`, keeps) a row with the same key."""

    @abstractmethod
    def _text_expression(self, query: SearchQuery) -> str:
        """The search query (never empty) as this backend's full-text query."""

    def _text_expression_of(self, filters: SearchFilters) -> str:
        """The full-text query of a search with words: its words and, for a backend whose text index holds
        them (`_TEXT_INDEXED_FILTERS`), those filters too."""
        return self._text_expression(filters.query)

    @abstractmethod
    def _text_source(self, filters: SearchFilters) -> str:
        """The FROM of a text search, with the articles as `a`; its `?`, if any, takes the expression."""

    @abstractmethod
    def _snippets(
        self, filters: SearchFilters, expression: str, rowids: list[int], *, in_sample: bool = False
    ) -> dict[int, str]:
        """Each hit's text around the words found, marked with MATCH_START and MATCH_END. `in_sample`: the
        hits are among the most recently stored matches of words alone (`_latest_first`), so that the
        matches between the least and the greatest of them are at most the sample's."""

    @abstractmethod
    def _week_start(self, day: str) -> str:
        """SQL for the Monday of the week of the ISO date `day` (an expression)."""

    @abstractmethod
    def _streamed(self, sql: str, parameters: Sequence[object]) -> Iterator[dict[str, object]]:
        """The rows of `sql` fetched a batch at a time, while other queries may run, as dicts of column
        -> value. The query starts here, so an error in it is raised by this call rather than by the
        first `next`."""

    @abstractmethod
    def _streamed_records(
        self, sql: str, parameters: Sequence[object], make: Callable[..., RecordT]
    ) -> Iterator[RecordT]:
        """As `_streamed`, each row made by position (`make(*values)`) from its values in the select list's
        order: a record whose fields are the select list."""

    def _article_columns(self, article: Article) -> dict[str, object]:
        """Columns a backend stores beside the article's own (PostgreSQL: its search vector)."""
        return {}

    @abstractmethod
    def _article_changed(self, article_id: str) -> None:
        """Called inside the transaction that changed an article's title (to refresh its search index)."""

    def _value_rows(self, sql: str, parameters: Sequence[object] = ()) -> Iterable[Sequence[Any]]:
        """The rows of a query as sequences of their values in the select list's order (a backend whose
        rows are mappings may skip making them when many rows are read by position)."""
        return (tuple(row.values()) for row in self._execute(sql, parameters))

    def _scalar(self, sql: str, parameters: Sequence[object] = ()) -> Any:
        return self._execute(sql, parameters).fetchone()[0]

    def _rows(self, sql: str, parameters: Sequence[object] = ()) -> list[dict[str, object]]:
        return [dict(row) for row in self._execute(sql, parameters)]

    def _one(self, sql: str, parameters: Sequence[object] = ()) -> dict[str, object] | None:
        row = self._execute(sql, parameters).fetchone()
        return dict(row) if row else None

    # -- runs and problems -----------------------------------------------------------------------------

    def begin_run(self, command: str) -> int:
        with self._transaction():
            run_id = self._scalar("INSERT INTO runs(started_at, command) VALUES (?, ?) RETURNING id", (now(), command))
        return int(run_id)

    def finish_run(self, run_id: int, summary: RunSummary) -> None:
        with self._transaction():
            self._execute(
                "UPDATE runs SET finished_at = ?, summary = ? WHERE id = ?",
                (now(), json.dumps(summary.to_dict()), run_id),
            )

    def record_problem(self, run_id: int, problem: IngestProblem) -> None:
        with self._transaction():
            self._execute(
                "INSERT INTO problems(run_id, origin, reason) VALUES (?, ?, ?)",
                (run_id, problem.origin, problem.reason),
            )

    # -- speakers ---------------------------------------------------------------------------------------

    def speaker_mentions(self, article_ids: Sequence[str] | None = None) -> list[tuple[str, str | None]]:
        if article_ids is None:
            rows = self._execute("SELECT speaker, source_text FROM quotes WHERE speaker IS NOT NULL ORDER BY id")
        else:
            rows = self._rows_for_ids(
                "SELECT speaker, source_text FROM quotes WHERE article_id IN ({marks}) AND speaker IS NOT NULL",
                article_ids,
            )
        return [(row["speaker"], row["source_text"]) for row in rows]

    def article_speaker_mentions(self) -> list[tuple[str, str, str | None]]:
        rows = self._execute(
            "SELECT article_id, speaker, source_text FROM quotes WHERE speaker IS NOT NULL ORDER BY id"
        )
        return [(row["article_id"], row["speaker"], row["source_text"]) for row in rows]

    def speaker_names_keyed(self, keys: Sequence[str]) -> list[SpeakerName] | None:
        if self._one("SELECT 1 AS found FROM speaker_names LIMIT 1") is None:
            return None
        return self._speaker_names_of_keys(keys)

    def _speaker_names_of_keys(self, keys: Sequence[str]) -> list[SpeakerName]:
        rows = self._rows_for_ids(
            "SELECT name, name_key, mentions, roles, sources, speaker FROM speaker_names WHERE name_key IN ({marks})",
            sorted(keys),
        )
        return sorted(
            (
                SpeakerName(
                    str(row["name"]),
                    str(row["name_key"]),
                    int(str(row["mentions"])),
                    tuple(json.loads(str(row["roles"]))),
                    tuple(json.loads(str(row["sources"]))),
                    str(row["speaker"]),
                )
                for row in rows
            ),
            key=lambda name: name.name,
        )

    def save_speakers(
        self,
        speakers: Sequence[Speaker],
        canonical: dict[str, str],
        record: StageRecord | None = None,
        names: Sequence[SpeakerName] = (),
        moved_stale: Sequence[str] = (),
    ) -> None:
        with self._transaction():
            if moved_stale:
                self._mark_stale(tuple(moved_stale), self._articles_whose_speakers_change(speakers, canonical))
            self._upsert_speakers(speakers)
            self._execute("UPDATE quotes SET speaker_id = NULL")
            self._executemany(
                "UPDATE quotes SET speaker_id = (SELECT id FROM speakers WHERE name = ?) WHERE speaker = ?",
                [(target, name) for name, target in canonical.items()],
            )
            self._point_utterances_at_speakers()
            self._write_utterance_speakers(None)
            self._execute(
                "DELETE FROM speakers WHERE id NOT IN (SELECT speaker_id FROM quotes WHERE speaker_id IS NOT NULL)"
            )
            self._execute("DELETE FROM speaker_names")
            self._upsert_speaker_names(names)
            if record:
                self._record(record)

    def update_speakers(
        self,
        speakers: Sequence[Speaker],
        names: Sequence[SpeakerName],
        moved: Sequence[str],
        article_ids: Sequence[str],
        record: StageRecord | None = None,
        read: tuple[Sequence[str], Sequence[SpeakerName]] = ((), ()),
        moved_stale: Sequence[str] = (),
        retold_stale: Sequence[str] = (),
    ) -> bool:
        with self._transaction():
            keys, kept = read
            if keys and self._speaker_names_of_keys(keys) != list(kept):
                return False  # another process took in quotes of these keys since they were read
            named_before = self._speakers_named_by(moved)
            if moved_stale:
                found = self._rows_for_ids("SELECT DISTINCT article_id FROM quotes WHERE speaker IN ({marks})", moved)
                self._mark_stale(tuple(moved_stale), sorted({str(row["article_id"]) for row in found}))
            if retold_stale:
                retold = self._speakers_retold(speakers)
                found = self._rows_for_ids(
                    "SELECT DISTINCT article_id FROM quotes WHERE speaker_id IN ({marks})", retold
                )
                self._mark_stale(tuple(retold_stale), sorted({str(row["article_id"]) for row in found}))
            self._upsert_speakers(speakers)
            self._upsert_speaker_names(names)
            point = (  # each quote at the speaker its name was resolved to
                "UPDATE quotes SET speaker_id = (SELECT s.id FROM speaker_names n JOIN speakers s "
                "ON s.name = n.speaker WHERE n.name = quotes.speaker) "
                "WHERE speaker IS NOT NULL AND {column} IN ({marks})"
            )
            for column, values in (("article_id", article_ids), ("speaker", moved)):
                for first in range(0, len(values), 500):
                    chunk = list(values[first : first + 500])
                    self._execute(point.format(column=column, marks=", ".join("?" * len(chunk))), chunk)
                self._point_utterances_at_speakers(column, values)  # (a new article's quotes have none yet)
                self._write_utterance_speakers(self._utterances_of_quotes(column, values))
            self._executemany(
                "DELETE FROM speakers WHERE id = ? AND NOT EXISTS (SELECT 1 FROM quotes WHERE speaker_id = ?)",
                [(speaker_id, speaker_id) for speaker_id in named_before],
            )
            if record:
                self._record(record)
        return True

    def _upsert_speakers(self, speakers: Sequence[Speaker]) -> None:
        self._executemany(
            "INSERT INTO speakers(name, aliases, roles, kind) VALUES (?, ?, ?, ?) ON CONFLICT(name) "
            "DO UPDATE SET aliases = excluded.aliases, roles = excluded.roles, kind = excluded.kind",
            [(s.name, json.dumps(list(s.aliases)), json.dumps(list(s.roles)), s.kind) for s in speakers],
        )

    def _upsert_speaker_names(self, names: Sequence[SpeakerName]) -> None:
        self._executemany(
            "INSERT INTO speaker_names(name, name_key, speaker, mentions, roles, sources) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET name_key = excluded.name_key, speaker = excluded.speaker, "
            "mentions = excluded.mentions, roles = excluded.roles, sources = excluded.sources",
            [
                (n.name, n.key, n.speaker, n.mentions, json.dumps(list(n.roles)), json.dumps(list(n.sources)))
                for n in names
            ],
        )

    def _articles_whose_speakers_change(self, speakers: Sequence[Speaker], canonical: dict[str, str]) -> list[str]:
        """The articles with a quote whose speaker, as the stages after the speakers read it (its name,
        aliases, roles and kind), is not the one `speakers` and `canonical` give the quote's name (a quote
        of no name in `canonical`: no speaker)."""
        after = {
            speaker.name: (
                speaker.name,
                json.dumps(list(speaker.aliases)),
                json.dumps(list(speaker.roles)),
                speaker.kind,
            )
            for speaker in speakers
        }
        rows = self._value_rows(
            "SELECT q.article_id, q.speaker, s.name, s.aliases, s.roles, s.kind FROM quotes q "
            "LEFT JOIN speakers s ON s.id = q.speaker_id"
        )
        changed = set()
        for article_id, name, *before in rows:
            now = after.get(canonical[name]) if name in canonical else None
            if now != (tuple(before) if before[0] is not None else None):
                changed.add(str(article_id))
        return sorted(changed)

    def _speakers_retold(self, speakers: Sequence[Speaker]) -> list[int]:
        """The ids of the stored speakers whose aliases, roles or kind these rows of theirs change."""
        new = {s.name: (json.dumps(list(s.aliases)), json.dumps(list(s.roles)), s.kind) for s in speakers}
        rows = self._rows_for_ids(
            "SELECT id, name, aliases, roles, kind FROM speakers WHERE name IN ({marks})", list(new)
        )
        return sorted(
            int(str(row["id"])) for row in rows if new[str(row["name"])] != (row["aliases"], row["roles"], row["kind"])
        )

    def _speakers_named_by(self, names: Sequence[str]) -> list[int]:
        """The ids of the speakers the quotes of these names point at now."""
        rows = self._rows_for_ids(
            "SELECT DISTINCT speaker_id FROM quotes WHERE speaker IN ({marks}) AND speaker_id IS NOT NULL", names
        )
        return sorted({int(str(row["speaker_id"])) for row in rows})

    def _point_utterances_at_speakers(self, column: str | None = None, values: Sequence[str] = ()) -> None:
        """An utterance speaks with its canonical quote's speaker, as corrected: every utterance (`column`
        None), or those with a rendering whose quote's `column` (`speaker`, `article_id`) is one of `values`."""
        speaker_id = "(SELECT q.speaker_id FROM quotes q WHERE q.id = canonical_quote_id)"
        name = "(SELECT s.name FROM quotes q JOIN speakers s ON s.id = q.speaker_id WHERE q.id = canonical_quote_id)"
        update = (  # only the utterances whose speaker changes are written
            f"UPDATE utterances SET speaker_id = {speaker_id}, speaker = {name} WHERE {speaker_id} IS NOT NULL "
            f"AND (speaker_id IS NULL OR speaker IS NULL OR speaker_id <> {speaker_id} OR speaker <> {name})"
        )
        if column is None:
            self._execute(update)
            return
        for first in range(0, len(values), 500):
            chunk = list(values[first : first + 500])
            self._execute(
                f"{update} AND id IN (SELECT r.utterance_id FROM renderings r JOIN quotes q ON q.id = r.quote_id "
                f"WHERE q.{column} IN ({', '.join('?' * len(chunk))}))",
                chunk,
            )

    def _utterances_of_quotes(self, column: str, values: Sequence[str]) -> list[str]:
        """The utterances with a rendering whose quote's `column` (`speaker`, `article_id`) is one of `values`."""
        rows = self._rows_for_ids(
            "SELECT DISTINCT r.utterance_id FROM renderings r JOIN quotes q ON q.id = r.quote_id "
            f"WHERE q.{column} IN ({{marks}})",
            values,
        )
        return sorted({str(row["utterance_id"]) for row in rows})

    def _write_utterance_speakers(self, utterance_ids: Sequence[str] | None) -> None:
        """Inside a write: the `utterance_speakers` rows of these utterances (of every one: None) as their
        renderings' quotes and articles give them now: the trails stage reads its speakers' utterances
        there, so whatever points a rendered quote at another speaker writes them again."""
        if utterance_ids is None:
            self._execute("DELETE FROM utterance_speakers")
            self._execute(_UTTERANCE_SPEAKERS.format(where=""))
            return
        ordered = sorted(set(utterance_ids))
        for first in range(0, len(ordered), 500):
            chunk = ordered[first : first + 500]
            marks = ", ".join("?" * len(chunk))
            self._execute(f"DELETE FROM utterance_speakers WHERE utterance_id IN ({marks})", chunk)
            self._execute(_UTTERANCE_SPEAKERS.format(where=f" AND r.utterance_id IN ({marks})"), chunk)

    def speaker_corrections(self) -> list[SpeakerCorrection]:
        rows = self._rows(f"SELECT {columns_of(SpeakerCorrection)} FROM speaker_corrections ORDER BY id")
        return records_of(SpeakerCorrection, rows)

    def add_speaker_correction(self, action: str, name: str, target: str, kind: str | None = None) -> None:
        with self._transaction():
            self._execute(
                "INSERT INTO speaker_corrections(action, name, target, kind, made_at) VALUES (?, ?, ?, ?, ?)",
                (action, name, target, kind, now()),
            )

    # -- articles ---------------------------------------------------------------------------------------

    def stage_versions_of(self, article_id: str) -> dict[str, str] | None:
        rows = self._execute(  # one query, asked of every article read (one row of NULLs: stored, no run)
            "SELECT r.stage, r.version FROM articles a LEFT JOIN stage_runs r ON r.article_id = a.id "
            "AND r.status <> ? WHERE a.id = ?",
            (STALE, article_id),
        ).fetchall()
        return {row["stage"]: row["version"] for row in rows if row["stage"] is not None} if rows else None

    def url_history(self, url: str) -> UrlHistory | None:
        row = self._one(
            "SELECT COALESCE(revision_of, id) AS root, revision FROM articles WHERE url = ? "
            "ORDER BY revision DESC LIMIT 1",
            (url,),
        )
        return UrlHistory(str(row["root"]), int(row["revision"])) if row else None  # type: ignore[call-overload]

    def save_article(
        self, article: Article, outputs: Sequence[StageOutput], run_id: int, stale: Sequence[str] = ()
    ) -> None:
        self.save_articles([AnalysedArticle(article, outputs, tuple(stale))], run_id)

    def save_articles(self, batch: Sequence[AnalysedArticle], run_id: int) -> None:
        with self._transaction():
            for item in batch:
                self._insert_article(item.article, run_id)
                for output in item.outputs:
                    self._replace_stage_rows(item.article.id, output)
                self._mark_stale(item.stale, [item.article.id])

    def _article_values(self, article: Article, run_id: int) -> dict[str, object]:
        """An article's row: its record, its JSON columns, its first run and the backend's own columns."""
        values = asdict(article)
        values["field_sources"] = json.dumps(article.field_sources, sort_keys=True)
        values["header_spans"] = json.dumps(article.header_spans)
        values["first_run_id"] = run_id
        values.update(self._article_columns(article))
        return values

    def _insert_article(self, article: Article, run_id: int) -> None:
        values = self._article_values(article, run_id)
        self._execute(self._upsert("articles", tuple(values), replace=False), tuple(values.values()))

    def _replace_stage_rows(self, article_id: str, output: StageOutput) -> None:
        for table, rows in output.rows.items():
            check_stage_table(output, table)
            self._execute(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))
            if rows:
                names, values = stage_row_values(rows)
                self._insert_rows(table, names, values)
        self._execute(self._upsert("stage_runs", STAGE_RUN_COLUMNS, replace=True), stage_run_row(article_id, output))

    def _insert_rows(self, table: str, names: tuple[str, ...], rows: Sequence[Sequence[object]]) -> None:
        """Insert an article's new rows of a stage table (its old ones were just deleted)."""
        self._executemany(self._insert_statement(table, names), rows)

    def _insert_statement(self, table: str, names: tuple[str, ...]) -> str:
        key = (table, names)
        if key not in self._insert_sql:
            quoted = ", ".join(f'"{name}"' for name in names)
            self._insert_sql[key] = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' * len(names))})"
        return self._insert_sql[key]

    # -- stage runs -----------------------------------------------------------------------------------

    def pending_articles(self, stage: str, version: str) -> list[str]:
        return [row[0] for row in self._execute(f"SELECT a.id {_PENDING} ORDER BY a.id", (stage, version))]

    def count_pending(self, stage: str, version: str) -> int:
        return int(self._scalar(f"SELECT count(*) {_PENDING}", (stage, version)))

    def stale_articles(self, stage: str, version: str) -> list[str]:
        sql = "SELECT article_id FROM stage_runs WHERE stage = ? AND version = ? AND status = ? ORDER BY article_id"
        return [str(row[0]) for row in self._execute(sql, (stage, version, STALE))]

    def stage_outdated(self, stage: str, version: str, counting_stale: bool = True) -> bool:
        other_versions = (  # ranges of the (stage, version, status) index, not a scan of the stage
            "SELECT 1 FROM stage_runs WHERE stage = ? AND version < ? UNION ALL "
            "SELECT 1 FROM stage_runs WHERE stage = ? AND version > ?"
        )
        if not counting_stale:
            return self._execute(f"{other_versions} LIMIT 1", (stage, version, stage, version)).fetchone() is not None
        stale = "SELECT 1 FROM stage_runs WHERE stage = ? AND version = ? AND status = ?"
        found = self._execute(
            f"{other_versions} UNION ALL {stale} LIMIT 1", (stage, version, stage, version, stage, version, STALE)
        ).fetchone()
        return found is not None

    def forget_stage(self, stage: str) -> None:
        with self._transaction():
            self._execute("DELETE FROM stage_runs WHERE stage = ?", (stage,))

    def _record(self, record: StageRecord) -> None:
        """Inside a write transaction: the runs of `record`, and its downstream stages stale on its articles."""
        finished = now()
        self._executemany(
            self._upsert("stage_runs", STAGE_RUN_COLUMNS, replace=True),
            [(article_id, record.stage, record.version, "done", finished) for article_id in record.article_ids],
        )
        self._mark_stale(record.downstream, record.article_ids)

    def _mark_stale(self, stages: tuple[str, ...], article_ids: Sequence[str]) -> None:
        if stages:
            marks = ", ".join("?" * len(stages))
            self._executemany(
                f"UPDATE stage_runs SET status = ? WHERE article_id = ? AND stage IN ({marks})",
                [(STALE, article_id, *stages) for article_id in article_ids],
            )

    # -- links ----------------------------------------------------------------------------------------

    def articles_to_link(self, stage_version: str) -> Iterator[LinkInput]:
        for ids in self._pages_to_link(stage_version):
            yield from self._link_inputs(ids)

    def _pages_to_link(self, stage_version: str) -> Iterator[list[str]]:
        """The ids of the articles to link, in the order they are linked (the dated ones by date then id, then
        the undated ones by id), a page at a time. Each page is a fresh query starting after the last id of
        the page before, so that linking writes between pages, and the ids of a first run over millions of
        articles are never held together."""
        pending = ("link", stage_version)
        dated = f"SELECT a.id, a.published {_PENDING} AND a.published IS NOT NULL"
        undated = f"SELECT a.id {_PENDING} AND a.published IS NULL"

        def dated_after(last: dict[str, object] | None) -> list[dict[str, object]]:
            if last is None:
                return self._rows(f"{dated} ORDER BY a.published, a.id LIMIT ?", (*pending, _LINK_PAGE_ROWS))
            published = last["published"]
            return self._rows(
                f"{dated} AND a.published >= ? AND (a.published > ? OR a.id > ?) ORDER BY a.published, a.id LIMIT ?",
                (*pending, published, published, last["id"], _LINK_PAGE_ROWS),
            )

        def undated_after(last: dict[str, object] | None) -> list[dict[str, object]]:
            after = "" if last is None else " AND a.id > ?"
            keys = () if last is None else (last["id"],)
            return self._rows(f"{undated}{after} ORDER BY a.id LIMIT ?", (*pending, *keys, _LINK_PAGE_ROWS))

        for read_page in (dated_after, undated_after):
            for rows in self._keyset_pages(read_page, _LINK_PAGE_ROWS):
                yield [str(row["id"]) for row in rows]

    def _keyset_pages(
        self, read_after: Callable[[dict[str, object] | None], list[dict[str, object]]], page_rows: int
    ) -> Iterator[list[dict[str, object]]]:
        """The pages of a query read in key order: `read_after(None)` reads the first page and
        `read_after(row)` the page after that row, each a fresh query (so writes between pages are safe);
        a page shorter than `page_rows` is the last."""
        last: dict[str, object] | None = None
        while True:
            rows = read_after(last)
            if rows:
                yield rows
            if len(rows) < page_rows:
                return
            last = rows[-1]

    def _link_inputs(self, ids: list[str]) -> Iterator[LinkInput]:
        """What linking reads of these articles, in this order, a few hundred at a time."""
        for first in range(0, len(ids), _LINK_FETCH_ROWS):
            chunk = ids[first : first + _LINK_FETCH_ROWS]
            marks = ", ".join("?" * len(chunk))
            rows = {
                row["id"]: row
                for row in self._execute(
                    "SELECT id, text, title, outlet, published, revision_of, language "
                    f"FROM articles WHERE id IN ({marks})",
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
                    row["language"],
                )

    def count_articles_to_link(self, stage_version: str) -> int:
        return self.count_pending("link", stage_version)

    def _entities_of(self, article_ids: list[str]) -> dict[str, tuple[tuple[str, str], ...]]:
        found: dict[str, list[tuple[str, str]]] = {}
        marks = ", ".join("?" * len(article_ids))
        rows = self._execute(
            f"SELECT article_id, label, text FROM entities WHERE article_id IN ({marks}) ORDER BY article_id, start",
            article_ids,
        )
        for row in rows:
            found.setdefault(row["article_id"], []).append((row["label"], row["text"]))
        return {article_id: tuple(pairs) for article_id, pairs in found.items()}

    def link_state(self) -> LinkState:
        frequencies: dict[str, dict[str, int]] = {"term": {}, "entity": {}}
        for row in self._execute("SELECT kind, key, df FROM link_frequencies"):
            frequencies[row["kind"]][row["key"]] = row["df"]
        return LinkState(self._stories_in_order(), frequencies)

    def _stories_in_order(self) -> Iterator[Story]:
        """Every kept story in the order stories were first written, read a page at a time (a fresh query
        each, so writes between pages are safe): the linker parses and retires them one by one."""

        def stories_after(last: dict[str, object] | None) -> list[dict[str, object]]:
            return self._rows(
                "SELECT rowid AS position, id, title, first_seen, last_seen, state FROM stories "
                "WHERE rowid > ? ORDER BY rowid LIMIT ?",
                (-1 if last is None else last["position"], _STORY_PAGE_ROWS),
            )

        for rows in self._keyset_pages(stories_after, _STORY_PAGE_ROWS):
            for row in rows:
                yield Story(
                    str(row["id"]),
                    cast(str | None, row["title"]),
                    cast(str | None, row["first_seen"]),
                    cast(str | None, row["last_seen"]),
                    str(row["state"]),
                )

    def linked_articles(self, article_ids: Sequence[str]) -> list[LinkedArticle]:
        rows = self._rows_for_ids(
            "SELECT a.id, a.published, a.duplicate_of, a.story_id FROM article_signatures g "
            "JOIN articles a ON a.id = g.article_id WHERE g.article_id IN ({marks})",
            article_ids,
        )
        return [
            LinkedArticle(
                str(row["id"]),
                cast(str | None, row["published"]),
                cast(str | None, row["duplicate_of"]),
                str(row["story_id"]),
            )
            for row in rows
        ]

    def copies_of(self, article_id: str) -> list[str]:
        rows = self._execute(
            "SELECT a.id FROM articles a JOIN article_signatures g ON g.article_id = a.id "
            "WHERE a.duplicate_of = ? ORDER BY a.id",
            (article_id,),
        )
        return [str(row["id"]) for row in rows]

    def latest_members(self, story_ids: Sequence[str]) -> dict[str, list[str]]:
        latest: dict[str, list[str]] = {}
        rows = self._rows_for_ids(
            "SELECT story_id, id FROM (SELECT story_id, id, row_number() OVER "
            "(PARTITION BY story_id ORDER BY published DESC NULLS LAST, id DESC) AS position "
            "FROM articles WHERE story_id IN ({marks})) AS ranked WHERE position <= ? ORDER BY story_id, position DESC",
            story_ids,
            trailing=(_RECENT_MEMBERS,),
        )
        for row in rows:
            latest.setdefault(str(row["story_id"]), []).append(str(row["id"]))
        return latest

    def stories_by_id(self, story_ids: Sequence[str]) -> list[Story]:
        rows = self._rows_for_ids(
            "SELECT id, title, first_seen, last_seen, state FROM stories WHERE id IN ({marks})", story_ids
        )
        return [
            Story(
                str(row["id"]),
                cast(str | None, row["title"]),
                cast(str | None, row["first_seen"]),
                cast(str | None, row["last_seen"]),
                str(row["state"]),
            )
            for row in rows
        ]

    def article_text(self, article_id: str) -> str | None:
        row = self._execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row["text"] if row else None

    def band_matches(self, keys: Sequence[tuple[int, int]]) -> list[tuple[int, int, str]]:
        by_band: dict[int, set[int]] = {}
        for band, key in keys:
            by_band.setdefault(band, set()).add(key)
        found: list[tuple[int, int, str]] = []
        for band, band_keys in sorted(by_band.items()):
            rows = self._rows_for_ids(
                "SELECT band, key, article_id FROM article_bands WHERE band = ? AND key IN ({marks})",
                sorted(band_keys),
                leading=(band,),
            )
            found += [cast(tuple[int, int, str], (row["band"], row["key"], row["article_id"])) for row in rows]
        return found

    def signatures_of(self, article_ids: Sequence[str]) -> dict[str, bytes]:
        rows = self._rows_for_ids(
            "SELECT article_id, minhash FROM article_signatures WHERE article_id IN ({marks})", article_ids
        )
        return {str(row["article_id"]): bytes(cast(bytes, row["minhash"])) for row in rows}

    def unbanded_signatures(self) -> list[tuple[str, bytes]]:
        if self._one("SELECT 1 AS found FROM article_bands LIMIT 1") is not None:
            return []
        rows = self._execute("SELECT article_id, minhash FROM article_signatures ORDER BY article_id")
        return [(row["article_id"], bytes(row["minhash"])) for row in rows]

    def save_bands(self, batches: Iterable[Sequence[tuple[int, int, str]]]) -> None:
        with self._transaction():
            for rows in batches:
                self._insert_bands(rows)

    def _insert_bands(self, rows: Sequence[tuple[int, int, str]]) -> None:
        self._executemany(
            "INSERT INTO article_bands(band, key, article_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            sorted(rows),  # in key order: a fifth less CPU than in article order (128,000 rows a batch)
        )

    def linked_leads(self, first: str, last: str, other_than: str) -> list[LinkedLead]:
        after = (date.fromisoformat(last) + timedelta(days=1)).isoformat()  # a published time sorts after its day
        rows = self._execute(
            "SELECT a.id, a.story_id, a.language, a.published, l.lead FROM article_leads l "
            "JOIN articles a ON a.id = l.article_id WHERE a.published >= ? AND a.published < ? "
            "AND a.language <> ? AND a.story_id IS NOT NULL ORDER BY a.published, a.id",
            (first, after, other_than),
        )
        return [LinkedLead(row["id"], row["story_id"], row["language"], row["published"], row["lead"]) for row in rows]

    def update_article_metadata(
        self, article_id: str, values: dict[str, str], field_sources: dict[str, str], stale: Sequence[str] = ()
    ) -> bool:
        names = [name for name in ("outlet", "published", "url", "title") if name in values]
        row = self._one(f"SELECT {', '.join(names)}, field_sources FROM articles WHERE id = ?", (article_id,))
        if row is None or all(row[name] == values[name] for name in names):
            return False
        sources = {**json.loads(str(row["field_sources"] or "{}")), **field_sources}
        with self._transaction():
            self._execute(
                f"UPDATE articles SET {', '.join(f'{name} = ?' for name in names)}, field_sources = ? WHERE id = ?",
                (*(values[name] for name in names), json.dumps(sources, sort_keys=True), article_id),
            )
            if "title" in names:
                self._article_changed(article_id)
            self._mark_stale(tuple(stale), [article_id])
        return True

    def redate_article(
        self, article_id: str, published: str | None, source: str | None, stale: Sequence[str] = ()
    ) -> bool:
        row = self._one("SELECT published, field_sources FROM articles WHERE id = ?", (article_id,))
        if row is None or row["published"] == published:
            return False
        sources = json.loads(str(row["field_sources"] or "{}"))
        if sources.get("published") not in (None, FieldSource.TEXT.value):
            return False  # dated by metadata, a header, a URL or a file name: not a reading of today's to change
        sources.pop("published", None)
        if published and source:
            sources["published"] = source
        with self._transaction():
            self._execute(
                "UPDATE articles SET published = ?, field_sources = ? WHERE id = ?",
                (published, json.dumps(sources, sort_keys=True), article_id),
            )
            self._mark_stale(tuple(stale), [article_id])
        return True

    def save_links(self, batch: LinkBatch, record: StageRecord) -> None:
        with self._transaction():
            for repoint in batch.repoints:
                self._execute(
                    "UPDATE articles SET duplicate_of = ? WHERE duplicate_of = ?",
                    (repoint.new_original, repoint.old_original),
                )
                self._execute(
                    "UPDATE articles SET duplicate_of = ?, duplicate_reason = ? WHERE id = ?",
                    (repoint.new_original, repoint.reason, repoint.old_original),
                )
            self._executemany(
                "UPDATE articles SET story_id = ?, duplicate_of = ?, duplicate_reason = ? WHERE id = ?",
                [(a.story_id, a.duplicate_of, a.duplicate_reason, a.article_id) for a in batch.articles],
            )
            self._merge_stories(batch.story_merges)
            self._executemany(
                self._upsert("article_signatures", ("article_id", "minhash"), replace=True),
                [(a.article_id, a.signature) for a in batch.articles],
            )
            self._insert_bands([(band, key, a.article_id) for a in batch.articles for band, key in enumerate(a.bands)])
            self._executemany(
                self._upsert("article_leads", ("article_id", "lead"), replace=True),
                [(a.article_id, a.lead) for a in batch.articles if a.lead],
            )
            self._executemany(
                "INSERT INTO stories(id, title, first_seen, last_seen, n_articles, n_outlets, state) "
                "VALUES (?, ?, ?, ?, 0, 0, ?) ON CONFLICT(id) DO UPDATE SET title = excluded.title, "
                "first_seen = excluded.first_seen, last_seen = excluded.last_seen, state = excluded.state",
                [(s.id, s.title, s.first_seen, s.last_seen, s.state) for s in batch.stories],
            )
            self._executemany(
                "UPDATE stories SET n_articles = (SELECT count(*) FROM articles WHERE story_id = stories.id), "
                "n_outlets = (SELECT count(DISTINCT outlet) FROM articles WHERE story_id = stories.id) WHERE id = ?",
                [(s.id,) for s in batch.stories],
            )
            self._executemany(
                self._upsert("story_links", EXPORT_COLUMNS["story_links"], replace=True),
                [tuple(asdict(link).values()) for link in batch.story_links],
            )
            self._executemany(
                self._upsert("reuse", EXPORT_COLUMNS["reuse"], replace=True),
                [tuple(asdict(passage).values()) for passage in batch.reuse],
            )
            self._executemany(
                self._upsert("translations", EXPORT_COLUMNS["translations"], replace=True),
                [tuple(asdict(translation).values()) for translation in batch.translations],
            )
            self._executemany(
                "INSERT INTO link_frequencies(kind, key, df) VALUES (?, ?, ?) "
                "ON CONFLICT(kind, key) DO UPDATE SET df = excluded.df",
                batch.frequencies,
            )
            self._record(record)

    def _merge_stories(self, merges: Sequence[tuple[str, str]]) -> None:
        """Move the members of each merged story to the story that took it, in the order the merges
        happened, and drop the merged story with its links."""
        for merged, kept in merges:
            self._execute("UPDATE articles SET story_id = ? WHERE story_id = ?", (kept, merged))
            self._execute("DELETE FROM story_links WHERE story_id = ? OR related_story_id = ?", (merged, merged))
            self._execute("DELETE FROM stories WHERE id = ?", (merged,))

    def translations_of(self, article_id: str) -> list[TranslationRow]:
        rows = self._rows(
            f"SELECT {columns_of(TranslationRow)} FROM translations WHERE article_id = ? OR source_article_id = ? "
            "ORDER BY article_id, source_article_id",
            (article_id, article_id),
        )
        return [_translation_row(row) for row in rows]

    def reset_links(self) -> None:
        with self._transaction():
            self._execute("UPDATE articles SET story_id = NULL, duplicate_of = NULL, duplicate_reason = NULL")
            for table in (
                "reuse",
                "translations",
                "story_links",
                "stories",
                "article_signatures",
                "article_bands",
                "article_leads",
                "link_frequencies",
            ):
                self._execute(f"DELETE FROM {table}")
            self._execute("DELETE FROM stage_runs WHERE stage = 'link'")
            # Events are grouped within stories: with the stories gone, they are grouped again.
            self._execute("UPDATE event_mentions SET event_id = NULL")
            self._execute("DELETE FROM events")

    def reset_trails(self) -> None:
        with self._transaction():
            self._execute("DELETE FROM utterance_speakers")
            self._execute("DELETE FROM utterance_keys")
            self._execute("DELETE FROM renderings")
            self._execute("DELETE FROM utterances")
            self._execute("DELETE FROM stage_runs WHERE stage = 'trails'")

    # -- framing --------------------------------------------------------------------------------------

    def articles_to_frame(self, version: str) -> Iterator[FramingInput]:
        # The pending articles, with their language, are read first: framing records its runs as it goes.
        pending = [
            (str(row[0]), row[1])
            for row in self._execute(f"SELECT a.id, a.language {_PENDING} ORDER BY a.id", ("framing", version))
        ]
        for first in range(0, len(pending), _FRAME_FETCH_ROWS):
            chunk = pending[first : first + _FRAME_FETCH_ROWS]
            texts, cues = self._framing_rows([article_id for article_id, _ in chunk])
            for article_id, language in chunk:
                yield FramingInput(article_id, texts.get(article_id) or "", tuple(cues.get(article_id, ())), language)

    def _framing_rows(
        self, article_ids: list[str]
    ) -> tuple[dict[str, str], dict[str, list[tuple[str, str | None, str, int, int]]]]:
        """The texts of these articles, and their quotes' cues with speakers in text order, by article."""
        texts = {
            str(row["id"]): str(row["text"])
            for row in self._rows_for_ids("SELECT id, text FROM articles WHERE id IN ({marks})", article_ids)
        }
        cues: dict[str, list[tuple[str, str | None, str, int, int]]] = {}
        for row in self._rows_for_ids(
            "SELECT q.article_id, q.id, COALESCE(s.name, q.speaker, q.source_text) AS name, q.cue_text, q.cue_start, "
            "q.cue_end FROM quotes q LEFT JOIN speakers s ON s.id = q.speaker_id "
            "WHERE q.article_id IN ({marks}) ORDER BY q.article_id, q.cue_start",
            article_ids,
        ):
            cue = (row["id"], row["name"], row["cue_text"], row["cue_start"], row["cue_end"])
            cues.setdefault(str(row["article_id"]), []).append(cue)  # type: ignore[arg-type]
        return texts, cues

    def save_framing(self, rows: Sequence[tuple[str, Sequence[FramingRow]]], record: StageRecord) -> None:
        with self._transaction():
            for article_id, markers in rows:
                self._execute("DELETE FROM framing_markers WHERE article_id = ?", (article_id,))
                self._executemany(
                    'INSERT INTO framing_markers(article_id, marker, referent, category, text, start, "end", quote_id) '
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [(article_id, *astuple(marker)) for marker in markers],
                )
            self._record(replace(record, article_ids=tuple(article_id for article_id, _ in rows)))

    # -- trails ---------------------------------------------------------------------------------------

    def trail_quotes(self, *, grouped: bool) -> list[TrailQuote]:
        join = "JOIN" if grouped else "LEFT JOIN"
        where = "" if grouped else "WHERE r.quote_id IS NULL"
        rows = self._execute(f"{_TRAIL_QUOTE.format(join=join)} {where} ORDER BY {_TRAIL_QUOTE_ORDER}")
        return [TrailQuote(**dict(row)) for row in rows]

    def trail_quotes_of(self, utterance_ids: Sequence[str]) -> list[TrailQuote]:
        # each utterance's renderings come in one chunk of ids, earliest first, as `trail_quotes` gives them
        rows = self._rows_for_ids(
            f"{_TRAIL_QUOTE.format(join='JOIN')} WHERE r.utterance_id IN ({{marks}}) ORDER BY {_TRAIL_QUOTE_ORDER}",
            sorted(utterance_ids),
        )
        return [TrailQuote(**row) for row in rows]  # type: ignore[arg-type]

    def utterance_key_postings(self, keys: Sequence[str], limit: int) -> dict[str, list[str]]:
        postings: dict[str, list[str]] = {key: [] for key in keys}
        ordered = sorted(postings)
        for first in range(0, len(ordered), 100):  # one statement for many keys, each its own ranged read
            chunk = ordered[first : first + 100]
            sql = " UNION ALL ".join(_KEY_POSTING.format(number) for number in range(len(chunk)))
            parameters = [value for asked in chunk for value in (asked, limit)]
            for key, utterance_id in self._value_rows(sql, parameters):
                postings[key].append(utterance_id)
        for found in postings.values():
            found.sort(reverse=True)
        return postings

    def utterance_keys_of(self, utterance_ids: Sequence[str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for first in range(0, len(utterance_ids), 500):
            chunk = list(utterance_ids[first : first + 500])
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT utterance_id, key FROM utterance_keys WHERE utterance_id IN ({marks})"
            for utterance_id, key in self._value_rows(sql, chunk):
                found.setdefault(utterance_id, set()).add(key)
        return found

    def speaker_utterances(
        self, speaker_ids: Sequence[int], limit: int, since: Mapping[int, str] | None = None, recent: int = 0
    ) -> dict[int, SpeakerUtterances]:
        ordered = sorted(set(speaker_ids))
        latest: dict[int, set[str]] = {speaker_id: set() for speaker_id in ordered}
        since = since or {}
        reads: list[tuple[str, tuple[object, ...]]] = [(_SPOKEN_BY, (speaker_id, limit)) for speaker_id in ordered]
        reads += [(_SPOKEN_SINCE, (asked, since[asked], recent)) for asked in ordered if asked in since]
        for first in range(0, len(reads), 100):  # one statement for many speakers, each its own ranged read
            chunk = reads[first : first + 100]
            sql = " UNION ALL ".join(read.format(number) for number, (read, _) in enumerate(chunk))
            parameters = [value for _, values in chunk for value in values]
            for speaker_id, utterance_id in self._value_rows(sql, parameters):
                latest[int(speaker_id)].add(str(utterance_id))
        languages = self._speaker_languages(ordered)
        return {
            speaker_id: SpeakerUtterances(tuple(sorted(found, reverse=True)), frozenset(languages[speaker_id]))
            for speaker_id, found in latest.items()
        }

    def _speaker_languages(self, speaker_ids: Sequence[int]) -> dict[int, set[str]]:
        """The languages of each speaker's renderings, one ranged read of the `utterance_speakers` key per
        language and speaker (the next language after the last found), not a read of every row."""
        found: dict[int, set[str]] = {speaker_id: set() for speaker_id in speaker_ids}
        after: dict[int, str | None] = dict.fromkeys(speaker_ids)
        while after:
            asked = sorted(after.items())
            after = {}
            for first in range(0, len(asked), 100):
                chunk = asked[first : first + 100]
                sql = " UNION ALL ".join(
                    _NEXT_LANGUAGE.format(number, ">" if last is not None else ">=")
                    for number, (_, last) in enumerate(chunk)
                )
                parameters = [value for speaker_id, last in chunk for value in (speaker_id, last or "")]
                for speaker_id, language in self._value_rows(sql, parameters):
                    found[int(speaker_id)].add(str(language))
                    after[int(speaker_id)] = str(language)
        return found

    def utterance_speakers(self, utterance_ids: Sequence[str]) -> list[UtteranceSpeaker]:
        ordered = sorted(set(utterance_ids))
        found: list[UtteranceSpeaker] = []
        for first in range(0, len(ordered), 500):
            chunk = ordered[first : first + 500]
            sql = "SELECT utterance_id, speaker_id, language FROM utterance_speakers WHERE utterance_id IN ({})"
            rows = self._value_rows(sql.format(", ".join("?" * len(chunk))), chunk)
            found += [UtteranceSpeaker(*row) for row in rows]
        return found

    def utterances_rendered_in(self, article_ids: Sequence[str], story_ids: Sequence[str]) -> list[str]:
        found = self._rows_for_ids("SELECT utterance_id FROM renderings WHERE article_id IN ({marks})", article_ids)
        found += self._rows_for_ids(
            "SELECT r.utterance_id FROM articles a JOIN renderings r ON r.article_id = a.id "
            "WHERE a.story_id IN ({marks})",
            story_ids,
        )
        return sorted({str(row["utterance_id"]) for row in found})

    def save_trails(
        self,
        utterances: Sequence[StoredUtterance],
        renderings: Sequence[StoredRendering],
        record: StageRecord | None = None,
        keys: Sequence[tuple[str, str]] = (),
        dissolved: Mapping[str, str | None] | None = None,
    ) -> None:
        gone = sorted(dissolved or {})
        with self._transaction():
            # the utterances the written renderings leave (a quote grouped again elsewhere): those left with
            # none are deleted below, and only those are asked (not every utterance, as an anti-join would)
            left = self._utterances_holding([row.quote_id for row in renderings]) - {row.id for row in utterances}
            self._executemany("DELETE FROM renderings WHERE utterance_id = ?", [(row.id,) for row in utterances])
            for table, column in (("utterance_keys", "utterance_id"), ("utterance_speakers", "utterance_id")):
                self._executemany(f"DELETE FROM {table} WHERE {column} = ?", [(old,) for old in gone])
            self._executemany("DELETE FROM renderings WHERE utterance_id = ?", [(old,) for old in gone])
            self._executemany("DELETE FROM utterances WHERE id = ?", [(old,) for old in gone])
            self._upsert_records("utterances", StoredUtterance, utterances)
            self._upsert_records("renderings", StoredRendering, renderings)
            self._executemany("DELETE FROM utterance_keys WHERE utterance_id = ?", [(row.id,) for row in utterances])
            if keys:
                self._executemany("INSERT INTO utterance_keys(key, utterance_id) VALUES (?, ?)", keys)
            self._write_utterance_speakers([row.id for row in utterances])
            self._executemany(  # an utterance recurring from a dissolved one recurs from what holds its quote now
                "UPDATE utterances SET recurs_from = ? WHERE recurs_from = ?",
                [(new, old) for old, new in sorted((dissolved or {}).items())],
            )
            # An utterance whose every rendering this write moved to another has nothing left to show. (One
            # whose quotes a quotes stage replaced is forgotten by the trails stage: `reset_trails`.)
            self._executemany(
                "DELETE FROM utterances WHERE id = ? AND NOT EXISTS (SELECT 1 FROM renderings WHERE utterance_id = ?)",
                [(old, old) for old in sorted(left - set(gone))],
            )
            if record:
                self._record(record)

    def _utterances_holding(self, quote_ids: Sequence[str]) -> set[str]:
        """The utterances these quotes are renderings of now (by the `renderings` primary key)."""
        rows = self._rows_for_ids("SELECT utterance_id FROM renderings WHERE quote_id IN ({marks})", quote_ids)
        return {str(row["utterance_id"]) for row in rows}

    def _upsert_records(self, table: str, record: type, rows: Sequence[object]) -> None:
        """Replace or add rows of `table`, records of the type whose fields are its columns, in one
        statement (a trail stage writes thousands at a time: one statement each kept PostgreSQL's driver
        waiting)."""
        if rows:
            columns = [item.name for item in fields(record)]
            values = attrgetter(*columns)
            self._executemany(self._upsert(table, columns, replace=True), [values(row) for row in rows])

    def utterance(self, utterance_id: str) -> StoredUtterance | None:
        found = self._one(f"SELECT {_STORED_UTTERANCE} FROM utterances WHERE id = ?", (utterance_id,))
        if found is None:  # a quote id names the utterance it renders
            found = self._one(
                f"SELECT {_STORED_UTTERANCE} FROM utterances JOIN renderings r ON r.utterance_id = utterances.id "
                "WHERE r.quote_id = ?",
                (utterance_id,),
            )
        return _stored_utterance(found) if found else None

    def utterances_by_id(self, utterance_ids: Sequence[str]) -> list[StoredUtterance]:
        rows = self._rows_for_ids(f"SELECT {_STORED_UTTERANCE} FROM utterances WHERE id IN ({{marks}})", utterance_ids)
        return records_of(StoredUtterance, rows)

    def renderings_for_articles(self, article_ids: Sequence[str]) -> list[ArticleRendering]:
        rows = self._rows_for_ids(
            f"SELECT {_RENDERING}, q.kind, q.content_text, u.speaker, u.canonical_text, u.n_renderings "
            "FROM renderings r JOIN quotes q ON q.id = r.quote_id JOIN utterances u ON u.id = r.utterance_id "
            "WHERE r.article_id IN ({marks}) ORDER BY r.article_id, q.cue_start",
            article_ids,
        )
        return records_of(ArticleRendering, rows)

    def utterances_recurring_from(self, utterance_ids: Sequence[str]) -> list[StoredUtterance]:
        rows = self._rows_for_ids(
            f"SELECT {_STORED_UTTERANCE} FROM utterances WHERE recurs_from IN ({{marks}}) "
            "ORDER BY first_seen NULLS FIRST, id",
            utterance_ids,
        )
        return records_of(StoredUtterance, rows)

    def renderings_of(self, utterance_id: str) -> list[TrailRendering]:
        rows = self._rows(
            f"SELECT {_RENDERING}, a.published, a.title, a.story_id, q.kind, q.content_text, q.content_start, "
            "q.content_end, q.cue_text, COALESCE(s.name, q.speaker) AS speaker FROM renderings r "
            "JOIN quotes q ON q.id = r.quote_id JOIN articles a ON a.id = r.article_id "
            "LEFT JOIN speakers s ON s.id = q.speaker_id WHERE r.utterance_id = ? "
            "ORDER BY a.published IS NULL, a.published, r.quote_id",
            (utterance_id,),
        )
        return records_of(TrailRendering, rows)

    # -- events -------------------------------------------------------------------------------------

    def event_mentions_to_group(self, version: str) -> list[MentionToGroup]:
        stale_stories = (
            "SELECT DISTINCT a2.story_id FROM event_mentions m2 JOIN articles a2 ON a2.id = m2.article_id "
            "LEFT JOIN events e ON e.id = m2.event_id LEFT JOIN quotes q ON q.id = m2.quote_id "
            "WHERE a2.story_id IS NOT NULL AND (e.id IS NULL OR e.story_id <> a2.story_id "
            # speakers are linked again on every run: a quote's speaker may have changed since
            "OR (m2.quote_id IS NOT NULL AND COALESCE(q.speaker_id, -1) <> COALESCE(m2.speaker_id, -1))) "
            # and the stories of the articles the stage has not done at this version (stage_runs)
            f"UNION SELECT a.story_id {_PENDING} AND a.story_id IS NOT NULL"
        )
        rows = self._rows(
            f"SELECT {columns_of(StoredMention, 'm')}, a.story_id, a.published, a.outlet FROM event_mentions m "
            f"JOIN articles a ON a.id = m.article_id WHERE a.story_id IN ({stale_stories}) "
            "ORDER BY a.story_id, a.published IS NULL, a.published, a.id, m.trigger_start, m.id",
            (_EVENT_GROUPS, version),
        )
        return records_of(MentionToGroup, rows)

    def save_events(
        self,
        stories: Mapping[str, Sequence[str]],
        events: Sequence[StoredEvent],
        mentions: Sequence[MentionPlacement],
        record: StageRecord | None = None,
    ) -> None:
        with self._transaction():
            # Another run may have grouped a story since it was read, with more mentions: its write stands.
            current = self._mentions_of_stories(list(stories))
            kept = {story for story, ids in stories.items() if current.get(story, set()) == set(ids)}
            kept_mentions = {mention_id for story in kept for mention_id in stories[story]}
            self._executemany("DELETE FROM events WHERE story_id = ?", [(story,) for story in sorted(kept)])
            self._upsert_records("events", StoredEvent, [event for event in events if event.story_id in kept])
            updates = [mention for mention in mentions if mention.id in kept_mentions]
            columns = [item.name for item in fields(MentionPlacement) if item.name != "id"]
            if updates:
                self._executemany(
                    f"UPDATE event_mentions SET {', '.join(f'{name} = ?' for name in columns)} WHERE id = ?",
                    [(*(getattr(mention, name) for name in columns), mention.id) for mention in updates],
                )
            # Events whose every mention went (a new events stage, an article relinked) report nothing.
            self._execute(
                "DELETE FROM events WHERE id NOT IN (SELECT event_id FROM event_mentions WHERE event_id IS NOT NULL)"
            )
            if record:
                self._record(replace(record, article_ids=self._grouped_articles(record.article_ids, sorted(kept))))

    def _grouped_articles(self, asked: Sequence[str], kept_stories: list[str]) -> tuple[str, ...]:
        """The articles a grouping is done on: those of the stories it wrote, and those of `asked` that
        have nothing to group (in no story, or in a story without event mentions)."""
        grouped = self._rows_for_ids("SELECT id FROM articles WHERE story_id IN ({marks})", kept_stories)
        stored = self._rows_for_ids("SELECT id, story_id FROM articles WHERE id IN ({marks})", asked)
        # Each story is asked about once: a test per article went over its story's every article, so
        # asking for each of a story of 2,000 undated notes cost 2,000 x 2,000 steps.
        stories = sorted({str(row["story_id"]) for row in stored if row["story_id"] is not None})
        with_mentions = self._rows_for_ids(
            "SELECT DISTINCT b.story_id FROM articles b WHERE b.story_id IN ({marks}) AND EXISTS ("
            "SELECT 1 FROM event_mentions m WHERE m.article_id = b.id)",
            stories,
        )
        busy = {str(row["story_id"]) for row in with_mentions}
        idle = [row for row in stored if row["story_id"] is None or str(row["story_id"]) not in busy]
        return tuple(sorted({str(row["id"]) for row in grouped + idle}))

    def _mentions_of_stories(self, story_ids: list[str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        rows = self._rows_for_ids(
            "SELECT a.story_id, m.id FROM event_mentions m JOIN articles a ON a.id = m.article_id "
            "WHERE a.story_id IN ({marks})",
            story_ids,
        )
        for row in rows:
            found.setdefault(str(row["story_id"]), set()).add(str(row["id"]))
        return found

    def events_where(self, *, story_id: str | None = None, actor: str | None = None) -> list[StoredEvent]:
        where, parameters = (
            ("story_id = ?", [story_id]) if story_id is not None else ("? IN (source_code, target_code)", [actor])
        )
        rows = self._rows(
            f"SELECT {columns_of(StoredEvent)} FROM events WHERE {where} "
            "ORDER BY COALESCE(date, first_reported) IS NULL, COALESCE(date, first_reported), id",
            parameters,
        )
        return records_of(StoredEvent, rows)

    def mentions_of_events(self, event_ids: Sequence[str]) -> list[EventReport]:
        rows = self._rows_for_ids(
            f"SELECT {columns_of(StoredMention, 'm')}, a.title, a.outlet, a.published FROM event_mentions m "
            "JOIN articles a ON a.id = m.article_id WHERE m.event_id IN ({marks}) "
            "ORDER BY m.event_id, a.published IS NULL, a.published, a.id, m.trigger_start",
            event_ids,
        )
        return records_of(EventReport, rows)

    # -- reading ---------------------------------------------------------------------------------------

    def page_stories(self, limit: int, offset: int) -> tuple[list[StorySummary], int]:
        total = int(self._scalar("SELECT count(*) FROM stories"))
        if offset >= total:  # past the last: not walked to its offset
            return [], total
        rows = self._rows(
            f"SELECT {_STORY_SUMMARY} FROM stories "
            "ORDER BY last_seen IS NULL, last_seen DESC, n_articles DESC, id LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [_story_summary(row) for row in rows], total

    def _search_relation(self, filters: SearchFilters) -> SearchRelation:
        expression = self._text_expression_of(filters) if filters.query else ""
        conditions: list[str] = [self._TEXT_CONDITION] if expression else []
        parameters: list[str | int] = [expression] if expression else []
        to_clause, to_value = _until("a.published", filters.date_to)
        in_text_index = self._TEXT_INDEXED_FILTERS if expression else ()
        for clause, value in (
            ("a.outlet = ?", filters.outlet if "outlet" not in in_text_index else None),
            ("a.published >= ?", filters.date_from),
            (to_clause, to_value),
            ("a.id IN (SELECT article_id FROM quotes WHERE speaker_id = ?)", filters.speaker_id),
            ("a.language = ?", filters.language if "language" not in in_text_index else None),
            (f"a.id IN (SELECT article_id FROM quotes WHERE speaker_id IN ({_SPEAKER_IDS}))", filters.speaker_name),
            ("a.story_id = ?", filters.story_id),
        ):
            if value not in (None, ""):
                conditions.append(clause)
                parameters.append(value)
        if filters.flag:
            conditions.append(f"a.id IN ({_flagged_articles(filters.flag)})")
        where = " WHERE " + " AND ".join(conditions) if conditions else ""
        source = self._text_source(filters) if expression else self._article_source(filters)
        return SearchRelation(source, where, parameters, expression, bool(expression) and len(conditions) == 1)

    def page_quote_search(
        self, filters: SearchFilters, limit: int, offset: int, cap: int | None = None
    ) -> tuple[list[QuoteHit], int]:
        relation, _ = self._counted_matches(filters, cap)
        conditions, parameters = _quote_conditions(filters)
        joined = " AND ".join(conditions)
        where = relation.where + (" AND " if relation.where else " WHERE ") + joined if conditions else relation.where
        quotes = f"{relation.source} JOIN quotes q ON q.article_id = a.id LEFT JOIN speakers s ON s.id = q.speaker_id"
        every = (*relation.parameters, *parameters)
        try:
            # counted in the same pass as the page (a quote has at most one rendering, so the join adds no
            # row): a second query to count them scanned the same quotes again (4 ms of a "who said it")
            # the count first, then the record's fields in its order: made by position
            rows = list(
                self._value_rows(
                    "SELECT count(*) OVER () AS matched, q.id AS quote_id, r.utterance_id, "
                    "COALESCE(s.name, q.speaker) AS speaker, q.speaker_id, q.content_text, a.id AS article_id, "
                    f"a.title, a.outlet, a.published FROM {quotes} LEFT JOIN renderings r ON r.quote_id = q.id"
                    f"{where} ORDER BY a.published DESC NULLS LAST, q.id LIMIT ? OFFSET ?",
                    (*every, limit, offset),
                )
            )
            total = rows[0][0] if rows else 0
            if offset and not rows:  # past the last page: counted alone
                total = self._scalar(f"SELECT count(*) FROM {quotes}{where}", every)
        except self._SEARCH_ERRORS as error:
            raise _syntax_error(filters, error) from error
        return [QuoteHit(*row[1:]) for row in rows], int(total)

    def _article_source(self, filters: SearchFilters) -> str:
        """The FROM of a search without words."""
        return "articles a"

    def _capped_count_relation(self, filters: SearchFilters, relation: SearchRelation) -> tuple[str, str]:
        """The FROM and WHERE in which matches are counted up to COUNT_CAP (the same parameters)."""
        return relation.source, relation.where

    def _count_source(self, relation: SearchRelation) -> str:
        """Where to count the matches (SQLite counts words alone in its index, without the articles)."""
        return relation.source

    def _latest_first(self, source: str) -> str:
        """The ORDER BY of a word search's sample read from `source`: the matches most recently stored first
        (the highest rowids), those the page, its facets and its chart take of more than their cap. On
        SQLite the text index gives them so, read backwards, without sorting them."""
        return " ORDER BY a.rowid DESC"

    def page_search(
        self, filters: SearchFilters, limit: int, offset: int, rank_cap: int | None = None
    ) -> tuple[list[SearchHit], int]:
        relation = self._search_relation(filters)
        every: int | None = None
        if limit and offset >= COUNT_CAP:
            # past the matches counted up to COUNT_CAP: every one is counted first, so that a page past the
            # last is answered at once (its OFFSET ranked or sorted every match first: 7-9 s for a common word
            # or a language of a million articles)
            every = self._search_total(filters, relation, capped=False)
            if offset >= every:
                return [], every
        if not relation.expression and rank_cap is not None and offset + limit <= rank_cap:
            selection = self._column_selection(filters)
            if selection is not None:
                return self._column_page(filters, relation, selection, limit, offset, rank_cap)
            # the page is among the newest `rank_cap` matches, which facets and attention count next;
            # a search the article counts total (outlet, language, days) reads them only if they are kept:
            # its facets and chart are often kept when they are not, and reading 1,000 rows to show 20
            # took 9 ms of a month's page, the page and its total alone 1.6 ms
            by_counts = counted_by_store(filters)
            first = (
                self._kept_first_matches(filters, rank_cap)
                if by_counts
                else self._first_matches(filters, relation, rank_cap)
            )
            if first is None:
                return self._search_hits(filters, relation, limit, offset), self._search_total(filters, relation)
            hits = self._hits(list(first.rowids[offset : offset + limit]), {}, {})
            return hits, len(first.rowids) if len(first.rowids) < rank_cap else self._search_total(filters, relation)
        if relation.words_only and rank_cap is not None and 0 < offset + limit <= rank_cap and self._holds_columns():
            # words alone: counted first (in the text index, up to COUNT_CAP), so that a word listed newest
            # first is never ranked; else the first matches are read with their rank (the facet keys come
            # from the process's columns), and the page is ranked among them here: the same rows as ranking
            # them in the text index, read once instead of twice
            counted = self._words_total(filters, relation, rank_cap)
            if newest_first(filters, counted):
                return self._newest_hits(filters, relation, limit, offset, rank_cap), counted
            first = self._first_matches(filters, relation, rank_cap, best=offset + limit)
            if first.best is not None:
                return self._ranked_page(filters, relation, first, limit, offset), counted
        total = self._all_first_matches(filters, relation, rank_cap)
        if total is None:  # the count above, as the capped count would give it, rather than counted again
            total = self._search_total(filters, relation) if every is None else self._as_capped(filters, every)
        if relation.expression and newest_first(filters, total):
            return self._newest_hits(filters, relation, limit, offset, rank_cap), total
        capped = rank_cap is not None and total > rank_cap >= offset + limit and bool(relation.expression)
        return self._search_hits(filters, relation, limit, offset, rank_cap if capped else None), total

    def _words_total(self, filters: SearchFilters, relation: SearchRelation, cap: int) -> int:
        """The matches of words alone: as many as their first `cap` matches if these are kept and fewer
        than `cap` (all of them), else counted in the text index up to COUNT_CAP."""
        kept = self._kept_first_matches(filters, cap)
        if kept is not None and len(kept.rowids) < cap:
            return len(kept.rowids)
        return self._search_total(filters, relation)

    def _newest_hits(
        self, filters: SearchFilters, relation: SearchRelation, limit: int, offset: int, among: int | None
    ) -> list[SearchHit]:
        """One page of the matches of words newest first (`newest_first`), with their snippets: with
        `among`, of the `among` most recently stored matches (those facets and attention count)
        when the page lies among them, else of every match."""
        if not limit:  # a total alone was asked for
            return []
        in_sample = among is not None and offset + limit <= among
        if among is not None and in_sample:
            rowids = _newest_candidates(self._first_matches(filters, relation, among), offset + limit)
            keys = ", ".join("?" * len(rowids)) or "NULL"
            newest = f"SELECT a.rowid AS row_key FROM articles a WHERE a.rowid IN ({keys})"
            parameters: list[object] = [*rowids]
        else:
            newest = f"SELECT a.rowid AS row_key FROM {relation.source}{relation.where}"
            parameters = [*relation.parameters]
        try:
            page = self._value_rows(f"{newest} ORDER BY {_NEWEST_FIRST} LIMIT ? OFFSET ?", (*parameters, limit, offset))
            rowids = [row[0] for row in page]
            snippets = self._snippets(filters, relation.expression, rowids, in_sample=in_sample and relation.words_only)
        except self._SEARCH_ERRORS as error:
            raise _syntax_error(filters, error) from error
        return self._hits(rowids, {}, snippets)

    def _all_first_matches(self, filters: SearchFilters, relation: SearchRelation, cap: int | None) -> int | None:
        """For words with other filters, the number of matches when the first `cap` matches (which facets
        and attention count next) are all of them, else None: counting them again took as long as
        finding them."""
        if relation.words_only or cap is None:
            return None
        found = len(self._first_matches(filters, relation, cap).rowids)
        return found if found < cap else None

    def _ranked_page(
        self, filters: SearchFilters, relation: SearchRelation, first: _FirstMatches, limit: int, offset: int
    ) -> list[SearchHit]:
        """One page of the first matches of words alone, best first (ties by rowid, as the text index's
        ranking orders them), with their snippets."""
        assert first.best is not None and first.ranks(offset + limit), "a page past the best read with their rank"
        if not limit:  # a total alone was asked for
            return []
        ranked = first.best[offset : offset + limit]
        rowids = [rowid for _, rowid in ranked]
        try:
            snippets = self._snippets(filters, relation.expression, rowids, in_sample=True)
        except self._SEARCH_ERRORS as error:
            raise _syntax_error(filters, error) from error
        return self._hits(rowids, {rowid: score for score, rowid in ranked}, snippets)

    def _search_total(self, filters: SearchFilters, relation: SearchRelation, *, capped: bool = True) -> int:
        """The number of matches: summed from the article counts when they can say (outlet, language and
        dates alone), counted in the text index for words alone, else counted up to COUNT_CAP (every one
        unless `capped`)."""
        limit = f"LIMIT {COUNT_CAP + 1}" if capped else ""
        counts = _article_counts_where(filters)
        try:
            if counts is not None:
                return int(self._scalar(f"SELECT COALESCE({_SUM_N}, 0) FROM article_counts{counts[0]}", counts[1]))
            if relation.words_only:  # a common word's matches counted up to COUNT_CAP too (65 ms, then 3)
                count = f"SELECT count(*) FROM (SELECT 1 FROM {self._count_source(relation)}{relation.where} "
                count += f"{limit}) c"
            elif _flag_only(filters):  # summed from the articles counted per set of flags (schema 21)
                bit = 1 << CHECKED_FLAGS.index(str(filters.flag))
                return int(
                    self._scalar(f"SELECT COALESCE({_SUM_N}, 0) FROM flag_counts WHERE (flags & ?) <> 0", (bit,))
                )
            else:
                source, where = self._capped_count_relation(filters, relation)
                count = f"SELECT count(*) FROM (SELECT 1 FROM {source}{where} {limit}) c"
            return int(self._scalar(count, relation.parameters))
        except self._SEARCH_ERRORS as error:
            raise _syntax_error(filters, error) from error

    @staticmethod
    def _as_capped(filters: SearchFilters, every: int) -> int:
        """`_search_total`'s capped answer from its uncapped one: the sums of the stored counts are every
        match either way; a count is cut at COUNT_CAP + 1."""
        summed = _article_counts_where(filters) is not None or _flag_only(filters)
        return every if summed else min(every, COUNT_CAP + 1)

    def _search_hits(
        self, filters: SearchFilters, relation: SearchRelation, limit: int, offset: int, among: int | None = None
    ) -> list[SearchHit]:
        """One page of hits, best first (newest first without words); with `among`, ranked among the
        `among` most recently stored matches only (`_latest_first`). The page's keys are found first (words alone
        are ranked in the text index, without reading an article), then only their rows are read, and
        snippets are cut for them: asked for in the ranking query, every match would be read."""
        if not limit:  # a total alone was asked for
            return []
        if relation.expression:
            source = self._count_source(relation) if relation.words_only else relation.source
            key = "rowid" if relation.words_only else "a.rowid"
            ranked = f"SELECT {key} AS row_key, {self._RANK} AS score FROM {source}{relation.where}"
            if among is not None:
                ranked = f"SELECT * FROM ({ranked}{self._latest_first(source)} LIMIT {int(among)}) AS ranked"
            ranked += " ORDER BY score, row_key LIMIT ? OFFSET ?"
        else:
            ranked = (
                f"SELECT a.rowid AS row_key, 0 AS score FROM {relation.source}{relation.where} "
                f"ORDER BY {_NEWEST_FIRST} LIMIT ? OFFSET ?"
            )
        try:
            scores = {
                row["row_key"]: row["score"] for row in self._execute(ranked, (*relation.parameters, limit, offset))
            }
            rowids = list(scores)
            in_sample = among is not None and relation.words_only
            snippets = (
                self._snippets(filters, relation.expression, rowids, in_sample=in_sample) if relation.expression else {}
            )
        except self._SEARCH_ERRORS as error:
            raise _syntax_error(filters, error) from error
        return self._hits(rowids, scores, snippets)

    def _hits(self, rowids: list[int], scores: dict[int, float], snippets: dict[int, str]) -> list[SearchHit]:
        """The hits of these article rowids, in this order, with their snippets (else their opening)."""
        rows = {
            row["row_key"]: row
            for row in self._execute(
                "SELECT a.rowid AS row_key, a.id, a.title, a.outlet, a.published, substr(a.text, 1, 160) AS opening "
                f"FROM articles a WHERE a.rowid IN ({', '.join('?' * len(rowids)) or 'NULL'})",
                rowids,
            )
        }
        return [
            SearchHit(
                rows[key]["id"],
                rows[key]["title"],
                rows[key]["outlet"],
                rows[key]["published"],
                snippets.get(key, rows[key]["opening"]),
                -scores.get(key, 0),
            )
            for key in rowids
        ]

    def _counted_matches(self, filters: SearchFilters, cap: int | None) -> tuple[SearchRelation, str]:
        """The search's relation, and the FROM (with its parameters in the relation) that facets and
        attention count: every match, or with `cap` only the first `cap` (newest first without words,
        the most recently stored with them), read once and named by their rowids."""
        relation = self._search_relation(filters)
        if cap is None:
            return relation, f"{relation.source}{relation.where}"
        # named by rowid, not by id: who said it, over a word's first 1,000 matches at a million articles,
        # read its page of quotes in 13.0 ms so, 14.9 ms through the index on the articles' ids
        rowids: list[str | int] = list(self._first_matches(filters, relation, cap).rowids)
        where = f" WHERE a.rowid IN ({', '.join('?' * len(rowids))})" if rowids else " WHERE 1 = 0"
        first = relation._replace(source="articles a", where=where, parameters=rowids, expression="", words_only=False)
        return first, f"{first.source}{first.where}"

    def data_version(self) -> Hashable | None:
        """A value that every write to the database changes, or None when the backend cannot tell one
        cheaply (then nothing of its searches is kept between requests)."""
        return None

    def keep_no_answers(self) -> None:
        self._keeps_answers = False

    def hold_facet_columns(self) -> None:
        self._holds_facet_columns = self._NUMBERED_KEY_CHANGES

    def _first_matches(
        self, filters: SearchFilters, relation: SearchRelation, cap: int, *, best: int = 0
    ) -> _FirstMatches:
        """The first `cap` matches (newest first without words, the most recently stored with them:
        `_latest_first`) with
        what their facets and chart count, read once for the page, its facets and its attention, and kept
        for the next pages and requests of the same search until the database changes (`RECENT_MATCHES`).
        With `best`, words alone are read with the `best` (at least BEST_READ) best ranked of them too where
        the store holds the facet columns (read again if they were kept without as many: the facets of "who
        said it" need no rank)."""
        key = self._first_matches_key(filters, cap)
        if self._last_sample is None or self._last_sample[0] != key:

            def read() -> _FirstMatches:
                return self._read_first_matches(filters, relation, cap, best=best)

            found = read() if key[1] is None else RECENT_MATCHES.get(key, read)
            self._last_sample = (key, found)
        found = self._last_sample[1]
        if best and not found.ranks(best) and relation.words_only and self._holds_columns():
            found = self._read_first_matches(filters, relation, cap, best=best)  # kept for this read only
            self._last_sample = (key, found)
        return found

    def _first_matches_key(self, filters: SearchFilters, cap: int) -> tuple[Hashable, ...]:
        return (self.where, self.data_version(), filters, cap)

    def _kept_first_matches(self, filters: SearchFilters, cap: int) -> _FirstMatches | None:
        """`_first_matches` if this store or `RECENT_MATCHES` keeps them, else None (nothing is read)."""
        key = self._first_matches_key(filters, cap)
        if self._last_sample is not None and self._last_sample[0] == key:
            return self._last_sample[1]
        found = RECENT_MATCHES.kept(key) if key[1] is not None else None
        if found is not None:
            self._last_sample = (key, found)
        return found

    def settle_facet_columns(self) -> None:
        return None

    def _holds_columns(self) -> bool:
        """Whether this store looks its articles' facet keys up in the process (`store.columns`)."""
        return self._holds_facet_columns

    def _facet_columns(self) -> FacetColumns | None:
        """The process's columns of facet keys, current as of now; None when they cannot be had now."""
        return None

    def _read_first_matches(
        self, filters: SearchFilters, relation: SearchRelation, cap: int, *, best: int = 0
    ) -> _FirstMatches:
        newest = None if relation.expression else self._newest_in_columns(filters, cap)
        if newest is not None:
            return newest
        order = f" ORDER BY {_NEWEST_FIRST}"
        # each match's row is read for its id anyway, unless an index on (id, published) gives both (a
        # flag's or a speaker's matches, all sorted by date): then the columns the facets and the chart
        # count are read with the ids (a second pass over the 1,000 rows took a twentieth of a search),
        # else by rowid once the first matches are known
        by_id = matched_by_id(filters)
        columns = "a.id AS id" if by_id else _SAMPLED_COLUMNS
        # words with a story: found as they are counted, through the index on (story, rowid) read backwards,
        # in the same rowid order as the text index's
        source, where = self._capped_count_relation(filters, relation)
        keyed = self._keyed_source(relation)
        newest_keyed = None if by_id or relation.expression else self._newest_keyed_source(relation)
        if keyed:  # the matches' facet keys, speakers and flags too, read with them
            source, columns = keyed, _KEYED_COLUMNS
        elif newest_keyed:  # the same, ordered by the articles' date and by the id the keys hold
            source, columns = newest_keyed, _KEYED_COLUMNS.replace("a.", "k.")
            order = order.replace("a.id", "k.id")
        if relation.expression:  # the words' sample, in the order of the FROM it is read from
            order = self._latest_first(source)
        try:
            if self._holds_columns():
                return self._first_matches_looked_up(relation, source, where, order, cap, best=best)
            sql = f"SELECT a.rowid AS row_key, {columns} FROM {source}{where}{order} LIMIT {int(cap)}"
            rows = list(self._value_rows(sql, relation.parameters))
            if by_id:
                rows = self._keyed_rows([row[0] for row in rows])
        except self._SEARCH_ERRORS as error:
            raise _syntax_error(filters, error) from error
        return _FirstMatches.of_rows(rows)

    def _first_matches_looked_up(
        self, relation: SearchRelation, source: str, where: str, order: str, cap: int, *, best: int
    ) -> _FirstMatches:
        """The first matches' rowids read (words alone, with `best`: and their `best` (at least BEST_READ) best
        ranked, in one pass over the text index), their facet keys looked up in the process's columns (read
        by rowid if the columns lack one)."""
        ranked: tuple[tuple[float, int], ...] | None = None
        if relation.words_only:
            # words alone (a ranked sample, who said it, a broad word): from the text index alone, most recently
            # stored first (joined to the facet keys, each of the 1,000 was sought there too: 1.7 against 0.4 ms
            # at a million articles, counts25)
            words = self._count_source(relation)
            score = f", {self._RANK} AS score" if best else ""
            newest = self._latest_first(words)
            sql = f"SELECT rowid AS row_key{score} FROM {words}{relation.where}{newest} LIMIT {int(cap)}"
            rowids, ranked = self._newest_sample(sql, relation.parameters, max(best, BEST_READ) if best else None)
        else:
            sql = f"SELECT a.rowid FROM {source}{where}{order} LIMIT {int(cap)}"
            rowids = next(zip(*self._value_rows(sql, relation.parameters), strict=True), ())
        # the columns brought up to date after the matches were read: they hold every match found
        columns = self._facet_columns()
        coded = coded_sample(columns, rowids) if columns is not None else None
        if coded is None:
            return _FirstMatches.of_rows(self._keyed_rows(list(rowids)))._replace(best=ranked)
        return _FirstMatches.of_coded(rowids, coded, ranked)

    def _newest_sample(
        self, sql: str, parameters: Sequence[Any], best: int | None
    ) -> tuple[tuple[int, ...], tuple[tuple[float, int], ...] | None]:
        """The rowids (`row_key`) of a word search's sample that `sql` reads, most recently stored first, and
        with `best` the `best` best ranked of them (`score`) as (rank, rowid), best first: the smallest rank,
        ties by rowid (as the text index's ranking orders them)."""
        rows = list(self._value_rows(sql, parameters))
        if best is None:
            return next(zip(*rows, strict=True), ()), None
        return tuple(row[0] for row in rows), tuple(heapq.nsmallest(best, ((row[1], row[0]) for row in rows)))

    def _keyed_rows(self, rowids: list[int]) -> list[Sequence[Any]]:
        """The rows of the first matches with what the facets and the chart count, read by rowid, in the
        order of `rowids`: from the facet keys when the backend keeps them, else from the articles."""
        marks = ", ".join("?" * len(rowids)) or "NULL"
        from_keys = self._FACET_KEYS
        sampled = (
            f"SELECT a.rowid AS row_key, {_KEYED_COLUMNS if from_keys else _SAMPLED_COLUMNS} "
            f"FROM {'article_facet_keys' if from_keys else 'articles'} a WHERE a.rowid IN ({marks})"
        )
        by_rowid = {row[0]: row for row in self._value_rows(sampled, rowids)}
        return [by_rowid[rowid] for rowid in rowids if rowid in by_rowid]  # one removed since: left out

    def search_facets(self, filters: SearchFilters, limit: int, cap: int | None = None) -> SearchFacets:
        # the outlet, language and date facets of every match from the article counts when they give them
        counts = _article_counts_where(filters)
        selection = self._column_selection(filters) if counts is not None else None
        if cap is not None:  # the first matches, read once, counted here
            joined = self._sampled_joined_facets(filters, cap, limit)
            if selection is not None and selection.counted_by_store:
                columns = _facets_of_selection(selection, limit)
            elif counts is not None:
                columns = self._counted_column_facets(filters, counts, limit)
            else:
                columns = self._sampled_facets(filters, cap, limit)
        elif selection is not None and selection.counted_by_store:  # every match (the overview's), in the columns
            joined = self._joined_facets_in_columns(selection.columns, selection.rows(), limit)
            columns = _facets_of_selection(selection, limit)
        else:
            relation, matches = self._counted_matches(filters, cap)
            joined = self._joined_facets(filters, relation, matches, limit)
            if counts is not None:
                columns = self._counted_column_facets(filters, counts, limit)
            else:
                columns = self._column_facets(filters, relation, matches, limit)
        return SearchFacets(columns.outlet, columns.language, *joined, columns.dates)

    def _sampled_joined_facets(self, filters: SearchFilters, cap: int, limit: int) -> _JoinedFacets:
        """The speaker, story and flag facets of the first `cap` matches, named by their ids: the quotes and
        renderings are looked up by those ids directly (asked through the search's relation, each id was
        looked up in the articles again, 3-5 ms a query), and the stories are tallied from the story ids
        read with the matches, their titles read for the facet's values only."""
        sampled = self._sampled_articles(filters, cap)
        if sampled.coded is not None:
            return self._coded_joined_facets(sampled.coded, limit)
        if self._FACET_KEYS:
            speakers, flags = self._keyed_facets(sampled, limit)
            return speakers, self._story_facet(sampled, limit), flags
        ids = list(sampled.ids or ())
        marks = ", ".join("?" * len(ids)) or "NULL"
        queries = {
            "speaker": "SELECT s.name AS value, s.id AS id, count(DISTINCT q.article_id) AS n FROM quotes q "
            f"JOIN speakers s ON s.id = q.speaker_id WHERE q.article_id IN ({marks}) GROUP BY s.id",
            "flag": "SELECT json_each.value AS value, count(DISTINCT r.article_id) AS n FROM renderings r, "
            f"json_each(r.flags) WHERE r.flags <> '[]' AND r.article_id IN ({marks}) AND json_each.value IN "
            f"({', '.join(repr(flag) for flag in CHECKED_FLAGS)}) GROUP BY json_each.value",
        }
        found = self._facet_rows(filters, queries, ids, limit)
        speakers = tuple(SpeakerCount(*row) for row in found["speaker"])
        return speakers, self._story_facet(sampled, limit), tuple(FacetCount(*row) for row in found["flag"])

    def _coded_joined_facets(self, coded: CodedSample, limit: int) -> _JoinedFacets:
        """`_sampled_joined_facets` of matches looked up in the columns, counted over their codes: the speakers'
        and stories' names read for those that can be shown only."""
        candidates, every = sample_counts.speaker_candidates(coded, limit)
        speakers = self._named_speaker_facet(candidates, every, limit)
        stories = self._titled_stories(_ranked(sample_counts.tallied(coded, "story", limit, with_none=False), limit))
        return speakers, stories, _flag_facet(sample_counts.flag_sets(coded), limit)

    def _joined_facets_in_columns(self, columns: FacetColumns, rows: IntArray, limit: int) -> _JoinedFacets:
        """The speaker, story and flag facets of every match of a search without words, counted in the
        process's columns (over every article, the overview's: 3.4 s of SQL at a million articles), as
        `_joined_facets` counts them: a speaker or a story the database has no row for is
        left out, and the next shown in its place."""
        stories = columns.tally("story", rows)
        stories.pop(None, None)
        return (
            self._speaker_facet(columns.speaker_counts(rows), limit),
            self._stories_counted(stories, limit),
            _flag_facet(columns.flag_set_counts(rows), limit),
        )

    def _stories_counted(self, counted: Counter[str | None], limit: int) -> tuple[StoryCount, ...]:
        """The story facet of stories counted (by id), most first, ties by id, with their titles; a story
        without a row is passed over for the next."""
        wanted = limit
        while True:
            ranked = _ranked(counted, wanted)
            found = self._titled_stories(ranked)
            if len(found) >= limit or len(ranked) < wanted:
                return found[:limit]
            wanted *= 4

    def _keyed_source(self, relation: SearchRelation) -> str | None:
        """The FROM that gives a search's matches with their facet keys as `a`, when the backend keeps them
        and nothing but the text index narrows the search; else None."""
        return None

    def _newest_keyed_source(self, relation: SearchRelation) -> str | None:
        """The FROM that gives a search without words with its matches' facet keys as `k` beside the
        articles as `a`, when the backend keeps them and the order can be had without an article's row
        (the articles' index on the filter and the date, ties by the id the keys hold); else None."""
        return None

    def _keyed_facets(
        self, sampled: _FirstMatches, limit: int
    ) -> tuple[tuple[SpeakerCount, ...], tuple[FacetCount, ...]]:
        """The speaker and flag facets of the sampled matches, counted from their rows of facet keys (one
        read of short rows by rowid; asking the quotes and the renderings of 1,000 ids took 3.5 ms)."""
        if sampled.speakers is not None and sampled.flag_sets is not None:  # read or looked up with the matches
            speakers, bit_sets = sampled.speakers, sampled.flag_sets
        else:
            rowids = list(sampled.rowids)
            marks = ", ".join("?" * len(rowids)) or "NULL"
            keys = self._execute(f"SELECT speakers, flags FROM article_facet_keys WHERE rowid IN ({marks})", rowids)
            rows = [(row[0], row[1]) for row in keys]  # by position: a PostgreSQL row iterates its names
            speakers = _speakers_counted([str(row[0]) for row in rows if row[0]])
            bit_sets = Counter(int(row[1]) for row in rows if row[1])
        return self._speaker_facet(speakers, limit), _flag_facet(bit_sets, limit)

    def _speaker_facet(self, counted: Counter[str], limit: int) -> tuple[SpeakerCount, ...]:
        """Facet rows of the speakers counted (by id, as text), most articles first, ties by name: the names
        of those that can be among the first `limit` are read (all of them if some id has no speaker)."""
        ordered = counted.most_common()  # sorted by count in C; only those that can be shown are converted
        least = ordered[min(limit, len(ordered)) - 1][1] if ordered else 0
        candidates = [(int(speaker), n) for speaker, n in ordered[: bisect_right(ordered, -least, key=_minus_count)]]
        return self._named_speaker_facet(candidates, lambda: [(int(speaker), n) for speaker, n in ordered], limit)

    def _named_speaker_facet(
        self, candidates: list[tuple[int, int]], every: Callable[[], list[tuple[int, int]]], limit: int
    ) -> tuple[SpeakerCount, ...]:
        """`_speaker_facet`'s rows of the speakers (id, articles) that can be among the first `limit`, those
        with at least as many articles as the `limit`-th; `every` gives all of them, whose names are read if
        a candidate has none (a speaker removed since)."""
        named = self._speaker_names([speaker for speaker, _ in candidates])
        if len(named) < min(limit, len(candidates)):
            candidates = every()
            named = self._speaker_names([speaker for speaker, _ in candidates])
        rows = sorted((named[speaker], speaker, n) for speaker, n in candidates if speaker in named)
        rows.sort(key=lambda row: -row[2])  # stable: ties stay in name order
        return tuple(SpeakerCount(name, speaker, n) for name, speaker, n in rows[:limit])

    def _speaker_names(self, speaker_ids: Sequence[int]) -> dict[int, str]:
        """The names of these speakers by id (500 ids a statement); a speaker without a row left out."""
        names: dict[int, str] = {}
        for first in range(0, len(speaker_ids), 500):
            chunk = list(speaker_ids[first : first + 500])
            sql = f"SELECT id, name FROM speakers WHERE id IN ({', '.join('?' * len(chunk))})"
            names.update((int(speaker_id), str(name)) for speaker_id, name in self._value_rows(sql, chunk))
        return names

    def _story_facet(self, sampled: _FirstMatches, limit: int) -> tuple[StoryCount, ...]:
        """The stories of the sampled matches, most matches first (ties by id), with their titles."""
        return self._titled_stories(_tallied([story for story in sampled.story_ids if story is not None], limit))

    def _titled_stories(self, tallied: tuple[FacetCount, ...]) -> tuple[StoryCount, ...]:
        """The stories of a story facet's rows (ids, matches) with their titles; a story removed since left out."""
        titles: dict[str, Any] = {
            str(row["id"]): row["title"]
            for row in self._rows_for_ids("SELECT id, title FROM stories WHERE id IN ({marks})", [
                str(row.value) for row in tallied
            ])
        }  # fmt: skip
        return tuple(
            StoryCount(str(row.value), row.n, titles[str(row.value)]) for row in tallied if str(row.value) in titles
        )

    def _joined_facets(
        self, filters: SearchFilters, relation: SearchRelation, matches: str, limit: int
    ) -> _JoinedFacets:
        """The speaker, story and flag facets of the matches (each read through another table)."""
        queries = {
            "speaker": "SELECT s.name AS value, s.id AS id, count(DISTINCT q.article_id) AS n FROM quotes q "
            f"JOIN speakers s ON s.id = q.speaker_id WHERE q.article_id IN (SELECT a.id FROM {matches}) GROUP BY s.id",
            "story": "SELECT m.story_id AS value, count(*) AS n, st.title AS label FROM "
            f"(SELECT a.story_id FROM {matches}) m JOIN stories st ON st.id = m.story_id "
            "GROUP BY m.story_id, st.title",
            "flag": "SELECT json_each.value AS value, count(DISTINCT r.article_id) AS n FROM renderings r, "
            f"json_each(r.flags) WHERE r.flags <> '[]' AND r.article_id IN (SELECT a.id FROM {matches}) "
            f"AND json_each.value IN "
            f"({', '.join(repr(flag) for flag in CHECKED_FLAGS)}) GROUP BY json_each.value",
        }
        found = self._facet_rows(filters, queries, relation.parameters, limit)
        return (
            tuple(SpeakerCount(*row) for row in found["speaker"]),
            tuple(StoryCount(*row) for row in found["story"]),
            tuple(FacetCount(*row) for row in found["flag"]),
        )

    def _column_facets(
        self, filters: SearchFilters, relation: SearchRelation, matches: str, limit: int
    ) -> _ColumnFacets:
        """The outlet and language facets and the date span, counted over every match."""
        queries = {
            "outlet": f"SELECT a.outlet AS value, count(*) AS n FROM {matches} GROUP BY a.outlet",
            "language": f"SELECT a.language AS value, count(*) AS n FROM {matches} GROUP BY a.language",
        }
        span = f"SELECT min(substr(a.published, 1, 10)), max(substr(a.published, 1, 10)) FROM {matches}"
        return _column_facets(
            self._facet_rows(filters, queries, relation.parameters, limit),
            self._span(filters, span, relation.parameters),
        )

    def _counted_column_facets(
        self, filters: SearchFilters, counts: tuple[str, list[object]], limit: int
    ) -> _ColumnFacets:
        """The outlet and language facets and the date span, summed from the article counts."""
        where, parameters = counts
        queries = {
            name: f"SELECT NULLIF({name}, '') AS value, {_SUM_N} AS n FROM article_counts{where} GROUP BY {name}"
            for name in ("outlet", "language")
        }
        span = f"SELECT min(day), max(day) FROM article_counts{where} AND day <> ''"
        return _column_facets(
            self._facet_rows(filters, queries, parameters, limit), self._span(filters, span, parameters)
        )

    def _facet_rows(
        self, filters: SearchFilters, queries: Mapping[str, str], parameters: Sequence[object], limit: int
    ) -> dict[str, list[Sequence[Any]]]:
        """Each facet query's rows (values in its select list's order), most matches first, at most `limit`."""
        try:
            return {
                name: list(self._value_rows(f"{sql} ORDER BY n DESC, value NULLS FIRST LIMIT ?", (*parameters, limit)))
                for name, sql in queries.items()
            }
        except self._SEARCH_ERRORS as error:
            raise _syntax_error(filters, error) from error

    def _span(self, filters: SearchFilters, sql: str, parameters: Sequence[object]) -> DateSpan:
        """The first and last day of the matches."""
        try:
            span = self._execute(sql, parameters).fetchone()
        except self._SEARCH_ERRORS as error:
            raise _syntax_error(filters, error) from error
        return DateSpan(span[0], span[1])  # by position: a PostgreSQL row iterates its names

    def _sampled_facets(self, filters: SearchFilters, cap: int, limit: int) -> _ColumnFacets:
        """The outlet and language facets and the date span of the first `cap` matches."""
        sampled = self._sampled_articles(filters, cap)
        if sampled.coded is not None:  # counted over the columns' codes
            return _ColumnFacets(
                _ranked(sample_counts.tallied(sampled.coded, "outlet", limit), limit),
                _ranked(sample_counts.tallied(sampled.coded, "language", limit), limit),
                DateSpan(*sample_counts.day_span(sampled.coded)),
            )
        days = [day for day in sampled.days if day is not None]
        return _ColumnFacets(
            _tallied(sampled.outlets, limit),
            _tallied(sampled.languages, limit),
            DateSpan(min(days, default=None), max(days, default=None)),
        )

    def _sampled_articles(self, filters: SearchFilters, cap: int) -> _FirstMatches:
        """The id, outlet, language, day and story of the first `cap` matches, read once for the facets and
        the chart (counted by five queries over the 1,000 ids, they took 10-16 ms of a word search's 25)."""
        return self._first_matches(filters, self._search_relation(filters), cap)

    def search_attention(
        self, filters: SearchFilters, bucket: str, cap: int | None = None, drawn: int | None = None
    ) -> list[PeriodCount]:
        counts = _article_counts_where(filters)
        selection = self._column_selection(filters) if counts is not None else None
        if selection is not None and selection.counted_by_store:
            # with `drawn`, the outlets past them summed here, as below: a language's weeks by its 200 outlets
            # made 15,000 rows (English at a million articles: its search 29.6 ms so, 19.8 ms summed), now some 1,400
            return self._attention_in_columns(selection, bucket, drawn)
        if counts is not None and drawn is not None and (filters.date_from or filters.date_to):
            # a date range's counts are many outlets a day, read through the days' keys; without one,
            # few outlets (one, or a language's) over many days, where reading their totals first cost
            # more than the rows it saved
            return self._drawn_attention(counts, self._period("day", bucket), drawn)
        if counts is not None:  # every match counted, from the article counts
            # summed per period here: a language over three years has 100,000 rows of (day, outlet), which
            # took 380 ms to read into Python and sum per month there, 40 ms per month here
            every_outlet = self._period_counts(
                f"SELECT {self._period('day', bucket)} AS period, NULLIF(outlet, '') AS outlet, {_SUM_N} AS n "
                f"FROM article_counts{counts[0]} AND day <> '' GROUP BY 1, 2 ORDER BY 1, 2 NULLS FIRST",
                counts[1],
            )
            return every_outlet if drawn is None else sample_counts.drawn_rows(every_outlet, drawn)
        if cap is not None:  # the first matches, read once, counted here (past `drawn` outlets, summed)
            sampled = self._sampled_articles(filters, cap)
            if sampled.coded is not None:
                return sample_counts.attention(sampled.coded, bucket, _day_period(bucket), drawn)
            rows = _attention_rows(sampled.days, sampled.outlets, bucket)
            return rows if drawn is None else sample_counts.drawn_rows(rows, drawn)
        return self._matches_per_period(filters, cap, bucket, "outlet")

    def search_language_attention(
        self, filters: SearchFilters, bucket: str, cap: int | None = None
    ) -> list[PeriodCount]:
        counts = _article_counts_where(filters)
        selection = self._column_selection(filters) if counts is not None else None
        held = selection.language_days() if selection is not None else None
        if selection is not None and held is not None:  # a slice of the columns' counts, summed over outlets
            return self._language_rows(selection.columns, *held, bucket)
        if counts is not None:  # every match counted, from the article counts
            return self._period_counts(
                f"SELECT {self._period('day', bucket)} AS period, NULLIF(language, '') AS language, {_SUM_N} AS n "
                f"FROM article_counts{counts[0]} AND day <> '' GROUP BY 1, 2 ORDER BY 1, 2 NULLS FIRST",
                counts[1],
            )
        if cap is not None:  # the first matches, read once (the outlets' chart read them already)
            sampled = self._sampled_articles(filters, cap)
            if sampled.coded is not None:
                return sample_counts.attention(sampled.coded, bucket, _day_period(bucket), None, by="language")
            return _attention_rows(sampled.days, sampled.languages, bucket)
        return self._matches_per_period(filters, cap, bucket, "language")

    def _matches_per_period(
        self, filters: SearchFilters, cap: int | None, bucket: str, column: str
    ) -> list[PeriodCount]:
        """The matches (the first `cap`, or all) counted in SQL per period and per `column` of their articles
        (outlet or language), undated ones left out."""
        relation, matches = self._counted_matches(filters, cap)
        period = self._period("substr(a.published, 1, 10)", bucket)
        where = (" AND " if " WHERE " in matches else " WHERE ") + "a.published IS NOT NULL"
        try:
            return self._period_counts(
                f"SELECT {period} AS period, a.{column} AS {column}, count(*) AS n FROM {matches}{where} "
                f"GROUP BY period, a.{column} ORDER BY period, a.{column} NULLS FIRST",
                relation.parameters,
            )
        except self._SEARCH_ERRORS as error:
            raise _syntax_error(filters, error) from error

    def _language_rows(
        self, columns: FacetColumns, days: IntArray, languages: list[str | None], matrix: IntArray, bucket: str
    ) -> list[PeriodCount]:
        """A matrix of articles (days by their codes, by languages) summed per period and language, as the
        SQL orders them; an empty day left out, an empty language and none counted as one."""
        if bucket not in PERIOD_STARTS:
            raise StoreError(f"no period {bucket!r}; choose one of: {', '.join(PERIOD_STARTS)}")
        numbers, names = columns.period_numbers(bucket, lambda named: self._periods_of(named, bucket))
        places: dict[str | None, list[int]] = {}
        for place, language in enumerate(languages):
            places.setdefault(language, []).append(place)
        ordered = sorted(places, key=lambda language: (language is not None, language or ""))
        rows: list[PeriodCount] = []
        for number, summed in summed_per_group(matrix, numbers[days], len(names)):
            for language in ordered:
                n = sum(summed[place] for place in places[language])
                if n:
                    rows.append(PeriodCount(names[number], language, n))
        return rows

    def _period_counts(self, sql: str, parameters: Sequence[object]) -> list[PeriodCount]:
        """The rows of a query selecting a period, an outlet and a count, as records made by position."""
        return [PeriodCount(*row) for row in self._value_rows(sql, parameters)]

    def _drawn_attention(self, counts: tuple[str, list[object]], period: str, drawn: int) -> list[PeriodCount]:
        """The article counts per period of the `drawn` outlets with the most dated matches, and of the
        others summed (`others` true): a month has some 6,000 rows of (day, outlet) at a million articles,
        which took half of a month's chart to make into records and sum per outlet drawn in Python."""
        where, parameters = counts
        dated = f"FROM article_counts{where} AND day <> ''"
        totals: Counter[str] = Counter()
        for outlet, n in self._value_rows(f"SELECT outlet, {_SUM_N} {dated} GROUP BY outlet", parameters):
            totals[str(outlet or UNKNOWN_OUTLET)] += int(n)
        named = drawn_outlets(totals, drawn)
        if not named:
            return []
        is_drawn = f"COALESCE(NULLIF(outlet, ''), ?) IN ({', '.join('?' * len(named))})"
        drawn_parameters = [UNKNOWN_OUTLET, *named]
        rows = self._value_rows(
            f"SELECT {period} AS period, CASE WHEN {is_drawn} THEN NULLIF(outlet, '') END AS outlet, "
            f"CASE WHEN {is_drawn} THEN 0 ELSE 1 END AS others, {_SUM_N} AS n {dated} "
            "GROUP BY 1, 2, 3 ORDER BY 1, 3, 2 NULLS FIRST",
            (*drawn_parameters, *drawn_parameters, *parameters),
        )
        return [PeriodCount(period, outlet, int(n), bool(others)) for period, outlet, others, n in rows]

    def _period(self, day: str, bucket: str) -> str:
        """The SQL naming the `bucket` (day, week, month or year) of a `day` (ISO text) by its first day."""
        if bucket not in PERIOD_STARTS:
            raise StoreError(f"no period {bucket!r}; choose one of: {', '.join(PERIOD_STARTS)}")
        if bucket == "day":
            return day
        if bucket == "week":
            return self._week_start(day)
        keep, first = PERIOD_STARTS[bucket]
        return f"substr({day}, 1, {keep}) || '{first}'"

    # -- a search without words, from the process's columns of facet keys (store.columns) ----------------

    def _column_selection(self, filters: SearchFilters) -> _Selection | None:
        """A search without words found in the process's columns: its matches as its SQL finds them and,
        for a search the article counts total (outlet, language, days), as those count them; None when
        the store holds no columns now, or the search has words, an unknown flag or a date whose bound
        the columns' days cannot decide. Kept for the rest of the request's reads."""
        if self._last_selection is not None and self._last_selection[0] == filters:
            return self._last_selection[1]
        selection = self._selected_in_columns(filters)
        self._last_selection = (filters, selection)
        return selection

    def _selected_in_columns(self, filters: SearchFilters) -> _Selection | None:
        if not self._holds_columns() or filters.query or (filters.flag and filters.flag not in CHECKED_FLAGS):
            return None
        days = _days_test(filters.date_from or None, filters.date_to or None)
        if days is None:
            return None
        columns = self._facet_columns()
        if columns is None:
            return None
        equal = {
            name: value
            for name, value in (("outlet", filters.outlet), ("language", filters.language), ("story", filters.story_id))
            if value
        }
        speakers: list[Collection[int]] = [] if filters.speaker_id is None else [{filters.speaker_id}]
        if filters.speaker_name:
            speakers.append({int(row[0]) for row in self._value_rows(_SPEAKER_IDS, (filters.speaker_name,))})
        flag_bit = 1 << CHECKED_FLAGS.index(filters.flag) if filters.flag else 0
        counted_days = None
        if counted_by_store(filters) and days is not _EVERY_DAY:  # as the article counts count them (schema 16)
            counted_days = _counted_days(filters.date_to)
        return _Selection(
            columns, equal, flag_bit, days if days is not _EVERY_DAY else None, speakers,
            counted_by_store(filters), counted_days,
        )  # fmt: skip

    def _column_page(
        self,
        filters: SearchFilters,
        relation: SearchRelation,
        selection: _Selection,
        limit: int,
        offset: int,
        rank_cap: int,
    ) -> tuple[list[SearchHit], int]:
        """A page of a search without words, newest first, and its total, from the columns: the total is
        counted there (as the article counts or the flag counts give it, else up to COUNT_CAP), the page
        cut from the first matches that its facets and chart count next (one ordering of the latest days'
        rows, `_newest_rows`, for all three)."""
        if selection.counted_by_store:
            total = selection.counted_total()
        elif _flag_only(filters):
            total = selection.flag_total()
        else:
            total = min(len(selection.rows()), COUNT_CAP + 1)
        first = self._first_matches(filters, relation, rank_cap)
        return self._hits(list(first.rowids[offset : offset + limit]), {}, {}), total

    def _newest_in_columns(self, filters: SearchFilters, cap: int) -> _FirstMatches | None:
        """The newest `cap` matches of a search without words with their keys, from the columns (None when
        they cannot give them): as their codes there, counted as a word's sample is (`store.sampled`); decoded
        into lists of 1,000 values and a Counter of speakers, they took 0.5-1 ms of a search by outlet,
        language, flag or dates that its facets and chart then counted in Python."""
        selection = self._column_selection(filters)
        newest = self._newest_rows(selection, cap) if selection is not None else None
        if selection is None or newest is None:
            return None
        coded = coded_sample(selection.columns, newest)
        return None if coded is None else _FirstMatches.of_coded(tuple(newest), coded, None)

    def _newest_rows(self, selection: _Selection, n: int) -> list[int] | None:
        """The rowids of the newest `n` matches in order (`_NEWEST_FIRST`): the columns name the rows of the
        latest days that can be among them, and order them by the places read with the columns, or, when
        one of those rows was written since, the database orders them by their time and id (a flag's
        30,000 articles, all sorted by date to find the newest 1,000, took 75-90 ms); None when the last
        of those days holds too many rows (undated articles, say) to name them in one query."""
        if not n:
            return []
        walked = selection.newest(n)
        if walked is not None:
            return cast(list[int], walked.tolist())
        placed = selection.columns.newest(selection.rows(), n)
        if placed is not None:
            return cast(list[int], placed.tolist())
        candidates = selection.columns.newest_candidates(selection.rows(), n)
        if not len(candidates):
            return []
        if len(candidates) > _ORDERED_AT_MOST:
            return None
        rowids = ", ".join(map(str, candidates.tolist()))  # integers from numpy: nothing to escape
        sql = f"SELECT a.rowid FROM articles a WHERE a.rowid IN ({rowids}) ORDER BY {_NEWEST_FIRST} LIMIT {int(n)}"
        return [row[0] for row in self._value_rows(sql)]

    def _attention_in_columns(self, selection: _Selection, bucket: str, drawn: int | None) -> list[PeriodCount]:
        """The chart's rows of matches the article counts would count, as `search_attention` sums them from
        those counts (`_period_counts`, or with `drawn` `_drawn_attention`), counted in the columns: from the
        counts they hold per (language, day, outlet), else in one pass over the rows, then over the pairs."""
        columns = selection.columns
        held = selection.counts()
        dated: DayOutletCounts | DayOutletPairs
        if held is not None:
            dated = columns.count_pairs(held, _counted_day)
        else:
            dated = columns.day_outlet_pairs(selection.counted(), _counted_day)
        names, day_groups = self._day_groups(columns, columns.pair_day_codes(dated), bucket)
        present = columns.pair_outlets(dated)  # an empty outlet merged with none
        if drawn is None:  # every outlet
            labels = _none_first(present)
            places = {label: number for number, label in enumerate(labels)}
            outlet_groups = {outlet: places.get(outlet or None, -1) for outlet in columns.values["outlet"].values}
            return [
                PeriodCount(names[period], labels[outlet], n)
                for period, outlet, n in columns.grouped(dated, day_groups, outlet_groups)
            ]
        totals: Counter[str] = Counter()
        for outlet, n in present.items():
            totals[outlet or UNKNOWN_OUTLET] += n
        named = set(drawn_outlets(totals, drawn))
        if not named:
            return []
        shown = _none_first([outlet for outlet in present if (outlet or UNKNOWN_OUTLET) in named])
        places = {label: number for number, label in enumerate(shown)}
        outlet_groups = {  # a drawn outlet by its name (none for an empty one), the others summed after them
            outlet: places.get(outlet or None, -1) if (outlet or UNKNOWN_OUTLET) in named else len(shown)
            for outlet in columns.values["outlet"].values
        }
        others = len(shown)
        return [
            PeriodCount(names[period], None if group == others else shown[group], n, group == others)
            for period, group, n in columns.grouped(dated, day_groups, outlet_groups)
        ]

    def _day_groups(self, columns: FacetColumns, day_codes: IntArray, bucket: str) -> tuple[list[str | None], IntArray]:
        """The periods of these days (codes of the columns' days, each passing `_counted_day`), sorted with
        None (a week of a day that is no date) first, and by day code the number of its period among them
        (-1 for a day not among these): through each day code's period place, kept per bucket until a day is
        added (made per search, its dicts over every day of the columns took 0.5 ms of a language's chart)."""
        values = columns.values["day"]
        key = (id(values), bucket)
        kept = _DAY_PERIODS.get(key)
        length = len(values.values)
        if kept is None or kept[0] is not values or len(kept[1]) != length:
            days = list(values.values[:length])
            periods = self._periods_of([str(day) for day in days if _counted_day(day)], bucket)
            ordered = sorted(set(periods.values()), key=lambda period: (period is not None, period or ""))
            place = {period: number for number, period in enumerate(ordered)}
            places = np.array([place[periods[str(day)]] if _counted_day(day) else -1 for day in days], dtype=np.int64)
            if len(_DAY_PERIODS) >= 16:
                _DAY_PERIODS.clear()
            kept = _DAY_PERIODS[key] = (values, places, ordered)
        _, places, ordered = kept
        present = places[day_codes]
        used = np.unique(present)
        by_day = np.full(len(places), -1, dtype=np.int64)
        by_day[day_codes] = np.searchsorted(used, present)
        return [ordered[place] for place in used.tolist()], by_day

    def _periods_of(self, days: list[str], bucket: str) -> dict[str | None, str | None]:
        """The period (`_period`) of each day: a week's Monday as the database's date functions name it
        (kept for the process: a day's week never changes), a month or a year by its first characters."""
        if bucket not in PERIOD_STARTS:
            raise StoreError(f"no period {bucket!r}; choose one of: {', '.join(PERIOD_STARTS)}")
        if bucket != "week":
            return {day: _period_of(day, bucket) for day in days}
        unknown = [day for day in days if day not in _WEEK_STARTS]
        if unknown:
            sql = f"SELECT value, {self._week_start('value')} FROM json_each(?)"
            _WEEK_STARTS.update({str(day): week for day, week in self._value_rows(sql, (json.dumps(unknown),))})
        return {day: _WEEK_STARTS[day] for day in days}

    def iter_search(self, filters: SearchFilters) -> Iterator[ArticleRow]:
        relation = self._search_relation(filters)
        ranked = relation.expression and not newest_first(filters, self._search_total(filters, relation))
        order = f"{self._RANK}, a.id" if ranked else _NEWEST_FIRST
        sql = f"SELECT {columns_of(ArticleRow, 'a')} FROM {relation.source}{relation.where} ORDER BY {order}"
        try:
            return self._streamed_records(sql, relation.parameters, ArticleRow)
        except self._SEARCH_ERRORS as error:
            raise _syntax_error(filters, error) from error

    def _index_narrowing(self, filters: ListFilters) -> Narrowing:
        """Conditions that lead an index listing to its rows through the backend's own indexes, each
        implied by the listing's filters (the listing keeps those, so its rows stay the plain query's):
        none here; SQLite's name words and stories' dates (schema 29)."""
        return ()

    def _planned(self, filters: ListFilters, few_flagged: bool = False) -> _PlannedListing:
        """The listing as read, `_planned_listing` with this backend's join and its index narrowing."""
        return _planned_listing(filters, self._ARTICLES_FIRST, few_flagged, self._index_narrowing(filters))

    def page_list(self, filters: ListFilters, limit: int, offset: int) -> tuple[list[ListingRow], int]:
        narrowed = (filters.name, filters.outlet, filters.date_from, filters.date_to, filters.speaker)
        if filters.listing == "flags" and not any(narrowed):
            wanted = [f'%"{_like_escaped(flag)}"%' for flag in ([filters.flag] if filters.flag else CHECKED_FLAGS)]
            carries = " OR ".join("flags LIKE ? ESCAPE '\\'" for _ in wanted)
            total = self._scalar(f"SELECT COALESCE({_SUM_N}, 0) FROM rendering_flag_counts WHERE {carries}", wanted)
            planned = self._planned(filters, bool(filters.flag) and total <= _FLAG_SORTED_AT_MOST)
        else:
            planned = self._planned(filters)
            if planned.rows is planned.counted and planned.rows.grouping and limit and offset < COUNT_CAP:
                counted_with = self._grouped_page(filters, planned.rows, limit, offset)
                if counted_with is not None:
                    return counted_with
            total = self._listing_total(planned.counted, capped=offset < COUNT_CAP)
        if offset >= total:  # past the last row: answered without reading a row up to the offset
            return [], int(total)
        listing = planned.rows
        order = _LIST_ORDER_SQL[filters.listing][filters.order or LIST_ORDERS[filters.listing][0]]
        if filters.listing == "flags" and not any(narrowed) and offset + limit <= _FLAGGED_WALK:
            # the page's articles found first, then their flagged renderings only: joined to the articles
            # walked newest first, SQLite first filled a Bloom filter from every flagged rendering (40 ms a
            # page at 200,000 articles; the walk itself takes half a millisecond). Not with an outlet or
            # dates, whose flagged articles can be too sparse in the walk (slower, measured)
            among = self._newest_flagged_articles(filters, offset + limit)
            if among is not None:
                listing = listing.where(f"a.id IN ({', '.join('?' * len(among)) or 'NULL'})", parameters=among)
                return self._listing_rows(filters, listing.sql(), order, listing.parameters, limit, offset), int(total)
        if planned.key and planned.keyed:
            keyed = planned.keyed
            keys = replace(keyed, columns=planned.key).sql()
            page = f"{keys} ORDER BY {planned.key_order or order} LIMIT ? OFFSET ?"
            sql = f"SELECT {listing.columns} FROM {planned.by_key} WHERE {planned.key} IN ({page})"
            return self._listing_rows(filters, sql, order, (*keyed.parameters, limit, offset), None, 0), int(total)
        return self._listing_rows(filters, listing.sql(), order, listing.parameters, limit, offset), int(total)

    def _grouped_page(
        self, filters: ListFilters, listing: _Listing, limit: int, offset: int
    ) -> tuple[list[ListingRow], int] | None:
        """A page of a grouped listing that its total counts as it is (the speakers under an outlet or dates,
        the outlets under a year or a month) with that total, counted up to COUNT_CAP in the same statement:
        every group is made before the order is, so counting them again grouped them all twice (a third of a
        month's speakers page at a million articles). None for a page past the last, counted alone."""
        order = _LIST_ORDER_SQL[filters.listing][filters.order or LIST_ORDERS[filters.listing][0]]
        counted = replace(listing, columns=f"{listing.columns}, count(*) OVER () AS listed_total")
        rows = self._rows(f"{counted.sql()} ORDER BY {order} LIMIT ? OFFSET ?", (*counted.parameters, limit, offset))
        if not rows and offset:
            return None
        totals = [row.pop("listed_total") for row in rows]  # the same on every row
        total = min(int(str(totals[0])), COUNT_CAP + 1) if totals else 0
        return records_of(LIST_RECORDS[filters.listing], rows), total

    def _listing_total(self, counted: _Listing, *, capped: bool) -> int:
        """The rows of a listing, counted up to COUNT_CAP when `capped` (COUNT_CAP + 1 for more), else every
        one (a page past COUNT_CAP: so that a page past the last is known before a row is read, where its
        OFFSET walked and joined every row)."""
        limit = f" LIMIT {COUNT_CAP + 1}" if capped else ""
        return int(self._scalar(f"SELECT count(*) FROM ({counted.sql()}{limit}) AS listing", counted.parameters))

    def _listing_rows(
        self, filters: ListFilters, sql: str, order: str, parameters: Sequence[object], limit: int | None, offset: int
    ) -> list[ListingRow]:
        """The rows of a listing's query in its order (a page of `limit` from `offset`; all when None)."""
        paged = " LIMIT ? OFFSET ?" if limit is not None else ""
        arguments = (*parameters, limit, offset) if limit is not None else tuple(parameters)
        return records_of(LIST_RECORDS[filters.listing], self._rows(f"{sql} ORDER BY {order}{paged}", arguments))

    def _newest_flagged_articles(self, filters: ListFilters, wanted: int) -> list[str] | None:
        """The articles that hold the first `wanted` renderings of the flags listing (newest article first,
        ties by quote id): its newest `wanted` articles with a listed rendering, and every other article of
        the last one's date (each article holds at least one, so no older article's rendering can be
        among the first `wanted`). None when that date has more than _FLAGGED_WALK of them (undated ones)."""
        listing = _list_query(filters, "JOIN")  # not narrowed: its conditions read r, u and q only
        where = " AND ".join(("r.article_id = a.id", *listing.conditions))
        holds = f"EXISTS (SELECT 1 FROM renderings r {_RENDERING_JOINS} WHERE {where})"
        parameters = listing.parameters
        newest = self._execute(
            f"SELECT a.id, a.published FROM articles a WHERE {holds} ORDER BY {_NEWEST_FIRST} LIMIT ?",
            (*parameters, wanted),
        )
        rows = [(row[0], row[1]) for row in newest]  # by position: a PostgreSQL row iterates its names
        found = [str(article_id) for article_id, _ in rows]
        if len(rows) == wanted:
            last = rows[-1][1]
            same_day = "a.published IS NULL" if last is None else "a.published = ?"
            ties = self._execute(
                f"SELECT a.id FROM articles a WHERE {same_day} AND {holds} LIMIT {_FLAGGED_WALK + 1}",
                ([] if last is None else [last]) + list(parameters),
            )
            tied = [str(row[0]) for row in ties]
            if len(tied) > _FLAGGED_WALK:
                return None
            known = set(found)
            found += [article_id for article_id in tied if article_id not in known]
        return found

    def iter_list(self, filters: ListFilters) -> Iterator[ListingRow]:
        if replace(filters, order="") == ListFilters("speakers"):
            counted = self._speakers_in_columns(filters.order or LIST_ORDERS["speakers"][0])
            if counted is not None:
                return iter(counted)
        listing = self._planned(filters).rows
        order = _LIST_ORDER_SQL[filters.listing][filters.order or LIST_ORDERS[filters.listing][0]]
        make: Callable[..., ListingRow] = LIST_RECORDS[filters.listing]
        return (make(**row) for row in self._streamed(f"{listing.sql()} ORDER BY {order}", listing.parameters))

    def listing_outlets(self, filters: ListFilters, keys: Sequence[object]) -> ListingOutlets:
        joined, parameters = _listing_outlet_rows(filters, keys, self._ARTICLES_FIRST)
        rows_of: Counter[object] = Counter()
        outlets_of: dict[object, set[str]] = {}
        for key, outlet in self._value_rows(joined, parameters):
            rows_of[key] += 1
            outlets_of.setdefault(key, set()).add(str(outlet))
        counts = Counter(outlet for outlets in outlets_of.values() for outlet in outlets)
        ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:10]
        cut = any(n >= store_base.LISTING_FACET_PER_ROW for n in rows_of.values())
        return ListingOutlets([FacetCount(outlet, n) for outlet, n in ranked], cut)

    def _speakers_in_columns(self, order: str) -> list[ListingRow] | None:
        """Every speaker with its quotes, articles and outlets, in the listing's `order`, its articles and
        outlets counted in the process's columns and its quotes in the index of quotes by speaker (the
        listing's query looked up the article of each of a million quotes: 5.8 s of CPU at a million articles,
        counted when each server process starts); None when the store holds no columns now."""
        columns = self._facet_columns() if self._holds_columns() else None
        if columns is None:
            return None
        ids, articles, outlets = columns.per_speaker()
        quoted: dict[int, int] = {
            int(speaker): int(n)
            for speaker, n in self._value_rows(
                "SELECT speaker_id, count(*) FROM quotes WHERE speaker_id IS NOT NULL GROUP BY speaker_id"
            )
        }
        places = {speaker: place for place, speaker in enumerate(ids.tolist())}
        n_articles, n_outlets = articles.tolist(), outlets.tolist()
        rows: list[SpeakerListing] = []
        for speaker, name, kind, aliases, roles in self._value_rows(
            "SELECT id, name, kind, aliases, roles FROM speakers"
        ):
            place = places.get(speaker)
            counts = (n_articles[place], n_outlets[place]) if place is not None else (0, 0)
            rows.append(SpeakerListing(speaker, name, kind, aliases, roles, int(quoted.get(speaker, 0)), *counts))
        if order == "outlets":
            rows.sort(key=lambda row: (-row.n_outlets, -row.n_quotes, row.name))
        else:
            rows.sort(key=lambda row: (-row.n_quotes, row.name))
        return list[ListingRow](rows)

    def speaker_ids(self, names: Sequence[str]) -> dict[str, int]:
        rows = self._rows_for_ids("SELECT id, name FROM speakers WHERE name IN ({marks})", names)
        return {str(row["name"]): int(str(row["id"])) for row in rows}

    def speaker(self, speaker_id: int) -> SpeakerSummary | None:
        row = self._one(f"SELECT {columns_of(SpeakerSummary)} FROM speaker_stats WHERE id = ?", (speaker_id,))
        return _speaker_summary(row) if row else None

    def page_utterances_of(self, speaker_id: int, limit: int, offset: int) -> tuple[list[StoredUtterance], int]:
        total = int(self._scalar("SELECT count(*) FROM utterances WHERE speaker_id = ?", (speaker_id,)))
        if offset >= total:  # past the last: not walked to its offset
            return [], total
        rows = self._rows(
            f"SELECT {_STORED_UTTERANCE} FROM utterances WHERE speaker_id = ? "
            "ORDER BY first_seen IS NULL, first_seen, id LIMIT ? OFFSET ?",
            (speaker_id, limit, offset),
        )
        return records_of(StoredUtterance, rows), total

    def article(self, article_id: str) -> StoredArticle | None:
        row = self._one(f"SELECT {columns_of(StoredArticle)} FROM articles WHERE id = ?", (article_id,))
        return record_of(StoredArticle, row)

    def entities_of(self, article_id: str) -> list[EntitySpan]:
        rows = self._rows(
            f"SELECT {columns_of(EntitySpan)} FROM entities WHERE article_id = ? ORDER BY start", (article_id,)
        )
        return records_of(EntitySpan, rows)

    def outlets(self) -> list[OutletSummary]:
        rows = self._rows(
            f"SELECT outlet, {_SUM_N} AS n_articles FROM article_counts WHERE outlet <> '' "
            "GROUP BY outlet HAVING sum(n) > 0 ORDER BY n_articles DESC, outlet"
        )
        return [OutletSummary(str(row["outlet"]), int(str(row["n_articles"]))) for row in rows]

    def story(self, story_id: str) -> StorySummary | None:
        row = self._one(f"SELECT {_STORY_SUMMARY} FROM stories WHERE id = ?", (story_id,))
        return _story_summary(row) if row else None

    def articles_where(self, *, story_id: str | None = None, outlet: str | None = None) -> list[ArticleSummary]:
        column, value = ("story_id", story_id) if story_id is not None else ("outlet", outlet)
        rows = self._rows(
            f"SELECT {columns_of(ArticleSummary)} FROM articles "
            f"WHERE {column} = ? ORDER BY published IS NULL, published, id",
            (value,),
        )
        return records_of(ArticleSummary, rows)

    def quotes_of(self, article_ids: Sequence[str]) -> list[StoredQuote]:
        rows = self._rows_for_ids(
            f"SELECT {columns_of(StoredQuote, 'q', computed=('speaker_name',))}, "
            f"{_QUOTE_SPEAKER_NAME} AS speaker_name FROM quotes q "
            "LEFT JOIN speakers s ON s.id = q.speaker_id WHERE q.article_id IN ({marks}) "
            "ORDER BY q.article_id, q.cue_start",
            article_ids,
        )
        return records_of(StoredQuote, rows)

    def speaker_names_of(self, article_ids: Sequence[str]) -> list[str | None]:
        names: list[str | None] = []
        for first in range(0, len(article_ids), 500):  # as `_rows_for_ids` asks for quotes_of's rows
            chunk = list(article_ids[first : first + 500])
            names += [
                _text_or_none(row[0])
                for row in self._value_rows(
                    f"SELECT {_QUOTE_SPEAKER_NAME} FROM quotes q LEFT JOIN speakers s ON s.id = q.speaker_id "
                    f"WHERE q.article_id IN ({', '.join('?' * len(chunk))}) ORDER BY q.article_id, q.cue_start",
                    chunk,
                )
            ]
        return names

    def markers_of(self, article_ids: Sequence[str]) -> list[StoredMarker]:
        rows = self._rows_for_ids(
            f"SELECT {columns_of(StoredMarker)} FROM framing_markers WHERE article_id IN ({{marks}}) "
            "ORDER BY article_id, start",
            article_ids,
        )
        return records_of(StoredMarker, rows)

    def outlet_framing(self, outlet: str, evidence_per_choice: int) -> OutletFraming:
        """Kept for the process until the database changes (`RECENT_OUTLETS`): the page and its twin, and
        each page of its articles, are asked for separately (seconds each for the largest outlets)."""
        key = (self.where, self.data_version(), outlet, evidence_per_choice)
        if key[1] is None:
            return self._read_outlet_framing(outlet, evidence_per_choice)
        return RECENT_OUTLETS.get(key, lambda: self._read_outlet_framing(outlet, evidence_per_choice))

    def _read_outlet_framing(self, outlet: str, evidence_per_choice: int) -> OutletFraming:
        articles = self._one(_OUTLET_ARTICLE_COUNTS, (outlet,))
        assert articles is not None
        markers = tuple(
            (str(category), _text_or_none(referent), str(marker), int(n))
            for category, referent, marker, n in self._value_rows(_OUTLET_MARKERS, (outlet,))
        )
        names_per_month = tuple(
            (_text_or_none(referent), str(marker), str(month), int(n))
            for referent, marker, month, n in self._value_rows(_OUTLET_NAMES_PER_MONTH, (outlet,))
        )
        return OutletFraming(
            n_articles=int(str(articles["n_articles"])),
            n_stories=self._outlet_stories(outlet),
            first_published=_text_or_none(articles["first_published"]),
            last_published=_text_or_none(articles["last_published"]),
            markers=markers,
            names_per_month=names_per_month,
            speakers=self._outlet_speakers(outlet),
            evidence=tuple(
                (str(category), _text_or_none(referent), str(marker), str(article_id), str(text), int(start), int(end))
                for category, referent, marker, article_id, text, start, end in self._value_rows(
                    _OUTLET_EVIDENCE, (outlet, OUTLET_EVIDENCE_ARTICLES, evidence_per_choice)
                )
            ),
        )

    def _outlet_speakers(self, outlet: str) -> tuple[tuple[str, int], ...]:
        """An outlet's quotes per speaker name, most first, then by name: as counted per speaker id (schema
        30), then named; the quotes of no speaker id per the name they hold. A speaker id naming no speaker
        (the linker leaves none) is not counted."""
        per_id: dict[int, int] = {}
        named: Counter[str] = Counter()
        for speaker_id, name, n in self._value_rows(_OUTLET_QUOTES_PER_SPEAKER, (outlet,)):
            if speaker_id:
                per_id[int(speaker_id)] = int(n)
            else:
                named[str(name)] += int(n)
        for speaker_id, name in self._speaker_names(list(per_id)).items():
            if name:
                named[name] += per_id[speaker_id]
        return tuple(sorted(named.items(), key=lambda item: (-item[1], item[0])))

    def _outlet_stories(self, outlet: str) -> int:
        """The stories an outlet's articles are in: from the held columns when the process has them, else
        counted from an index (`_OUTLET_STORIES`)."""
        columns = self._facet_columns()
        if columns is not None and outlet in columns.values["outlet"].codes:
            return len([story for story in columns.tally("story", columns.rows_of("outlet", outlet)) if story])
        return int(self._scalar(_OUTLET_STORIES, (outlet, outlet)))

    def page_outlet_articles(self, outlet: str, limit: int, offset: int) -> list[ArticleSummary]:
        """The dated articles in date order from the index on (outlet, published), then the undated ones (in
        one order, `published IS NULL` first, the largest outlet's 99,000 were sorted for every page)."""
        columns = columns_of(ArticleSummary)
        rows = self._rows(
            f"SELECT {columns} FROM articles WHERE outlet = ? AND published IS NOT NULL "
            "ORDER BY published, id LIMIT ? OFFSET ?",
            (outlet, limit, offset),
        )
        if len(rows) < limit:
            dated = int(
                self._scalar("SELECT count(*) FROM articles WHERE outlet = ? AND published IS NOT NULL", (outlet,))
            )
            rows += self._rows(
                f"SELECT {columns} FROM articles WHERE outlet = ? AND published IS NULL ORDER BY id LIMIT ? OFFSET ?",
                (outlet, limit - len(rows), max(0, offset - dated)),
            )
        return records_of(ArticleSummary, rows)

    def _rows_for_ids(
        self, sql: str, ids: Sequence[object], leading: Sequence[object] = (), trailing: Sequence[object] = ()
    ) -> list[dict[str, object]]:
        """Rows of `sql`, whose `{marks}` takes the ids (between the `leading` and `trailing` parameters),
        asked for 500 ids at a time."""
        found: list[dict[str, object]] = []
        for first in range(0, len(ids), 500):
            chunk = list(ids[first : first + 500])
            found += self._rows(sql.format(marks=", ".join("?" * len(chunk))), (*leading, *chunk, *trailing))
        return found

    def iter_rows(self, table: str, include_text: bool = False) -> Iterator[TableRow]:
        if table not in EXPORT_COLUMNS:
            raise StoreError(f"no table {table!r}; choose one of: {', '.join(EXPORT_COLUMNS)}")
        columns = EXPORT_COLUMNS[table] + (("text",) if include_text and table == "articles" else ())
        order = _ORDER_BY.get(table) or self._ROWID_ALIASES.get(table, "rowid")
        quoted = ", ".join(f'"{column}"' for column in columns)
        relation = _RELATION.get(table, table)
        return self._streamed(f"SELECT {quoted} FROM {relation} ORDER BY {order}", ())

    def search(self, query: str, limit: int = 20, offset: int = 0) -> list[SearchHit]:
        filters = SearchFilters(query)
        relation = self._search_relation(filters)
        return self._search_hits(filters, relation, limit, offset) if relation.expression else []

    def count_rows(self) -> dict[str, int]:
        return {table: int(self._scalar(f"SELECT count(*) FROM {table}")) for table in _COUNTED_TABLES}


class _FirstMatches(NamedTuple):
    """A search's first matches, a column per field (in their order): what its page, facets and chart read."""

    rowids: tuple[int, ...]
    ids: tuple[str, ...] | None  # the article ids; None when the facet keys were looked up in the process
    outlets: Sequence[str | None]
    languages: Sequence[str | None]
    days: Sequence[str | None]  # YYYY-MM-DD
    story_ids: Sequence[str | None]
    speakers: Counter[str] | None  # the matches quoting each speaker (by id, as text); None: not read yet
    flag_sets: Counter[int] | None  # the matches per set of flag bits (CHECKED_FLAGS), none left out
    # words alone: the best ranked of them read with their rank, as (rank, rowid) best first (the smallest
    # rank; ties by rowid), at least BEST_READ of them or every one; else None
    best: tuple[tuple[float, int], ...] | None
    # the matches as rows of the process's columns, when their keys were looked up there: what is counted of
    # them is counted over the columns' codes (`store.sampled`), and the fields above decoded only if read
    coded: CodedSample | None = None

    @classmethod
    def of_coded(
        cls, rowids: tuple[int, ...], coded: CodedSample, best: tuple[tuple[float, int], ...] | None
    ) -> _FirstMatches:
        """Of matches looked up in the columns: their text fields decoded when first read, their speakers and
        flags counted when asked (`store.sampled`)."""
        outlets, languages = DecodedColumn(coded, "outlet"), DecodedColumn(coded, "language")
        days, stories = DecodedColumn(coded, "day"), DecodedColumn(coded, "story")
        return cls(rowids, None, outlets, languages, days, stories, None, None, best, coded)

    def ranks(self, wanted: int) -> bool:
        """Whether the `wanted` best ranked of the matches were read (all of them when there are fewer)."""
        return self.best is not None and len(self.best) >= min(wanted, len(self.rowids))

    @classmethod
    def of_rows(cls, rows: Sequence[Sequence[Any]]) -> _FirstMatches:
        """From rows of (rowid, id, outlet, language, day, story, speakers, flags), the last two None when not
        read (then read from the facet keys when the facets need them)."""
        if not rows:
            return cls((), (), (), (), (), (), Counter(), Counter(), None)
        rowids, ids, outlets, languages, days, stories, speakers, flags = zip(*rows, strict=True)
        read = all(flag is not None for flag in flags)
        return cls(
            rowids, ids, outlets, languages, days, stories,
            _speakers_counted(speakers) if read else None,
            Counter([int(bits) for bits in flags if bits]) if read else None,
            None,
        )  # fmt: skip


def _speakers_counted(texts: Iterable[str | None]) -> Counter[str]:
    """The articles per speaker id of facet keys' speakers (ids, comma-separated, each once an article),
    counted in C: every id in one list."""
    speakers = Counter(",".join([text for text in texts if text]).split(","))
    speakers.pop("", None)
    return speakers


class _ColumnFacets(NamedTuple):
    """The facets of a search counted from the articles' own columns."""

    outlet: tuple[FacetCount, ...]
    language: tuple[FacetCount, ...]
    dates: DateSpan


# The facets of a search counted through other tables: speakers, stories, flags.
_JoinedFacets = tuple[tuple[SpeakerCount, ...], tuple[StoryCount, ...], tuple[FacetCount, ...]]


def _column_facets(found: Mapping[str, Sequence[Sequence[Any]]], dates: DateSpan) -> _ColumnFacets:
    """The outlet and language facets of their queries' rows (value, n), with the span of days."""
    outlets, languages = (tuple(FacetCount(*row) for row in found[name]) for name in ("outlet", "language"))
    return _ColumnFacets(outlets, languages, dates)


class _Selection:
    """A search without words in the process's columns (`SQLStore._column_selection`): its matches as its
    SQL finds them (`rows`) and, for a search the article counts total (`counted_by_store`), as those
    count them (`counted`, `counts`), each found only when first asked for. Its total, facets and chart are
    counted from the counts the columns hold per (language, day, outlet) when they can, and its newest
    matches found by walking every article newest first when they are many (`newest`), so that a language's
    or a flag's tens of thousands of rows are never gathered (counts25)."""

    def __init__(
        self,
        columns: FacetColumns,
        equal: dict[str, str],
        flag_bit: int,
        days: Callable[[str | None], bool] | None,
        speakers: list[Collection[int]],
        counted_by_store: bool,
        counted_days: Callable[[str | None], bool] | None,
    ) -> None:
        self.columns = columns
        self.equal, self.flag_bit, self.days, self.speakers = equal, flag_bit, days, speakers
        self.counted_by_store = counted_by_store
        self._counted_days = counted_days  # None: every match the SQL finds is counted
        self._rows: IntArray | None = None
        self._counts: CountedSlice | bool | None = False  # False: not asked yet

    def rows(self) -> IntArray:
        """The matches as the search's SQL finds them, by rowid (ascending)."""
        if self._rows is None:
            columns = self.columns
            if self.speakers:
                self._rows = columns.matching(self.equal, self.flag_bit, self.days, self.speakers)
            else:
                self._rows = columns.indexed_matching(self.equal, self.flag_bit, self.days)
        return self._rows

    def counted(self) -> IntArray:
        """The matches as the article counts count them (a search they total only)."""
        rows = self.rows()
        return rows if self._counted_days is None else self.columns.with_days(rows, self._counted_days)

    def counts(self) -> CountedSlice | None:
        """The counted matches per (language, day, outlet), from the columns' counts; None when they cannot
        give them (a story, or no counts held)."""
        if self._counts is False:
            found = None
            if self.counted_by_store:
                days = self._counted_days
                if days is not None and self.days is not None:
                    days = _both(self.days, days)
                found = self.columns.counted(self.equal, days)
            self._counts = found
        return self._counts if isinstance(self._counts, CountedSlice) else None

    def language_days(self) -> tuple[IntArray, list[str | None], IntArray] | None:
        """The dated matches the article counts count, per day and language, from the columns' counts
        (`FacetColumns.language_days`); None as for `counts`."""
        if not self.counted_by_store:
            return None
        days = self._counted_days
        if days is not None and self.days is not None:
            days = _both(self.days, days)
        return self.columns.language_days(self.equal, days)

    def counted_total(self) -> int:
        counts = self.counts()
        return counts.total() if counts is not None else len(self.counted())

    def flag_total(self) -> int:
        """The total of a search for a flag alone."""
        total = self.columns.flag_total(self.flag_bit) if not (self.equal or self.days or self.speakers) else None
        return total if total is not None else len(self.rows())

    def newest(self, n: int) -> IntArray | None:
        """The newest `n` matches in order, walking every article newest first, when the matches are known
        to be at least `_WALKED_SHARE` of the articles without finding them (a search the counts total, or a
        flag alone), and no article lacks its place; else None."""
        if self.speakers or self._rows is not None:
            return None
        counts = self.counts()
        if counts is not None:
            expected = counts.total()
        elif self.flag_bit and not (self.equal or self.days):
            expected = self.flag_total()
        else:
            return None
        held = self.columns.held_counts()
        if held is None or expected * _WALKED_SHARE < held.articles:
            return None
        return self.columns.newest_matching(self.equal, self.flag_bit, self.days, n, expected)


def _both(first: Callable[[str | None], bool], second: Callable[[str | None], bool]) -> Callable[[str | None], bool]:
    """A test of days passing both tests."""

    def passes(day: str | None) -> bool:
        return first(day) and second(day)

    return passes


def _facets_of_selection(selection: _Selection, limit: int) -> _ColumnFacets:
    """The outlet and language facets and the date span of a search the article counts total, from the
    counts the columns hold, else from its rows (`_facets_in_columns`)."""
    columns, counts = selection.columns, selection.counts()
    if counts is None:
        return _facets_in_columns(columns, selection.counted(), limit)
    days = [day for day in columns.count_days(counts) if day]
    return _ColumnFacets(
        _ranked(columns.count_tally("outlet", counts), limit),
        _ranked(columns.count_tally("language", counts), limit),
        DateSpan(min(days, default=None), max(days, default=None)),
    )


# A search without words finds its newest matches by walking every article newest first when they are at
# least one in this many articles (a stretch of some 100,000 articles for 1,000 of them), else from its rows.
_WALKED_SHARE = 100
# The most rows of the latest days a search without words has the database order to find its newest.
_ORDERED_AT_MOST = 20_000
# The Monday of each day's week as SQLite's date functions name it (`_periods_of`).
_WEEK_STARTS: dict[str, str | None] = {}


def _EVERY_DAY(day: str | None) -> bool:
    """No date bound: every article, dated or not."""
    return True


def _counted_day(day: str | None) -> bool:
    """A day the article counts count under a date bound (a missing or empty date is counted as '')."""
    return bool(day)


def _counted_days(date_to: str | None) -> Callable[[str | None], bool]:
    """Of the days a dated search's SQL finds (`_days_test`), those the article counts count: a missing or
    empty date is counted as '' and left out, and the end is compared with the day itself."""

    def counted(day: str | None) -> bool:
        return bool(day) and (not date_to or str(day) <= date_to)

    return counted


def _days_test(date_from: str | None, date_to: str | None) -> Callable[[str | None], bool] | None:
    """Whether an article's day (the first ten characters of its date) passes the search's bounds on its
    date exactly as `published >= date_from` and `_until`'s bound on `published` do: a text is at or after
    a bound of at most ten characters exactly when its first ten are, and before a day exactly when its
    first ten are. None when a bound is past that (longer, or a ten-character end that is no day)."""
    if not date_from and not date_to:
        return _EVERY_DAY
    after = day_after(date_to) if date_to else None
    if (date_from and len(date_from) > 10) or (date_to and after is None and len(date_to) >= 10):
        return None

    def passes(day: str | None) -> bool:
        if day is None or (date_from and day < date_from):
            return False
        if after is not None:
            return day < after
        return not date_to or day <= date_to

    return passes


def _facets_in_columns(columns: FacetColumns, rows: IntArray, limit: int) -> _ColumnFacets:
    """The outlet and language facets and the date span of matches the article counts would count, as
    `_counted_column_facets` sums them, counted in the columns."""
    days = [day for day in columns.days_of(rows) if day]
    return _ColumnFacets(
        _ranked(columns.tally("outlet", rows), limit),
        _ranked(columns.tally("language", rows), limit),
        DateSpan(min(days, default=None), max(days, default=None)),
    )


_STORY_SUMMARY = "id, title, first_seen, last_seen, n_articles, n_outlets"
RecordT = TypeVar("RecordT")


def columns_of(record: type, table: str = "", computed: Sequence[str] = ()) -> str:
    """The select list of a read record: its fields as columns (of `table` when given), quoted (`end` is a
    keyword), less the `computed` ones the query adds itself."""
    prefix = f"{table}." if table else ""
    return ", ".join(f'{prefix}"{item.name}"' for item in fields(record) if item.name not in computed)


def records_of(make: Callable[..., RecordT], rows: Sequence[Mapping[str, Any]]) -> list[RecordT]:
    """Rows whose columns are named as the record's fields, as records."""
    return [make(**row) for row in rows]


def record_of(make: Callable[..., RecordT], row: Mapping[str, Any] | None) -> RecordT | None:
    """A row whose columns are named as the record's fields as the record, or None for no row."""
    return make(**row) if row is not None else None


def _story_summary(row: Mapping[str, Any]) -> StorySummary:
    return StorySummary(
        str(row["id"]), row["title"], row["first_seen"], row["last_seen"], int(row["n_articles"]), int(row["n_outlets"])
    )


# What the trails stage reads of a quote (`TrailQuote`), `{join}` the renderings (JOIN: grouped quotes only).
_TRAIL_QUOTE = (
    "SELECT q.id AS quote_id, q.article_id, a.outlet, a.published, a.story_id, a.duplicate_of, a.language, "
    "q.speaker_id, COALESCE(s.name, q.speaker) AS speaker, q.kind, q.content_text, q.content_fragments, "
    # the article's text only where the content comes in pieces, to read each piece from it
    "CASE WHEN json_array_length(q.content_fragments) > 1 THEN a.text END AS article_text, "
    "r.utterance_id, u.recurs_from "
    "FROM quotes q JOIN articles a ON a.id = q.article_id LEFT JOIN speakers s ON s.id = q.speaker_id "
    "{join} renderings r ON r.quote_id = q.id LEFT JOIN utterances u ON u.id = r.utterance_id"
)
_TRAIL_QUOTE_ORDER = "a.published IS NULL, a.published, q.id"
# One key's latest utterances (`utterance_key_postings`): a range of the (key, utterance_id) primary key.
_KEY_POSTING = (
    "SELECT * FROM (SELECT key, utterance_id FROM utterance_keys WHERE key = ? "
    "ORDER BY utterance_id DESC LIMIT ?) AS k{}"
)
# One speaker's latest utterances (`speaker_utterances`): a range of the partial (speaker_id, utterance_id)
# index of the rows an utterance speaks with.
_SPOKEN_BY = (
    "SELECT * FROM (SELECT speaker_id, utterance_id FROM utterance_speakers WHERE speaker_id = ? AND speaks = 1 "
    "ORDER BY utterance_id DESC LIMIT ?) AS s{}"
)
# The utterances a speaker opened from a day on (`speaker_utterances`' `since`): the same index, ascending.
_SPOKEN_SINCE = (
    "SELECT * FROM (SELECT speaker_id, utterance_id FROM utterance_speakers WHERE speaker_id = ? AND speaks = 1 "
    "AND utterance_id >= ? ORDER BY utterance_id LIMIT ?) AS r{}"
)
# A speaker's next language (`_speaker_languages`): the first key of the primary key's range after the last.
_NEXT_LANGUAGE = (
    "SELECT * FROM (SELECT speaker_id, language FROM utterance_speakers WHERE speaker_id = ? AND language {1} ? "
    "ORDER BY language LIMIT 1) AS l{0}"
)
# Who renders each utterance (`utterance_speakers`, the migration that made it fills it the same way): a row
# per speaker and article language of its renderings, `speaks` on its earliest rendering's (date, then quote
# id: the order `trail_quotes` gives, in which the trails stage takes an utterance's speaker).
_UTTERANCE_SPEAKERS = (
    "INSERT INTO utterance_speakers(speaker_id, language, utterance_id, speaks) "
    "SELECT speaker_id, language, utterance_id, max(earliest) FROM ("
    "SELECT q.speaker_id, COALESCE(a.language, '') AS language, r.utterance_id, CASE WHEN row_number() OVER ("
    f"PARTITION BY r.utterance_id ORDER BY {_TRAIL_QUOTE_ORDER}) = 1 THEN 1 ELSE 0 END AS earliest "
    "FROM renderings r JOIN quotes q ON q.id = r.quote_id JOIN articles a ON a.id = q.article_id "
    "WHERE q.speaker_id IS NOT NULL{where}) AS rendered GROUP BY speaker_id, language, utterance_id"
)
_STORED_UTTERANCE = ", ".join(f"utterances.{field.name}" for field in fields(StoredUtterance))
_RENDERING = columns_of(StoredRendering, "r")


def _stored_utterance(row: Mapping[str, Any]) -> StoredUtterance:
    return StoredUtterance(**row)


def _translation_row(row: Mapping[str, Any]) -> TranslationRow:
    pairs = json.loads(str(row["sentence_pairs"]))
    return TranslationRow(row["article_id"], row["source_article_id"], row["similarity"], row["coverage"], pairs)


def _speaker_summary(row: Mapping[str, Any]) -> SpeakerSummary:
    aliases, roles = json.loads(str(row["aliases"])), json.loads(str(row["roles"]))
    counts = int(row["n_quotes"]), int(row["n_articles"])
    return SpeakerSummary(int(row["id"]), str(row["name"]), tuple(aliases), tuple(roles), *counts, str(row["kind"]))


def _newest_candidates(first: _FirstMatches, end: int) -> list[int]:
    """The rowids of the first matches that can be among their `end` newest: those dated on or after the
    day of the `end`-th newest (the database orders them exactly), or all when some must be undated or a
    day is no ISO date (its order in the database's collation is not the one here). Ordering the 1,000
    first matches of a word by date in the database took 0.6 ms, their 30 or so newest 0.07 ms."""
    if first.coded is not None:
        return sample_counts.newest_candidates(first.coded, end, _is_iso_day)
    if len(first.rowids) <= end or any(day is not None and not _ISO_DAY.fullmatch(day) for day in first.days):
        return list(first.rowids)
    dated = sorted((day for day in first.days if day is not None), reverse=True)
    if len(dated) < end:
        return list(first.rowids)
    last = dated[end - 1]
    return [rowid for rowid, day in zip(first.rowids, first.days, strict=True) if day is not None and day >= last]


def _is_iso_day(day: str) -> bool:
    return bool(_ISO_DAY.fullmatch(day))


def matched_by_id(filters: SearchFilters) -> bool:
    """Whether the search's matches are named by id (a flag's or a speaker's articles), as an index on
    (id, published) gives them with their order, without reading the articles."""
    return bool(filters.flag or filters.speaker_id is not None or filters.speaker_name)


def _flag_facet(bit_sets: Counter[int], limit: int) -> tuple[FacetCount, ...]:
    """The flag facet of matches counted per set of flag bits (CHECKED_FLAGS)."""
    flags: Counter[str | None] = Counter()
    for bits, n in bit_sets.items():
        flags.update({flag: n for bit, flag in enumerate(CHECKED_FLAGS) if bits >> bit & 1})
    return _ranked(flags, limit)


def _tallied(values: Sequence[str | None], limit: int) -> tuple[FacetCount, ...]:
    """Facet rows: the commonest `limit` values, ties by value with None first (as the SQL orders them)."""
    return _ranked(Counter(values), limit)


def _ranked(counted: Counter[str | None], limit: int) -> tuple[FacetCount, ...]:
    """Facet rows of counted values, as `_tallied` orders them."""
    # only the values that can be shown are sorted by the facet's order; of those counted as often as the
    # last shown (often most of them: a story or an outlet among 1,000 matches), the first by value alone,
    # sorted as plain strings (a key function called for each of some 700 values was most of a facet)
    least = sorted(counted.values(), reverse=True)[limit - 1] if len(counted) > limit else 0
    above = sorted(((value, n) for value, n in counted.items() if n > least), key=_facet_order)
    tied = _none_first([value for value, n in counted.items() if n == least])[: limit - len(above)]
    return tuple(FacetCount(value, n) for value, n in (*above, *((value, least) for value in tied)))


def _facet_order(item: tuple[str | None, int]) -> tuple[int, bool, str]:
    """Most counted first, then None, then by value (as the SQL orders facets)."""
    value, n = item
    return -n, value is not None, value or ""


def _minus_count(item: tuple[str, int]) -> int:
    return -item[1]


def _day_period(bucket: str) -> Callable[[str], str | None]:
    """`_period_of` for a whole ISO day (the characters naming its period kept: all ten for a day or a
    week, or an unknown bucket), as a sample's attention counts its matches' days."""
    keep = PERIOD_STARTS[bucket][0] if bucket in PERIOD_STARTS else 10
    return lambda day: _period_of(day[:keep], bucket)


def _attention_rows(days: Sequence[str | None], outlets: Sequence[str | None], bucket: str) -> list[PeriodCount]:
    """Dated articles per day, week (from its Monday), month or year (from its first day) and outlet,
    ordered by period then outlet (None first in each, as the SQL orders them)."""
    # counted in C by the characters of the day that name the period (all ten for a day or a week); each
    # of those named once; then the periods sorted, and each period's outlets: a `_period_of` call per
    # match, and one sort of every (period, outlet) pair by a key function, took a millisecond or two
    keep = PERIOD_STARTS[bucket][0]
    by_prefix = Counter([(day[:keep], outlet) for day, outlet in zip(days, outlets, strict=True) if day is not None])
    periods = {prefix: _period_of(prefix, bucket) for prefix in {prefix for prefix, _ in by_prefix}}
    by_period: dict[str | None, dict[str | None, int]] = {}
    for (prefix, outlet), n in by_prefix.items():
        per_outlet = by_period.setdefault(periods[prefix], {})
        per_outlet[outlet] = per_outlet.get(outlet, 0) + n  # several days make one week
    return [
        PeriodCount(period, outlet, per_outlet[outlet])
        for period in _none_first(by_period)
        for per_outlet in (by_period[period],)
        for outlet in (_none_first(per_outlet) if len(per_outlet) > 1 else per_outlet)
    ]


def _none_first(values: Collection[str | None]) -> list[str | None]:
    """The values sorted, None (if there) first: strings alone sort without a key function."""
    texts = sorted(value for value in values if value is not None)
    return [None, *texts] if len(texts) < len(values) else [*texts]


def _period_of(day: str, bucket: str) -> str | None:
    """The first day of the `bucket` (day, week, month or year) of an ISO day (or of its first seven or
    four characters for a month or a year), as `SQLStore._period` names it."""
    if bucket == "week":
        return _week_of(day)
    if bucket == "day":
        return day
    keep, first = PERIOD_STARTS[bucket]
    return day[:keep] + first


@lru_cache(maxsize=1 << 14)  # a day's Monday never changes; 16,384 days are 45 years
def _week_of(day: str) -> str | None:
    """The Monday of the week of an ISO day (None for a day that is no date, as SQLite's date() says)."""
    try:
        parsed = date.fromisoformat(day)
    except ValueError:
        return None
    return (parsed - timedelta(days=parsed.weekday())).isoformat()


def _article_counts_where(filters: SearchFilters) -> tuple[str, list[object]] | None:
    """The WHERE over `article_counts` that selects the search's matches (from " WHERE"), and its
    parameters; None when the counts cannot say (words, a speaker, a story, a flag, or a date that is
    not a day written YYYY-MM-DD)."""
    if not counted_by_store(filters):
        return None
    conditions, parameters = ["n > 0"], list[object]()
    for clause, value in (("outlet = ?", filters.outlet), ("language = ?", filters.language)):
        if value:
            conditions.append(clause)
            parameters.append(value)
    if filters.date_from or filters.date_to:
        conditions.append("day <> ''")
    if filters.date_from:
        conditions.append("day >= ?")
        parameters.append(filters.date_from)
    if filters.date_to:  # the whole day, the articles with a time of day too
        conditions.append("day <= ?")
        parameters.append(filters.date_to)
    return " WHERE " + " AND ".join(conditions), parameters


def _until(column: str, date_to: str | None) -> tuple[str, str | None]:
    """The condition (and its parameter) that `column` is no later than `date_to`. A day (YYYY-MM-DD)
    includes all of itself: "2024-07-10T10:00" sorts after "2024-07-10", so the bound is the next day."""
    next_day = day_after(date_to) if date_to else None
    return (f"{column} < ?", next_day) if next_day else (f"{column} <= ?", date_to)


def day_after(value: str) -> str | None:
    """The day after `value` if it is a day written YYYY-MM-DD, else None."""
    if len(value) != 10:
        return None
    try:
        return (date.fromisoformat(value) + timedelta(days=1)).isoformat()
    except ValueError:
        return None


def _syntax_error(filters: SearchFilters, error: Exception) -> SearchSyntaxError:
    return SearchSyntaxError(f"cannot understand the search {filters.text!r}: {error}")


# Each index listing: its rows before WHERE, what follows the WHERE (grouping), its orders, and the
# condition each filter adds (a `?` for each use of the value; `name` is added once per word, `%word%`).
@dataclass(frozen=True)
class _Listing:
    """An index listing's query in parts, so that callers can reorder its joins or add conditions without
    editing SQL text: SELECT columns FROM tables WHERE conditions grouping."""

    columns: str
    tables: str
    conditions: tuple[str, ...] = ()
    grouping: str = ""
    parameters: tuple[object, ...] = ()

    def sql(self) -> str:
        where = f" WHERE {' AND '.join(self.conditions)}" if self.conditions else ""
        return f"SELECT {self.columns} FROM {self.tables}{where}{self.grouping}"

    def where(self, *conditions: str, parameters: Sequence[object] = ()) -> _Listing:
        """The same listing narrowed by more conditions (with their parameters, in order)."""
        return replace(self, conditions=(*self.conditions, *conditions), parameters=(*self.parameters, *parameters))


# A flagged rendering's quote, utterance and article; the flags listing reads all four.
_RENDERING_JOINS = "JOIN utterances u ON u.id = r.utterance_id JOIN quotes q ON q.id = r.quote_id"
_LISTINGS = {
    "stories": _Listing("s.id, s.title, s.first_seen, s.last_seen, s.n_articles, s.n_outlets", "stories s"),
    "speakers": _Listing(
        "s.id, s.name, s.kind, s.aliases, s.roles, count(q.id) AS n_quotes, "
        "count(DISTINCT q.article_id) AS n_articles, count(DISTINCT a.outlet) AS n_outlets",
        "speakers s LEFT JOIN quotes q ON q.speaker_id = s.id LEFT JOIN articles a ON a.id = q.article_id",
        grouping=" GROUP BY s.id",
    ),
    "outlets": _Listing(
        "a.outlet, count(*) AS n_articles, min(a.published) AS first_published, max(a.published) AS last_published",
        "articles a",
        ("a.outlet IS NOT NULL",),
        grouping=" GROUP BY a.outlet",
    ),
    "utterances": _Listing("u.*", "utterances u"),
    "flags": _Listing(
        "r.utterance_id, r.quote_id, r.article_id, r.outlet, r.fidelity, r.diff, r.flags, a.published, "
        "a.title, u.speaker, u.speaker_id, u.canonical_text, q.content_text",
        f"renderings r JOIN articles a ON a.id = r.article_id {_RENDERING_JOINS}",
        (
            "r.flags <> '[]'",
            "EXISTS (SELECT 1 FROM json_each(r.flags) WHERE value IN "
            f"({', '.join(repr(flag) for flag in CHECKED_FLAGS)}))",
        ),
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
    "flags": {"date": "a.published DESC NULLS LAST, r.quote_id"},
}
_SPEAKER_IDS = "SELECT id FROM speakers WHERE name = ? COLLATE NOCASE"
# An outlet's page, summed in the database (`outlet_framing`): its articles, from the index on (outlet,
# published), ...
_OUTLET_ARTICLE_COUNTS = (
    "SELECT count(*) AS n_articles, min(NULLIF(published, '')) AS first_published, "
    "max(NULLIF(published, '')) AS last_published FROM articles WHERE outlet = ?"
)
# (read from the index on (outlet any case, story_id) alone: the index on outlet read each article's row, 0.9 s
# for the largest outlet of a million; the outlet as stored is compared again, in its case)
_OUTLET_STORIES = (
    "SELECT count(DISTINCT NULLIF(story_id, '')) FROM articles WHERE outlet = ? COLLATE NOCASE AND outlet = ?"
)
# ... its markers per (category, referent, marker), and its names and labels per month of the article, and
# its quotes per speaker id (0: none, then per the name the quote holds), as the triggers of schema 30 keep
# them (walking the largest outlet's markers and quotes, 99,000 articles of a million, took 1.2 s of CPU),
# in the order the walk grouped them (a missing referent or month first), ...
_MARKER_REFERENT = "CASE WHEN referent = '' THEN NULL ELSE substr(referent, 2) END AS referent_named"
_OUTLET_MARKERS = (
    f"SELECT category, {_MARKER_REFERENT}, marker, sum(n) AS n FROM outlet_marker_counts WHERE outlet = ? AND n > 0 "
    "GROUP BY category, referent, marker ORDER BY category, referent, marker"
)
_OUTLET_NAMES_PER_MONTH = (
    f"SELECT {_MARKER_REFERENT}, marker, substr(month, 2) AS month_named, n FROM outlet_marker_counts "
    "WHERE outlet = ? AND category IN ('naming', 'label') AND month <> '' AND n > 0 "
    "ORDER BY category, referent, marker, month"
)
_OUTLET_QUOTES_PER_SPEAKER = "SELECT speaker_id, speaker, n FROM outlet_quote_counts WHERE outlet = ? AND n > 0"
# ... and the first places (by article id and offset) of each verb, whatever its referent, and of each name of
# a referent, in its earliest dated articles only (from the index on (outlet, published): the first places
# among all its articles took a third walk).
_OUTLET_EVIDENCE = (
    'SELECT category, referent, marker, article_id, text, start, "end" FROM ('
    'SELECT f.category, f.referent, f.marker, f.article_id, f.text, f.start, f."end", row_number() OVER ('
    "PARTITION BY f.category, f.marker, CASE WHEN f.category IN ('naming', 'label') "
    "THEN COALESCE(NULLIF(f.referent, ''), '(unnamed)') ELSE '' END ORDER BY f.article_id, f.start, f.id) AS place "
    "FROM (SELECT id FROM articles WHERE outlet = ? AND published IS NOT NULL ORDER BY published, id LIMIT ?) AS a "
    "JOIN framing_markers f ON f.article_id = a.id "
    "WHERE f.category IN ('neutral', 'distancing', 'endorsing', 'naming', 'label')) AS placed "
    "WHERE place <= ? ORDER BY article_id, start"
)
_QUOTE_SPEAKER_NAME = "COALESCE(s.name, q.speaker)"  # a quote's speaker_name (quotes q LEFT JOIN speakers s)
# The speakers listing over the whole corpus (no outlet, no dates; `_planned_listing`): a page's speakers in
# its order by their quotes, counted in the index of quotes by speaker, and their outlets, counted from the
# quotes kept per outlet (schema 30), each speaker with none last (COALESCE: PostgreSQL puts a NULL first when
# descending); then the listed speakers' own counts (their articles through the index by speaker: an index on
# (speaker_id, article_id) would read them alone, 0.3 s less for the top 50 speakers of a million, but made
# re-pointing every quote at its speaker 45 s of CPU slower there). The same rows as the listing's join of
# every quote to its article (10.7 s of CPU for the CLI's first page at a million articles).
_SPEAKER_COUNTS = (
    "LEFT JOIN (SELECT speaker_id, count(*) AS n FROM quotes WHERE speaker_id IS NOT NULL GROUP BY speaker_id) "
    "AS qc ON qc.speaker_id = s.id "
    "LEFT JOIN (SELECT speaker_id, count(*) AS n FROM outlet_quote_counts WHERE speaker_id <> 0 AND n > 0 "
    "GROUP BY speaker_id) AS oc ON oc.speaker_id = s.id"
)
_SPEAKER_COUNTS_ORDER = {
    "quotes": "COALESCE(qc.n, 0) DESC, s.name",
    "outlets": "COALESCE(oc.n, 0) DESC, COALESCE(qc.n, 0) DESC, s.name",
}
_SPEAKER_QUOTES = "(SELECT count(*) FROM quotes q WHERE q.speaker_id = s.id)"
_SPEAKER_OUTLETS = "(SELECT count(*) FROM outlet_quote_counts o WHERE o.speaker_id = s.id AND o.n > 0)"
_NAMED_SPEAKERS_ORDER = {
    "quotes": f"{_SPEAKER_QUOTES} DESC, s.name",
    "outlets": f"{_SPEAKER_OUTLETS} DESC, {_SPEAKER_QUOTES} DESC, s.name",
}
_SPEAKERS_COUNTED = (
    f"s.id, s.name, s.kind, s.aliases, s.roles, {_SPEAKER_QUOTES} AS n_quotes, "
    "(SELECT count(DISTINCT q.article_id) FROM quotes q WHERE q.speaker_id = s.id) AS n_articles, "
    f"{_SPEAKER_OUTLETS} AS n_outlets"
)
# The flags listing's pages up to this far are read from their articles, found first (page_list).
_FLAGGED_WALK = 2000
# A flag (alone) on at most this many renderings has its listing's deep pages sorted from the flag's index
# rather than met in a walk of the articles newest first: of a million articles, 30,000 renderings
# altered a direct quote, one in 33 articles (a walk to page 500 met 330,000 articles: 2.2 s).
_FLAG_SORTED_AT_MOST = 40_000


def _flagged_articles(flag: str) -> str:
    """The articles with a rendering flagged `flag` (one of CHECKED_FLAGS), found through the partial
    index of renderings that carry that flag (schema 13), whose condition the query must repeat word for
    word: json_each over the 169,000 flagged renderings of a million articles took seconds."""
    if flag not in CHECKED_FLAGS:
        raise StoreError(f"no flag {flag!r}; choose one of: {', '.join(CHECKED_FLAGS)}")
    return f"SELECT r.article_id FROM renderings r WHERE r.flags LIKE '%\"{flag}\"%'"


def _flag_only(filters: SearchFilters) -> bool:
    """Whether the search asks for a flag and nothing else: its total is then summed from the articles
    counted per set of flags (a flag's 30,000 articles of a million, looked up one by one, took 56 ms;
    counted up to COUNT_CAP through its renderings, 12-14 ms; summed, well under a millisecond)."""
    return bool(filters.flag) and replace(filters, flag=None) == SearchFilters()


_LIST_CONDITIONS: dict[str, dict[str, str]] = {
    "stories": {
        "name": "s.title LIKE ? ESCAPE '\\'",
        "outlet": "s.id IN (SELECT story_id FROM articles WHERE outlet = ? COLLATE NOCASE)",
        "date_from": "s.last_seen >= ?",
        "date_to": "s.first_seen <= ?",
    },
    "speakers": {
        # the aliases one by one (their JSON text would match a typed quote, bracket or comma everywhere)
        "name": "(s.name LIKE ? ESCAPE '\\' OR "
        "EXISTS (SELECT 1 FROM json_each(s.aliases) WHERE value LIKE ? ESCAPE '\\'))",
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


def _quote_conditions(filters: SearchFilters) -> tuple[list[str], list[object]]:
    """What a quote must hold besides being in a matching article: each required search term's words
    in its quoted words (any case; of a clause with OR, any term's), and the filters' speaker as its own
    speaker. (A term excluded from the article is absent from its quotes too.)"""
    conditions: list[str] = []
    parameters: list[object] = []
    for clause in filters.query.required:
        alternatives = [" AND ".join(["q.content_text LIKE ? ESCAPE '\\'"] * len(term.words)) for term in clause]
        conditions.append("(" + " OR ".join(alternatives) + ")")
        parameters += [f"%{_like_escaped(word)}%" for term in clause for word in term.words]
    if filters.speaker_id is not None:
        conditions.append("q.speaker_id = ?")
        parameters.append(filters.speaker_id)
    if filters.speaker_name:
        conditions.append(f"q.speaker_id IN ({_SPEAKER_IDS})")
        parameters.append(filters.speaker_name)
    return conditions, parameters


def _list_query(filters: ListFilters, articles_first: str = "JOIN") -> _Listing:
    """The query (without ORDER BY) of an index listing under its filters.
    `articles_first` is the backend's join that keeps the articles as the outer loop (SQLite's CROSS JOIN)."""
    if filters.listing not in LIST_ORDERS:
        raise StoreError(f"no listing {filters.listing!r}; choose one of: {', '.join(LIST_ORDERS)}")
    if filters.order and filters.order not in LIST_ORDERS[filters.listing]:
        raise StoreError(f"{filters.listing} cannot be ordered by {filters.order!r}")
    listing = _LISTINGS[filters.listing]
    if filters.listing == "flags" and not (filters.name or filters.speaker):
        # newest articles first, each asked for its flagged renderings, until a page is full: 16 ms for
        # the first page of 169,000 flagged renderings, where sorting them all took 0.9 s. (Not with
        # words or a speaker, which a scan of every article by date would seldom meet.)
        listing = replace(
            listing, tables=f"articles a {articles_first} renderings r ON r.article_id = a.id {_RENDERING_JOINS}"
        )
    return _filtered(listing, filters)


def _filtered(listing: _Listing, filters: ListFilters) -> _Listing:
    """`listing` (one of _LISTINGS, its tables perhaps joined in another order) narrowed by the filters."""
    for name in LIST_FILTERS[filters.listing]:
        value = getattr(filters, name)
        values = [f"%{_like_escaped(word)}%" for word in str(value).split()] if name == "name" else [value]
        for one in values if value else []:
            clause = _LIST_CONDITIONS[filters.listing][name]
            if name == "date_to":  # "column <= ?"
                clause, one = _until(clause.removesuffix(" <= ?"), one)
            listing = listing.where(clause, parameters=[one] * clause.count("?"))
    return listing


class _PlannedListing(NamedTuple):
    """An index listing as read (`_planned_listing`): the same rows as `_list_query`'s, by other joins.

    `rows` reads a page; `counted` gives the rows its total counts (with fewer joins); with a `key` (a column
    naming a row) a page's keys are read from `keyed` in the listing's order first, then `rows` only for those
    (the rows' other joins made for twenty rows, not for every row before the sort)."""

    rows: _Listing
    counted: _Listing
    key: str | None = None
    keyed: _Listing | None = None
    by_key: str = ""  # the tables `rows` reads a page's rows from, by their keys
    key_order: str = ""  # the order `keyed` is read in, when not the listing's own (_LIST_ORDER_SQL)


# Conditions a backend adds to an index listing to reach its rows through its own indexes (`_index_narrowing`):
# each with its parameters.
Narrowing = Sequence[tuple[str, Sequence[object]]]


def _narrowed(listing: _Listing, narrowing: Narrowing) -> _Listing:
    for condition, parameters in narrowing:
        listing = listing.where(condition, parameters=parameters)
    return listing


def _planned_listing(
    filters: ListFilters, articles_first: str, few_flagged: bool = False, narrowing: Narrowing = ()
) -> _PlannedListing:
    """The listing's query driven from its filter's rows where a filter narrows it through an index, rather
    than walked whole: at a million articles the speakers of an outlet joined every quote to its article
    (no answer in 3 minutes), an outlet's flagged renderings walked every article (5-13 s), and the
    outlets listing grouped every article (1.6 s). `articles_first` as for `_list_query`; `few_flagged`:
    a flag alone whose renderings are few (at most _FLAG_SORTED_AT_MOST), read through their own index and
    sorted rather than met in a walk of the articles newest first (too sparse there for a deep page);
    `narrowing`: the backend's conditions (`SQLStore._index_narrowing`), on a listing not led by its articles."""
    plain = _narrowed(_list_query(filters, articles_first), narrowing)
    dated = bool(filters.date_from or filters.date_to)
    if filters.listing == "speakers" and (filters.outlet or dated):
        speakers = _speakers_of_articles(filters, articles_first)  # the articles lead: no narrowing
        return _PlannedListing(speakers, speakers)
    if filters.listing == "speakers":  # over the whole corpus: ordered by counts (schema 30), not every quote joined
        counted = replace(plain, columns="s.id", tables="speakers s", grouping="")
        rows = replace(counted, columns=_SPEAKERS_COUNTED)
        order = filters.order or "quotes"
        if filters.name:  # the speakers so named counted one by one, not every speaker's quotes grouped
            return _PlannedListing(rows, counted, "s.id", counted, "speakers s", _NAMED_SPEAKERS_ORDER[order])
        keyed = replace(counted, tables=f"speakers s {_SPEAKER_COUNTS}")
        return _PlannedListing(rows, counted, "s.id", keyed, "speakers s", _SPEAKER_COUNTS_ORDER[order])
    if filters.listing == "outlets" and all(len(day) == 10 for day in (filters.date_from, filters.date_to) if day):
        outlets = _outlets_counted(filters)
        return _PlannedListing(outlets, outlets)
    if filters.listing == "flags" and not (filters.name or filters.speaker):
        # neither words nor a speaker: the conditions read the renderings and articles only, so the
        # utterances and quotes are joined for the page's rows alone (every flagged rendering has both)
        first, then = ("renderings r", "articles a ON a.id = r.article_id")
        if not (filters.outlet or few_flagged):  # newest articles first (see `_list_query`)
            first, then = ("articles a", "renderings r ON r.article_id = a.id")
        lean = replace(_LISTINGS["flags"], columns="r.quote_id")
        if few_flagged and filters.flag:  # implied by the flag's condition; the flag's partial index repeats it
            lean = lean.where(_flagged_articles(filters.flag).split(" WHERE ")[1])
        keyed = _filtered(replace(lean, tables=f"{first} {articles_first} {then}"), filters)
        rows = replace(plain, tables=f"{first} {articles_first} {then} {_RENDERING_JOINS}") if filters.outlet else plain
        counted = keyed
        if filters.outlet and not dated:  # the outlet's flagged renderings are counted from their index alone
            counted = _filtered(replace(lean, tables=first), filters)
        by_key = f"renderings r {articles_first} articles a ON a.id = r.article_id {_RENDERING_JOINS}"
        return _PlannedListing(rows, counted, "r.quote_id", keyed, by_key)
    return _PlannedListing(plain, plain)


def _listing_outlet_rows(filters: ListFilters, keys: Sequence[object], articles_first: str) -> tuple[str, list[object]]:
    """The query of (row key, outlet) for at most LISTING_FACET_PER_ROW articles, quotes or renderings of
    each of the listing's rows named by `keys` (a story's articles, a speaker's quotes within the filters'
    dates, an utterance's renderings): the keys joined first (`articles_first` as for `_list_query`), each
    row's own read through the index by its id and bounded, never a whole table (an IN list of every key let
    SQLite scan an index of outlets whole; a busy speaker's quotes unbounded were 20,000 at a million)."""
    if not keys:
        return "SELECT NULL AS row_key, NULL AS outlet WHERE 1 = 0", []
    listed = f"(SELECT column1 AS row_key FROM (VALUES {', '.join(['(?)'] * len(keys))}) AS v) AS k"
    parameters: list[object] = list(keys)
    bound = f"LIMIT {store_base.LISTING_FACET_PER_ROW}"  # read when asked: tests change it
    if filters.listing == "stories":
        own = f"SELECT id FROM articles WHERE story_id = k.row_key AND outlet IS NOT NULL {bound}"
        joined = f"articles a ON a.id IN ({own})"
    elif filters.listing == "utterances":
        own = f"SELECT quote_id FROM renderings WHERE utterance_id = k.row_key AND outlet IS NOT NULL {bound}"
        joined = f"renderings a ON a.quote_id IN ({own})"
    elif filters.listing == "speakers":
        dates = ""
        if filters.date_from:
            dates += " AND d.published >= ?"
            parameters.append(filters.date_from)
        if filters.date_to:
            clause, until = _until("d.published", filters.date_to)
            dates += f" AND {clause}"
            parameters.append(until)
        own = (
            f"SELECT p.id FROM quotes p {articles_first} articles d ON d.id = p.article_id "
            f"WHERE p.speaker_id = k.row_key AND d.outlet IS NOT NULL{dates} {bound}"
        )
        joined = f"quotes q ON q.id IN ({own}) {articles_first} articles a ON a.id = q.article_id"
    else:
        raise StoreError(f"the {filters.listing} listing has no outlet facet counted by the store")
    return f"SELECT k.row_key, a.outlet FROM {listed} {articles_first} {joined}", parameters


def _speakers_of_articles(filters: ListFilters, articles_first: str) -> _Listing:
    """The speakers listing under an outlet or dates, from the matching articles (through an index that
    holds their ids) to their quotes to their speakers. Each joined row is a quote (its id, the primary key,
    never NULL), so the quotes are counted with count(*), from the index of quotes by article alone."""
    listing = _LISTINGS["speakers"]
    columns = listing.columns.replace("count(q.id)", "count(*)")
    tables = (
        f"articles a {articles_first} quotes q ON q.article_id = a.id "
        f"{articles_first} speakers s ON s.id = q.speaker_id"
    )
    return _filtered(replace(listing, columns=columns, tables=tables), filters)


def _outlets_counted(filters: ListFilters) -> _Listing:
    """The outlets listing with no dates or days (YYYY-MM-DD) for dates: each outlet's articles summed from
    the store's counts per day and outlet, its first and last article read from the index of articles by
    outlet and date (two seeks an outlet). The counts name an article without an outlet as one whose outlet
    is '': a real '' outlet is counted from its articles (none in most databases; by the same index)."""
    days, day_parameters = ["n > 0", "outlet <> ''"], list[object]()
    bounds, bound_parameters = ["outlet = a.outlet"], list[object]()
    if filters.date_from:
        days.append("day >= ?")
        day_parameters.append(filters.date_from)
        bounds.append("published >= ?")
        bound_parameters.append(filters.date_from)
    if filters.date_to:
        days.append("day <= ?")
        day_parameters.append(filters.date_to)
        clause, next_day = _until("published", filters.date_to)
        bounds.append(clause)
        bound_parameters.append(next_day)
    if filters.date_from or filters.date_to:
        days.append("day <> ''")
    named = " AND ".join(bounds)
    empty = " AND ".join(["outlet = ''", *bounds[1:]])
    counted = (
        f"SELECT outlet, {_SUM_N} AS n_articles FROM article_counts WHERE {' AND '.join(days)} GROUP BY outlet "
        f"UNION ALL SELECT outlet, count(*) AS n_articles FROM articles WHERE {empty} GROUP BY outlet"
    )
    columns = (
        f"a.outlet, a.n_articles, (SELECT min(published) FROM articles WHERE {named}) AS first_published, "
        f"(SELECT max(published) FROM articles WHERE {named}) AS last_published"
    )
    parameters = [*bound_parameters, *bound_parameters, *day_parameters, *bound_parameters]
    listing = _Listing(columns, f"({counted}) a", parameters=tuple(parameters))
    return _filtered(listing, replace(filters, date_from=None, date_to=None))


def _like_escaped(word: str) -> str:
    """A word matched literally by LIKE ... ESCAPE '\\' (its % and _ are not wildcards)."""
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def migration_scripts(package: str, pattern: re.Pattern[str]) -> list[tuple[int, str]]:
    """The numbered migrations of a backend's package, in order: (number, SQL text)."""
    found = []
    for entry in resources.files(package).iterdir():
        match = pattern.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.read_text(encoding="utf-8")))
    return sorted(found)


def schema_mismatch(where: str, version: int, latest: int, *, readonly: bool) -> StoreError | None:
    """The error for a database whose schema this newstrace cannot use as it is, or None.

    A read-only open refuses an older schema (it never changes the database); any open refuses a newer one."""
    if version == 0 and readonly:
        return StoreError(f"{where}: not a newstrace database (it has none of newstrace's tables)")
    if version < latest and readonly:
        return StoreError(
            f"{where}: made by an older newstrace (database schema {version}, this version's is {latest}). "
            "Read commands never change a database: upgrade it once by running `newstrace analyze` on your "
            f"inputs again with --db {where} (stored articles are kept and not analysed again)"
        )
    if version > latest:
        return StoreError(
            f"{where}: made by a newer newstrace (database schema {version}, this version knows up to "
            f"{latest}): upgrade newstrace to use it"
        )
    return None


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)
