"""Asking dateparser only the locales that may apply to a date string reads every string as the
all-language pass does, and leaves out the locales an English-only string cannot fit.

Every date string here is fictional, written for this test.
"""

from __future__ import annotations

from typing import Any

import pytest
from dateparser.date import sanitize_date

from newstrace.ingest.date_locales import locales_that_may_read
from newstrace.ingest.dates import _date_parsers, _parse_with_dateparser, _parser_of_locales

_ENGLISH_ONLY = [
    "December 15, 2008 at 1: 00pm CST",
    "on Dec 23 2012, 5: 03p",
    "Roasts and toasts for the passing of 2015.",
    "Posted by Fictional Staff Writer on Tuesday, 2019",
    "— Ada Fictional (@adafictional) December 1, 2017",
    "Updated: March 4th 2024 at 1: 00pm",
]

FICTIONAL_DATES = [
    *_ENGLISH_ONLY,
    "2024-03-04T10:15:00Z",
    "Mon, 04 Mar 2024 10:15:00 +0100",
    "March 4, 2024",
    "4 March 2024",
    "4 mars 2024",
    "le 5 juin 2022 à 14h",
    "4 marzo 2024",
    "12 de julio de 2019",
    "4 марта 2024",
    "4 марта 2024 года, 12:00",
    "2024年3月4日",
    "2024년 3월 4일",
    "5. Mai 2023",
    "5 Mai 2023 um 14:00",
    "3 Ocak 2021",
    "4 maart 2024",
    "4 de março de 2024",
    "Mar 4 2024 el",
    "a 4 2024 12",
    "4 mar 2024 mar",
    "jul 13 2009",
    "Fri Aug 2, 2013 6: 50pm EDT",
    "Jul 13, 2009 11: 23am",
    "1: 00pm CST May 2, 2013",
    "12: 48PM BST 09 Sep 2013",
    "10:55 P. M. FEB. 2, 2009",
    "7:15 a. m. Dec. 7, 2009",
    "9 / 10 / 2010 @ 1: 19PM",
    "9 / 10 / 2010 @ 1:19PM",
    "25/12/2024 at 1:00pm",
    "13 2024 12",
    "2024/25/12 pm",
    "2012 - 04 - 04 11:47: 35",
    "12 / 19 / 2005 2:48: 40 PM ET",
    "yesterday 2024",
    "2 days ago, 2021",
    "in 3 days 2024",
    "hace 2 días 2020",
    "il y a 2 jours 2020",
    "vor 3 Tagen 2020",
    "April MMX",
    "April 4 MMX",
    "MCM 4 April",
    "2024-Q1",
    "Q2 2023",
    "2023 q3 ok",
    "4th of July 2024",
    "the 4 th day of July 2024",
    "Tuesday, 20 December 2005, 10:39 GMT",
    "Last updated at 11:11 GMT, 21 July 2013",
    "Dec. 15th, 2008 at 7:35 am",
    "lorem ipsum 2024",
    "xyzzy 12 2024 plugh",
    "3 sa 2024",
    "4 min 2024 12",
    "4 d 2024 12",
    "Sat 4 2024 12",
    "on 4 2024 12",
    "t 4 2024 12",
    "12.03.2024 um 10 Uhr",
    "Ayer 2024 10 3",
    "4 Jan 2024 t 10",
    "4 March 2024 ™ 10",
    "Dec 4 2024 ℡ 10",
    "4 marzo 2024 · 10:00",
]


@pytest.fixture(scope="module")
def any_language() -> Any:
    return _date_parsers()[1]


def _all_language_reading(text: str) -> str | None:
    english, any_language = _date_parsers()
    parsed = english.get_date_data(text)["date_obj"] or any_language.get_date_data(text)["date_obj"]
    return parsed.date().isoformat() if parsed else None


def test_english_only_strings_leave_out_every_other_locale(any_language: Any) -> None:
    for text in _ENGLISH_ONLY:
        assert locales_that_may_read(text, any_language) in ([], ["en"]), text
    assert "fr" in (locales_that_may_read("4 mars 2024", any_language) or [])
    assert "es" in (locales_that_may_read("a 4 2024 12", any_language) or [])


def test_a_parser_without_the_locale_data_expected_leaves_every_locale_in() -> None:
    assert locales_that_may_read("December 15, 2008 at 1: 00pm CST", object()) is None


@pytest.mark.slow
def test_the_locales_left_in_are_exactly_those_dateparser_finds_applicable(any_language: Any) -> None:
    for text in FICTIONAL_DATES:
        names = locales_that_may_read(text, any_language)
        if names is None:
            continue  # not judged: the all-language parser reads it
        sanitized = sanitize_date(text)
        expected = [locale.shortname for locale in any_language._get_applicable_locales(sanitized)]
        assert set(expected) <= set(names), text
        if names:
            restricted = _parser_of_locales(tuple(names))._get_applicable_locales(sanitized)
            assert [locale.shortname for locale in restricted] == expected, text


@pytest.mark.slow
def test_dates_read_with_the_locales_that_may_apply_match_the_all_language_pass() -> None:
    for text in FICTIONAL_DATES:
        assert _parse_with_dateparser.__wrapped__(text) == _all_language_reading(text), text
    assert _parse_with_dateparser.__wrapped__("4 mars 2024") == "2024-03-04"
    assert _parse_with_dateparser.__wrapped__("a 4 2024 12") == "2024-12-04"
