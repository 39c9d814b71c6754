"""Every table in every export format, read back with pyarrow (and pandas or DuckDB where installed):
each column keeps its type, JSON columns are nested values in JSON Lines, and a failed export leaves no file."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq
import pytest

from newstrace.export import FORMATS, ColumnType, column_type, export_columns, export_table
from newstrace.pipeline.link import LinkSettings, link_record
from newstrace.records import IngestProblem, LinkBatch, TranslationLink
from newstrace.store import EXPORT_COLUMNS, SQLiteStore, open_store

from ..conftest import run_cli

TABLES = tuple(EXPORT_COLUMNS)


@pytest.fixture(scope="module")
def full_db(corpus_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the analysed sample corpus with one ingest problem and one (fictional) translation link
    between two of its articles added, so that no table is empty."""
    copy = tmp_path_factory.mktemp("export") / "news.db"
    with sqlite3.connect(corpus_db) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    store = SQLiteStore(copy)
    # A fictional unreadable input.
    store.record_problem(store.begin_run("newstrace analyze fictional.txt"), IngestProblem("fictional.txt", "empty"))
    first, second = [str(row["id"]) for row in store.iter_rows("articles")][:2]
    pairs = json.dumps([[0, 20, 0, 18, 0.9]])
    store.save_links(
        LinkBatch(translations=[TranslationLink(second, first, 0.9, 1.0, pairs)]), link_record(LinkSettings())
    )
    store.close()
    return copy


def _stored_rows(db: Path, table: str, include_text: bool) -> list[dict[str, Any]]:
    """The rows as the database holds them, JSON columns decoded."""
    rows = list(open_store(db, readonly=True).iter_rows(table, include_text=include_text))
    for row in rows:
        for column, value in row.items():
            if column_type(table, column) is ColumnType.JSON and value is not None:
                row[column] = json.loads(str(value))
    return rows


def _exported(db: Path, table: str, output_format: str, folder: Path, include_text: bool) -> Path:
    target = folder / f"{table}.{output_format}"
    count = export_table(open_store(db, readonly=True), table, output_format, target, include_text)
    assert count == sum(1 for _ in open_store(db, readonly=True).iter_rows(table))
    return target


def _decode_json_columns(table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            column: json.loads(value) if column_type(table, column) is ColumnType.JSON and value is not None else value
            for column, value in row.items()
        }
        for row in rows
    ]


