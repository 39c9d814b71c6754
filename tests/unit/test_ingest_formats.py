"""One test group per input format: what each reader extracts, and where each field came from."""

from __future__ import annotations

import csv
import json
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newstrace.ingest import ReadOptions, Source, complete_draft, discover, read_source
from newstrace.records import ArticleDraft, IngestProblem

from ..conftest import CORPUS

# Fictional article texts written for these tests.
STORY = "Mayor Ada Quist said the Lorren bridge would reopen on Friday after repairs.\n\nShe thanked the crews."
PAGE = (
    "<html><head><title>Lorren bridge reopens | Fjord Courier</title>"
    "<meta property='og:site_name' content='Fjord Courier'><meta name='author' content='Ben Tal'>"
    "<meta property='article:published_time' content='2024-06-01T08:00:00Z'></head>"
    "<body><nav>Home | Sports</nav><article><h1>Lorren bridge reopens</h1>"
    "<p>Mayor Ada Quist said the Lorren bridge would reopen on Friday after three weeks of repairs.</p>"
    "<p>She thanked the crews who worked through the night to finish the deck and the railings.</p>"
    "</article></body></html>"
)


def read_all(path: Path | str, **options: object) -> list[ArticleDraft | IngestProblem]:
    items: list[ArticleDraft | IngestProblem] = []
    for source in discover([str(path)]):
        items.extend(read_source(source, ReadOptions(**options)))  # type: ignore[arg-type]
    return items


def drafts(items: list[ArticleDraft | IngestProblem]) -> list[ArticleDraft]:
    return [item for item in items if isinstance(item, ArticleDraft)]


def problems(items: list[ArticleDraft | IngestProblem]) -> list[IngestProblem]:
    return [item for item in items if isinstance(item, IngestProblem)]


# -- plain text -------------------------------------------------------------------------------------


