"""Quote-trail grouping and flags on perturbed PolNeAR quotations: pairwise F1 and flag accuracy.

Each family starts from one real attribution content in the PolNeAR train split (12 to 60 words, one
fragment), rendered as a direct quote on day 1. Its variants, on later days, are what outlets do to a
quotation; each has a known truth:

    truncate     a contiguous 45-80 % of the words, inside quotation marks      -> truncated
    drop         one or two inner words left out, still inside quotation marks -> altered_direct_quote
    substitute   one or two words swapped for near-synonyms (this benchmark's own list, not newstrace's)
                                                                                -> altered_direct_quote
    reorder      the two halves of the quote swapped at a comma or "and"        -> altered_direct_quote
    paraphrase   reported speech: "that" + the words with tense and pronouns shifted
                                                                                -> paraphrased_as_indirect
    other name   the exact words attributed to a different speaker              -> speaker_changed

Every family's speaker says other things too: the other attributions of the same PolNeAR document are
given to the same speaker (unrelated quotes by the same speaker, as distractors). Grouping is scored
pairwise over all renderings (same family = same utterance); flags are scored per rendering.

    python benchmarks/trails.py                 # 400 families
    python benchmarks/trails.py --families 100 --seed 3
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from itertools import combinations
from pathlib import Path

from newstrace.evaluation.polnear import load_split
from newstrace.link.trails import QuoteInput, TrailGrouper, canonical_rendering, describe

REPO = Path(__file__).resolve().parent.parent
TRAIN = REPO.parent / "shared" / "data" / "polnear" / "train"
START = date(2024, 3, 1)
SYNONYMS = {
    "said": "stated", "big": "large", "important": "crucial", "people": "individuals", "country": "nation",
    "new": "fresh", "help": "assist", "make": "create", "need": "require", "want": "wish", "good": "fine",
    "bad": "poor", "great": "huge", "think": "believe", "show": "demonstrate", "get": "obtain", "use": "employ",
    "many": "numerous", "very": "extremely", "problem": "issue", "change": "alter", "start": "begin",
    "end": "finish", "buy": "purchase", "small": "little", "fast": "quick", "plan": "scheme", "job": "work",
    "money": "funds", "world": "globe", "law": "legislation", "support": "back", "right": "correct",
}  # fmt: skip
TENSE = {"is": "was", "are": "were", "will": "would", "can": "could", "have": "had", "has": "had", "am": "was"}
PRONOUNS = {"i": "he", "we": "they", "my": "his", "our": "their", "me": "him", "us": "them"}
FLAG_OF = {
    "truncate": "truncated",
    "drop": "altered_direct_quote",
    "substitute": "altered_direct_quote",
    "reorder": "altered_direct_quote",
    "paraphrase": "paraphrased_as_indirect",
    "other name": "speaker_changed",
}


def perturb(kind: str, words: list[str], rng: random.Random) -> tuple[list[str], str] | None:
    """The variant's words and its quote kind, or None when this quotation cannot take the change."""
    if kind == "truncate":
        length = max(3, round(len(words) * rng.uniform(0.45, 0.8)))
        first = rng.randrange(0, len(words) - length + 1)
        return words[first : first + length], "partial"
    if kind == "drop":
        inner = list(range(1, len(words) - 1))
        gone = set(rng.sample(inner, min(len(inner), rng.choice((1, 2)))))
        return [word for index, word in enumerate(words) if index not in gone], "direct"
    if kind == "substitute":
        places = [index for index, word in enumerate(words) if word.lower() in SYNONYMS]
        if not places:
            return None
        changed = list(words)
        for index in rng.sample(places, min(len(places), 2)):
            changed[index] = SYNONYMS[words[index].lower()]
        return changed, "direct"
    if kind == "reorder":
        cuts = [i for i, word in enumerate(words[2:-2], start=2) if word.endswith(",") or word.lower() == "and"]
        if not cuts:
            return None
        cut = rng.choice(cuts)
        return words[cut + 1 :] + words[: cut + 1], "direct"
    if kind == "paraphrase":
        shifted = [TENSE.get(word.lower(), PRONOUNS.get(word.lower(), word)) for word in words]
        return ["that", *shifted], "indirect"
    return list(words), "direct"  # other name: same words


