"""Amortised linking time per article at 1k, 10k and 100k articles, and peak memory.

The volume is grown, and this says how: the base texts are real articles from ../shared/data (PolNeAR
train and dev, ECB+ topics 1-35, PTC train; the 2,003 texts of at least 50 words). The stream is made of families: each
base text gives a family of 1 to 6 articles (the base itself, then variants: one in three a light edit
with a sentence dropped and a few words changed, a near-duplicate; the rest heavy edits with a third
of the sentences dropped and one word in six replaced). When the base texts run out they are used
again in a new cycle with every content word swapped for another of the same shape and about the
same frequency through a cycle-specific permutation (stop words stay), so cycles do not look like each
other, keep the word statistics of news, and the share of copies and look-alikes is the same at every
size. The base texts are shuffled first: taken in corpus order, the first 1,000 articles were all
PolNeAR while 10,000 reached ECB+, whose topics are clusters of articles on one event (larger stories,
more passages to align), so the sizes differed in what they held, not only in how much. Dates advance
with the stream (about 50 articles a day), as news does. Named entities come from a capitalised-word
pattern instead of spaCy, because running the parser on 100,000 texts would take hours and linking
only reads the stored entities; the linker does the same work either way.

Each size gets a fresh SQLite database: one process stores the articles (not timed), then a fresh
process links all of them in one run (timed), as `newstrace link` would. Linking in the process that
had just built 100,000 articles was 12 % slower per article (5.60 against 5.00 ms), its heap left
fragmented by the build; that measured the benchmark, not the linker. Time per article is the linking
time divided by the number of articles; peak RSS is the linking process's high-water mark.

    python benchmarks/linking.py                   # 1k, 10k, 100k
    python benchmarks/linking.py --sizes 1000 5000
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
CORPORA = ("polnear/train/text", "polnear/dev/text", "ecbplus/text", "ptc/train-articles")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_NAME = re.compile(r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*")
START = date(2024, 1, 1)


def base_texts() -> list[str]:
    texts = []
    for corpus in CORPORA:
        folder = SHARED / corpus
        if not folder.is_dir():
            raise SystemExit(f"{folder}: not found (the benchmark grows its volume from ../shared/data)")
        texts += [path.read_text(encoding="utf-8", errors="replace") for path in sorted(folder.rglob("*.txt"))]
    return [text for text in texts if len(text.split()) >= 50]


class Relexicaliser:
    """Swaps every word of a text for another, the same way throughout a cycle and differently in each.

    A word trades places only with words of its own shape (capitalised or not) and of about its own
    frequency in the base texts, and stop words stay, so each cycle keeps the statistics of real news
    (its names stay rare, its common words common) while sharing no content word with other cycles.
    A swap over the whole vocabulary would turn "the" into some rare name in every text of a cycle,
    gluing the cycle's articles into giant stories that real news never forms."""

    GROUP = 64  # words of one shape per frequency band that swap among themselves

    def __init__(self, bases: list[str]) -> None:
        from newstrace.link.features import STOP_WORDS

        counts = Counter(word for text in bases for word in text.split())
        movable = [word for word in counts if word.lower().strip(".,;:!?\"'()") not in STOP_WORDS]
        self.bands: list[list[str]] = []
        for capitalised in (True, False):
            shaped = sorted((w for w in movable if w[:1].isupper() == capitalised), key=lambda w: (-counts[w], w))
            self.bands += [shaped[start : start + self.GROUP] for start in range(0, len(shaped), self.GROUP)]
        self.mappings: dict[int, dict[str, str]] = {}

    def __call__(self, text: str, cycle: int) -> str:
        if cycle == 0:
            return text
        mapping = self.mappings.get(cycle)
        if mapping is None:
            mapping = self.mappings[cycle] = self._mapping(cycle)
        return " ".join(mapping.get(word, word) for word in text.split())

    def _mapping(self, cycle: int) -> dict[str, str]:
        rng = random.Random(cycle)
        mapping = {}
        for band in self.bands:
            shuffled = band[:]
            rng.shuffle(shuffled)
            mapping.update(zip(band, shuffled, strict=True))
        return mapping


