"""Quote trails: group the quotes that render one utterance (one statement by one speaker) across
articles, and describe each rendering against the utterance's canonical wording.

Quotes are grouped in date order (`rendering_age`: article date, then quote id), whatever order they
arrived in: a later run groups again the stored utterances its quotes meet with a later rendering
(`meets`, `gather`), an utterance is named by its earliest quote and that quote's date (`utterance_id`),
and of equal matches the latest opened wins. A quote is compared with utterances opened by its day: those
its speaker opened in the `recent_days` before it (and its latest) that hold `min_shared` of its words,
and the latest holding each of its words (`TrailGrouper._candidates`): bounded by time and count, not by
the corpus, so a speaker quoted every day keeps its older statements. A quote is judged against each
candidate utterance's canonical text, never against another rendering (so no chain of renderings drifts
to another statement):

- same resolved speaker: every sentence of the quote must have most of its content words (after folding
  plurals and mapping near-synonyms such as "victory"/"win", "gravest"/"greatest" to one key) in one
  sentence of the canonical text, or two adjacent ones; a quote of fewer than four content words joins
  only as a word-for-word run of a direct rendering, and none when several statements of its speaker hold
  its words (a campaign's stock phrase), unless one is rendered in its own article or a copy of it;
- no resolved speaker (the quote's or the utterance's): near-identical words within the same story;
- another named speaker: near-identical words of a long enough quote, flagged `speaker_changed`;
- another language (the same resolved speaker): a multilingual embedding must find the quote a
  translation of the canonical text (`link.crosslingual.statement_similarity`); it is flagged
  `translated`, its fidelity is that similarity, and no word diff is pretended.

An utterance takes no quote dated more than `window_days` after its last rendering: the same words later
are a new utterance that recurs from it.

The canonical text is the earliest direct rendering that is not a fragment (the first outlet's words,
not the longest). Each rendering is compared word by word with it: kept, cut, inserted and substituted
words, a fidelity in [0, 1], and flags `altered_direct_quote` (only on quoted words that are clearly the
same statement and differ materially), `truncated`, `paraphrased_as_indirect`, `speaker_changed`.
"""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, timedelta
from difflib import SequenceMatcher
from functools import lru_cache
from itertools import chain, pairwise
from typing import Protocol

from newstrace.link.crosslingual import prefetch, statement_similarity
from newstrace.link.features import STOP_WORDS, fold_term

