"""`link`: put every stored article that is not yet linked into a story, mark near-duplicates and align
reused passages.

Articles are taken earliest first (undated ones last, then by id), so a copy points to the first
outlet that carried the text and re-running from scratch gives the same stories. Each batch of
results (articles, the stories they touched, document frequencies) is written in one transaction:
a run killed half-way resumes from the first unlinked article. The per-article cost is bounded by
index lookups, never by the number of stored articles.
"""

from __future__ import annotations

import gc
import json
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from itertools import chain, islice
from typing import Protocol

import numpy as np

from newstrace.link.crosslingual import CrossLanguageLinker, lead_of, translation_links
from newstrace.link.duplicates import (
    SHINGLE_WORDS,
    DuplicateSettings,
    SimilarTextIndex,
    band_keys,
    signature_bytes,
    signature_from_bytes,
    signatures,
)
from newstrace.link.features import (
    LinkFeatures,
    entity_counts,
    lead_event_days,
    lead_regions,
    parse_date,
    quoted_runs,
    shingles,
    story_terms,
    word_texts,
)
from newstrace.link.reuse import EncodedText, ReuseSettings, WordCodes, align_passages
from newstrace.link.stories import (
    Assignment,
    DocumentFrequencies,
    StoryClusterer,
    StorySettings,
    StoryState,
)
from newstrace.pipeline.link_memory import (
    MAX_LATEST_MEMBERS,
    Known,
    LatestMembers,
    LinkedArticles,
    link_order,
)
from newstrace.pipeline.stages import record, settings_digest
from newstrace.records import (
    ArticleLink,
    DuplicateRepoint,
    LinkBatch,
    LinkInput,
    ReusePassage,
    Story,
    StoryLink,
)
from newstrace.store.base import LinkerStore, LinkState, StageRecord

# Articles linked between two writes: about five seconds of work a crash can lose. Each write stores
# every word count the batch changed, and at 100,000 articles a write costs ~0.1 s, so smaller batches
# were slower: 3.08 ms per article with 200, 2.81 with 1,000, 2.60 with 2,000 (benchmarks/linking.py).
BATCH_SIZE = 2000
MAX_REUSE_CANDIDATES = MAX_LATEST_MEMBERS
_TEXT_CACHE_SIZE = 4096  # encoded texts: a few bytes a word, and the text


@dataclass(frozen=True)
class LinkSettings:
    stories: StorySettings = field(default_factory=StorySettings)
    duplicates: DuplicateSettings = field(default_factory=DuplicateSettings)
    reuse: ReuseSettings = field(default_factory=ReuseSettings)


@dataclass
class LinkSummary:
    linked: int = 0
    duplicates: int = 0
    stories_opened: int = 0
    recurrences: int = 0
    reuse_passages: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, float]:
        return {
            "articles_linked": self.linked,
            "near_duplicates": self.duplicates,
            "stories_opened": self.stories_opened,
            "recurrences": self.recurrences,
            "reused_passages": self.reuse_passages,
            "seconds": round(self.seconds, 3),
        }


class LinkListener(Protocol):
    def linking_started(self, total_articles: int) -> None: ...

    def article_linked(self) -> None: ...


class _Silent:
    def linking_started(self, total_articles: int) -> None:
        pass

    def article_linked(self) -> None:
        pass


def link_articles(
    store: LinkerStore,
    settings: LinkSettings | None = None,
    listener: LinkListener | None = None,
    redate: Callable[[str | None], str | None] | None = None,
    ahead: PreparedSource | None = None,
) -> LinkSummary:
    """Link every article the store holds that the current link stage has not seen.

    `redate`, for evaluation only, links each article as if it were published on `redate(published)`
    (and in that order), so that a gold set can be replayed as a denser stream; what is stored keeps
    its real dates. `ahead` holds features of articles computed earlier (during intake), which linking
    takes instead of computing them where the article it reads is the one they were computed from
    (`LinkFeaturesAhead`), or computed once for several relinks of the same articles (`PreparedForRelinks`)."""
    settings = settings or LinkSettings()
    listener = listener or _Silent()
    started = time.monotonic()
    done = link_record(settings)
    if store.stage_outdated("link", done.version):
        store.reset_links()  # a new version, or an article's entities or metadata changed: relink everything
    articles = store.articles_to_link(done.version)
    if redate is not None:
        articles = iter(_redated(articles, redate))
    chunks = _chunks(articles, BATCH_SIZE)
    first = next(chunks, [])  # its earliest date says which stored stories the run may need in memory
    state = store.link_state()
    _write_missing_bands(store, settings.duplicates)
    listener.linking_started(store.count_articles_to_link(done.version))
    linker = _Linker(store, settings, state, _earliest(first), stored_dates=redate is None)
    try:
        for chunk in chain([first] if first else [], chunks):
            # What the linker keeps (the window's stories and articles, the posting lists, the frequencies)
            # lives long; frozen, the collector's full passes stop re-walking it, which made each article
            # slower the more articles came before it. Refcounting still frees what leaves memory.
            gc.freeze()
            batch = linker.link(chunk, listener, ahead)
            store.save_links(batch, replace(done, article_ids=tuple(article.article_id for article in chunk)))
    finally:
        gc.unfreeze()
    linker.summary.seconds = time.monotonic() - started
    return linker.summary


