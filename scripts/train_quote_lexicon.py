"""Learn newstrace's cue lexicon from the PolNeAR train split, reproducibly.

For every lemma and part of speech the parser produces (`state/VERB`), count how often such a token
heads a gold cue and how often it occurs at all, and how the gold content and source attach to it in
the dependency parse: as a child with some relation, through a preposition, or as the clause the cue
is a parenthetical in; then, for each lemma, how often a token where those relations lead to content
heads a gold cue (the precision of taking it as a cue). The result is `src/newstrace/nlp/data/quote_lexicon.json`, which
`newstrace.nlp.quotes` reads. Last, a logistic regression learns which candidate tokens really are
cues from their parse context (`cue_features`), saved as `cue_model.json`; and a second one learns
where content ends (`nlp/content_ends.py`) from the quotes the new lexicon and classifier find, saved as
`content_end_model.json`; then a third learns where cues end (`nlp/cue_ends.py`) from the quotes
those give, saved as `cue_end_model.json`, and a fourth where they start, `cue_start_model.json`.
scikit-learn is needed only here, at training time.

    python scripts/train_quote_lexicon.py [--polnear ../shared/data/polnear/train] [--out-dir DIR]
        [--parse-cache DIR]

The same train split gives the same five files, byte for byte (a test checks the shipped ones).
With `--parse-cache` (as `newstrace analyze --parse-cache`), the texts parsed before with the same
pipeline are read back from that folder instead of parsed, and the others are added to it; the test
reads the parses of its PolNeAR analysis that way. Texts whose datelines `analyze` masked differ from
the raw files this script parses, so those are parsed here.

Only the train split is used; the dev split is kept for `newstrace eval quotes`.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from newstrace.evaluation.polnear import load_split
from newstrace.evaluation.spans import trim
from newstrace.nlp import content_ends, cue_ends, load_pipeline, quotes
from newstrace.nlp.content_ends import end_features
from newstrace.nlp.cue_ends import cue_end_features, cue_start_features
from newstrace.nlp.parse_cache import ParseCache, parse
from newstrace.nlp.quotes import (
    MIN_CUE_COUNT,
    FoundQuote,
    Parsed,
    attachment,
    content_end_choices,
    content_link,
    cue_end_choices,
    cue_features,
    cue_start_choices,
    lexicon_key,
    refine,
    rule_quotes,
    usable_links,
)
from newstrace.nlp.spans import is_inside

REPO = Path(__file__).resolve().parent.parent
DEFAULT_TRAIN = REPO.parent / "shared" / "data" / "polnear" / "train"
SHIPPED = (
    quotes.LEXICON_FILE,
    quotes.CUE_MODEL_FILE,
    content_ends.CONTENT_END_MODEL_FILE,
    cue_ends.CUE_END_MODEL_FILE,
    cue_ends.CUE_START_MODEL_FILE,
)
REGULARISATION = 0.5
END_REGULARISATION = 0.3
CUE_END_REGULARISATION = 3.0  # the cue-start model uses the same
MIN_CUES = 2


def _root(doc: Any, start: int, end: int) -> Any:
    span = doc.char_span(start, end, alignment_mode="expand")
    return span.root if span is not None and len(span) else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--polnear", type=Path, default=DEFAULT_TRAIN)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--parse-cache", type=Path, default=None, help="a folder of cached parses to read and add to (optional)"
    )
    # Train on the first N documents only: to profile or compare versions of this script quickly.
    parser.add_argument("--limit", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument(
        "--out-dir", type=Path, default=SHIPPED[0].parent, help="where to write the five files (default: nlp/data)"
    )
    args = parser.parse_args()
    args.out_dir.mkdir(parents=True, exist_ok=True)
    lexicon_path, model_path, end_model_path, cue_end_path, cue_start_path = (
        args.out_dir / shipped.name for shipped in SHIPPED
    )
    documents = load_split(args.polnear)[: args.limit]
    nlp = load_pipeline()
    occurrences: Counter[str] = Counter()
    cues: Counter[str] = Counter()
    content_links: dict[str, Counter[str]] = defaultdict(Counter)
    source_links: dict[str, Counter[str]] = defaultdict(Counter)
    cache = ParseCache(args.parse_cache, nlp) if args.parse_cache else None
    texts = (document.text for document in documents)
    docs = list(parse(nlp, texts, cache, batch_size=16, n_process=args.workers))
    # What every step below reads of a document, found once: its quotations and sentences, and each
    # token's lexicon key (made from the attribute arrays, not from one `Token` object per token).
    parsed_docs = [Parsed.of(doc) for doc in docs]
    keys = [_lexicon_keys(doc) for doc in docs]
    cue_heads: list[set[int]] = []
    for number, (document, doc) in enumerate(zip(documents, docs, strict=True), start=1):
        cue_heads.append(set())
        occurrences.update(keys[number - 1])
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
    candidates, candidate_cues, found = _count_candidates(parsed_docs, keys, cue_heads, content_links)
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
    lexicon_path.write_text(json.dumps(lexicon, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(lexicon)} cue lemmas to {lexicon_path}")
    model = _train_classifier(parsed_docs, keys, found, cue_heads, lexicon)
    _write_model(model_path, model, f"cue-classifier weights (threshold {model['threshold']})")
    # The content-end model learns from the quotes that the two files just written give.
    quotes.LEXICON_FILE, quotes.CUE_MODEL_FILE = lexicon_path, model_path
    quotes.cue_lexicon.cache_clear()
    quotes.cue_model.cache_clear()
    # Each later model learns from the quotes of the one before: `refined_quotes` one step at a time.
    found_quotes = [rule_quotes(parsed) for parsed in parsed_docs]
    end_model = _train_content_ends(documents, parsed_docs, found_quotes)
    _write_model(end_model_path, end_model, "content-end weights")
    content_ends.CONTENT_END_MODEL_FILE = end_model_path  # and the cue-end model from those quotes
    content_ends.content_end_model.cache_clear()
    found_quotes = [refine(parsed, found, 0) for parsed, found in zip(parsed_docs, found_quotes, strict=True)]
    cue_end_model = _train_cue_ends(documents, parsed_docs, found_quotes)
    _write_model(cue_end_path, cue_end_model, "cue-end weights")
    cue_ends.CUE_END_MODEL_FILE = cue_end_path  # and the cue-start model from those quotes
    cue_ends.cue_end_model.cache_clear()
    found_quotes = [refine(parsed, found, 1) for parsed, found in zip(parsed_docs, found_quotes, strict=True)]
    cue_start_model = _train_cue_starts(documents, parsed_docs, found_quotes)
    _write_model(cue_start_path, cue_start_model, "cue-start weights")


def _write_model(path: Path, model: dict[str, Any], what: str) -> None:
    path.write_text(json.dumps(model, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(model['weights'])} {what} to {path}")


def _candidate_rows(
    parsed_docs: list[Parsed],
    keys: list[list[str]],
    found: list[list[tuple[int, str]]],
    cue_heads: list[set[int]],
    lexicon: dict[str, Any],
) -> tuple[list[dict[str, int]], list[bool], list[int]]:
    """Features, gold label and document number of every token the extractor would consider a cue.

    Those are the candidates `_count_candidates` found whose lemma the lexicon keeps as a candidate:
    a lexicon entry's content links are the counts `_count_candidates` followed, so its link is the same."""
    usable = {
        key
        for key, entry in lexicon.items()
        if entry["candidate_cues"] >= MIN_CUE_COUNT and usable_links(entry["content"])
    }
    rows: list[dict[str, int]] = []
    labels: list[bool] = []
    numbers: list[int] = []
    for number, (parsed, doc_keys, doc_found, heads) in enumerate(
        zip(parsed_docs, keys, found, cue_heads, strict=True)
    ):
        for index, link in doc_found:
            if doc_keys[index] in usable:
                token = parsed.doc[index]
                rows.append(dict.fromkeys(cue_features(token, link, parsed.quotations, parsed.sentences), 1))
                labels.append(index in heads)
                numbers.append(number)
    return rows, labels, numbers


