"""Cross-language stories: an article joins the story of the same event reported in another language.

Words cannot match across languages, so the story clusterer's term vectors never join a Russian report
to an English one. This module looks, for an article that would open a story, at the members of other
stories written in another language, and asks each such pair for evidence of one event:

* both dated, at most `max_gap_days` apart (an undated article never bridges languages);
* an anchor in common: a name once romanised (`Столтенберга` and `Stoltenberg` share `stolt`) or a
  number of two digits or more that is not a year (`40 систем`, `40 air-defence systems`);
* the leads (title and first paragraph) close in a multilingual sentence embedding
  (`nlp.embeddings`), or, without the `multilingual` extra, a second anchor: a shared name AND a
  shared number.

Only pairs of articles in different languages are scored, so an English-only corpus links exactly as
before and no model is loaded. Members placed in this run are remembered in memory; members placed by
earlier runs are recalled from the store (their kept leads, `LinkerStore.linked_leads`) for the days
around each article compared, in the languages other than the article's, so that a Russian report linked
tomorrow joins the English story linked today.
"""

from __future__ import annotations

import json
import logging
import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from newstrace.link.features import LinkFeatures, parse_date
from newstrace.link.scripts import loosened
from newstrace.records import TranslationLink

if TYPE_CHECKING:
    from newstrace.nlp.embeddings import SentenceModel
    from newstrace.store.base import LinkedLead

# The leads kept by earlier runs: (first day, last day, a language) -> those in other languages.
Recall = Callable[[str, str, str], "list[LinkedLead]"]

_LOG = logging.getLogger(__name__)
_CAPITALISED = re.compile(r"\b[^\W\d_][\w'’-]{3,}")
_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:[ ,.\u00a0\u202f]\d{3})+(?![\d])|\d{2,}")
_NAME_PREFIX = 5  # letters of a romanised name compared: inflection changes the ending (Вильнюсе, Пескова)
_LEAD_CHARS = 400


@dataclass(frozen=True)
class CrossLanguageSettings:
    max_gap_days: int = 3  # both reports dated at most this many days apart
    posting_limit: int = 64  # members kept per anchor (the most recent)


@dataclass
class _Member:
    """What the linker keeps of an article placed in a story: enough to compare it with later ones."""

    article_id: str
    story_id: str
    language: str
    published: date
    lead: str
    names: frozenset[str]
    numbers: frozenset[str]


class _Waiting(NamedTuple):
    """An article waiting for a second language: what its member will be made of."""

    article_id: str
    story_id: str
    language: str
    published: date
    lead: str


@dataclass(frozen=True)
class CrossLanguageMatch:
    story_id: str
    member_id: str
    score: float  # the embedding cosine, or 0 when the match rests on names and numbers alone


@dataclass(frozen=True)
class Counterpart:
    """A story mate in another language."""

    article_id: str
    language: str
    published: date