def link_record(settings: LinkSettings) -> StageRecord:
    """What a batch of links records: the stage's version (with a digest of settings other than the
    defaults, so linking with other settings relinks everything) and the stages downstream of it."""
    return record("link", "" if settings == LinkSettings() else settings_digest(settings))


@dataclass(eq=False)
class _Match:
    """A stored article that looks like the one being linked, aligned with it."""

    other_id: str
    jaccard: float  # estimated from the MinHash signatures
    shorter_covered: float  # share of the shorter text inside aligned passages
    longer_covered: float
    passages: list[ReusePassage]


class _Linker:
    def __init__(
        self,
        store: LinkerStore,
        settings: LinkSettings,
        state: LinkState,
        since: date | None = None,
        stored_dates: bool = True,
    ) -> None:
        self.store = store
        self.settings = settings
        self.summary = LinkSummary()
        self.clusterer = StoryClusterer(
            settings.stories,
            _frequencies(state.frequencies.get("term", {})),
            _frequencies(state.frequencies.get("entity", {})),
            (),
            CrossLanguageLinker(recall=store.linked_leads),  # stories of earlier runs, across languages
        )
        self.since = since  # the latest earliest date of a batch so far: no dated article to come is earlier
        # What is known of each linked article and each story's latest members: in memory for what is
        # within the window, read from the store for the rest (only when the dates linked are the stored ones).
        self.stored_dates = stored_dates
        self.known = LinkedArticles(store.linked_articles, store.copies_of)
        self.recent = LatestMembers(self._read_latest_members)
        self._load_stories(state.stories, since)
        # Signatures of this batch; those of earlier batches and runs are looked up in the store's band
        # index (`_stored_look_alikes`), so they are not held in memory.
        self.index = SimilarTextIndex(settings.duplicates)
        self.stored: dict[str, dict[str, np.ndarray]] = {}  # article of the batch -> stored look-alike candidates
        self.keys: dict[str, list[int]] = {}  # article of the batch -> its band keys
        self.word_codes = WordCodes()
        self.plan: dict[str, str] = {}  # undated article -> the story chosen for its group
        self.texts: OrderedDict[str, EncodedText] = OrderedDict()

    def _load_stories(self, stories: Iterable[Story], since: date | None) -> None:
        """Take the stories of earlier runs: all are indexed, and those no dated article from `since` on can
        join leave memory at once (`_retire_closed`); any rule that needs one later reads it back."""
        self.clusterer.stories.read_back = self._read_back_story
        self.clusterer.load((story_from_record(story) for story in stories), self._closed_rule(since))

    def _read_back_story(self, story_id: str) -> StoryState:
        """A retired story's state as the store keeps it: at full precision, the state it left memory with."""
        found = self.store.stories_by_id([story_id])
        if not found:
            raise KeyError(f"story {story_id}: retired from memory but not in the store")
        return story_from_record(found[0])

    def _read_latest_members(self, story_id: str) -> list[str]:
        """A story's latest members as its state was saved with them, or, for a state saved before the
        states kept them (or a story not saved yet), as the store ranks its members."""
        found = self.store.stories_by_id([story_id])
        kept = json.loads(found[0].state).get("latest_members") if found else None
        if kept is not None:
            return list(kept)
        return self.store.latest_members([story_id]).get(story_id, []) if found else []

    def _leaves_memory_before(self) -> date | None:
        """The date before which no dated article to come can join a story: stories opened before it, and
        articles linked before it, leave memory (None: nothing does)."""
        if self.since is None:
            return None
        return self.since - timedelta(days=self.settings.stories.window_days)

    def _closed_rule(self, since: date | None) -> Callable[[StoryState], bool]:
        """Whether a story need not stay in memory: an undated story (no window closes on it, but a rule
        reaches it only through the candidate lookup, which reads it back), or one whose window has closed
        for every dated article from `since` on (articles come in date order). Either may still be read (a
        candidate, a `recurs` or `related` link, an undated article or a revision joining it, the days its
        leads name), but rarely, and any read is exact, so it waits in the store."""
        window = self.settings.stories.window_days
        if since is None:
            return lambda story: story.first_seen is None
        return lambda story: story.first_seen is None or (since - story.first_seen).days > window

    def _retire_closed(self, earliest: date | None) -> None:
        """Before a batch whose earliest date is `earliest`: drop from memory the undated stories and those
        whose window has closed (their state is saved as it is: `changed` was written with the batch
        before). A batch of
        undated articles (the last of a run) retires by the last dated batch's date: stories read back for
        its articles leave again before the next."""
        if earliest is not None and (self.since is None or earliest > self.since):
            self.since = earliest
        closed = self._closed_rule(self.since)
        clusterer = self.clusterer
        changed = clusterer.changed
        retiring = [story.id for story in clusterer.stories.values() if story.id not in changed and closed(story)]
        clusterer.retire(retiring)
        self.recent.forget(retiring)
        self.known.forget_before(self._leaves_memory_before() if self.stored_dates else None)

    def link(self, articles: list[LinkInput], listener: LinkListener, ahead: PreparedSource | None = None) -> LinkBatch:
        batch = LinkBatch()
        self._retire_closed(_earliest(articles))
        taken = [ahead.take(article) if ahead else None for article in articles]
        computed = iter(
            prepare_articles([article for article, found in zip(articles, taken, strict=True) if found is None])
        )
        prepared = [found or next(computed) for found in taken]
        features = [item.features for item in prepared]
        self.index = SimilarTextIndex(self.settings.duplicates)
        threshold = self.settings.duplicates.reuse_threshold
        self.keys = {item.features.article_id: band_keys(item.signature, threshold) for item in prepared}
        self.stored = self._stored_look_alikes(self.keys)
        self.plan = {}
        planned = False
        for article, item in zip(articles, prepared, strict=True):
            if item.features.published is None and not planned:
                # Articles come dated first: from here on the batch is undated, and is placed as groups.
                self.plan = self.clusterer.plan_undated([found for found in features if found.published is None])
                planned = True
            encoded = self.word_codes.encode(article.text, item.words)
            self._link_one(article, item.features, encoded, item.signature, batch)
            listener.article_linked()
        self._finish_batch(batch)
        self.stored, self.keys = {}, {}
        return batch

    def _stored_look_alikes(self, keys: dict[str, list[int]]) -> dict[str, dict[str, np.ndarray]]:
        """For each article of a batch (by id, with its band keys), the articles linked before the batch
        that hold one of its band keys, with their signatures: one indexed lookup for the whole batch."""
        holders: dict[tuple[int, int], list[str]] = {}
        for band, key, other in self.store.band_matches(
            sorted({(band, key) for found in keys.values() for band, key in enumerate(found)})
        ):
            holders.setdefault((band, key), []).append(other)
        if not holders:
            return {}
        kept = self.store.signatures_of(sorted({other for found in holders.values() for other in found}))
        signatures = {other: signature_from_bytes(blob) for other, blob in kept.items()}
        self.known.prefetch(signatures)  # those no longer in memory, in one pass
        stored: dict[str, dict[str, np.ndarray]] = {}
        for article_id, found in keys.items():
            for band, key in enumerate(found):
                for other in holders.get((band, key), ()):
                    if other in signatures:
                        stored.setdefault(article_id, {})[other] = signatures[other]
        return stored

    def _link_one(
        self, article: LinkInput, features: LinkFeatures, found: EncodedText, signature: np.ndarray, batch: LinkBatch
    ) -> None:
        aligned = self._aligned_look_alikes(article, found, signature)
        copies = [match for match in aligned if self._is_copy(match)]
        duplicate_of, reason = None, None
        # A copy reports what its original reported, unless it came out far from that story's dates (a
        # wire text republished months later is still a copy, but is placed like any other article).
        copy_story = self._story_of(self._original_of(copies[0].other_id)) if copies else None
        if copy_story is not None and not self._in_window(copy_story, features.published):
            copy_story = None
        if article.revision_of is not None and article.revision_of in self.known:
            # a revision stays with its first version
            story_id = self.clusterer.join(self._story_of(article.revision_of), features)
        elif copy_story is not None:
            duplicate_of, reason = self._duplicate_decision(features, copies, batch)
            story_id = self.clusterer.join(copy_story, features)
        elif (source := self._reused_story(features.published, aligned)) is not None:
            story_id = self.clusterer.join(source, features)
        elif article.article_id in self.plan:
            assignment = self.clusterer.follow_plan(self.plan[article.article_id], features)
            story_id = assignment.story_id
            self._note_assignment(assignment, batch)
        else:
            if copies:  # a copy far from its original's dates
                duplicate_of, reason = self._duplicate_decision(features, copies, batch)
            assignment = self.clusterer.assign(features)
            story_id = assignment.story_id
            self._note_assignment(assignment, batch)
        for match in aligned:
            if match not in copies:
                self._keep_passages(match.passages, batch)
        self._take_merges(batch)
        looked_at = {match.other_id for match in aligned}
        self._align_story_mates(article, features.published, found, story_id, looked_at, batch)
        self._find_translations(article, features, story_id, batch)
        self.index.add(article.article_id, signature)
        self.known.add(article.article_id, Known(features.published, article.published, story_id, duplicate_of))
        self.recent.of(story_id).append(article.article_id)
        self._remember_words(article.article_id, found)
        lead = features.lead if features.published else ""  # undated articles never bridge languages
        batch.articles.append(
            ArticleLink(
                article.article_id,
                story_id,
                duplicate_of,
                reason,
                signature_bytes(signature),
                lead,
                tuple(self.keys[article.article_id]),
            )
        )
        self.summary.linked += 1

    def _find_translations(self, article: LinkInput, features: LinkFeatures, story_id: str, batch: LinkBatch) -> None:
        """A `translation_of` link with each story mate in another language that this article translates, or
        that translates it (link/crosslingual.py; nothing to look at in a single-language corpus)."""
        others = [
            (other, text)
            for other in self.clusterer.crosslingual.counterparts(features, story_id, self.clusterer.resolve)
            if (text := self.store.article_text(other.article_id))
        ]
        if others:
            batch.translations += translation_links(features, article.text, others)

    def _reused_story(self, published: date | None, aligned: list[_Match]) -> str | None:
        """The story of the article this one shares the most text with, when the shared passages cover a
        good part of the shorter text and the dates allow it: a rewritten wire story reports what the wire
        reported. None when no look-alike qualifies."""
        best: _Match | None = None
        for match in aligned:
            if match.shorter_covered >= self.settings.duplicates.story_coverage and (
                best is None or match.shorter_covered > best.shorter_covered
            ):
                best = match
        if best is None:
            return None
        story_id = self._story_of(best.other_id)
        return story_id if self._in_window(story_id, published) else None

    def _story_of(self, article_id: str) -> str:
        """The story a linked article is in now (its story may have been merged into another since)."""
        return self.clusterer.resolve(self.known[article_id].story_id)

    def _take_merges(self, batch: LinkBatch) -> None:
        """Pass the clusterer's story merges on to the store, and merge their lists of latest members."""
        for merged, kept in self.clusterer.merges:
            members = self.recent.pop(merged)
            self.recent.of(kept).extend(members)
            batch.story_merges.append((merged, kept))
        self.clusterer.merges.clear()

    def _in_window(self, story_id: str, published: date | None) -> bool:
        """Whether an article of this date may join the story: either is undated, or it falls within the
        story's window of days from its first date."""
        first = self.clusterer.stories.first_seen_of(story_id)  # never reads a retired story back
        return not published or not first or abs((published - first).days) <= self.settings.stories.window_days

    def _is_copy(self, match: _Match) -> bool:
        settings = self.settings.duplicates
        if match.jaccard >= settings.duplicate_threshold:
            return True
        covered = match.shorter_covered >= settings.duplicate_coverage
        return covered and match.longer_covered >= settings.duplicate_min_share

    def _aligned_look_alikes(self, article: LinkInput, found: EncodedText, signature: np.ndarray) -> list[_Match]:
        """Stored articles whose signature resembles this one's (its own earlier versions aside), aligned with it."""
        results = []
        stored = self.stored.get(article.article_id)
        for other, similarity in self.index.reuse_candidates(signature, stored)[:MAX_REUSE_CANDIDATES]:
            if other == article.revision_of or self.known[other].duplicate_of == article.article_id:
                continue
            passages, coverage = self._align(article.article_id, parse_date(article.published), found, other)
            results.append(_Match(other, similarity, *coverage, passages))
        return results

    def _align_story_mates(
        self,
        article: LinkInput,
        published: date | None,
        found: EncodedText,
        story_id: str,
        done: set[str],
        batch: LinkBatch,
    ) -> None:
        """Align the article with the story's latest members that did not already look alike."""
        for member in reversed(self.recent.of(story_id)):
            if member in done or member == article.revision_of:
                continue
            passages, _ = self._align(article.article_id, published, found, member)
            self._keep_passages(passages, batch)

    def _align(
        self, article_id: str, published: date | None, found: EncodedText, other_id: str
    ) -> tuple[list[ReusePassage], tuple[float, float]]:
        """Passages shared with another article, the later one reusing the earlier, and the shares of
        the shorter and the longer text they cover."""
        other_words = self._words_of(other_id)
        if not other_words or not found.codes:
            return [], (0.0, 0.0)
        other = self.known[other_id]
        if published is not None and other.published is not None and published < other.published:
            reused_by, source, later, earlier = other_id, article_id, other_words, found
        else:
            reused_by, source, later, earlier = article_id, other_id, found, other_words
        passages = align_passages(later, earlier, self.settings.reuse)
        matched = sum(passage.matched_words for passage in passages)
        lengths = (len(found.codes), len(other_words.codes))
        coverage = (matched / min(lengths), matched / max(lengths))
        rows = [
            ReusePassage(
                reused_by,
                source,
                passage.article_start,
                passage.article_end,
                passage.source_start,
                passage.source_end,
                passage.similarity,
            )
            for passage in passages
        ]
        return rows, coverage

    def _keep_passages(self, passages: list[ReusePassage], batch: LinkBatch) -> None:
        batch.reuse.extend(passages)
        self.summary.reuse_passages += len(passages)

    def _original_of(self, article_id: str) -> str:
        return self.known[article_id].duplicate_of or article_id

    def _duplicate_decision(
        self, features: LinkFeatures, copies: list[_Match], batch: LinkBatch
    ) -> tuple[str | None, str | None]:
        """Point the article at the earliest copy; if it is itself the earliest, the group points to it."""
        best_by_original: dict[str, _Match] = {}
        for match in copies:
            original = self._original_of(match.other_id)
            if original not in best_by_original or match.jaccard > best_by_original[original].jaccard:
                best_by_original[original] = match
        original = min(best_by_original, key=self._age_key)
        match = best_by_original[original]
        mine = self.known[original]
        if features.published and mine.published and features.published < mine.published:
            reason = _reason(match, (mine.published - features.published).days)
            batch.repoints.append(DuplicateRepoint(original, features.article_id, reason))
            for member in [*self.known.copies_of(original), original]:
                self.known[member].duplicate_of = features.article_id
            self.summary.duplicates += 1
            return None, None
        gap = (features.published - mine.published).days if features.published and mine.published else None
        self.summary.duplicates += 1
        return original, _reason(match, gap)

    def _age_key(self, article_id: str) -> tuple[bool, date, str, str]:
        return link_order(article_id, self.known[article_id])

    def _note_assignment(self, assignment: Assignment, batch: LinkBatch) -> None:
        if not assignment.opened:
            return
        self.recent.opened(assignment.story_id)
        self.summary.stories_opened += 1
        if assignment.recurs:
            recurs = assignment.recurs
            evidence = json.dumps({"shared_entities": list(recurs.shared_entities)})
            batch.story_links.append(
                StoryLink(
                    assignment.story_id,
                    recurs.earlier_story_id,
                    recurs.relation,
                    recurs.similarity,
                    recurs.gap_days,
                    evidence,
                )
            )
            if recurs.relation == "recurs":
                self.summary.recurrences += 1

    def _words_of(self, article_id: str) -> EncodedText | None:
        if article_id in self.texts:
            self.texts.move_to_end(article_id)
            return self.texts[article_id]
        text = self.store.article_text(article_id)
        if text is None:
            return None
        found = self.word_codes.encode(text)
        self._remember_words(article_id, found)
        return found

    def _remember_words(self, article_id: str, found: EncodedText) -> None:
        self.texts[article_id] = found
        self.texts.move_to_end(article_id)
        while len(self.texts) > _TEXT_CACHE_SIZE:
            self.texts.popitem(last=False)

    def _links_between_live_stories(self, links: list[StoryLink]) -> list[StoryLink]:
        """The batch's story links, re-pointed from merged stories to the stories that took them; a link
        that now joins a story to itself is dropped, and of two that now coincide the later is kept."""
        kept: dict[tuple[str, str, str], StoryLink] = {}
        for link in links:
            moved = replace(
                link,
                story_id=self.clusterer.resolve(link.story_id),
                related_story_id=self.clusterer.resolve(link.related_story_id),
            )
            if moved.story_id != moved.related_story_id:
                kept[(moved.story_id, moved.related_story_id, moved.relation)] = moved
        return list(kept.values())

    def _finish_batch(self, batch: LinkBatch) -> None:
        clusterer = self.clusterer
        changed = sorted(clusterer.changed)
        batch.stories = [story_to_record(clusterer.stories[story_id], self.recent.of(story_id)) for story_id in changed]
        clusterer.changed.clear()
        batch.story_links = self._links_between_live_stories(batch.story_links)
        for kind, frequencies in (("term", clusterer.term_frequencies), ("entity", clusterer.entity_frequencies)):
            batch.frequencies += [(kind, key, frequencies.counts[key]) for key in sorted(frequencies.dirty)]
            batch.frequencies.append((kind, "", frequencies.n_documents))
            frequencies.dirty.clear()