def _train_classifier(
    parsed_docs: list[Parsed],
    keys: list[list[str]],
    found: list[list[tuple[int, str]]],
    cue_heads: list[set[int]],
    lexicon: dict[str, Any],
) -> dict[str, Any]:
    """Fit the cue classifier; its threshold maximises F1 on every seventh document, held out first."""
    from sklearn.linear_model import LogisticRegression

    rows, labels, numbers = _candidate_rows(parsed_docs, keys, found, cue_heads, lexicon)
    names, features = _one_hot(rows)
    held_out = [number % 7 == 0 for number in numbers]
    train_rows = [i for i, held in enumerate(held_out) if not held]
    test_rows = [i for i, held in enumerate(held_out) if held]
    model = LogisticRegression(C=REGULARISATION, max_iter=3000)
    model.fit(features[train_rows], [labels[i] for i in train_rows])
    probabilities = model.predict_proba(features[test_rows])[:, 1]
    gold = [labels[i] for i in test_rows]
    threshold = max((t / 100 for t in range(20, 80, 2)), key=lambda t: _f1(probabilities, gold, t))
    print(f"{len(rows)} candidates; held-out F1 {_f1(probabilities, gold, threshold):.3f} at threshold {threshold}")
    model.fit(features, labels)
    return {**_as_json(names, model), "threshold": threshold}


