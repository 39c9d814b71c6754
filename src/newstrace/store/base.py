"""The storage protocol every backend implements, and the records it exchanges with callers.

The protocol is split by use, and each caller asks for the part it needs: `StageRuns` (the record of
every stage's runs), `PipelineStore` (what `analyze` and the stages over stored rows write), `LinkerStore`
(the linking stage's state) and `ReadStore` (the queries of the CLI and the web app). `Store` is all of
them, as `open_store` returns it; SQLite (`store.sqlite`) and PostgreSQL (`store.postgres`) implement it
through the shared SQL of `store.sql`. Rows written by stages are dataclass records whose field names are
the table's column names, and the read queries give records too (`records.py`, `events/records.py`;
`records.as_json` gives the JSON a record's rows showed); only the export of a whole table (`iter_rows`)
gives column -> value mappings (`TableRow`).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, fields
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple, Protocol

from newstrace.events.records import EventReport, MentionPlacement, MentionToGroup, StoredEvent
from newstrace.records import (
    Article,
    ArticleRendering,
    ArticleSummary,
    EntitySpan,
    FlaggedRendering,
    IngestProblem,
    LinkBatch,
    LinkInput,
    OutletFraming,
    OutletListing,
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

if TYPE_CHECKING:
    from newstrace.store.query import SearchQuery


# `Store.outlet_framing` gives each marker's first places in so many of the outlet's earliest dated articles.
OUTLET_EVIDENCE_ARTICLES = 500


class StoreError(RuntimeError):
    """A storage operation failed in a way the user can act on; the message says how."""


class SearchSyntaxError(StoreError):
    """A full-text query could not be parsed."""


class QueryTimeout(StoreError):
    """A read ran past the time limit its caller set (`Store.time_limit`) and was stopped."""


# The marks around the words a search found in a hit's snippet: Unicode noncharacters, which are never
# assigned to a character, so no text holds them and a text's own brackets stay text.
MATCH_START, MATCH_END = "\ufdd0", "\ufdd1"
_MARKED = re.compile(f"{MATCH_START}([^{MATCH_START}{MATCH_END}]*){MATCH_END}")


@dataclass(frozen=True)
class SearchHit:
    article_id: str
    title: str | None
    outlet: str | None
    published: str | None
    snippet: str  # the words found between MATCH_START and MATCH_END (see `snippet_pieces`)
    score: float


@dataclass(frozen=True)
class QuoteHit:
    """A quote of "who said X" (`ReadStore.page_quote_search`): the quote, its utterance, its speaker (the
    canonical name, else the name resolved in its article) and its article."""

    quote_id: str
    utterance_id: str | None
    speaker: str | None
    speaker_id: int | None
    content_text: str
    article_id: str
    title: str | None
    outlet: str | None
    published: str | None


@dataclass(frozen=True)
class FacetCount:
    """A value of a search's outlet, language or flag facet and the number of matching articles with it."""

    value: str | None
    n: int


class ListingOutlets(NamedTuple):
    """An index listing's outlet facet over some of its rows (`ReadStore.listing_outlets`): the ten
    commonest outlets with their counts, and whether a row had more articles, quotes or renderings than
    were read (LISTING_FACET_PER_ROW)."""

    outlets: list[FacetCount]
    cut: bool


# An index listing's outlet facet counts at most this many articles, quotes or renderings of each of its rows
# (a story's, a speaker's, an utterance's): a busy speaker's quotes, every one, were 20,000 at a million.
LISTING_FACET_PER_ROW = 20


@dataclass(frozen=True)
class SpeakerCount:
    """A speaker quoted in the matching articles (`value` the name, `id` the speaker's) and in how many."""

    value: str
    id: int
    n: int


@dataclass(frozen=True)
class StoryCount:
    """A story of the matching articles (`value` its id, `label` its title) and how many of them it holds."""

    value: str
    n: int
    label: str | None


@dataclass(frozen=True)
class DateSpan:
    """The first and last day (YYYY-MM-DD) of the matching articles; None when none is dated."""

    first: str | None
    last: str | None


@dataclass(frozen=True)
class SearchFacets:
    """A search's matches counted by outlet, language, speaker quoted, story and rendering flag (most
    first), and their span of days (`ReadStore.search_facets`)."""

    outlet: tuple[FacetCount, ...]
    language: tuple[FacetCount, ...]
    speaker: tuple[SpeakerCount, ...]
    story: tuple[StoryCount, ...]
    flag: tuple[FacetCount, ...]
    dates: DateSpan


class PeriodCount(NamedTuple):
    """Matching articles of one outlet in one period (a day, or the first day of a week, month or year):
    a row of `ReadStore.search_attention`. A named tuple, made by position: a chart reads hundreds."""

    period: str | None  # None for a week of a day that is no date
    outlet: str | None
    n: int
    others: bool = False  # the outlets not drawn, summed by the store (`search_attention`'s `drawn`)