def test_text_file_is_stored_unchanged_except_newlines(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_bytes(("Bridge reopens\r\n\r\nLORREN (Fjord Courier) - " + STORY).encode("utf-8"))
    [draft] = drafts(read_all(path))
    assert draft.text == ("Bridge reopens\n\nLORREN (Fjord Courier) - " + STORY)
    assert (draft.title, draft.outlet, draft.dateline) == ("Bridge reopens", "Fjord Courier", "LORREN")
    assert draft.field_sources["outlet"] == "header"


def test_seed_article_from_menafn(shared_data: Path) -> None:
    [seed] = sorted((shared_data / "seeds").glob("003_*.txt"))
    [draft] = drafts(read_all(seed))
    assert (draft.published, draft.outlet) == ("2023-11-12", "MENAFN")
    assert draft.text == seed.read_text(encoding="utf-8")


def test_file_name_date_is_used_when_the_text_has_none(tmp_path: Path) -> None:
    path = tmp_path / "2024-06-01_courier.txt"
    path.write_text("Bridge reopens\n\n" + STORY)
    draft = complete_draft(drafts(read_all(path))[0])
    assert draft.published == "2024-06-01"
    assert draft.field_sources["published"] == "file_name"
    assert draft.language == "en"


# -- HTML -------------------------------------------------------------------------------------------


def test_html_page_metadata_and_main_text(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(PAGE)
    [draft] = drafts(read_all(path))
    assert draft.outlet == "Fjord Courier"
    assert draft.author == "Ben Tal"
    assert draft.published == "2024-06-01"
    assert "Lorren bridge reopens" in (draft.title or "")
    assert "thanked the crews" in draft.text and "Sports" not in draft.text
    assert draft.field_sources["outlet"] == "metadata"


def test_sample_corpus_html_keeps_the_syndication_credit_as_dateline() -> None:
    [draft] = drafts(read_all(CORPUS / "html" / "2025-03-12_harbor-daily_holm-velmora.html"))
    assert draft.outlet == "Harbor Daily"
    assert draft.dateline == "VELMORA"


# -- JSON Lines and CSV -----------------------------------------------------------------------------


def test_jsonl_with_default_and_custom_field_names(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    rows = [
        {"headline": "One", "body": STORY, "link": "https://courier.example/2024/06/01/one"},
        {"headline": "Two", "story_text": STORY + " More.", "site": "Fjord Courier", "when": "June 2, 2024"},
    ]
    path.write_text("\n".join(json.dumps(row) for row in rows) + "\n")
    first, second = read_all(path)
    assert isinstance(first, ArticleDraft) and first.title == "One" and first.url is not None
    assert isinstance(second, IngestProblem) and "no article text" in second.reason
    mapped = drafts(read_all(path, field_map={"text": "story_text", "published": "when"}))
    assert [draft.title for draft in mapped] == ["Two"]
    assert mapped[0].published == "2024-06-02"


def test_invalid_json_line_is_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    path = tmp_path / "dump.jsonl"
    path.write_text(json.dumps({"text": STORY}) + "\n{not json\n" + json.dumps({"text": STORY + " Two."}) + "\n")
    items = read_all(path)
    assert len(drafts(items)) == 2
    [problem] = problems(items)
    assert problem.origin == f"{path}:2" and "invalid JSON" in problem.reason


@pytest.mark.parametrize(
    ("encoding", "title", "text"),
    [
        ("utf-16", "Brücke offen", "Die Bürgermeisterin sagte am Freitag, die Brücke sei wieder offen."),
        ("utf-32", "Brücke offen", "Die Bürgermeisterin sagte am Freitag, die Brücke sei wieder offen."),
        ("cp1251", "Мост открыт", "Мэр города заявил в пятницу, что мост снова открыт для движения."),
        ("shift_jis", "橋が再開", "市長は金曜日、橋が再び通行可能になったと述べた。"),
    ],
)
def test_jsonl_in_other_encodings_is_read_without_mojibake(
    tmp_path: Path, encoding: str, title: str, text: str
) -> None:
    path = tmp_path / "dump.jsonl"
    rows = [{"title": title, "text": text}, {"title": title + " 2", "text": text + " " + text}]
    path.write_bytes("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode(encoding))
    items = read_all(path)
    assert not problems(items)
    assert [(draft.title, draft.text) for draft in drafts(items)] == [(row["title"], row["text"]) for row in rows]


def test_csv_rows_in_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    with path.open("w", encoding="cp1252", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["headline", "content", "outlet", "pubdate"])
        writer.writerow(
            ["Café reopens", "The café “Nord” reopened on Friday, its owner said.", "Courier", "2024-06-01"]
        )
    [draft] = drafts(read_all(path))
    assert draft.title == "Café reopens" and "“Nord”" in draft.text
    assert (draft.outlet, draft.published) == ("Courier", "2024-06-01")


def test_sample_corpus_csv_and_jsonl() -> None:
    assert len(drafts(read_all(CORPUS / "coastal_post.csv"))) == 3
    newspulse = drafts(read_all(CORPUS / "newspulse.jsonl"))
    assert [draft.outlet for draft in newspulse] == ["NewsPulse"] * 3


# -- feeds ------------------------------------------------------------------------------------------


def test_rss_entries_with_content_become_articles() -> None:
    items = read_all(CORPUS / "lakeside_and_kestria.rss")
    assert not problems(items)
    outlets = [draft.outlet for draft in drafts(items)]
    assert outlets == ["Kestria Today", "Lakeside Gazette", "Lakeside Gazette"]
    assert drafts(items)[0].published == "2025-03-13"


@pytest.fixture
def web_server(tmp_path: Path) -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving files from tmp_path/site."""
    site = tmp_path / "site"
    site.mkdir()

    class Quiet(SimpleHTTPRequestHandler):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, directory=str(site), **kwargs)  # type: ignore[arg-type]

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _write_headline_feed(folder: Path, base_url: str) -> None:
    (folder / "bridge.html").write_text(PAGE)
    (folder / "feed.xml").write_text(
        f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Fjord Courier</title>
        <item><title>Lorren bridge reopens</title><link>{base_url}/bridge.html</link>
        <pubDate>Sat, 01 Jun 2024 08:00:00 +0000</pubDate></item>
        <item><title>Gone</title><link>{base_url}/missing.html</link></item></channel></rss>"""
    )


def test_feed_url_and_fetching_linked_pages(web_server: str, tmp_path: Path) -> None:
    _write_headline_feed(tmp_path / "site", web_server)
    without_fetch = read_all(f"{web_server}/feed.xml", allow_private_addresses=True)
    assert not drafts(without_fetch)
    assert "use --fetch" in problems(without_fetch)[0].reason
    fetched = read_all(f"{web_server}/feed.xml", fetch_linked_pages=True, allow_private_addresses=True)
    [page] = drafts(fetched)
    assert page.url == f"{web_server}/bridge.html" and "thanked the crews" in page.text
    [missing] = problems(fetched)
    assert "missing.html" in missing.origin and "404" in missing.reason


# -- web archives -----------------------------------------------------------------------------------


def test_warc_html_responses_go_through_the_html_path() -> None:
    items = read_all(CORPUS / "granite_times.warc.gz")
    assert not problems(items)
    assert [draft.outlet for draft in drafts(items)] == ["Granite Times", "Granite Times"]
    assert drafts(items)[0].url == "https://granitetimes.example/2025/05/21/brennick-flood"


def test_truncated_warc_keeps_the_records_before_the_damage(tmp_path: Path) -> None:
    whole = (CORPUS / "granite_times.warc.gz").read_bytes()
    damaged = tmp_path / "damaged.warc.gz"
    damaged.write_bytes(whole[: int(len(whole) * 0.8)])
    items = read_all(damaged)
    assert len(drafts(items)) == 1
    [problem] = problems(items)
    assert problem.origin == str(damaged) and "truncated or corrupt WARC" in problem.reason


# -- discovery --------------------------------------------------------------------------------------


def test_folders_are_walked_in_sorted_order_and_unknown_endings_skipped(tmp_path: Path) -> None:
    (tmp_path / "b.txt").write_text("B")
    (tmp_path / "a.txt").write_text("A")
    (tmp_path / "notes.md").write_text("ignored")
    (tmp_path / ".hidden.txt").write_text("ignored")
    assert [Path(source.location).name for source in discover([str(tmp_path)])] == ["a.txt", "b.txt"]


def test_missing_path_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    [source] = discover([str(tmp_path / "nope")])
    assert source == Source(str(tmp_path / "nope"), None, "no such file or directory")
