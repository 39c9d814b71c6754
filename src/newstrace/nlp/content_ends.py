"""Where a quote's content ends: a learned choice among the word boundaries of its sentence.

The rules in `quotes.py` end reported content where the parse ends the clause (`said that A, B`).
Annotators often end it elsewhere: before a trailing `, who ...` or `after ...` clause, or further on
when the parse cut a phrase short (`an op-ed` + `urging Congress to ...`). For a quote whose content is
one piece, every word from the content's first word to the end of its sentence (stopping before the
cue and the source) is a candidate last word; a logistic regression scores each one from the words
around the cut and the cut's place in the parse, and the best candidate wins. The model is learned
from PolNeAR train by `scripts/train_quote_lexicon.py` and shipped as `data/content_end_model.json`;
without that file the rules' ends stay. `EndScorer` makes `best_end`'s choice from the document's
attribute ids, with no feature strings (the path the workers take). Candidates lie at most
`MAX_END_SHIFT` tokens either side of the rules' end, so a run-on transcript parsed as one enormous
sentence costs each quote a bounded number of candidates, not one per word of the sentence (far beyond
the training data's longest shift).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from newstrace.nlp.linear_model import LinearModel, WeightsByIds, load_linear_model, prepared_for, squashed
from newstrace.nlp.spans import SentenceIndex, Span, is_inside

CONTENT_END_MODEL_FILE = Path(__file__).parent / "data" / "content_end_model.json"
_CLAUSE_BREAKS = frozenset([",", ";", "—", "–", "--"])
MAX_END_SHIFT = 500  # tokens; in PolNeAR train no content ends further than 275 from where the rules end it


@dataclass(frozen=True)
class EndCandidates:
    """The tokens a content span may end on, and the one the rules chose."""

    start: int  # token index of the content's first token
    rule_last: Any  # the last word of the content as the rules found it
    candidates: list[Any]
    breaks_before: list[int]  # clause breaks (commas, dashes, ...) from `window_start` up to each token
    window_start: int  # token index of the first candidate position
    sentences: SentenceIndex

    def breaks_between(self, first: int, last: int) -> int:
        """Clause breaks among the tokens `first`..`last` (token indices, both included)."""
        return self.breaks_before[last + 1 - self.window_start] - self.breaks_before[first - self.window_start]


@lru_cache(maxsize=1)
def content_end_model() -> LinearModel | None:
    """The shipped model, or None when only the rules are available."""
    return load_linear_model(CONTENT_END_MODEL_FILE)


def end_candidates(
    doc: Any, start: int, end: int, barrier: int, sentences: SentenceIndex | None = None
) -> EndCandidates | None:
    """The words from the content `start`..`end` (character offsets) onwards that could end it, up to the
    end of the sentence its last word is in and before character offset `barrier`, at most
    `MAX_END_SHIFT` tokens from the rules' end. Pass the document's `sentences` when calling this for
    many quotes of one document (building them costs a pass over the document)."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    sentences = sentences or SentenceIndex(doc)
    last = span[-1]
    while (last.is_punct or last.is_space) and last.i > span.start:
        last = doc[last.i - 1]
    window_start = max(span.start, last.i - MAX_END_SHIFT)
    reach = doc[window_start : min(sentences.end(last.i), last.i + MAX_END_SHIFT + 1)]
    words = [
        token
        for token in reach
        if not token.is_punct and not token.is_space and (token.idx + len(token) <= barrier or token.i <= last.i)
    ]
    breaks_before = [0]
    for token in reach:
        breaks_before.append(breaks_before[-1] + (token.text in _CLAUSE_BREAKS))
    return EndCandidates(span.start, last, words, breaks_before, window_start, sentences) if words else None