def story_to_record(story: StoryState, latest_members: Iterable[str] = ()) -> Story:
    """A story's state as the store keeps it, with the linker's list of its latest members (oldest first).
    The sums are kept at full precision (JSON writes the shortest decimal that reads back as the same float),
    so a story retired from memory and read back, or loaded by a later run, scores exactly as the one that
    stayed, and its latest members are those the linker held."""
    state = {
        "n_articles": story.n_articles,
        "terms": story.terms,
        "entities": story.entities,
        "join_similarity_sum": story.join_similarity_sum,
        "join_count": story.join_count,
        "quotes": list(story.quotes),
        "event_days": sorted(day.isoformat() for day in story.event_days),
        "regions": sorted(story.regions),
        "latest_members": list(latest_members),
    }
    first = story.first_seen.isoformat() if story.first_seen else None
    last = story.last_seen.isoformat() if story.last_seen else None
    return Story(story.id, story.title, first, last, json.dumps(state, ensure_ascii=False))


def story_from_record(record: Story) -> StoryState:
    state = json.loads(record.state)
    return StoryState(
        id=record.id,
        title=record.title,
        first_seen=parse_date(record.first_seen),
        last_seen=parse_date(record.last_seen),
        n_articles=int(state["n_articles"]),
        terms=dict(state["terms"]),
        entities=dict(state["entities"]),
        join_similarity_sum=float(state["join_similarity_sum"]),
        join_count=int(state["join_count"]),
        quotes=dict.fromkeys(int(run) for run in state.get("quotes", ())),
        event_days={day for text in state.get("event_days", ()) if (day := parse_date(text)) is not None},
        regions=set(state.get("regions", ())),
    )


