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
process links a copy of them in one run (timed), as `newstrace link` would; this is done `--repeats`
times (3) and the median kept, because a 1k run lasts two seconds and one run can be off by a fifth.
Linking in the process that had just built 100,000 articles was 12 % slower per article (5.60 against
5.00 ms), its heap left fragmented by the build; that measured the benchmark, not the linker. Time per
article is the linking time divided by the number of articles; peak RSS is the linking process's
high-water mark. Every repeat must give the same result.

Quality is checked beside speed, so a faster linker that loses stories shows: family recall (B-cubed
recall of the families: a text's variants should share its story) and cycle precision (B-cubed
precision of the cycles: cycles share no content word, so no story should mix them).

To compare two versions of the linker side by side in one run, name their source trees with `--sources`:
each built database is then linked by each version in turn (a fresh process each, with that `src` first
on its path), and a row is printed per version. `--keep DIR` keeps the built databases in DIR and takes
them from there when they exist (a build of 100,000 articles takes minutes), so that a later run links
the same articles.

    python benchmarks/linking.py                   # 1k, 10k, 100k
    python benchmarks/linking.py --sizes 1000 5000 --repeats 1
    python benchmarks/linking.py --sizes 1000 10000 --repeats 1 --sources before=/tmp/main/src after=src
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

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
        mapping: dict[str, str] = {}
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
    families = []
    for number, (family, text) in enumerate(_stream(bases, vocabulary, size, rng)):
        families.append(family)
        article_id = article_id_of(number)
        entities: list[object] = [
            Entity(article_id, "ORG", match.group(), match.start(), match.end()) for match in _NAME.finditer(text)
        ]
        article = Article(
            id=article_id, text=text, source_format="text", path=None, url=None, title=text[:60],
            published=(START + timedelta(days=number // 50)).isoformat(), outlet=f"outlet{rng.randrange(50)}",
            author=None, dateline=None, language="en", n_words=len(text.split()), field_sources={},
        )  # fmt: skip
        store.save_article(article, [StageOutput("nlp", 1, {"entities": entities})], run_id)
    store.close()
    families_file(db).write_text(json.dumps({"bases": len(bases), "families": families}))


def article_id_of(number: int) -> str:
    """The id the build gives the stream's `number`-th article."""
    return f"{number:016x}"


def families_file(db: Path) -> Path:
    """Where the build leaves each article's family, for the quality check after linking."""
    return db.with_name(db.name + ".families.json")


def _stream(bases: list[str], vocabulary: list[str], size: int, rng: random.Random) -> Iterator[tuple[int, str]]:
    """(family number, text) for `size` articles: each family is a base text and its variants."""
    produced, family = 0, 0
    relexicalised = Relexicaliser(bases)
    while produced < size:
        cycle, base = divmod(family, len(bases))
        text = relexicalised(bases[base], cycle)
        for variant in range(rng.randint(1, 6)):
            if produced == size:
                return
            yield family, text if variant == 0 else perturbed(text, vocabulary, rng)
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
    stories = store.count_rows()["stories"]
    story_of = {str(row["id"]): str(row["story_id"]) for row in store.iter_rows("articles")}
    store.close()
    return {
        **family_scores(story_of, json.loads(families_file(db).read_text())),
        "articles": size,
        "seconds": round(seconds, 2),
        "ms_per_article": round(1000 * seconds / size, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "stories": stories,
        "near_duplicates": summary.duplicates,
        "reused_passages": summary.reuse_passages,
    }


def family_scores(story_of: dict[str, str], built: dict[str, Any]) -> dict[str, float]:
    """How well stories keep what the build knows belongs together, and apart, as B-cubed shares.

    - family recall: for each article, the share of its family (a base text and its variants) that is
      in its story. Variants are rewrites of one text, so they belong to one story.
    - cycle precision: for each article, the share of its story that comes from its own cycle. Cycles
      share no content word, so a story mixing them is wrong. (Different base texts of one cycle may
      rightly share a story, as ECB+ articles on one event do, so precision is not counted by family.)
    """
    families = {article_id_of(number): family for number, family in enumerate(built["families"])}
    members: dict[str, list[str]] = {}
    for article_id, story_id in story_of.items():
        members.setdefault(story_id, []).append(article_id)
    family_sizes = Counter(families.values())
    recall = precision = 0.0
    for story in members.values():
        in_family = Counter(families[article_id] for article_id in story)
        in_cycle = Counter(family // built["bases"] for family in in_family.elements())
        for family, count in in_family.items():
            recall += count * count / family_sizes[family]
            precision += count * in_cycle[family // built["bases"]] / len(story)
    return {"family_recall": round(recall / len(families), 4), "cycle_precision": round(precision / len(families), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeats", type=int, default=3, help="timed links of each built database (median kept)")
    parser.add_argument(
        "--sources",
        nargs="+",
        default=[],
        metavar="NAME=SRC",
        help="link each database with each of these source trees (a `src` folder holding newstrace), side by side",
    )
    parser.add_argument("--keep", type=Path, help="keep the built databases here, and take them from here when built")
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
    sources = _named_sources(parser, arguments.sources)
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in sources}
    for size in arguments.sizes:
        with tempfile.TemporaryDirectory() as scratch:
            built = _built(size, arguments.seed, arguments.keep or Path(scratch))
            for name, source in sources.items():
                results[name].append(measured_size(built, size, arguments.seed, arguments.repeats, name, source))
    for name, rows in results.items():
        first, last = rows[0], rows[-1]
        ratio = last["ms_per_article"] / first["ms_per_article"]
        label = f"{name}: " if name else ""
        print(f"{label}time per article at {last['articles']} / at {first['articles']}: {ratio:.2f} (target <= 1.5)")


def _named_sources(parser: argparse.ArgumentParser, given: list[str]) -> dict[str, Path | None]:
    """The source trees to link with, by name (one unnamed entry, this process's own path, when none is given)."""
    if not given:
        return {"": None}
    sources: dict[str, Path | None] = {}
    for item in given:
        name, _, folder = item.partition("=")
        source = Path(folder).resolve()
        if not name or not (source / "newstrace" / "__init__.py").is_file():
            parser.error(f"--sources {item}: expected NAME=SRC, SRC a folder holding the newstrace package")
        sources[name] = source
    return sources


def _built(size: int, seed: int, folder: Path) -> Path:
    """The database of `size` articles built with `seed` in `folder`: built now unless it is there already."""
    built = folder / f"built-{size}-{seed}.db"
    if not built.exists() or not families_file(built).exists():
        partial = folder / f"building-{size}-{seed}.db"
        partial.unlink(missing_ok=True)
        subprocess.run([*_this_script(partial, seed), "--build", str(size)], check=True)
        families_file(partial).rename(families_file(built))
        partial.rename(built)
    return built


def measured_size(
    built: Path, size: int, seed: int, repeats: int, name: str = "", source: Path | None = None
) -> dict[str, Any]:
    """Link a fresh copy of the built database of `size` articles `repeats` times, each in a fresh process
    (with `source` first on its path when given), and keep the median time. Every run must give the same
    stories, copies and passages."""
    runs = []
    environment = dict(os.environ)
    if source is not None:
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), os.environ.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory() as scratch:
        for _ in range(repeats):
            db = Path(scratch) / "linked.db"
            shutil.copyfile(built, db)
            shutil.copyfile(families_file(built), families_file(db))
            output = subprocess.run(
                [*_this_script(db, seed), "--link", str(size)],
                capture_output=True,
                text=True,
                check=True,
                env=environment,
            ).stdout
            runs.append(json.loads(output.strip().splitlines()[-1]))
            db.unlink()
    outcomes = {json.dumps({key: run[key] for key in _OUTCOME_KEYS}) for run in runs}
    if len(outcomes) > 1:
        raise SystemExit(f"{size} articles: linking the same database gave different results: {outcomes}")
    row = dict(runs[0])
    row["ms_per_article"] = statistics.median(run["ms_per_article"] for run in runs)
    row["seconds"] = statistics.median(run["seconds"] for run in runs)
    row["peak_rss_mb"] = max(run["peak_rss_mb"] for run in runs)
    times = ", ".join(f"{run['ms_per_article']:.3f}" for run in runs)
    label = f"{name:>8} " if name else ""
    print(
        f"{label}{size:>7} articles: {row['ms_per_article']:>6.3f} ms/article (median of {times}), "
        f"peak RSS {row['peak_rss_mb']:>7.1f} MB, {row['stories']} stories, "
        f"{row['near_duplicates']} near-duplicates, {row['reused_passages']} reused passages, "
        f"family recall {row['family_recall']:.3f}, cycle precision {row['cycle_precision']:.3f}",
        flush=True,
    )
    return row


_OUTCOME_KEYS = ("stories", "near_duplicates", "reused_passages", "family_recall", "cycle_precision")


def _this_script(db: Path, seed: int) -> list[str]:
    return [sys.executable, __file__, "--db", str(db), "--seed", str(seed)]


if __name__ == "__main__":
    main()
