"""The reused dateparser parsers in ingest read every date string exactly as plain `dateparser.parse` does.

The date strings are fictional, written for this test.
"""

from __future__ import annotations

import dateparser

from newstrace.ingest.dates import _DATEPARSER_SETTINGS, _parse_with_dateparser

# Mixed languages in an order where a parser that remembered the last language used would go wrong.
FICTIONAL_DATES = [
    "2024-03-04T10:15:00Z",
    "Mon, 04 Mar 2024 10:15:00 +0100",
    "March 4, 2024",
    "4 mars 2024",
    "Dec. 15th, 2008 at 7:35 am",
    "4 марта 2024",
    "Last updated at 11:11 GMT, 21 July 2013",
    "12 de julio de 2019",
    "December 15, 2008 at 1: 00pm CST",
    "3 mars 2024",
    "9 / 10 / 2010 @ 1:19PM",
    "yesterday 2024",
    "2 days ago, 2021",
    "le 5 juin 2022 à 14h",
    "Roasts and toasts for the passing of 2015.",
    "5. Mai 2023",
    "4 марта 2024 года, 12:00",
    "Tuesday, 20 December 2005, 10:39 GMT",
]


def _plain_dateparser(text: str) -> str | None:
    parsed = dateparser.parse(text, languages=["en"], settings=dict(_DATEPARSER_SETTINGS)) or dateparser.parse(
        text, settings=dict(_DATEPARSER_SETTINGS)
    )
    return parsed.date().isoformat() if parsed else None


def test_reused_date_parsers_match_plain_dateparser() -> None:
    expected = {text: _plain_dateparser(text) for text in FICTIONAL_DATES}
    for _ in range(2):  # the second round runs on parsers that have seen every string
        for text in FICTIONAL_DATES:
            assert _parse_with_dateparser.__wrapped__(text) == expected[text], text
    assert expected["4 mars 2024"] == expected["4 марта 2024"] == "2024-03-04"
