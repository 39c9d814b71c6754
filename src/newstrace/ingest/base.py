"""What every format reader shares: options, the reading type, and how a draft is completed."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from newstrace.ingest.dates import date_from_file_name, date_from_url, date_in_lead
from newstrace.ingest.language import detect_language
from newstrace.ingest.outlet import outlet_from_url
from newstrace.records import ArticleDraft, FieldSource, IngestProblem

Reading = Iterator[ArticleDraft | IngestProblem]

DEFAULT_MAX_ARTICLE_MB = 10.0

# Column names tried, in order, for each article field in JSON Lines and CSV input.
DEFAULT_FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "article", "maintext"),
    "title": ("title", "headline"),
    "url": ("url", "link", "uri"),
    "published": ("published", "date", "pubdate", "published_at", "publication_date", "date_publish"),
    "outlet": ("outlet", "source", "site", "publisher", "site_name", "sitename"),
    "author": ("author", "authors", "byline"),
}


@dataclass(frozen=True)
class ReadOptions:
    """Choices the user makes about reading input."""

    field_map: dict[str, str] = field(default_factory=dict)  # article field -> column name
    fetch_linked_pages: bool = False
    allow_private_addresses: bool = False  # fetch from loopback, link-local and private networks too
    max_article_mb: float = DEFAULT_MAX_ARTICLE_MB

    @property
    def max_article_bytes(self) -> int:
        return int(self.max_article_mb * 1024 * 1024)

    def column_names(self, article_field: str) -> tuple[str, ...]:
        chosen = self.field_map.get(article_field)
        return (chosen,) if chosen else DEFAULT_FIELD_NAMES[article_field]


def too_large(size: int, origin: str, options: ReadOptions) -> IngestProblem | None:
    """A problem when one article's bytes exceed the limit that keeps memory bounded."""
    if size <= options.max_article_bytes:
        return None
    return IngestProblem(
        origin,
        f"{size / 1024 / 1024:.1f} MB is more than the {options.max_article_mb:g} MB allowed for one "
        "article (raise it with --max-article-mb)",
    )


def complete_draft(draft: ArticleDraft) -> ArticleDraft:
    """Fill what every format can derive the same way: outlet and date from the URL, and the language."""
    sources = dict(draft.field_sources)
    published = draft.published
    if not published:
        published = date_from_url(draft.url)
        if published:
            sources["published"] = FieldSource.URL.value
    if not published and draft.source_format == "text":
        published = date_from_file_name(draft.path)
        if published:
            sources["published"] = FieldSource.FILE_NAME.value
    if not published:
        found = date_in_lead(draft.text)
        if found:
            published = found[0]
            sources["published"] = FieldSource.TEXT.value
    outlet = draft.outlet
    if not outlet and draft.url:
        outlet = outlet_from_url(draft.url)
        if outlet:
            sources["outlet"] = FieldSource.URL.value
    language = draft.language
    if language:
        sources.setdefault("language", FieldSource.METADATA.value)
    else:
        language = detect_language(draft.text)
        if language:
            sources["language"] = FieldSource.INFERRED.value
    return replace(draft, published=published, outlet=outlet, language=language, field_sources=sources)


def clean_value(value: object) -> str | None:
    """A metadata value as stripped text, or None when it is missing or blank."""
    if value is None:
        return None
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value if item)
    text = str(value).strip()
    return text or None