@dataclass(frozen=True)
class ArticleRow:
    """An article as `export` writes it (its fields are `EXPORT_COLUMNS["articles"]`, in order), without
    its text: a row of `ReadStore.iter_search`, which the search's CSV download writes."""

    id: str
    path: str | None
    url: str | None
    outlet: str | None
    title: str | None
    published: str | None
    language: str | None
    n_words: int
    story_id: str | None
    duplicate_of: str | None
    author: str | None
    dateline: str | None
    source_format: str
    revision_of: str | None
    revision: int
    field_sources: str  # JSON: field -> FieldSource


# A row of a table as `export` writes it (`ReadStore.iter_rows`): column -> value, the columns those of
# EXPORT_COLUMNS for the table (docs/architecture.md, "Store", says why this is not a record per table).
TableRow = Mapping[str, object]


def snippet_pieces(snippet: str) -> list[tuple[str, bool]]:
    """A snippet cut at its marks: each piece's text, and whether it is a word the search found."""
    pieces = _MARKED.split(snippet)  # the words found are at the odd places
    return [(text, place % 2 == 1) for place, text in enumerate(pieces) if text]


@dataclass(frozen=True)
class SearchFilters:
    """What a search page asks for; every field is optional. `text` is in the search language of
    `store.query`, which each backend translates from `query`."""

    text: str = ""
    outlet: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    speaker_id: int | None = None
    language: str | None = None
    speaker_name: str | None = None  # articles quoting the speaker of this name (any case)
    story_id: str | None = None
    flag: str | None = None  # articles with a rendering flagged so (one of CHECKED_FLAGS)

    @cached_property
    def query(self) -> SearchQuery:
        """The text parsed, once per filters (SearchSyntaxError for bad syntax)."""
        from newstrace.store.query import parse_query  # the query module reads this one's errors

        return parse_query(self.text)


# The index pages (`page_list`): each listing's orders (the first is its default) and the filters it takes.
LIST_ORDERS: dict[str, tuple[str, ...]] = {
    "stories": ("coverage", "date"),
    "speakers": ("quotes", "outlets"),
    "outlets": ("articles", "name"),
    "utterances": ("renderings", "date"),
    "flags": ("date",),
}
LIST_FILTERS: dict[str, tuple[str, ...]] = {
    "stories": ("name", "outlet", "date_from", "date_to"),
    "speakers": ("name", "outlet", "date_from", "date_to"),
    "outlets": ("name", "date_from", "date_to"),
    "utterances": ("name", "outlet", "date_from", "date_to", "speaker"),
    "flags": ("name", "outlet", "date_from", "date_to", "speaker", "flag"),
}
# Rendering flags a fact-checker looks at first: the `flags` listing shows every rendering with one.
CHECKED_FLAGS = ("altered_direct_quote", "speaker_changed", "translated")
# Totals the store cannot read from its counts are counted up to this many: a larger total is given as
# COUNT_CAP + 1, "more than COUNT_CAP" (counting the 30,000 articles of a flag took 0.13 s at a million).
COUNT_CAP = 10_000
# SQLite's largest integer (PostgreSQL's bigint's too): an id, a LIMIT or an OFFSET larger than this cannot
# be asked of a database (the drivers refuse to bind it), so commands and pages refuse it first.
LARGEST_INTEGER = 2**63 - 1
# A search with words that matches more than this many articles lists them newest first instead of by
# relevance (`newest_first`): over so many matches a broad word's rank barely differs between articles,
# and ranking them is most of such a search's work (bm25 reads every match of each word: 5.5 ms for a
# word in 233,000 of a million articles, 28 ms for one in all). At most COUNT_CAP, so that the total the
# store counts anyway tells which side a search is on.
NEWEST_FIRST_OVER = 10_000
UNKNOWN_OUTLET = "(outlet unknown)"  # an article without an outlet, as charts name it (and sort it by)


def newest_first(filters: SearchFilters, total: int) -> bool:
    """Whether a search's hits are listed newest first: always without words; with words, when the
    matches (`total`, as `page_search` counts them) are more than NEWEST_FIRST_OVER."""
    if NEWEST_FIRST_OVER > COUNT_CAP:
        raise ValueError(f"NEWEST_FIRST_OVER ({NEWEST_FIRST_OVER:,}) must be at most COUNT_CAP ({COUNT_CAP:,})")
    return not filters.query or total > NEWEST_FIRST_OVER


def drawn_outlets(totals: Mapping[str, int], drawn: int) -> list[str]:
    """The outlets an attention chart draws a trace of: the `drawn` with the most articles, ties by name."""
    return sorted(totals, key=lambda name: (-totals[name], name))[:drawn]


def counted_by_store(filters: SearchFilters) -> bool:
    """Whether the store's article counts (per day, outlet and language) give a search's total, its
    outlet and language facets, its dates and its attention exactly: filters of outlet, language and
    days (YYYY-MM-DD) alone."""
    narrowed = filters.text or filters.speaker_id is not None or filters.speaker_name or filters.story_id
    dates = (value for value in (filters.date_from, filters.date_to) if value)
    return not (narrowed or filters.flag) and all(len(value) == 10 for value in dates)


