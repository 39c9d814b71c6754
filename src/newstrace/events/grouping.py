"""One event across its reports: after stories are linked, the event mentions of each story that
report the same occurrence become one row of `events`, with all its mentions, outlets and first report.

Mentions are one occurrence when they share the type, the auxiliary mode (a pledge is not a delivery),
the source and the target (their codes, else their words), their objects are compatible (one names
none, or they share a content word: "a new Patriot battery" and "the Patriot system") and their resolved
dates are at most `DATE_WINDOW_DAYS` apart (or one has none). Before grouping, each mention gets what
only the stored article knows: its date expression resolved against the article's date, and, for a
statement made inside a quote (its trigger in the quote's content or cue), the quote and its resolved
speaker as the source ("'We will not allow it,' Peskov said" is the Kremlin's), coded through the
speaker's country or organisation when the speaker's roles, phrase or name name one.

Incremental: the stage `event_groups` records the articles it has done in `stage_runs`, like the other
stages (`pipeline.stages`). Only the stories of an article it has not done at the current version (new,
or marked stale when an upstream stage redid it), or with a mention in no event, in an event of another
story or in a quote whose speaker changed, are grouped again, each story whole, so a re-run changes
nothing. A new `GROUPING_VERSION` groups every story again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from itertools import groupby
from typing import NamedTuple, Protocol

from newstrace.events.actors import Actor, find_actor
from newstrace.events.dates import resolve_event_date
from newstrace.events.records import MentionPlacement, MentionToGroup, StoredEvent
from newstrace.events.types import FUTURE
from newstrace.records import SpeakerSummary, StoredQuote
from newstrace.store.base import StageRecord, StageRuns

# Raise when the grouping or what it fills in changes: every story's events are grouped again.
# 2: a day named without its year soon after the article's is undated; 3: a weekday of an event told in the
# future is the coming one
GROUPING_VERSION = 3
STAGE_NAME = "event_groups"
DATE_WINDOW_DAYS = 3
_STORIES_PER_WRITE = 500
_FIRST_PERSON = re.compile(r"^(i|we|me|us|(my|our)\b.*)$", re.IGNORECASE)
_OBJECT_FILLER = frozenset({
    "a", "an", "the", "of", "and", "or", "to", "for", "with", "new", "its", "their", "his", "her", "our", "some",
    "more", "other", "about", "around", "up",
    # words that name the kind of help, not a thing: "sends aid" is compatible with any shipment
    "aid", "assistance", "help", "support", "supplies",
})  # fmt: skip


class _ActorColumns(NamedTuple):
    """An event's source or target as its `events` row holds it."""

    code: str | None
    name: str | None
    kind: str | None
    sector: str | None


class EventStore(StageRuns, Protocol):
    """What the grouping reads and writes (a part of `newstrace.store.Store`): its stage's runs, and these."""

    def event_mentions_to_group(self, version: str) -> list[MentionToGroup]: ...

    def quotes_of(self, article_ids: Sequence[str]) -> list[StoredQuote]: ...

    def speaker(self, speaker_id: int) -> SpeakerSummary | None: ...

    def save_events(
        self,
        stories: Mapping[str, Sequence[str]],
        events: Sequence[StoredEvent],
        mentions: Sequence[MentionPlacement],
        record: StageRecord | None = None,
    ) -> None: ...


@dataclass
class GroupingSummary:
    stories: int = 0
    mentions: int = 0
    events: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"stories_grouped": self.stories, "event_mentions": self.mentions, "events": self.events}