def link_features(article: LinkInput) -> LinkFeatures:
    """What the linkers read of a stored article: its terms, names, date, title and outlet."""
    published = parse_date(article.published)
    return LinkFeatures(
        article.article_id,
        article.title,
        article.outlet,
        published,
        dict(story_terms(article.title, article.text)),
        dict(entity_counts(article.entities)),
        quoted_runs(article.text),
        article.language,
        lead_of(article.title, article.text) if article.language else "",
        lead_event_days(article.title, article.text, published),
        lead_regions(article.title, article.text, article.entities),
    )


@dataclass(frozen=True)
class PreparedArticle:
    """What linking computes of each article alone, whatever was linked before it: its features and
    MinHash signature, and its words when kept; `source` is the input they were computed from."""

    source: LinkInput
    features: LinkFeatures
    signature: np.ndarray
    words: list[str] | None = None


def prepare_articles(articles: Sequence[LinkInput], keep_words: bool = True) -> list[PreparedArticle]:
    """Each article's features and signature (signatures in one bulk call), and its words if `keep_words`."""
    article_words = [word_texts(article.text) for article in articles]
    found = signatures([set(shingles(tokens, SHINGLE_WORDS)) for tokens in article_words])
    return [
        PreparedArticle(article, link_features(article), signature, tokens if keep_words else None)
        for article, tokens, signature in zip(articles, article_words, found, strict=True)
    ]


