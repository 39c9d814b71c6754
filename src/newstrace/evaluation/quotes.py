"""`newstrace eval quotes`: run the real pipeline over PolNeAR texts and score sources, cues and contents.

Each role is scored as spans, per document, then added up: exact (equal after trimming blanks, edge
punctuation and quotation marks) and overlap (shared characters at least half of the union, matched one
to one). A discontinuous gold span counts fragment by fragment.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from newstrace.evaluation.polnear import GoldDocument, load_split
from newstrace.evaluation.spans import Counts, SpanPair, exact_matches, overlap_matches, trim
from newstrace.identity import article_id
from newstrace.pipeline import AnalyzeSettings, ProgressListener, analyze
from newstrace.store.base import Store

ROLES = {"source": "Source", "cue": "Cue", "content": "Content"}


@dataclass
class QuoteScores:
    """Counts per role and match kind, with the size of what was scored."""

    documents: int = 0
    words: int = 0
    seconds: float = 0.0
    counts: dict[tuple[str, str], Counts] = field(default_factory=lambda: defaultdict(Counts))

    def to_dict(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "words": self.words,
            "seconds": round(self.seconds, 2),
            "scores": {
                f"{role}_{match}": {
                    "precision": c.precision,
                    "recall": c.recall,
                    "f1": c.f1,
                    "tp": c.tp,
                    "fp": c.fp,
                    "fn": c.fn,
                }
                for (role, match), c in sorted(self.counts.items())
            },
        }


def evaluate_quotes(
    gold_folder: Path, store: Store, settings: AnalyzeSettings, progress: ProgressListener | None = None
) -> QuoteScores:
    """Analyze the split's texts into `store` and score the quotes found against its annotations."""
    documents = load_split(gold_folder)
    started = time.monotonic()
    summary = analyze([str(gold_folder / "text")], store, settings, progress)
    scores = QuoteScores(documents=len(documents), seconds=time.monotonic() - started)
    scores.words = sum(int(str(row["n_words"])) for row in store.iter_rows("articles"))
    predicted = _predicted_spans(store)
    for document in documents:
        score_document(document, predicted.get(article_id(document.text), {}), scores)
    if summary.failed:
        raise RuntimeError(f"{summary.failed} gold texts could not be read: {summary.problems[:3]}")
    return scores


def _predicted_spans(store: Store) -> dict[str, dict[str, list[SpanPair]]]:
    spans: dict[str, dict[str, list[SpanPair]]] = defaultdict(lambda: defaultdict(list))
    for row in store.iter_rows("quotes"):
        found = spans[str(row["article_id"])]
        for role in ("source", "cue"):
            start, end = row[f"{role}_start"], row[f"{role}_end"]
            if isinstance(start, int) and isinstance(end, int):
                found[role].append((start, end))
        found["content"].extend(_content_pieces(row))
    return spans


def _content_pieces(row: Mapping[str, object]) -> list[SpanPair]:
    """A stored quote's content, piece by piece (the gold counts a discontinuous content the same way)."""
    pieces = json.loads(str(row.get("content_fragments") or "[]"))
    if pieces:
        return [(int(start), int(end)) for start, end in pieces]
    return [(int(str(row["content_start"])), int(str(row["content_end"])))]


def score_document(document: GoldDocument, predicted: dict[str, list[SpanPair]], scores: QuoteScores) -> None:
    """Add one document's matches to `scores`."""
    for role, gold_role in ROLES.items():
        gold = _non_empty(document.text, [f for a in document.attributions for f in a.fragments.get(gold_role, ())])
        found = _non_empty(document.text, predicted.get(role, []))
        scores.counts[(role, "exact")].add(exact_matches(found, gold), len(found), len(gold))
        scores.counts[(role, "overlap")].add(overlap_matches(found, gold), len(found), len(gold))


def _non_empty(text: str, spans: list[SpanPair]) -> list[SpanPair]:
    trimmed = [trim(text, span) for span in spans]
    return [span for span in trimmed if span[1] > span[0]]
