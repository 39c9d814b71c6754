"""The trails stage over runs: one run over a copy of an analysed database, or the same corpus taken in
over several runs (the quotes of some articles held back, then added run by run), with the rows the stage
reads and its CPU seconds on each run, and a digest of the trails tables it leaves (to compare runs).

The database is copied first (never changed in place). Held-back articles are the latest `--add` ones
(by date, then id), split over `--runs` - 1 later runs; `--shuffle SEED` picks them at random instead
(articles older than the stored ones arriving late). With `--speakers`, the speakers stage runs too, as in
`analyze`: the stored articles' speakers are resolved whole first (without the held-back quotes), and
each later run takes in its articles' quotes with no speaker, resolves them (the stage may point quotes
of earlier articles at another speaker) and then builds the trails; its CPU seconds are shown too.

    python benchmarks/trails_runs.py DB --add 0                  # one run over everything
    python benchmarks/trails_runs.py DB --add 30 --runs 2        # all but 30 articles, then the 30
    python benchmarks/trails_runs.py DB --add 30 --runs 2 --speakers
    python benchmarks/trails_runs.py DB --add 300 --runs 3 --shuffle 1 --dump out.tsv
    python benchmarks/trails_runs.py DB --add 300 --runs 3 --shuffle 1 --content out.tsv

`--content` writes the trails by content, not by ids (which name the quote that opened an utterance, so
depend on the order quotes came in): each utterance as its quotes, canonical quote and the canonical quote
of the utterance it recurs from, each rendering as its quote, fidelity and flags beside its utterance's
canonical quote; compare two such files with `diff` or `comm`.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import pstats
import random
import shutil
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newstrace.pipeline.speakers import resolve_speakers
from newstrace.pipeline.trails import build_trails
from newstrace.store import open_store

TRAIL_READS = (
    "trail_quotes",
    "trail_quotes_of",
    "utterances_by_id",
    "utterance_key_postings",
    "speaker_renderings",  # before `utterance_speakers` (SQLite 0027): every rendering of a speaker's utterances
    "speaker_utterances",
    "utterance_speakers",
    "utterance_keys_of",
    "utterances_rendered_in",
)


def held_back(path: Path, count: int, shuffle: int | None) -> list[str]:
    with sqlite3.connect(path) as connection:
        ids = [
            row[0]
            for row in connection.execute(
                "SELECT id FROM articles WHERE id IN (SELECT article_id FROM quotes) "
                "ORDER BY published IS NULL, published, id"
            )
        ]
    if shuffle is not None:
        random.Random(shuffle).shuffle(ids)
    return ids[len(ids) - count :] if count else []


def hide(path: Path, article_ids: list[str]) -> None:
    """Move the quotes of these articles aside, forget every trail and the trails stage's runs."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("CREATE TABLE held_quotes AS SELECT * FROM quotes WHERE 0")
        marks = ", ".join("?" * len(article_ids))
        connection.execute(f"INSERT INTO held_quotes SELECT * FROM quotes WHERE article_id IN ({marks})", article_ids)
        connection.execute(f"DELETE FROM quotes WHERE article_id IN ({marks})", article_ids)


def reveal(path: Path, article_ids: list[str], speakers: bool) -> None:
    """Put back the quotes of these articles, which become pending for the trails stage (and, with
    `speakers`, for the speakers stage, their quotes pointing at no speaker yet, as new quotes do)."""
    stages = ("trails", "speakers") if speakers else ("trails",)
    with sqlite3.connect(path) as connection:
        marks = ", ".join("?" * len(article_ids))
        connection.execute(f"INSERT INTO quotes SELECT * FROM held_quotes WHERE article_id IN ({marks})", article_ids)
        if speakers:
            connection.execute(f"UPDATE quotes SET speaker_id = NULL WHERE article_id IN ({marks})", article_ids)
        connection.execute(
            f"DELETE FROM stage_runs WHERE stage IN ({', '.join('?' * len(stages))}) AND article_id IN ({marks})",
            [*stages, *article_ids],
        )


def resolve_whole(path: Path) -> float:
    """Resolve the speakers of the stored quotes again, whole, keeping the names' sums (the held-back
    articles are counted taken in: `reveal` makes them pending again); its CPU seconds."""
    store = open_store(path)
    store.forget_stage("speakers")
    started = time.process_time()
    resolve_speakers(store)
    spent = time.process_time() - started
    store.close()  # type: ignore[attr-defined]
    return spent


def speakers_once(path: Path) -> tuple[float, int]:
    """The speakers stage on the pending articles: its CPU seconds, and how many quotes already in an
    utterance it pointed at another speaker."""
    before = rendered_speakers(path)
    store = open_store(path)
    started = time.process_time()
    resolve_speakers(store)
    spent = time.process_time() - started
    store.close()  # type: ignore[attr-defined]
    after = rendered_speakers(path)
    return spent, sum(1 for quote_id, speaker_id in before.items() if after.get(quote_id) != speaker_id)


def rendered_speakers(path: Path) -> dict[str, int | None]:
    """The speaker id of each quote in an utterance."""
    with sqlite3.connect(path) as connection:
        sql = "SELECT q.id, q.speaker_id FROM quotes q JOIN renderings r ON r.quote_id = q.id"
        return dict(connection.execute(sql).fetchall())


def counting(store: Any, counts: Counter[str], seconds: dict[str, float]) -> None:
    """Count the rows each trail read of the store returns, and the CPU seconds it takes."""
    for name in TRAIL_READS:
        method = getattr(store, name, None)
        if method is None:
            continue

        def wrapped(*args: Any, _method: Callable[..., Any] = method, _name: str = name, **kwargs: Any) -> Any:
            started = time.process_time()
            rows = _method(*args, **kwargs)
            seconds[_name] = seconds.get(_name, 0.0) + time.process_time() - started
            counts[_name] += sum(map(_rows_in, rows.values())) if isinstance(rows, dict) else len(rows)
            return rows

        setattr(store, name, wrapped)


