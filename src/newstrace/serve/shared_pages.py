"""Pages kept by one worker process of `newstrace serve --workers N`, found by the others.

Each process keeps the pages it made in memory (`app.RECENT_PAGES`); without this, a page made by one
worker was made again by every other that was asked for it (with four workers, 44 % of the load
benchmark's requests were sent as kept against 53 % with one). Here a page kept per data version (not
one drawn from a process's own corpus summary) is also written to an SQLite file in the server's run
directory, which the parent of the workers makes and removes (`serve.workers`), under a digest of its key
(database, path, query string, data version, counting settings: the same in every process). A process
that has not kept a page looks for it there before making it.

Sharing is an optimisation only: a busy or failed read or write is skipped (the page is made, or not
shared), never an error. At most `MAX_SHARED_PAGES` are kept, the oldest written dropped first.
"""

from __future__ import annotations

import hashlib
import itertools
import sqlite3
import threading
import time
from pathlib import Path

SHARED_PAGES_ENVIRONMENT = "NEWSTRACE_SERVE_SHARED_PAGES"  # the file's path, set by the parent for its workers
MAX_SHARED_PAGES = 2048  # a search page is 16-41 KB: about 60 MB at most
_TRIM_EVERY = 64  # writes of a process between two trims of the oldest pages past MAX_SHARED_PAGES
_BUSY_MILLISECONDS = 100  # a write waiting longer for another process's is skipped
_SCHEMA = "CREATE TABLE IF NOT EXISTS pages (key BLOB PRIMARY KEY, written INTEGER NOT NULL, page BLOB NOT NULL)"


def create_shared_pages(path: Path) -> None:
    """The empty file of shared pages at `path` (in write-ahead-log mode: readers never wait for a writer)."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute(_SCHEMA)
        connection.execute("CREATE INDEX IF NOT EXISTS pages_by_age ON pages (written)")
    finally:
        connection.close()


class SharedPages:
    """The shared pages at `path` (made by `create_shared_pages`), read and written by every thread of a
    process through a connection of its own."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._writes = itertools.count(1)

    def get(self, key: tuple[object, ...]) -> bytes | None:
        """The page kept under `key` by any process, or None."""
        try:
            row = self._connection().execute("SELECT page FROM pages WHERE key = ?", (_digest(key),)).fetchone()
        except sqlite3.Error:
            return None
        return bytes(row[0]) if row is not None else None

    def put(self, key: tuple[object, ...], page: bytes) -> None:
        """Keep `page` under `key` for the other processes (skipped if the file is busy or fails)."""
        try:
            connection = self._connection()
            connection.execute(
                "INSERT OR REPLACE INTO pages (key, written, page) VALUES (?, ?, ?)",
                (_digest(key), time.time_ns(), page),
            )
            if next(self._writes) % _TRIM_EVERY == 0:
                connection.execute(
                    "DELETE FROM pages WHERE written < (SELECT written FROM pages ORDER BY written DESC LIMIT 1 "
                    "OFFSET ?)",
                    (MAX_SHARED_PAGES - 1,),
                )
        except sqlite3.Error:
            return

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            connection.execute(f"PRAGMA busy_timeout = {_BUSY_MILLISECONDS}")
            connection.execute("PRAGMA synchronous = OFF")  # a page lost in a crash is only made again
            self._local.connection = connection
        return connection


def _digest(key: tuple[object, ...]) -> bytes:
    """The key's digest, the same in every process: its parts are strings, bytes, integers and tuples of
    them, whose `repr` does not depend on the process."""
    return hashlib.blake2b(repr(key).encode(), digest_size=16).digest()
