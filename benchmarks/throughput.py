"""Throughput of `newstrace analyze` against bare spaCy `nlp.pipe` on the same texts, side by side.

Both sides run as separate processes in one invocation of this script, on the same ~2,000 real
articles from ../shared/data (PolNeAR train, ECB+ topics 1-35, PTC train), with the same spaCy
pipeline and the same number of worker processes. Wall time covers everything each side does from
start to exit (loading the model, reading files, and for newstrace: header parsing, language
detection, identity and storing every article with its sentences and entities in SQLite). Peak RSS
is the largest sum of resident memory over the whole process tree, sampled every 50 ms. CPU seconds
are the user and system time of each side's process and the workers it waited for: on a machine others
share, wall time stretches with their load while CPU time mostly does not, so both ratios are printed,
with the load average before and after.

    python benchmarks/throughput.py                # 2 workers, all three corpora
    python benchmarks/throughput.py --workers 1 --limit 300
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
CORPORA = ("polnear/train/text", "ecbplus/text", "ptc/train-articles")

BARE_SCRIPT = """
import sys
from pathlib import Path
import spacy
from newstrace.nlp.model import resolve_pipeline_name
paths = [Path(line) for line in Path(sys.argv[1]).read_text().splitlines()]
texts = [path.read_text(encoding="utf-8").replace("\\r\\n", "\\n") for path in paths]
nlp = spacy.load(resolve_pipeline_name(sys.argv[2]))
count = 0
for doc in nlp.pipe(texts, n_process=int(sys.argv[3]), batch_size=int(sys.argv[4])):
    count += len(doc.ents) + sum(1 for _ in doc.sents)
print(count)
"""


@dataclass
class Measurement:
    name: str
    seconds: float
    peak_rss_mb: float
    cpu_seconds: float

    def rates(self, articles: int, words: int) -> tuple[float, float]:
        return articles / self.seconds, words / self.seconds


def _process_tree_rss_kb(root: int) -> int:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        pid = int(entry.name)
        parents[pid] = int(fields.get("PPid", "0").strip())
        rss[pid] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    total, frontier = 0, [root]
    while frontier:
        pid = frontier.pop()
        total += rss.get(pid, 0)
        frontier.extend(child for child, parent in parents.items() if parent == pid)
    return total


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def measure(name: str, command: list[str]) -> Measurement:
    """Run `command` to completion, timing it and sampling its process tree's memory."""
    peak_kb = 0
    cpu_before = _children_cpu_seconds()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_kb
        while not done.is_set():
            peak_kb = max(peak_kb, _process_tree_rss_kb(process.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode not in (0, 1):
        raise SystemExit(f"{name} failed ({process.returncode}):\n{stderr}")
    if name == "newstrace":
        summary = json.loads(stdout)
        print(f"  newstrace stored {summary['articles_new']} articles, {summary['failed']} inputs failed")
    return Measurement(name, seconds, peak_kb / 1024, _children_cpu_seconds() - cpu_before)


def _children_cpu_seconds() -> float:
    """User and system time of every child process waited for so far (and of the children they waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--pipeline", default="en_core_web_sm")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N articles (0: all)")
    args = parser.parse_args()
    if not SHARED.is_dir():
        raise SystemExit(f"needs the corpora in {SHARED}")

    from newstrace.identity import count_words

    paths = [path for corpus in CORPORA for path in sorted((SHARED / corpus).glob("*.txt"))]
    paths = paths[: args.limit] if args.limit else paths
    words = sum(count_words(path.read_text(encoding="utf-8")) for path in paths)
    print(f"{len(paths)} articles, {words} words, pipeline {args.pipeline}, {args.workers} workers")

    load_before = load_average()
    with tempfile.TemporaryDirectory() as scratch:
        inputs = Path(scratch) / "inputs"
        inputs.mkdir()
        for number, path in enumerate(paths):
            os.symlink(path, inputs / f"{number:05d}_{path.name}")
        listing = Path(scratch) / "paths.txt"
        listing.write_text("\n".join(str(path) for path in paths))
        bare = measure(
            "bare spaCy",
            [sys.executable, "-c", BARE_SCRIPT, str(listing), args.pipeline, str(args.workers), str(args.batch_size)],
        )
        ours = measure(
            "newstrace",
            [sys.executable, "-m", "newstrace", "analyze", str(inputs), "--db", str(Path(scratch) / "bench.db"),
             "--workers", str(args.workers), "--batch-size", str(args.batch_size), "--pipeline", args.pipeline,
             "--quiet", "--json"],
        )  # fmt: skip

    print(f"{'':12} {'seconds':>8} {'articles/s':>11} {'words/s':>9} {'peak RSS MB':>12} {'CPU s':>7}")
    for result in (bare, ours):
        per_article, per_word = result.rates(len(paths), words)
        print(
            f"{result.name:12} {result.seconds:8.1f} {per_article:11.1f} {per_word:9.0f} "
            f"{result.peak_rss_mb:12.0f} {result.cpu_seconds:7.1f}"
        )
    print(f"ratio newstrace/bare (articles/s): {bare.seconds / ours.seconds:.2f}   (target >= 0.85)")
    print(f"ratio newstrace/bare (CPU seconds): {bare.cpu_seconds / ours.cpu_seconds:.2f}")
    print(f"load average before {load_before}, after {load_average()}")
    print(f"newstrace peak RSS: {ours.peak_rss_mb / 1024:.2f} GB   (target < 2.5 GB)")


if __name__ == "__main__":
    main()
