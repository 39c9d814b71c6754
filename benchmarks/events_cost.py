"""The events stage's share of `analyze` time (issue 21, item 7: at most 15 %), on the throughput
benchmark's texts (benchmarks/throughput.py: PolNeAR train, ECB+, PTC train, in that order).

One process, one worker: `analyze` runs over the first N texts into a new SQLite file, with the events
stage's extraction and the link-time grouping each timed as they run. The share is their time over the
whole run's wall time (which also covers loading the model, reading, parsing, storing and linking).

    python benchmarks/events_cost.py --limit 200
    python benchmarks/events_cost.py --limit 200 --shared /work/shared/data
"""

from __future__ import annotations

import argparse
import importlib
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CORPORA = ("polnear/train/text", "ecbplus/text", "ptc/train-articles")


class _Timed:
    """Wraps a function and adds up the seconds spent in it."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function = function
        self.seconds = 0.0

    def __call__(self, *arguments: Any) -> Any:
        started = time.perf_counter()
        try:
            return self.function(*arguments)
        finally:
            self.seconds += time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=200, help="the first N texts")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data", help="the shared data")
    args = parser.parse_args()
    paths = [path for corpus in CORPORA for path in sorted((args.shared / corpus).glob("*.txt"))][: args.limit]
    if not paths:
        raise SystemExit(f"no texts under {args.shared}: give --shared")

    import newstrace.nlp.stages as stages
    from newstrace.identity import count_words
    from newstrace.store import open_store

    analyze_module = importlib.import_module("newstrace.pipeline.analyze")  # the package re-exports a function

    extraction = _Timed(next(stage.extract for stage in stages.DOC_STAGES if stage.name == "events"))
    stages.DOC_STAGES = tuple(
        replace(stage, extract=extraction) if stage.name == "events" else stage for stage in stages.DOC_STAGES
    )
    orchestrate = importlib.import_module("newstrace.pipeline.orchestrate")  # the stages run from its table
    grouping = _Timed(orchestrate.RUNNERS["event_groups"])
    orchestrate.RUNNERS["event_groups"] = grouping
    words = sum(count_words(path.read_text(encoding="utf-8")) for path in paths)
    with tempfile.TemporaryDirectory() as scratch:
        inputs = Path(scratch) / "inputs"
        inputs.mkdir()
        for number, path in enumerate(paths):
            (inputs / f"{number:05d}_{path.name}").write_bytes(path.read_bytes())
        store = open_store(str(Path(scratch) / "news.db"))
        started = time.perf_counter()
        summary = analyze_module.analyze([str(inputs)], store, analyze_module.AnalyzeSettings(workers=1))
        total = time.perf_counter() - started
    events = extraction.seconds + grouping.seconds
    print(f"{len(paths)} texts, {words} words, {summary.new} stored; analyze {total:.1f} s")
    print(f"events stage {extraction.seconds:.1f} s ({extraction.seconds / total:.1%} of analyze)")
    print(f"grouping {grouping.seconds:.2f} s ({grouping.seconds / total:.1%}); together {events / total:.1%}")


if __name__ == "__main__":
    main()