# A row of an index listing: each listing's own record (LIST_RECORDS).
ListingRow = StorySummary | SpeakerListing | OutletListing | StoredUtterance | FlaggedRendering
LIST_RECORDS: dict[str, type[ListingRow]] = {
    "stories": StorySummary,
    "speakers": SpeakerListing,
    "outlets": OutletListing,
    "utterances": StoredUtterance,
    "flags": FlaggedRendering,
}


@dataclass(frozen=True)
class ListFilters:
    """What an index page asks for: a listing of LIST_ORDERS, its order and its filters (all optional).

    `name` holds words that must all occur (any case) in the story title, the speaker's name or alias,
    the outlet's name, or the quoted text; dates bound the stories' span, the speakers' quoted articles,
    the outlets' articles, the utterances' first day and the flagged renderings' articles."""

    listing: str
    order: str = ""  # "" for the listing's default
    name: str = ""
    outlet: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    speaker: str | None = None  # a speaker's name, any case
    flag: str | None = None  # one of CHECKED_FLAGS


@dataclass(frozen=True)
class UrlHistory:
    """The first article stored for a URL and the highest revision number seen for it."""

    root_id: str
    last_revision: int


# Tables that `export` may stream, with their columns in contract order.
EXPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "articles": tuple(item.name for item in fields(ArticleRow)),
    "entities": ("article_id", "label", "text", "start", "end"),
    "sentences": ("article_id", "start", "end"),
    "quotes": (
        "id",
        "article_id",
        "kind",
        "source_text",
        "source_start",
        "source_end",
        "speaker",
        "speaker_id",
        "cue_text",
        "cue_start",
        "cue_end",
        "content_text",
        "content_start",
        "content_end",
        "confidence",
        "content_fragments",
    ),
    "speakers": ("id", "name", "aliases", "roles", "n_quotes", "n_articles", "kind"),
    "stories": ("id", "title", "first_seen", "last_seen", "n_articles", "n_outlets"),
    "event_mentions": (
        "id",
        "article_id",
        "event_type",
        "mode",
        "auxiliary",
        "confidence",
        "sentence_start",
        "sentence_end",
        "trigger_text",
        "trigger_start",
        "trigger_end",
        "source_text",
        "source_start",
        "source_end",
        "source_code",
        "source_name",
        "source_kind",
        "source_sector",
        "target_text",
        "target_start",
        "target_end",
        "target_code",
        "target_name",
        "target_kind",
        "target_sector",
        "object_text",
        "object_start",
        "object_end",
        "date_text",
        "date_start",
        "date_end",
        "date",
        "quote_id",
        "event_id",
        "speaker_id",
        "speaker_is_source",
    ),
    "events": (
        "event_id",
        "event_date",
        "event_type",
        "event_mode",
        "event_auxiliary",
        "actor_name",
        "actor_code",
        "actor_kind",
        "actor_sector",
        "recipient_name",
        "recipient_code",
        "recipient_kind",
        "recipient_sector",
        "event_object",
        "story_id",
        "first_article_id",
        "first_reported",
        "last_reported",
        "n_mentions",
        "n_articles",
        "n_outlets",
        "outlets",
        "confidence",
    ),
    "story_links": ("story_id", "related_story_id", "relation", "similarity", "gap_days", "evidence"),
    "reuse": (
        "article_id",
        "source_article_id",
        "article_start",
        "article_end",
        "source_start",
        "source_end",
        "similarity",
    ),
    "translations": ("article_id", "source_article_id", "similarity", "coverage", "sentence_pairs"),
    "duplicates": ("id", "duplicate_of", "duplicate_reason", "outlet", "published", "title"),
    "framing": ("article_id", "outlet", "marker", "referent", "category", "text", "start", "end"),
    "utterances": (
        "id",
        "speaker",
        "canonical_text",
        "first_article_id",
        "first_seen",
        "n_renderings",
        "n_outlets",
        "first_outlet",
        "canonical_quote_id",
        "speaker_id",
        "recurs_from",
    ),
    "renderings": ("utterance_id", "quote_id", "article_id", "outlet", "fidelity", "diff", "flags"),
    "stage_runs": ("article_id", "stage", "version", "status", "finished_at"),
    "problems": ("run_id", "origin", "reason"),
    "runs": ("id", "started_at", "finished_at", "command", "summary"),
}


@dataclass(frozen=True)
class FramingInput:
    """What the framing stage reads for one article: its text and its quotes' cues with speakers."""

    article_id: str
    text: str
    quotes: tuple[tuple[str, str | None, str, int, int], ...]  # id, speaker, cue text, cue start, cue end
    language: str | None = None  # the article's: the lexicon's forms for that language are matched


