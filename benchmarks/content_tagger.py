"""Would a learned span tagger lift quote content? A diagnostic beside newstrace's own extractor.

It trains spaCy's own span model (the `ner` component with its CNN token encoder, spaCy's "efficiency"
defaults) to mark content spans, on PolNeAR train (the last 100 documents held out to pick the best
checkpoint), then scores on PolNeAR dev, content only, exact and overlap F1:

- the tagger alone;
- newstrace's extractor as shipped;
- the union: newstrace's contents plus every tagged span that overlaps none of them. This is an upper
  bound of what the tagger could add, because a tagged span has no cue or source; a real system would
  still have to find them;

and times the tagger against the spaCy pipeline newstrace parses with, per 1,000 words. The quotes
stage may add at most 10 % to the spaCy time (issue 3), and newstrace's extraction already takes
about 6 %. Training takes about five minutes on two cores; nothing it writes is shipped.

    python benchmarks/content_tagger.py [--steps 3000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path
from typing import Any

from newstrace.evaluation.polnear import GoldDocument, load_split
from newstrace.evaluation.quotes import QuoteScores, score_document
from newstrace.evaluation.spans import SpanPair
from newstrace.identity import count_words
from newstrace.nlp import load_pipeline
from quotes_baseline import DEFAULT_GOLD, newstrace_spans

LABEL = "CONTENT"
HELD_OUT = 100  # train documents kept aside to pick the best checkpoint


def write_training_data(train: list[GoldDocument], folder: Path) -> tuple[Path, Path]:
    """The train split as two spaCy DocBins whose entities are the gold content pieces."""
    import spacy
    from spacy.tokens import DocBin
    from spacy.util import filter_spans

    blank = spacy.blank("en")
    docs = []
    for document in train:
        doc = blank.make_doc(document.text)
        pieces = [
            doc.char_span(start, end, label=LABEL, alignment_mode="expand")
            for gold in document.attributions
            for start, end in gold.fragments.get("Content", ())
        ]
        doc.ents = filter_spans([piece for piece in pieces if piece is not None and len(piece)])
        docs.append(doc)
    paths = folder / "train.spacy", folder / "held_out.spacy"
    DocBin(docs=docs[:-HELD_OUT]).to_disk(paths[0])
    DocBin(docs=docs[-HELD_OUT:]).to_disk(paths[1])
    return paths


def train_tagger(train_path: Path, held_out_path: Path, folder: Path, steps: int) -> Any:
    """Train spaCy's `ner` on the content pieces with its efficiency defaults; the best checkpoint."""
    import spacy
    from spacy.cli.init_config import init_config
    from spacy.cli.train import train

    config = init_config(lang="en", pipeline=["ner"], optimize="efficiency")
    config_path = folder / "config.cfg"
    config.to_disk(config_path)
    overrides = {
        "paths.train": str(train_path),
        "paths.dev": str(held_out_path),
        "training.max_steps": steps,
        "training.seed": 0,
    }
    train(config_path, folder / "model", overrides=overrides)
    return spacy.load(folder / "model" / "model-best")


def tagged_pieces(tagger: Any, texts: list[str]) -> list[list[SpanPair]]:
    return [[(span.start_char, span.end_char) for span in doc.ents] for doc in tagger.pipe(texts)]


def union(ours: list[SpanPair], tagged: list[SpanPair]) -> list[SpanPair]:
    """Our pieces plus the tagged pieces that overlap none of ours by a fifth of their union."""
    return ours + [piece for piece in tagged if all(_overlap_share(piece, mine) < 0.2 for mine in ours)]


def _overlap_share(first: SpanPair, second: SpanPair) -> float:
    shared = min(first[1], second[1]) - max(first[0], second[0])
    spread = max(first[1], second[1]) - min(first[0], second[0])
    return max(shared, 0) / spread if spread else 0.0


def content_f1(documents: list[GoldDocument], pieces: list[list[SpanPair]]) -> str:
    scores = QuoteScores(documents=len(documents))
    for document, predicted in zip(documents, pieces, strict=True):
        score_document(document, {"source": [], "cue": [], "content": predicted}, scores)
    exact, overlap = scores.counts[("content", "exact")], scores.counts[("content", "overlap")]
    return f"exact {exact.f1:.3f} (P {exact.precision:.3f} R {exact.recall:.3f}), overlap {overlap.f1:.3f}"


def seconds_per_thousand_words(pipe: Any, texts: list[str], words: int) -> float:
    started = time.perf_counter()
    for _ in pipe(texts):
        pass
    return 1e6 * (time.perf_counter() - started) / words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="the split to score (default: dev)")
    parser.add_argument("--steps", type=int, default=3000, help="training steps (default: 3000)")
    parser.add_argument("--keep", type=Path, help="keep the data, config and model in this folder")
    args = parser.parse_args()
    dev = load_split(args.gold)
    train = load_split(args.gold.parent / "train")
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        tagger = train_tagger(*write_training_data(train, folder), folder, args.steps)
    texts = [document.text for document in dev]
    words = sum(count_words(text) for text in texts)
    nlp = load_pipeline()
    ours = [newstrace_spans(doc)["content"] for doc in nlp.pipe(texts)]
    tagged = tagged_pieces(tagger, texts)
    print(f"{len(dev)} documents of {args.gold}, content F1")
    print(f"  tagger alone:              {content_f1(dev, tagged)}")
    print(f"  newstrace as shipped:      {content_f1(dev, ours)}")
    print(f"  union (upper bound):       {content_f1(dev, [union(o, t) for o, t in zip(ours, tagged, strict=True)])}")
    spacy_time = seconds_per_thousand_words(nlp.pipe, texts, words)
    tagger_time = seconds_per_thousand_words(tagger.pipe, texts, words)
    print(f"time per 1,000 words: spaCy pipeline {spacy_time:.1f} ms, tagger {tagger_time:.1f} ms "
          f"({100 * tagger_time / spacy_time:.0f} % of the spaCy time)")  # fmt: skip


if __name__ == "__main__":
    main()
