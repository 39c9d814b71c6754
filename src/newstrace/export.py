"""Stream any exportable table to JSON Lines, CSV or Parquet, row batch by row batch, uncapped."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import IO, Any

from newstrace.store.base import EXPORT_COLUMNS, Store

FORMATS = ("jsonl", "csv", "parquet")
_PARQUET_BATCH_ROWS = 10_000
_INTEGER_COLUMNS = {"n_words", "revision", "start", "end", "version", "run_id"}
_JSON_COLUMNS = {"field_sources", "summary", "content_fragments"}


def export_table(
    store: Store, table: str, output_format: str, target: IO[str] | Path, include_text: bool = False
) -> int:
    """Write every row of `table`; return the number of rows written.

    `target` is an open text stream for jsonl and csv, and a file path for parquet.
    """
    rows = store.iter_rows(table, include_text=include_text)
    columns = EXPORT_COLUMNS[table] + (("text",) if include_text and table == "articles" else ())
    if output_format == "parquet":
        if not isinstance(target, Path):
            raise ValueError("Parquet output needs a file: give -o FILE")
        return _write_parquet(rows, columns, table, target)
    if isinstance(target, Path):
        raise ValueError("internal: text formats take an open stream")
    if output_format == "jsonl":
        return _write_jsonl(rows, target)
    if output_format == "csv":
        return _write_csv(rows, columns, target)
    raise ValueError(f"unknown format {output_format!r}; choose one of: {', '.join(FORMATS)}")


def _write_jsonl(rows: Iterable[dict[str, object]], stream: IO[str]) -> int:
    count = 0
    for row in rows:
        for column in _JSON_COLUMNS.intersection(row):
            if isinstance(row[column], str):
                row[column] = json.loads(str(row[column]))
        stream.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def _write_csv(rows: Iterable[dict[str, object]], columns: tuple[str, ...], stream: IO[str]) -> int:
    writer = csv.DictWriter(stream, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def _write_parquet(rows: Iterator[dict[str, object]], columns: tuple[str, ...], table: str, path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    integer_columns = _INTEGER_COLUMNS | ({"id"} if table == "runs" else set())
    schema = pa.schema([(column, pa.int64() if column in integer_columns else pa.string()) for column in columns])
    count = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        while batch := list(islice(rows, _PARQUET_BATCH_ROWS)):
            arrays: dict[str, Any] = {column: [row[column] for row in batch] for column in columns}
            writer.write_table(pa.Table.from_pydict(arrays, schema=schema))
            count += len(batch)
    return count