class LinkFeaturesAhead:
    """Articles prepared for linking before it starts (`analyze` prepares each batch it stores while the
    workers parse the next, so that the tail after the last parse only scores and clusters), up to
    `limit` articles held at once (about 27 KB each with the text, measured on news articles of ~4,000
    characters: 135 MB at the limit); beyond it, linking computes the rest itself, as it does for any
    article whose stored input differs from the one prepared."""

    def __init__(self, limit: int = 5_000) -> None:
        self.limit = limit
        self._prepared: dict[str, PreparedArticle] = {}

    def __len__(self) -> int:
        return len(self._prepared)

    def add(self, articles: Sequence[LinkInput]) -> None:
        room = max(self.limit - len(self._prepared), 0)
        for prepared in prepare_articles(articles[:room], keep_words=False):
            self._prepared[prepared.source.article_id] = prepared

    def take(self, article: LinkInput) -> PreparedArticle | None:
        """The article's prepared features, when they were computed from exactly this input."""
        prepared = self._prepared.pop(article.article_id, None)
        return prepared if prepared is not None and prepared.source == article else None


class PreparedSource(Protocol):
    """Where linking may find an article's features already computed."""

    def take(self, article: LinkInput) -> PreparedArticle | None: ...


class PreparedForRelinks:
    """The same stored articles prepared once for several relinks (`eval stories` links them four times: as
    they are, and under three redatings). Nothing is taken away; asked for under another date, an article
    gets the features that depend on its date (the date, and the days its lead names) computed again, while
    the rest (terms, names, quotations, signature, words) holds for any date. Up to `limit` articles are
    kept (their words too, about 30 KB each on news articles); linking computes the others itself."""

    def __init__(self, articles: Sequence[LinkInput], limit: int = 5_000) -> None:
        self._prepared = {prepared.source.article_id: prepared for prepared in prepare_articles(articles[:limit])}

    def __len__(self) -> int:
        return len(self._prepared)

    def take(self, article: LinkInput) -> PreparedArticle | None:
        """The article's features, when prepared from this input or from this input on another date."""
        prepared = self._prepared.get(article.article_id)
        if prepared is None or prepared.source == article:
            return prepared
        if replace(prepared.source, published=article.published) != article:
            return None
        published = parse_date(article.published)
        features = replace(
            prepared.features, published=published, event_days=lead_event_days(article.title, article.text, published)
        )
        return PreparedArticle(article, features, prepared.signature, prepared.words)


