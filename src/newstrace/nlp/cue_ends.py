"""Where a cue ends: a learned choice between the verb the rules found and the next few words.

Annotators often count words after the verb into the cue: `called for`, `expressed concern`,
`released the following statement`, `said in a statement`. The rules take the verb with its
auxiliaries and a few measured companions; this model then looks at up to four more words and picks
where the cue ends, from the cue's lemma, the words it would take in and their place in the parse. When
the cue grows into the start of its content (`is calling for | the council to act`), the content starts
after it. The model is learned from PolNeAR train by `scripts/train_quote_lexicon.py` and shipped as
`data/cue_end_model.json`; without that file the rules' cues stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from newstrace.nlp.linear_model import LinearModel, load_linear_model

CUE_END_MODEL_FILE = Path(__file__).parent / "data" / "cue_end_model.json"
MAX_EXTRA_WORDS = 4


@dataclass(frozen=True)
class CueEndCandidates:
    """The cue's head word, and the words its end may fall on: its own last word first."""

    root: Any
    words: list[Any]
    content_start: int  # character offset


@lru_cache(maxsize=1)
def cue_end_model() -> LinearModel | None:
    """The shipped model, or None when only the rules are available."""
    return load_linear_model(CUE_END_MODEL_FILE)


def cue_end_candidates(
    doc: Any, cue: tuple[int, int], content: tuple[int, int], source_start: int | None, may_enter_content: bool
) -> CueEndCandidates | None:
    """The cue's last word and up to `MAX_EXTRA_WORDS` words after it in its sentence, stopping at
    punctuation, at the source, and at the content unless `may_enter_content` (a one-piece content right
    after the cue); never the content's last word."""
    span = doc.char_span(*cue, alignment_mode="expand")
    if span is None or not len(span):
        return None
    last = span[-1]
    source_after = source_start is not None and source_start >= cue[1]
    words = [last]
    for token in doc[last.i + 1 : last.sent.end]:
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
    scored = [
        (model.probability(cue_end_features(doc, candidates, word)), -index)
        for index, word in enumerate(candidates.words)
    ]
    return candidates.words[-max(scored)[1]]