class CrossLanguageLinker:
    """Remembers dated articles whose language is known, and finds the story of the same event in another language."""

    def __init__(self, settings: CrossLanguageSettings | None = None, recall: Recall | None = None) -> None:
        self.settings = settings or CrossLanguageSettings()
        self._recall = recall
        self._recalled: dict[str, set[int]] = {}  # language -> days whose stored members of other languages are in
        self._by_anchor: dict[str, dict[str, _Member]] = {}
        self._warned = False
        self._languages: set[str] = set()
        # While one language is all there is, nothing is indexed (a single-language corpus pays almost
        # nothing): the last days' articles wait here, in date order, for a second language to come; only
        # what a member is made of (about 600 bytes with the lead), not the article's features (~24 KB).
        self._waiting: deque[_Waiting] = deque()

    def remember(self, story_id: str, article: LinkFeatures) -> None:
        """Note that `article` is in `story_id` (undated articles and unknown languages are left out)."""
        if article.language is None or article.published is None:
            return
        self._meet(article.language)
        if len(self._languages) < 2:
            self._wait(story_id, article)
        else:
            self._index(story_id, article)

    def _meet(self, language: str) -> None:
        """Count a language in; at the second, index the articles that waited for one."""
        if language in self._languages:
            return
        self._languages.add(language)
        if len(self._languages) == 2:
            while self._waiting:
                waiting = self._waiting.popleft()
                self._post(_with_anchors(*waiting), latest=True)

    def _wait(self, story_id: str, article: LinkFeatures) -> None:
        """Keep what the article's member would be for `max_gap_days` (articles come in date order)."""
        assert article.published is not None and article.language is not None
        waiting = _Waiting(article.article_id, story_id, article.language, article.published, _lead(article))
        self._waiting.append(waiting)
        oldest = article.published.toordinal() - self.settings.max_gap_days
        while self._waiting and self._waiting[0].published.toordinal() < oldest:
            self._waiting.popleft()

    def _index(self, story_id: str, article: LinkFeatures) -> None:
        member = _member(story_id, article)
        if member is not None:
            self._post(member, latest=True)

    def _post(self, member: _Member, *, latest: bool) -> None:
        """File `member` under its anchors; `latest` moves it to the end of postings that already hold it
        (a member recalled from the store leaves the one this run placed where it is)."""
        for anchor in _anchors(member):
            postings = self._by_anchor.setdefault(anchor, {})
            if member.article_id in postings and not latest:
                continue
            postings.pop(member.article_id, None)
            postings[member.article_id] = member
            if len(postings) > self.settings.posting_limit:
                del postings[next(iter(postings))]

    def _recall_around(self, language: str, published: date) -> None:
        """Bring in the members earlier runs placed, in languages other than `language`, dated close enough
        to `published` to be compared; each day is asked once per language."""
        if self._recall is None:
            return
        gap = self.settings.max_gap_days
        asked = self._recalled.setdefault(language, set())
        days = [day for day in range(published.toordinal() - gap, published.toordinal() + gap + 1) if day not in asked]
        if not days:
            return
        asked.update(days)
        first, last = date.fromordinal(days[0]).isoformat(), date.fromordinal(days[-1]).isoformat()
        for kept in self._recall(first, last, language):
            member = _recalled_member(kept)
            if member is not None:
                self._meet(member.language)
                self._post(member, latest=False)

    def story_for(self, article: LinkFeatures) -> CrossLanguageMatch | None:
        """The story whose member in another language reports the same event as `article`, or None."""
        if article.language is None or article.published is None:
            return None
        self._meet(article.language)
        self._recall_around(article.language, article.published)
        if len(self._languages) < 2:
            return None
        member = _member("", article)
        if member is None:
            return None
        best: CrossLanguageMatch | None = None
        candidates = self._candidates(member)
        prefetch((item.language, item.lead) for item in [member, *candidates])  # one call per model
        for other in candidates:
            score = self._evidence(member, other)
            if score is not None and (best is None or score > best.score):
                best = CrossLanguageMatch(other.story_id, other.article_id, round(score, 4))
        return best

    def counterparts(
        self, article: LinkFeatures, story_id: str, resolve: Callable[[str], str] = str
    ) -> list[Counterpart]:
        """The members of `story_id` in another language, dated close to `article` and sharing an anchor
        with it: the articles it may be a translated copy of, or that may translate it. `resolve` gives
        the story a member's story is in now (it may have merged into another since)."""
        if article.language is not None and article.published is not None:
            self._recall_around(article.language, article.published)
        if len(self._languages) < 2:
            return []
        member = _member(story_id, article)
        if member is None:
            return []
        return [
            Counterpart(other.article_id, other.language, other.published)
            for other in self._candidates(member)
            if resolve(other.story_id) == story_id
        ]

    def _candidates(self, member: _Member) -> list[_Member]:
        """Members in another language, dated close enough, sharing an anchor; ordered by id for stable ties."""
        found: dict[str, _Member] = {}
        for anchor in _anchors(member):
            for other in self._by_anchor.get(anchor, {}).values():
                gap = abs((other.published - member.published).days)
                if other.language != member.language and gap <= self.settings.max_gap_days:
                    found[other.article_id] = other
        return [found[key] for key in sorted(found)]

    def _evidence(self, member: _Member, other: _Member) -> float | None:
        """How surely two leads report one event, or None when the evidence falls short."""
        shared_names, shared_numbers = member.names & other.names, member.numbers & other.numbers
        model = self._model(member.language, other.language)
        if model is None:
            return 0.0 if shared_names and shared_numbers else None
        from newstrace.nlp.embeddings import embed  # leads are cached there: each is embedded once

        cosine = float(embed(model, member.lead) @ embed(model, other.lead))
        return cosine if cosine >= model.same_event_cosine else None

    def _model(self, language: str, other: str) -> SentenceModel | None:
        from newstrace.nlp.embeddings import INSTALL_HINT, model_for

        model = model_for(language, other)
        if model is None and not self._warned:
            self._warned = True
            _LOG.warning(
                "no multilingual sentence model for %s-%s (%s): cross-language stories rest on shared names "
                "and numbers only",
                language,
                other,
                INSTALL_HINT,
            )
        return model


