"""Relink a copy of a SQLite database from scratch and print a digest of every table linking writes, so
that two versions of the linker can be shown to give the same output on the same articles.

`--batch` sets the number of articles linked between two writes (the linker's `BATCH_SIZE`, 2,000):
with a small batch, a database of a few hundred articles is linked in many batches, so that what the
linker finds among the articles of earlier batches (look-alikes through the stored band keys, stories
saved after each batch) is exercised as at millions of articles. Compare the digests of two runs with
the same `--batch` only: the batch also bounds how undated articles are grouped. A story's state is
compared with its sums rounded as the store wrote them before session 22 (it keeps them whole since), and
without the list of its latest members it keeps since session 23.

Given `--digest-only`, DB is not relinked: the digests of the tables it holds are printed (to compare a
copy linked earlier, by another version, under these rules).

    PYTHONPATH=src python benchmarks/link_tables.py DB --copy /tmp/copy.db --batch 100
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import shutil
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import newstrace.pipeline.link as linking
from newstrace.store import SQLiteStore

TABLES = {
    "articles": "SELECT id, story_id, duplicate_of, duplicate_reason FROM articles ORDER BY id",
    "stories": "SELECT id, title, first_seen, last_seen, n_articles, n_outlets, state FROM stories ORDER BY id",
    "story_links": "SELECT * FROM story_links ORDER BY story_id, related_story_id, relation",
    "reuse": "SELECT * FROM reuse ORDER BY article_id, source_article_id, article_start",
    "translations": "SELECT * FROM translations ORDER BY article_id, source_article_id",
    "link_frequencies": "SELECT * FROM link_frequencies ORDER BY kind, key",
}


def table_digests(db: Path) -> dict[str, str]:
    """Rows and a SHA-256 of each linking table's rows, in a fixed order."""
    digests = {}
    with closing(sqlite3.connect(db)) as connection:
        for table, query in TABLES.items():
            rows = [list(row) for row in connection.execute(query)]
            if table == "stories":
                rows = [[*row[:-1], _rounded_state(row[-1])] for row in rows]
            digest = hashlib.sha256(json.dumps(rows).encode()).hexdigest()[:16]
            digests[table] = f"{len(rows)} rows {digest}"
    return digests


def _rounded_state(state: str) -> str:
    """A story's state with its sums rounded as the store kept them before session 22 (5 decimals, the
    cohesion sum 6), so that a linker storing them at full precision compares with one that did not: equal
    digests say the sums in memory were equal to those decimals, whichever version wrote them."""
    parsed = json.loads(state)
    parsed.pop("latest_members", None)  # kept with the state since session 23 (the linker's own list)
    for part in ("terms", "entities"):
        parsed[part] = {key: round(value, 5) for key, value in parsed[part].items()}
    parsed["join_similarity_sum"] = round(parsed["join_similarity_sum"], 6)
    return json.dumps(parsed, ensure_ascii=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", type=Path, help="the database to relink (never changed: a copy is linked)")
    parser.add_argument("--copy", type=Path, help="where the copy is made and linked")
    parser.add_argument("--batch", type=int, default=linking.BATCH_SIZE, help="articles between two writes")
    parser.add_argument("--digest-only", action="store_true", help="print DB's digests without relinking")
    arguments = parser.parse_args()
    if arguments.digest_only:
        print(json.dumps(table_digests(arguments.db), indent=1))
        return
    if arguments.copy is None:
        parser.error("--copy is needed to relink (the database given is never changed)")
    shutil.copyfile(arguments.db, arguments.copy)
    linking.BATCH_SIZE = arguments.batch
    store = SQLiteStore(arguments.copy)
    store.reset_links()
    started = time.process_time()
    summary = linking.link_articles(store)
    cpu = time.process_time() - started
    store.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({**table_digests(arguments.copy), "linked": summary.linked, "cpu_seconds": round(cpu, 1),
                      "peak_rss_mb": round(peak)}, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
