"""The typed records every layer of newstrace shares.

Ingest produces `ArticleDraft`s and `IngestProblem`s; identity turns a draft into an `Article`; the NLP
stages produce `Sentence` and `Entity` rows that point back into `Article.text` by character offsets;
a run ends with a `RunSummary`. Linking reads `LinkInput`s and writes a `LinkBatch` of stories,
duplicates and reused passages. Records are plain frozen dataclasses so they pickle cheaply between
worker processes and map one-to-one onto store tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from enum import StrEnum
from functools import cache


class FieldSource(StrEnum):
    """Where a metadata value came from, so a reader can judge how far to trust it."""

    METADATA = "metadata"  # an explicit field: HTML meta tags, a JSON/CSV column, a feed entry, a WARC header
    HEADER = "header"  # a header or dateline convention inside the text itself
    URL = "url"  # derived from the article's URL
    FILE_NAME = "file_name"  # a date in the file's name (`2025-03-12_story.txt`)
    TEXT = "text"  # a full date written in the article's lead, when nothing else dates it
    INFERRED = "inferred"  # guessed from the text (e.g. a headline taken from the first sentence)


@dataclass(frozen=True)
class ArticleDraft:
    """An article as one reader found it, before identity is assigned.

    `text` is exactly what offsets will index: for plain-text files it is the file's decoded text with
    newlines normalised to `\\n`; for HTML it is the main text the extractor returned.
    """

    text: str
    origin: str  # the file (and, for multi-record files, the record) it came from, for messages
    source_format: str
    path: str | None = None
    url: str | None = None
    title: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD)
    outlet: str | None = None
    author: str | None = None
    dateline: str | None = None
    language: str | None = None
    field_sources: dict[str, str] = field(default_factory=dict)
    header_spans: tuple[tuple[int, int], ...] = ()  # datelines and headers, left out of the language analysis


@dataclass(frozen=True)
class Article:
    """A stored article: one distinct text, identified by a hash of its normalised form."""

    id: str
    text: str
    source_format: str
    path: str | None
    url: str | None
    title: str | None
    published: str | None
    outlet: str | None
    author: str | None
    dateline: str | None
    language: str | None
    n_words: int
    field_sources: dict[str, str]
    revision_of: str | None = None  # the first article seen at the same URL, when this text replaced it
    revision: int = 0
    header_spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Sentence:
    """One sentence of an article, as character offsets into `Article.text`."""

    article_id: str
    start: int
    end: int


@dataclass(frozen=True)
class Entity:
    """A named-entity mention with its spaCy label and character offsets into `Article.text`."""

    article_id: str
    label: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Quote:
    """An attribution: who (source, resolved to a speaker) said (cue) what (content), as offsets."""

    id: str
    article_id: str
    kind: str  # direct | indirect | mixed | partial
    source_text: str | None
    source_start: int | None
    source_end: int | None
    speaker: str | None
    cue_text: str
    cue_start: int
    cue_end: int
    content_text: str
    content_start: int
    content_end: int
    confidence: float
    # Every piece of the content in text order, as (start, end); more than one when the cue interrupts it.
    content_fragments: tuple[tuple[int, int], ...] = ()


PERSON = "person"  # the kinds of speaker
ORGANISATION = "organisation"
GROUP = "group"  # people named by what they share: a party's members, voters, critics (`Hill Democrats`)


@dataclass(frozen=True)
class Speaker:
    """A person, organisation or group quoted in one or more articles, with the other names and roles seen."""

    name: str
    aliases: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    kind: str = PERSON  # or ORGANISATION, GROUP


@dataclass(frozen=True)
class IngestProblem:
    """An input that could not be read (or read fully), named so the user can find and fix it."""

    origin: str
    reason: str


@dataclass(frozen=True)
class StageOutput:
    """What one versioned stage produced for one article: rows keyed by the table that stores them."""

    stage: str
    version: int
    rows: dict[str, list[object]]
    status: str = "done"  # or "skipped: <why>"


@dataclass
class RunSummary:
    """Counts gathered over one `analyze` run, printed at the end and returned as JSON."""

    read: int = 0
    new: int = 0
    revisions: int = 0
    unchanged: int = 0
    reanalysed: int = 0
    failed: int = 0
    problems: list[IngestProblem] = field(default_factory=list)
    outlets: dict[str, int] = field(default_factory=dict)
    date_min: str | None = None
    date_max: str | None = None
    found: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    linking: dict[str, object] = field(default_factory=dict)
    framing: dict[str, int] = field(default_factory=dict)
    trails: dict[str, int] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "articles_read": self.read,
            "articles_new": self.new,
            "articles_revised": self.revisions,
            "articles_unchanged": self.unchanged,
            "articles_reanalysed": self.reanalysed,
            "failed": self.failed,
            "problems": [{"origin": p.origin, "reason": p.reason} for p in self.problems],
            "outlets": self.outlets,
            "date_range": [self.date_min, self.date_max],
            "found": self.found,
            "database_totals": self.totals,
            "linking": self.linking,
            "trails": self.trails,
            "events": self.events,
            "framing": self.framing,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class AnalysisRequest:
    """The part of an article the NLP workers need: small enough to send between processes."""

    article_id: str
    text: str
    language: str | None
    header_spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class LinkInput:
    """What the linking stages read for one stored article: its text, metadata and named entities."""

    article_id: str
    text: str
    title: str | None
    outlet: str | None
    published: str | None
    entities: tuple[tuple[str, str], ...]  # (label, text)
    revision_of: str | None = None
    language: str | None = None  # ISO 639-1, as detected at ingest


@dataclass(frozen=True)
class ArticleLink:
    """Where linking put an article: its story, and the earliest copy when it is a near-duplicate."""

    article_id: str
    story_id: str
    duplicate_of: str | None
    duplicate_reason: str | None  # JSON: similarity, gap_days
    signature: bytes  # the MinHash signature, so later runs need not read the text again
    lead: str = ""  # title and first paragraph, kept when date and language are known (link/crosslingual.py)
    bands: tuple[int, ...] = ()  # the signature's band keys (link.duplicates.band_keys), by band number


@dataclass(frozen=True)
class TranslationLink:
    """An article that translates another (`translation_of`), its sentences aligned with the original's."""

    article_id: str  # the translation
    source_article_id: str  # the original
    similarity: float  # mean cross-language similarity of the aligned sentence pairs
    coverage: float  # share of the longer text's sentences in a pair
    sentence_pairs: str  # JSON: [[start, end, source_start, source_end, similarity], ...]


