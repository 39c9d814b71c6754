"""A rendering on the trail page as its outlet printed it, with the word diff's changes marked on it.

The stored diff compares normalised words (lower case, no punctuation, the quote's pieces joined); the
page shows the quote's own text from the article instead (from its first piece to its last, by their
offsets), each diff step laid over the printed words it covers. Words the diff does not hold (a "he
said" between two quoted pieces) are shown unmarked. What a cut or a substitution took away is shown in
the canonical text's printed words too, never in the normalised form the matching used."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from newstrace.link.trails import word_spans, words

Segment = dict[str, str]  # {"op": kept|inserted|substituted|cut|aside, "text": printed, "canonical": words cut}
_Token = tuple[int, int, str]  # start, end, the printed word
CUT_APART = " … "  # between the printed runs of one step's canonical words that the text holds apart


def in_pieces(rendering: Mapping[str, object]) -> bool:
    """The rendering's diff holds more words than its quote's one content span: the quote comes in pieces
    (`"A," she said, "B."`, a partial quote inside reported speech), to be read from the article."""
    diff = rendering["diff"]
    assert isinstance(diff, list)
    return " ".join(step["rendering"] for step in diff if step["rendering"]).split() != words(
        str(rendering["content_text"])
    )


def printed_text(content_text: str, pieces: Sequence[Sequence[int]], article_text: str | None) -> str:
    """A quote as its article printed it: the text from its first content piece to its last (a quote
    the cue interrupts, `"A," she said, "B."`, with the words between), else its one content span."""
    if not article_text or not pieces:
        return content_text
    start, end = min(piece[0] for piece in pieces), max(piece[1] for piece in pieces)
    if not 0 <= start < end <= len(article_text):
        return content_text
    return article_text[start:end]


def printed_segments(
    printed: str, diff: Sequence[dict[str, str]], canonical_printed: str | None = None
) -> list[Segment] | None:
    """`printed` cut into segments: each run of printed words a diff step covers (with the punctuation
    between them), each cut as an empty segment where it falls, and the text between, unmarked; None
    when the diff's words are not the printed text's (a diff stored from other text). Each segment's
    `canonical` (what a cut or substitution replaced) is read from `canonical_printed`, the canonical
    text as printed, when its words are the diff's; else it is the diff's own words."""
    runs = _runs(word_spans(printed), diff, _canonical_as_printed(canonical_printed, diff))
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


def _canonical_as_printed(canonical_printed: str | None, diff: Sequence[dict[str, str]]) -> list[str]:
    """Each diff step's canonical words as `canonical_printed` prints them (case, punctuation between
    them); the diff's normalised words for every step when the printed text does not hold them."""
    normalised = [step["canonical"] for step in diff]
    if canonical_printed is None:
        return normalised
    tokens = word_spans(canonical_printed)
    found: list[str] = []
    index = 0
    for step in diff:
        wanted = step["canonical"].split()
        if not wanted:
            found.append("")
            continue
        indices = _indices_of(tokens, index, wanted)
        if indices is None:
            return normalised
        runs = [canonical_printed[tokens[first][0] : tokens[last][1]] for first, last in _consecutive(indices)]
        found.append(CUT_APART.join(runs))
        index = indices[-1] + 1
    return found


def _runs(
    tokens: list[_Token], diff: Sequence[dict[str, str]], canonicals: list[str]
) -> list[tuple[str, str, int, int]] | None:
    """(op, canonical words, start, end) for each run of consecutive printed words a diff step covers,
    in order; a cut is an empty run before the next printed word. None at a word the text lacks."""
    runs: list[tuple[str, str, int, int]] = []
    index = 0
    for step, canonical in zip(diff, canonicals, strict=True):
        wanted = step["rendering"].split()
        if not wanted:
            at = tokens[index][0] if index < len(tokens) else (tokens[-1][1] if tokens else 0)
            runs.append((step["op"], canonical, at, at))
            continue
        found = _indices_of(tokens, index, wanted)
        if found is None:
            return None
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