def build(families: int, seed: int) -> tuple[list[QuoteInput], dict[str, str], dict[str, str]]:
    """Renderings in date order, each quote's family, and each variant's expected flag."""
    rng = random.Random(seed)
    documents = load_split(TRAIN)
    rng.shuffle(documents)
    quotes: list[QuoteInput] = []
    family_of: dict[str, str] = {}
    expected: dict[str, str] = {}
    made = 0
    for doc_index, document in enumerate(documents):
        if made >= families:
            break
        contents = []
        for attribution in document.attributions:
            spans = attribution.fragments.get("Content", ())
            if len(spans) == 1:
                text = " ".join(document.text[spans[0][0] : spans[0][1]].split())
                if 12 <= len(text.split()) <= 60 and text not in contents:
                    contents.append(text)
        speaker = doc_index + 1
        for content_index, content in enumerate(contents[:6]):
            family = f"f{doc_index}-{content_index}"
            base_id = f"{family}-original"
            quotes.append(_render(base_id, f"“{content}”", "direct", speaker, 0))
            family_of[base_id] = family
            if content_index >= 3:  # the speaker's later quotes are distractors only: no variants
                continue
            made += 1
            words = content.split()
            for day, kind in enumerate(rng.sample(list(FLAG_OF), 4), start=1):
                variant = perturb(kind, words, rng)
                if variant is None:
                    continue
                variant_words, quote_kind = variant
                text = " ".join(variant_words)
                rendered = text if quote_kind == "indirect" else f"“{text}”"
                quote_id = f"{family}-{kind}"
                other = 100_000 + speaker if kind == "other name" else speaker
                quotes.append(_render(quote_id, rendered, quote_kind, other, day))
                family_of[quote_id] = family
                expected[quote_id] = FLAG_OF[kind]
    quotes.sort(key=lambda quote: (quote.published, quote.quote_id))
    return quotes, family_of, expected


def _render(quote_id: str, content: str, kind: str, speaker: int, day: int) -> QuoteInput:
    return QuoteInput(
        quote_id,
        "a-" + quote_id,
        f"outlet{day}",
        START + timedelta(days=day),
        speaker,
        f"speaker {speaker}",
        kind,
        content,
    )


def pairwise_f1(predicted: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    items = sorted(gold)
    true_positive = predicted_pairs = gold_pairs = 0
    by_predicted: dict[str, list[str]] = defaultdict(list)
    for item in items:
        by_predicted[predicted[item]].append(item)
    for members in by_predicted.values():
        for first, second in combinations(members, 2):
            predicted_pairs += 1
            true_positive += gold[first] == gold[second]
    for size in Counter(gold.values()).values():
        gold_pairs += size * (size - 1) // 2
    precision = true_positive / predicted_pairs if predicted_pairs else 1.0
    recall = true_positive / gold_pairs if gold_pairs else 1.0
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", type=int, default=400)
    parser.add_argument("--seed", type=int, default=11)
    arguments = parser.parse_args()
    if not TRAIN.is_dir():
        raise SystemExit(f"{TRAIN}: not found (the benchmark perturbs PolNeAR train quotations)")
    quotes, family_of, expected = build(arguments.families, arguments.seed)
    started = time.perf_counter()
    grouper = TrailGrouper()
    placed = {quote.quote_id: grouper.add(quote) for quote in quotes}
    seconds = time.perf_counter() - started
    precision, recall, f1 = pairwise_f1({q: u.id for q, u in placed.items()}, family_of)
    reports = {}
    for utterance in {id(u): u for u in placed.values()}.values():
        canonical = canonical_rendering(utterance)
        for rendering in utterance.renderings:
            reports[rendering.quote_id] = describe(rendering, canonical, utterance)
    print(f"{len(family_of)} renderings in {len({*family_of.values()})} families (incl. distractor quotes), "
          f"grouped in {seconds:.2f} s")  # fmt: skip
    print(f"grouping, pairwise: precision {precision:.3f} recall {recall:.3f} F1 {f1:.3f}  (target F1 >= 0.9)")
    for flag in ("altered_direct_quote", "truncated", "paraphrased_as_indirect", "speaker_changed"):
        flagged = {quote_id for quote_id, report in reports.items() if flag in report.flags}
        truth = {quote_id for quote_id, wanted in expected.items() if wanted == flag}
        hit = len(flagged & truth)
        flag_precision = hit / len(flagged) if flagged else 1.0
        flag_recall = hit / len(truth) if truth else 1.0
        target = "  (target precision >= 0.9)" if flag == "altered_direct_quote" else ""
        print(
            f"flag {flag:<24} precision {flag_precision:.3f} recall {flag_recall:.3f} ({len(truth)} expected){target}"
        )


if __name__ == "__main__":
    main()
