"""What a run stored, in a form two runs can be compared by: every exported table except the run log,
without the columns that only say when a row was written. Two runners (or two backends) given the same
input must store equal `stored_rows`."""

from __future__ import annotations

from newstrace.store.base import EXPORT_COLUMNS, ReadStore

RUN_LOG_TABLES = ("runs", "problems")
PER_RUN_COLUMNS = ("finished_at",)

StoredRows = dict[str, list[dict[str, object]]]


def stored_rows(store: ReadStore) -> StoredRows:
    """Every table's rows in the store's export order, per-run columns left out."""
    return {
        table: [
            {name: value for name, value in row.items() if name not in PER_RUN_COLUMNS}
            for row in store.iter_rows(table)
        ]
        for table in EXPORT_COLUMNS
        if table not in RUN_LOG_TABLES
    }


def differing_tables(first: StoredRows, second: StoredRows) -> list[str]:
    """The tables whose rows differ between two stores (none when the runs stored the same)."""
    return [table for table in first.keys() | second.keys() if first.get(table) != second.get(table)]