@dataclass(frozen=True)
class FramingRow:
    marker: str
    referent: str | None
    category: str
    text: str
    start: int
    end: int
    quote_id: str | None


@dataclass(frozen=True)
class TrailQuote:
    """What the trails stage reads of one quote: its article's outlet, date, story and `duplicate_of`, its
    speaker, and, once it is in an utterance, that utterance and what it recurs from."""

    quote_id: str
    article_id: str
    outlet: str | None
    published: str | None
    story_id: str | None
    duplicate_of: str | None
    speaker_id: int | None
    speaker: str | None  # the speaker's canonical name, else the name resolved in the article
    kind: str
    content_text: str
    content_fragments: str | None  # JSON: [[start, end], ...]
    article_text: str | None  # only where the content comes in pieces, to read each piece from
    utterance_id: str | None
    recurs_from: str | None
    language: str | None = None  # the article's, when detected: a rendering in another language is a translation


@dataclass(frozen=True)
class SpeakerUtterances:
    """What the trails stage reads of one speaker's stored utterances (`utterance_speakers`): the ids of the
    latest it speaks with (an utterance speaks with its earliest rendering that has a speaker), greatest
    first, and the languages of its renderings ('' where an article's is unknown)."""

    latest: tuple[str, ...]
    languages: frozenset[str]


@dataclass(frozen=True)
class UtteranceSpeaker:
    """A speaker of some rendering of an utterance, and that rendering's article language ('' unknown)."""

    utterance_id: str
    speaker_id: int
    language: str


@dataclass(frozen=True)
class LinkedArticle:
    """An article linked by an earlier run, as the linkers need to know it."""

    article_id: str
    published: str | None
    duplicate_of: str | None
    story_id: str


@dataclass(frozen=True)
class LinkedLead:
    """A linked article's lead as an earlier run kept it, for cross-language links (`link/crosslingual.py`)."""

    article_id: str
    story_id: str
    language: str
    published: str
    lead: str


@dataclass(frozen=True)
class StageRecord:
    """What a stage's write records in the same transaction (`stage_runs`): `stage` at `version` is done
    on `article_ids`, and the stages in `downstream` become stale on them (they read what it wrote)."""

    stage: str
    version: str
    downstream: tuple[str, ...] = ()
    article_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnalysedArticle:
    """One article of a batch to store: the article, what its document stages found, and the stages
    over stored rows that become stale on it (they read what the outputs replace)."""

    article: Article
    outputs: Sequence[StageOutput]
    stale: tuple[str, ...] = ()


@dataclass
class LinkState:
    """What the linkers read of earlier runs when a run starts; what they know of each linked article and of
    each story's latest members is asked for when needed (`LinkerStore.linked_articles`, `latest_members`)."""

    stories: Iterable[Story]  # in the order they were first written, read as they are taken
    frequencies: dict[str, dict[str, int]]  # kind -> key -> document frequency ("" -> documents)


class StageRuns(Protocol):
    """What every stage records and asks in `stage_runs` (see `pipeline.stages`)."""

    def stage_versions_of(self, article_id: str) -> dict[str, str] | None:
        """The stage versions done (and not stale) for a stored article, or None when it is not stored."""
        ...

    def pending_articles(self, stage: str, version: str) -> list[str]:
        """The articles without a run of `stage` at `version` that is still current, by id."""
        ...

    def count_pending(self, stage: str, version: str) -> int: ...

    def stale_articles(self, stage: str, version: str) -> list[str]:
        """The articles whose run of `stage` at `version` an upstream stage made stale, by id."""
        ...

    def stage_outdated(self, stage: str, version: str, counting_stale: bool = True) -> bool:
        """Whether `stage` ran on some article at another version, or (`counting_stale`) an upstream stage
        made a run stale."""
        ...

    def forget_stage(self, stage: str) -> None:
        """Drop every run of `stage`, so it runs again on every article."""
        ...


