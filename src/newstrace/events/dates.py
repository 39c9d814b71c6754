"""Resolve an event's date expression ("on Tuesday", "yesterday", "last week", "July 9") against the
article's date: a weekday is the most recent such day on or before the article's date (news reports what
happened; "on Tuesday" in a Tuesday article is that day), or, for an event told in the future ("will speak
on Monday", or scheduled, whatever the tense: "had been scheduled to speak on Monday" puts the scheduling
before the report, not the day it names), the coming such day, unless that is six days off: "Monday" in a
Tuesday text is the day before even told as to come (a copy published a day after its report, "would close
on Monday"); relative and explicit dates are read by dateparser from the article's date; a day without its
year soon after the article's ("July 23" in a July 22 article) stays undated rather than become last year's,
and one told in the future ("will vote on May 3" in a February text) is the coming one.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from functools import lru_cache

import dateparser

# Expressions that name no day: they stay unresolved rather than become the article's date.
_VAGUE = re.compile(r"^(the )?(past|coming|next|recent|later|earlier|this) (days|weeks|months|years)$|decades?|"
                    r"^\d{4}s$|century|years? (ago|old)|anniversary", re.IGNORECASE)  # fmt: skip
_LEADING = re.compile(r"^(on|in|by|since|from|until|during|late|early)\s+", re.IGNORECASE)
_PART_OF_DAY = re.compile(r"\s+(morning|afternoon|evening|night)$", re.IGNORECASE)
# Expressions that cannot name a day, told without dateparser (which takes milliseconds a call): a bare
# number or year, a month with or without its year; and any expression with neither a digit nor a word
# of a relative day ("last summer", "the election season").
_MONTHS = r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_NAMES_NO_DAY = re.compile(rf"^(\d+|({_MONTHS})[a-z]*\.?(,? \d{{4}})?)$", re.IGNORECASE)
_RELATIVE_DAY = re.compile(r"\b(yesterday|today|tonight|tomorrow|ago|last|week|weekend|day)\b", re.IGNORECASE)
COMING_DAYS = 31  # a day named without its year this close after the article's is a coming day: undated
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# A weekday told as to come is the coming one up to this many days ahead. Six days off, a plan is "next
# Monday"; a bare "Monday" in a Tuesday text is more often a copy of the day before's report, and copies
# must keep their event's date.
_NEAR_DAYS_AHEAD = 5


@lru_cache(maxsize=8192)  # dateparser takes tens of milliseconds a call; reports repeat their expressions
def resolve_event_date(expression: str | None, article_date: str | None, ahead: bool = False) -> str | None:
    """The ISO date (YYYY-MM-DD) an expression names, seen from the article's date; None when either is
    missing, the article's date cannot be read, or the expression names no single day. `ahead`: the
    event is told in the future, so a weekday up to five days ahead is the coming one ("Trump will speak on
    Monday" in a Sunday article is the next day, not six days before)."""
    if not expression or not article_date:
        return None
    base = _read_article_date(article_date)
    if base is None:
        return None
    text = _PART_OF_DAY.sub("", _LEADING.sub("", expression.strip()))
    if _VAGUE.search(text) or _names_no_day(text):
        return None
    if text.lower() in _WEEKDAYS:
        named = _WEEKDAYS.index(text.lower())
        days_ahead = (named - base.weekday()) % 7
        if ahead and days_ahead <= _NEAR_DAYS_AHEAD:
            return (base.date() + timedelta(days=days_ahead)).isoformat()
        return (base.date() - timedelta(days=(base.weekday() - named) % 7)).isoformat()
    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", "REQUIRE_PARTS": ["year", "month", "day"]}
    settings_without_year = {**settings, "REQUIRE_PARTS": ["month", "day"]}
    found = dateparser.parse(text, languages=["en"], settings=settings)
    if found is None:
        found = dateparser.parse(text, languages=["en"], settings=settings_without_year)
    if found is None:
        return None
    if not _has_year(text):
        return _day_without_year(found.date(), base.date(), ahead)
    return str(found.date().isoformat())


def _day_without_year(day: date, article_day: date, ahead: bool) -> str | None:
    """The day a month and day without a year name (`day` is dateparser's, which prefers the past). Told
    in the future ("will vote on May 3" in February) it is the coming one, within a year; told in the
    past, a day soon after the article's stays undated (`_coming`) and a later one is last year's."""
    if ahead:
        coming = day if day >= article_day else _next_year(day)
        if coming is not None and coming - article_day <= timedelta(days=366):
            return coming.isoformat()
        return None
    return None if _coming(day, article_day) else day.isoformat()


def _next_year(day: date) -> date | None:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return None


def _coming(day: date, article_day: date) -> bool:
    """A day named without its year that is after the article's, or whose next year's is within
    COMING_DAYS after it: "July 23" in a July 22 article is tomorrow, not last year's July 23 (dateparser,
    told to prefer the past, gives that one)."""
    if day > article_day:
        return True
    next_year = _next_year(day)
    return next_year is not None and article_day < next_year <= article_day + timedelta(days=COMING_DAYS)


def _names_no_day(text: str) -> bool:
    if text.lower() in _WEEKDAYS:
        return False
    no_digit = not any(character.isdigit() for character in text)
    return _NAMES_NO_DAY.match(text) is not None or (no_digit and _RELATIVE_DAY.search(text) is None)


def _has_year(text: str) -> bool:
    return re.search(r"\b\d{4}\b", text) is not None


def _read_article_date(value: str) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(value[:10]), datetime.min.time())
    except ValueError:
        return None
