"""CPU time of the document stages a worker runs after spaCy's parse, and their output, on parsed texts.

Texts spread evenly over the throughput benchmark's corpora (PolNeAR train, ECB+, PTC train, in that
order) are read as `analyze` reads them (header lines masked), parsed once with the worker's pipeline and
kept as a spaCy `DocBin` (`--docs`, reused when it exists); then every document stage runs over those
Docs and its CPU seconds (`time.process_time`, best of `--repeat` runs) are printed per stage. With
`--save FILE` every row the stages gave is written as JSON lines, and with `--compare FILE` compared
with such a file, so a change meant to make the stages cheaper can show it changed no output.

    python benchmarks/doc_stages.py --texts 300 --save /tmp/before.jsonl
    python benchmarks/doc_stages.py --texts 300 --compare /tmp/before.jsonl
    python benchmarks/doc_stages.py --texts 300 --profile quotes
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import importlib
import json
import pstats
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CORPORA = ("polnear/train/text", "ecbplus/text", "ptc/train-articles")


def spread(paths: list[Path], count: int) -> list[Path]:
    """`count` of `paths` at even steps (all of them when there are fewer)."""
    if count >= len(paths):
        return paths
    return [paths[index * len(paths) // count] for index in range(count)]


def masked_text(path: Path) -> str:
    """The text as the workers get it: header lines (title, dateline, date) masked by line breaks."""
    from newstrace.ingest.base import ReadOptions
    from newstrace.ingest.text import read_text
    from newstrace.nlp.stages import mask_spans
    from newstrace.records import ArticleDraft

    draft = next(read_text(path, ReadOptions()))
    if not isinstance(draft, ArticleDraft):
        raise SystemExit(f"{path}: {draft}")
    return mask_spans(draft.text, draft.header_spans)


def parsed_docs(nlp: Any, paths: list[Path], cache: Path) -> list[Any]:
    """The parsed Docs of `paths`, from `cache` when it holds these very texts, else parsed and kept there."""
    from spacy.tokens import DocBin

    listing = cache.with_suffix(".paths")
    names = "\n".join(str(path) for path in paths)
    if cache.exists() and listing.exists() and listing.read_text() == names:
        return list(DocBin().from_disk(cache).get_docs(nlp.vocab))
    started = time.process_time()
    docs = list(nlp.pipe((masked_text(path) for path in paths), batch_size=16))
    print(f"parsed {len(docs)} texts in {time.process_time() - started:.1f} CPU s")
    DocBin(store_user_data=False, docs=docs).to_disk(cache)
    listing.write_text(names)
    return docs


def as_the_worker_has_them(docs: list[Any], texts: list[str]) -> None:
    """Forget what an earlier run kept on the Docs; give them their texts as the worker does, where it does."""
    spans = importlib.import_module("newstrace.nlp.spans")
    remember_text = getattr(spans, "remember_text", None)  # None in a version whose worker keeps no text
    for doc, text in zip(docs, texts, strict=True):
        doc.user_data.clear()
        if remember_text is not None:
            remember_text(doc, text)


def run_stages(docs: list[Any], repeat: int) -> tuple[dict[str, list[float]], dict[str, list[Any]]]:
    """CPU seconds of each of `repeat` runs of each document stage over `docs` (the first one loads what
    the stage loads once per process), and the rows of the last run."""
    from newstrace.nlp.stages import DOC_STAGES

    texts = [doc.text for doc in docs]
    seconds: dict[str, list[float]] = {}
    rows: dict[str, list[Any]] = {}
    for stage in DOC_STAGES:
        seconds[stage.name] = []
        for _ in range(repeat):
            as_the_worker_has_them(docs, texts)
            found: list[Any] = []
            started = time.process_time()
            for number, doc in enumerate(docs):
                for table_rows in stage.extract(doc, f"a{number}", 0).values():
                    found.extend(table_rows)
            seconds[stage.name].append(time.process_time() - started)
        rows[stage.name] = found
    return seconds, rows


def as_lines(rows: dict[str, list[Any]]) -> list[str]:
    """Every row as one JSON line, tagged with its stage."""
    return [
        json.dumps({"stage": name, **dataclasses.asdict(row)}, sort_keys=True, default=str)
        for name, found in rows.items()
        for row in found
    ]


def compare(lines: list[str], saved: Path) -> None:
    before = saved.read_text(encoding="utf-8").splitlines()
    if before == lines:
        print(f"identical: all {len(lines)} rows as in {saved}")
        return
    differing = sum(1 for old, new in zip(before, lines, strict=False) if old != new)
    print(f"DIFFERENT from {saved}: {len(before)} rows before, {len(lines)} now, {differing} differ in place")
    for old, new in zip(before, lines, strict=False):
        if old != new:
            print(f"  before: {old}\n  now:    {new}")
            break
    raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--texts", type=int, default=300, help="how many texts, spread over the corpora")
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data", help="the shared data")
    parser.add_argument("--docs", type=Path, default=Path("/tmp/newstrace_doc_stages.spacy"), help="parse cache")
    parser.add_argument("--repeat", type=int, default=3, help="runs per stage (the first loads once)")
    parser.add_argument("--save", type=Path, help="write every row as JSON lines here")
    parser.add_argument("--compare", type=Path, help="compare every row with a file --save wrote")
    parser.add_argument("--sort", default="cumulative", help="how --profile sorts: cumulative, tottime, ...")
    parser.add_argument("--profile", help="profile this stage (one run) and print its costliest functions")
    args = parser.parse_args()
    paths = spread([path for corpus in CORPORA for path in sorted((args.shared / corpus).glob("*.txt"))], args.texts)
    if not paths:
        raise SystemExit(f"no texts under {args.shared}: give --shared")

    from newstrace.nlp import load_pipeline
    from newstrace.nlp.stages import DOC_STAGES

    docs = parsed_docs(load_pipeline(), paths, args.docs)
    if args.profile:
        stage = next(stage for stage in DOC_STAGES if stage.name == args.profile)
        as_the_worker_has_them(docs, [doc.text for doc in docs])
        profiler = cProfile.Profile()
        profiler.runcall(lambda: [stage.extract(doc, f"a{number}", 0) for number, doc in enumerate(docs)])
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(45)
        return
    stage_seconds, rows = run_stages(docs, args.repeat)
    print(f"{'stage':8} {'first':>6} {'best':>6} CPU s {'rows':>7}")
    for name, runs in stage_seconds.items():
        print(f"{name:8} {runs[0]:6.2f} {min(runs):6.2f}       {len(rows[name]):7}")
    first, best = (sum(pick(runs) for runs in stage_seconds.values()) for pick in (lambda r: r[0], min))
    print(f"{'all':8} {first:6.2f} {best:6.2f}       over {len(docs)} texts")
    lines = as_lines(rows)
    if args.save:
        args.save.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if args.compare:
        compare(lines, args.compare)


if __name__ == "__main__":
    main()
