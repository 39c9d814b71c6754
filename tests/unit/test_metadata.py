"""Dates and outlets for files that carry none: `--meta`, `--outlet`/`--published`, and dates in the lead.

The texts here are fictional, written for these tests.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from newstrace.ingest import complete_draft
from newstrace.ingest.dates import date_in_lead, to_iso_date
from newstrace.ingest.metadata import MetadataError, read_metadata_csv
from newstrace.records import ArticleDraft

from ..conftest import run_cli

HARBOUR = (
    "Ferry strike ends in Tarsby\n\n"
    "The fictional ferry workers of Tarsby ended their strike after the harbour board agreed to new rosters, "
    "the union's spokeswoman Mira Lund said.\n"
)
BRIDGE = (
    "Bridge reopens in Velka\n\n"
    "The fictional Velka bridge reopened to traffic after six weeks of repairs, the city engineer Tomas Brek said.\n"
)


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        ("Fri Aug 2, 2013 6:50pm EDT\n\nThe council met.", "2013-08-02"),
        ("Published: July 29, 2004\n\nThe council met.", "2004-07-29"),
        ("The council met on 10 July 2024 in Velka.", "2024-07-10"),
        ("VELKA, Dec. 15th, 2008 - The council met.", "2008-12-15"),
        ("The council met in May 2020.", None),  # no day: not a date to place an article by
        ("The council met on 31 February 2020.", None),  # no such day
    ],
)
def test_a_full_date_in_the_lead_dates_the_text(lead: str, expected: str | None) -> None:
    found = date_in_lead(lead)
    assert (found[0] if found else None) == expected


@pytest.mark.parametrize(
    "lead",
    [
        "Velka mourns its mayor\n\nMayor Ilse Varn was born on April 22, 1931, in Velka.",
        "Velka mourns its mayor\n\nVarn was born Ilse Ann Varn in Velka on 22 April 1931. She served long.",
        "The fictional Velka choir, founded on 3 May 1950, sang again.",
    ],
)
def test_a_birth_or_founding_date_in_the_lead_does_not_date_the_text(lead: str) -> None:
    assert date_in_lead(lead) is None


def test_the_articles_own_date_after_a_birth_date_in_the_lead_still_counts() -> None:
    lead = "Varn, born on 22 April 1931, died in Velka. VELKA, 3 March 2021 - The council mourned her."
    found = date_in_lead(lead)
    assert found is not None and found[0] == "2021-03-03"


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        # fictional page headers: the date a copy was saved is not the date the article was published
        ("Velka bridge reopens\n\nPosted 2 years, 40 days ago [downloaded on 9 June 2015]\n\nIt opened.", None),
        ("Velka bridge reopens\nRetrieved 14 March 2011 from the council's site.\nIt opened.", None),
        ("Velka bridge reopens\nLast accessed: 2011-03-14\nIt opened.", None),
        ("Velka bridge reopens (printed on Monday, March 14, 2011)\nIt opened on 2 March 2011.", "2011-03-02"),
        # the same verbs in a sentence about the event leave its date alone
        ("Police said the clerk accessed the fictional ledger on July 3, 2024 in Velka.", "2024-07-03"),
    ],
)
def test_a_date_saying_when_a_copy_was_downloaded_does_not_date_the_text(lead: str, expected: str | None) -> None:
    found = date_in_lead(lead)
    assert (found[0] if found else None) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("December 15th, 2008, 7: 35 am", "2008-12-15"),
        ("on Tuesday, 16 December 2008 13: 45.", "2008-12-16"),
        ("3: 09 AM EST Dec 19, 2008", "2008-12-19"),
        ("3 / 14 / 2006 4: 21: 09 PM ET", "2006-03-14"),  # seconds too: every colon of the time is joined
        ("2013 - 05 - 06 10: 12: 44", "2013-05-06"),
        ("September 29, 2016 1: 00pm", "2016-09-29"),  # the time's letters right after its minutes
        ("10/04/2016 11: 05PM EDT", "2016-10-04"),
        ("On July 6, 2015, the fictional mayor Ilse Varn made this comment:", None),
    ],
)
def test_a_header_date_with_a_space_inside_its_time_is_read(line: str, expected: str | None) -> None:
    assert to_iso_date(line) == expected


@pytest.mark.parametrize(
    "lead",
    [
        # a photo caption: a line whose next line is the picture's credit, or one that names a photo first
        "Strike ends\n\nWorkers leave the Tarsby pier in Velka, March 4, 2021.\nREUTERS/Ana Berg\nThe strike ended.",
        "Strike ends\nThe mayor greets the crew in Tarsby on March 4, 2021.\n(AP file photo)\nThe strike ended.",
        "Velka ferry strike ends\nPhoto: the crew at the Tarsby pier on March 4, 2021, in Velka\nThe strike ended.",
        # an embedded post, by its handle or its markup
        "The mayor wrote:\nThe strike is over!\n— Ilse Varn (@ilsevarn) March 4, 2021\nThe union agreed.",
        'The mayor wrote:\n<tweet author="@ilsevarn" datetime="2021-03-04">The strike is over!</tweet>',
        # a citation of another article, and a link to one
        "The union says so.\n“Ferry strike ends in Tarsby,” Velka Post, March 4, 2021:\nThe fictional union said.",
        "See, earlier: Strike Threat In Tarsby by Mira Lund, March 4, 2021\nThe ferry workers went back.",
    ],
)
def test_a_date_in_a_caption_an_embedded_post_or_a_citation_does_not_date_the_text(lead: str) -> None:
    assert date_in_lead(lead) is None


@pytest.mark.parametrize(
    "lead",
    [
        # the text names a year two or more years after a date told in a sentence
        "The fictional Velka Times reported on 5 August 1964 that the pier had burned.\nIn 2012 it was rebuilt.",
        "Velka's charter was signed on Tuesday, May 11, 1976, by its first mayor, Ilse Varn.\nIt was read in 2017.",
        "The Velka pier burned on Tuesday, August 4, 1964 and stood empty\nuntil the council rebuilt it in 2012.",
    ],
)
def test_an_earlier_events_date_told_in_a_sentence_does_not_date_the_text(lead: str) -> None:
    assert date_in_lead(lead) is None


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        # the news's own day in a sentence, with at most a year named after it
        ("Riots were reported in Velka on Saturday, March 6, 2021, after the ferry strike.", "2021-03-06"),
        ("Strike ends\n\nThe strike begun on March 4, 2021, ended.\nThe contract runs to 2022.", "2021-03-04"),
        ("Velka ferry strike\n\nThe ferry workers of Tarsby went on strike on March 4, 2021.", "2021-03-04"),
        ("Posted in Harbour News on Thursday, March 4, 2021.\n\nThe strike ended on Wednesday.", "2021-03-04"),
        # date lines and datelines stay the article's own, whatever the headline or the later text says
        ("Strike ends on Monday\n\nMarch 4, 2021 | Updated 9: 01 AM\n\nThe strike ends in 2024.", "2021-03-04"),
        ("Strike ends\n\nVELKA, March 4, 2021 (Velka Post) - The strike ended yesterday.", "2021-03-04"),
        ("Strike ends\nBy Mira Lund | March 4, 2021 2:16 pm The strike ended last week.", "2021-03-04"),
        # a line under the date that is no photo credit, and a page's own time element
        ("Strike ends\n\nVELKA, March 4, 2021.\nThe photo shows the pier.", "2021-03-04"),
        ("Strike ends\n\nVELKA, March 4, 2021.\nUS/Canada talks go on.", "2021-03-04"),
        ('Strike ends\n<time datetime="2021-03-04">Thursday</time>\nThe strike ended.', "2021-03-04"),
    ],
)
def test_the_news_own_day_and_a_date_line_still_date_the_text(lead: str, expected: str) -> None:
    found = date_in_lead(lead)
    assert (found[0] if found else None) == expected


def test_a_date_deep_in_the_text_is_not_the_articles_own() -> None:
    assert date_in_lead("The council met. " * 60 + "It first met on 1 March 1990.") is None


def test_a_lead_date_is_used_only_when_nothing_better_dates_the_article() -> None:
    text = "Council meets\n\nVELKA, 3 March 2021 - The council met."
    undated = complete_draft(ArticleDraft(text=text, origin="x", source_format="text", path="/tmp/x.txt"))
    assert (undated.published, undated.field_sources["published"]) == ("2021-03-03", "text")
    named = complete_draft(ArticleDraft(text=text, origin="x", source_format="text", path="/tmp/2021-03-05_x.txt"))
    assert (named.published, named.field_sources["published"]) == ("2021-03-05", "file_name")


def test_meta_csv_gives_plain_files_their_outlet_and_date_and_a_rerun_corrects_a_stored_one(tmp_path: Path) -> None:
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    (texts / "bridge.txt").write_text(BRIDGE, encoding="utf-8")
    meta = tmp_path / "meta.csv"
    meta.write_text("path,outlet,published\ntexts/harbour.txt,Tarsby Post,2024-07-10\nbridge.txt,Velka Daily,\n")
    db = tmp_path / "news.db"
    result = run_cli("analyze", str(texts), "--meta", str(meta), "--db", str(db), "--quiet")
    assert result.returncode == 0, result.stderr
    assert _metadata(db) == {
        "Ferry strike ends in Tarsby": ("Tarsby Post", "2024-07-10", '"metadata"'),
        "Bridge reopens in Velka": ("Velka Daily", None, None),
    }
    single = ("analyze", str(texts / "bridge.txt"), "--outlet", "Velka Daily", "--published", "11 July 2024")
    result = run_cli(*single, "--db", str(db), "--quiet")
    assert result.returncode == 0, result.stderr
    assert _metadata(db)["Bridge reopens in Velka"] == ("Velka Daily", "2024-07-11", '"metadata"')


def test_a_rerun_gives_stored_articles_the_date_todays_rules_read_from_their_text(tmp_path: Path) -> None:
    texts = tmp_path / "texts"
    texts.mkdir()
    quoted = "Pier rebuilt\n\nThe Velka Times reported on 5 August 1964 that it burned.\nIn 2012 it was rebuilt.\n"
    (texts / "pier.txt").write_text(quoted, encoding="utf-8")
    (texts / "strike.txt").write_text("Strike ends\nPublished: 4 March 2021\n\n" + HARBOUR, encoding="utf-8")
    (texts / "bridge.txt").write_text(BRIDGE.replace("reopened", "reopened on 9 June 2015,"), encoding="utf-8")
    (texts / "ferry.txt").write_text("Ferry back\nPublished: 2 May 2019\n\n" + HARBOUR, encoding="utf-8")
    db = tmp_path / "news.db"
    assert run_cli("analyze", str(texts), "--db", str(db), "--quiet").returncode == 0
    before = _metadata(db)
    assert before["Pier rebuilt"] == (None, None, None)  # a 1964 day quoted in a 2012 text is not its date
    with sqlite3.connect(db) as connection:  # as an older rule would have left them
        connection.execute(
            "UPDATE articles SET published = '1964-08-05', field_sources = json_set(field_sources, "
            "'$.published', 'text') WHERE title = 'Pier rebuilt'"
        )
        connection.execute(
            "UPDATE articles SET published = NULL, field_sources = json_remove(field_sources, '$.published') "
            "WHERE title = 'Bridge reopens in Velka'"
        )
        connection.execute("UPDATE articles SET published = '2021-03-01' WHERE title = 'Strike ends'")
        connection.execute(  # a header an older rule could not read
            "UPDATE articles SET published = NULL, field_sources = json_remove(field_sources, '$.published') "
            "WHERE title = 'Ferry back'"
        )
    result = run_cli("analyze", str(texts), "--db", str(db), "--quiet")
    assert result.returncode == 0, result.stderr
    after = _metadata(db)
    assert after["Pier rebuilt"] == (None, None, None)
    assert after["Bridge reopens in Velka"] == (None, "2015-06-09", '"text"')
    assert after["Strike ends"] == (None, "2021-03-01", '"header"')  # a header's date is not read again
    assert after["Ferry back"] == (None, "2019-05-02", '"header"')  # but an undated article takes its header's


def test_bad_metadata_is_a_usage_error_naming_the_file_and_line(tmp_path: Path) -> None:
    meta = tmp_path / "meta.csv"
    meta.write_text("path,published\nharbour.txt,someday\n")
    with pytest.raises(MetadataError, match=r"meta\.csv, line 2: published 'someday'"):
        read_metadata_csv(meta)
    (tmp_path / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    result = run_cli("analyze", str(tmp_path / "harbour.txt"), "--published", "soon", "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2
    assert "--published 'soon'" in result.stderr
    assert not (tmp_path / "x.db").exists()


def _metadata(db: Path) -> dict[str, tuple[str | None, str | None, str | None]]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT title, outlet, published, json_extract(field_sources, '$.published') FROM articles"
        ).fetchall()
    return {title: (outlet, published, f'"{source}"' if source else None) for title, outlet, published, source in rows}


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("12.03.2024", "2024-03-12"),
        ("1.3.2024", "2024-03-01"),
        ("Veröffentlicht am 12.03.2024, 14:30 Uhr", "2024-03-12"),
        ("31.02.2024", None),
    ],
)
def test_a_dotted_date_is_read_day_first(written: str, expected: str | None) -> None:
    assert to_iso_date(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2024年7月10日", "2024-07-10"),
        ("2024年7月10日 15:00", "2024-07-10"),
        ("2024년 7월 10일", "2024-07-10"),
        ("2024年7月", None),
    ],
)
def test_a_cjk_date_with_its_year_month_and_day_marks_is_read(written: str, expected: str | None) -> None:
    assert to_iso_date(written) == expected
