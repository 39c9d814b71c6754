"""CSV with a header row: one article per row, columns chosen by the field mapping."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from newstrace.ingest.base import Reading, ReadOptions
from newstrace.ingest.decode import NotText, detect_encoding
from newstrace.ingest.files import open_regular
from newstrace.ingest.mapping import missing_mapped_columns, record_or_problem
from newstrace.records import IngestProblem

_MAX_BAD_ROWS = 100
csv.field_size_limit(2**31 - 1)


def read_csv(path: Path, options: ReadOptions) -> Reading:
    """Yield a draft per row; a malformed row is reported and the rest of the file is still read."""
    origin = str(path)
    with open_regular(path) as raw:
        try:
            encoding = detect_encoding(raw)
        except NotText as error:
            yield IngestProblem(origin, str(error))
            return
        with io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="") as handle:
            yield from _rows(csv.DictReader(handle, strict=True), path, options)


def _rows(reader: csv.DictReader[str], path: Path, options: ReadOptions) -> Reading:
    origin = str(path)
    if not reader.fieldnames:
        yield IngestProblem(origin, "empty CSV file (no header row)")
        return
    unmapped = missing_mapped_columns(reader.fieldnames, options)
    if unmapped:  # one line for the file, not one per row
        yield IngestProblem(origin, unmapped)
        return
    rows = bad_rows = 0
    while True:
        row_origin = f"{path}:row {reader.line_num + 1}"
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            yield IngestProblem(row_origin, f"malformed CSV row ({_explain(error)})")
            bad_rows += 1
            if bad_rows >= _MAX_BAD_ROWS:
                yield IngestProblem(origin, f"gave up after {bad_rows} malformed rows")
                return
            continue
        rows += 1
        yield record_or_problem(row, f"{path}:row {reader.line_num}", str(path), "csv", options)
    if rows == 0 and bad_rows == 0:
        yield IngestProblem(origin, "no rows after the header (nothing to read)")


def _explain(error: csv.Error) -> str:
    if str(error) == "unexpected end of data":
        return "a quoted field is never closed: its quote swallows the rest of the file"
    return str(error)
