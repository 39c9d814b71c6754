"""The last check on everything a reader yields: only valid Unicode leaves the ingest layer.

Two kinds of string cannot be encoded as UTF-8 (and so cannot be stored or printed):

- A file name that is not valid UTF-8. Python hands it over with each stray byte as a lone surrogate
  (PEP 383), which still opens the file, so the file is read; its `path` and every message name it with
  the stray bytes written as `\\xNN` escapes (`caf\\xe9.txt`), readable and unambiguous.
- A lone surrogate inside a record's text or metadata (JSON allows `"\\udc00"`). Such a record is not
  valid text: it becomes one problem naming the record and the field, and the other records are kept.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace

from newstrace.records import ArticleDraft, IngestProblem

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTENT_FIELDS = ("text", "title", "url", "published", "outlet", "author", "dateline", "language")


def safe_text(text: str) -> str:
    """`text` unchanged when it is valid Unicode; otherwise with each undecodable byte or lone surrogate
    written as a backslash escape."""
    if not _SURROGATE.search(text):
        return text
    try:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that is no escaped byte of a file name
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def checked(item: ArticleDraft | IngestProblem) -> ArticleDraft | IngestProblem:
    """The item with safe names, or a problem when a field of the record holds a lone surrogate."""
    origin = safe_text(item.origin)
    if isinstance(item, IngestProblem):
        return IngestProblem(origin, safe_text(item.reason))
    for name in _CONTENT_FIELDS:
        value = getattr(item, name)
        found = _SURROGATE.search(value) if value else None
        if found:
            return IngestProblem(
                origin,
                f"the {name} holds a lone surrogate ({safe_text(found.group())} at character {found.start()}), "
                "which is not valid Unicode",
            )
    path = safe_text(item.path) if item.path else item.path
    return replace(item, origin=origin, path=path)