class PipelineStore(StageRuns, Protocol):
    """What `analyze` and the stages over stored rows (speakers, trails, event grouping, framing) read and
    write."""

    def begin_run(self, command: str) -> int: ...

    def finish_run(self, run_id: int, summary: RunSummary) -> None: ...

    def url_history(self, url: str) -> UrlHistory | None: ...

    def save_article(
        self, article: Article, outputs: Sequence[StageOutput], run_id: int, stale: Sequence[str] = ()
    ) -> None:
        """Store the article (if new) and its stage outputs in one transaction, and mark the runs of the
        `stale` stages on it outdated (they read what the outputs replace)."""
        ...

    def save_articles(self, batch: Sequence[AnalysedArticle], run_id: int) -> None:
        """`save_article` for each of a batch in one transaction: all of them are stored, or none."""
        ...

    def record_problem(self, run_id: int, problem: IngestProblem) -> None: ...

    def update_article_metadata(
        self, article_id: str, values: dict[str, str], field_sources: dict[str, str], stale: Sequence[str] = ()
    ) -> bool:
        """Put user-supplied metadata (outlet, published, url, title) on a stored article and mark the runs
        of the `stale` stages on it outdated; True if it changed."""
        ...

    def redate_article(
        self, article_id: str, published: str | None, source: str | None, stale: Sequence[str] = ()
    ) -> bool:
        """Give a stored article that was undated or dated from its text the date today's rules read, with
        its `source` (None: no date, and no source for it); a stored date from metadata, a header, a URL or
        a file name stays. Mark the runs of the `stale` stages on it outdated; True if it changed."""
        ...

    def speaker_mentions(self, article_ids: Sequence[str] | None = None) -> list[tuple[str, str | None]]:
        """(speaker name resolved in its article, source text) for every quote with a speaker, or for those
        of these articles."""
        ...

    def article_speaker_mentions(self) -> list[tuple[str, str, str | None]]:
        """(article id, speaker name, source text) for every quote with a speaker, read at one moment."""
        ...

    def speaker_names_keyed(self, keys: Sequence[str]) -> list[SpeakerName] | None:
        """The kept sums (`speaker_names`) of the names whose resolution key is one of `keys`, by name;
        None when no name was ever kept (a database resolved before the table existed, or an empty one)."""
        ...

    def save_speakers(
        self,
        speakers: Sequence[Speaker],
        canonical: dict[str, str],
        record: StageRecord | None = None,
        names: Sequence[SpeakerName] = (),
        moved_stale: Sequence[str] = (),
    ) -> None:
        """Store the speakers of the whole corpus (with their kind), point every quote, and every utterance
        through its canonical quote, at its speaker (a quote of no name in `canonical` at none), drop the
        speakers no quote names, and keep the sums of the `names` instead of those kept, with the `record`
        of the run, in one transaction. The runs of the `moved_stale` stages become stale on every article
        with a quote whose speaker this changes (another speaker, or the same with another name, aliases,
        roles or kind)."""
        ...

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
        """Store the speakers of part of the corpus re-resolved: upsert the `speakers` and the sums of the
        `names`, point the quotes of the articles taken in (`article_ids`) and every quote of the `moved`
        names at their names' speakers (with the utterances of the quotes moved), drop the speakers the
        moved names named before when no quote names them now, mark the runs of the `moved_stale` stages
        stale on the articles of the moved names' quotes and those of the `retold_stale` stages on the
        articles quoting a stored speaker whose aliases, roles or kind the upsert changes, and record the
        run, in one transaction.
        `read`: the keys resolved and the sums kept for them that the resolution read; when another
        process changed those sums since, nothing is written and the answer is False (resolve again)."""
        ...

    def speaker_corrections(self) -> list[SpeakerCorrection]:
        """The user's speaker corrections (`action`, `name`, `target`, `kind`), in the order made."""
        ...

    def add_speaker_correction(self, action: str, name: str, target: str, kind: str | None = None) -> None:
        """Keep one correction made with `newstrace speakers merge|split|rename`."""
        ...

    def articles_to_frame(self, version: str) -> Iterator[FramingInput]:
        """Articles the framing stage has not run on at this version (stage number and lexicon digest)."""
        ...

    def save_framing(self, rows: Sequence[tuple[str, Sequence[FramingRow]]], record: StageRecord) -> None:
        """Replace the framing markers of each (article id, rows) pair and record the runs, in one transaction."""
        ...

    def trail_quotes(self, *, grouped: bool) -> list[TrailQuote]:
        """The quotes already in an utterance (`grouped`) or those not yet, earliest first."""
        ...

    def trail_quotes_of(self, utterance_ids: Sequence[str]) -> list[TrailQuote]:
        """The quotes of these utterances, as `trail_quotes(grouped=True)` gives them (earliest first)."""
        ...

    def utterance_key_postings(self, keys: Sequence[str], limit: int) -> dict[str, list[str]]:
        """For each content key, the ids of the `limit` utterances with the greatest ids (greatest first)
        among those one of whose renderings has the key (`save_trails`' `keys`)."""
        ...

    def utterance_keys_of(self, utterance_ids: Sequence[str]) -> dict[str, set[str]]:
        """The stored content keys of each of these utterances (`save_trails`' `keys`)."""
        ...

    def speaker_utterances(
        self, speaker_ids: Sequence[int], limit: int, since: Mapping[int, str] | None = None, recent: int = 0
    ) -> dict[int, SpeakerUtterances]:
        """For each of these speakers, the `limit` greatest ids of the utterances it speaks with (and, for a
        speaker in `since`, the `recent` least of those from that id on) and the languages of its
        renderings: ranged reads, however many utterances the speaker has."""
        ...

    def utterance_speakers(self, utterance_ids: Sequence[str]) -> list[UtteranceSpeaker]:
        """The speakers of the renderings of these utterances, with their articles' languages, as the
        quotes give them now (the speakers stage keeps them when it points a quote at another speaker)."""
        ...

    def utterances_rendered_in(self, article_ids: Sequence[str], story_ids: Sequence[str]) -> list[str]:
        """The ids of the utterances with a rendering in one of these articles or in an article of one of
        these stories, in order."""
        ...

    def save_trails(
        self,
        utterances: Sequence[StoredUtterance],
        renderings: Sequence[StoredRendering],
        record: StageRecord | None = None,
        keys: Sequence[tuple[str, str]] = (),
        dissolved: Mapping[str, str | None] | None = None,
    ) -> None:
        """Replace these utterances and all their renderings, and their content keys by `keys` ((key,
        utterance id) pairs), with the `record` of the run, in one transaction. `dissolved`: utterances
        grouped again under another id, to delete, each with the id an utterance recurring from it points
        at now (None: none)."""
        ...

    def reset_trails(self) -> None:
        """Forget every utterance and rendering and the trails stage's runs (before grouping again)."""
        ...

    def event_mentions_to_group(self, version: str) -> list[MentionToGroup]:
        """Every event mention of each story whose events must be grouped again (a story of an article
        the `event_groups` stage has not done at `version`, or with a mention in no event, in an event
        of another story, or in a quote whose speaker is no longer the one it was grouped with), with its
        article's story, date and outlet, story by story, earliest report first. Mentions of articles in
        no story are left out."""
        ...

    def save_events(
        self,
        stories: Mapping[str, Sequence[str]],
        events: Sequence[StoredEvent],
        mentions: Sequence[MentionPlacement],
        record: StageRecord | None = None,
    ) -> None:
        """Replace the events of these stories (story id -> the ids of the mentions it was grouped from)
        by `events`, and write each mention's placement (its event, date, quote, speaker and source, by
        `id`), in one transaction. A story whose mentions are no longer those it was grouped from (another run
        grouped it meanwhile) is left as that run wrote it. With a `record`, the same transaction records
        the stage done on every article of the stories written and on those of `record.article_ids` that
        are in no story."""
        ...

    def utterances_by_id(self, utterance_ids: Sequence[str]) -> list[StoredUtterance]: ...  # see ReadStore

    def count_rows(self) -> dict[str, int]: ...


