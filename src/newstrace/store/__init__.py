"""Persistence: one `Store` protocol, SQLite by default or PostgreSQL for a URL, chosen by `open_store`."""

from __future__ import annotations

from pathlib import Path

from newstrace.store.base import EXPORT_COLUMNS, QueryTimeout, SearchHit, SearchSyntaxError, Store, StoreError
from newstrace.store.postgres import is_postgres_url
from newstrace.store.sqlite import SQLiteStore


def open_store(location: str | Path, *, readonly: bool = False) -> Store:
    """Open the database at `location`: a SQLite file path, or a `postgresql://` URL (psycopg 3 needed)."""
    if is_postgres_url(location):
        from newstrace.store.postgres import PostgresStore

        return PostgresStore(str(location), readonly=readonly)
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
