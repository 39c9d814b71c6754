"""Metadata a user supplies for files that carry none: `analyze --meta meta.csv` and `--outlet/--published`.

A plain-text file often has no outlet or date in it (a page saved from a browser, a transcript). The
user knows them, and says so in a CSV with a `path` column and any of `outlet`, `published`, `url` and
`title`. A row applies to the file whose path is the same (relative paths are read from the CSV's
folder, or as given) or, failing that, to every file of that name when the name is unique in the
table. Values given by the user win over what the file says, and are recorded as `metadata` in the
article's `field_sources`.
"""

from __future__ import annotations

import csv
import os
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from newstrace.ingest.dates import to_iso_date
from newstrace.records import ArticleDraft, FieldSource

METADATA_COLUMNS = ("outlet", "published", "url", "title")


class MetadataError(ValueError):
    """A metadata table that cannot be used, with the file and the reason."""


@dataclass(frozen=True)
class SuppliedMetadata:
    """The fields a user gave for one file (or for every article of a run); None where not given."""

    outlet: str | None = None
    published: str | None = None  # ISO date
    url: str | None = None
    title: str | None = None

    def apply(self, draft: ArticleDraft) -> ArticleDraft:
        """The draft with every supplied field in place of its own, marked as metadata."""
        supplied = {name: getattr(self, name) for name in METADATA_COLUMNS if getattr(self, name)}
        if not supplied:
            return draft
        sources = dict(draft.field_sources)
        sources.update(dict.fromkeys(supplied, FieldSource.METADATA.value))
        return replace(draft, field_sources=sources, **supplied)


@dataclass(frozen=True)
class MetadataTable:
    """Supplied metadata by file: exact paths first, then unique file names."""

    by_path: dict[str, SuppliedMetadata]
    by_name: dict[str, SuppliedMetadata]
    for_all: SuppliedMetadata | None = None

    def lookup(self, path: str | None) -> SuppliedMetadata | None:
        """What the user supplied for the article read from `path` (merged with the run-wide values)."""
        found = None
        if path:
            found = self.by_path.get(_normalised(path)) or self.by_name.get(os.path.basename(path))
        if self.for_all is None:
            return found
        if found is None:
            return self.for_all
        merged = {name: getattr(found, name) or getattr(self.for_all, name) for name in METADATA_COLUMNS}
        return SuppliedMetadata(**merged)

    def apply(self, draft: ArticleDraft) -> ArticleDraft:
        supplied = self.lookup(draft.path)
        return supplied.apply(draft) if supplied else draft


def read_metadata_csv(path: Path) -> MetadataTable:
    """Read a metadata CSV (`path` plus any of outlet, published, url, title); errors name the row."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
            columns = set(rows[0]) if rows else set()
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise MetadataError(f"{path}: cannot read the metadata table ({error})") from error
    if not rows:
        raise MetadataError(f"{path}: the metadata table has no rows")
    if "path" not in columns or not columns & set(METADATA_COLUMNS):
        raise MetadataError(f"{path}: needs a `path` column and at least one of {', '.join(METADATA_COLUMNS)}")
    entries = [(line, row) for line, row in enumerate(rows, start=2)]
    return metadata_table(
        [(_resolved(path.parent, row["path"], path, line), _supplied(row, path, line)) for line, row in entries]
    )


def metadata_table(
    entries: list[tuple[str, SuppliedMetadata]], for_all: SuppliedMetadata | None = None
) -> MetadataTable:
    """A table from (path, metadata) pairs; a file name shared by two rows matches only by full path."""
    names = Counter(os.path.basename(file) for file, _ in entries)
    by_path = {_normalised(file): supplied for file, supplied in entries}
    by_name = {os.path.basename(file): supplied for file, supplied in entries if names[os.path.basename(file)] == 1}
    return MetadataTable(by_path, by_name, for_all)


def supplied_metadata(outlet: str | None = None, published: str | None = None) -> SuppliedMetadata | None:
    """The run-wide values of `--outlet` and `--published`, the date checked; None when neither is given."""
    if not outlet and not published:
        return None
    date = to_iso_date(published) if published else None
    if published and date is None:
        raise MetadataError(f"--published {published!r}: not a date with day, month and year (e.g. 2024-07-10)")
    return SuppliedMetadata(outlet=(outlet or "").strip() or None, published=date)


def _supplied(row: dict[str, str | None], table: Path, line: int) -> SuppliedMetadata:
    values = {name: (row.get(name) or "").strip() or None for name in METADATA_COLUMNS}
    raw_date = values["published"]
    if raw_date:
        values["published"] = to_iso_date(raw_date)
        if values["published"] is None:
            raise MetadataError(f"{table}, line {line}: published {raw_date!r} is not a date with day, month and year")
    return SuppliedMetadata(**values)


def _resolved(folder: Path, value: str | None, table: Path, line: int) -> str:
    if not value or not value.strip():
        raise MetadataError(f"{table}, line {line}: the path is empty")
    candidate = Path(value.strip())
    if not candidate.is_absolute() and (folder / candidate).exists():
        candidate = folder / candidate
    return str(candidate)


def _normalised(path: str) -> str:
    return os.path.normcase(os.path.abspath(path))
