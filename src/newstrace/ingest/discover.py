"""Find the inputs behind the paths a user names, decide each one's format, and read it safely."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from newstrace.ingest.base import Reading, ReadOptions
from newstrace.ingest.checks import checked, safe_text
from newstrace.ingest.csvfile import read_csv
from newstrace.ingest.feed import read_feed_file, read_feed_url
from newstrace.ingest.files import irregular_kind, open_regular
from newstrace.ingest.html import read_html
from newstrace.ingest.jsonl import read_jsonl
from newstrace.ingest.text import read_text
from newstrace.ingest.warc import read_warc
from newstrace.records import IngestProblem

_FORMAT_BY_SUFFIX = {
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",
    ".warc": "warc",
    ".warc.gz": "warc",
}

_FILE_READERS: dict[str, Callable[[Path, ReadOptions], Reading]] = {
    "text": read_text,
    "html": read_html,
    "jsonl": read_jsonl,
    "csv": read_csv,
    "feed": read_feed_file,
    "warc": read_warc,
}

FORMATS = tuple(_FILE_READERS)
MAX_PROBLEMS_PER_SOURCE = 10


@dataclass(frozen=True)
class Source:
    """One input to read: a file with its format, a URL, or a path that could not be used."""

    location: str
    format: str | None  # None: the location is unusable and `problem` says why
    problem: str | None = None


def discover(paths: Iterable[str], forced_format: str | None = None) -> Iterator[Source]:
    """Expand folders (recursively, in sorted order) into the files newstrace can read."""
    for given in paths:
        if given.startswith(("http://", "https://")):
            yield Source(given, "feed-url")
            continue
        path = Path(given)
        if path.is_dir():
            yield from _walk(path, forced_format)
            continue
        kind = irregular_kind(path)
        yield _unusable(given, kind) if kind else Source(str(path), forced_format or format_of(path, sniff=True))


def _walk(folder: Path, forced_format: str | None) -> Iterator[Source]:
    """The readable files under `folder`; a subfolder that cannot be listed and a special file with a
    readable ending (a FIFO, a device, a broken link) are each one unusable source, so the user hears of them."""
    unlisted: list[OSError] = []
    for root, dirs, files in os.walk(folder, onerror=unlisted.append):
        yield from _unlisted_folders(unlisted)
        dirs[:] = sorted(name for name in dirs if not name.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(root, name)
            detected = forced_format or format_of(path, sniff=False)
            kind = irregular_kind(path) if detected else None
            if kind:
                yield _unusable(str(path), kind)
            elif detected:
                yield Source(str(path), detected)
    yield from _unlisted_folders(unlisted)


def _unusable(location: str, kind: str) -> Source:
    if kind == "missing":
        return Source(location, None, "no such file or directory")
    return Source(location, None, f"not a regular file ({kind})")


def _unlisted_folders(errors: list[OSError]) -> Iterator[Source]:
    """One unusable source per folder `os.walk` could not list, emptying `errors`."""
    while errors:
        error = errors.pop(0)
        yield Source(str(error.filename), None, f"cannot read folder: {error.strerror or error}")


def format_of(path: Path, *, sniff: bool) -> str | None:
    """The format by file ending; for files named explicitly, an unknown ending is decided by content."""
    name = path.name.lower()
    for suffix, detected in _FORMAT_BY_SUFFIX.items():
        if name.endswith(suffix):
            return detected
    return _sniff(path) if sniff else None


def _sniff(path: Path) -> str:
    try:
        with open_regular(path) as handle:
            head = handle.read(2048).lstrip().lower()
    except OSError:
        return "text"
    if head.startswith(b"warc/"):
        return "warc"
    if head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head or b"<rdf" in head):
        return "feed"
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    if head.startswith(b"{"):
        return "jsonl"
    return "text"


def read_source(source: Source, options: ReadOptions) -> Reading:
    """Read one source; any failure becomes a problem naming it, so the batch can go on. Every item is
    `checked` (valid Unicode only), and after `MAX_PROBLEMS_PER_SOURCE` problems in one file the rest are
    counted in one closing line instead of one line each."""
    problems = 0
    for item in _read_unchecked(source, options):
        item = checked(item)
        if isinstance(item, IngestProblem):
            problems += 1
            if problems > MAX_PROBLEMS_PER_SOURCE:
                continue
        yield item
    if problems > MAX_PROBLEMS_PER_SOURCE:
        hidden = problems - MAX_PROBLEMS_PER_SOURCE
        yield IngestProblem(
            safe_text(source.location), f"{hidden:,} more problems like those above (only the first are listed)"
        )


def _read_unchecked(source: Source, options: ReadOptions) -> Reading:
    if source.format is None:
        yield IngestProblem(source.location, source.problem or "unreadable")
        return
    try:
        if source.format == "feed-url":
            yield from read_feed_url(source.location, options)
        else:
            yield from _FILE_READERS[source.format](Path(source.location), options)
    except OSError as error:
        yield IngestProblem(source.location, f"cannot read: {error.strerror or error}")
    except Exception as error:  # a reader bug or a library failure must not stop the batch
        yield IngestProblem(source.location, f"failed to read as {source.format}: {type(error).__name__}: {error}")
