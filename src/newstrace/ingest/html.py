"""HTML pages: trafilatura finds the main text and the title, author, date and site name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newstrace.ingest.base import Reading, ReadOptions, clean_value
from newstrace.ingest.dates import to_iso_date
from newstrace.ingest.decode import NotText, decode_bytes
from newstrace.ingest.files import read_article_bytes
from newstrace.ingest.text_header import parse_text_header
from newstrace.records import ArticleDraft, IngestProblem

_MIN_WORDS = 5  # fewer words than this is a navigation or error page, not an article


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


def _extract(raw: bytes | str, url: str | None) -> Any:
    import trafilatura

    return trafilatura.bare_extraction(
        raw, url=url, with_metadata=True, include_comments=False, include_tables=False, favor_recall=True
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
