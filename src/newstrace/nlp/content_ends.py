"""Where a quote's content ends: a learned choice among the word boundaries of its sentence.

The rules in `quotes.py` end reported content where the parse ends the clause (`said that A, B`).
Annotators often end it elsewhere: before a trailing `, who ...` or `after ...` clause, or further on
when the parse cut a phrase short (`an op-ed` + `urging Congress to ...`). For a quote whose content is
one piece, every word from the content's first word to the end of its sentence (stopping before the
cue and the source) is a candidate last word; a logistic regression scores each one from the words
around the cut and the cut's place in the parse, and the best candidate wins. The model is learned
from PolNeAR train by `scripts/train_quote_lexicon.py` and shipped as `data/content_end_model.json`;
without that file the rules' ends stay. Candidates lie at most `MAX_END_SHIFT` tokens either side of
the rules' end, so a run-on transcript parsed as one enormous sentence costs each quote a bounded number
of candidates, not one per word of the sentence (far beyond the training data's longest shift).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from newstrace.nlp.linear_model import LinearModel, load_linear_model
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
