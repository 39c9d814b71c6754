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
from itertools import groupby
from typing import Protocol

from newstrace.events.actors import Actor, find_actor
from newstrace.events.dates import resolve_event_date
from newstrace.events.types import FUTURE
from newstrace.records import SpeakerSummary
from newstrace.store.base import StageRecord

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
_SOURCE_COLUMNS = ("source_code", "source_name", "source_kind", "source_sector")

Row = dict[str, object]


class EventStore(Protocol):
    """What the grouping reads and writes (a part of `newstrace.store.Store`)."""

    def event_mentions_to_group(self, version: str) -> list[Row]: ...

    def pending_articles(self, stage: str, version: str) -> list[str]: ...

    def stage_outdated(self, stage: str, version: str) -> bool: ...

    def forget_stage(self, stage: str) -> None: ...

    def quotes_of(self, article_ids: Sequence[str]) -> list[Row]: ...

    def speaker(self, speaker_id: int) -> SpeakerSummary | None: ...

    def save_events(
        self,
        stories: Mapping[str, Sequence[str]],
        events: Sequence[Row],
        mentions: Sequence[Row],
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
    from newstrace.pipeline.stages import record  # the registry imports GROUPING_VERSION from here

    done = record(STAGE_NAME)
    if store.stage_outdated(done.stage, done.version):  # a new grouping version: every story again
        store.forget_stage(done.stage)
    done = replace(done, article_ids=tuple(store.pending_articles(done.stage, done.version)))
    summary = GroupingSummary()
    rows = store.event_mentions_to_group(done.version)
    stories = [(str(story_id), list(mentions)) for story_id, mentions in groupby(rows, key=lambda r: r["story_id"])]
    speakers = _SpeakerActors(store)
    if not stories and done.article_ids:  # pending articles in no story, or none with a mention
        store.save_events({}, [], [], done)
    for first in range(0, len(stories), _STORIES_PER_WRITE):
        chunk = stories[first : first + _STORIES_PER_WRITE]
        quotes = _quotes_by_article(
            store, sorted({str(row["article_id"]) for _, mentions in chunk for row in mentions})
        )
        events: list[Row] = []
        updates: list[Row] = []
        for story_id, mentions in chunk:
            placed = [with_context(row, quotes.get(str(row["article_id"]), []), speakers) for row in mentions]
            for group in group_mentions(placed):
                event = event_row(story_id, group)
                events.append(event)
                updates += [_mention_update(row, str(event["id"])) for row in group]
            summary.mentions += len(mentions)
        read = {story_id: [str(row["id"]) for row in mentions] for story_id, mentions in chunk}
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


def _quotes_by_article(store: EventStore, article_ids: list[str]) -> dict[str, list[Row]]:
    found: dict[str, list[Row]] = {}
    for quote in store.quotes_of(article_ids):
        found.setdefault(str(quote["article_id"]), []).append(quote)
    return found


def with_context(row: Row, quotes: list[Row], speakers: _SpeakerActors) -> Row:
    """The mention with its date resolved against its article's date and, when its trigger is inside a
    quote, the quote's id and (where the quote's speaker is the one acting) the speaker as its source."""
    published = row.get("published")
    date_text = row.get("date_text")
    placed: Row = {
        **row,
        **(_source_from_words(row) if row.get("speaker_is_source") else {}),
        "date": resolve_event_date(
            str(date_text) if date_text else None,
            str(published) if published else None,
            ahead=row.get("auxiliary") == FUTURE,
        ),
        "quote_id": None,
        "speaker_id": None,
        "speaker_is_source": None,
    }
    quote = _quote_around(int(str(row["trigger_start"])), quotes)
    if quote is None:
        return placed
    placed |= {"quote_id": quote["id"], "speaker_id": quote.get("speaker_id"), "speaker_is_source": 0}
    if quote.get("speaker_id") is None or not _speaker_acts(row, quote):
        return placed
    speaker_id = int(str(quote["speaker_id"]))
    name, actor = speakers.of(speaker_id, str(quote.get("source_text") or "") or None)
    placed["speaker_is_source"] = 1
    if actor is not None:
        placed |= {"source_code": actor.code, "source_name": actor.name, "source_kind": actor.kind}
        placed["source_sector"] = actor.sector
    elif placed.get("source_code") is None:
        placed["source_name"] = name
    return placed


def _source_from_words(row: Row) -> Row:
    """The source as its words name it, for a mention grouped before with its quote's speaker as source
    (whose columns the speaker's code replaced): the speaker may have changed, or be gone."""
    actor = find_actor(str(row.get("source_text") or ""))
    values = (actor.code, actor.name, actor.kind, actor.sector) if actor else (None, None, None, None)
    return dict(zip(_SOURCE_COLUMNS, values, strict=True))


def _quote_around(trigger_start: int, quotes: list[Row]) -> Row | None:
    """The quote whose content (any of its pieces) or cue holds the trigger."""
    for quote in quotes:
        pieces = json.loads(str(quote.get("content_fragments") or "[]")) or [
            [quote["content_start"], quote["content_end"]]
        ]
        spans = [*pieces, [quote["cue_start"], quote["cue_end"]]]
        if any(int(start) <= trigger_start < int(end) for start, end in spans):
            return quote
    return None


def _speaker_acts(row: Row, quote: Row) -> bool:
    """Whether the speaker is the one acting: the trigger is the quote's cue ("Peskov accused Kyiv"), or
    the statement inside it names no source or the speaker's own side ("we", "our army")."""
    trigger = int(str(row["trigger_start"]))
    if int(str(quote["cue_start"])) <= trigger < int(str(quote["cue_end"])):
        return True
    source = str(row.get("source_text") or "").strip()
    return not source or _FIRST_PERSON.match(source) is not None


@dataclass
class _Group:
    key: tuple[object, ...]
    mentions: list[Row] = field(default_factory=list)
    words: set[str] = field(default_factory=set)
    dates: list[date] = field(default_factory=list)

    def accepts(self, key: tuple[object, ...], words: set[str], when: date | None) -> bool:
        if key != self.key:
            return False
        if words and self.words and not words & self.words:
            return False
        return when is None or all(abs((when - other).days) <= DATE_WINDOW_DAYS for other in self.dates)

    def add(self, mention: Row, words: set[str], when: date | None) -> None:
        self.mentions.append(mention)
        self.words |= words
        if when is not None:
            self.dates.append(when)


def group_mentions(mentions: Iterable[Row]) -> list[list[Row]]:
    """The mentions of one story (earliest report first) grouped into occurrences, in order of first report."""
    groups: list[_Group] = []
    listed = list(mentions)
    for mention in listed:
        key = _occurrence_key(mention)
        words = object_words(mention.get("object_text"))
        when = date.fromisoformat(str(mention["date"])) if mention.get("date") else None
        target = next((group for group in groups if key is not None and group.accepts(key, words, when)), None)
        if target is None:
            target = _Group(key if key is not None else (mention["id"],))
            groups.append(target)
        target.add(mention, words, when)
    position = {str(mention["id"]): number for number, mention in enumerate(listed)}
    return [sorted(group.mentions, key=lambda m: position[str(m["id"])]) for group in _with_partial_ones_merged(groups)]


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


def _occurrence_key(mention: Row) -> tuple[object, ...] | None:
    """Type, auxiliary mode, source and target (code, else words); None when neither actor is known,
    since "someone did something" cannot be told apart from another report of the same."""
    source, target = _actor_key(mention, "source"), _actor_key(mention, "target")
    if source is None and target is None:
        return None
    return (mention["event_type"], mention.get("auxiliary"), source, target)


def _actor_key(mention: Row, role: str) -> str | None:
    """The actor's code, else the quote's speaker acting as source, else the actor's words."""
    code, text = mention.get(f"{role}_code"), mention.get(f"{role}_text")
    if code:
        return str(code)
    if role == "source" and mention.get("speaker_is_source"):
        return f"speaker {mention['speaker_id']}"  # "we" of one speaker is not "we" of another
    return str(text).lower().strip() if text else None


def object_words(text: object) -> set[str]:
    """The content words of an object ("a new Patriot battery" -> patriot, battery)."""
    if not text:
        return set()
    return {word for word in re.findall(r"\w+", str(text).lower()) if word not in _OBJECT_FILLER}


def event_row(story_id: str, mentions: list[Row]) -> Row:
    """The `events` row of one occurrence: what its mentions agree on, its reports counted."""
    first = mentions[0]
    published = sorted(str(m["published"]) for m in mentions if m.get("published"))
    outlets = sorted({str(m["outlet"]) for m in mentions if m.get("outlet")})
    return {
        "id": "ev-" + hashlib.sha1(str(first["id"]).encode()).hexdigest()[:16],
        "story_id": story_id,
        "event_type": first["event_type"],
        "mode": next((m["mode"] for m in mentions if m.get("mode")), None),
        "auxiliary": first.get("auxiliary"),
        **_actor_columns(mentions, "source"),
        **_actor_columns(mentions, "target"),
        "object_text": next((m["object_text"] for m in mentions if m.get("object_text")), None),
        "date": _usual_date(mentions),
        "first_article_id": first["article_id"],
        "first_reported": published[0] if published else None,
        "last_reported": published[-1] if published else None,
        "n_mentions": len(mentions),
        "n_articles": len({m["article_id"] for m in mentions}),
        "n_outlets": len(outlets),
        "outlets": json.dumps(outlets, ensure_ascii=False),
        "confidence": max(float(str(m["confidence"])) for m in mentions),
        "version": GROUPING_VERSION,
    }


def _actor_columns(mentions: list[Row], role: str) -> Row:
    """An event's source or target: the first coded one among its mentions; else the first one named,
    its words standing for its name ("Lidia Varn", "the rebels")."""
    coded = next((m for m in mentions if m.get(f"{role}_code")), None)
    if coded is None:
        named = next((m for m in mentions if m.get(f"{role}_name") or m.get(f"{role}_text")), mentions[0])
        name = named.get(f"{role}_name") or named.get(f"{role}_text")
        return {
            f"{role}_code": None,
            f"{role}_name": name,
            f"{role}_kind": None,
            f"{role}_sector": named.get(f"{role}_sector"),
        }
    return {f"{role}_{part}": coded.get(f"{role}_{part}") for part in ("code", "name", "kind", "sector")}


def _usual_date(mentions: list[Row]) -> str | None:
    """The date most mentions give (the earliest of those most given), None when none gives one."""
    counts = Counter(str(m["date"]) for m in mentions if m.get("date"))
    if not counts:
        return None
    return min(counts, key=lambda day: (-counts[day], day))


def _mention_update(mention: Row, event_id: str) -> Row:
    columns = ("date", "quote_id", "speaker_id", "speaker_is_source", *_SOURCE_COLUMNS)
    values = {name: mention.get(name) for name in columns}
    return {"id": mention["id"], "event_id": event_id, **values}
