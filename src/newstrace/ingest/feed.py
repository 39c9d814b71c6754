"""RSS and Atom feeds, from a file or a URL: entries with content become articles.

With `--fetch`, each entry's linked page is downloaded and read through the HTML path instead, the
entry's title, date and author filling whatever the page lacks. Feed URLs and linked pages are downloaded
only over http(s) from public addresses (see `fetch`), unless the user allows private addresses.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newstrace.ingest.base import Reading, ReadOptions, clean_value, too_large
from newstrace.ingest.fetch import EVERY_NETWORK, FetchError, fetch
from newstrace.ingest.fragment import fragment_to_text
from newstrace.ingest.html import html_to_drafts
from newstrace.records import ArticleDraft, IngestProblem


def read_feed_file(path: Path, options: ReadOptions) -> Reading:
    yield from feed_to_drafts(path.read_bytes(), str(path), str(path), options)


def read_feed_url(url: str, options: ReadOptions) -> Reading:
    try:
        body = _fetch(url, options.max_article_bytes * 10, options)
    except FetchError as error:
        yield IngestProblem(url, str(error))
        return
    yield from feed_to_drafts(body, url, None, options)


def feed_to_drafts(body: bytes, origin: str, path: str | None, options: ReadOptions) -> Reading:
    """Yield the articles of one parsed feed."""
    import feedparser

    parsed = feedparser.parse(body)
    if not parsed.entries:
        reason = getattr(parsed, "bozo_exception", None) or "no entries"
        yield IngestProblem(origin, f"not a readable RSS/Atom feed ({reason})")
        return
    feed_title = clean_value(parsed.feed.get("title"))
    without_text = 0
    for index, entry in enumerate(parsed.entries, start=1):
        entry_origin = f"{origin}#entry{index}"
        metadata = _entry_metadata(entry, feed_title)
        if options.fetch_linked_pages and metadata.get("url"):
            yield from _fetched_page(metadata, entry_origin, options)
            continue
        draft = _entry_draft(entry, metadata, entry_origin, path, options)
        if draft is None:
            without_text += 1
        else:
            yield draft
    if without_text:
        yield IngestProblem(origin, f"{without_text} feed entries carry no text (use --fetch to download their pages)")


def _entry_metadata(entry: Any, feed_title: str | None) -> dict[str, str]:
    published = entry.get("published_parsed") or entry.get("updated_parsed")
    values = {
        "title": clean_value(entry.get("title")),
        "url": clean_value(entry.get("link")),
        "author": clean_value(entry.get("author")),
        "outlet": clean_value((entry.get("source") or {}).get("title")) or feed_title,
        "published": time.strftime("%Y-%m-%d", published) if published else None,
    }
    return {name: value for name, value in values.items() if value}


def _entry_draft(
    entry: Any, metadata: dict[str, str], origin: str, path: str | None, options: ReadOptions
) -> ArticleDraft | IngestProblem | None:
    html = _entry_html(entry)
    if not html:
        return None
    problem = too_large(len(html.encode("utf-8")), origin, options)
    if problem:
        return problem
    text = fragment_to_text(html)
    if not text:
        return None
    return ArticleDraft(
        text=text,
        origin=origin,
        source_format="feed",
        path=path,
        url=metadata.get("url"),
        title=metadata.get("title"),
        published=metadata.get("published"),
        outlet=metadata.get("outlet"),
        author=metadata.get("author"),
        field_sources={name: "metadata" for name in metadata},
    )


def _entry_html(entry: Any) -> str | None:
    for content in entry.get("content") or []:
        if clean_value(content.get("value")):
            return str(content["value"])
    summary = clean_value(entry.get("summary"))
    return summary


def _fetched_page(
    metadata: dict[str, str], origin: str, options: ReadOptions
) -> Iterator[ArticleDraft | IngestProblem]:
    url = metadata["url"]
    try:
        page = _fetch(url, options.max_article_bytes, options)
    except FetchError as error:
        yield IngestProblem(f"{origin} ({url})", str(error))
        return
    yield from html_to_drafts(page, f"{origin} ({url})", path=None, url=url, metadata=metadata)


def _fetch(url: str, max_bytes: int, options: ReadOptions) -> bytes:
    """Download `url` under the address policy: public addresses only, unless the user allowed private ones."""
    return fetch(url, max_bytes, allowed=EVERY_NETWORK if options.allow_private_addresses else ())
