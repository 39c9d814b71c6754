"""Learn newstrace's cue lexicon from the PolNeAR train split, reproducibly.

For every lemma and part of speech the parser produces (`state/VERB`), count how often such a token
heads a gold cue and how often it occurs at all, and how the gold content and source attach to it in
the dependency parse: as a child with some relation, through a preposition, or as the clause the cue
is a parenthetical in; then, for each lemma, how often a token where those relations lead to content
heads a gold cue (the precision of taking it as a cue). The result is `src/newstrace/nlp/data/quote_lexicon.json`, which
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
from newstrace.nlp.quotes import attachment, find_quotations, follow, is_inside, lexicon_key, usable_links

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
    docs = list(nlp.pipe((document.text for document in documents), n_process=args.workers, batch_size=16))
    cue_heads: list[set[int]] = []
    for number, (document, doc) in enumerate(zip(documents, docs, strict=True), start=1):
        cue_heads.append(set())
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
            cue_heads[-1].add(cue.i)
            for role, links in (("Content", content_links), ("Source", source_links)):
                fragments = attribution.fragments.get(role)
                target = _root(doc, *fragments[0]) if fragments else None
                links[lemma][attachment(cue, target) if target is not None else "none"] += 1
        if number % 100 == 0:
            print(f"{number}/{len(documents)} documents")
    candidates, candidate_cues = _count_candidates(docs, cue_heads, content_links)
    lexicon = {
        lemma: {
            "cues": count,
            "occurrences": occurrences[lemma],
            "candidates": candidates[lemma],
            "candidate_cues": candidate_cues[lemma],
            "content": dict(content_links[lemma].most_common()),
            "source": dict(source_links[lemma].most_common()),
        }
        for lemma, count in sorted(cues.items())
        if count >= MIN_CUES
    }
    OUTPUT.write_text(json.dumps(lexicon, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(lexicon)} cue lemmas to {OUTPUT}")


def _count_candidates(
    docs: list[Any], cue_heads: list[set[int]], content_links: dict[str, Counter[str]]
) -> tuple[Counter[str], Counter[str]]:
    """For each lemma: the tokens where the extractor would find content (outside quotations), and how
    many of those head a gold cue. Their ratio is the precision of treating the lemma as a cue."""
    usable = {lemma: usable_links(dict(links)) for lemma, links in content_links.items()}
    candidates: Counter[str] = Counter()
    candidate_cues: Counter[str] = Counter()
    for doc, heads in zip(docs, cue_heads, strict=True):
        quotations = find_quotations(doc.text)
        for token in doc:
            links = usable.get(lexicon_key(token))
            if not links or is_inside(token.idx, quotations):
                continue
            if any(follow(token, link) is not None for link in links):
                candidates[lexicon_key(token)] += 1
                candidate_cues[lexicon_key(token)] += token.i in heads
    return candidates, candidate_cues


if __name__ == "__main__":
    main()
