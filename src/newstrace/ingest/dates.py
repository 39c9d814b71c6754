"""Parse the many ways news sources write a publication date into an ISO date (YYYY-MM-DD)."""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from newstrace.ingest.date_locales import locales_that_may_read
from newstrace.ingest.date_placement import dates_an_earlier_event, in_running_text, stands_in_another_piece

_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\s*$")
# Digit boundaries rather than \b: in "2024年" the year runs straight into a CJK letter, a word character.
_HAS_YEAR = re.compile(r"(?<!\d)(1[89]\d{2}|20\d{2})(?!\d)")
# "12.03.2024": every language that writes a date with dots puts the day first.
_DOTTED_DATE = re.compile(r"(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?!\d)")
# "2024年7月10日" (Chinese, Japanese) and "2024년 7월 10일" (Korean): year, month and day each marked.
_MARKED_YMD_DATE = re.compile(r"(?<!\d)(\d{4})\s?[年년]\s?(\d{1,2})\s?[月월]\s?(\d{1,2})\s?[日일]")
_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?=[/._-]|$)")
_NAME_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})-(\d{2})-(\d{2})(?!\d)")
# "7: 35 am", "1: 00pm", "6: 07: 15 PM", as tokenised archives write times: every colon of one time is joined.
_SPACED_TIME = re.compile(r"\b\d{1,2}(?:: \d{2}){1,2}(?!\d)")


def to_iso_date(value: object) -> str | None:
    """Return `value` as an ISO date, or None when it holds no complete date (day, month and year)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    text = str(value).strip()
    if not text:
        return None
    match = _ISO_DATE.match(text)
    if match:
        return _valid_iso(*map(int, match.groups()))
    numeric = _numeric_day_month_year(text)
    if numeric:
        return numeric
    if not _HAS_YEAR.search(text):
        return None  # "July 10." alone cannot be placed in time
    return _parse_with_dateparser(_SPACED_TIME.sub(_joined_time, text))


def _joined_time(match: re.Match[str]) -> str:
    return match.group().replace(": ", ":")


def _numeric_day_month_year(text: str) -> str | None:
    """A date written in digits whose order the writing fixes: dotted day-first, or CJK year-month-day."""
    dotted = _DOTTED_DATE.search(text)
    if dotted:
        day, month, year = map(int, dotted.groups())
        return _valid_iso(year, month, day)
    marked = _MARKED_YMD_DATE.search(text)
    return _valid_iso(*map(int, marked.groups())) if marked else None


def _valid_iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


_DATEPARSER_SETTINGS = {"REQUIRE_PARTS": ["day", "month", "year"], "PREFER_DATES_FROM": "past"}


@lru_cache(maxsize=4096)
def _parse_with_dateparser(text: str) -> str | None:
    english, any_language = _date_parsers()
    parsed = english.get_date_data(text)["date_obj"] or _parse_in_any_language(text, any_language)
    return parsed.date().isoformat() if parsed else None


def _parse_in_any_language(text: str, any_language: Any) -> datetime | None:
    """What the all-language parser reads in `text`, asking only the locales that may apply to it:
    testing each locale the first time costs dateparser seconds of pattern compiling in all."""
    names = locales_that_may_read(text, any_language)
    if names is None:
        parser = any_language
    elif names in ([], ["en"]):
        return None  # no locale, or English alone again: it did not read the string
    else:
        parser = _parser_of_locales(tuple(names))
    parsed: datetime | None = parser.get_date_data(text)["date_obj"]
    return parsed


@lru_cache(maxsize=64)
def _parser_of_locales(names: tuple[str, ...]) -> Any:
    """An all-language parser restricted to these locales (dateparser keeps their order)."""
    from dateparser.date import DateDataParser

    return DateDataParser(locales=list(names), settings=_DATEPARSER_SETTINGS)


@lru_cache(maxsize=1)
def _date_parsers() -> tuple[Any, Any]:
    """An English and an all-language dateparser parser, built once: `dateparser.parse` with settings
    builds a new parser each call, which costs a third of a call; these hold no state between calls
    (no previous-locale memory), so reusing them parses exactly as `dateparser.parse` does."""
    # dateparser takes about a second to import; only pay for it when a free-text date turns up.
    from dateparser.date import DateDataParser

    english = DateDataParser(languages=["en"], settings=_DATEPARSER_SETTINGS)
    return english, DateDataParser(settings=_DATEPARSER_SETTINGS)


def date_from_url(url: str | None) -> str | None:
    """The date in a URL path such as `/2025/03/12/slug`, a common news-site convention."""
    match = _URL_DATE.search(url or "")
    return _valid_iso(*map(int, match.groups())) if match else None


def date_from_file_name(path: str | None) -> str | None:
    """An ISO date in a file's name (`2025-03-12_story.txt`), as archives often name their files."""
    if not path:
        return None
    match = _NAME_DATE.search(path.replace("\\", "/").rsplit("/", 1)[-1])
    return _valid_iso(*map(int, match.groups())) if match else None


