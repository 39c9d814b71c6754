"""The event records: the mention the events stage writes (one row of `event_mentions`), and what the
store reads and writes of mentions and events once they are grouped."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class EventMention:
    """One report of an event in one sentence, every part as character offsets into the article text.

    A sentence with coordinated actors ("The US, Germany and Romania will each donate ...") gives one
    mention per actor, sharing the trigger. `date`, `quote_id` and `event_id` are filled after the
    document stages, when the article's date, its quotes' speakers and its story are known.
    """

    id: str
    article_id: str
    event_type: str
    mode: str | None
    auxiliary: str | None  # future | hypothetical | negated
    confidence: float
    sentence_start: int
    sentence_end: int
    trigger_text: str
    trigger_start: int
    trigger_end: int
    source_text: str | None = None
    source_start: int | None = None
    source_end: int | None = None
    source_code: str | None = None
    source_name: str | None = None
    source_kind: str | None = None
    source_sector: str | None = None
    target_text: str | None = None
    target_start: int | None = None
    target_end: int | None = None
    target_code: str | None = None
    target_name: str | None = None
    target_kind: str | None = None
    target_sector: str | None = None
    object_text: str | None = None
    object_start: int | None = None
    object_end: int | None = None
    date_text: str | None = None
    date_start: int | None = None
    date_end: int | None = None
    date: str | None = None
    quote_id: str | None = None
    event_id: str | None = None


@dataclass(frozen=True)
class StoredMention(EventMention):
    """A stored event mention: the `EventMention`, and the speaker of the quote it is in (`speaker_id`;
    `speaker_is_source` 1 when that speaker is its source, 0 when not, None outside quotes)."""

    speaker_id: int | None = None
    speaker_is_source: int | None = None


@dataclass(frozen=True, kw_only=True)
class MentionToGroup(StoredMention):
    """A mention the grouping reads (`Store.event_mentions_to_group`), with its article's story, date and
    outlet."""

    story_id: str
    published: str | None
    outlet: str | None


@dataclass(frozen=True, kw_only=True)
class EventReport(StoredMention):
    """A mention of an event as its pages show it (`Store.mentions_of_events`), with its article's title,
    outlet and date."""

    title: str | None
    outlet: str | None
    published: str | None


@dataclass(frozen=True)
class MentionPlacement:
    """What the grouping writes on one mention (`Store.save_events`): its event, its resolved date, the
    quote it is in and that quote's speaker, and its source (the speaker's actor when the speaker acts)."""

    id: str
    event_id: str
    date: str | None
    quote_id: str | None
    speaker_id: int | None
    speaker_is_source: int | None
    source_code: str | None
    source_name: str | None
    source_kind: str | None
    source_sector: str | None


@dataclass(frozen=True)
class StoredEvent:
    """One occurrence grouped from the mentions of a story, a row of `events` (`Store.events_where`, and
    what `Store.save_events` writes): what its mentions agree on, and its reports counted."""

    id: str
    story_id: str
    event_type: str
    mode: str | None
    auxiliary: str | None
    source_code: str | None
    source_name: str | None
    source_sector: str | None
    target_code: str | None
    target_name: str | None
    target_sector: str | None
    object_text: str | None
    date: str | None
    first_article_id: str
    first_reported: str | None
    n_mentions: int
    n_articles: int
    n_outlets: int
    outlets: str  # JSON: [outlet, ...]
    confidence: float
    source_kind: str | None
    target_kind: str | None
    last_reported: str | None
    version: int