def end_features(doc: Any, candidates: EndCandidates, last: Any, quotations: Sequence[Span]) -> list[str]:
    """What the model knows of ending the content on `last`: how far from the rules' end and across how
    many commas, the last word, and what the cut separates from it."""
    rule_last = candidates.rule_last
    offset = last.i - rule_last.i
    breaks = candidates.breaks_between(*sorted((last.i, rule_last.i)))
    direction = "-" if offset < 0 else "+"
    features = [
        f"dist={_distance(offset)}",
        f"commas={direction}{min(breaks, 3)}",
        f"last_pos={last.pos_}",
        f"last_dep={last.dep_}",
        f"head_dep={last.head.dep_}",
    ]
    if offset == 0:
        features.append("rule_end")
    if last.right_edge.i == last.i:
        features.append("is_right_edge")
    if is_inside(last.idx + len(last), quotations):
        features.append("in_quotation")
    return features + _after_cut(doc, candidates, last, direction)


def _after_cut(doc: Any, candidates: EndCandidates, last: Any, direction: str) -> list[str]:
    """The tokens right after the cut: the next one, and the first word after any punctuation."""
    start, sentence_end = candidates.start, candidates.sentences.end(last.i)
    following = doc[last.i + 1] if last.i + 1 < len(doc) else None
    if following is None or following.i >= sentence_end:
        return ["sent_end"]
    word = following
    while word.is_punct and word.i + 1 < sentence_end:
        word = doc[word.i + 1]
    attached = "in" if start <= word.head.i <= last.i else "out"
    punctuation = following.text if following.is_punct else "_"
    features = [
        f"next={following.lower_ if following.is_punct or following.is_stop else following.pos_}",
        f"next_dep={following.dep_}",
        f"after_dep={word.dep_}|{attached}",
        f"after_word={word.lower_ if word.is_stop else word.pos_}|{punctuation}",
        f"after_dep+d={word.dep_}|{direction}",
    ]
    if following.is_punct:
        features.append(f"punct_then={following.text}|{word.dep_}")
    return features


def _distance(offset: int) -> str:
    size = abs(offset)
    bucket = "0" if size == 0 else "1" if size == 1 else "2-3" if size <= 3 else "4-7" if size <= 7 else "8+"
    return ("-" if offset < 0 else "+") + bucket


def best_end(doc: Any, candidates: EndCandidates, model: LinearModel, quotations: Sequence[Span]) -> Any:
    """The candidate last word the model scores highest (the rules' own end when it ties; that end is no
    candidate when the content is all punctuation)."""
    words = candidates.candidates
    rule = next((index for index, word in enumerate(words) if word.i == candidates.rule_last.i), -1)
    return model.most_probable(words, lambda word: end_features(doc, candidates, word, quotations), rule)


_DISTANCE_NAMES = ("+0", "+1", "+2-3", "+4-7", "+8+", "-1", "-2-3", "-4-7", "-8+")