def perturbed(text: str, vocabulary: list[str], rng: random.Random) -> str:
    sentences = [sentence for sentence in _SENTENCE_END.split(text.strip()) if sentence]
    if rng.random() < 1 / 3:
        if len(sentences) > 3:
            del sentences[rng.randrange(len(sentences))]
        replace_share = 0.02
    else:
        keep = max(2, round(len(sentences) * 2 / 3))
        sentences = rng.sample(sentences, min(keep, len(sentences)))
        replace_share = 1 / 6
    out = []
    for sentence in sentences:
        words = sentence.split()
        for index in range(len(words)):
            if rng.random() < replace_share:
                words[index] = rng.choice(vocabulary)
        out.append(" ".join(words))
    return " ".join(out)


def build(db: Path, size: int, seed: int) -> None:
    from newstrace.records import Article, Entity, StageOutput
    from newstrace.store import SQLiteStore

    rng = random.Random(seed)
    bases = base_texts()
    rng.shuffle(bases)  # every prefix of the stream then mixes the corpora alike, whatever its size
    vocabulary = sorted({word for text in bases for word in text.split()})
    store = SQLiteStore(db)
    run_id = store.begin_run("benchmark")
    for number, text in enumerate(_stream(bases, vocabulary, size, rng)):
        article_id = f"{number:016x}"
        entities = [
            Entity(article_id, "ORG", match.group(), match.start(), match.end()) for match in _NAME.finditer(text)
        ]
        article = Article(
            id=article_id, text=text, source_format="text", path=None, url=None, title=text[:60],
            published=(START + timedelta(days=number // 50)).isoformat(), outlet=f"outlet{rng.randrange(50)}",
            author=None, dateline=None, language="en", n_words=len(text.split()), field_sources={},
        )  # fmt: skip
        store.save_article(article, [StageOutput("nlp", 1, {"entities": entities})], run_id)
    store.close()


def _stream(bases: list[str], vocabulary: list[str], size: int, rng: random.Random) -> Iterator[str]:
    produced, family = 0, 0
    relexicalised = Relexicaliser(bases)
    while produced < size:
        cycle, base = divmod(family, len(bases))
        text = relexicalised(bases[base], cycle)
        for variant in range(rng.randint(1, 6)):
            if produced == size:
                return
            yield text if variant == 0 else perturbed(text, vocabulary, rng)
            produced += 1
        family += 1


def measure(db: Path, size: int) -> dict[str, float]:
    """Link the built database at `db` and report (run in a fresh process that did nothing else)."""
    from newstrace.pipeline.link import link_articles
    from newstrace.store import SQLiteStore

    store = SQLiteStore(db)
    started = time.perf_counter()
    summary = link_articles(store)
    seconds = time.perf_counter() - started
    stories = int(next(iter(store.connection.execute("SELECT count(*) FROM stories")))[0])
    store.close()
    return {
        "articles": size,
        "seconds": round(seconds, 2),
        "ms_per_article": round(1000 * seconds / size, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "stories": stories,
        "near_duplicates": summary.duplicates,
        "reused_passages": summary.reuse_passages,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)  # internal: build SIZE articles into --db
    parser.add_argument("--link", type=int, help=argparse.SUPPRESS)  # internal: link --db, print JSON
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.build:
        build(arguments.db, arguments.build, arguments.seed)
        return
    if arguments.link:
        print(json.dumps(measure(arguments.db, arguments.link)))
        return
    results = []
    for size in arguments.sizes:
        with tempfile.TemporaryDirectory() as scratch:
            db = Path(scratch) / "bench.db"
            here = [sys.executable, __file__, "--db", str(db), "--seed", str(arguments.seed)]
            subprocess.run([*here, "--build", str(size)], check=True)
            output = subprocess.run([*here, "--link", str(size)], capture_output=True, text=True, check=True).stdout
        results.append(json.loads(output.strip().splitlines()[-1]))
        row = results[-1]
        print(
            f"{row['articles']:>7} articles: linked in {row['seconds']:>8.1f} s, "
            f"{row['ms_per_article']:>7.3f} ms/article, "
            f"peak RSS {row['peak_rss_mb']:>7.1f} MB, {row['stories']} stories, "
            f"{row['near_duplicates']} near-duplicates, {row['reused_passages']} reused passages",
            flush=True,
        )
    first, last = results[0], results[-1]
    ratio = last["ms_per_article"] / first["ms_per_article"]
    print(f"time per article at {last['articles']} / at {first['articles']}: {ratio:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
