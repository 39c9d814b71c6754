"""`trails`: put every quote not yet in an utterance into one, and describe the touched utterances.

Runs at the end of `analyze`, after speakers are linked. Of the utterances already stored, only those
the new quotes may join are loaded with their renderings (found through the content keys stored with
each utterance, the speakers of their renderings, and the new quotes' articles and stories; see
`_joinable_utterances`). The grouping does not depend on the order articles arrive in: quotes are
grouped in date order (`link.trails`), and a stored utterance a new quote meets with a rendering later
than it (`link.trails.meets`: news arriving late) is dissolved and its quotes grouped again with the new
ones, as one run over every quote would have grouped them; so are those the regrouped quotes meet, until
nothing more is met (`link.trails.gather`). When the speakers stage moves a stored quote to another speaker it marks
the quote's article stale, and the utterances of stale articles are dissolved the same way. Every
utterance that gained a rendering gets its canonical text, first appearance, and each rendering's diff,
fidelity and flags recomputed, and is written with its content keys in one transaction, the dissolved
ones deleted. A re-run changes nothing; when an utterance lost a rendering (a new quotes version dropped
the quote), its other quotes are grouped again, so nothing computed from the lost one survives (noticed
among the utterances loaded; then every stored utterance is loaded, as before).

The stage runs only when some article has not been taken in yet, or was made stale (`stage_runs`). A new
version, or a stale article whose quotes were replaced (a new quotes version), makes it forget every
utterance and group all quotes again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import islice
from typing import TypeVar

from newstrace.link.trails import (
    KEYS_CACHED,
    QuoteInput,
    RenderedBy,
    StoredPostings,
    StoredSpeakers,
    TrailGrouper,
    TrailSettings,
    Utterance,
    canonical_rendering,
    content_keys,
    describe,
    gather,
    joinable_stored,
    opening_quote,
    prefetch_translations,
    prepare_quote_texts,
    recent_since,
    rendered_keys,
    rendering_age,
    same_passage_repeats,
)
from newstrace.pipeline.stages import pending_or_reset, record
from newstrace.records import Quote, StoredRendering, StoredUtterance
from newstrace.store.base import PipelineStore, SpeakerUtterances, StageRecord, TrailQuote

Found = TypeVar("Found")
_NO_DAY = "u_~"  # after every utterance id a recent read may start from: a speaker read with no day


@dataclass
class TrailSummary:
    quotes: int = 0
    utterances_opened: int = 0
    utterances_updated: int = 0

    def to_dict(self) -> dict[str, int]:
        return {
            "quotes_grouped": self.quotes,
            "utterances_opened": self.utterances_opened,
            "utterances_updated": self.utterances_updated,
        }


def build_trails(store: PipelineStore, settings: TrailSettings | None = None) -> TrailSummary:
    """Group the quotes that are in no utterance yet, with the stored utterances whose grouping they may
    change, and store what changed, when some article is pending for the stage."""
    done = record("trails")
    settings = settings or TrailSettings()
    pending = pending_or_reset(store, done, store.reset_trails, counting_stale=False)
    if not pending:
        return TrailSummary()
    ungrouped = [_quote(row) for row in store.trail_quotes(grouped=False)]
    moved = _stale_utterances(store, done, ungrouped)
    if moved is None:
        store.reset_trails()
        pending = store.pending_articles(done.stage, done.version)
        ungrouped, moved = [_quote(row) for row in store.trail_quotes(grouped=False)], {}
    regrouping = gather(_StoreReads(store, settings), ungrouped, moved, settings)
    grouper = TrailGrouper(settings, regrouping.intact.values(), regrouping.postings())
    known = set(grouper.utterances)
    summary = TrailSummary()
    prefetch_translations(grouper, regrouping.quotes)  # one embedding call, not one per quote
    for quote in sorted(regrouping.quotes, key=rendering_age):
        grouper.add(quote)
        summary.quotes += 1
    changed = [grouper.utterances[utterance_id] for utterance_id in sorted(grouper.changed)]
    summary.utterances_opened = sum(1 for utterance in changed if utterance.id not in known)
    summary.utterances_updated = len(changed) - summary.utterances_opened
    _save(store, changed, regrouping.dissolved, replace(done, article_ids=tuple(pending)))
    return summary


def _save(store: PipelineStore, changed: list[Utterance], dissolved: set[str], done: StageRecord) -> None:
    """Describe and write the changed utterances with their keys, delete the dissolved ones that were not
    opened again under their id, and record the run, in one write."""
    utterances, renderings, keys = [], [], []
    for utterance in changed:
        row, rendering_rows = _describe(utterance)
        utterances.append(row)
        renderings += rendering_rows
        keys += [(key, utterance.id) for key in sorted(rendered_keys(utterance))]
    holding = {rendering.quote_id: utterance.id for utterance in changed for rendering in utterance.renderings}
    # a dissolved utterance is named by the quote that opened it (`opening_quote`): what holds that quote now
    gone = {old: holding.get(opening_quote(old)) for old in sorted(dissolved)}
    store.save_trails(utterances, renderings, done, keys, {old: new for old, new in gone.items() if old != new})


def _stale_utterances(
    store: PipelineStore, done: StageRecord, ungrouped: list[QuoteInput]
) -> dict[str, Utterance] | None:
    """The utterances of the articles an upstream stage made stale, to group again: their quotes were
    moved to another speaker, or their story relinked. None when every utterance must be forgotten: a
    stale article with no quote in an utterance had its quotes replaced (a new quotes version; or it has
    none), and the utterances that lost a quote are found only by reading every one."""
    stale = set(store.stale_articles(done.stage, done.version))
    if not stale:
        return {}
    if any(quote.article_id in stale for quote in ungrouped):
        return None
    grouped = _group_rows(store.trail_quotes_of(store.utterances_rendered_in(sorted(stale), [])))
    rendered = {rendering.article_id for utterance in grouped.values() for rendering in utterance.renderings}
    return None if stale - rendered else grouped


@dataclass
class _StoreReads:
    """The store's answers to `link.trails.gather` (`TrailReads`), each list read once a run: the key lists
    read, each speaker's (and from which day), and the stored keys and speakers of the utterances asked."""

    store: PipelineStore
    settings: TrailSettings
    by_key: dict[str, list[str]] = field(default_factory=dict)
    spoken: dict[int, SpeakerUtterances] = field(default_factory=dict)
    spoken_since: dict[int, str] = field(default_factory=dict)  # the least id each speaker's recent read asked
    keys_read: dict[str, AbstractSet[str]] = field(default_factory=dict)
    speakers_read: dict[str, Mapping[int, AbstractSet[str]]] = field(default_factory=dict)

    def utterances_of(self, utterance_ids: Sequence[str]) -> dict[str, Utterance]:
        return _group_rows(self.store.trail_quotes_of(utterance_ids)) if utterance_ids else {}

    def joinable(
        self, quotes: list[QuoteInput], held: AbstractSet[str]
    ) -> tuple[list[Utterance], list[QuoteInput], StoredPostings | None]:
        return _joinable_utterances(self.store, quotes, self.settings, self, held)


