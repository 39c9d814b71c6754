"""The reused dateparser parsers in ingest read every date string exactly as plain `dateparser.parse` does.

The date strings are fictional, written for this test.
"""

from __future__ import annotations

import dateparser
import pytest

from newstrace.ingest.dates import _DATEPARSER_SETTINGS, _parse_with_dateparser, date_in_lead

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


# Fictional leads: a date in a sentence, a caption or a citation is not the article's own.
@pytest.mark.parametrize(
    "lead",
    [
        "Verdict in the harbour case\n\nA jury cleared the man of the shooting on March 4, 2015, at the pier.",
        "Ferry hits a pier\n\nPassengers leave the ferry in Portvale, Nevada, June 2, 2017.\nREUTERS/Ann Lee\n",
        "Old lies\n\nOn August 5, 1964, a paper reported a clash that never happened.",
        "A post\n\n— Jo Doe (@jodoe) May 1, 2017\nMore follows.",
        "Roundup\n\n\u201cCar fire at the base,\u201d Valley TV, March 3, 2018:\nThe fire began at noon.",
    ],
)
def test_date_in_lead_skips_dates_that_are_not_publication_dates(lead: str) -> None:
    assert date_in_lead(lead) is None


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        ("Bishops meet\n\nROME, February 2, 2018 (Faith Wire) \u2014 The bishops met.", "2018-02-02"),
        ("Storm hits\n\nPosted on March 09, 2013\n\nThe storm hit.", "2013-03-09"),
        ("Mayor quits\n\non Tuesday, 16 December 2008 13: 45.\n\nThe mayor quit.", "2008-12-16"),
        ("Party shifts by Ann Lee, May 3, 2016\nThe party shifted.", "2016-05-03"),
        ("Fake story\n\nNovember 29, 2018\n\nA story.", "2018-11-29"),
    ],
)
def test_date_in_lead_keeps_date_lines_bylines_and_datelines(lead: str, expected: str) -> None:
    found = date_in_lead(lead)
    assert found is not None and found[0] == expected