def _rows_in(answer: Any) -> int:
    """The rows one item of a read's answer holds: a list's, or a speaker's latest utterances and languages."""
    if hasattr(answer, "latest"):
        return len(answer.latest) + len(answer.languages)
    return len(answer)


def run_once(path: Path, profile: bool = False) -> tuple[float, Counter[str], dict[str, float], dict[str, int]]:
    store = open_store(path)
    counts: Counter[str] = Counter()
    seconds: dict[str, float] = {}
    counting(store, counts, seconds)
    profiler = cProfile.Profile() if profile else None
    started = time.process_time()
    if profiler:
        profiler.enable()
    summary = build_trails(store)
    spent = time.process_time() - started
    if profiler:
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    store.close()  # type: ignore[attr-defined]
    return spent, counts, seconds, summary.to_dict()


def trails_digest(path: Path, dump: Path | None) -> str:
    with sqlite3.connect(path) as connection:
        lines = ["U\t" + "\t".join(map(str, row)) for row in connection.execute("SELECT * FROM utterances ORDER BY id")]
        lines += [
            "R\t" + "\t".join(map(str, row)) for row in connection.execute("SELECT * FROM renderings ORDER BY quote_id")
        ]
    text = "\n".join(lines) + "\n"
    if dump:
        dump.write_text(text)
    return hashlib.sha256(text.encode()).hexdigest()[:16] + f" ({len(lines)} rows)"


def trails_by_content(path: Path, out: Path) -> str:
    """Write the trails tables by content (see the module's docstring) and return their digest."""
    with sqlite3.connect(path) as connection:
        quotes: dict[str, list[str]] = {}
        for utterance_id, quote_id in connection.execute("SELECT utterance_id, quote_id FROM renderings"):
            quotes.setdefault(utterance_id, []).append(quote_id)
        canonical = dict(connection.execute("SELECT id, canonical_quote_id FROM utterances").fetchall())
        lines = [
            "U\t" + "\t".join(map(str, (canonical[row[0]], ",".join(sorted(quotes.get(row[0], []))),
                                       canonical.get(row[1], row[1]), *row[2:])))
            for row in connection.execute(
                "SELECT id, recurs_from, speaker, first_article_id, first_seen, n_renderings, n_outlets FROM utterances"
            )
        ]  # fmt: skip
        lines += [
            f"R\t{quote_id}\t{canonical[utterance_id]}\t{fidelity}\t{flags}"
            for quote_id, utterance_id, fidelity, flags in connection.execute(
                "SELECT quote_id, utterance_id, fidelity, flags FROM renderings"
            )
        ]
    text = "\n".join(sorted(lines)) + "\n"
    out.write_text(text)
    return hashlib.sha256(text.encode()).hexdigest()[:16] + f" ({len(lines)} rows)"


def one_run(path: Path, number: int, batch: list[str], speakers: bool, profile: bool) -> str:
    """Take in the batch's articles (the speakers stage first, with `speakers`) and build the trails: what
    the run cost and read."""
    spoken = ""
    if batch:
        reveal(path, batch, speakers)
        if speakers:
            spent, moved = speakers_once(path)
            spoken = f"speakers CPU {spent:.2f} s ({moved} grouped quotes moved), "
    spent, counts, seconds, summary = run_once(path, profile)
    reads = ", ".join(f"{name} {counts[name]} ({seconds[name]:.3f} s)" for name in seconds)
    return f"run {number}: {len(batch)} articles added, {spoken}CPU {spent:.2f} s, rows read: {reads}; {summary}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", type=Path)
    parser.add_argument("--add", type=int, default=0, help="articles held back for the later runs")
    parser.add_argument("--runs", type=int, default=2, help="runs in all (the first over the rest)")
    parser.add_argument("--shuffle", type=int, default=None, help="hold back random articles (this seed)")
    parser.add_argument("--dump", type=Path, default=None, help="write the trails tables here")
    parser.add_argument("--content", type=Path, default=None, help="write the trails by content here")
    parser.add_argument("--profile", action="store_true", help="profile the last run (cProfile)")
    parser.add_argument("--speakers", action="store_true", help="run the speakers stage before the trails")
    parser.add_argument("--repeat", type=int, default=1, help="do the last run this many times (from one copy)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "copy.db"
        shutil.copy(args.db, path)
        later = held_back(path, args.add, args.shuffle)
        store = open_store(path)
        store.reset_trails()
        store.close()  # type: ignore[attr-defined]
        if later:
            hide(path, later)
        if args.speakers:
            print(f"speakers resolved whole: CPU {resolve_whole(path):.2f} s")
        steps = max(args.runs - 1, 1) if later else 0
        size = -(-len(later) // steps) if steps else 0
        batches = [later[first : first + size] for first in range(0, len(later), size)] if later else []
        last = len(batches) + 1
        for number, batch in enumerate([[], *batches], start=1):
            if number < last or args.repeat < 2:
                print(one_run(path, number, batch, args.speakers, args.profile and number == last))
                continue
            shutil.copy(path, Path(folder) / "before_last.db")
            for _ in range(args.repeat):  # the last run again from the same database, for its spread of CPU
                shutil.copy(Path(folder) / "before_last.db", path)
                print(one_run(path, number, batch, args.speakers, args.profile))
        print("trails tables:", trails_digest(path, args.dump))
        if args.content:
            print("trails by content:", trails_by_content(path, args.content))


if __name__ == "__main__":
    main()