@dataclass(frozen=True)
class Story:
    """Articles reporting one real-world event; `state` is the clusterer's memory of it (JSON)."""

    id: str
    title: str | None
    first_seen: str | None
    last_seen: str | None
    state: str


@dataclass(frozen=True)
class StorySummary:
    """A story as the read queries give it (one story, a page of stories): its dates and its size."""

    id: str
    title: str | None
    first_seen: str | None
    last_seen: str | None
    n_articles: int
    n_outlets: int


@dataclass(frozen=True)
class SpeakerSummary:
    """A stored speaker as the read queries give it: names, roles and how often and where they were quoted."""

    id: int
    name: str
    aliases: tuple[str, ...]
    roles: tuple[str, ...]
    n_quotes: int
    n_articles: int
    kind: str


@dataclass(frozen=True)
class StoredUtterance:
    """One statement as stored, a row of `utterances` (read, and written by `Store.save_trails`): its
    speaker, canonical wording, first rendering and how widely it spread."""

    id: str
    speaker_id: int | None
    speaker: str | None
    canonical_quote_id: str | None
    canonical_text: str
    first_article_id: str | None
    first_seen: str | None
    first_outlet: str | None
    n_renderings: int
    n_outlets: int
    recurs_from: str | None  # an earlier utterance of the same words by the same speaker


@dataclass(frozen=True)
class StoredRendering:
    """One quote as a rendering of its utterance, a row of `renderings` (what `Store.save_trails` writes):
    how faithful it is to the canonical wording, word by word, and what that flags."""

    quote_id: str
    utterance_id: str
    article_id: str
    outlet: str | None
    fidelity: float
    diff: str  # JSON: [{op, canonical, rendering}, ...]
    flags: str  # JSON: [flag, ...]


