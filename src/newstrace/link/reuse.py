"""Text reuse: the passages two articles share, aligned word by word, with offsets in both texts.

The two word sequences are aligned with rapidfuzz's Indel opcodes (a longest-common-subsequence
alignment computed in C). Runs of equal words are joined into passages across small edits (a changed
word, an inserted adjective), and a passage counts when it holds at least `min_words` matched words.
Its similarity is the share of matched words over the longer side of the passage.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import Indel

from newstrace.link.features import Word


@dataclass(frozen=True)
class ReuseSettings:
    min_words: int = 20  # matched words a passage needs
    min_run: int = 4  # shortest run of equal words that can seed or extend a passage
    max_gap: int = 6  # edited words allowed between two runs of one passage, on either side


@dataclass(frozen=True)
class AlignedPassage:
    """A passage of `article` that reuses a passage of `source`, as character offsets in each."""

    article_start: int
    article_end: int
    source_start: int
    source_end: int
    similarity: float
    matched_words: int


@dataclass
class _Run:
    article_first: int
    article_last: int
    source_first: int
    source_last: int
    matched: int


def align_passages(
    article_words: list[Word], source_words: list[Word], settings: ReuseSettings | None = None
) -> list[AlignedPassage]:
    """The shared passages of two texts, in the order they occur in the article."""
    settings = settings or ReuseSettings()
    runs = _equal_runs(article_words, source_words, settings.min_run)
    passages: list[_Run] = []
    for run in runs:
        last = passages[-1] if passages else None
        if last and _close(last, run, settings.max_gap):
            last.article_last, last.source_last = run.article_last, run.source_last
            last.matched += run.matched
        else:
            passages.append(run)
    return [_to_passage(run, article_words, source_words) for run in passages if run.matched >= settings.min_words]


def _equal_runs(article_words: list[Word], source_words: list[Word], min_run: int) -> list[_Run]:
    opcodes = Indel.opcodes([word.text for word in article_words], [word.text for word in source_words])
    runs = []
    for opcode in opcodes:
        length = opcode.src_end - opcode.src_start
        if opcode.tag == "equal" and length >= min_run:
            runs.append(_Run(opcode.src_start, opcode.src_end - 1, opcode.dest_start, opcode.dest_end - 1, length))
    return runs


def _close(previous: _Run, following: _Run, max_gap: int) -> bool:
    article_gap = following.article_first - previous.article_last - 1
    source_gap = following.source_first - previous.source_last - 1
    return article_gap <= max_gap and source_gap <= max_gap


def _to_passage(run: _Run, article_words: list[Word], source_words: list[Word]) -> AlignedPassage:
    article_length = run.article_last - run.article_first + 1
    source_length = run.source_last - run.source_first + 1
    return AlignedPassage(
        article_start=article_words[run.article_first].start,
        article_end=article_words[run.article_last].end,
        source_start=source_words[run.source_first].start,
        source_end=source_words[run.source_last].end,
        similarity=round(run.matched / max(article_length, source_length), 4),
        matched_words=run.matched,
    )
