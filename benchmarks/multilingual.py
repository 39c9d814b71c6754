"""Cost of the multilingual path: analysis throughput per word on a mixed corpus against English only.

Both corpora are the fictional fixtures in tests/fixtures/multilingual scaled up by repetition: the
English-only corpus is the English article repeated, the mixed corpus every language's article (ru, uk,
de, fr, es, it, pl and en) repeated. Both go through `newstrace.nlp.analyse_texts`, the function the
workers call, in this process, after one warm-up pass that loads every model (its time is reported
apart, as the one-off cost of a worker). Prints words per second for each and their ratio, as JSON.

With `--whole-run`, it measures the whole `analyze` command instead (reading, analysis, stories with
cross-language links, translation links, trails with translated renderings, framing per language) on the
dated cross-language fixture (crosslingual.jsonl, every copy moved a week later, so that copies are
other events) against its English articles alone, repeated to about as many words.

    python benchmarks/multilingual.py [--copies 40] [--batch-size 16] [--whole-run]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from newstrace.identity import count_words
from newstrace.nlp import analyse_texts, load_pipeline
from newstrace.pipeline.analyze import AnalyzeSettings, analyze
from newstrace.records import AnalysisRequest
from newstrace.store import SQLiteStore

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


def dated_corpus(articles: list[dict[str, str]], copies: int, folder: Path) -> tuple[Path, int]:
    """The articles repeated `copies` times into a JSON Lines file, each copy a week later, with its own
    urls and every line marked with its number (so that no title, lead or sentence is one the embedding
    cache saw in another copy); returns the file and its word count."""
    path, words = folder / "corpus.jsonl", 0
    with path.open("w", encoding="utf-8") as out:
        for copy in range(copies):
            for article in articles:
                published = date.fromisoformat(article["published"]) + timedelta(weeks=copy)
                text = "\n".join(f"{line} [{copy}]" if line.strip() else line for line in article["text"].split("\n"))
                words += count_words(text)
                moved = {
                    **article,
                    "url": f"{article['url']}-{copy}",
                    "published": published.isoformat(),
                    "title": f"{article['title']} [{copy}]",
                    "text": text,
                }
                out.write(json.dumps(moved, ensure_ascii=False) + "\n")
    return path, words


def whole_run_words_per_second(articles: list[dict[str, str]], copies: int) -> tuple[int, float]:
    with tempfile.TemporaryDirectory() as folder:
        path, words = dated_corpus(articles, copies, Path(folder))
        store = SQLiteStore(Path(folder) / "bench.db")
        started = time.perf_counter()
        analyze([str(path)], store, AnalyzeSettings())
        elapsed = time.perf_counter() - started
        store.close()
    return words, words / elapsed


def whole_run(copies: int) -> dict[str, object]:
    """`analyze` on the cross-language fixture against its English articles alone, models loaded first."""
    articles = [json.loads(line) for line in (FIXTURES / "crosslingual.jsonl").read_text(encoding="utf-8").splitlines()]
    english = [article for article in articles if article["language"] == "en"]
    started = time.perf_counter()
    whole_run_words_per_second(articles, 1)  # loads every model once, as a worker would
    warm_up = time.perf_counter() - started
    mixed_words, mixed_rate = whole_run_words_per_second(articles, copies)
    english_copies = max(1, round(copies * _words(articles) / _words(english)))  # about as many words
    english_words, english_rate = whole_run_words_per_second(english, english_copies)
    return {
        "languages": sorted({article["language"] for article in articles}),
        "model_loading_seconds": round(warm_up, 1),
        "english_only": {"words": english_words, "words_per_second": round(english_rate)},
        "mixed": {"words": mixed_words, "words_per_second": round(mixed_rate)},
        "mixed_to_english_ratio": round(mixed_rate / english_rate, 2),
    }


def _words(articles: list[dict[str, str]]) -> int:
    return sum(count_words(article["text"]) for article in articles)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--whole-run", action="store_true", help="time the whole analyze command (see above)")
    args = parser.parse_args()
    if args.whole_run:
        print(json.dumps(whole_run(args.copies), indent=2, ensure_ascii=False))
        return
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
