"""Character spans of a document's text, shared by the attribution rules and the learned boundaries.

Lookups here are binary searches over spans in text order, so each costs the logarithm of the
document's size, not its size: a long transcript holds thousands of quotations and quotes, and a scan
over all of them for each quote made the quotes stage quadratic. A document's text is read once per
`Doc` for every stage (`document_text`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

_TEXT_KEY = "newstrace.text"


def document_text(doc: Any) -> str:
    """The document's text, built once per `Doc`: spaCy's `Doc.text` joins every token on each call, and
    each stage reads the text (the events stage once per phrase, which made it quadratic on long texts)."""
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return str(text)


def remember_text(doc: Any, text: str) -> None:
    """Keep `text`, the string `doc` was parsed from, as its text: spaCy's tokenizer loses no character,
    so the two are equal, and no stage needs to join the tokens again."""
    doc.user_data[_TEXT_KEY] = text


@dataclass(frozen=True)
class Span:
    """A character span of the document."""

    start: int
    end: int


def containing(position: int, quotations: Sequence[Span]) -> Span | None:
    """The quotation `position` falls strictly inside (not on its opening or closing mark), or None.

    `quotations` are in text order and do not overlap, as `find_quotations` gives them."""
    index = bisect_left(quotations, position, key=lambda quotation: quotation.start) - 1
    if index >= 0 and position < quotations[index].end:
        return quotations[index]
    return None


def is_inside(position: int, quotations: Sequence[Span]) -> bool:
    """`position` falls strictly inside one of the quotations (not on its opening or closing mark)."""
    return containing(position, quotations) is not None


def first_starting_at_or_after(position: int, spans: Sequence[Span]) -> int:
    """The index of the first of `spans` (in text order) that starts at or after `position`."""
    return bisect_left(spans, position, key=lambda span: span.start)


def spans_within(outer: Span, spans: Sequence[Span]) -> list[Span]:
    """The spans (in text order, not overlapping) that lie wholly inside `outer`."""
    found: list[Span] = []
    for index in range(first_starting_at_or_after(outer.start, spans), len(spans)):
        span = spans[index]
        if span.start >= outer.end:
            break
        if span.end <= outer.end:
            found.append(span)
    return found


class Coverage:
    """The text some spans cover, merged, to ask whether a span overlaps any of them."""

    def __init__(self, spans: Sequence[Span]) -> None:
        self._merged: list[Span] = []
        for span in sorted((span for span in spans if span.end > span.start), key=lambda span: span.start):
            if self._merged and span.start <= self._merged[-1].end:
                self._merged[-1] = Span(self._merged[-1].start, max(self._merged[-1].end, span.end))
            else:
                self._merged.append(span)

    def overlaps(self, span: Span) -> bool:
        """`span` shares at least one character with the covered text."""
        index = first_starting_at_or_after(span.end, self._merged) - 1
        return index >= 0 and self._merged[index].end > span.start


class SentenceIndex:
    """Where each sentence of a parsed document starts and ends, found once.

    spaCy walks a token's whole sentence on every `token.sent`, which made every lookup in a one-sentence
    transcript cost the length of the transcript."""

    def __init__(self, doc: Any) -> None:
        self._doc = doc
        self._starts = [sentence.start for sentence in doc.sents]

    @property
    def starts(self) -> list[int]:
        """The first token of every sentence, in order."""
        return self._starts

    def bounds(self, token_index: int) -> tuple[int, int]:
        """The first token of the sentence holding `token_index`, and the token after its last one."""
        number = bisect_right(self._starts, token_index) - 1
        end = self._starts[number + 1] if number + 1 < len(self._starts) else len(self._doc)
        return self._starts[number], end

    def start(self, token_index: int) -> int:
        return self.bounds(token_index)[0]

    def end(self, token_index: int) -> int:
        return self.bounds(token_index)[1]

    def characters(self, token_index: int) -> Span:
        """The sentence holding `token_index` as a character span (spaCy's `start_char`, `end_char`)."""
        start, end = self.bounds(token_index)
        last = self._doc[end - 1]
        return Span(self._doc[start].idx, last.idx + len(last))
