"""newstrace's quote extraction against textacy's `direct_quotations`, side by side on PolNeAR dev.

Both systems read the same spaCy parses of the same texts and are scored the same way as
`newstrace eval quotes` (exact and overlap span P/R/F1 for source, cue and content). Time is the
extraction time per 1,000 words on top of the shared parse, which is reported separately.

    pip install -e ".[bench]"
    python benchmarks/quotes_baseline.py [--gold ../shared/data/polnear/dev]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newstrace.evaluation.polnear import GoldDocument, load_split
from newstrace.evaluation.quotes import QuoteScores, score_document
from newstrace.evaluation.spans import SpanPair
from newstrace.identity import count_words
from newstrace.nlp import load_pipeline
from newstrace.nlp.quotes import extract_quotes

REPO = Path(__file__).resolve().parent.parent
DEFAULT_GOLD = REPO.parent / "shared" / "data" / "polnear" / "dev"

Predicted = dict[str, list[SpanPair]]
TEXTACY_REFUSED: list[Any] = []


def newstrace_spans(doc: Any) -> Predicted:
    spans: Predicted = {"source": [], "cue": [], "content": []}
    for quote in extract_quotes(doc):
        if quote.source:
            spans["source"].append((quote.source.start, quote.source.end))
        spans["cue"].append((quote.cue.start, quote.cue.end))
        spans["content"].extend((piece.start, piece.end) for piece in quote.content_fragments)
    return spans


def textacy_spans(doc: Any) -> Predicted:
    from textacy.extract.triples import direct_quotations

    spans: Predicted = {"source": [], "cue": [], "content": []}
    try:
        triples = list(direct_quotations(doc))
    except ValueError:  # textacy refuses documents with an odd number of quotation marks
        TEXTACY_REFUSED.append(doc)
        return spans
    for triple in triples:
        for role, tokens in (("source", triple.speaker), ("cue", triple.cue)):
            if tokens:
                spans[role].append((min(t.idx for t in tokens), max(t.idx + len(t) for t in tokens)))
        spans["content"].append((triple.content.start_char, triple.content.end_char))
    return spans


def run(name: str, extract: Callable[[Any], Predicted], documents: list[Any], docs: list[Any]) -> QuoteScores:
    scores = QuoteScores(documents=len(documents))
    started = time.perf_counter()
    predictions = [extract(doc) for doc in docs]
    scores.seconds = time.perf_counter() - started
    for document, predicted in zip(documents, predictions, strict=True):
        score_document(document, predicted, scores)
    return scores


def parsed_split(folder: Path) -> tuple[list[GoldDocument], list[Any], float]:
    """The split's gold documents, their spaCy parses, and the seconds the parsing took."""
    documents = load_split(folder)
    nlp = load_pipeline()
    started = time.perf_counter()
    docs = list(nlp.pipe(document.text for document in documents))
    return documents, docs, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    args = parser.parse_args()
    documents, docs, parse_seconds = parsed_split(args.gold)
    words = sum(count_words(document.text) for document in documents)
    print(f"{len(documents)} documents, {words} words; spaCy parse {1e6 * parse_seconds / words:.1f} ms/1,000 words")
    results = {"newstrace": run("newstrace", newstrace_spans, documents, docs)}
    try:
        results["textacy"] = run("textacy", textacy_spans, documents, docs)
        print(f"textacy refused {len(TEXTACY_REFUSED)} documents (unbalanced quotation marks): scored as empty")
    except ImportError:
        print("textacy is not installed: pip install -e '.[bench]'")
    print(f"{'system':10} {'role':8} {'exact P':>8} {'exact R':>8} {'exact F1':>9} {'ovl F1':>7} {'ms/1k words':>12}")
    for name, scores in results.items():
        for role in ("source", "cue", "content"):
            exact, overlap = scores.counts[(role, "exact")], scores.counts[(role, "overlap")]
            per_thousand = 1000 * 1000 * scores.seconds / words
            print(
                f"{name:10} {role:8} {exact.precision:8.3f} {exact.recall:8.3f} {exact.f1:9.3f} "
                f"{overlap.f1:7.3f} {per_thousand:12.2f}"
            )


if __name__ == "__main__":
    main()