class EndScorer:
    """`best_end` for the one-piece contents of one document, read from the document's attribute ids.

    `best_end` names each candidate's features as strings built from spaCy `Token`s (a `Token` for the
    word, its head, the next word and the word after the punctuation, then a dozen strings), some 20 µs
    of Python per candidate. This reads the same attributes as ids from one array per document and
    looks up each feature's weight by those ids (naming an id once per process), then adds the weights
    of a candidate's features in the order `end_features` lists them, so every score is the same float
    and the same word wins. `end_features` stays the definition: the training script learns from it,
    and the tests compare the two.
    """

    def __init__(self, doc: Any, sentences: SentenceIndex, quotations: Sequence[Span], model: LinearModel) -> None:
        self.model = model
        self._doc, self._sentences, self._quotations = doc, sentences, quotations
        self._ids: _DocumentIds | None = None
        self._weights = _weights_for(model)

    def best(self, start: int, end: int, barrier: int) -> tuple[int, int] | None:
        """The token indices of the rules' last word of the content `start`..`end` (character offsets) and
        of the word `best_end` would end it on, or None where `end_candidates` finds no candidate."""
        span = self._doc.char_span(start, end, alignment_mode="expand")
        if span is None or not len(span):
            return None
        if self._ids is None:
            self._ids = _DocumentIds(self._doc, self._sentences, self._quotations)
        ids = self._ids
        self._weights.strings = ids.strings
        rule = span.end - 1
        while ids.punct_or_space[rule] and rule > span.start:
            rule -= 1
        window_start = max(span.start, rule - MAX_END_SHIFT)
        reach_end = min(self._sentences.end(rule), rule + MAX_END_SHIFT + 1)
        punct_or_space, ends = ids.punct_or_space, ids.ends
        words = [
            index
            for index in range(window_start, reach_end)
            if not punct_or_space[index] and (ends[index] <= barrier or index <= rule)
        ]
        if not words:
            return None
        intercept = self.model.intercept
        scores = [squashed(intercept + sum(self._weights_of(word, rule, span.start))) for word in words]
        preferred = next((index for index, word in enumerate(words) if word == rule), -1)
        best = max(range(len(words)), key=lambda index: (scores[index], index == preferred, -index))
        return rule, words[best]

    def _weights_of(self, last: int, rule: int, start: int) -> list[float]:
        """The weights of `end_features(doc, candidates, doc[last], quotations)`, in their order."""
        ids, weights = self._ids, self._weights
        assert ids is not None
        offset = last - rule
        low, high = (last, rule) if offset < 0 else (rule, last)
        breaks = ids.breaks_before[high + 1] - ids.breaks_before[low]
        forward = offset >= 0
        dep = ids.dep
        found = [
            weights.distance[_distance_index(offset)],
            weights.commas[forward][min(breaks, 3)],
            weights.last_pos[ids.pos[last]],
            weights.last_dep[dep[last]],
            weights.head_dep[ids.head_dep[last]],
        ]
        if offset == 0:
            found.append(weights.rule_end)
        if self._doc[last].right_edge.i == last:  # spaCy's edges of a non-projective parse are its own
            found.append(weights.right_edge)
        if ids.in_quotation[last]:
            found.append(weights.in_quotation)
        sentence_end = ids.sentence_end[last]
        following = last + 1
        if following >= sentence_end:  # also the end of the document
            found.append(weights.sent_end)
            return found
        word = following
        while ids.punct[word] and word + 1 < sentence_end:
            word += 1
        word_dep = dep[word]
        found += [
            weights.next[ids.word_class[following]],
            weights.next_dep[dep[following]],
            (weights.after_dep_in if start <= ids.heads[word] <= last else weights.after_dep_out)[word_dep],
        ]
        if ids.punct[following]:
            mark = ids.orth[following]
            found += [
                weights.after_word[ids.stop_class[word], mark],
                (weights.after_dep_forward if forward else weights.after_dep_backward)[word_dep],
                weights.punct_then[mark, word_dep],
            ]
        else:
            found += [
                weights.after_word[ids.stop_class[word], 0],
                (weights.after_dep_forward if forward else weights.after_dep_backward)[word_dep],
            ]
        return found


class _DocumentIds:
    """The attribute ids of every token of a document, as lists, with what a candidate needs of its
    neighbours: the dependency of its head, its sentence's end, the word after it."""

    def __init__(self, doc: Any, sentences: SentenceIndex, quotations: Sequence[Span]) -> None:
        import numpy
        from spacy.attrs import DEP, HEAD, IDX, IS_PUNCT, IS_SPACE, IS_STOP, LENGTH, LOWER, ORTH, POS

        self.strings = doc.vocab.strings
        ids = doc.to_array([POS, DEP, LOWER, ORTH])
        pos, dep, lower, orth = ids[:, 0], ids[:, 1], ids[:, 2], ids[:, 3]
        numbers = doc.to_array([HEAD, IDX, LENGTH, IS_PUNCT, IS_SPACE, IS_STOP]).astype(numpy.int64)
        punct, stop = numbers[:, 3].astype(bool), numbers[:, 5].astype(bool)
        positions = numpy.arange(len(ids))
        heads = positions + numbers[:, 0]
        ends = numbers[:, 1] + numbers[:, 2]
        self.pos, self.dep, self.orth = pos.tolist(), dep.tolist(), orth.tolist()
        self.heads, self.ends, self.punct = heads.tolist(), ends.tolist(), punct.tolist()
        self.head_dep = dep[heads].tolist()
        self.punct_or_space = (punct | numbers[:, 4].astype(bool)).tolist()
        # `end_features` names a function word by itself and another word by its part of speech
        self.stop_class = numpy.where(stop, lower, pos).tolist()
        self.word_class = numpy.where(punct | stop, lower, pos).tolist()
        self.in_quotation = _inside(ends, quotations).tolist()
        starts = numpy.array(sentences.starts, dtype=numpy.int64)
        following = numpy.searchsorted(starts, positions, side="right")
        self.sentence_end = numpy.append(starts, len(ids))[following].tolist()
        clause_breaks = numpy.isin(orth, numpy.array(sorted(_clause_break_ids()), dtype=orth.dtype))
        self.breaks_before = [0, *numpy.cumsum(clause_breaks, dtype=numpy.int64).tolist()]