def group_events(store: EventStore) -> GroupingSummary:
    """Group the mentions of every story that needs it into events, store them, and record the stage's
    runs on the articles done."""
    from newstrace.pipeline.stages import pending_or_reset, record  # stages imports GROUPING_VERSION from here

    done = record(STAGE_NAME)
    # A new grouping version: every story again. A stale run (an upstream stage redid an article) is only
    # pending: its story is grouped again below, with the others that need it.
    pending = pending_or_reset(store, done, lambda: store.forget_stage(STAGE_NAME), counting_stale=False)
    done = replace(done, article_ids=tuple(pending))
    summary = GroupingSummary()
    rows = store.event_mentions_to_group(done.version)
    stories = [(story_id, list(mentions)) for story_id, mentions in groupby(rows, key=lambda row: row.story_id)]
    speakers = _SpeakerActors(store)
    if not stories and done.article_ids:  # pending articles in no story, or none with a mention
        store.save_events({}, [], [], done)
    for first in range(0, len(stories), _STORIES_PER_WRITE):
        chunk = stories[first : first + _STORIES_PER_WRITE]
        quotes = _quotes_by_article(store, sorted({row.article_id for _, mentions in chunk for row in mentions}))
        events: list[StoredEvent] = []
        updates: list[MentionPlacement] = []
        for story_id, mentions in chunk:
            placed = [with_context(row, quotes.get(row.article_id, []), speakers) for row in mentions]
            for group in group_mentions(placed):
                event = event_row(story_id, group)
                events.append(event)
                updates += [_mention_update(row, event.id) for row in group]
            summary.mentions += len(mentions)
        read = {story_id: [row.id for row in mentions] for story_id, mentions in chunk}
        # the pending articles with nothing to group are recorded with the first write
        store.save_events(read, events, updates, done if first == 0 else replace(done, article_ids=()))
        summary.stories += len(chunk)
        summary.events += len(events)
    return summary


class _SpeakerActors:
    """The actor each speaker stands for, looked up once per speaker."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        self.speakers: dict[int, SpeakerSummary | None] = {}
        self.known: dict[tuple[int, str | None], tuple[str, Actor | None]] = {}

    def of(self, speaker_id: int, phrase: str | None) -> tuple[str, Actor | None]:
        """The speaker's name and the actor their roles, their phrase in the text or their name names."""
        if (speaker_id, phrase) not in self.known:
            if speaker_id not in self.speakers:
                self.speakers[speaker_id] = self.store.speaker(speaker_id)
            speaker = self.speakers[speaker_id]
            name, roles = (speaker.name, speaker.roles) if speaker else ("", ())
            actor = next((found for text in (*roles, phrase or "", name) if (found := find_actor(text))), None)
            self.known[(speaker_id, phrase)] = (name, actor)
        return self.known[(speaker_id, phrase)]


def _quotes_by_article(store: EventStore, article_ids: list[str]) -> dict[str, list[StoredQuote]]:
    found: dict[str, list[StoredQuote]] = {}
    for quote in store.quotes_of(article_ids):
        found.setdefault(quote.article_id, []).append(quote)
    return found


def with_context(row: MentionToGroup, quotes: list[StoredQuote], speakers: _SpeakerActors) -> MentionToGroup:
    """The mention with its date resolved against its article's date and, when its trigger is inside a
    quote, the quote's id and (where the quote's speaker is the one acting) the speaker as its source."""
    source = _actor_of(row, "source")
    if row.speaker_is_source:
        # grouped before with its quote's speaker as source, whose code replaced the source's: the source as
        # its words name it (the speaker may have changed, or be gone)
        source = _columns_of(find_actor(row.source_text or ""))
    quote = _quote_around(row.trigger_start, quotes)
    speaker_is_source = None if quote is None else 0
    if quote is not None and quote.speaker_id is not None and _speaker_acts(row, quote):
        name, actor = speakers.of(quote.speaker_id, quote.source_text or None)
        speaker_is_source = 1
        if actor is not None:
            source = _columns_of(actor)
        elif source.code is None:
            source = source._replace(name=name)
    return replace(  # one copy of the mention: it has some forty fields, and a story may have thousands
        row,
        date=resolve_event_date(row.date_text or None, row.published or None, ahead=row.auxiliary == FUTURE),
        quote_id=quote.id if quote else None,
        speaker_id=quote.speaker_id if quote else None,
        speaker_is_source=speaker_is_source,
        source_code=source.code,
        source_name=source.name,
        source_kind=source.kind,
        source_sector=source.sector,
    )


def _columns_of(actor: Actor | None) -> _ActorColumns:
    return (
        _ActorColumns(actor.code, actor.name, actor.kind, actor.sector)
        if actor
        else _ActorColumns(None, None, None, None)
    )