def _write_missing_bands(store: LinkerStore, settings: DuplicateSettings) -> None:
    """Give the band index the keys of articles linked before it existed (schema 22), from their kept
    signatures, so a later run finds them as look-alikes without holding them in memory."""
    missing = store.unbanded_signatures()
    store.save_bands(
        [
            (band, key, article_id)
            for article_id, blob in missing[first : first + BATCH_SIZE]
            for band, key in enumerate(band_keys(signature_from_bytes(blob), settings.reuse_threshold))
        ]
        for first in range(0, len(missing), BATCH_SIZE)
    )


def _frequencies(stored: dict[str, int]) -> DocumentFrequencies:
    counts = dict(stored)
    documents = counts.pop("", 0)
    frequencies = DocumentFrequencies(documents)
    frequencies.counts.update(counts)
    return frequencies


def _reason(match: _Match, gap_days: int | None) -> str:
    return json.dumps(
        {"similarity": round(match.jaccard, 4), "coverage": round(match.shorter_covered, 4), "gap_days": gap_days}
    )


def _redated(articles: Iterable[LinkInput], redate: Callable[[str | None], str | None]) -> list[LinkInput]:
    """The articles with their dates mapped, in the order the store gives: dated first, then by id."""
    moved = [replace(article, published=redate(article.published)) for article in articles]
    return sorted(moved, key=lambda article: (article.published is None, article.published or "", article.article_id))


def _earliest(articles: Sequence[LinkInput]) -> date | None:
    """The earliest date among a batch's articles (None when all are undated)."""
    return min((day for article in articles if (day := parse_date(article.published)) is not None), default=None)


def _chunks(items: Iterable[LinkInput], size: int) -> Iterator[list[LinkInput]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
