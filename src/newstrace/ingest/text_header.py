"""Recognise the header and dateline conventions news text carries in its first lines.

Examples it understands (each at the start of one of the first few non-empty lines):

    date 2023-11-12 (MENAFN) NATO Secretary General ...     -> published, outlet
    WASHINGTON, July 10. /TASS/. The summit ...             -> dateline, outlet (no year: no date)
    LONDON (Reuters) - Britain said ...                     -> dateline, outlet
    KYIV, Ukraine (AP) — Air raid sirens ...                -> dateline, outlet
    By Jane Doe                                             -> author
    Published: 12 November 2023                             -> published
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newstrace.ingest.dates import to_iso_date, without_copy_dates

_LINES_TO_SCAN = 6
_HEADLINE_MAX_CHARS = 160

_MENAFN = re.compile(r"^\s*date\s+(?P<date>\d{4}-\d{2}-\d{2})\s*\((?P<outlet>[^()\n]{2,40})\)\s*")
_TASS = re.compile(
    r"^\s*(?P<place>[A-Z][A-Z .'-]+?),\s+(?P<date>[A-Z][a-z]+\.?\s+\d{1,2}(?:,?\s+\d{4})?)\.?\s*"
    r"/(?P<outlet>[A-Za-z][A-Za-z .-]{1,30})/\.?\s*"
)
_WIRE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Za-z .'-]*[A-Z](?:,\s+[A-Z][A-Za-z .'-]+)?)\s+\((?P<outlet>[^()\n]{2,40})\)\s*[-–—]+\s*"
)
_CAPS_DATELINE = re.compile(r"^\s*(?P<place>[A-Z][A-Z.'-]{2,}(?: [A-Z][A-Z.'-]+)*(?:, [A-Z][A-Za-z. ]+)?)\s+[-–—]+\s+")
_BYLINE = re.compile(r"^\s*By\s+(?P<author>[A-Z][\w.'-]+(?:\s+(?:[A-Z][\w.'-]+|and|de|van|von))*)\s*$")
_DATE_LINE = re.compile(r"^\s*(?:(?:Published|Updated|Posted|Date)\s*:?\s*)?(?P<date>.{6,60})$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


@dataclass
class TextHeader:
    """Metadata read from the top of a plain-text article, with where each value came from."""

    title: str | None = None
    published: str | None = None
    outlet: str | None = None
    author: str | None = None
    dateline: str | None = None
    sources: dict[str, str] = field(default_factory=dict)
    spans: list[tuple[int, int]] = field(default_factory=list)  # where datelines stand in the text

    def set(self, name: str, value: str | None, source: str) -> None:
        """Fill a field once: the first convention to supply a value wins."""
        if value and getattr(self, name) is None:
            setattr(self, name, value.strip())
            self.sources[name] = source


def parse_text_header(text: str) -> TextHeader:
    """Read the headline, dateline, outlet, author and date from the first lines of `text`."""
    header = TextHeader()
    for index, (line_start, line) in enumerate(_first_lines(text)):
        body = _consume_dateline(line, header)
        if body is not line:
            consumed = len(line) - len(body)
            header.spans.append((line_start + len(line) - len(line.lstrip()), line_start + consumed))
        if index == 0:
            _take_headline(body if body is not line else line, header, after_dateline=body is not line)
            continue
        _take_byline_or_date(line, header)
    return header


def _first_lines(text: str) -> list[tuple[int, str]]:
    """The first non-empty lines with the offset each starts at."""
    lines, offset = [], 0
    for line in text.split("\n"):
        if line.strip():
            lines.append((offset, line))
            if len(lines) == _LINES_TO_SCAN:
                break
        offset += len(line) + 1
    return lines


def _consume_dateline(line: str, header: TextHeader) -> str:
    """Apply the first dateline convention that matches `line`; return the rest of the line."""
    for pattern in (_MENAFN, _TASS, _WIRE, _CAPS_DATELINE):
        match = pattern.match(line)
        if not match:
            continue
        groups = match.groupdict()
        header.set("published", to_iso_date(groups.get("date")), "header")
        header.set("outlet", groups.get("outlet"), "header")
        header.set("dateline", groups.get("place"), "header")
        return line[match.end() :]
    return line


def _take_headline(line: str, header: TextHeader, *, after_dateline: bool) -> None:
    """The first non-empty line is the headline, unless it is really a lead paragraph behind a dateline."""
    stripped = line.strip()
    if not stripped:
        return
    if not after_dateline and len(stripped) <= _HEADLINE_MAX_CHARS * 2:
        header.set("title", stripped, "header")
        return
    first_sentence = _SENTENCE_END.split(stripped, maxsplit=1)[0]
    if len(first_sentence) > _HEADLINE_MAX_CHARS:
        first_sentence = first_sentence[:_HEADLINE_MAX_CHARS].rsplit(" ", 1)[0] + "…"
    header.set("title", first_sentence, "inferred")


def _take_byline_or_date(line: str, header: TextHeader) -> None:
    byline = _BYLINE.match(line)
    if byline:
        header.set("author", byline.group("author"), "header")
        return
    if header.published is None and len(line) <= 80:
        date_line = _DATE_LINE.match(without_copy_dates(line))
        if date_line:
            header.set("published", to_iso_date(date_line.group("date")), "header")
