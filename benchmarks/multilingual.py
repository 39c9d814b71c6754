"""Cost of the multilingual path: analysis throughput per word on a mixed corpus against English only.

Both corpora are the fictional fixtures in tests/fixtures/multilingual scaled up by repetition: the
English-only corpus is the English article repeated, the mixed corpus every language's article (ru, uk,
de, fr, es, it, pl and en) repeated. Both go through `newstrace.nlp.analyse_texts`, the function the
workers call, in this process, after one warm-up pass that loads every model (its time is reported
apart, as the one-off cost of a worker). Prints words per second for each and their ratio, as JSON.

    python benchmarks/multilingual.py [--copies 40] [--batch-size 16]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from newstrace.identity import count_words
from newstrace.nlp import analyse_texts, load_pipeline
from newstrace.records import AnalysisRequest

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "multilingual"


def corpus(languages: list[str], copies: int) -> list[AnalysisRequest]:
    """`copies` requests per language; each copy's text differs by a line, so no two are identical."""
    texts = {language: (FIXTURES / f"{language}.txt").read_text(encoding="utf-8") for language in languages}
    return [
        AnalysisRequest(f"{language}-{copy}", f"{texts[language]}\n{copy}\n", language)
        for copy in range(copies)
        for language in languages
    ]


def words_per_second(nlp: object, requests: list[AnalysisRequest], batch_size: int) -> tuple[int, float]:
    words = sum(count_words(request.text) for request in requests)
    started = time.perf_counter()
    for first in range(0, len(requests), batch_size):
        analyse_texts(nlp, requests[first : first + batch_size], batch_size=batch_size)
    return words, words / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()
    languages = sorted(path.stem for path in FIXTURES.glob("*.txt"))
    started = time.perf_counter()
    nlp = load_pipeline()
    analyse_texts(nlp, corpus(languages, 1))
    warm_up = time.perf_counter() - started
    english_words, english_rate = words_per_second(nlp, corpus(["en"], args.copies * len(languages)), args.batch_size)
    mixed_words, mixed_rate = words_per_second(nlp, corpus(languages, args.copies), args.batch_size)
    report = {
        "languages": languages,
        "model_loading_seconds": round(warm_up, 1),
        "english_only": {"words": english_words, "words_per_second": round(english_rate)},
        "mixed": {"words": mixed_words, "words_per_second": round(mixed_rate)},
        "mixed_to_english_ratio": round(mixed_rate / english_rate, 2),
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