def _joinable_utterances(
    store: PipelineStore,
    quotes: list[QuoteInput],
    settings: TrailSettings,
    lists: _StoreReads | None = None,
    held: AbstractSet[str] = frozenset(),
) -> tuple[list[Utterance], list[QuoteInput], StoredPostings | None]:
    """The stored utterances the quotes may join, and the candidate lists the grouper would hold after
    taking in every stored utterance (`StoredPostings`): read through the stored content keys of the
    utterances (`utterance_keys`), the speakers of their renderings, and the articles and stories of the
    quotes, not every utterance (`link.trails.joinable_stored`). When one of them lost a rendering (see
    `_stored_utterances`), every stored utterance is read as before. With `lists` (a run grouping again what
    late quotes meet), the lists it read already are not read again, nor the utterances `held`."""
    limit = settings.candidates_per_speaker
    keys = sorted({key for quote in quotes for key in content_keys(quote.content)})
    speaker_ids = sorted({quote.speaker_id for quote in quotes if quote.speaker_id is not None})
    lists = lists or _StoreReads(store, settings)
    unread = [key for key in keys if key not in lists.by_key]
    lists.by_key.update(store.utterance_key_postings(unread, limit) if unread else {})
    by_key = {key: lists.by_key[key] for key in keys}
    _read_speakers(store, quotes, settings, lists)
    spoken = {speaker_id: lists.spoken[speaker_id] for speaker_id in speaker_ids if speaker_id in lists.spoken}
    speakers = StoredSpeakers(
        {speaker_id: found.latest for speaker_id, found in spoken.items()},
        {speaker_id: found.languages for speaker_id, found in spoken.items()},
    )
    rendered_by, keys_of = (
        _read_once(_rendered_by(store), lists.speakers_read),
        _read_once(store.utterance_keys_of, lists.keys_read),
    )
    wanted, rendered = joinable_stored(quotes, by_key, speakers, rendered_by, keys_of, settings)
    articles = sorted({quote.article_id for quote in quotes})
    stories = sorted({quote.story_id for quote in quotes if quote.story_id is not None})
    wanted.update(store.utterances_rendered_in(articles, stories))
    wanted -= held
    intact, regroup = _described(store, _group_rows(store.trail_quotes_of(sorted(wanted))))
    if regroup:
        intact, regroup = _stored_utterances(store)
        return intact, regroup, None
    latest = {speaker_id: speakers.latest.get(speaker_id, []) for speaker_id in speaker_ids}
    return intact, regroup, StoredPostings(by_key, latest, rendered)


