"""HTML pages: trafilatura finds the main text and the title, author, date and site name.

An element with more than `MAX_ATTRIBUTES` attributes loses them all before parsing: libxml2 compares
each attribute with all the element's earlier ones, so a hostile page with a million attributes on one
element would take hours to parse; no real page has a use for so many.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from newstrace.ingest.base import Reading, ReadOptions, clean_value
from newstrace.ingest.dates import to_iso_date
from newstrace.ingest.decode import NotText, decode_bytes
from newstrace.ingest.files import read_article_bytes
from newstrace.ingest.text_header import parse_text_header
from newstrace.records import ArticleDraft, IngestProblem

_MIN_WORDS = 5  # fewer words than this is a navigation or error page, not an article
MAX_ATTRIBUTES = 2_000
# A start tag's name, then its attributes as libxml2 reads them (a value is optional, junk between them
# is skipped); possessive, so a page costs one pass however its tags are built.
_ATTRIBUTE_SYNTAX = rb"""[^\s/>=]+(?:\s*=\s*(?:"[^"]*"?|'[^']*'?|[^\s>"']*))?"""
_START_TAG = re.compile(rb"<[A-Za-z][^\s/>]*((?:[\s/]*" + _ATTRIBUTE_SYNTAX + rb")*+)")
_ATTRIBUTE = re.compile(_ATTRIBUTE_SYNTAX)


def read_html(path: Path, options: ReadOptions) -> Reading:
    """Yield the article in one HTML file."""
    origin = str(path)
    page = read_article_bytes(path, origin, options)
    if isinstance(page, IngestProblem):
        yield page
        return
    yield from html_to_drafts(page, origin, path=str(path), url=None)


def html_to_drafts(
    page: bytes | str, origin: str, *, path: str | None, url: str | None, metadata: dict[str, str] | None = None
) -> Reading:
    """Extract the article from one HTML page; `metadata` (e.g. from a feed) fills what the page lacks."""
    raw = page.encode("utf-8", "replace") if isinstance(page, str) else page
    if not raw.strip():
        yield IngestProblem(origin, "empty HTML page")
        return
    try:
        decoded, encoding = decode_bytes(raw)
    except NotText:
        yield IngestProblem(origin, "binary content (not an HTML page)")
        return
    # trafilatura reads the page's declared charset from bytes; a BOM-marked page is passed decoded.
    document = _extract(decoded if encoding.startswith("utf-16") or encoding.startswith("utf-32") else raw, url)
    text = clean_value(getattr(document, "text", None)) if document is not None else None
    if not text or len(text.split()) < _MIN_WORDS:
        yield IngestProblem(origin, "no article text found in the HTML (page empty, malformed or not an article)")
        return
    yield _draft_from_document(document, text, origin, path, url, metadata or {})


def without_attribute_floods(page: bytes) -> bytes:
    """`page` with every element of more than `MAX_ATTRIBUTES` attributes stripped of them all."""
    if len(page) < 2 * MAX_ATTRIBUTES:
        return page  # too short to hold such an element

    def strip_flood(tag: re.Match[bytes]) -> bytes:
        listed = tag.group(1)
        if len(listed) >= 2 * MAX_ATTRIBUTES and _more_than(MAX_ATTRIBUTES, _ATTRIBUTE.finditer(listed)):
            return tag.group(0)[: tag.start(1) - tag.start(0)]
        return tag.group(0)

    return _START_TAG.sub(strip_flood, page)


def _more_than(limit: int, items: Iterator[object]) -> bool:
    return next(islice(items, limit, None), None) is not None


def _extract(raw: bytes | str, url: str | None) -> Any:
    import trafilatura

    if isinstance(raw, str):
        page: bytes | str = without_attribute_floods(raw.encode("utf-8", "surrogatepass")).decode(
            "utf-8", "surrogatepass"
        )
    else:
        page = without_attribute_floods(raw)
    return trafilatura.bare_extraction(
        page,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_recall=True,
    )


def _draft_from_document(
    document: Any, text: str, origin: str, path: str | None, url: str | None, extra: dict[str, str]
) -> ArticleDraft:
    found = {
        "title": clean_value(document.title),
        "author": clean_value(document.author),
        "published": to_iso_date(clean_value(document.date)),
        "outlet": clean_value(document.sitename),
        "url": url or clean_value(document.url),
    }
    for name, value in extra.items():
        if value and not found.get(name):
            found[name] = value
    sources = {name: "metadata" for name, value in found.items() if value}
    header = parse_text_header(text)
    for name in ("published", "outlet", "author", "title"):
        if not found.get(name) and getattr(header, name):
            found[name] = getattr(header, name)
            sources[name] = header.sources[name]
    return ArticleDraft(
        text=text,
        origin=origin,
        source_format="html",
        path=path,
        url=found["url"],
        title=found["title"],
        published=found["published"],
        outlet=found["outlet"],
        author=found["author"],
        dateline=header.dateline,
        field_sources=sources | ({"dateline": "header"} if header.dateline else {}),
        header_spans=tuple(header.spans),
    )
