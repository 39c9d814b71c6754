"""Parity and scale in one run: the same real articles through each runner and database backend.

The same real texts from ../shared/data (read where they are, through symbolic links in a scratch
folder) go through `newstrace analyze` once per configuration: the local runner with 2 processes into a fresh
SQLite file and into a fresh PostgreSQL schema, and Dask with 2 workers (a local cluster) into another
PostgreSQL schema. PostgreSQL is a throwaway cluster started for the run as the tests start theirs
(tests/postgres_cluster.py: initdb into a temporary folder, a free port, trust authentication, fsync
off), or the server `--postgres URL` names. Each run is a separate process, timed from start to exit
(loading the model, reading, every stage, storing) while the memory of its whole process tree (workers
included; the PostgreSQL server is not in it) is sampled; then every table each run stored is compared
with the first run's.

    python benchmarks/scale.py                      # the 1,983 texts of benchmarks/throughput.py
    python benchmarks/scale.py --texts polnear      # PolNeAR train and dev (924 texts), as before
    python benchmarks/scale.py --limit 300          # the first 300 of them

`--texts throughput` (the default) takes the texts `benchmarks/throughput.py` times against bare spaCy
(PolNeAR train, ECB+, PTC train: 1,983 texts, the issue's "same 2,000 real articles"), so the two
benchmarks' figures are of the same articles; `--texts polnear` the PolNeAR texts the earlier runs
measured (docs/scale.md).

A backend is a function that gives a fresh database for one run (a SQLite path, or a URL).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from throughput import CORPORA, Measurement, load_average, measure

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "data"
# The folders of texts each `--texts` choice reads, in order.
TEXTS = {"throughput": CORPORA, "polnear": ("polnear/train/text", "polnear/dev/text")}

# (runner, backend); the first is the reference the others' outputs are compared with
CONFIGURATIONS = (("local", "sqlite"), ("local", "postgresql"), ("dask", "postgresql"))
# (configuration measured, configuration it is compared with, the target ratio of their articles/s)
TARGETS = ((("local", "postgresql"), ("local", "sqlite"), 0.8), (("dask", "postgresql"), ("local", "postgresql"), 0.9))


def _backends(postgres_server: str) -> dict[str, Callable[[Path, str], str]]:
    """name -> a function from (scratch folder, configuration name) to the `--db` of a fresh database."""
    return {
        "sqlite": lambda scratch, name: str(scratch / f"{name}.db"),
        "postgresql": lambda scratch, name: _fresh_schema(postgres_server, name),
    }


def _fresh_schema(server: str, name: str) -> str:
    """A URL of `server` whose tables go in a new, empty schema named after the configuration."""
    import psycopg

    schema = "bench_" + "".join(character if character.isalnum() else "_" for character in name)
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        connection.execute(f"CREATE SCHEMA {schema}")
    return f"{server}?options=-csearch_path%3D{schema}"


@contextmanager
def _postgres(url: str | None) -> Iterator[str]:
    """The server `url` names, or a throwaway cluster started as the tests start theirs."""
    if url:
        yield url
        return
    sys.path.insert(0, str(REPO / "tests"))
    from postgres_cluster import throwaway_cluster

    with throwaway_cluster() as started:
        yield started


def _inputs(scratch: Path, folders: tuple[str, ...], limit: int) -> Path:
    """A folder of links to the first `limit` texts (0: all) of `folders`, so the corpus is read in place."""
    paths = [path for folder in folders for path in sorted((SHARED / folder).glob("*.txt"))]
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
    parser.add_argument("--texts", choices=tuple(TEXTS), default="throughput", help="which texts (see above)")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N articles (0: all)")
    parser.add_argument("--postgres", help="a PostgreSQL server URL (default: a throwaway cluster for the run)")
    args = parser.parse_args()
    if not SHARED.is_dir():
        raise SystemExit(f"needs the corpora in {SHARED}")
    load_before = load_average()
    with tempfile.TemporaryDirectory() as scratch_name, _postgres(args.postgres) as server:
        scratch = Path(scratch_name)
        backends = _backends(server)
        inputs = _inputs(scratch, TEXTS[args.texts], args.limit)
        articles = len(list(inputs.iterdir()))
        print(f"{articles} articles ({args.texts}), pipeline {args.pipeline}, {args.workers} workers each")
        results: dict[tuple[str, str], tuple[Measurement, list[str]]] = {}
        reference = ""
        for runner, backend in CONFIGURATIONS:
            db = backends[backend](scratch, f"{runner}-{backend}")
            measured = _run(runner, backend, db, inputs, args)
            reference = reference or db
            results[(runner, backend)] = (measured, _differences(reference, db))
    _report(articles, results)
    print(f"load average before {load_before}, after {load_average()}")


def _report(articles: int, results: dict[tuple[str, str], tuple[Measurement, list[str]]]) -> None:
    print(f"{'':18} {'seconds':>8} {'articles/s':>11} {'CPU s':>7} {'peak RSS MB':>12}  outputs")
    for measured, differing in results.values():
        same = "identical" if not differing else "DIFFER in " + ", ".join(differing)
        print(
            f"{measured.name:18} {measured.seconds:8.1f} {articles / measured.seconds:11.2f} "
            f"{measured.cpu_seconds:7.1f} {measured.peak_rss_mb:12.0f}  {same}"
        )
    for measured_key, compared_key, target in TARGETS:
        measured, compared = results[measured_key][0], results[compared_key][0]
        print(
            f"ratio {measured.name} / {compared.name} (articles/s): {compared.seconds / measured.seconds:.2f}"
            f"   (target >= {target})"
        )


if __name__ == "__main__":
    main()