def _read_speakers(store: PipelineStore, quotes: list[QuoteInput], settings: TrailSettings, lists: _StoreReads) -> None:
    """Read the utterances of the quotes' speakers a grouper would list (`TrailGrouper._speaker_listed`):
    each one's latest, and those opened since `recent_days` before its earliest dated quote; a speaker
    read before is read again only from an earlier day (quotes grouped again may be older)."""
    since: dict[int, str] = {}
    for quote in quotes:
        if quote.speaker_id is not None and quote.published is not None:
            day = recent_since(quote.published, settings)
            since[quote.speaker_id] = min(since.get(quote.speaker_id, day), day)
    speaker_ids = {quote.speaker_id for quote in quotes if quote.speaker_id is not None}
    unasked = sorted(
        speaker_id
        for speaker_id in speaker_ids
        if speaker_id not in lists.spoken
        or (speaker_id in since and since[speaker_id] < lists.spoken_since.get(speaker_id, _NO_DAY))
    )
    if not unasked:
        return
    asked = {speaker_id: since[speaker_id] for speaker_id in unasked if speaker_id in since}
    read = store.speaker_utterances(unasked, settings.candidates_per_speaker, asked, settings.candidates_recent)
    for speaker_id, found in read.items():
        before = lists.spoken.get(speaker_id)
        if before is not None:
            found = replace(found, latest=tuple(sorted({*before.latest, *found.latest}, reverse=True)))
        lists.spoken[speaker_id] = found
    lists.spoken_since.update(asked)


def _read_once(
    read: Callable[[Sequence[str]], Mapping[str, Found]], kept: dict[str, Found]
) -> Callable[[Sequence[str]], dict[str, Found]]:
    """`read` (of utterance ids) asked only of the ids it was not asked of before; what it found is kept."""

    def once(utterance_ids: Sequence[str]) -> dict[str, Found]:
        unread = [utterance_id for utterance_id in utterance_ids if utterance_id not in kept]
        kept.update(read(unread) if unread else {})
        return {utterance_id: kept[utterance_id] for utterance_id in utterance_ids if utterance_id in kept}

    return once


def _rendered_by(store: PipelineStore) -> RenderedBy:
    """What `joinable_stored` asks of some utterances: the speakers of their renderings (as the quotes give
    them now, the speakers stage keeping `utterance_speakers` when it moves a quote) and their languages."""

    def read(utterance_ids: Sequence[str]) -> dict[str, dict[int, set[str]]]:
        found: dict[str, dict[int, set[str]]] = {}
        for row in store.utterance_speakers(utterance_ids):
            found.setdefault(row.utterance_id, {}).setdefault(row.speaker_id, set()).add(row.language)
        return found

    return read


def _stored_utterances(store: PipelineStore) -> tuple[list[Utterance], list[QuoteInput]]:
    """The stored utterances that still hold every rendering they were described with, and the quotes of
    those that lost one (a new quotes version dropped it): those are grouped again, so no count, canonical
    text or flag computed with the lost quote survives, and no rendering stays joined through it."""
    return _described(store, _group_rows(store.trail_quotes(grouped=True)))


def _described(store: PipelineStore, grouped: dict[str, Utterance]) -> tuple[list[Utterance], list[QuoteInput]]:
    """Of these stored utterances, in id order, those still described as stored, and the renderings of
    the others (`_still_described`)."""
    stored = {row.id: row for row in store.utterances_by_id(sorted(grouped))}
    intact: list[Utterance] = []
    regroup: list[QuoteInput] = []
    for utterance_id in sorted(grouped):
        utterance, row = grouped[utterance_id], stored.get(utterance_id)
        if row and _still_described(utterance, row):
            intact.append(utterance)
        else:
            regroup += utterance.renderings
    return intact, regroup


def _still_described(utterance: Utterance, row: StoredUtterance) -> bool:
    """Whether the stored row still describes the utterance's renderings: its canonical quote and first
    article are among them, and it counts as many renderings as they give passages (the repeats of a
    passage another rendering gives count once, as the trail shows them)."""
    by_id = {rendering.quote_id: rendering for rendering in utterance.renderings}
    canonical = by_id.get(row.canonical_quote_id or "")
    if canonical is None or row.first_article_id not in {rendering.article_id for rendering in by_id.values()}:
        return False
    return row.n_renderings == len(by_id) - len(same_passage_repeats(utterance, canonical))


