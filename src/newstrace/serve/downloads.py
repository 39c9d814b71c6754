"""CSV downloads of whole results (a search, an index listing), streamed row batch by row batch, uncapped.

Their columns are those `newstrace export` writes for the table the rows come from (articles for a
search, renderings for flags, ...), JSON columns as JSON text; outlets, which no export table holds,
keep the columns of their page.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from operator import attrgetter

from newstrace.export import export_columns
from newstrace.records import as_json
from newstrace.serve import data
from newstrace.store.base import ListFilters, SearchFilters, SearchSyntaxError, Store

_BATCH_ROWS = 500
# The export table whose columns each listing's CSV carries.
LISTING_TABLES = {"stories": "stories", "speakers": "speakers", "utterances": "utterances", "flags": "renderings"}
OUTLET_COLUMNS = ("outlet", "n_articles", "first_published", "last_published")


def search_csv(store: Store, filters: SearchFilters) -> Iterator[str]:
    """Every article matching a search, as CSV text in pieces."""
    try:
        rows = store.iter_search(filters)
    except SearchSyntaxError as error:
        raise data.BadRequest(f"{error} (choose literal search to look for the words as typed)") from error
    return record_csv_chunks(rows, export_columns("articles"))


def listing_csv(store: Store, filters: ListFilters, corpus: dict[str, object] | None = None) -> Iterator[str]:
    """Every row of an index listing, as CSV text in pieces: from the `corpus` summary when it holds them,
    as the listing's pages are (the speakers of a million articles took 39 s to their first row counted
    anew, at load 13), else from the store."""
    data.check_listing(filters)
    table = LISTING_TABLES.get(filters.listing)
    columns = export_columns(table) if table else OUTLET_COLUMNS
    summarised = data.summarised_rows(filters, corpus)
    rows = summarised if summarised is not None else (as_json(row) for row in store.iter_list(filters))
    return csv_chunks(rows, columns)


def csv_chunks(rows: Iterable[dict[str, object]], columns: tuple[str, ...]) -> Iterator[str]:
    """The header, then `_BATCH_ROWS` rows at a time; columns a row has beyond `columns` are left out."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % _BATCH_ROWS == 0:
            yield _drained(buffer)
    yield _drained(buffer)


def record_csv_chunks(records: Iterable[object], columns: tuple[str, ...]) -> Iterator[str]:
    """As `csv_chunks`, for records with a field of each column: the columns read by name, written by position."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    values = attrgetter(*columns)
    for count, record in enumerate(records, start=1):
        writer.writerow(values(record))
        if count % _BATCH_ROWS == 0:
            yield _drained(buffer)
    yield _drained(buffer)


def _drained(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text
