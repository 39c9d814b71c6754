"""The event-mention record the events stage writes, one row of `event_mentions`."""

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
