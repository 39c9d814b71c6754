"""How far better cue decisions alone could take the quote scores: a diagnostic, not a system.

newstrace finds candidate cues with its lexicon and rules, and a logistic regression keeps some of
them. This script scores the extractor twice on the same parses of PolNeAR dev: as shipped, and with
the regression replaced by an oracle that keeps exactly the candidates whose word lies inside a gold
cue (everything else, from the candidates to the content boundaries, is unchanged). The gap between
the two rows is all that a perfect cue classifier could add; what the oracle row still misses comes
from candidates the rules never make and from content boundaries.

The oracle is put in place by patching two module attributes for the length of one run, which is
fine for a diagnostic and is not an interface of the library.

    python benchmarks/quotes_ceiling.py [--gold ../shared/data/polnear/dev]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import newstrace.nlp.quotes as quotes_module
from newstrace.evaluation.polnear import GoldDocument
from quotes_baseline import DEFAULT_GOLD, Predicted, newstrace_spans, parsed_split, run

ROLES = ("source", "cue", "content")


class OracleCueModel:
    """Stands in for the cue classifier: probability 1 for a candidate on a gold cue, else 0."""

    threshold = 0.5

    def __init__(self) -> None:
        self.gold_cues: list[tuple[int, int]] = []
        self.current_word_start = -1

    def probability(self, features: list[str]) -> float:
        inside = any(start <= self.current_word_start < end for start, end in self.gold_cues)
        return 1.0 if inside else 0.0


@contextmanager
def oracle_cues(oracle: OracleCueModel) -> Iterator[None]:
    """Route every cue decision of `extract_quotes` to `oracle` while the block runs."""
    shipped_model, shipped_rule = quotes_module.cue_model, quotes_module._from_reporting_verb

    def noting_the_word(verb: Any, parsed: Any) -> Any:
        oracle.current_word_start = verb.idx
        return shipped_rule(verb, parsed)

    quotes_module.cue_model = lambda: oracle  # type: ignore[assignment]
    quotes_module._from_reporting_verb = noting_the_word
    try:
        yield
    finally:
        quotes_module.cue_model, quotes_module._from_reporting_verb = shipped_model, shipped_rule


def oracle_extractor(documents: list[GoldDocument]) -> Callable[[Any], Predicted]:
    """`newstrace_spans` with the oracle deciding every cue, told the gold cues of each text."""
    oracle = OracleCueModel()
    gold_cues = {
        document.text: [span for gold in document.attributions for span in gold.fragments.get("Cue", ())]
        for document in documents
    }

    def extract(doc: Any) -> Predicted:
        oracle.gold_cues = gold_cues[doc.text]
        with oracle_cues(oracle):
            return newstrace_spans(doc)

    return extract


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    args = parser.parse_args()
    documents, docs, _ = parsed_split(args.gold)
    print(f"{len(documents)} documents of {args.gold}; F1 per role, exact / overlap")
    print(f"{'cue decisions':<28}" + "".join(f"{role:>18}" for role in ROLES))
    for name, extract in (("shipped classifier", newstrace_spans), ("oracle (gold cues)", oracle_extractor(documents))):
        counts = run(name, extract, documents, docs).counts
        cells = "".join(f"{counts[(role, 'exact')].f1:>10.3f} / {counts[(role, 'overlap')].f1:.3f}" for role in ROLES)
        print(f"{name:<28}{cells}")


if __name__ == "__main__":
    main()
