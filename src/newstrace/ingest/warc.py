"""WARC and WARC.gz web archives: each HTML response record goes through the HTML path."""

from __future__ import annotations

from pathlib import Path

from newstrace.ingest.base import Reading, ReadOptions, too_large
from newstrace.ingest.files import open_regular
from newstrace.ingest.html import html_to_drafts
from newstrace.records import IngestProblem


def read_warc(path: Path, options: ReadOptions) -> Reading:
    """Yield the articles of every HTML response; a truncated archive keeps what came before the damage."""
    from warcio.archiveiterator import ArchiveIterator

    origin = str(path)
    records_read = 0
    complete_records = 0
    with open_regular(path) as stream:
        try:
            for record in ArchiveIterator(stream):
                if record.rec_type is None:
                    raise _Truncated("a record header is cut short")
                if record.rec_type != "response" or not _is_html(record):
                    continue
                records_read += 1
                url = record.rec_headers.get_header("WARC-Target-URI")
                record_origin = f"{path}#{url}"
                body = record.content_stream().read(options.max_article_bytes + 1)
                problem = too_large(len(body), record_origin, options)
                if problem:
                    yield problem
                    continue
                if getattr(record.raw_stream, "limit", 0) > 0:
                    raise _Truncated(f"the record for {url} ends before its declared length")
                complete_records += 1
                yield from html_to_drafts(body, record_origin, path=str(path), url=url)
        except Exception as error:  # warcio raises several unrelated types for damaged archives
            yield IngestProblem(
                origin, f"truncated or corrupt WARC after {complete_records} complete HTML records ({error})"
            )
            return
    if records_read == 0:
        yield IngestProblem(origin, "no HTML response records in the WARC file")


class _Truncated(Exception):
    """The archive ends in the middle of a record."""


def _is_html(record: object) -> bool:
    headers = getattr(record, "http_headers", None)
    content_type = headers.get_header("Content-Type") if headers else None
    return bool(content_type and "html" in content_type.lower())
