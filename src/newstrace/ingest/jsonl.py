"""JSON Lines: one article object per line, streamed so a large file never sits in memory whole."""

from __future__ import annotations

import json
from pathlib import Path

from newstrace.ingest.base import Reading, ReadOptions
from newstrace.ingest.mapping import record_to_draft
from newstrace.records import IngestProblem


def read_jsonl(path: Path, options: ReadOptions) -> Reading:
    """Yield a draft per valid line and a problem per invalid one; the file goes on after errors."""
    saw_line = False
    with path.open("rb") as handle:
        for line_number, raw_line in enumerate(handle, start=1):
            if not raw_line.strip():
                continue
            saw_line = True
            origin = f"{path}:{line_number}"
            try:
                record = json.loads(_decode_line(raw_line))
            except json.JSONDecodeError as error:
                yield IngestProblem(origin, f"invalid JSON line ({error.msg} at column {error.colno})")
                continue
            if not isinstance(record, dict):
                yield IngestProblem(origin, f"expected a JSON object, found {type(record).__name__}")
                continue
            yield record_to_draft(record, origin, str(path), "jsonl", options)
    if not saw_line:
        yield IngestProblem(str(path), "empty file (no JSON lines)")


def _decode_line(raw_line: bytes) -> str:
    try:
        return raw_line.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw_line.decode("cp1252", errors="replace")