def _train_content_ends(
    documents: list[Any], parsed_docs: list[Parsed], found_quotes: list[list[FoundQuote]]
) -> dict[str, Any]:
    """Fit the content-end model on every one-piece content (of the rules' quotes, `found_quotes`) whose
    cue matches a gold cue: each word its content could end on is a row, labelled by whether gold content
    ends there."""
    rows: list[dict[str, int]] = []
    labels: list[bool] = []
    for document, parsed, found in zip(documents, parsed_docs, found_quotes, strict=True):
        text, doc = document.text, parsed.doc
        gold_ends = _gold_content_ends(document)
        for quote in found:
            ends = gold_ends.get(trim(text, (quote.cue.start, quote.cue.end)))
            candidates = content_end_choices(parsed, quote)
            if not ends or candidates is None:
                continue
            for last in candidates.candidates:
                rows.append(dict.fromkeys(end_features(doc, candidates, last, parsed.quotations), 1))
                labels.append(trim(text, (quote.content.start, last.idx + len(last)))[1] in ends)
    print(f"{len(rows)} content-end candidates, {sum(labels)} of them gold ends")
    return _fit(rows, labels, END_REGULARISATION)


def _train_cue_ends(
    documents: list[Any], parsed_docs: list[Parsed], found_quotes: list[list[FoundQuote]]
) -> dict[str, Any]:
    """Fit the cue-end model on the quotes the content-end step gives (`found_quotes`)."""
    rows, labels = _cue_bound_rows(
        documents, parsed_docs, found_quotes, cue_end_choices, cue_end_features, _cue_ending_on
    )
    print(f"{len(rows)} cue-end candidates, {sum(labels)} of them gold ends")
    return _fit(rows, labels, CUE_END_REGULARISATION)


def _train_cue_starts(
    documents: list[Any], parsed_docs: list[Parsed], found_quotes: list[list[FoundQuote]]
) -> dict[str, Any]:
    """Fit the cue-start model on the quotes the content-end and cue-end steps give (`found_quotes`)."""
    rows, labels = _cue_bound_rows(
        documents, parsed_docs, found_quotes, cue_start_choices, cue_start_features, _cue_starting_on
    )
    print(f"{len(rows)} cue-start candidates, {sum(labels)} of them gold starts")
    return _fit(rows, labels, CUE_END_REGULARISATION)


def _cue_bound_rows(
    documents: list[Any],
    parsed_docs: list[Parsed],
    found_quotes: list[list[FoundQuote]],
    choices: Any,
    features: Any,
    cue_with: Any,
) -> tuple[list[dict[str, int]], list[bool]]:
    """For every quote of `found_quotes` whose cue could be moved onto a gold cue, one row per word the
    cue could end (or start) on, labelled by whether `cue_with(quote, word)` is a gold cue."""
    rows: list[dict[str, int]] = []
    labels: list[bool] = []
    for document, parsed, found in zip(documents, parsed_docs, found_quotes, strict=True):
        text, doc = document.text, parsed.doc
        gold_cues = _gold_cues(document)
        for quote in found:
            candidates = choices(parsed, quote)
            if candidates is None:
                continue
            hits = [trim(text, cue_with(quote, word)) in gold_cues for word in candidates.words]
            if any(hits):
                rows.extend(dict.fromkeys(features(doc, candidates, word), 1) for word in candidates.words)
                labels.extend(hits)
    return rows, labels


def _cue_ending_on(quote: Any, word: Any) -> tuple[int, int]:
    return quote.cue.start, word.idx + len(word)


def _cue_starting_on(quote: Any, word: Any) -> tuple[int, int]:
    return word.idx, quote.cue.end


def _gold_cues(document: Any) -> set[tuple[int, int]]:
    """The document's gold cues, trimmed as the evaluation trims them."""
    text = document.text
    return {trim(text, cue) for attribution in document.attributions for cue in attribution.fragments.get("Cue", ())}


