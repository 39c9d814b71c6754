"""Quote trails: group the quotes that render one utterance across articles, and describe each rendering
against the utterance's canonical wording.

Quotes arrive in article date order. A quote joins an utterance of the same speaker (or one of them
unresolved) when its content words overlap one of the utterance's renderings enough: most of the
shorter side's words found in the longer (so truncations and partial quotes embedded in reported
speech join), after folding plurals and mapping near-synonyms ("victory"/"win"/"triumph",
"gravest"/"greatest") to one key. Words said by a different named speaker join only when nearly
identical, and the rendering is flagged `speaker_changed`. An utterance takes no quote dated more than
`window_days` after its last rendering: the same words later are a new utterance that recurs from it.

Each rendering is then compared word by word with the canonical text (the earliest direct rendering
that is not a fragment, else the most common wording): kept, cut, inserted and substituted words, a
fidelity in [0, 1], and flags `altered_direct_quote`, `truncated`, `paraphrased_as_indirect`.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher

from newstrace.link.features import STOP_WORDS, fold_term

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
_SYNONYMS = {word: group.split()[0] for group in _SYNONYM_GROUPS for word in group.split()}


@dataclass(frozen=True)
class TrailSettings:
    join_containment: float = 0.6  # share of the shorter rendering's content words found in the other
    min_content_words: int = 3  # ... and at least this many; a shorter fragment must appear word for word
    other_speaker_similarity: float = 0.8  # word-set Jaccard for the same words under another speaker's name
    window_days: int = 30  # an utterance takes no quote dated further than this after its last rendering
    candidates_per_speaker: int = 200  # latest utterances of a speaker compared with a new quote


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


def content_keys(text: str) -> set[str]:
    """The content words of a quotation, plurals folded and near-synonyms mapped to one key."""
    keys = set()
    for word in words(text):
        if word in STOP_WORDS or len(word) < 3:
            continue
        folded = fold_term(word)
        keys.add(_SYNONYMS.get(folded, _SYNONYMS.get(word, folded)))
    return keys


def containment(first: set[str], second: set[str]) -> tuple[float, int]:
    shared = len(first & second)
    smaller = min(len(first), len(second))
    return (shared / smaller if smaller else 0.0), shared


def jaccard(first: set[str], second: set[str]) -> float:
    union = first | second
    return len(first & second) / len(union) if union else 0.0


class TrailGrouper:
    """Groups quotes into utterances incrementally, in the order given."""

    def __init__(self, settings: TrailSettings | None = None, utterances: Iterable[Utterance] = ()) -> None:
        self.settings = settings or TrailSettings()
        self.utterances: dict[str, Utterance] = {}
        self._keys: dict[str, set[str]] = {}  # quote id -> content keys
        self._by_speaker: dict[int | None, deque[str]] = {}
        self._by_key: dict[str, deque[str]] = {}
        self.changed: set[str] = set()
        for utterance in utterances:
            self.utterances[utterance.id] = utterance
            for rendering in utterance.renderings:
                self._index(utterance, rendering)

    def add(self, quote: QuoteInput) -> Utterance:
        """Put the quote in an utterance (an existing one or a new one) and return it."""
        keys = content_keys(quote.content)
        self._keys[quote.quote_id] = keys
        best: tuple[float, Utterance] | None = None
        earlier: Utterance | None = None
        for utterance in self._candidates(quote, keys):
            score = self._match(quote, keys, utterance)
            if score is None:
                continue
            if not self._within_window(quote.published, utterance):
                if quote.speaker_id is not None and utterance.speaker_id == quote.speaker_id:
                    earlier = earlier or utterance
            elif best is None or score > best[0]:
                best = (score, utterance)
        if best is not None:
            utterance = best[1]
        else:
            utterance = Utterance("u_" + quote.quote_id, quote.speaker_id, quote.speaker)
            utterance.recurs_from = earlier.id if earlier else None
            self.utterances[utterance.id] = utterance
        utterance.renderings.append(quote)
        if utterance.speaker_id is None and quote.speaker_id is not None:
            utterance.speaker_id, utterance.speaker = quote.speaker_id, quote.speaker
        self._index(utterance, quote)
        self.changed.add(utterance.id)
        return utterance

    def _candidates(self, quote: QuoteInput, keys: set[str]) -> list[Utterance]:
        found: dict[str, None] = {}
        for utterance_id in reversed(self._by_speaker.get(quote.speaker_id, ())):
            found[utterance_id] = None
        # sorted: a set's order changes with PYTHONHASHSEED, and the first of two equal matches wins
        for key in sorted(keys):  # other speakers and unresolved ones share words, not a speaker
            for utterance_id in reversed(self._by_key.get(key, ())):
                found[utterance_id] = None
        return [self.utterances[utterance_id] for utterance_id in found]

    def _match(self, quote: QuoteInput, keys: set[str], utterance: Utterance) -> float | None:
        """How well the quote fits the utterance (its best rendering), or None when it does not."""
        settings = self.settings
        same_speaker = quote.speaker_id is None or utterance.speaker_id in (None, quote.speaker_id)
        best = None
        for rendering in utterance.renderings:
            other = self._keys.get(rendering.quote_id) or content_keys(rendering.content)
            if not same_speaker:
                score = jaccard(keys, other)
                if score >= settings.other_speaker_similarity:
                    best = max(best or 0.0, score)
                continue
            if min(len(keys), len(other)) < settings.min_content_words:
                if _inside(quote.content, rendering.content):  # a fragment must appear word for word
                    best = max(best or 0.0, 1.0)
                continue
            share, shared = containment(keys, other)
            if share >= settings.join_containment and shared >= settings.min_content_words:
                best = max(best or 0.0, share + jaccard(keys, other) / 10)
        return best

    def _within_window(self, published: date | None, utterance: Utterance) -> bool:
        last = utterance.last_seen
        return published is None or last is None or (published - last).days <= self.settings.window_days

    def _index(self, utterance: Utterance, rendering: QuoteInput) -> None:
        keys = self._keys.setdefault(rendering.quote_id, content_keys(rendering.content))
        limit = self.settings.candidates_per_speaker
        speaker_list = self._by_speaker.setdefault(utterance.speaker_id, deque(maxlen=limit))
        if utterance.id not in speaker_list:
            speaker_list.append(utterance.id)
        for key in sorted(keys):
            postings = self._by_key.setdefault(key, deque(maxlen=limit))
            if not postings or postings[-1] != utterance.id:
                postings.append(utterance.id)


def canonical_rendering(utterance: Utterance) -> QuoteInput:
    """The earliest direct rendering that is not a fragment of another; else the commonest wording."""
    ordered = sorted(utterance.renderings, key=_age)
    direct = [rendering for rendering in ordered if rendering.kind == "direct"]
    if direct:
        longest = max(len(words(rendering.content)) for rendering in direct)
        return next(rendering for rendering in direct if len(words(rendering.content)) == longest)
    wording = Counter(" ".join(words(rendering.content)) for rendering in ordered)
    common = wording.most_common(1)[0][0]
    return next(rendering for rendering in ordered if " ".join(words(rendering.content)) == common)


def describe(rendering: QuoteInput, canonical: QuoteInput, utterance: Utterance) -> RenderingReport:
    """The word diff of a rendering against the canonical text, its fidelity and its flags."""
    canonical_words, rendering_words = words(canonical.content), words(rendering.content)
    matcher = SequenceMatcher(a=canonical_words, b=rendering_words, autojunk=False)
    diff = []
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        op = {"equal": "kept", "delete": "cut", "insert": "inserted", "replace": "substituted"}[tag]
        before, after = " ".join(canonical_words[a0:a1]), " ".join(rendering_words[b0:b1])
        diff.append({"op": op, "canonical": before, "rendering": after})
    flags = []
    if _altered_inside_quotes(rendering, canonical):
        flags.append("altered_direct_quote")
    if utterance.speaker_id is not None and rendering.speaker_id not in (None, utterance.speaker_id):
        flags.append("speaker_changed")
    if _truncated(canonical_words, rendering):
        flags.append("truncated")
    if rendering.kind == "indirect" and canonical.kind != "indirect":
        flags.append("paraphrased_as_indirect")
    return RenderingReport(rendering.quote_id, round(matcher.ratio(), 4), diff, tuple(flags))


def quoted_segments(content: str, kind: str) -> list[str]:
    """The words inside quotation marks: a direct quote's whole content, or the quoted runs of a partial
    or mixed one."""
    if kind == "direct":  # all of it, quotation marks inside a quotation included
        segments = [content.strip(QUOTE_MARKS + " ,.")]
    else:
        segments = [match.group(1) for match in _QUOTED.finditer(content)]
    return [segment for segment in segments if words(segment)]


def _altered_inside_quotes(rendering: QuoteInput, canonical: QuoteInput) -> bool:
    """Quoted words that are not a run of the canonical text: quotation marks around different words."""
    if rendering.quote_id == canonical.quote_id or canonical.kind != "direct" or rendering.kind == "indirect":
        return False
    reference = " " + " ".join(words(canonical.content)) + " "
    segments = quoted_segments(rendering.content, rendering.kind)
    return any(" " + " ".join(words(segment)) + " " not in reference for segment in segments)


def _truncated(canonical_words: list[str], rendering: QuoteInput) -> bool:
    """The rendering quotes only a stretch of the canonical words, unchanged (words outside quotation
    marks aside): a cut, not a misquote."""
    segments = [words(segment) for segment in quoted_segments(rendering.content, rendering.kind)]
    if rendering.kind == "indirect" or not segments:
        segments = [words(rendering.content)]
    reference = " " + " ".join(canonical_words) + " "
    quoted = sum(len(segment) for segment in segments)
    return 0 < quoted < len(canonical_words) and all(" " + " ".join(segment) + " " in reference for segment in segments)


def _inside(fragment: str, text: str) -> bool:
    """The fragment's words occur as a run of the text's words (either way round)."""
    short, long = words(fragment), words(text)
    if len(short) > len(long):
        short, long = long, short
    return bool(short) and " " + " ".join(short) + " " in " " + " ".join(long) + " "


def _age(rendering: QuoteInput) -> tuple[bool, date, str]:
    return (rendering.published is None, rendering.published or date.max, rendering.quote_id)