# A full date written out in running text: "July 10, 2024", "Dec. 15th, 2008", "10 July 2024", "2024-07-10".
_MONTH_NAMES = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_MONTHS = {name: index for index, name in enumerate(_MONTH_NAMES.split("|")[:12], start=1)}
_ORDINAL = r"(?:st|nd|rd|th)?"
_TEXT_DATE = re.compile(
    rf"\b(?P<m1>{_MONTH_NAMES})\b\s?\.?\s+(?P<d1>\d{{1,2}}){_ORDINAL}\s?,?\s+(?P<y1>(?:19|20)\d{{2}})\b"
    rf"|\b(?P<d2>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?(?P<m2>{_MONTH_NAMES})\b\s?\.?\s?,?\s+(?P<y2>(?:19|20)\d{{2}})\b"
    r"|(?<![\d-])(?P<y3>(?:19|20)\d{2})-(?P<m3>\d{2})-(?P<d3>\d{2})(?![\d-])",
    re.IGNORECASE,
)
LEAD_CHARS = 600  # how far into a text a written-out date still counts as the article's own


def date_in_lead(text: str) -> tuple[str, tuple[int, int]] | None:
    """The first full date (day, month and year) in the text's opening characters that can be the
    article's own, as an ISO date with its span; None when the lead names none. News puts its own date
    there: a date line under the headline, a dated dateline, or the day of the event in the first
    sentence. Dates of something else are passed over: a birth or founding, a copy's download, a
    caption, an embedded post or a citation, and an earlier event told in a sentence."""
    for match in _TEXT_DATE.finditer(text, 0, LEAD_CHARS):
        iso = _iso_from_match(match)
        if iso and _may_be_the_articles_own(text, match.start(), match.end(), iso):
            return iso, match.span()
    return None


def _may_be_the_articles_own(text: str, start: int, end: int, iso: str) -> bool:
    if _dates_something_else(text, start) or _dates_a_copy(text, start) or stands_in_another_piece(text, start, end):
        return False
    return not (in_running_text(text, start, end) and dates_an_earlier_event(text, iso))


# A date that is the object of a verb saying when a copy was made is the copy's date, not the article's:
# "[downloaded on 2 October 2013]", "Retrieved 3 March 2024", "Last accessed: 2024-03-03". The verb must be
# followed directly by the date (an optional "on"/"at" and colon between), so "accessed the account on
# July 3, 2024", a sentence about the event, still dates the article.
_WEEKDAY_NAMES = "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun"
_COPY_CLAUSE = re.compile(
    r"[\[(]?\s*\b(?:downloaded|retrieved|accessed|crawled|printed|fetched|scraped|archived)(?:\s+(?:on|at))?\s*:?\s+"
    rf"(?=\d|(?:{_MONTH_NAMES}|{_WEEKDAY_NAMES})\b)[^\])\n]*[\])]?",
    re.IGNORECASE,
)


def without_copy_dates(line: str) -> str:
    """`line` without the clauses that say when a copy of the page was downloaded, retrieved, accessed,
    crawled or printed (each up to a closing bracket or the line's end), so only its own date is left."""
    return _COPY_CLAUSE.sub("", line)


def _dates_a_copy(text: str, date_start: int) -> bool:
    """Whether the date at `date_start` stands in a clause saying when a copy of the page was made."""
    line_start = text.rfind("\n", 0, date_start) + 1
    line_end = text.find("\n", date_start)
    clauses = _COPY_CLAUSE.finditer(text, line_start, len(text) if line_end < 0 else line_end)
    return any(clause.start() < date_start < clause.end() for clause in clauses)


# Words that make a date in its sentence another event's: "was born on April 22, 1923", "founded on ...".
_OTHER_EVENT_CUE = re.compile(
    r"\b(?:born|died|founded|established|married|since|until|dating from|built in|opened in)\b", re.IGNORECASE
)


def _dates_something_else(text: str, date_start: int) -> bool:
    """Whether the sentence before the date at `date_start` says it dates a birth, death or founding."""
    sentence_start = max(text.rfind(mark, 0, date_start) for mark in (". ", "\n", "! ", "? ")) + 1
    return _OTHER_EVENT_CUE.search(text, sentence_start, date_start) is not None


def _iso_from_match(match: re.Match[str]) -> str | None:
    groups = match.groupdict()
    if groups["y3"]:
        return _valid_iso(int(groups["y3"]), int(groups["m3"]), int(groups["d3"]))
    month_name = (groups["m1"] or groups["m2"]).lower()
    month = _MONTHS.get(month_name) or _MONTHS.get(_full_month(month_name), 0)
    day, year = int(groups["d1"] or groups["d2"]), int(groups["y1"] or groups["y2"])
    return _valid_iso(year, month, day) if month else None


def _full_month(abbreviation: str) -> str:
    return next((name for name in _MONTHS if name.startswith(abbreviation[:3])), "")
