"""Stream any exportable table to JSON Lines, CSV or Parquet, row batch by row batch, uncapped.

Every column has a type (`column_type`): text, integer, number, or JSON (stored in the database as JSON
text). JSON Lines writes JSON columns as nested values, CSV as JSON text, Parquet as text marked with the
JSON logical type. A file is written under a temporary name beside the target and renamed when complete,
so a failed export leaves no partial file behind (and an older file of that name untouched).
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import Enum
from itertools import islice
from pathlib import Path
from typing import IO, Any

from newstrace.store.base import EXPORT_COLUMNS, Store, TableRow

FORMATS = ("jsonl", "csv", "parquet")
_PARQUET_BATCH_ROWS = 10_000


class ColumnType(Enum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    JSON = "json"


_I, _N, _J = ColumnType.INTEGER, ColumnType.NUMBER, ColumnType.JSON
# The columns of each table that are not text (docs/export.md gives the same types).
_TYPED_COLUMNS: dict[str, dict[str, ColumnType]] = {
    "articles": {"n_words": _I, "revision": _I, "field_sources": _J},
    "entities": {"start": _I, "end": _I},
    "sentences": {"start": _I, "end": _I},
    "quotes": {
        "source_start": _I, "source_end": _I, "speaker_id": _I, "cue_start": _I, "cue_end": _I,
        "content_start": _I, "content_end": _I, "confidence": _N, "content_fragments": _J,
    },
    "speakers": {"id": _I, "aliases": _J, "roles": _J, "n_quotes": _I, "n_articles": _I},
    "stories": {"n_articles": _I, "n_outlets": _I},
    "event_mentions": {
        "sentence_start": _I, "sentence_end": _I, "trigger_start": _I, "trigger_end": _I, "source_start": _I,
        "source_end": _I, "target_start": _I, "target_end": _I, "object_start": _I, "object_end": _I,
        "date_start": _I, "date_end": _I, "confidence": _N, "speaker_id": _I,
        "speaker_is_source": _I,
    },
    "events": {"n_mentions": _I, "n_articles": _I, "n_outlets": _I, "outlets": _J, "confidence": _N},
    "story_links": {"similarity": _N, "gap_days": _I, "evidence": _J},
    "reuse": {
        "article_start": _I, "article_end": _I, "source_start": _I, "source_end": _I, "similarity": _N,
    },
    "translations": {"similarity": _N, "coverage": _N, "sentence_pairs": _J},
    "duplicates": {"duplicate_reason": _J},
    "framing": {"start": _I, "end": _I},
    "utterances": {"n_renderings": _I, "n_outlets": _I, "speaker_id": _I},
    "renderings": {"fidelity": _N, "diff": _J, "flags": _J},
    "stage_runs": {},  # every column is text, the version too (`1:<lexicon digest>`)
    "problems": {"run_id": _I},
    "runs": {"id": _I, "summary": _J},
}  # fmt: skip


class ExportError(RuntimeError):
    """A stored value does not fit its column's type; the message names the table, row and column."""


def column_type(table: str, column: str) -> ColumnType:
    """The type of one exported column."""
    return _TYPED_COLUMNS[table].get(column, ColumnType.TEXT)


def export_columns(table: str, include_text: bool = False) -> tuple[str, ...]:
    """The columns `export_table` writes for `table`, in order."""
    return EXPORT_COLUMNS[table] + (("text",) if include_text and table == "articles" else ())


def export_table(
    store: Store, table: str, output_format: str, target: IO[str] | Path, include_text: bool = False
) -> int:
    """Write every row of `table`; return the number of rows written.

    `target` is a file path (any format; written whole or not at all) or an open text stream (jsonl, csv).
    """
    if output_format not in FORMATS:
        raise ValueError(f"unknown format {output_format!r}; choose one of: {', '.join(FORMATS)}")
    rows = store.iter_rows(table, include_text=include_text)
    columns = export_columns(table, include_text)
    if output_format == "parquet":
        if not isinstance(target, Path):
            raise ValueError("Parquet output needs a file: give -o FILE")
        with _replaced_on_success(target) as partial:
            return _write_parquet(rows, columns, table, partial)
    if isinstance(target, Path):
        with _replaced_on_success(target) as partial, partial.open("w", encoding="utf-8", newline="") as stream:
            return _write_text(rows, columns, table, output_format, stream)
    return _write_text(rows, columns, table, output_format, target)


@contextmanager
def _replaced_on_success(target: Path) -> Iterator[Path]:
    """A temporary path beside `target`, renamed to it when the block completes and removed if it fails."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
        partial.chmod(0o666 & ~_umask())  # mkstemp makes the file private; give it a new file's usual mode
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def _write_text(
    rows: Iterable[TableRow], columns: tuple[str, ...], table: str, output_format: str, stream: IO[str]
) -> int:
    if output_format == "jsonl":
        return _write_jsonl(rows, table, stream)
    return _write_csv(rows, columns, stream)


def _write_jsonl(rows: Iterable[TableRow], table: str, stream: IO[str]) -> int:
    json_columns = [column for column, kind in _TYPED_COLUMNS[table].items() if kind is ColumnType.JSON]
    count = 0
    for count, row in enumerate(rows, start=1):
        written = dict(row)  # the store's row is read-only; its JSON columns are written decoded
        for column in json_columns:
            if column in written:
                written[column] = _decoded_json(written[column], table, count, column)
        stream.write(json.dumps(written, ensure_ascii=False) + "\n")
    return count


def _decoded_json(value: object, table: str, row_number: int, column: str) -> object:
    if value is None:
        return None
    try:
        return json.loads(str(value))
    except json.JSONDecodeError as error:
        raise ExportError(f"{table} row {row_number}: column {column} is not valid JSON ({error})") from error


def _write_csv(rows: Iterable[TableRow], columns: tuple[str, ...], stream: IO[str]) -> int:
    writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def arrow_schema(table: str, columns: tuple[str, ...]) -> Any:
    """The Parquet schema of an export: int64, float64, or string (JSON columns marked as JSON)."""
    import pyarrow as pa

    # The JSON extension type (pyarrow 19 and later) writes Parquet's JSON logical type over plain text.
    json_type = pa.json_(pa.string()) if hasattr(pa, "json_") else pa.string()
    arrow_types = {
        ColumnType.TEXT: pa.string(),
        ColumnType.INTEGER: pa.int64(),
        ColumnType.NUMBER: pa.float64(),
        ColumnType.JSON: json_type,
    }
    return pa.schema([pa.field(column, arrow_types[column_type(table, column)]) for column in columns])


def _write_parquet(rows: Iterator[TableRow], columns: tuple[str, ...], table: str, path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema(table, columns)
    count = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        while batch := list(islice(rows, _PARQUET_BATCH_ROWS)):
            arrays = [_arrow_array(batch, field, table) for field in schema]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            count += len(batch)
    return count


def _arrow_array(batch: list[TableRow], field: Any, table: str) -> Any:
    import pyarrow as pa

    try:
        return pa.array([row[field.name] for row in batch], type=field.type)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        raise ExportError(f"{table}: column {field.name} holds a value that is not {field.type} ({error})") from error