def _fit(rows: list[dict[str, int]], labels: list[bool], regularisation: float) -> dict[str, Any]:
    """A logistic regression over the rows' named features, as the JSON `LinearModel` reads."""
    from sklearn.linear_model import LogisticRegression

    names, features = _one_hot(rows)
    model = LogisticRegression(C=regularisation, max_iter=3000).fit(features, labels)
    return _as_json(names, model)


def _one_hot(rows: list[dict[str, int]]) -> tuple[list[str], Any]:
    """The rows' feature names, sorted, and the rows as a sparse matrix of ones over those columns: the
    matrix scikit-learn's `DictVectorizer().fit_transform(rows)` makes of rows whose values are all 1,
    made with one dictionary lookup per feature (the vectorizer's type checks on every value took most
    of the fitting steps' time)."""
    import numpy as np
    from scipy.sparse import csr_matrix

    names = sorted(set().union(*rows))
    column = {name: number for number, name in enumerate(names)}
    indices = np.fromiter((column[name] for row in rows for name in row), dtype=np.int32)
    starts = np.zeros(len(rows) + 1, dtype=np.int32)
    np.cumsum([len(row) for row in rows], out=starts[1:])
    features = csr_matrix((np.ones(len(indices)), indices, starts), shape=(len(rows), len(names)))
    features.sort_indices()
    return names, features


def _as_json(names: list[str], model: Any) -> dict[str, Any]:
    """A fitted regression as `LinearModel` reads it: the intercept and every weight not near zero."""
    weights = {
        name: round(float(weight), 4)
        for name, weight in zip(names, model.coef_[0], strict=True)
        if abs(weight) >= 0.001
    }
    return {"intercept": round(float(model.intercept_[0]), 4), "weights": weights}


def _gold_content_ends(document: Any) -> dict[tuple[int, int], set[int]]:
    """For each gold cue (trimmed as the evaluation trims it), where its content pieces end."""
    ends: dict[tuple[int, int], set[int]] = {}
    for attribution in document.attributions:
        content = {trim(document.text, piece)[1] for piece in attribution.fragments.get("Content", ())}
        for cue in attribution.fragments.get("Cue", ()):
            ends.setdefault(trim(document.text, cue), set()).update(content)
    return ends


def _f1(probabilities: Any, gold: list[bool], threshold: float) -> float:
    predicted = [p >= threshold for p in probabilities]
    tp = sum(p and g for p, g in zip(predicted, gold, strict=True))
    fp = sum(p and not g for p, g in zip(predicted, gold, strict=True))
    fn = sum(g and not p for p, g in zip(predicted, gold, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _count_candidates(
    parsed_docs: list[Parsed], keys: list[list[str]], cue_heads: list[set[int]], content_links: dict[str, Counter[str]]
) -> tuple[Counter[str], Counter[str], list[list[tuple[int, str]]]]:
    """For each lemma: the tokens where the extractor would find content (outside quotations), and how
    many of those head a gold cue. Their ratio is the precision of treating the lemma as a cue. Also, for
    each document, those tokens' indices with the link that leads to their content."""
    usable = {lemma: usable_links(dict(links)) for lemma, links in content_links.items()}
    candidates: Counter[str] = Counter()
    candidate_cues: Counter[str] = Counter()
    found: list[list[tuple[int, str]]] = []
    for parsed, doc_keys, heads in zip(parsed_docs, keys, cue_heads, strict=True):
        found.append([])
        for index, key in enumerate(doc_keys):
            links = usable.get(key)
            if not links:
                continue
            token = parsed.doc[index]
            if is_inside(token.idx, parsed.quotations):
                continue
            link = content_link(token, links, parsed)
            if link is not None:
                candidates[key] += 1
                candidate_cues[key] += index in heads
                found[-1].append((index, link))
    return candidates, candidate_cues, found


def _lexicon_keys(doc: Any) -> list[str]:
    """`lexicon_key` of every token of `doc`, read from its lemma and part-of-speech arrays."""
    from spacy.attrs import LEMMA, POS

    strings = doc.vocab.strings
    named: dict[tuple[int, int], str] = {}
    keys = []
    for lemma, pos in doc.to_array([LEMMA, POS]).tolist() if len(doc) else []:
        key = named.get((lemma, pos))
        if key is None:
            key = named[(lemma, pos)] = f"{strings[lemma].lower()}/{strings[pos]}"
        keys.append(key)
    return keys


if __name__ == "__main__":
    main()