def _group_rows(rows: list[TrailQuote]) -> dict[str, Utterance]:
    grouped: dict[str, Utterance] = {}
    for row in rows:
        utterance_id = str(row.utterance_id)
        quote = _quote(row)
        if utterance_id not in grouped:
            grouped[utterance_id] = Utterance(
                utterance_id, quote.speaker_id, quote.speaker, recurs_from=row.recurs_from or None
            )
        utterance = grouped[utterance_id]
        utterance.renderings.append(quote)
        if utterance.speaker_id is None and quote.speaker_id is not None:
            utterance.speaker_id, utterance.speaker = quote.speaker_id, quote.speaker
    return grouped


def _quote(row: TrailQuote) -> QuoteInput:
    return QuoteInput(
        row.quote_id,
        row.article_id,
        row.outlet or None,
        date.fromisoformat(row.published) if row.published else None,
        int(row.speaker_id) if row.speaker_id is not None else None,
        row.speaker or None,
        row.kind,
        _content(row),
        row.story_id or None,
        _span(row),
        row.duplicate_of or None,
        row.language or None,
    )


def _span(row: TrailQuote) -> tuple[int, int] | None:
    pieces = json.loads(row.content_fragments or "[]")
    return (min(start for start, _ in pieces), max(end for _, end in pieces)) if pieces else None


def _content(row: TrailQuote) -> str:
    pieces = json.loads(row.content_fragments or "[]")
    return quote_content(row.content_text, [(start, end) for start, end in pieces], row.article_text)


def quote_content(content_text: str, pieces: Sequence[tuple[int, int]], article_text: str | None) -> str:
    """The quote's words: its content pieces joined in text order (`"A," she said, "B."` renders `A B`,
    as another outlet quoting it in one piece would), or its one content span."""
    if len(pieces) < 2 or not article_text:
        return content_text
    return " ".join(article_text[start:end].strip() for start, end in sorted(pieces))


class TrailTextsAhead:
    """Quote contents prepared for trails before the stage starts (`analyze` prepares each batch it
    stores while the workers parse the next): their words and content keys (`prepare_quote_texts`),
    kept by the text, so the stage takes them only for a stored content equal to one prepared. At most
    `limit` contents are prepared, half of what the caches keep, so that preparing evicts none prepared
    (about 1.9 KB each, measured on news quotes: 61 MB at the limit)."""

    def __init__(self, limit: int = KEYS_CACHED // 2) -> None:
        self.limit = limit
        self.prepared = 0

    def add(self, article_text: str, quotes: Iterable[Quote]) -> None:
        room = max(self.limit - self.prepared, 0)
        contents = [
            quote_content(quote.content_text, quote.content_fragments, article_text) for quote in islice(quotes, room)
        ]
        prepare_quote_texts(contents)
        self.prepared += len(contents)


def _describe(utterance: Utterance) -> tuple[StoredUtterance, list[StoredRendering]]:
    canonical = canonical_rendering(utterance)
    repeats = same_passage_repeats(utterance, canonical)
    first = min(utterance.renderings, key=rendering_age)
    # counted as the trail shows them: a passage another rendering gives again is one rendering
    shown = [rendering for rendering in utterance.renderings if rendering.quote_id not in repeats]
    outlets = {rendering.outlet for rendering in shown if rendering.outlet}
    row = StoredUtterance(
        id=utterance.id,
        speaker_id=utterance.speaker_id,
        speaker=utterance.speaker,
        canonical_quote_id=canonical.quote_id,
        canonical_text=canonical.content,
        first_article_id=first.article_id,
        first_seen=first.published.isoformat() if first.published else None,
        first_outlet=first.outlet,
        n_renderings=len(shown),
        n_outlets=len(outlets),
        recurs_from=utterance.recurs_from,
    )
    renderings: list[StoredRendering] = []
    for rendering in utterance.renderings:
        report = describe(rendering, canonical, utterance, repeats=repeats)
        renderings.append(
            StoredRendering(
                quote_id=rendering.quote_id,
                utterance_id=utterance.id,
                article_id=rendering.article_id,
                outlet=rendering.outlet,
                fidelity=report.fidelity,
                diff=json.dumps(report.diff, ensure_ascii=False),
                flags=json.dumps(list(report.flags)),
            )
        )
    return row, renderings