@dataclass(frozen=True, kw_only=True)
class ArticleRendering(StoredRendering):
    """A rendering in one of the articles asked for (`Store.renderings_for_articles`): the rendering, its
    quote's kind and words, and its utterance's speaker, canonical text and size."""

    kind: str
    content_text: str
    speaker: str | None
    canonical_text: str
    n_renderings: int


@dataclass(frozen=True, kw_only=True)
class TrailRendering(StoredRendering):
    """One rendering of an utterance (`Store.renderings_of`): the rendering, its article's date, title and
    story, its quote's kind, words and cue, and the speaker's canonical name."""

    published: str | None
    title: str | None
    story_id: str | None
    kind: str
    content_text: str
    content_start: int
    content_end: int
    cue_text: str
    speaker: str | None


@dataclass(frozen=True)
class TranslationRow:
    """A stored translation link with its aligned sentence pairs decoded (`Store.translations_of`);
    `sentence_pairs` is `[[start, end, source_start, source_end, similarity], ...]`."""

    article_id: str
    source_article_id: str
    similarity: float
    coverage: float
    sentence_pairs: list[list[float]]


@dataclass(frozen=True)
class StoredArticle:
    """An article as stored, with its text and where linking put it (`Store.article`). `field_sources` and
    `header_spans` are the JSON text stored (the article page shows them so)."""

    id: str
    path: str | None
    url: str | None
    outlet: str | None
    title: str | None
    author: str | None
    published: str | None
    dateline: str | None
    language: str | None
    n_words: int
    source_format: str
    field_sources: str  # JSON: field -> FieldSource
    revision_of: str | None
    revision: int
    story_id: str | None
    duplicate_of: str | None
    first_run_id: int | None
    text: str
    header_spans: str  # JSON: [[start, end], ...]
    duplicate_reason: str | None  # JSON: similarity, gap_days


@dataclass(frozen=True)
class ArticleSummary:
    """An article of a story or an outlet without its text (`Store.articles_where`)."""

    id: str
    outlet: str | None
    title: str | None
    published: str | None
    story_id: str | None
    duplicate_of: str | None
    url: str | None
    path: str | None


@dataclass(frozen=True)
class EntitySpan:
    """A named-entity mention of one article (`Store.entities_of`), offsets into its text."""

    label: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class StoredQuote:
    """A stored quote (`Store.quotes_of`): the `Quote` columns, its resolved speaker's id, and
    `speaker_name`, the speaker's canonical name (else the name resolved in its article)."""

    id: str
    article_id: str
    kind: str
    source_text: str | None
    source_start: int | None
    source_end: int | None
    speaker: str | None
    speaker_id: int | None
    cue_text: str
    cue_start: int
    cue_end: int
    content_text: str
    content_start: int
    content_end: int
    confidence: float
    content_fragments: str  # JSON: [[start, end], ...], empty when the content is one piece
    speaker_name: str | None


@dataclass(frozen=True)
class OutletFraming:
    """An outlet's framing counted in the database (`Store.outlet_framing`), for its page: its articles'
    counts and span, its markers counted per (category, referent, marker) and, for names and labels, per
    month of the article, its quotes per speaker name, and each marker's first places (`evidence`, at most
    so many per verb, or per name of a referent, by article id and offset)."""

    n_articles: int
    n_stories: int
    first_published: str | None
    last_published: str | None
    markers: tuple[tuple[str, str | None, str, int], ...]  # category, referent, marker, n
    names_per_month: tuple[tuple[str | None, str, str, int], ...]  # referent, marker, YYYY-MM, n
    speakers: tuple[tuple[str, int], ...]  # speaker name, quotes; most quoted first, then by name
    evidence: tuple[tuple[str, str | None, str, str, str, int, int], ...]  # category, referent, marker,
    # article_id, text, start, end


@dataclass(frozen=True)
class StoredMarker:
    """A framing marker of one article (`Store.markers_of`): a verb, a name or a label, and where it is."""

    id: int
    article_id: str
    marker: str
    referent: str | None
    category: str
    text: str
    start: int
    end: int
    quote_id: str | None


@dataclass(frozen=True)
class SpeakerCorrection:
    """One correction made with `newstrace speakers merge|split|rename` (`Store.speaker_corrections`):
    `name` joins, leaves or is renamed to `target`; a rename may give the speaker's `kind`."""

    action: str  # merge | split | rename
    name: str
    target: str
    kind: str | None = None


