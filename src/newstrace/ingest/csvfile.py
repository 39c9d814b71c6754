"""CSV with a header row: one article per row, columns chosen by the field mapping."""

from __future__ import annotations

import csv
from pathlib import Path

from newstrace.ingest.base import Reading, ReadOptions
from newstrace.ingest.decode import NotText, decode_bytes
from newstrace.ingest.mapping import missing_mapped_columns, record_to_draft
from newstrace.records import IngestProblem

_SNIFF_BYTES = 65536
_MAX_BAD_ROWS = 100
csv.field_size_limit(2**31 - 1)


def read_csv(path: Path, options: ReadOptions) -> Reading:
    """Yield a draft per row; a malformed row is reported and the rest of the file is still read."""
    origin = str(path)
    try:
        encoding = _detect_encoding(path)
    except NotText as error:
        yield IngestProblem(origin, str(error))
        return
    with path.open(encoding=encoding, errors="replace", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames:
            yield IngestProblem(origin, "empty CSV file (no header row)")
            return
        unmapped = missing_mapped_columns(reader.fieldnames, options)
        if unmapped:  # one line for the file, not one per row
            yield IngestProblem(origin, unmapped)
            return
        bad_rows = 0
        while True:
            row_origin = f"{path}:row {reader.line_num + 1}"
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield IngestProblem(row_origin, f"malformed CSV row ({error})")
                bad_rows += 1
                if bad_rows >= _MAX_BAD_ROWS:
                    yield IngestProblem(origin, f"gave up after {bad_rows} malformed rows")
                    return
                continue
            yield record_to_draft(row, f"{path}:row {reader.line_num}", str(path), "csv", options)


def _detect_encoding(path: Path) -> str:
    with path.open("rb") as handle:
        sample = handle.read(_SNIFF_BYTES)
    if len(sample) == _SNIFF_BYTES:
        sample = _trim_partial_utf8(sample)
    _, encoding = decode_bytes(sample)
    return "utf-8-sig" if encoding == "utf-8" else encoding


def _trim_partial_utf8(sample: bytes) -> bytes:
    """Drop a multi-byte UTF-8 character cut in half at the end of a sample."""
    for cut in range(4):
        try:
            (sample[: len(sample) - cut] if cut else sample).decode("utf-8")
            return sample[: len(sample) - cut] if cut else sample
        except UnicodeDecodeError:
            continue
    return sample
