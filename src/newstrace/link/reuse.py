"""Text reuse: the passages two articles share, aligned word by word, with offsets in both texts.

The two word sequences are aligned with rapidfuzz's Indel opcodes (a longest-common-subsequence
alignment computed in C). Each text is first encoded as a string with one character per word
(`WordCodes`), so rapidfuzz compares characters instead of hashing words, and a linker can keep
thousands of encoded texts at a few bytes a word. Runs of equal words are joined into passages
across small edits (a changed word, an inserted adjective), and a passage counts when it holds at least
`min_words` matched words. Its similarity is the share of matched words over the longer side of the
passage.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

from rapidfuzz.distance import Indel

from newstrace.link.features import word_offsets, word_texts

_SURROGATES = range(0xD800, 0xE000)  # code points a Python string may not hold alone
_CODE_POINTS = 0x110000 - len(_SURROGATES)


class EncodedText:
    """An article's words as one character each. Their offsets are read from the text the first time
    a passage needs them: most texts share no passage with the texts they are aligned with."""

    __slots__ = ("_offsets", "codes", "text")

    def __init__(self, codes: str, text: str) -> None:
        self.codes = codes
        self.text = text
        self._offsets: tuple[array[int], array[int]] | None = None

    def start(self, word: int) -> int:
        return self._word_offsets()[0][word]

    def end(self, word: int) -> int:
        return self._word_offsets()[1][word]

    def _word_offsets(self) -> tuple[array[int], array[int]]:
        if self._offsets is None:
            self._offsets = word_offsets(self.text)
        return self._offsets


class WordCodes:
    """One character per distinct word, so two texts align as two strings.

    Past 1.1 million distinct words the codes wrap around and two words may share one; a passage needs
    runs of several equal words in a row, so a stray equality does not make one."""

    def __init__(self) -> None:
        self._codes: dict[str, str] = {}

    def encode(self, text: str, tokens: list[str] | None = None) -> EncodedText:
        """`text` encoded; `tokens` are its `word_texts` when the caller has them already."""
        tokens = word_texts(text) if tokens is None else tokens
        codes = self._codes
        for token in dict.fromkeys(tokens):  # new words get codes in order of first appearance
            if token not in codes:
                codes[token] = _character(len(codes))
        return EncodedText("".join(map(codes.__getitem__, tokens)), text)


def _character(number: int) -> str:
    point = number % _CODE_POINTS
    return chr(point + len(_SURROGATES) if point >= _SURROGATES.start else point)


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
    article_words: EncodedText, source_words: EncodedText, settings: ReuseSettings | None = None
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


def _equal_runs(article_words: EncodedText, source_words: EncodedText, min_run: int) -> list[_Run]:
    opcodes = Indel.opcodes(article_words.codes, source_words.codes)
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


def _to_passage(run: _Run, article_words: EncodedText, source_words: EncodedText) -> AlignedPassage:
    article_length = run.article_last - run.article_first + 1
    source_length = run.source_last - run.source_first + 1
    return AlignedPassage(
        article_start=article_words.start(run.article_first),
        article_end=article_words.end(run.article_last),
        source_start=source_words.start(run.source_first),
        source_end=source_words.end(run.source_last),
        similarity=round(run.matched / max(article_length, source_length), 4),
        matched_words=run.matched,
    )
