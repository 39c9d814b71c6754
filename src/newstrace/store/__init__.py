"""Persistence: one `Store` protocol, SQLite by default, chosen by `open_store`."""

from __future__ import annotations

from pathlib import Path

from newstrace.store.base import EXPORT_COLUMNS, QueryTimeout, SearchHit, SearchSyntaxError, Store, StoreError
from newstrace.store.sqlite import SQLiteStore


def open_store(location: str | Path, *, readonly: bool = False) -> Store:
    """Open the database at `location`: a SQLite file path (a PostgreSQL URL is not supported yet)."""
    text = str(location)
    if text.startswith(("postgres://", "postgresql://")):
        raise StoreError("the PostgreSQL backend is not available in this version; use a SQLite file path")
    return SQLiteStore(location, readonly=readonly)


__all__ = [
    "EXPORT_COLUMNS",
    "QueryTimeout",
    "SQLiteStore",
    "SearchHit",
    "SearchSyntaxError",
    "Store",
    "StoreError",
    "open_store",
]
