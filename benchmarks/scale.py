"""Parity and scale in one run: the same real articles through each runner and database backend.

N PolNeAR texts from ../shared/data (read where they are, through symbolic links in a scratch folder)
go through `newstrace analyze` once per configuration: the local runner with 2 processes and Dask with
2 workers (a local cluster), each into a fresh SQLite file. Each run is a separate process, timed from
start to exit (loading the model, reading, every stage, storing) while the memory of its whole process
tree (workers included) is sampled; then every table each run stored is compared with the first run's.

    python benchmarks/scale.py --limit 300
    python benchmarks/scale.py                      # all of PolNeAR train and dev

A backend is a function that gives a fresh database for one run (a SQLite path, or a URL): add
PostgreSQL to BACKENDS and to CONFIGURATIONS once `--db postgresql://...` is available.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from throughput import Measurement, measure

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
SPLITS = ("polnear/train/text", "polnear/dev/text")

# name -> a function from (scratch folder, configuration name) to the `--db` of a fresh database
BACKENDS: dict[str, Callable[[Path, str], str]] = {
    "sqlite": lambda scratch, name: str(scratch / f"{name}.db"),
    # "postgresql": a fresh database on the server, e.g. created with `createdb` and given as its URL
}
# (runner, backend); the first is the reference the others' outputs are compared with
CONFIGURATIONS = (("local", "sqlite"), ("dask", "sqlite"))


def _inputs(scratch: Path, limit: int) -> Path:
    """A folder of links to the first `limit` texts (0: all), so the corpus is read in place."""
    paths = [path for split in SPLITS for path in sorted((SHARED / split).glob("*.txt"))]
    folder = scratch / "inputs"
    folder.mkdir()
    for number, path in enumerate(paths[:limit] if limit else paths):
        os.symlink(path, folder / f"{number:05d}_{path.name}")
    return folder


def _run(runner: str, backend: str, db: str, inputs: Path, args: argparse.Namespace) -> Measurement:
    command = [
        sys.executable, "-m", "newstrace", "analyze", str(inputs), "--db", db, "--runner", runner,
        "--workers", str(args.workers), "--batch-size", str(args.batch_size), "--pipeline", args.pipeline, "--quiet",
    ]  # fmt: skip
    return measure(f"{runner}/{backend}", command)


def _differences(reference: str, other: str) -> list[str]:
    from newstrace.scale.parity import differing_tables, stored_rows
    from newstrace.store import open_store

    first, second = open_store(reference, readonly=True), open_store(other, readonly=True)
    try:
        return sorted(differing_tables(stored_rows(first), stored_rows(second)))
    finally:
        first.close()
        second.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--pipeline", default="en_core_web_sm")
    parser.add_argument("--limit", type=int, default=2000, help="use only the first N articles (0: all)")
    args = parser.parse_args()
    if not SHARED.is_dir():
        raise SystemExit(f"needs the corpora in {SHARED}")
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        inputs = _inputs(scratch, args.limit)
        articles = len(list(inputs.iterdir()))
        print(f"{articles} PolNeAR articles, pipeline {args.pipeline}, {args.workers} workers each")
        results: list[tuple[str, Measurement, list[str]]] = []
        for runner, backend in CONFIGURATIONS:
            db = BACKENDS[backend](scratch, f"{runner}-{backend}")
            measured = _run(runner, backend, db, inputs, args)
            reference = results[0][0] if results else db
            results.append((db, measured, _differences(reference, db)))
    _report(articles, results)


def _report(articles: int, results: list[tuple[str, Measurement, list[str]]]) -> None:
    reference = results[0][1]
    print(f"{'':14} {'seconds':>8} {'articles/s':>11} {'ratio':>6} {'peak RSS MB':>12}  outputs")
    for _, measured, differing in results:
        same = "identical" if not differing else "DIFFER in " + ", ".join(differing)
        print(
            f"{measured.name:14} {measured.seconds:8.1f} {articles / measured.seconds:11.2f} "
            f"{reference.seconds / measured.seconds:6.2f} {measured.peak_rss_mb:12.0f}  {same}"
        )
    print("ratio: articles/s against the first line (targets: Dask >= 0.9x local, PostgreSQL >= 0.8x SQLite)")


if __name__ == "__main__":
    main()
