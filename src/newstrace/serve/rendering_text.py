"""A rendering on the trail page as its outlet printed it, with the word diff's changes marked on it.

The stored diff compares normalised words (lower case, no punctuation, the quote's pieces joined); the
page shows the quote's own text from the article instead, each diff step laid over the printed words it
covers. Words the diff does not hold (a "he said" between two quoted pieces) are shown unmarked."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from newstrace.link.trails import _WORD, words

Segment = dict[str, str]  # {"op": kept|inserted|substituted|cut|aside, "text": printed, "canonical": words cut}


def printed_segments(printed: str, diff: Sequence[dict[str, str]]) -> list[Segment] | None:
    """`printed` cut into segments: each run of printed words a diff step covers (with the punctuation
    between them), each cut as an empty segment where it falls, and the text between, unmarked; None
    when the diff's words are not the printed text's (a diff stored from other text)."""
    tokens = [(match.start(), match.end(), match.group()) for match in _WORD.finditer(printed)]
    runs = _runs(tokens, diff)
    if runs is None:
        return None
    segments: list[Segment] = []
    position = 0
    for op, canonical, start, end in runs:
        if start > position:
            segments.append({"op": "aside", "text": printed[position:start], "canonical": ""})
        segments.append({"op": op, "text": printed[start:end], "canonical": canonical})
        position = max(position, end)
    if position < len(printed):
        segments.append({"op": "aside", "text": printed[position:], "canonical": ""})
    return segments


_Token = tuple[int, int, str]  # start, end, the printed word


def _runs(tokens: list[_Token], diff: Sequence[dict[str, str]]) -> list[tuple[str, str, int, int]] | None:
    """(op, canonical words, start, end) for each run of consecutive printed words a diff step covers,
    in order; a cut is an empty run before the next printed word. None at a word the text lacks."""
    runs: list[tuple[str, str, int, int]] = []
    index = 0
    for step in diff:
        wanted = step["rendering"].split()
        if not wanted:
            at = tokens[index][0] if index < len(tokens) else (tokens[-1][1] if tokens else 0)
            runs.append((step["op"], step["canonical"], at, at))
            continue
        found = _indices_of(tokens, index, wanted)
        if found is None:
            return None
        canonical = step["canonical"]
        for first, last in _consecutive(found):
            runs.append((step["op"], canonical, tokens[first][0], tokens[last][1]))
            canonical = ""  # what a substitution replaced is shown once, before its first run
        index = found[-1] + 1
    return runs


def _indices_of(tokens: list[_Token], index: int, wanted: list[str]) -> list[int] | None:
    """The printed words that are `wanted`, read in order from `index` and skipping printed words the
    diff does not hold ("he said" between two quoted pieces), or None when a wanted word is not there."""
    found: list[int] = []
    for word in wanted:
        while index < len(tokens) and words(tokens[index][2]) != [word]:
            index += 1
        if index == len(tokens):
            return None
        found.append(index)
        index += 1
    return found


def _consecutive(indices: list[int]) -> Iterator[tuple[int, int]]:
    """Runs of consecutive indices as (first, last): [3, 4, 5, 8, 9] gives (3, 5) and (8, 9)."""
    first = previous = indices[0]
    for index in indices[1:]:
        if index != previous + 1:
            yield first, previous
            first = index
        previous = index
    yield first, previous
