"""Learn newstrace's cue lexicon from the PolNeAR train split, reproducibly.

For every lemma and part of speech the parser produces (`state/VERB`), count how often such a token
heads a gold cue and how often it occurs at all, and how the gold content and source attach to it in
the dependency parse: as a child with some relation, through a preposition, or as the clause the cue
is a parenthetical in. The result is `src/newstrace/nlp/data/quote_lexicon.json`, which
`newstrace.nlp.quotes` reads.

    python scripts/train_quote_lexicon.py [--polnear ../shared/data/polnear/train]

Only the train split is used; the dev split is kept for `newstrace eval quotes`.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from newstrace.evaluation.polnear import load_split
from newstrace.nlp import load_pipeline
from newstrace.nlp.quotes import attachment, lexicon_key

REPO = Path(__file__).resolve().parent.parent
DEFAULT_TRAIN = REPO.parent / "shared" / "data" / "polnear" / "train"
OUTPUT = REPO / "src" / "newstrace" / "nlp" / "data" / "quote_lexicon.json"
MIN_CUES = 2


def _root(doc: Any, start: int, end: int) -> Any:
    span = doc.char_span(start, end, alignment_mode="expand")
    return span.root if span is not None and len(span) else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--polnear", type=Path, default=DEFAULT_TRAIN)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    documents = load_split(args.polnear)
    nlp = load_pipeline()
    occurrences: Counter[str] = Counter()
    cues: Counter[str] = Counter()
    content_links: dict[str, Counter[str]] = defaultdict(Counter)
    source_links: dict[str, Counter[str]] = defaultdict(Counter)
    docs = nlp.pipe((document.text for document in documents), n_process=args.workers, batch_size=16)
    for number, (document, doc) in enumerate(zip(documents, docs, strict=True), start=1):
        occurrences.update(lexicon_key(token) for token in doc)
        for attribution in document.attributions:
            cue_fragments = attribution.fragments.get("Cue")
            if not cue_fragments:
                continue
            cue = _root(doc, *cue_fragments[0])
            if cue is None:
                continue
            lemma = lexicon_key(cue)
            cues[lemma] += 1
            for role, links in (("Content", content_links), ("Source", source_links)):
                fragments = attribution.fragments.get(role)
                target = _root(doc, *fragments[0]) if fragments else None
                links[lemma][attachment(cue, target) if target is not None else "none"] += 1
        if number % 100 == 0:
            print(f"{number}/{len(documents)} documents")
    lexicon = {
        lemma: {
            "cues": count,
            "occurrences": occurrences[lemma],
            "content": dict(content_links[lemma].most_common()),
            "source": dict(source_links[lemma].most_common()),
        }
        for lemma, count in sorted(cues.items())
        if count >= MIN_CUES
    }
    OUTPUT.write_text(json.dumps(lexicon, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(lexicon)} cue lemmas to {OUTPUT}")


if __name__ == "__main__":
    main()
