"""Header and dateline conventions at the top of plain-text articles."""

from __future__ import annotations

from newstrace.ingest.text_header import parse_text_header


def test_menafn_header_gives_date_and_outlet_and_an_inferred_headline() -> None:
    header = parse_text_header(" date 2023-11-12 (MENAFN) NATO Secretary General spoke in Berlin. He warned again.")
    assert header.published == "2023-11-12"
    assert header.outlet == "MENAFN"
    assert header.title == "NATO Secretary General spoke in Berlin."
    assert header.sources == {"published": "header", "outlet": "header", "title": "inferred"}


def test_tass_dateline_without_year_gives_outlet_and_place_but_no_date() -> None:
    header = parse_text_header("Summit ends\n\nWASHINGTON, July 10. /TASS/. The summit ended.")
    assert (header.title, header.dateline, header.outlet, header.published) == (
        "Summit ends",
        "WASHINGTON",
        "TASS",
        None,
    )


def test_tass_dateline_with_year_gives_the_date() -> None:
    header = parse_text_header("Headline\nMOSCOW, March 3, 2024. /TASS/. Text.")
    assert header.published == "2024-03-03"


def test_reuters_and_ap_datelines() -> None:
    reuters = parse_text_header("Headline\n\nLONDON (Reuters) - Britain said on Monday.")
    assert (reuters.dateline, reuters.outlet) == ("LONDON", "Reuters")
    ap = parse_text_header("Headline\n\nKYIV, Ukraine (AP) — Sirens sounded.")
    assert (ap.dateline, ap.outlet) == ("KYIV, Ukraine", "AP")


def test_byline_and_date_line_under_the_headline() -> None:
    header = parse_text_header("Headline here\nBy Jane Doe\nPublished: 12 November 2023\n\nBody text.")
    assert header.author == "Jane Doe"
    assert header.published == "2023-11-12"


def test_a_date_line_reads_the_posting_date_not_when_the_copy_was_retrieved() -> None:
    # fictional header: the page was posted in March 2024 and saved a year later
    header = parse_text_header("Velka bridge reopens\nPosted 3 March 2024 (retrieved 5 May 2025)\n\nBody text.")
    assert header.published == "2024-03-03"
    assert parse_text_header("Velka bridge reopens\nDownloaded: 5 May 2025\n\nBody text.").published is None


def test_ordinary_headline_is_not_mistaken_for_a_dateline() -> None:
    header = parse_text_header("Next plague outbreak could be stronger\n\nGeneva - The WHO said on Wednesday.")
    assert header.title == "Next plague outbreak could be stronger"
    assert header.outlet is None and header.published is None
