"""Plain-text articles: the file's decoded text is stored unchanged, so offsets index the file."""

from __future__ import annotations

from pathlib import Path

from newstrace.ingest.base import Reading, ReadOptions
from newstrace.ingest.decode import NotText, decode_bytes, normalise_newlines
from newstrace.ingest.files import read_article_bytes
from newstrace.ingest.text_header import parse_text_header
from newstrace.records import ArticleDraft, IngestProblem


def read_text(path: Path, options: ReadOptions) -> Reading:
    """Yield one draft for a text file, or one problem saying why it cannot be read."""
    origin = str(path)
    data = read_article_bytes(path, origin, options)
    if isinstance(data, IngestProblem):
        yield data
        return
    try:
        text, encoding = decode_bytes(data)
    except NotText as error:
        yield IngestProblem(origin, str(error))
        return
    yield from text_to_drafts(normalise_newlines(text), origin, encoding, path=str(path))


def text_to_drafts(text: str, origin: str, encoding: str, *, path: str | None) -> Reading:
    """Build the draft for one decoded article text, reading its header conventions."""
    if not text.strip():
        yield IngestProblem(origin, "empty file (no text)")
        return
    header = parse_text_header(text)
    sources = dict(header.sources)
    sources["encoding"] = encoding
    yield ArticleDraft(
        text=text,
        origin=origin,
        source_format="text",
        path=path,
        title=header.title,
        published=header.published,
        outlet=header.outlet,
        author=header.author,
        dateline=header.dateline,
        field_sources=sources,
        header_spans=tuple(header.spans),
    )
