"""The stages over stored rows after a crash or a new version give the tables a fresh run gives.

On copies of an analysed SQLite database (never changed in place): a fresh run of every stage over stored
rows (speakers, link, trails, event_groups, framing: each one's runs forgotten first, so each takes in
the whole corpus), then, from that fresh state,
- for each stage, a newstrace in which that stage has a new version (its number raised, as the tests
  play it): the run redoes it and what depends on it;
- with `--requote N`, the quotes of every N-th article with quotes replaced by the same quotes, as a new
  quotes version does to the articles read again (the speakers resolved whole, the trails grouped whole);
- for each stage that writes in several batches (link, event_groups, framing), a run that stops at its
  second write (an exception, as a kill would) and a second run that resumes it;
and prints, for each case, what each stage did, the CPU seconds and whether every table the stages write
(`pipeline.stages` `writes`) is equal, row for row, to the fresh run's.

    PYTHONPATH=src python benchmarks/stage_reruns.py DB --folder /tmp/reruns [--only link,framing]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from newstrace.events import grouping
from newstrace.pipeline import frame, link, stages
from newstrace.pipeline.orchestrate import StoredStageSettings, run_stored_stages
from newstrace.records import Article, Quote, StageOutput
from newstrace.store import SQLiteStore

STORED = [declared.name for declared in stages.in_order() if declared.kind != "document"]
# The write of each stage that writes in batches, and the module whose BATCH_SIZE sets the batch.
BATCHED_WRITES = {"link": "save_links", "event_groups": "save_events", "framing": "save_framing"}
# Integer keys numbering rows in the order they were inserted (a re-run inserts them again, numbered on).
_ROW_NUMBERS = {("framing_markers", "id")}
_WORK_KEYS = {
    "speakers": "articles_resolved",
    "link": "articles_linked",
    "trails": "quotes_grouped",
    "event_groups": "stories_grouped",
    "framing": "articles_framed",
}


class Stopped(Exception):
    """The run stopped at a stage's write (what a kill does: the write's transaction never commits)."""


def written_tables() -> dict[str, list[str] | None]:
    """Every table the stages over stored rows write: None for a table they insert into (every column
    compared), else the columns they update."""
    found: dict[str, list[str] | None] = {}
    for name in STORED:
        for entry in stages.stage(name).writes:
            table, _, column = entry.partition(".")
            if not column:
                found[table] = None
            elif found.get(table, []) is not None:
                found[table] = [*(found.get(table) or []), column]
    return found


def table_digests(path: Path) -> dict[str, str]:
    """Rows and a SHA-256 of each written table (its written columns with the key), in a fixed order."""
    digests = {}
    with closing(sqlite3.connect(path)) as connection:
        for table, columns in sorted(written_tables().items()):
            if columns is None:  # every column but a number that only counts the rows inserted
                columns = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
                columns = [column for column in columns if (table, column) not in _ROW_NUMBERS]
            else:
                columns = ["id", *columns]
            selected = ", ".join(f'"{column}"' for column in columns)
            rows = [list(row) for row in connection.execute(f"SELECT {selected} FROM {table}")]
            rows.sort(key=lambda row: json.dumps(row, default=str))
            digest = hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()[:16]
            digests[table] = f"{len(rows)} rows {digest}"
    return digests


def forget_everything(path: Path) -> None:
    """Forget what every stage over stored rows did, so that each takes in the whole corpus as on a new
    database: the links and the trails, every stage's runs, and the speakers' kept sums (the speakers are
    resolved whole, and keep their ids)."""
    store = SQLiteStore(path)
    store.reset_links()
    store.reset_trails()
    for name in STORED:
        store.forget_stage(name)
    with store._transaction():
        store._execute("DELETE FROM speaker_names")
    store.close()


def run(path: Path) -> tuple[dict[str, float], float]:
    """Run the pending stages over stored rows: the work each did, and the CPU seconds."""
    store = SQLiteStore(path)
    started = time.process_time()
    try:
        summaries: Mapping[str, Mapping[str, float]] = run_stored_stages(store, StoredStageSettings(), link._Silent())
    finally:
        store.close()
    return {name: summaries[name][key] for name, key in _WORK_KEYS.items()}, time.process_time() - started


@contextmanager
def new_version(name: str) -> Iterator[None]:
    """A newstrace in which stage `name` has a new version."""
    declared = stages.stage(name)
    stages._BY_NAME[name] = replace(declared, number=declared.number + 1)
    try:
        yield
    finally:
        stages._BY_NAME[name] = declared


@contextmanager
def stopping_at_second_write(name: str) -> Iterator[None]:
    """Stage `name` stops (raises) at its second write."""
    method = BATCHED_WRITES[name]
    original: Callable[..., Any] = getattr(SQLiteStore, method)
    calls = 0

    def write(self: SQLiteStore, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise Stopped(f"{name} stopped at its second write")
        return original(self, *args, **kwargs)

    setattr(SQLiteStore, method, write)
    try:
        yield
    finally:
        setattr(SQLiteStore, method, original)


def requote(path: Path, every: int) -> list[str]:
    """What a new quotes version does to the articles read again: replace the quotes of every `every`-th
    article with quotes (by id) with the same quotes, through the document write, which marks the stages
    after the quotes stale on them. The ids of the articles re-quoted."""
    store = SQLiteStore(path)
    ids = sorted({str(row[0]) for row in store._value_rows("SELECT DISTINCT article_id FROM quotes")})[::every]
    run_id = store.begin_run("stage_reruns: quotes replaced")
    names = [item.name for item in fields(Quote)]
    for article_id in ids:
        stored = store.article(article_id)
        assert stored is not None
        values = {item.name: getattr(stored, item.name) for item in fields(Article)}
        values["field_sources"] = json.loads(str(values["field_sources"] or "{}"))
        values["header_spans"] = tuple(tuple(span) for span in json.loads(str(values["header_spans"] or "[]")))
        quotes: list[object] = []
        for quote in store.quotes_of([article_id]):
            found = {name: getattr(quote, name) for name in names}
            found["content_fragments"] = tuple(tuple(piece) for piece in json.loads(str(quote.content_fragments)))
            quotes.append(Quote(**found))
        output = StageOutput("quotes", stages.stage("quotes").number, {"quotes": quotes})
        store.save_article(Article(**values), [output], run_id, stages.downstream("quotes"))
    store.close()
    return ids


def case(label: str, path: Path, fresh: dict[str, str], prepare: Callable[[], None] | None = None) -> None:
    work, cpu = run(path) if prepare is None else _prepared(path, prepare)
    digests = table_digests(path)
    different = sorted(table for table in fresh if digests[table] != fresh[table])
    verdict = "every written table equal to the fresh run's" if not different else f"DIFFERENT: {different}"
    print(f"{label}: {json.dumps(work)}, CPU {cpu:.1f} s; {verdict}", flush=True)


def _prepared(path: Path, prepare: Callable[[], None]) -> tuple[dict[str, float], float]:
    prepare()
    return run(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", type=Path, help="an analysed database (copied, never changed)")
    parser.add_argument("--folder", type=Path, required=True, help="where the copies go")
    parser.add_argument("--only", default=",".join(STORED), help="the stages to re-version and stop")
    parser.add_argument(
        "--batch",
        type=int,
        default=100,
        help="articles per write of link and framing (a fifth: stories per write of the event grouping)",
    )
    parser.add_argument("--requote", type=int, default=0, help="also replace the quotes of every N-th article")
    arguments = parser.parse_args()
    only = arguments.only.split(",")
    link.BATCH_SIZE = frame.BATCH_SIZE = arguments.batch
    grouping._STORIES_PER_WRITE = max(1, arguments.batch // 5)
    arguments.folder.mkdir(parents=True, exist_ok=True)
    fresh_path = arguments.folder / "fresh.db"
    shutil.copyfile(arguments.db, fresh_path)
    forget_everything(fresh_path)
    work, cpu = run(fresh_path)
    fresh = table_digests(fresh_path)
    print(f"fresh run: {json.dumps(work)}, CPU {cpu:.1f} s")
    print(json.dumps(fresh, indent=1), flush=True)
    copy = arguments.folder / "copy.db"
    for name in [name for name in STORED if name in only]:
        shutil.copyfile(fresh_path, copy)
        with new_version(name):
            case(f"{name} at a new version", copy, fresh)
            case(f"{name} at a new version, run again", copy, fresh)
    if arguments.requote:
        shutil.copyfile(fresh_path, copy)
        requoted = requote(copy, arguments.requote)
        case(f"quotes replaced on {len(requoted)} articles (every {arguments.requote}th with quotes)", copy, fresh)
    for name in [name for name in BATCHED_WRITES if name in only]:
        shutil.copyfile(fresh_path, copy)
        forget_everything(copy)
        try:
            with stopping_at_second_write(name):
                run(copy)
        except Stopped as stopped:
            print(f"{stopped}", flush=True)
        else:
            print(f"{name} wrote once or not at all: nothing to resume", flush=True)
        case(f"resumed after {name} stopped", copy, fresh)


if __name__ == "__main__":
    main()