class LinkerStore(StageRuns, Protocol):
    """What the linking stage reads and keeps between runs (`pipeline.link`)."""

    def articles_to_link(self, stage_version: str) -> Iterator[LinkInput]:
        """Articles not yet linked at this stage version, earliest published first (undated last), then by id."""
        ...

    def count_articles_to_link(self, stage_version: str) -> int: ...

    def link_state(self) -> LinkState:
        """What the linkers remember from earlier runs (the stories streamed: take them once, in order)."""
        ...

    def linked_articles(self, article_ids: Sequence[str]) -> list[LinkedArticle]:
        """What the linker knows of these articles, those linked (with a kept signature), in no particular order:
        an article that left the linker's memory, read back when a rule needs it."""
        ...

    def copies_of(self, article_id: str) -> list[str]:
        """The linked articles marked near-duplicates of this one, by id."""
        ...

    def latest_members(self, story_ids: Sequence[str]) -> dict[str, list[str]]:
        """Each of these stories' latest members (at most 8: the latest dated, by date then id, an undated one
        counted oldest), oldest first: for a story whose state does not keep the list the linker held."""
        ...

    def stories_by_id(self, story_ids: Sequence[str]) -> list[Story]:
        """The kept states of these stories (unknown ids are skipped), in no particular order: a story the
        linker retired from memory, read back when a rule needs it."""
        ...

    def article_text(self, article_id: str) -> str | None: ...

    def band_matches(self, keys: Sequence[tuple[int, int]]) -> list[tuple[int, int, str]]:
        """The (band number, band key, article id) rows of `article_bands` holding any of these (band number,
        band key) pairs: look-alike candidates among the articles the linker no longer holds in memory."""
        ...

    def signatures_of(self, article_ids: Sequence[str]) -> dict[str, bytes]:
        """The kept MinHash signatures of these articles (those that have one), by article id."""
        ...

    def unbanded_signatures(self) -> list[tuple[str, bytes]]:
        """Every kept signature, by article id, when `article_bands` is empty while signatures are kept (a
        database linked before schema 22, whose band keys are still to be written); otherwise none."""
        ...

    def save_bands(self, batches: Iterable[Sequence[tuple[int, int, str]]]) -> None:
        """Keep (band number, band key, article id) rows in `article_bands`, given batch by batch, all in
        one transaction (stopped half-way, none is kept, so `unbanded_signatures` still finds them all)."""
        ...

    def linked_leads(self, first: str, last: str, other_than: str) -> list[LinkedLead]:
        """The kept leads of linked articles published from day `first` to day `last` (ISO dates, both
        included) in a language other than `other_than`, by date then id."""
        ...

    def save_links(self, batch: LinkBatch, record: StageRecord) -> None:
        """Store a batch of linking results and the `record` of its articles' runs in one transaction, and
        refresh the touched stories' counts."""
        ...

    def translations_of(self, article_id: str) -> list[TranslationRow]:
        """The `translation_of` links from or to an article, sentence pairs decoded (a list of
        [start, end, source_start, source_end, similarity])."""
        ...

    def reset_links(self) -> None:
        """Forget every story, duplicate and reuse link and the link stage's runs (before relinking)."""
        ...