def _member(story_id: str, article: LinkFeatures) -> _Member | None:
    if article.language is None or article.published is None:
        return None
    return _with_anchors(article.article_id, story_id, article.language, article.published, _lead(article))


def _recalled_member(kept: LinkedLead) -> _Member | None:
    published = parse_date(kept.published)
    if published is None:
        return None
    return _with_anchors(kept.article_id, kept.story_id, kept.language, published, kept.lead)


def _with_anchors(article_id: str, story_id: str, language: str, published: date, lead: str) -> _Member:
    names, numbers = frozenset(name_anchors(lead)), frozenset(number_anchors(lead))
    return _Member(article_id, story_id, language, published, lead, names, numbers)


def _lead(article: LinkFeatures) -> str:
    return article.lead or article.title or ""


def _anchors(member: _Member) -> Iterable[str]:
    yield from ("n:" + name for name in member.names)
    yield from ("#" + number for number in member.numbers)


def name_anchors(text: str) -> set[str]:
    """The capitalised words of `text`, romanised and cut to their first letters, so that inflected forms
    meet (`Столтенберга`, `Stoltenberg` -> `stolt`)."""
    found = set()
    for word in _CAPITALISED.findall(text):
        if word[0].isupper():
            key = loosened(word)[:_NAME_PREFIX]
            if len(key) == _NAME_PREFIX:
                found.add(key)
    return found


def number_anchors(text: str) -> set[str]:
    """The numbers of `text` with two digits or more, separators removed, years left out (every report of
    2026 shares `2026`)."""
    found = set()
    for written in _NUMBER.findall(text):
        digits = re.sub(r"\D", "", written)
        if not (len(digits) == 4 and 1900 <= int(digits) <= 2100):
            found.add(digits.lstrip("0") or "0")
    return found


def lead_of(title: str | None, text: str) -> str:
    """The title and the first paragraph after it, cut to a few hundred characters: what the embedding reads."""
    paragraphs = [paragraph.strip() for paragraph in text.split("\n") if paragraph.strip()]
    if title and paragraphs and paragraphs[0] == title.strip():
        paragraphs = paragraphs[1:]
    lead = " ".join(filter(None, [title, *paragraphs[:1]]))
    return lead[:_LEAD_CHARS]


def prefetch(texts: Iterable[tuple[str, str]]) -> None:
    """Embed, in one call per model, the (language, text) pairs a run is about to compare across
    languages: a call costs far more than a text in it (multilingual USE: most of a second for one
    sentence, little more for twenty). Nothing happens with fewer than two languages, or without the
    extra."""
    from newstrace.nlp.embeddings import MODELS, embed_many, model_for

    pairs = sorted(set(texts))
    languages = {language for language, _ in pairs}
    if len(languages) < 2:
        return
    for model in MODELS:
        # a text is embedded by every model that some pair of the languages present would ask
        wanted = [
            text
            for language, text in pairs
            if any(model_for(language, other) == model for other in languages - {language})
        ]
        if wanted:
            embed_many(model, wanted)


def statement_similarity(text: str, language: str, other_text: str, other_language: str) -> float | None:
    """How surely `other_text` translates `text` (a quotation): the embedding cosine when it clears the
    model's bar for one statement, else None; None also when no model covers the two languages (a
    translated rendering is then not recognised: precision first)."""
    from newstrace.nlp.embeddings import embed, model_for

    model = model_for(language, other_language)
    if model is None:
        return None
    cosine = float(embed(model, text) @ embed(model, other_text))
    return round(cosine, 4) if cosine >= model.same_statement_cosine else None


# -- translated copies ------------------------------------------------------------------------------

_SENTENCE = re.compile(r"[^\n]+?(?:[.!?…]+[\"”»“’]*(?=\s)|$)", re.MULTILINE)
TRANSLATION_COVERAGE = 0.7  # share of each text's sentences that must pair up for a translated copy
_LENGTH_RATIO = 0.6  # texts whose sentence counts differ more than this are no copy of each other


@dataclass(frozen=True)
class SentencePair:
    start: int
    end: int
    source_start: int
    source_end: int
    similarity: float


@dataclass(frozen=True)
class TranslationAlignment:
    """A text aligned sentence by sentence with the text it translates."""

    pairs: list[SentencePair]
    similarity: float  # mean over the pairs
    coverage: float  # pairs over the sentences of the longer text


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """The sentences of `text` as (start, end), never across a line break: a rough split that serves only
    to pair a text's sentences with its translation's."""
    spans = []
    for match in _SENTENCE.finditer(text):
        start, end = match.start(), match.end()
        while start < end and text[start].isspace():
            start += 1
        if end > start:
            spans.append((start, end))
    return spans