def _with_empty_text_as_null(table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """CSV has no null: an empty field reads back as null."""
    return [
        {
            column: None if value == "" and column_type(table, column) is ColumnType.TEXT else value
            for column, value in row.items()
        }
        for row in rows
    ]


def _expected_arrow_kind(values: list[object]) -> str:
    """What the stored values call for: integers, numbers, or text."""
    kinds = {type(value) for value in values if value is not None}
    if kinds == {int}:
        return "integer"
    if kinds and kinds <= {int, float}:
        return "number"
    return "text"


def _arrow_kind(arrow_type: Any) -> str:
    if pa.types.is_integer(arrow_type):
        return "integer"
    if pa.types.is_floating(arrow_type):
        return "number"
    return "text"


@pytest.mark.parametrize("table", TABLES)
def test_every_table_exports_in_every_format_and_reads_back_with_pyarrow(
    full_db: Path, tmp_path: Path, table: str
) -> None:
    include_text = table == "articles"
    expected = _stored_rows(full_db, table, include_text)
    assert expected, f"the fixture database should have {table} rows"
    raw = list(open_store(full_db, readonly=True).iter_rows(table, include_text=include_text))

    parquet = pq.read_table(_exported(full_db, table, "parquet", tmp_path, include_text))
    assert parquet.column_names == list(export_columns(table, include_text))
    for field in parquet.schema:
        stored = [row[field.name] for row in raw]
        assert _arrow_kind(field.type) == _expected_arrow_kind(stored), f"{table}.{field.name} is {field.type}"
    assert _decode_json_columns(table, parquet.to_pylist()) == expected

    jsonl = _exported(full_db, table, "jsonl", tmp_path, include_text)
    assert [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()] == expected
    assert pajson.read_json(jsonl).num_rows == len(expected)

    storage_types = {field.name: getattr(field.type, "storage_type", field.type) for field in parquet.schema}
    options = pacsv.ConvertOptions(column_types=storage_types, strings_can_be_null=True)
    from_csv = pacsv.read_csv(_exported(full_db, table, "csv", tmp_path, include_text), convert_options=options)
    assert _decode_json_columns(table, from_csv.to_pylist()) == _with_empty_text_as_null(table, expected)


def test_json_columns_are_nested_values_in_json_lines(full_db: Path) -> None:
    for table, column in [("speakers", "aliases"), ("speakers", "roles"), ("story_links", "evidence"),
                          ("renderings", "diff"), ("renderings", "flags"), ("runs", "summary")]:  # fmt: skip
        result = run_cli("export", table, "--db", str(full_db))
        values = [json.loads(line)[column] for line in result.stdout.splitlines()]
        values = [value for value in values if value is not None]  # the fixture's added run never finished
        assert values and all(isinstance(value, list | dict) for value in values), (table, column, values[:1])


def test_parquet_export_through_the_command_reports_every_row(full_db: Path, tmp_path: Path) -> None:
    target = tmp_path / "quotes.parquet"
    result = run_cli("export", "quotes", "--db", str(full_db), "--format", "parquet", "-o", str(target))
    assert result.returncode == 0, result.stderr
    quotes = sqlite3.connect(full_db).execute("SELECT count(*) FROM quotes").fetchone()[0]
    assert f"wrote {quotes:,} rows of quotes to" in result.stderr and pq.read_table(target).num_rows == quotes


def test_pandas_reads_every_export(full_db: Path, tmp_path: Path) -> None:
    pandas = pytest.importorskip("pandas")
    readers = {
        "jsonl": lambda path: pandas.read_json(path, lines=True),
        "csv": pandas.read_csv,
        "parquet": pandas.read_parquet,
    }
    for path, table in _every_export(full_db, tmp_path):
        frame = readers[path.suffix.lstrip(".")](path)
        assert list(frame.columns) == list(EXPORT_COLUMNS[table])
        assert len(frame) == _row_count(full_db, table), path


def test_duckdb_reads_every_export(full_db: Path, tmp_path: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    readers = {"jsonl": "read_json_auto", "csv": "read_csv_auto", "parquet": "read_parquet"}
    for path, table in _every_export(full_db, tmp_path):
        relation = duckdb.sql(f"SELECT * FROM {readers[path.suffix.lstrip('.')]}('{path}')")
        assert relation.columns == list(EXPORT_COLUMNS[table])
        assert len(relation.fetchall()) == _row_count(full_db, table), path


def _every_export(db: Path, folder: Path) -> Iterator[tuple[Path, str]]:
    for output_format in FORMATS:
        (folder / output_format).mkdir()
        for table in TABLES:
            yield _exported(db, table, output_format, folder / output_format, include_text=False), table


def _row_count(db: Path, table: str) -> int:
    return sum(1 for _ in open_store(db, readonly=True).iter_rows(table))


@pytest.mark.parametrize(
    ("output_format", "corruption", "named"),
    [
        ("parquet", "UPDATE articles SET n_words = 'many' WHERE rowid = (SELECT max(rowid) FROM articles)", "n_words"),
        ("jsonl", "UPDATE speakers SET aliases = '[unclosed' WHERE id = (SELECT max(id) FROM speakers)", "aliases"),
    ],
)
def test_a_failed_export_leaves_no_partial_file_and_keeps_the_older_one(
    full_db: Path, tmp_path: Path, output_format: str, corruption: str, named: str
) -> None:
    broken = tmp_path / "broken.db"
    with sqlite3.connect(full_db) as source, sqlite3.connect(broken) as target:
        source.backup(target)
        target.execute(corruption)
    table = corruption.split()[1]
    output = tmp_path / "out" / f"{table}.{output_format}"
    output.parent.mkdir()
    output.write_text("an older export\n")
    result = run_cli("export", table, "--db", str(broken), "--format", output_format, "-o", str(output))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"column {named}" in result.stderr
    assert [path.name for path in output.parent.iterdir()] == [output.name]
    assert output.read_text() == "an older export\n"


def test_an_output_folder_that_does_not_exist_is_a_clear_error(full_db: Path, tmp_path: Path) -> None:
    output = tmp_path / "no such folder" / "speakers.csv"
    result = run_cli("export", "speakers", "--db", str(full_db), "--format", "csv", "-o", str(output))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "cannot write" in result.stderr and "No such file or directory" in result.stderr