class ReadStore(Protocol):
    """The read queries of the CLI and the web app; none of them writes."""

    def utterance(self, utterance_id: str) -> StoredUtterance | None:
        """An utterance by its id, or the utterance a quote id renders."""
        ...

    def utterances_by_id(self, utterance_ids: Sequence[str]) -> list[StoredUtterance]:
        """The utterances with these ids (unknown ids are skipped), in no particular order."""
        ...

    def renderings_for_articles(self, article_ids: Sequence[str]) -> list[ArticleRendering]:
        """The renderings in these articles, with their own words (`content_text`) and their utterance's
        speaker, canonical text and size."""
        ...

    def utterances_recurring_from(self, utterance_ids: Sequence[str]) -> list[StoredUtterance]:
        """Utterances whose `recurs_from` is one of these."""
        ...

    def renderings_of(self, utterance_id: str) -> list[TrailRendering]:
        """An utterance's renderings with their quote, article date and title, earliest first."""
        ...

    def events_where(self, *, story_id: str | None = None, actor: str | None = None) -> list[StoredEvent]:
        """The events of a story, or those an actor code did or underwent, earliest first (undated last)."""
        ...

    def mentions_of_events(self, event_ids: Sequence[str]) -> list[EventReport]:
        """The mentions of these events, with their article's title, outlet and date, earliest first."""
        ...

    def story(self, story_id: str) -> StorySummary | None: ...

    def page_stories(self, limit: int, offset: int) -> tuple[list[StorySummary], int]:
        """Stories, latest first, and how many there are."""
        ...

    def page_search(
        self, filters: SearchFilters, limit: int, offset: int, rank_cap: int | None = None
    ) -> tuple[list[SearchHit], int]:
        """Articles matching the filters (full text, outlet, dates, speaker), best first, and the total.
        Of more than `rank_cap` matches of words, a page within the first `rank_cap` is ranked among the
        `rank_cap` most recently stored matches (the highest rowids; ranking them all took seconds for a common word
        at a million articles). A total the store's counts do not give is counted up to COUNT_CAP (see
        there), except for a page past COUNT_CAP: every match is counted first then, and a page past the
        last is answered without reading a row (an empty page with that total)."""
        ...

    def speaker_ids(self, names: Sequence[str]) -> dict[str, int]:
        """The id of each of these speaker names that the speakers table holds (names as stored)."""
        ...

    def page_quote_search(
        self, filters: SearchFilters, limit: int, offset: int, cap: int | None = None
    ) -> tuple[list[QuoteHit], int]:
        """ "Who said X": quotes of the matching articles whose quoted words hold every search word (any
        case), by the filters' speaker when one is named; newest first; with the total. With `cap`, only
        the quotes of the first `cap` matching articles (those `search_facets` counts: the newest, with
        words the most recently stored)."""
        ...

    def data_version(self) -> Hashable | None:
        """A value that every write to the database changes (what is kept of a search is keyed on it), or
        None when the backend cannot tell one cheaply or was told to keep nothing (`keep_no_answers`)."""
        ...

    def keep_no_answers(self) -> None:
        """From now on `data_version` is None, so nothing of this store's searches is kept from one
        request to the next (`newstrace serve --no-cache`)."""
        ...

    def hold_facet_columns(self) -> None:
        """From now on the first matches of this store's searches have their facet keys looked up in
        columns the process holds for the database (`store.columns`, kept current through the numbered
        changes of schema 25) instead of read with them; the web server's stores do. The first search of
        a process reads every article's keys (seconds at a million articles); nothing changes on a backend
        without the change log (PostgreSQL)."""
        ...

    def settle_facet_columns(self) -> None:
        """Wait until the columns `hold_facet_columns` started reading are read, so that what follows counts
        from them (the server's whole-corpus summary: its facets over every article took 3.4 s of SQL at a
        million articles); nothing on a backend that holds none."""
        ...

    def search_facets(self, filters: SearchFilters, limit: int, cap: int | None = None) -> SearchFacets:
        """The matches counted by outlet, language, speaker quoted, story and rendering flag (most first,
        ties by value with None first, at most `limit` each), and their first and last day. With `cap`,
        only the first `cap` matches are counted (newest first without words): the counts are then lower
        bounds, which is what a page over a million articles can afford."""
        ...

    def search_attention(
        self, filters: SearchFilters, bucket: str, cap: int | None = None, drawn: int | None = None
    ) -> list[PeriodCount]:
        """Matching articles per `bucket` ('day'; 'week', named by its Monday; 'month' or 'year', named by its
        first day) and outlet, earliest first, then by outlet (None first); undated articles are left out. `cap`
        as for `search_facets`. With `drawn`, the store may (it does for a date range its article counts
        give every match of, see `counted_by_store`, and for the first `cap` matches) give rows of their own
        to only the `drawn` outlets with the most dated matches (ties by name, an article without one named
        UNKNOWN_OUTLET), and sum the others per period in rows whose `others` is true (and `outlet` None)."""
        ...

    def search_language_attention(
        self, filters: SearchFilters, bucket: str, cap: int | None = None
    ) -> list[PeriodCount]:
        """Matching articles per `bucket` and language, as `search_attention` counts them per outlet (the
        rows' `outlet` holds the language, None for none; every language, none summed): `cap` as there."""
        ...

    def iter_search(self, filters: SearchFilters) -> Iterator[ArticleRow]:
        """Every matching article as `export` writes it (without text), best first (newest first without
        words, or past NEWEST_FIRST_OVER matches: `newest_first`), streamed."""
        ...

    def page_list(self, filters: ListFilters, limit: int, offset: int) -> tuple[list[ListingRow], int]:
        """One page of an index listing (stories, speakers, outlets, utterances, flags) and its total,
        counted up to COUNT_CAP unless the store's counts give it or the page lies past COUNT_CAP (every
        row is counted then). A page past the last is answered without reading a row: no rows, the total."""
        ...

    def iter_list(self, filters: ListFilters) -> Iterator[ListingRow]:
        """Every row of an index listing, in its order, streamed."""
        ...

    def listing_outlets(self, filters: ListFilters, keys: Sequence[object]) -> ListingOutlets:
        """The outlet facet of some rows of the stories, speakers or utterances listing (`keys`: their ids):
        per outlet, how many of them that outlet filter would keep (for speakers, quoted there within the
        filters' dates), most first, each row's outlets read from at most LISTING_FACET_PER_ROW of its
        articles, quotes or renderings (`cut` when a row had that many: the counts are then at least)."""
        ...

    def speaker(self, speaker_id: int) -> SpeakerSummary | None: ...

    def page_utterances_of(self, speaker_id: int, limit: int, offset: int) -> tuple[list[StoredUtterance], int]:
        """A speaker's utterances, earliest first, and the total."""
        ...

    def article(self, article_id: str) -> StoredArticle | None:
        """One article with its text."""
        ...

    def article_text(self, article_id: str) -> str | None: ...

    def entities_of(self, article_id: str) -> list[EntitySpan]: ...

    def outlets(self) -> list[OutletSummary]:
        """Every outlet with its number of articles."""
        ...

    def articles_where(self, *, story_id: str | None = None, outlet: str | None = None) -> list[ArticleSummary]:
        """Articles of a story or an outlet (without text), earliest first."""
        ...

    def quotes_of(self, article_ids: Sequence[str]) -> list[StoredQuote]:
        """The quotes of these articles, with the speaker's canonical name in `speaker_name`."""
        ...

    def speaker_names_of(self, article_ids: Sequence[str]) -> list[str | None]:
        """The `speaker_name` of each quote `quotes_of` gives for these articles, in its order, without the
        rest of the quote (an outlet's page counts its voices so: 100,000 quotes for the largest outlet of a
        million articles, 2.2 s of CPU as records, 0.4 s as names)."""
        ...

    def markers_of(self, article_ids: Sequence[str]) -> list[StoredMarker]: ...

    def outlet_framing(self, outlet: str, evidence_per_choice: int) -> OutletFraming:
        """The counts of an outlet's page (`outlet` as stored), summed in the database rather than from
        every article and marker read (the largest outlet of a million: 99,000 articles, 70,000 markers);
        `evidence` holds each choice's first places in its earliest `OUTLET_EVIDENCE_ARTICLES` dated articles."""
        ...

    def page_outlet_articles(self, outlet: str, limit: int, offset: int) -> list[ArticleSummary]:
        """A page of `articles_where(outlet=...)`, in its order (earliest first)."""
        ...

    def iter_rows(self, table: str, include_text: bool = False) -> Iterator[TableRow]:
        """Stream every row of an exportable table, in a stable order. Rows are column -> value mappings
        (`TableRow`) rather than records: their columns are the export's (`EXPORT_COLUMNS`, `text` last
        with `include_text` for articles), which the CSV, JSON Lines and Parquet writers take by name."""
        ...

    def search(self, query: str, limit: int = 20, offset: int = 0) -> list[SearchHit]: ...

    def count_rows(self) -> dict[str, int]: ...

    def time_limit(self, seconds: float) -> AbstractContextManager[None]:
        """Within the block, a query still running `seconds` after it began is stopped: QueryTimeout."""
        ...


class Store(PipelineStore, LinkerStore, ReadStore, Protocol):
    """Everything a database does for newstrace: what the pipeline, the linker, the CLI and the web app need."""

    def close(self) -> None: ...
