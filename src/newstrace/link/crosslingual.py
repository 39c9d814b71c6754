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
before and no model is loaded. Members are remembered for the run only: a story stored by an earlier
run is bridged again only by articles linked in the same run as one of its members.
"""

from __future__ import annotations

import logging
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from newstrace.link.features import LinkFeatures
from newstrace.link.scripts import loosened

if TYPE_CHECKING:
    import numpy as np

    from newstrace.nlp.embeddings import SentenceModel

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
    vectors: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass(frozen=True)
class CrossLanguageMatch:
    story_id: str
    member_id: str
    score: float  # the embedding cosine, or 0 when the match rests on names and numbers alone


class CrossLanguageLinker:
    """Remembers dated articles whose language is known, and finds the story of the same event in another language."""

    def __init__(self, settings: CrossLanguageSettings | None = None) -> None:
        self.settings = settings or CrossLanguageSettings()
        self._by_anchor: dict[str, dict[str, _Member]] = {}
        self._warned = False
        self._latest: _Member | None = None  # the article last looked up, with the vectors it got
        self._languages: set[str] = set()
        # While one language is all there is, nothing is indexed (a single-language corpus pays almost
        # nothing): the last days' articles wait here, in date order, for a second language to come.
        self._waiting: deque[tuple[str, LinkFeatures]] = deque()

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
                self._index(*self._waiting.popleft())

    def _wait(self, story_id: str, article: LinkFeatures) -> None:
        assert article.published is not None
        self._waiting.append((story_id, article))
        oldest = article.published.toordinal() - self.settings.max_gap_days
        while self._waiting and (self._waiting[0][1].published or article.published).toordinal() < oldest:
            self._waiting.popleft()

    def _index(self, story_id: str, article: LinkFeatures) -> None:
        member = _member(story_id, article)
        if member is None:
            return
        if self._latest is not None and self._latest.article_id == member.article_id:
            member.vectors = self._latest.vectors
        for anchor in _anchors(member):
            postings = self._by_anchor.setdefault(anchor, {})
            postings.pop(member.article_id, None)
            postings[member.article_id] = member
            if len(postings) > self.settings.posting_limit:
                del postings[next(iter(postings))]

    def story_for(self, article: LinkFeatures) -> CrossLanguageMatch | None:
        """The story whose member in another language reports the same event as `article`, or None."""
        if article.language is None or article.published is None:
            return None
        self._meet(article.language)
        if len(self._languages) < 2:
            return None
        member = self._latest = _member("", article)
        if member is None:
            return None
        best: CrossLanguageMatch | None = None
        for other in self._candidates(member):
            score = self._evidence(member, other)
            if score is not None and (best is None or score > best.score):
                best = CrossLanguageMatch(other.story_id, other.article_id, round(score, 4))
        return best

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
        cosine = float(_vector(member, model) @ _vector(other, model))
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
    lead = article.lead or article.title or ""
    return _Member(
        article.article_id,
        story_id,
        article.language,
        article.published,
        lead,
        frozenset(name_anchors(lead)),
        frozenset(number_anchors(lead)),
    )


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


def _vector(member: _Member, model: SentenceModel) -> np.ndarray:
    vector = member.vectors.get(model.name)
    if vector is None:
        from newstrace.nlp.embeddings import embed

        vector = member.vectors[model.name] = embed(model, member.lead)
    return vector
