"""Span metrics: exact match after trimming, and one-to-one overlap match, as precision/recall/F1."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

# Trimmed from both ends before spans are compared: blanks, punctuation and quotation marks.
EDGE_CHARACTERS = " \t\n\r\u00a0.,;:!?\"'“”‘’«»„—–-―()[]"

SpanPair = tuple[int, int]


@dataclass
class Counts:
    """True positives, false positives and false negatives, added up over documents."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, matched: int, predicted: int, gold: int) -> None:
        self.tp += matched
        self.fp += predicted - matched
        self.fn += gold - matched

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def trim(text: str, span: SpanPair) -> SpanPair:
    """Shrink a span past blanks, punctuation and quotation marks at either end."""
    start, end = span
    while start < end and text[start] in EDGE_CHARACTERS:
        start += 1
    while end > start and text[end - 1] in EDGE_CHARACTERS:
        end -= 1
    return start, end


def exact_matches(predicted: Sequence[SpanPair], gold: Sequence[SpanPair]) -> int:
    """How many predicted spans equal a gold span, each gold span used once."""
    remaining = Counter(gold)
    matched = 0
    for span in predicted:
        if remaining[span] > 0:
            remaining[span] -= 1
            matched += 1
    return matched


def overlap_matches(predicted: Sequence[SpanPair], gold: Sequence[SpanPair]) -> int:
    """One-to-one matches where the shared characters are at least half of the pair's union.

    Pairs are taken greedily, best overlap ratio first, each span used once.
    """
    candidates = []
    for p_index, (p_start, p_end) in enumerate(predicted):
        for g_index, (g_start, g_end) in enumerate(gold):
            shared = min(p_end, g_end) - max(p_start, g_start)
            union = max(p_end, g_end) - min(p_start, g_start)
            if shared > 0 and 2 * shared >= union:
                candidates.append((shared / union, p_index, g_index))
    used_predicted: set[int] = set()
    used_gold: set[int] = set()
    for _, p_index, g_index in sorted(candidates, reverse=True):
        if p_index not in used_predicted and g_index not in used_gold:
            used_predicted.add(p_index)
            used_gold.add(g_index)
    return len(used_predicted)