@dataclass(frozen=True)
class SpeakerName:
    """What the cross-article resolution needs of one speaker name (as resolved inside its articles),
    summed over the quotes the speakers stage has taken in (`speaker_names`): its resolution `key`
    (`link.speakers.name_key`), how many quotes name it, the roles their sources give it, the sources
    that could be another name of its speaker (`Mr. Trump`, `Stoltenberg`), and the `speaker` it was
    resolved to last (after the corrections; empty before it is resolved)."""

    name: str
    key: str
    mentions: int
    roles: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    speaker: str = ""


@dataclass(frozen=True)
class SpeakerListing:
    """A row of the speakers index (`Store.page_list`): the speaker, and how often, in how many articles and
    by how many outlets it was quoted (within the listing's dates). `aliases` and `roles` are the JSON
    text stored, as the index's CSV shows them."""

    id: int
    name: str
    kind: str
    aliases: str  # JSON: [name, ...]
    roles: str  # JSON: [role, ...]
    n_quotes: int
    n_articles: int
    n_outlets: int


@dataclass(frozen=True)
class OutletListing:
    """A row of the outlets index (`Store.page_list`): the outlet, its articles, its first and last day."""

    outlet: str
    n_articles: int
    first_published: str | None
    last_published: str | None


@dataclass(frozen=True)
class FlaggedRendering:
    """A row of the flags index (`Store.page_list`): a rendering with a checked flag, its article's date and
    title, its utterance's speaker and canonical text, and its own words. `diff` and `flags` are the
    JSON text stored."""

    utterance_id: str
    quote_id: str
    article_id: str
    outlet: str | None
    fidelity: float
    diff: str  # JSON: [{op, canonical, rendering}, ...]
    flags: str  # JSON: [flag, ...]
    published: str | None
    title: str | None
    speaker: str | None
    speaker_id: int | None
    canonical_text: str
    content_text: str


@dataclass(frozen=True)
class OutletSummary:
    """An outlet and how many stored articles it published."""

    outlet: str
    n_articles: int


def as_json(record: object) -> dict[str, object]:
    """A read record as the plain dict its JSON and CSV twins show: its fields, by name, in order. Read
    records are flat, so their values are taken as they are (`asdict`'s deep copy made the overview's
    listing of every speaker ten times slower to build)."""
    if not is_dataclass(record) or isinstance(record, type):
        raise TypeError(f"not a read record: {record!r}")
    kind: type = type(record)
    return {name: getattr(record, name) for name in _field_names(kind)}


@cache
def _field_names(record_type: type) -> tuple[str, ...]:
    """A record type's field names, in order, found once per type (`fields()` on every record was most of
    `as_json`'s cost on a search page's fifty facet rows)."""
    return tuple(item.name for item in fields(record_type))


@dataclass(frozen=True)
class StoryLink:
    """`story_id` recurs from `related_story_id`: the same kind of statement or event, later."""

    story_id: str
    related_story_id: str
    relation: str
    similarity: float
    gap_days: int
    evidence: str  # JSON


@dataclass(frozen=True)
class ReusePassage:
    """A passage of `article_id` taken from `source_article_id`, with character offsets in each text."""

    article_id: str
    source_article_id: str
    article_start: int
    article_end: int
    source_start: int
    source_end: int
    similarity: float


@dataclass(frozen=True)
class DuplicateRepoint:
    """A newly linked article is older than the copy that was the original: the group now points to it."""

    old_original: str
    new_original: str
    reason: str  # JSON, for the old original's own link


@dataclass
class LinkBatch:
    """Everything one batch of linking writes, saved in a single transaction."""

    articles: list[ArticleLink] = field(default_factory=list)
    reuse: list[ReusePassage] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)
    story_links: list[StoryLink] = field(default_factory=list)
    repoints: list[DuplicateRepoint] = field(default_factory=list)
    frequencies: list[tuple[str, str, int]] = field(default_factory=list)  # (term|entity, key, df)
    story_merges: list[tuple[str, str]] = field(default_factory=list)  # (merged story, the story that took it)
    translations: list[TranslationLink] = field(default_factory=list)