TRANSLATED = "translated"  # the flag of a rendering in another language than the canonical text
SAME_PASSAGE = "same_passage"  # the flag of a rendering that repeats a passage another rendering gives
QUOTE_MARKS = '"“”„‟«»‹›'
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_QUOTED = re.compile(r"[\"“„«‹]([^\"“”„‟«»‹›]+)[\"”‟»›]")
# Near-synonyms news outlets swap when they retell a statement; each group maps to its first word.
_SYNONYM_GROUPS = (
    "victory win triumph success",
    "danger threat risk peril menace",
    "greatest gravest biggest largest most_significant major",
    "defeat loss",
    "allow permit let",
    "war conflict fighting",
    "country nation state",
    "attack strike assault",
    "weapon arm",
    "support aid help assistance",
    "president leader head chief",
    "security safety",
    "must should need",
    "cannot mustn't can't",
    "consequence result outcome cost",
    "increase rise grow boost",
    "decrease fall drop cut",
    "important significant crucial vital key",
    "talk negotiation dialogue",
    "say state",
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’»]?\s+(?=[\"“‘«]?[A-Z])")
_KEY_LENGTH = 6
_ELLIPSIS = re.compile(r"…|\.\s*\.\s*\.")
_CONTRACTIONS = (("n't", "not"), ("'ve", "have"), ("'re", "are"), ("'ll", "will"), ("'m", "am"), ("'d", "would"))
_FILLER_WORDS = frozenset(["uh", "um", "er", "erm", "ah", "hmm"])
_FILLER_PAIRS = frozenset([("i", "mean"), ("you", "know")])
_EDITORIAL = re.compile(r"\[[^\]]*\]")
_NEGATIONS = frozenset({"not", "no", "never", "nor", "none", "nothing", "neither", "without"})
_COPY_NEAR_IDENTICAL = 0.8  # content-word Jaccard of one passage in two copies of an article
_SYNONYMS = {word: group.split()[0] for group in _SYNONYM_GROUPS for word in group.split()}
_NEVER = (True, date.max, "\uffff")  # later than any rendering's age
_UNDATED = "~"  # in an utterance id, sorts after every date: an undated quote is the latest (`rendering_age`)
KEYS_CACHED = 1 << 16  # texts whose keys (about 0.85 KB each) and words (1 KB) are kept: more than one run's candidates


@dataclass(frozen=True)
class TrailSettings:
    join_share: float = 0.6  # share of a rendering sentence's content words found in one canonical sentence
    min_shared: int = 3  # ... and at least this many words shared
    min_common_shared: int = 2  # ... of which this many are not names (one more: see _match)
    short_content_words: int = 4  # fewer: a fragment, which joins only as a word-for-word run of a direct rendering
    stock_phrase_statements: int = 2  # a fragment whose words this many of its speaker's statements hold: stock
    near_identical: float = 0.8  # word-set Jaccard with the canonical text for a quote of no or another speaker
    other_speaker_min_words: int = 6  # content words a quote needs before another speaker's name may join it
    altered_overlap: float = 0.7  # share of quoted content words in the canonical text before a misquote flag
    altered_min_fidelity: float = 0.5  # a direct rendering less like the canonical text than this is no misquote
    window_days: int = 30  # an utterance takes no quote dated further than this after its last rendering
    candidates_per_speaker: int = 200  # latest opened utterances of a speaker, and of a key, compared with a quote
    recent_days: int = 60  # ... and every utterance of its speaker opened this many days before it,
    candidates_recent: int = 1000  # ... up to this many (the latest opened)


@dataclass(frozen=True)
class QuoteInput:
    """A stored quote as trails see it."""

    quote_id: str
    article_id: str
    outlet: str | None
    published: date | None
    speaker_id: int | None
    speaker: str | None
    kind: str
    content: str
    story_id: str | None = None
    span: tuple[int, int] | None = None  # where the content is in its article (first to last piece)
    copy_of: str | None = None  # the article this one is a near-duplicate copy of
    language: str | None = None  # the article's, ISO 639-1: a rendering in another language is `translated`


@dataclass
class Utterance:
    id: str
    speaker_id: int | None
    speaker: str | None
    renderings: list[QuoteInput] = field(default_factory=list)
    recurs_from: str | None = None

    @property
    def last_seen(self) -> date | None:
        dates = [rendering.published for rendering in self.renderings if rendering.published]
        return max(dates) if dates else None


@dataclass(frozen=True)
class RenderingReport:
    """One rendering compared with its utterance's canonical text."""

    quote_id: str
    fidelity: float
    diff: list[dict[str, str]]  # {"op": kept|cut|inserted|substituted, "canonical": ..., "rendering": ...}
    flags: tuple[str, ...]


def words(text: str) -> list[str]:
    """Lower-cased words of a quotation, punctuation and quotation marks left out."""
    return [match.group().lower().replace("’", "'") for match in _WORD.finditer(text)]


# Each rendering's words are diffed with its canonical text's, and most renderings are their own canonical
# text: the same contents' words are asked for again (and prepared during intake: `prepare_quote_texts`).
@lru_cache(maxsize=KEYS_CACHED)
def _words(text: str) -> tuple[str, ...]:
    return tuple(words(text))


def prepare_quote_texts(texts: Iterable[str]) -> None:
    """Compute ahead what grouping and describing read of each quote's content alone (its words and its
    content keys), kept by the text itself: the stage takes them only for a content equal to it."""
    for text in texts:
        _words(text)
        _content_keys(text)


def word_spans(text: str) -> list[tuple[int, int, str]]:
    """The words `words` reads, each as printed with its offsets in `text`: (start, end, word)."""
    return [(match.start(), match.end(), match.group()) for match in _WORD.finditer(text)]


def content_keys(text: str) -> set[str]:
    """The content words of a quotation, plurals folded, near-synonyms mapped to one key, and each cut to
    its first six letters."""
    return set(_content_keys(text))


# Grouping compares each new quote with the canonical text of every candidate utterance: the same texts'
# keys are asked for again and again (most of the trails stage's time before they were kept).
@lru_cache(maxsize=KEYS_CACHED)
def _content_keys(text: str) -> frozenset[str]:
    keys = set()
    for word in words(text):
        if word in STOP_WORDS or len(word) < 3:
            continue
        folded = fold_term(word)
        # cut to a stem's length so that a name and its adjective meet ("Russia"/"Russian", "Drovnia"/"Drovnian")
        keys.add(_SYNONYMS.get(folded, _SYNONYMS.get(word, folded))[:_KEY_LENGTH])
    return frozenset(keys)


def rendered_keys(utterance: Utterance) -> set[str]:
    """The content keys of all the utterance's renderings: what its candidate lists are found by."""
    return set().union(*(_content_keys(rendering.content) for rendering in utterance.renderings))


def sentence_keys(text: str) -> list[set[str]]:
    """The content keys of each sentence of a quotation (a sentence ends at . ! or ? before a capital)."""
    return [set(keys) for keys in _sentence_keys(text)]


@lru_cache(maxsize=KEYS_CACHED)
def _sentence_keys(text: str) -> tuple[frozenset[str], ...]:
    return tuple(keys for keys in map(_content_keys, _SENTENCE_END.split(text)) if keys)


def name_keys(text: str) -> set[str]:
    """The keys of words only ever written with a capital in the text (names, mostly)."""
    return set(_name_keys(text))


@lru_cache(maxsize=KEYS_CACHED)
def _name_keys(text: str) -> frozenset[str]:
    lower = {match.group() for match in _WORD.finditer(text) if match.group()[:1].islower()}
    capital = " ".join(match.group() for match in _WORD.finditer(text) if match.group()[:1].isupper())
    return _content_keys(capital) - _content_keys(" ".join(lower))


def containment(first: AbstractSet[str], second: AbstractSet[str]) -> tuple[float, int]:
    shared = len(first & second)
    smaller = min(len(first), len(second))
    return (shared / smaller if smaller else 0.0), shared


def jaccard(first: AbstractSet[str], second: AbstractSet[str]) -> float:
    union = first | second
    return len(first & second) / len(union) if union else 0.0


def _jaccard_of_counts(shared: int, size: int, other_size: int) -> float:
    """`jaccard` of two sets from their sizes and the size of their intersection: the same float."""
    union = size + other_size - shared
    return shared / union if union else 0.0


@dataclass(frozen=True)
class StoredPostings:
    """What a grouper holding every stored utterance would list, for the content keys and speakers of the
    quotes to come: for each key, the ids of its latest opened utterances (the greatest ids: an id sorts
    by the date and id of the quote that opened it, `utterance_id`), at most `candidates_per_speaker`; for
    each speaker, as many of its own and those opened since `recent_days` before its earliest quote to
    come (at most `candidates_recent`). Given these, a grouper needs only the stored utterances a quote to
    come may join, not every one."""

    by_key: Mapping[str, Sequence[str]]
    by_speaker: Mapping[int, Sequence[str]]
    rendered_keys: Mapping[str, AbstractSet[str]] = field(default_factory=dict)  # of listed utterances not given


class TrailGrouper:
    """Groups quotes into utterances incrementally, in the order given. Each quote is judged against the
    canonical text of a candidate utterance, never against another rendering, so no chain of renderings
    can pull in a different statement.

    The stored `utterances` are taken in, in the order given; with `postings`, the candidate lists come
    from those instead (the utterances given are then those the quotes to come may join, and the lists
    name the others too, which no quote can join)."""

    def __init__(
        self,
        settings: TrailSettings | None = None,
        utterances: Iterable[Utterance] = (),
        postings: StoredPostings | None = None,
    ) -> None:
        self.settings = settings or TrailSettings()
        self.utterances: dict[str, Utterance] = {}
        self._canonical: dict[str, QuoteInput] = {}  # utterance id -> its canonical rendering
        self._canonical_keys: dict[str, frozenset[str]] = {}  # utterance id -> its canonical rendering's keys
        self._reach = _Reach(self.settings)
        # the utterances of each speaker and of each key, in id order (the order they were opened in)
        self._by_speaker: dict[int | None, list[str]] = {}
        self._by_key: dict[str, list[str]] = {}
        # of the utterances held, in id order, those each speaker speaks with by content key, and by language
        self._by_speaker_key: dict[tuple[int, str], list[str]] = {}
        self._by_speaker_language: dict[int, dict[str, list[str]]] = {}
        self._direct_keys: dict[str, set[str]] = {}  # utterance id -> the keys of its direct renderings
        self._rendered_keys: dict[str, set[str]] = {}  # utterance id -> the keys of all its renderings
        self.changed: set[str] = set()
        self._opened: dict[str, tuple[bool, date, str]] = {}  # utterance id -> its earliest rendering's age
        for utterance in utterances:
            self.utterances[utterance.id] = utterance
            self._opened[utterance.id] = min(map(rendering_age, utterance.renderings))
            self._set_canonical(utterance)
            for rendering in utterance.renderings:
                self._index(utterance, rendering, candidates=postings is None)
        if postings is not None:
            for key, ids in postings.by_key.items():
                self._by_key[key] = sorted(ids)
            for speaker_id, ids in postings.by_speaker.items():
                self._by_speaker[speaker_id] = sorted(ids)
            for utterance_id, keys in postings.rendered_keys.items():  # what `_stock_phrase` reads of them
                self._rendered_keys.setdefault(utterance_id, set(keys))

    def _set_canonical(self, utterance: Utterance) -> None:
        canonical = canonical_rendering(utterance)
        self._reach.moved(utterance.id, self._canonical.get(utterance.id), self._canonical_keys.get(utterance.id))
        keys = _content_keys(canonical.content)
        self._canonical[utterance.id], self._canonical_keys[utterance.id] = canonical, keys
        self._reach.placed(utterance.id, canonical, keys)

    def canonical_renderings(self) -> list[QuoteInput]:
        """The canonical rendering of every utterance held."""
        return list(self._canonical.values())

    def add(self, quote: QuoteInput) -> Utterance:
        """Put the quote in an utterance (an existing one or a new one) and return it."""
        keys = content_keys(quote.content)
        best: tuple[float, Utterance] | None = None
        earlier: Utterance | None = None
        stock = self._stock_phrase(quote, keys)
        for utterance in self._within_bounds(quote, keys, self._candidates(quote, keys)):
            if not self._may_match(quote, keys, utterance):
                continue
            if stock and not any(_one_text(quote, rendering) for rendering in utterance.renderings):
                continue
            score = self._match(quote, keys, utterance)
            if score is None:
                continue
            if not self._within_window(quote.published, utterance):
                if quote.speaker_id is not None and utterance.speaker_id == quote.speaker_id:
                    earlier = self._latest_opened(earlier, utterance)
            elif best is None or (score, self._opened[utterance.id]) > (best[0], self._opened[best[1].id]):
                best = (score, utterance)  # of equal scores, the latest opened: what no order of arrival changes
        if best is not None:
            utterance = best[1]
        else:
            utterance = Utterance(utterance_id(quote), quote.speaker_id, quote.speaker)
            utterance.recurs_from = earlier.id if earlier else None
            self.utterances[utterance.id] = utterance
        self._opened[utterance.id] = min(self._opened.get(utterance.id, _NEVER), rendering_age(quote))
        utterance.renderings.append(quote)
        if utterance.speaker_id is None and quote.speaker_id is not None:
            utterance.speaker_id, utterance.speaker = quote.speaker_id, quote.speaker
        self._set_canonical(utterance)
        self._index(utterance, quote)
        self.changed.add(utterance.id)
        return utterance

    def _latest_opened(self, found: Utterance | None, other: Utterance) -> Utterance:
        """Of two utterances, the one whose earliest rendering is later."""
        return other if found is None or self._opened[other.id] > self._opened[found.id] else found

    def _stock_phrase(self, quote: QuoteInput, keys: AbstractSet[str]) -> bool:
        """A short quote (fewer than `short_content_words` content words) whose words several of its
        speaker's statements already hold (`a “political revolution”` in a campaign's speeches) is a stock
        phrase, not a rendering of one statement: it joins only an utterance rendered in its own article (or
        a near-duplicate copy of it)."""
        if quote.speaker_id is None or not keys or len(keys) >= self.settings.short_content_words:
            return False
        holding = 0
        for listed in self._speaker_listed(quote):
            if keys <= self._rendered_keys.get(listed, frozenset()):
                holding += 1
                if holding >= self.settings.stock_phrase_statements:
                    return True
        return False

    def _speaker_range(self, quote: QuoteInput) -> tuple[str, str] | None:
        """The ids of the utterances of the quote's speaker it is compared with, [least, after): those opened
        by its day, the latest `candidates_per_speaker` of them and every one opened in the `recent_days`
        before its date, up to `candidates_recent` (a speaker quoted every day opens hundreds of statements
        in a month, and a quote of one of the older ones must still find it). Bounded by time and count,
        not by the corpus. None: no utterance of its speaker."""
        if quote.speaker_id is None:
            return None
        settings, ids, after = self.settings, self._by_speaker.get(quote.speaker_id, []), opened_by_day_of(quote)
        end = bisect_left(ids, after)
        start = end - settings.candidates_per_speaker
        if quote.published is not None:
            since = bisect_left(ids, recent_since(quote.published, settings))
            start = min(start, max(since, end - settings.candidates_recent))
        start = max(start, 0)
        return (ids[start], after) if start < end else None

    def _speaker_listed(self, quote: QuoteInput) -> list[str]:
        """The utterances of the quote's speaker it is compared with (`_speaker_range`)."""
        found = self._speaker_range(quote)
        assert quote.speaker_id is not None or found is None
        return _between(self._by_speaker.get(quote.speaker_id, []), found) if found else []

    def _speaker_candidates(self, quote: QuoteInput, keys: AbstractSet[str]) -> set[str]:
        """Of the utterances of the quote's speaker it is compared with (`_speaker_range`), those holding
        `min_shared` of its keys (all of a shorter quote's) or rendered in another language than it: no
        other may match (a statement of its speaker shares `min_shared` words with it, or all of a
        fragment's; a translation none). Counted through the lists by speaker and key, so a busy speaker's
        other statements cost nothing."""
        found = self._speaker_range(quote)
        if found is None:
            return set()
        assert quote.speaker_id is not None
        shares = Counter(
            chain.from_iterable(_between(self._by_speaker_key.get((quote.speaker_id, key), []), found) for key in keys)
        )
        needed = min(self.settings.min_shared, len(keys))
        listed = {utterance_id for utterance_id, shared in shares.items() if shared >= needed}
        if quote.language is not None:
            for language, ids in self._by_speaker_language.get(quote.speaker_id, {}).items():
                if language != quote.language:
                    listed.update(_between(ids, found))
        return listed

    def _key_listed(self, quote: QuoteInput, key: str) -> list[str]:
        """The latest `candidates_per_speaker` utterances opened by the quote's day holding the key."""
        ids = self._by_key.get(key, [])
        end = bisect_left(ids, opened_by_day_of(quote))
        return ids[max(end - self.settings.candidates_per_speaker, 0) : end]

    def _candidates(self, quote: QuoteInput, keys: set[str]) -> list[Utterance]:
        """The utterances of the quote's speaker and those that share a word with it opened by its day
        (`_speaker_listed`, `_key_listed`), less those `_reach` rules out (most of them: another speaker's,
        or unattributed in another story), in id order (of equal matches the latest opened wins: `add`)."""
        found = self._speaker_candidates(quote, keys)
        for key in keys:  # other speakers and unresolved ones share words, not a speaker
            found.update(self._key_listed(quote, key))
        kept = self._reach.possible(quote, keys, found)
        return [self.utterances[listed] for listed in sorted(kept)]

    def _within_bounds(self, quote: QuoteInput, keys: AbstractSet[str], candidates: list[Utterance]) -> list[Utterance]:
        """The candidates that pass the loosest of `_may_match`'s bounds, in one pass over all of them:
        `min_shared` words shared with the canonical text, a Jaccard index of `near_identical`, another
        language (a translation), or every key in the direct renderings (a fragment). Most candidates share
        a word or two and no more: they are ruled out here at the cost of a set intersection each (cheaper
        than a batch edit-distance call, which must hash the words again on each call)."""
        settings, size, language = self.settings, len(keys), quote.language
        canonical_keys, direct_keys, empty = self._canonical_keys, self._direct_keys, frozenset[str]()
        return [
            utterance
            for utterance in candidates
            if (shared := len(keys & canonical_keys[utterance.id])) >= settings.min_shared
            or _jaccard_of_counts(shared, size, len(canonical_keys[utterance.id])) >= settings.near_identical
            or (language is not None and self._canonical[utterance.id].language not in (None, language))
            or (keys and keys <= direct_keys.get(utterance.id, empty))
        ]

    def _may_match(self, quote: QuoteInput, keys: AbstractSet[str], utterance: Utterance) -> bool:
        """False when `_match` is sure to find no match, told from the speakers and from counts of words
        alone (exact bounds, not scores): most candidates share a word or two with the quote and no more.
        Each rule of `_match` needs one of: a translation of the speaker's own statement; a fragment, whose
        words are all in one direct rendering (so in the utterance's `_direct_keys`); a Jaccard index of
        `near_identical` with the canonical text (its count of shared words and the two sizes give it); or,
        for a sentence of the same speaker, `min_shared` words shared with the canonical text at least."""
        canonical = self._canonical[utterance.id]
        if translated(quote, canonical):
            return quote.speaker_id is not None and quote.speaker_id == canonical.speaker_id
        settings = self.settings
        size = len(keys)
        canonical_keys = self._canonical_keys[utterance.id]
        shared = len(keys & canonical_keys)
        near = _jaccard_of_counts(shared, size, len(canonical_keys)) >= settings.near_identical
        if quote.speaker_id is None or utterance.speaker_id is None:
            long_near = near and size >= settings.short_content_words
            return long_near or self._may_be_fragment(quote, keys, utterance)
        if quote.speaker_id != utterance.speaker_id:
            return near and size >= settings.other_speaker_min_words
        if size < settings.short_content_words:
            return self._may_be_fragment(quote, keys, utterance)
        if _elsewhere_in_one_article(quote, canonical):
            return near or self._may_be_fragment(quote, keys, utterance)
        return shared >= settings.min_shared

    def _may_be_fragment(self, quote: QuoteInput, keys: AbstractSet[str], utterance: Utterance) -> bool:
        """A necessary condition of `_quoted_fragment_of`: a run of a direct rendering's words has only
        that rendering's keys."""
        return bool(keys) and quote.kind != "indirect" and keys <= self._direct_keys.get(utterance.id, frozenset())

    def _match(self, quote: QuoteInput, keys: set[str], utterance: Utterance) -> float | None:
        """How well the quote fits the utterance's canonical text, or None when it does not."""
        settings = self.settings
        canonical = self._canonical[utterance.id]
        if translated(quote, canonical):
            return _translation_match(quote, canonical)
        canonical_keys = _content_keys(canonical.content)  # read only: the kept keys, not a copy
        if quote.speaker_id is None or utterance.speaker_id is None:
            return self._match_unattributed(quote, keys, utterance, canonical_keys)
        if quote.speaker_id != utterance.speaker_id:  # the same words under another name: a misattribution
            if len(keys) < settings.other_speaker_min_words:  # most candidates: no need to compare the words
                return None
            near = jaccard(keys, canonical_keys)
            return near if near >= settings.near_identical else None
        if len(keys) < settings.short_content_words:
            return 1.0 if _quoted_fragment_of(quote, keys, utterance) else None
        if _elsewhere_in_one_article(quote, canonical):  # an article quoting one speaker twice: two statements
            near = jaccard(keys, canonical_keys)
            return near if near >= settings.near_identical or _quoted_fragment_of(quote, keys, utterance) else None
        # a paraphrase of a paraphrase from another article drifts most: it needs one common word more
        elsewhere = quote.article_id != canonical.article_id and canonical.kind != "direct"
        common = settings.min_common_shared + elsewhere
        # reported speech of reported speech shares a topic's words easily (`big money`, `politics`): one more
        shared = settings.min_shared + (quote.kind == "indirect" and canonical.kind != "direct")
        return self._sentence_match(quote.content, keys, canonical, canonical_keys, (shared, common))

    def _match_unattributed(
        self, quote: QuoteInput, keys: set[str], utterance: Utterance, canonical_keys: AbstractSet[str]
    ) -> float | None:
        """A quote or an utterance of no resolved speaker: near-identical words within the same story."""
        if not any(_same_story(quote, rendering) for rendering in utterance.renderings):
            return None
        if _quoted_fragment_of(quote, keys, utterance):
            return 1.0
        near = jaccard(keys, canonical_keys)
        return near if len(keys) >= self.settings.short_content_words and near >= self.settings.near_identical else None

    def _sentence_match(
        self,
        content: str,
        keys: set[str],
        canonical: QuoteInput,
        canonical_keys: AbstractSet[str],
        needed: tuple[int, int],
    ) -> float | None:
        """Every sentence of the quote (of a few content words or more) must be found in one sentence of the
        canonical text, or two adjacent ones: a quote of two statements joins neither, and a long canonical
        text does not take a short quote whose words are scattered over it. Names do not make a statement
        the same (`Clinton ... Wall Street` is said of many things): two shared words must be common words,
        three when the quote is in another article than a canonical text that is itself a paraphrase.
        `needed`: the words a sentence must share, and the common words among them."""
        settings = self.settings
        min_shared, common = needed
        # the kept keys themselves (frozen), read only: copying them cost as much as the comparisons
        targets = list(_sentence_keys(canonical.content))
        targets += [first | second for first, second in pairwise(targets)]
        sentences: list[AbstractSet[str]] = [
            sentence for sentence in _sentence_keys(content) if len(sentence) >= min_shared
        ]
        names = _name_keys(content) | _name_keys(canonical.content)
        shares = []
        for sentence in sentences or [keys]:
            share, target = max(
                ((len(sentence & target) / len(sentence), target) for target in targets),
                default=(0.0, set()),
                key=lambda pair: pair[0],
            )
            shared = sentence & target
            if share < settings.join_share or len(shared) < min_shared:
                return None
            if len(shared - names) < common:
                return None
            shares.append(share)
        return sum(shares) / len(shares) + jaccard(keys, canonical_keys) / 10

    def _within_window(self, published: date | None, utterance: Utterance) -> bool:
        last = utterance.last_seen
        return published is None or last is None or (published - last).days <= self.settings.window_days

    def _index(self, utterance: Utterance, rendering: QuoteInput, candidates: bool = True) -> None:
        """Note the rendering of the utterance, and (`candidates`) put the utterance last in the candidate
        lists of its speaker and of the rendering's keys."""
        self._reach.add(utterance, rendering)
        if rendering.kind == "direct":
            self._direct_keys.setdefault(utterance.id, set()).update(_content_keys(rendering.content))
        rendered = self._rendered_keys.setdefault(utterance.id, set())
        rendered.update(_content_keys(rendering.content))
        if utterance.speaker_id is not None:  # all its keys: the speaker may have come with this rendering
            for key in rendered:
                _list_once(self._by_speaker_key.setdefault((utterance.speaker_id, key), []), utterance.id)
            if rendering.language is not None:
                languages = self._by_speaker_language.setdefault(utterance.speaker_id, {})
                _list_once(languages.setdefault(rendering.language, []), utterance.id)
        if not candidates:
            return
        _list_once(self._by_speaker.setdefault(utterance.speaker_id, []), utterance.id)
        for key in _content_keys(rendering.content):
            _list_once(self._by_key.setdefault(key, []), utterance.id)


def _between(ids: list[str], bounds: tuple[str, str]) -> list[str]:
    """The ids of a sorted list from the first bound on, before the second."""
    return ids[bisect_left(ids, bounds[0]) : bisect_left(ids, bounds[1])]


def _list_once(ids: list[str], listed: str) -> None:
    """Put the id in its place in the sorted list, unless it is there."""
    at = bisect_left(ids, listed)
    if at == len(ids) or ids[at] != listed:
        insort(ids, listed, lo=at)


def utterance_id(quote: QuoteInput) -> str:
    """The id of the utterance the quote opens: `u_`, its date and its id, so that utterance ids sort as
    `rendering_age` sorts the quotes that opened them (undated last): the greatest ids are the latest
    opened, in the store's ranged reads as in one run's lists. Ids less than this one's were opened before
    the quote."""
    return f"{_opened_on(quote)}_{quote.quote_id}"


def opened_by_day_of(quote: QuoteInput) -> str:
    """The least utterance id opened after the quote's day (`utterance_id`): the lists a quote is compared
    through hold the utterances opened before, as one run in date order holds them when it comes, whatever
    a store holds of later days (a quote that arrived late)."""
    return f"{_opened_on(quote)}~"


def _opened_on(quote: QuoteInput) -> str:
    """The start of the id of an utterance the quote opens: `u_` and its date (`_UNDATED` when it has none)."""
    return f"u_{quote.published.isoformat() if quote.published else _UNDATED}"


def opening_quote(utterance: str) -> str:
    """The id of the quote that opened the utterance of this id (`utterance_id`)."""
    return utterance.split("_", 2)[2]


def recent_since(published: date, settings: TrailSettings) -> str:
    """The least utterance id opened in the `recent_days` before a quote of this date."""
    return f"u_{(published - timedelta(days=settings.recent_days)).isoformat()}"


class _Reach:
    """Which utterances a quote may join at all, by the rules of `TrailGrouper._match`, kept as sets so
    that a quote's candidates are narrowed with set operations rather than judged one by one (13.6 M
    candidates for 30,733 quotes): the utterances of its speaker, those whose canonical rendering is its
    speaker's (a translation joins those), those with a rendering in its article or story (where an
    unattributed quote or utterance may join), and, for a quote long enough to join another speaker's
    near-identical words, those whose canonical text has about as many words and shares one of the
    quote's rarest words (see `_near_in_size`). What it keeps is a superset of what may match: each
    candidate is still judged in full."""

    def __init__(self, settings: TrailSettings) -> None:
        self.settings = settings
        self.by_speaker: dict[int, set[str]] = {}
        self.by_canonical_speaker: dict[int, set[str]] = {}
        self.by_article: dict[str, set[str]] = {}
        self.by_story: dict[str, set[str]] = {}
        self.by_canonical_key: dict[str, set[str]] = {}  # a key -> the utterances whose canonical text has it
        self.sizes: dict[str, int] = {}  # utterance id -> the count of its canonical rendering's keys

    def add(self, utterance: Utterance, rendering: QuoteInput) -> None:
        """Note a rendering of the utterance (its speaker is set: it changes only from none to one)."""
        if utterance.speaker_id is not None:
            self.by_speaker.setdefault(utterance.speaker_id, set()).add(utterance.id)
        self.by_article.setdefault(rendering.article_id, set()).add(utterance.id)
        if rendering.story_id is not None:
            self.by_story.setdefault(rendering.story_id, set()).add(utterance.id)

    def moved(self, utterance_id: str, canonical: QuoteInput | None, keys: AbstractSet[str] | None) -> None:
        """Forget the utterance's former canonical rendering and its keys (none the first time)."""
        if canonical is not None and canonical.speaker_id is not None:
            self.by_canonical_speaker[canonical.speaker_id].discard(utterance_id)
        for key in keys or ():
            self.by_canonical_key[key].discard(utterance_id)

    def placed(self, utterance_id: str, canonical: QuoteInput, keys: AbstractSet[str]) -> None:
        if canonical.speaker_id is not None:
            self.by_canonical_speaker.setdefault(canonical.speaker_id, set()).add(utterance_id)
        for key in keys:
            self.by_canonical_key.setdefault(key, set()).add(utterance_id)
        self.sizes[utterance_id] = len(keys)

    def possible(self, quote: QuoteInput, keys: AbstractSet[str], found: AbstractSet[str]) -> AbstractSet[str]:
        """Of the utterances `found`, those the quote (of content keys `keys`) may join."""
        empty: set[str] = set()
        kept = found & self.by_article.get(quote.article_id, empty)
        if quote.story_id is not None:
            kept |= found & self.by_story.get(quote.story_id, empty)
        if quote.speaker_id is None:  # an unattributed quote joins only within its story
            return kept
        kept |= found & self.by_speaker.get(quote.speaker_id, empty)
        kept |= found & self.by_canonical_speaker.get(quote.speaker_id, empty)
        if len(keys) >= self.settings.other_speaker_min_words:
            kept |= self._near_in_size(keys, found)
        return kept

    def _near_in_size(self, keys: AbstractSet[str], found: AbstractSet[str]) -> set[str]:
        """The utterances found that another speaker's quote of `keys` may join: the same words but a
        few (a Jaccard index of `near_identical` with the canonical text). Their canonical text has
        about as many keys (one more either way: `_may_match` decides) and at least `needed` of the
        quote's keys, `near_identical` times their number rounded down (the index is at most the shared
        keys over the quote's keys), hence one of any `len(keys) - needed + 1` of them: the rarest are
        asked, whose utterances are fewest. Most of another speaker's utterances share a common word
        or two with a quote and were judged one by one before (2.8 of 3.9 million on 1,983 texts)."""
        size, near = len(keys), self.settings.near_identical
        smallest, largest = max(int(size * near) - 1, 0), int(size / near) + 1
        needed = max(int(size * near - 1e-6), 1)
        empty: set[str] = set()
        rarest = sorted(keys, key=lambda key: (len(self.by_canonical_key.get(key, empty)), key))[: size - needed + 1]
        sharing = set().union(*(self.by_canonical_key.get(key, empty) for key in rarest))
        sizes = self.sizes
        return {
            utterance_id
            for utterance_id in sharing
            if utterance_id in found and smallest <= sizes[utterance_id] <= largest
        }


@dataclass(frozen=True)
class StoredSpeakers:
    """What the store tells of the stored utterances of the speakers some quotes have."""

    latest: Mapping[int, Sequence[str]]  # speaker id -> its latest utterances (greatest ids first)
    languages: Mapping[int, AbstractSet[str]]  # speaker id -> its renderings' languages ('' unknown)


# utterance ids -> for each, the speaker ids of its renderings and the languages of each's ('' unknown)
RenderedBy = Callable[[Sequence[str]], Mapping[str, Mapping[int, AbstractSet[str]]]]


@dataclass(frozen=True)
class _Listed:
    """What the candidate lists tell of one quote of a resolved speaker (`joinable_stored`)."""

    quote: QuoteInput
    speaker_id: int
    keys: frozenset[str]
    needed: int  # the keys a Jaccard index of `near_identical` needs shared at least
    seen: Counter[str]  # listed utterance -> in how many of its keys' lists
    # the smallest id of each of its keys' full lists, in order: an utterance of a smaller id may have the
    # key without being listed; one of a greater id that is not listed has not
    full_from: tuple[str, ...]
    translating: bool  # its speaker has renderings in another language: one may be a translation it joins

    def sharing(self, threshold: int, among: Iterable[str] | None = None) -> list[str]:
        """Those of the utterances `among` (the listed ones: None) that may share `threshold` keys with the
        quote as far as the lists tell: the keys it is listed under, and those whose full list ends above
        its id. One listed under `known` keys needs `threshold - known` full lists ending above it: it is
        below the end of that many."""
        seen, ends = self.seen, self.full_from
        fewest = max(threshold - len(ends), 0)  # listed under fewer, not enough full lists to hide the rest
        below = {known: ends[len(ends) - threshold + known] for known in range(fewest, threshold)}
        counted = seen.items() if among is None else ((found, seen.get(found, 0)) for found in among)
        return [
            utterance_id
            for utterance_id, known in counted
            if known >= threshold or (known in below and utterance_id < below[known])
        ]


def joinable_stored(
    quotes: Sequence[QuoteInput],
    by_key: Mapping[str, Sequence[str]],
    speakers: StoredSpeakers,
    rendered_by: RenderedBy,
    keys_of: Callable[[Sequence[str]], Mapping[str, AbstractSet[str]]],
    settings: TrailSettings,
) -> tuple[set[str], dict[str, AbstractSet[str]]]:
    """The stored utterances in the quotes' candidate lists (`by_key`, `speakers.latest`) that a quote
    may join through its speaker or another speaker's near-identical words (those of its article and
    story aside), and the content keys of the speakers' latest utterances that `_stock_phrase` reads.

    A superset of what `_within_bounds` keeps of what `_Reach` keeps: each is judged in full, as before.
    Of the quote's speaker's utterances (its latest, and the listed ones it renders), those sharing
    `min_shared` keys with it (or a Jaccard index's share of them, or all: a fragment) or with a rendering
    by the speaker in another language; of another speaker's, for a long quote, those sharing the Jaccard
    index's share. An utterance's keys are those of all its renderings (its canonical and direct
    renderings' are among them). A full list (`candidates_per_speaker` ids, the greatest with its key)
    may leave out utterances with the key, but only those of a smaller id than its last: one of a greater
    id that is not in it has not the key. When the lists cannot tell, `keys_of` reads the utterances'
    stored keys. `rendered_by` is asked only of the
    listed utterances that may share enough keys with a quote (all of them, for a speaker with renderings
    in another language than the quote's), not of every utterance a speaker renders."""
    listed = [_listed(quote, by_key, speakers, settings) for quote in quotes if quote.speaker_id is not None]
    asked: set[str] = set()
    for found in listed:
        if found.translating:
            asked.update(found.seen, speakers.latest.get(found.speaker_id, ()))
        else:
            asked.update(found.sharing(min(settings.min_shared, found.needed)))
    renderers = rendered_by(sorted(asked)) if asked else {}
    rendering: dict[int, set[str]] = {}  # speaker id -> the asked utterances it renders
    for utterance_id, speaker_ids in renderers.items():
        for speaker_id in speaker_ids:
            rendering.setdefault(speaker_id, set()).add(utterance_id)
    # the speakers' read utterances by their stored keys, read once: a quote's shares with each are
    # counted through its own keys, not by asking each of a busy speaker's thousand utterances
    spoken = {found.speaker_id: frozenset(speakers.latest.get(found.speaker_id, ())) for found in listed}
    spoken_keys = keys_of(sorted(set().union(*spoken.values()))) if listed else {}
    by_key_of = {speaker_id: _by_key(ids, spoken_keys) for speaker_id, ids in spoken.items()}
    chosen: set[str] = set()
    unsure: list[tuple[frozenset[str], str, int]] = []
    for found in listed:
        own = found.seen.keys() & rendering.get(found.speaker_id, set())
        its = _Spoken(spoken[found.speaker_id], by_key_of[found.speaker_id])
        _choose(found, its, renderers, own, settings, chosen, unsure)
    empty = frozenset[str]()
    short_speakers = {found.speaker_id for found in listed if 0 < len(found.keys) < settings.short_content_words}
    wanted = {utterance_id for _, utterance_id, _ in unsure if utterance_id not in chosen}
    stock = {utterance_id for speaker_id in short_speakers for utterance_id in speakers.latest.get(speaker_id, ())}
    stored = {**spoken_keys, **(keys_of(sorted(wanted - spoken_keys.keys())) if wanted else {})}
    for keys, utterance_id, threshold in unsure:
        if len(keys & stored.get(utterance_id, empty)) >= threshold:
            chosen.add(utterance_id)
    return chosen, {utterance_id: stored.get(utterance_id, empty) for utterance_id in stock}


def _listed(
    quote: QuoteInput, by_key: Mapping[str, Sequence[str]], speakers: StoredSpeakers, settings: TrailSettings
) -> _Listed:
    assert quote.speaker_id is not None
    keys = _content_keys(quote.content)
    full = [by_key[key] for key in keys if len(by_key.get(key, ())) >= settings.candidates_per_speaker]
    language = quote.language
    spoken = speakers.languages.get(quote.speaker_id, ())
    return _Listed(
        quote,
        quote.speaker_id,
        keys,
        max(int(len(keys) * settings.near_identical - 1e-6), 1),
        Counter(chain.from_iterable(by_key.get(key, ()) for key in keys)),
        tuple(sorted(min(ids) for ids in full)),
        language is not None and any(other not in ("", language) for other in spoken),
    )


@dataclass(frozen=True)
class _Spoken:
    """A speaker's read utterances (`StoredSpeakers.latest`), and those holding each stored key."""

    ids: AbstractSet[str]
    by_key: Mapping[str, Sequence[str]]


def _by_key(ids: AbstractSet[str], stored: Mapping[str, AbstractSet[str]]) -> dict[str, list[str]]:
    """These utterances under each of their stored keys."""
    found: dict[str, list[str]] = {}
    for utterance_id in sorted(ids):
        for key in stored.get(utterance_id, ()):
            found.setdefault(key, []).append(utterance_id)
    return found


def _choose(
    found: _Listed,
    spoken: _Spoken,
    renderers: Mapping[str, Mapping[int, AbstractSet[str]]],
    own: AbstractSet[str],
    settings: TrailSettings,
    chosen: set[str],
    unsure: list[tuple[frozenset[str], str, int]],
) -> None:
    """Add to `chosen` the utterances the quote may join as far as the lists and its speaker's stored keys
    tell, and to `unsure` those whose stored keys must tell (with the keys they must share). `spoken`: its
    speaker's read utterances; `own`: the listed ones its speaker renders."""
    speaker_id, language, empty = found.speaker_id, found.quote.language, frozenset[str]()
    threshold = min(settings.min_shared, found.needed)
    shares = Counter(chain.from_iterable(spoken.by_key.get(key, ()) for key in found.keys))
    chosen.update(utterance_id for utterance_id, shared in shares.items() if shared >= threshold)
    nobody: Mapping[int, AbstractSet[str]] = {}
    plain = []  # of the listed ones its speaker renders and not read as its speaker's, those no translation may join
    for utterance_id in (spoken.ids | own) if found.translating else own - spoken.ids:
        languages = renderers.get(utterance_id, nobody).get(speaker_id, empty)
        if language is not None and any(other not in ("", language) for other in languages):
            chosen.add(utterance_id)  # a translation of one of its statements may join it
        elif utterance_id not in spoken.ids:
            plain.append(utterance_id)
    asked: list[tuple[list[str] | None, int]] = [(plain, threshold)]
    if len(found.keys) >= settings.other_speaker_min_words:
        asked.append((None, found.needed))  # every listed one
    for utterance_ids, threshold in asked:  # (utterances, keys each must share at least)
        for utterance_id in found.sharing(threshold, utterance_ids):
            if found.seen.get(utterance_id, 0) >= threshold:
                chosen.add(utterance_id)
            else:
                unsure.append((found.keys, utterance_id, threshold))


def canonical_rendering(utterance: Utterance) -> QuoteInput:
    """The earliest faithful direct rendering: the first outlet's words inside quotation marks, not the
    longest (an outlet that embellishes a quotation must not become its reference). Fragments of fewer
    than four content words come last, then partial quotes, then reported speech; translations (renderings
    in another language than the earliest one, English first among those of the earliest day: a wire text
    and its translation often carry one date) after all of those."""
    language = min(
        utterance.renderings, key=lambda rendering: (rendering_age(rendering)[:2], rendering.language != "en")
    ).language
    return min(utterance.renderings, key=lambda rendering: (rendering.language != language, _canonical_rank(rendering)))


def _canonical_rank(rendering: QuoteInput) -> tuple[bool, int, tuple[bool, date, str]]:
    fragment = len(content_keys(rendering.content)) < TrailSettings.short_content_words
    kind_rank = {"direct": 0, "indirect": 2}.get(rendering.kind, 1)
    return fragment, kind_rank, rendering_age(rendering)


def prefetch_translations(grouper: TrailGrouper, quotes: list[QuoteInput]) -> None:
    """Embed at once the quotes, and the canonical texts, of the speakers quoted in two languages or more:
    the texts a translated rendering is compared with (`link.crosslingual.prefetch`)."""
    texts = [*quotes, *grouper.canonical_renderings()]
    languages: dict[int, set[str]] = {}
    for quote in texts:
        if quote.speaker_id is not None and quote.language:
            languages.setdefault(quote.speaker_id, set()).add(quote.language)
    prefetch(
        (quote.language, quote.content)
        for quote in texts
        if quote.language and quote.speaker_id is not None and len(languages[quote.speaker_id]) > 1
    )


def translated(rendering: QuoteInput, canonical: QuoteInput) -> bool:
    """Whether the rendering is in another language than the canonical text (both languages known)."""
    return None not in (rendering.language, canonical.language) and rendering.language != canonical.language


def _translation_match(quote: QuoteInput, canonical: QuoteInput) -> float | None:
    """A quotation in another language joins its speaker's statement when a multilingual embedding finds
    it a translation of the canonical text (no word of the two can be compared)."""
    if quote.speaker_id is None or quote.speaker_id != canonical.speaker_id:
        return None
    assert quote.language is not None and canonical.language is not None
    return statement_similarity(canonical.content, canonical.language, quote.content, quote.language)


def describe(
    rendering: QuoteInput,
    canonical: QuoteInput,
    utterance: Utterance,
    settings: TrailSettings | None = None,
    repeats: frozenset[str] = frozenset(),
) -> RenderingReport:
    """The word diff of a rendering against the canonical text, its fidelity and its flags. A rendering
    in `repeats` (see `same_passage_repeats`) is flagged `same_passage` and nothing else."""
    settings = settings or TrailSettings()
    if translated(rendering, canonical):  # no word diff across languages: the fidelity is the embedding's
        assert rendering.language is not None and canonical.language is not None
        similarity = statement_similarity(canonical.content, canonical.language, rendering.content, rendering.language)
        return RenderingReport(rendering.quote_id, similarity or 0.0, [], (TRANSLATED,))
    diff, fidelity = word_diff(_words(canonical.content), _words(rendering.content))
    if rendering.quote_id in repeats:
        return RenderingReport(rendering.quote_id, fidelity, diff, (SAME_PASSAGE,))
    flags = []
    if _altered_inside_quotes(rendering, canonical, fidelity, settings):
        flags.append("altered_direct_quote")
    if utterance.speaker_id is not None and rendering.speaker_id not in (None, utterance.speaker_id):
        flags.append("speaker_changed")
    if rendering.quote_id != canonical.quote_id and _truncated(canonical, rendering):
        flags.append("truncated")
    if rendering.kind == "indirect" and canonical.kind != "indirect":
        flags.append("paraphrased_as_indirect")
    return RenderingReport(rendering.quote_id, fidelity, diff, tuple(flags))


def word_diff(canonical_words: Sequence[str], rendering_words: Sequence[str]) -> tuple[list[dict[str, str]], float]:
    """The rendering's words against the canonical text's: the diff and the fidelity (`difflib`'s ratio).
    The same words (most renderings are their own canonical text) are one run kept, of fidelity 1, which
    is what the matcher finds, without its work."""
    if canonical_words == rendering_words:
        kept = " ".join(canonical_words)
        return ([{"op": "kept", "canonical": kept, "rendering": kept}] if kept else []), 1.0
    matcher = SequenceMatcher(a=canonical_words, b=rendering_words, autojunk=False)
    diff = []
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        op = {"equal": "kept", "delete": "cut", "insert": "inserted", "replace": "substituted"}[tag]
        before, after = " ".join(canonical_words[a0:a1]), " ".join(rendering_words[b0:b1])
        diff.append({"op": op, "canonical": before, "rendering": after})
    return diff, round(matcher.ratio(), 4)


def quoted_segments(content: str, kind: str) -> list[str]:
    """The words inside quotation marks: a direct quote's whole content, or the quoted runs of a partial
    or mixed one."""
    if kind == "direct":  # all of it, quotation marks inside a quotation included
        segments = [content.strip(QUOTE_MARKS + " ,.")]
    else:
        segments = [match.group(1) for match in _QUOTED.finditer(content)]
    # an ellipsis marks a cut: the words on either side are quoted separately
    return [piece for segment in segments for piece in _ELLIPSIS.split(segment) if words(piece)]


def _altered_inside_quotes(
    rendering: QuoteInput, canonical: QuoteInput, fidelity: float, settings: TrailSettings
) -> bool:
    """Quotation marks around words that are clearly the canonical statement's (most of their content words
    are in it) but differ from it materially: a content word or a negation changed, added or left out
    inside the quoted run. Quoted words of another statement are no misquote, nor is a low-fidelity
    direct rendering, nor a quotation the canonical text only cuts, nor a sentence of the speech quoted
    further around it."""
    if rendering.quote_id == canonical.quote_id or canonical.kind != "direct" or rendering.kind == "indirect":
        return False
    if rendering.kind == "direct" and fidelity < settings.altered_min_fidelity:
        return False
    said = _EDITORIAL.sub(" ", canonical.content)  # `[censored]`, `[sic]`: the outlet's words, not the speaker's
    reference, reference_keys = words(said), content_keys(said)
    for quoted in quoted_segments(_EDITORIAL.sub(" ", rendering.content), rendering.kind):
        segment = _statement_sentences(quoted, reference_keys, settings)
        segment_words, segment_keys = words(segment), content_keys(segment)
        if _is_run(segment_words, reference) or len(segment_keys) < settings.min_shared:
            continue
        if len(segment_keys & reference_keys) / len(segment_keys) < settings.altered_overlap:
            continue
        if _material_change(reference, segment_words):
            return True
    return False


def _statement_sentences(segment: str, reference_keys: set[str], settings: TrailSettings) -> str:
    """The quoted segment without its sentences of another statement (`I think of myself as a fairly
    progressive guy.` quoted before the canonical sentence): quoting further, sentence by sentence."""
    kept = []
    for sentence in _SENTENCE_END.split(segment):
        keys = content_keys(" ".join(_without_fillers(words(sentence))))
        if len(keys) < settings.min_shared or len(keys & reference_keys) / len(keys) >= settings.join_share:
            kept.append(sentence)
    return " ".join(kept)


def _material_change(reference: list[str], segment: list[str]) -> bool:
    """A changed, added or dropped word that carries meaning, within the stretch of the reference the
    segment quotes (words before or after that stretch were cut, or quoted further, not altered)."""
    reference, segment = _plain_words(reference), _plain_words(segment)
    opcodes = SequenceMatcher(a=reference, b=segment, autojunk=False).get_opcodes()
    known = set(reference)

    def at_an_edge(op: tuple[str, int, int, int, int]) -> bool:
        """Words cut at an edge, or quoted further (not moved there from inside the reference)."""
        moved = {word for word in segment[op[3] : op[4]] if _meaningful(word)} & known
        return op[0] == "delete" or (op[0] == "insert" and not moved)

    while opcodes and at_an_edge(opcodes[0]):  # a quotation may start earlier or later
        opcodes.pop(0)
    while opcodes and at_an_edge(opcodes[-1]):
        opcodes.pop()
    for tag, a0, a1, b0, b1 in opcodes:
        if tag != "equal" and any(_meaningful(word) for word in reference[a0:a1] + segment[b0:b1]):
            return True
    return False


def _plain_words(found: list[str]) -> list[str]:
    """Words as said: contractions spelt out (`we've` is `we have`), no possessive ending (`ISIS's` and
    `ISIS'` are one word), plurals folded (`law`, `laws`), and no spoken fillers (`I mean`, `uh`): one
    transcript keeps them where another leaves them out."""
    plain: list[str] = []
    for word in _without_fillers(found):
        for ending, spelt in _CONTRACTIONS:
            if word.endswith(ending) and len(word) > len(ending):
                plain += [word[: -len(ending)], spelt]
                break
        else:
            plain.append(fold_term(word.removesuffix("'s")))
    return plain


def _without_fillers(found: list[str]) -> list[str]:
    kept: list[str] = []
    for word in found:
        if word in _FILLER_WORDS:
            continue
        if kept and (kept[-1], word) in _FILLER_PAIRS:
            kept.pop()
            continue
        kept.append(word)
    return kept


def _meaningful(word: str) -> bool:
    return word in _NEGATIONS or (word not in STOP_WORDS and len(word) > 2)


def _is_run(short: list[str], long: list[str]) -> bool:
    return bool(short) and " " + " ".join(short) + " " in " " + " ".join(long) + " "


def _truncated(canonical: QuoteInput, rendering: QuoteInput) -> bool:
    """The rendering quotes only a stretch of the canonical words, unchanged, and fewer of them than the
    canonical rendering quotes (words outside quotation marks aside, on both sides): a cut, not a
    misquote. The same quoted words as the canonical's are no cut, whatever surrounds them."""
    segments, canonical_segments = _quoted_words(rendering), _quoted_words(canonical)
    reference = " " + " ".join(words(canonical.content)) + " "
    quoted = sum(len(segment) for segment in segments)
    said = sum(len(segment) for segment in canonical_segments)
    return 0 < quoted < said and all(" " + " ".join(segment) + " " in reference for segment in segments)


def _quoted_words(rendering: QuoteInput) -> list[list[str]]:
    """The words of each quoted run of a rendering, or all its words when it quotes none."""
    segments = [words(segment) for segment in quoted_segments(rendering.content, rendering.kind)]
    if rendering.kind == "indirect" or not segments:
        segments = [words(rendering.content)]
    return segments


def _inside_a_direct_rendering(fragment: str, utterance: Utterance) -> bool:
    """The fragment's words occur word for word in one of the utterance's direct renderings."""
    short = words(fragment)
    return any(
        _is_run(short, words(rendering.content)) for rendering in utterance.renderings if rendering.kind == "direct"
    )


def _quoted_fragment_of(quote: QuoteInput, keys: set[str], utterance: Utterance) -> bool:
    """Words inside quotation marks (`“empower”`), with a content word, found word for word in one of the
    utterance's direct renderings. Reported speech of a word or two (`that`, `Trump`) is no rendering."""
    return bool(keys) and quote.kind != "indirect" and _inside_a_direct_rendering(quote.content, utterance)


def _elsewhere_in_one_article(quote: QuoteInput, other: QuoteInput) -> bool:
    """Two quotes of one article whose contents do not overlap in its text."""
    if quote.article_id != other.article_id or quote.span is None or other.span is None:
        return False
    return quote.span[1] <= other.span[0] or other.span[1] <= quote.span[0]


def same_passage_repeats(utterance: Utterance, canonical: QuoteInput) -> frozenset[str]:
    """The renderings that repeat a passage another rendering of the utterance already gives: a quote
    overlapping another in the text of one article (a partial quote inside reported speech of the same
    sentence), or near-identical words in a near-duplicate copy of the article from the same outlet (an
    update, a second crawl; another outlet carrying the copy renders it itself). Of each such set the
    canonical rendering, else the best candidate for canonical, stays the rendering; the others repeat it."""

    def rank(rendering: QuoteInput) -> tuple[bool, bool, int, int, str]:
        fragment, kind_rank, _ = _canonical_rank(rendering)
        return (
            rendering.quote_id != canonical.quote_id,
            fragment,
            kind_rank,
            -len(rendering.content),
            rendering.quote_id,
        )

    ranked = sorted(utterance.renderings, key=rank)
    kept: list[QuoteInput] = []
    repeats = set()
    for rendering in ranked:
        if any(_same_passage(rendering, other) for other in kept):
            repeats.add(rendering.quote_id)
        else:
            kept.append(rendering)
    return frozenset(repeats)


def _same_passage(quote: QuoteInput, other: QuoteInput) -> bool:
    if quote.article_id == other.article_id:
        return quote.span is not None and other.span is not None and not _elsewhere_in_one_article(quote, other)
    if quote.outlet != other.outlet:  # a wire story another outlet carries is that outlet's rendering
        return False
    copies = {quote.article_id, quote.copy_of} & {other.article_id, other.copy_of} - {None}
    return bool(copies) and jaccard(content_keys(quote.content), content_keys(other.content)) >= _COPY_NEAR_IDENTICAL


def _one_text(quote: QuoteInput, other: QuoteInput) -> bool:
    """The two quotes are in one article, or in an article and its near-duplicate copy."""
    return bool({quote.article_id, quote.copy_of} & {other.article_id, other.copy_of} - {None})


def _same_story(quote: QuoteInput, other: QuoteInput) -> bool:
    return quote.article_id == other.article_id or (quote.story_id is not None and quote.story_id == other.story_id)


def rendering_age(rendering: QuoteInput) -> tuple[bool, date, str]:
    """Sort key: earliest first, undated last, then by quote id."""
    return (rendering.published is None, rendering.published or date.max, rendering.quote_id)


def meets(quote: QuoteInput, keys: AbstractSet[str], utterance: Utterance, settings: TrailSettings) -> bool:
    """Whether the quote and the stored utterance might be grouped otherwise if the quote had come before
    the utterance's later renderings: it has a rendering later than the quote (in `rendering_age` order),
    and the quote may join it, or one of its renderings may join an utterance the quote opens, by the
    loosest bounds of `TrailGrouper._match` in either direction (any rendering may be or become the
    canonical text). A run regroups such utterances with its new quotes, in that order, as one run
    over every quote would have grouped them (`gather`)."""
    age = rendering_age(quote)
    if all(rendering_age(rendering) <= age for rendering in utterance.renderings):
        return False
    return any(_may_meet(quote, keys, rendering, utterance.speaker_id, settings) for rendering in utterance.renderings)


def _may_meet(
    quote: QuoteInput, keys: AbstractSet[str], rendering: QuoteInput, speaker_id: int | None, settings: TrailSettings
) -> bool:
    """Whether the quote may join an utterance whose canonical text is the rendering, or the rendering one
    whose canonical text is the quote, by necessary conditions of `TrailGrouper._match`."""
    rendered = _content_keys(rendering.content)
    same_speaker = quote.speaker_id is not None and quote.speaker_id in (rendering.speaker_id, speaker_id)
    if same_speaker and translated(quote, rendering):
        return True
    shared = len(keys & rendered)
    if not shared:
        return False
    near = _jaccard_of_counts(shared, len(keys), len(rendered)) >= settings.near_identical
    if same_speaker or _same_story(quote, rendering):  # a quote or utterance of no speaker joins in its story
        fragment = keys <= rendered or rendered <= keys  # a run of a direct rendering's words, either way
        return (
            near
            or fragment
            or _may_contain(keys, quote.content, rendered, settings)
            or _may_contain(rendered, rendering.content, keys, settings)
        )
    return near and min(len(keys), len(rendered)) >= settings.other_speaker_min_words


def _may_contain(keys: AbstractSet[str], content: str, other: AbstractSet[str], settings: TrailSettings) -> bool:
    """A necessary condition of `TrailGrouper._sentence_match` of a quote (`content`, `keys`) against a
    canonical text of keys `other`: each of its sentences of `needed` keys or more (or all its keys, when
    it has none) has `join_share` of its keys, and `needed` at least, among `other`'s; `needed` is
    `min_shared`, or one more (reported speech of reported speech)."""
    for needed in (settings.min_shared, settings.min_shared + 1):
        sentences: list[AbstractSet[str]] = [
            sentence for sentence in _sentence_keys(content) if len(sentence) >= needed
        ]
        sentences = sentences or [keys]
        if all(len(sentence & other) >= max(needed, settings.join_share * len(sentence)) for sentence in sentences):
            return True
    return False


class MeetingIndex:
    """Quotes (by quote id) or the renderings of utterances (by utterance id) indexed for `meets`: by
    speaker and content key, by article and story, by speaker and language, and by content key alone, so
    that what one item may meet is found through its own speakers' keys, places, other languages and
    rarest keys, not by asking every item."""

    def __init__(self, settings: TrailSettings) -> None:
        self.settings = settings
        self.entries: dict[tuple[object, ...], set[str]] = {}
        self.languages: dict[int, set[str]] = {}

    def add(self, item: str, rendering: QuoteInput, speakers: AbstractSet[int | None]) -> None:
        """Note a quote (or a rendering, with its utterance's speaker among `speakers`) under `item`."""
        keys = _content_keys(rendering.content)
        for speaker_id in speakers - {None}:
            for key in keys:
                self.entries.setdefault(("sk", speaker_id, key), set()).add(item)
            if rendering.language:
                self.entries.setdefault(("sl", speaker_id, rendering.language), set()).add(item)
                self.languages.setdefault(speaker_id, set()).add(rendering.language)  # type: ignore[arg-type]
        for place in (rendering.article_id, rendering.story_id):
            if place is not None:
                self.entries.setdefault(("p", place), set()).add(item)
        for key in keys:
            self.entries.setdefault(("k", key), set()).add(item)

    def near(self, rendering: QuoteInput, speakers: AbstractSet[int | None]) -> set[str]:
        """The items that a quote (or a rendering, its utterance's speaker among `speakers`) may meet: a
        superset of those `_may_meet` allows, either way round."""
        keys, empty = _content_keys(rendering.content), set[str]()
        found: set[str] = set()
        for speaker_id in speakers - {None}:
            for key in keys:
                found |= self.entries.get(("sk", speaker_id, key), empty)
            for language in self.languages.get(speaker_id, ()):  # type: ignore[arg-type]
                if rendering.language and language != rendering.language:
                    found |= self.entries.get(("sl", speaker_id, language), empty)
        for place in (rendering.article_id, rendering.story_id):
            if place is not None:
                found |= self.entries.get(("p", place), empty)
        size = len(keys)
        if size >= self.settings.other_speaker_min_words:  # near-identical words under another name
            needed = max(int(size * self.settings.near_identical - 1e-6), 1)
            rarest = sorted(keys, key=lambda key: (len(self.entries.get(("k", key), empty)), key))
            for key in rarest[: size - needed + 1]:
                found |= self.entries.get(("k", key), empty)
        return found

    def add_utterance(self, utterance: Utterance) -> None:
        for rendering in utterance.renderings:
            self.add(utterance.id, rendering, {rendering.speaker_id, utterance.speaker_id})


class TrailReads(Protocol):
    """What `gather` reads of the stored trails (`pipeline.trails` answers from the store)."""

    def utterances_of(self, utterance_ids: Sequence[str]) -> dict[str, Utterance]:
        """These stored utterances with their renderings (an unknown id is left out)."""
        ...

    def joinable(
        self, quotes: list[QuoteInput], held: AbstractSet[str]
    ) -> tuple[list[Utterance], list[QuoteInput], StoredPostings | None]:
        """The stored utterances the quotes may join (less those `held`: kept or dissolved already), the
        quotes of those that lost a rendering (to group again), and the candidate lists for the quotes
        (`StoredPostings`); no lists when every stored utterance had to be read (and is given)."""
        ...


@dataclass
class Regrouping:
    """What a run groups: its quotes (the new ones and those of the dissolved utterances), the stored
    utterances they may join, kept as they are, and the candidate lists read for them."""

    quotes: list[QuoteInput]
    intact: dict[str, Utterance]
    dissolved: set[str]
    by_key: dict[str, list[str]]
    by_speaker: dict[int, list[str]]
    rendered: dict[str, AbstractSet[str]]
    every_one_read: bool = False
    # the meeting indexes (`link.trails.MeetingIndex`) of some kept utterances and of some quotes to group,
    # filled when first asked (news arriving in date order asks none), and what each holds
    kept: MeetingIndex = field(default_factory=lambda: MeetingIndex(TrailSettings()))
    grouping: MeetingIndex = field(default_factory=lambda: MeetingIndex(TrailSettings()))
    indexed: set[str] = field(default_factory=set)  # utterance ids and quote ids
    latest: dict[str, tuple[bool, date, str]] = field(default_factory=dict)  # kept utterance -> its latest rendering

    def take(self, quotes: list[QuoteInput]) -> None:
        """Group these quotes too."""
        self.quotes += quotes

    def keep(self, utterances: Iterable[Utterance]) -> None:
        """Keep these stored utterances as they are (unless dissolved)."""
        for utterance in utterances:
            if utterance.id not in self.dissolved and utterance.id not in self.intact:
                self.intact[utterance.id] = utterance
                self.latest[utterance.id] = max(map(rendering_age, utterance.renderings))

    def later_than(self, quotes: list[QuoteInput], utterances: Iterable[Utterance]) -> list[Utterance]:
        """Of these utterances, those with a rendering later than one of the quotes: all `meets` may find."""
        earliest = min(map(rendering_age, quotes), default=None)
        return [u for u in utterances if earliest is not None and self.latest[u.id] > earliest]

    def index_kept(self, utterances: list[Utterance]) -> None:
        for utterance in utterances:
            if utterance.id not in self.indexed:
                self.indexed.add(utterance.id)
                self.kept.add_utterance(utterance)

    def index_quotes(self) -> None:
        for quote in self.quotes:
            if quote.quote_id not in self.indexed:
                self.indexed.add(quote.quote_id)
                self.grouping.add(quote.quote_id, quote, {quote.speaker_id})

    def postings(self) -> StoredPostings | None:
        """The candidate lists without the dissolved utterances (None: every stored utterance was read)."""
        if self.every_one_read:
            return None
        gone = self.dissolved

        def kept(ids: Sequence[str]) -> list[str]:
            return [utterance_id for utterance_id in ids if utterance_id not in gone]

        return StoredPostings(
            {key: kept(ids) for key, ids in self.by_key.items()},
            {speaker_id: kept(ids) for speaker_id, ids in self.by_speaker.items()},
            {utterance_id: keys for utterance_id, keys in self.rendered.items() if utterance_id not in gone},
        )


def gather(
    reads: TrailReads, ungrouped: list[QuoteInput], moved: dict[str, Utterance], settings: TrailSettings
) -> Regrouping:
    """The quotes to group and the stored utterances to group them with. Besides the new quotes, the
    utterances `moved` (those of stale articles) are dissolved, and so is every stored utterance a quote
    to group meets (`link.trails.meets`: one it may join, or whose renderings may join it, with a rendering
    later than it), whose grouping depends on the order quotes came in; their quotes are grouped again
    with the new ones, in `rendering_age` order, as one run over every quote groups them. Repeated until
    no more is dissolved: the regrouped quotes are read for like new ones. When the new quotes come after
    every stored rendering they may meet (news arriving in order), nothing is dissolved."""
    found = Regrouping([], {}, set(), {}, {}, {}, kept=MeetingIndex(settings), grouping=MeetingIndex(settings))
    found.take(ungrouped)
    found.keep(moved.values())
    frontier, dissolving = list(ungrouped), set(moved)
    while True:
        frontier += _dissolve(reads, found, dissolving)
        if not frontier:
            return found
        earlier, kept = found.quotes[: -len(frontier)], set(found.intact)
        if not found.every_one_read:
            _read_joinable(reads, found, frontier, settings)
        loaded = [utterance for utterance_id, utterance in found.intact.items() if utterance_id not in kept]
        # the new quotes against every kept utterance, the quotes before them against those just read
        dissolving = _kept_met(found, frontier, settings) | _met(found, earlier, loaded, settings)
        frontier = []


def _dissolve(reads: TrailReads, found: Regrouping, utterance_ids: set[str]) -> list[QuoteInput]:
    """Take these utterances out of what is kept and return their quotes, now to be grouped again."""
    unread = sorted(utterance_id for utterance_id in utterance_ids if utterance_id not in found.intact)
    read = reads.utterances_of(unread) if unread else {}
    freed: list[QuoteInput] = []
    for utterance_id in sorted(utterance_ids):
        utterance = found.intact.pop(utterance_id, None) or read.get(utterance_id)
        found.dissolved.add(utterance_id)
        freed += utterance.renderings if utterance else []
    found.take(freed)
    return freed


def _read_joinable(reads: TrailReads, found: Regrouping, quotes: list[QuoteInput], settings: TrailSettings) -> None:
    """Add the stored utterances these quotes may join (and their candidate lists) to what is kept; the
    quotes of one that lost a rendering are grouped again (then every stored utterance is read)."""
    intact, regroup, postings = reads.joinable(quotes, found.intact.keys() | found.dissolved)
    if postings is None:
        found.every_one_read = True
        found.intact.clear()
        found.kept, found.latest = MeetingIndex(settings), {}
        found.indexed = {quote.quote_id for quote in found.quotes} & found.indexed
    else:
        found.by_key.update((key, list(ids)) for key, ids in postings.by_key.items())
        for speaker_id, ids in postings.by_speaker.items():  # a speaker read again from an earlier day: more
            found.by_speaker[speaker_id] = sorted({*found.by_speaker.get(speaker_id, ()), *ids}, reverse=True)
        for utterance_id, keys in postings.rendered_keys.items():
            found.rendered.setdefault(utterance_id, keys)
    found.keep(intact)
    taken = {quote.quote_id for quote in found.quotes}
    found.take([quote for quote in regroup if quote.quote_id not in taken])


def _kept_met(found: Regrouping, quotes: list[QuoteInput], settings: TrailSettings) -> set[str]:
    """The kept utterances these quotes meet (`link.trails.meets`), found through the kept ones' index."""
    late = found.later_than(quotes, found.intact.values())
    if not late:
        return set()
    found.index_kept(late)
    met: set[str] = set()
    for quote in quotes:
        age, keys = rendering_age(quote), content_keys(quote.content)
        for utterance_id in sorted(found.kept.near(quote, {quote.speaker_id})):
            if utterance_id in met or utterance_id not in found.intact or found.latest[utterance_id] <= age:
                continue
            if meets(quote, keys, found.intact[utterance_id], settings):
                met.add(utterance_id)
    return met


def _met(found: Regrouping, quotes: list[QuoteInput], utterances: list[Utterance], settings: TrailSettings) -> set[str]:
    """The utterances some of these quotes meet (`link.trails.meets`), found through the index of the
    quotes to group; only those earlier than an utterance's latest rendering are asked."""
    late = found.later_than(quotes, utterances)
    if not late:
        return set()
    found.index_quotes()
    by_id = {quote.quote_id: quote for quote in quotes}
    met = set()
    for utterance in late:
        near: set[str] = set()
        for rendering in utterance.renderings:
            near |= found.grouping.near(rendering, {rendering.speaker_id, utterance.speaker_id})
        for quote_id in sorted(near & by_id.keys()):
            quote = by_id[quote_id]
            if rendering_age(quote) < found.latest[utterance.id] and meets(
                quote, content_keys(quote.content), utterance, settings
            ):
                met.add(utterance.id)
                break
    return met