def align_translation(text: str, language: str, source: str, source_language: str) -> TranslationAlignment | None:
    """`text` aligned with `source` when it is a translated copy of it: most sentences of both pair up, in
    order, each pair close in a multilingual embedding. None otherwise, or when no model covers the two
    languages."""
    from newstrace.nlp.embeddings import model_for

    model = model_for(language, source_language)
    spans, source_spans = sentence_spans(text), sentence_spans(source)
    if model is None or not spans or not source_spans:
        return None
    if min(len(spans), len(source_spans)) < _LENGTH_RATIO * max(len(spans), len(source_spans)):
        return None
    pairs = _aligned(model, (text, spans), (source, source_spans))
    coverage = len(pairs) / max(len(spans), len(source_spans))
    if coverage < TRANSLATION_COVERAGE:
        return None
    mean = sum(pair.similarity for pair in pairs) / len(pairs)
    return TranslationAlignment(pairs, round(mean, 4), round(coverage, 4))


def _aligned(
    model: SentenceModel, text: tuple[str, list[tuple[int, int]]], source: tuple[str, list[tuple[int, int]]]
) -> list[SentencePair]:
    """The sentence pairs of two texts (each with the spans to align) that a translation would give."""
    from newstrace.nlp.embeddings import embed_many

    (words, spans), (source_words, source_spans) = text, source
    sentences = [words[start:end] for start, end in spans] + [source_words[start:end] for start, end in source_spans]
    vectors = embed_many(model, sentences)  # one batch for both texts
    vectors, source_vectors = vectors[: len(spans)], vectors[len(spans) :]
    similarity = [[float(vector @ other) for other in source_vectors] for vector in vectors]
    return [
        SentencePair(*spans[row], *source_spans[column], round(similarity[row][column], 4))
        for row, column in _monotonic_pairs(similarity, model.same_statement_cosine)
    ]


def _monotonic_pairs(similarity: list[list[float]], floor: float) -> list[tuple[int, int]]:
    """The in-order one-to-one pairing of rows and columns with the greatest summed similarity, using only
    pairs at or above `floor` (dynamic programming, as in aligning two sequences)."""
    rows, columns = len(similarity), len(similarity[0])
    best = [[0.0] * (columns + 1) for _ in range(rows + 1)]
    for row in range(1, rows + 1):
        for column in range(1, columns + 1):
            value = similarity[row - 1][column - 1]
            paired = best[row - 1][column - 1] + value if value >= floor else -1.0
            best[row][column] = max(best[row - 1][column], best[row][column - 1], paired)
    pairs = []
    row, column = rows, columns
    while row and column:
        value = similarity[row - 1][column - 1]
        if value >= floor and best[row][column] == best[row - 1][column - 1] + value:
            pairs.append((row - 1, column - 1))
            row, column = row - 1, column - 1
        elif best[row][column] == best[row - 1][column]:
            row -= 1
        else:
            column -= 1
    return pairs[::-1]


def translation_links(article: LinkFeatures, text: str, others: list[tuple[Counterpart, str]]) -> list[TranslationLink]:
    """The `translation_of` links between an article and its story mates in other languages (each with its
    text), the sentences of all of them embedded in one call per model first."""
    assert article.language is not None
    texts = [(article.language, text), *((other.language, other_text) for other, other_text in others)]
    prefetch((language, whole[start:end]) for language, whole in texts for start, end in sentence_spans(whole))
    found = (translation_link(article, text, other, other_text) for other, other_text in others)
    return [link for link in found if link is not None]


def translation_link(article: LinkFeatures, text: str, other: Counterpart, other_text: str) -> TranslationLink | None:
    """The `translation_of` link between an article and a story mate in another language, when one is a
    translated copy of the other. The original is the earlier one; on the same day the English one, else
    the mate already linked."""
    assert article.language is not None and article.published is not None
    mine = (article.article_id, text, article.language)
    theirs = (other.article_id, other_text, other.language)
    mine_first = article.published < other.published or (
        article.published == other.published and article.language == "en" and other.language != "en"
    )
    (translation_id, translated, language), (source_id, source, source_language) = (
        (theirs, mine) if mine_first else (mine, theirs)
    )
    alignment = align_translation(translated, language, source, source_language)
    if alignment is None:
        return None
    pairs = [[pair.start, pair.end, pair.source_start, pair.source_end, pair.similarity] for pair in alignment.pairs]
    return TranslationLink(translation_id, source_id, alignment.similarity, alignment.coverage, json.dumps(pairs))