def _quote_around(trigger_start: int, quotes: list[StoredQuote]) -> StoredQuote | None:
    """The quote whose content (any of its pieces) or cue holds the trigger."""
    for quote in quotes:
        spans = _spans_of(
            quote.content_fragments, quote.content_start, quote.content_end, quote.cue_start, quote.cue_end
        )
        if any(start <= trigger_start < end for start, end in spans):
            return quote
    return None


@lru_cache(maxsize=65_536)
def _spans_of(
    fragments: str | None, content_start: int, content_end: int, cue_start: int, cue_end: int
) -> tuple[tuple[int, int], ...]:
    """A stored quote's content pieces and cue as (start, end) pairs: read once per quote, not once for
    each of its article's event mentions."""
    pieces = json.loads(fragments or "[]") or [[content_start, content_end]]
    return tuple((int(start), int(end)) for start, end in [*pieces, [cue_start, cue_end]])


def _speaker_acts(row: MentionToGroup, quote: StoredQuote) -> bool:
    """Whether the speaker is the one acting: the trigger is the quote's cue ("Peskov accused Kyiv"), or
    the statement inside it names no source or the speaker's own side ("we", "our army")."""
    if quote.cue_start <= row.trigger_start < quote.cue_end:
        return True
    source = (row.source_text or "").strip()
    return not source or _FIRST_PERSON.match(source) is not None


@dataclass
class _Group:
    key: tuple[object, ...]
    mentions: list[MentionToGroup] = field(default_factory=list)
    words: set[str] = field(default_factory=set)
    dates: list[date] = field(default_factory=list)

    def accepts(self, key: tuple[object, ...], words: set[str], when: date | None) -> bool:
        if key != self.key:
            return False
        if words and self.words and not words & self.words:
            return False
        return when is None or all(abs((when - other).days) <= DATE_WINDOW_DAYS for other in self.dates)

    def add(self, mention: MentionToGroup, words: set[str], when: date | None) -> None:
        self.mentions.append(mention)
        self.words |= words
        if when is not None:
            self.dates.append(when)


def group_mentions(mentions: Iterable[MentionToGroup]) -> list[list[MentionToGroup]]:
    """The mentions of one story (earliest report first) grouped into occurrences, in order of first report."""
    groups: list[_Group] = []
    listed = list(mentions)
    for mention in listed:
        key = _occurrence_key(mention)
        words = object_words(mention.object_text)
        when = date.fromisoformat(mention.date) if mention.date else None
        target = next((group for group in groups if key is not None and group.accepts(key, words, when)), None)
        if target is None:
            target = _Group(key if key is not None else (mention.id,))
            groups.append(target)
        target.add(mention, words, when)
    position = {mention.id: number for number, mention in enumerate(listed)}
    return [sorted(group.mentions, key=lambda m: position[m.id]) for group in _with_partial_ones_merged(groups)]


def _with_partial_ones_merged(groups: list[_Group]) -> list[_Group]:
    """A group whose mentions name one actor fewer ("Fiji sends aid" in a headline) joins the one group
    that agrees on everything it names, when there is exactly one such group."""
    kept = list(groups)
    for group in groups:
        if len(group.key) != 4 or None not in group.key[2:]:
            continue
        fuller = [other for other in kept if other is not group and _extends(other, group)]
        if len(fuller) == 1:
            fuller[0].mentions += group.mentions
            fuller[0].words |= group.words
            fuller[0].dates += group.dates
            kept.remove(group)
    return kept


def _extends(fuller: _Group, partial: _Group) -> bool:
    """Whether `fuller` names every actor `partial` names, and more, for the same type and mode."""
    if len(fuller.key) != 4 or fuller.key[:2] != partial.key[:2] or None in fuller.key[2:]:
        return False
    same_actors = all(
        mine is None or mine == theirs for mine, theirs in zip(partial.key[2:], fuller.key[2:], strict=True)
    )
    objects_agree = not fuller.words or not partial.words or bool(fuller.words & partial.words)
    dates_agree = all(fuller.accepts(fuller.key, set(), when) for when in partial.dates)
    return same_actors and objects_agree and dates_agree