def _inside(positions: Any, quotations: Sequence[Span]) -> Any:
    """`is_inside` for each position: strictly inside one of the quotations (in text order, apart)."""
    import numpy

    if not quotations:
        return numpy.zeros(len(positions), dtype=bool)
    starts = numpy.array([quotation.start for quotation in quotations], dtype=numpy.int64)
    ends = numpy.array([quotation.end for quotation in quotations], dtype=numpy.int64)
    index = numpy.searchsorted(starts, positions, side="left") - 1
    return (index >= 0) & (positions < ends[numpy.maximum(index, 0)])


@lru_cache(maxsize=1)
def _clause_break_ids() -> frozenset[int]:
    from spacy.strings import get_string_id

    return frozenset(get_string_id(mark) for mark in _CLAUSE_BREAKS)


def _distance_index(offset: int) -> int:
    """The index in `_DISTANCE_NAMES` of the bucket `_distance` names."""
    size = abs(offset)
    bucket = 0 if size == 0 else 1 if size == 1 else 2 if size <= 3 else 3 if size <= 7 else 4
    return bucket if offset >= 0 else bucket + 4


class _Weights:
    """A model's weights by feature, looked up by the ids each feature is named from."""

    def __init__(self, model: LinearModel) -> None:
        self.model = model
        self.strings: Any = None  # the vocabulary's strings of the document being read, to name new ids
        named = model.weights.get
        self.distance = [named(f"dist={name}", 0.0) for name in _DISTANCE_NAMES]
        self.commas = [[named(f"commas={sign}{breaks}", 0.0) for breaks in range(4)] for sign in "-+"]
        self.rule_end, self.right_edge = named("rule_end", 0.0), named("is_right_edge", 0.0)
        self.in_quotation, self.sent_end = named("in_quotation", 0.0), named("sent_end", 0.0)
        self.last_pos = WeightsByIds(self, "last_pos={}".format)
        self.last_dep = WeightsByIds(self, "last_dep={}".format)
        self.head_dep = WeightsByIds(self, "head_dep={}".format)
        self.next = WeightsByIds(self, "next={}".format)
        self.next_dep = WeightsByIds(self, "next_dep={}".format)
        self.after_dep_in = WeightsByIds(self, "after_dep={}|in".format)
        self.after_dep_out = WeightsByIds(self, "after_dep={}|out".format)
        self.after_word = WeightsByIds(self, lambda word, mark: f"after_word={word}|{mark or '_'}")
        self.after_dep_forward = WeightsByIds(self, "after_dep+d={}|+".format)
        self.after_dep_backward = WeightsByIds(self, "after_dep+d={}|-".format)
        self.punct_then = WeightsByIds(self, "punct_then={}|{}".format)


_WEIGHTS: list[tuple[LinearModel, _Weights]] = []


def _weights_for(model: LinearModel) -> _Weights:
    """The weights of `model`, with the ids named for earlier documents (the last few models kept)."""
    return prepared_for(model, _WEIGHTS, _Weights)
