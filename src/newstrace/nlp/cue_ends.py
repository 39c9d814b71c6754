"""Where a cue starts and ends: learned choices around the verb the rules found.

Annotators often count words after the verb into the cue: `called for`, `expressed concern`,
`released the following statement`, `said in a statement`. The rules take the verb with its
auxiliaries and a few measured companions; this model then looks at up to four more words and picks
where the cue ends, from the cue's lemma, the words it would take in and their place in the parse. When
the cue grows into the start of its content (`is calling for | the council to act`), the content starts
after it. A second model then moves the cue's start: up to three words earlier (`had last month
charged`) or past a leading word of its own (`also said` -> `said`). Both are learned from PolNeAR train
by `scripts/train_quote_lexicon.py` and shipped as `data/cue_end_model.json` and
`data/cue_start_model.json`; without those files the rules' cues stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from newstrace.nlp.linear_model import LinearModel, load_linear_model
from newstrace.nlp.spans import SentenceIndex

CUE_END_MODEL_FILE = Path(__file__).parent / "data" / "cue_end_model.json"
CUE_START_MODEL_FILE = Path(__file__).parent / "data" / "cue_start_model.json"
MAX_EXTRA_WORDS = 4
MAX_EARLIER_WORDS = 3


@dataclass(frozen=True)
class CueEndCandidates:
    """The cue's head word, and the words its end may fall on: its own last word first."""

    root: Any
    words: list[Any]
    content_start: int  # character offset


@dataclass(frozen=True)
class CueStartCandidates:
    """The cue's head word, its first word, and the words its start may fall on: the first word, up to
    `MAX_EARLIER_WORDS` words before it, then the cue's own later words up to its head."""

    root: Any
    first: Any
    words: list[Any]


@lru_cache(maxsize=1)
def cue_end_model() -> LinearModel | None:
    """The shipped model, or None when only the rules are available."""
    return load_linear_model(CUE_END_MODEL_FILE)


@lru_cache(maxsize=1)
def cue_start_model() -> LinearModel | None:
    """The shipped model, or None when only the rules are available."""
    return load_linear_model(CUE_START_MODEL_FILE)


def cue_end_candidates(
    doc: Any,
    cue: tuple[int, int],
    content: tuple[int, int],
    source_start: int | None,
    may_enter_content: bool,
    sentences: SentenceIndex | None = None,
) -> CueEndCandidates | None:
    """The cue's last word and up to `MAX_EXTRA_WORDS` words after it in its sentence, stopping at
    punctuation, at the source, and at the content unless `may_enter_content` (a one-piece content right
    after the cue); never the content's last word. Pass the document's `sentences` when calling this for
    many quotes of one document."""
    span = doc.char_span(*cue, alignment_mode="expand")
    if span is None or not len(span):
        return None
    last = span[-1]
    source_after = source_start is not None and source_start >= cue[1]
    words = [last]
    for token in doc[last.i + 1 : (sentences or SentenceIndex(doc)).end(last.i)]:
        if len(words) > MAX_EXTRA_WORDS or token.is_space or token.is_punct:
            break
        if source_after and token.idx >= source_start:  # `said | Holm`
            break
        if (token.idx >= content[0] and not may_enter_content) or token.idx + len(token) >= content[1]:
            break
        words.append(token)
    return CueEndCandidates(span.root, words, content[0]) if len(words) > 1 else None


def cue_end_features(doc: Any, candidates: CueEndCandidates, last: Any) -> list[str]:
    """What the model knows of ending the cue on `last`: how many words it takes in, which, and what
    follows."""
    lemma = candidates.root.lemma_.lower()
    base = candidates.words[0]
    extra = doc[base.i + 1 : last.i + 1]
    following = doc[last.i + 1] if last.i + 1 < len(doc) else None
    next_word = _word_class(following) if following is not None else "</s>"
    next_dep = following.dep_ if following is not None else ""
    features = [f"k={len(extra)}", f"k+cue={lemma}|{len(extra)}"]
    if not len(extra):
        return [*features, "stop", f"stop_next={next_word}", f"stop_next_dep={next_dep}"]
    first = extra[0]
    return [
        *features,
        f"into={extra[-1].idx >= candidates.content_start}",
        f"ext={'_'.join(_word_class(token) for token in extra)}",
        f"extdeps={'_'.join(token.dep_ for token in extra)}",
        f"cue+ext={lemma}|{'_'.join(token.lower_ for token in extra)}",
        f"cue+first={lemma}|{_word_class(first)}",
        f"first_dep={first.dep_}|{'child' if first.head.i == candidates.root.i else 'other'}",
        f"next={next_word}",
        f"next_dep={next_dep}",
        f"closed={last.right_edge.i == last.i}",
    ]


def _word_class(token: Any) -> str:
    """A function word as itself, any other word as its part of speech."""
    return str(token.lower_) if token.is_stop else str(token.pos_)


def best_cue_end(doc: Any, candidates: CueEndCandidates, model: LinearModel) -> Any:
    """The candidate last word the model scores highest (the rules' own end when it ties)."""
    return model.most_probable(candidates.words, lambda word: cue_end_features(doc, candidates, word))


def cue_start_candidates(
    doc: Any, cue: tuple[int, int], floor: int, sentences: SentenceIndex | None = None
) -> CueStartCandidates | None:
    """Where the cue `cue` (character offsets) may start: earlier words of its sentence down to `floor`
    (the end of a source or content before it), stopping at punctuation, and its own words up to its head.
    Pass the document's `sentences` when calling this for many quotes of one document."""
    span = doc.char_span(*cue, alignment_mode="expand")
    if span is None or not len(span):
        return None
    first, root = span[0], span.root
    earlier: list[Any] = []
    sentence_start = (sentences or SentenceIndex(doc)).start(first.i)
    for token in reversed(doc[max(sentence_start, first.i - MAX_EARLIER_WORDS - 1) : first.i]):
        if len(earlier) == MAX_EARLIER_WORDS or token.is_punct or token.is_space or token.idx < floor:
            break
        earlier.append(token)
    later = [token for token in span[1:] if token.i <= root.i and not token.is_punct]
    words = [first, *earlier, *later]
    return CueStartCandidates(root, first, words) if len(words) > 1 else None


def cue_start_features(doc: Any, candidates: CueStartCandidates, start: Any) -> list[str]:
    """What the model knows of starting the cue at `start`: how many words it gains or drops, which, and
    the word before."""
    lemma = candidates.root.lemma_.lower()
    first = candidates.first
    shift = first.i - start.i
    before = doc[start.i - 1] if start.i > 0 else None
    features = [
        f"k={shift}",
        f"k+cue={lemma}|{shift}",
        f"prev={_word_class(before) if before is not None else '<s>'}",
        f"prev_dep={before.dep_ if before is not None else ''}",
    ]
    if shift == 0:
        return [*features, f"first={_word_class(first)}", f"first_dep={first.dep_}"]
    words = doc[start.i : first.i] if shift > 0 else doc[first.i : start.i]
    kind = "ext" if shift > 0 else "drop"
    return [
        *features,
        f"{kind}={'_'.join(_word_class(token) for token in words)}",
        f"{kind}deps={'_'.join(token.dep_ for token in words)}",
        f"cue+{kind}={lemma}|{'_'.join(token.lower_ for token in words)}",
    ]


def best_cue_start(doc: Any, candidates: CueStartCandidates, model: LinearModel) -> Any:
    """The candidate first word the model scores highest (the rules' own start when it ties)."""
    return model.most_probable(candidates.words, lambda word: cue_start_features(doc, candidates, word))
