"""JSON Lines: one article object per line, streamed so a large file never sits in memory whole.

The encoding is decided once for the file from its first 64 KB (a byte-order mark, UTF-8, or what
charset-normalizer finds), and each line is then parsed on its own: a line that cannot be read is one
problem naming its number, and the lines after it are still read.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from newstrace.ingest.base import Reading, ReadOptions
from newstrace.ingest.decode import NotText, decode_bytes, detect_encoding
from newstrace.ingest.files import open_regular
from newstrace.ingest.mapping import missing_mapped_columns, record_or_problem
from newstrace.records import ArticleDraft, IngestProblem

_LINE_SLACK_BYTES = 65536  # room for the JSON syntax and metadata around an article's text


class _UnreadableLine(ValueError):
    """A line that is valid JSON in form but holds something no reader should accept."""


def read_jsonl(path: Path, options: ReadOptions) -> Reading:
    """Yield a draft per valid line and a problem per invalid one; the file goes on after errors."""
    saw_line = False
    with open_regular(path) as raw:
        try:
            encoding = detect_encoding(raw)
        except NotText as error:
            yield IngestProblem(str(path), str(error))
            return
        readline, line_encoding = _line_reader(raw, encoding)
        unmapped = _UnmappedText(options)
        for line_number, raw_line in _capped_lines(readline, options.max_article_bytes + _LINE_SLACK_BYTES):
            if raw_line is not None and not raw_line.strip():
                continue
            saw_line = True
            item = _read_line(raw_line, line_encoding, f"{path}:{line_number}", str(path), options)
            if not unmapped.absorbs(item, raw_line, line_encoding):
                yield item
    if unmapped.lacking:
        yield IngestProblem(str(path), unmapped.summary())
    if not saw_line:
        yield IngestProblem(str(path), "empty file (no JSON lines)")


def _line_reader(raw: BinaryIO, encoding: str) -> tuple[Callable[[int], bytes], str]:
    """A `readline(limit)` over the file's lines as bytes, and the encoding to decode each line with.

    UTF-16 and UTF-32 cannot be split at the byte 0x0A, so they are decoded as a stream and re-encoded
    line by line as UTF-8; every other encoding newstrace reads keeps 0x0A for the newline only.
    """
    if not encoding.startswith(("utf-16", "utf-32")):
        return raw.readline, encoding
    text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="\n")
    return (lambda limit: text.readline(limit).encode("utf-8")), "utf-8"


def _capped_lines(readline: Callable[[int], bytes], limit: int) -> Iterator[tuple[int, bytes | None]]:
    """Number each line; a line longer than `limit` is skipped to its end and given as None."""
    line_number = 0
    while line := readline(limit + 1):
        line_number += 1
        if len(line) <= limit:
            yield line_number, line
            continue
        while line and not line.endswith(b"\n"):
            line = readline(limit)
        yield line_number, None


def _read_line(
    raw_line: bytes | None, encoding: str, origin: str, path: str, options: ReadOptions
) -> ArticleDraft | IngestProblem:
    if raw_line is None:
        return IngestProblem(origin, f"line longer than the {options.max_article_mb:g} MB allowed for one article")
    try:
        record = json.loads(_decode_line(raw_line, encoding), parse_int=_whole_number)
    except json.JSONDecodeError as error:
        return IngestProblem(origin, f"invalid JSON line ({error.msg} at column {error.colno})")
    except RecursionError:
        return IngestProblem(origin, "invalid JSON line (nested too deeply to read)")
    except (_UnreadableLine, NotText) as error:
        return IngestProblem(origin, f"invalid JSON line ({error})")
    if not isinstance(record, dict):
        return IngestProblem(origin, f"expected a JSON object, found {type(record).__name__}")
    return record_or_problem(record, origin, path, "jsonl", options)


def _record_of(raw_line: bytes | None, encoding: str) -> dict[str, object] | None:
    """The line's JSON object, or None when it holds none (the line's own problem says why)."""
    if raw_line is None:
        return None
    try:
        record = json.loads(_decode_line(raw_line, encoding), parse_int=_whole_number)
    except (ValueError, RecursionError):
        return None
    return record if isinstance(record, dict) else None


class _UnmappedText:
    """Records that lack the column `--field text=` names, counted instead of reported one by one: a
    mistyped mapping gives one line for the file, and a file whose records differ one line in all."""

    def __init__(self, options: ReadOptions) -> None:
        self.column = options.field_map.get("text")
        self.lacking = 0
        self.read = 0
        self.fields_seen: set[str] = set()

    def absorbs(self, item: ArticleDraft | IngestProblem, raw_line: bytes | None, encoding: str) -> bool:
        """Whether `item` is the problem of a record without the mapped column (counted, not yielded)."""
        if self.column is None or not isinstance(item, IngestProblem) or "no article text" not in item.reason:
            self.read += isinstance(item, ArticleDraft)
            return False
        record = _record_of(raw_line, encoding)
        if record is None or self.column.lower() in {str(key).lower() for key in record}:
            return False
        self.lacking += 1
        self.fields_seen.update(str(key) for key in record)
        return True

    def summary(self) -> str:
        if self.read == 0:
            mapping = ReadOptions(field_map={"text": str(self.column)})
            return missing_mapped_columns(sorted(self.fields_seen), mapping) or ""
        return f"--field text={self.column}: {self.lacking:,} records have no such field and were skipped"


def _decode_line(raw_line: bytes, encoding: str) -> str:
    try:
        return raw_line.decode(encoding)
    except UnicodeDecodeError:
        # a file of mixed encodings: this line alone is detected again
        text, _ = decode_bytes(raw_line)
        return text


def _whole_number(digits: str) -> int:
    limit = sys.get_int_max_str_digits()
    if limit and len(digits.lstrip("-")) > limit:
        raise _UnreadableLine(f"a number of {len(digits.lstrip('-')):,} digits, more than the {limit:,} allowed")
    return int(digits)