def _occurrence_key(mention: MentionToGroup) -> tuple[object, ...] | None:
    """Type, auxiliary mode, source and target (code, else words); None when neither actor is known,
    since "someone did something" cannot be told apart from another report of the same."""
    source, target = _actor_key(mention, "source"), _actor_key(mention, "target")
    if source is None and target is None:
        return None
    return (mention.event_type, mention.auxiliary, source, target)


def _actor_key(mention: MentionToGroup, role: str) -> str | None:
    """The actor's code, else the quote's speaker acting as source, else the actor's words."""
    actor, text = _actor_of(mention, role), _words_of(mention, role)
    if actor.code:
        return actor.code
    if role == "source" and mention.speaker_is_source:
        return f"speaker {mention.speaker_id}"  # "we" of one speaker is not "we" of another
    return text.lower().strip() if text else None


def _actor_of(mention: MentionToGroup, role: str) -> _ActorColumns:
    """The mention's source or target (`role`), as an event holds it."""
    if role == "source":
        return _ActorColumns(mention.source_code, mention.source_name, mention.source_kind, mention.source_sector)
    return _ActorColumns(mention.target_code, mention.target_name, mention.target_kind, mention.target_sector)


def _words_of(mention: MentionToGroup, role: str) -> str | None:
    return mention.source_text if role == "source" else mention.target_text


def object_words(text: object) -> set[str]:
    """The content words of an object ("a new Patriot battery" -> patriot, battery)."""
    if not text:
        return set()
    return {word for word in re.findall(r"\w+", str(text).lower()) if word not in _OBJECT_FILLER}


def event_row(story_id: str, mentions: list[MentionToGroup]) -> StoredEvent:
    """The `events` row of one occurrence: what its mentions agree on, its reports counted."""
    first = mentions[0]
    published = sorted(m.published for m in mentions if m.published)
    outlets = sorted({m.outlet for m in mentions if m.outlet})
    source, target = _actor_columns(mentions, "source"), _actor_columns(mentions, "target")
    return StoredEvent(
        id="ev-" + hashlib.sha1(first.id.encode()).hexdigest()[:16],
        story_id=story_id,
        event_type=first.event_type,
        mode=next((m.mode for m in mentions if m.mode), None),
        auxiliary=first.auxiliary,
        source_code=source.code,
        source_name=source.name,
        source_sector=source.sector,
        target_code=target.code,
        target_name=target.name,
        target_sector=target.sector,
        object_text=next((m.object_text for m in mentions if m.object_text), None),
        date=_usual_date(mentions),
        first_article_id=first.article_id,
        first_reported=published[0] if published else None,
        n_mentions=len(mentions),
        n_articles=len({m.article_id for m in mentions}),
        n_outlets=len(outlets),
        outlets=json.dumps(outlets, ensure_ascii=False),
        confidence=max(m.confidence for m in mentions),
        source_kind=source.kind,
        target_kind=target.kind,
        last_reported=published[-1] if published else None,
        version=GROUPING_VERSION,
    )


def _actor_columns(mentions: list[MentionToGroup], role: str) -> _ActorColumns:
    """An event's source or target: the first coded one among its mentions; else the first one named,
    its words standing for its name ("Lidia Varn", "the rebels")."""
    coded = next((m for m in mentions if _actor_of(m, role).code), None)
    if coded is None:
        named = next((m for m in mentions if _actor_of(m, role).name or _words_of(m, role)), mentions[0])
        return _ActorColumns(
            None, _actor_of(named, role).name or _words_of(named, role), None, _actor_of(named, role).sector
        )
    return _actor_of(coded, role)


def _usual_date(mentions: list[MentionToGroup]) -> str | None:
    """The date most mentions give (the earliest of those most given), None when none gives one."""
    counts = Counter(m.date for m in mentions if m.date)
    if not counts:
        return None
    return min(counts, key=lambda day: (-counts[day], day))


def _mention_update(mention: MentionToGroup, event_id: str) -> MentionPlacement:
    source = _actor_of(mention, "source")
    placed = (mention.date, mention.quote_id, mention.speaker_id, mention.speaker_is_source)
    return MentionPlacement(mention.id, event_id, *placed, source.code, source.name, source.kind, source.sector)
