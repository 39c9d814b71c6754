"""The analyst's workbench in process: index pages with orders, filters and paging, their JSON twins and
CSV downloads, search facets and attention over time, the /docs API explorer, and the CLI's filters."""

from __future__ import annotations

import csv
import html
import io
import json
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from newstrace.export import export_columns, export_table
from newstrace.serve import create_app, data
from newstrace.serve.data import attention_bucket, snippet_pieces
from newstrace.store import base as store_base
from newstrace.store import open_store
from newstrace.store.base import ListFilters, SearchFilters

from ..conftest import run_cli

LISTINGS = ("stories", "speakers", "outlets", "utterances", "flags")


@pytest.fixture(scope="module")
def client(web_db: Path) -> TestClient:
    return TestClient(create_app(web_db), base_url="http://127.0.0.1:8000")


def _rows(db: Path, sql: str, *parameters: object) -> list[tuple[object, ...]]:
    return sqlite3.connect(db).execute(sql, parameters).fetchall()


def _csv(client: TestClient, path: str, **params: str) -> list[dict[str, str]]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


@pytest.mark.parametrize("listing", LISTINGS)
def test_every_index_page_renders_with_its_json_twin_and_downloads(client: TestClient, listing: str) -> None:
    page = client.get(f"/{listing}")
    assert page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
    assert f'href="/api/{listing}"' in page.text and f'href="/api/{listing}.csv"' in page.text
    twin = client.get(f"/api/{listing}").json()
    assert twin["listing"] == listing and twin["pagination"]["total"] >= 1
    assert len(twin["rows"]) == min(twin["pagination"]["total"], twin["pagination"]["per_page"])


def test_orders_are_done_in_the_database(client: TestClient) -> None:
    def column(listing: str, order: str, *keys: str) -> list[tuple[object, ...]]:
        rows = client.get(f"/api/{listing}", params={"order": order, "per_page": 100}).json()["rows"]
        return [tuple(row[key] for key in keys) for row in rows]

    coverage = column("stories", "coverage", "n_outlets", "n_articles")
    assert coverage == sorted(coverage, reverse=True)
    latest = column("stories", "date", "last_seen")
    assert latest == sorted(latest, reverse=True) and latest != column("stories", "coverage", "last_seen")
    assert (quotes := column("speakers", "quotes", "n_quotes")) == sorted(quotes, reverse=True)
    assert (outlets := column("speakers", "outlets", "n_outlets")) == sorted(outlets, reverse=True)
    assert (names := column("outlets", "name", "outlet")) == sorted(names, key=lambda name: str(name[0]).lower())
    assert (renderings := column("utterances", "renderings", "n_renderings")) == sorted(renderings, reverse=True)
    assert client.get("/api/stories", params={"order": "quotes"}).status_code == 400


def test_paging_covers_every_row_once(client: TestClient, web_db: Path) -> None:
    [(utterances,)] = _rows(web_db, "SELECT count(*) FROM utterances")
    seen: list[str] = []
    for page in range(1, 100):
        found = client.get("/api/utterances", params={"per_page": 7, "page": page}).json()
        seen += [row["id"] for row in found["rows"]]
        if page == found["pagination"]["pages"]:
            break
    assert len(seen) == len(set(seen)) == utterances == found["pagination"]["total"]


def test_index_filters_narrow_the_rows(client: TestClient, web_db: Path) -> None:
    holm = client.get("/api/speakers", params={"q": "HOLM"}).json()["rows"]
    assert holm and all("holm" in (row["name"] + " ".join(row["aliases"])).lower() for row in holm)
    spring = client.get("/api/stories", params={"from": "2025-05-01", "to": "2025-06-30"}).json()
    assert spring["rows"] and all(row["last_seen"] >= "2025-05-01" and row["first_seen"] <= "2025-06-30"
                                  for row in spring["rows"])  # fmt: skip
    [(name, speaker_id)] = _rows(web_db, "SELECT name, id FROM speakers WHERE name = 'Anneke Holm'")
    said = client.get("/api/utterances", params={"speaker": str(name).upper(), "per_page": 100}).json()
    [(expected,)] = _rows(web_db, "SELECT count(*) FROM utterances WHERE speaker_id = ?", speaker_id)
    assert said["pagination"]["total"] == expected and {row["speaker_id"] for row in said["rows"]} == {speaker_id}
    assert client.get("/api/outlets", params={"speaker": "x"}).status_code == 400  # outlets have no speaker
    assert client.get("/api/stories", params={"from": "2025-02-30"}).status_code == 400


def test_flags_list_every_checked_rendering_newest_first_with_its_trail(client: TestClient, web_db: Path) -> None:
    expected = _rows(
        web_db,
        "SELECT r.quote_id FROM renderings r WHERE EXISTS (SELECT 1 FROM json_each(r.flags) "
        "WHERE value IN ('altered_direct_quote', 'speaker_changed', 'translated'))",
    )
    flagged = client.get("/api/flags", params={"per_page": 100}).json()
    assert expected and {row["quote_id"] for row in flagged["rows"]} == {quote for (quote,) in expected}
    dates = [row["published"] for row in flagged["rows"]]
    assert dates == sorted(dates, reverse=True)
    page = client.get("/flags").text
    assert all(f'href="/utterances/{row["utterance_id"]}"' in page for row in flagged["rows"])
    altered = client.get("/api/flags", params={"flag": "altered_direct_quote"}).json()["rows"]
    assert all("altered_direct_quote" in row["flags"] for row in altered)
    assert client.get("/api/flags", params={"flag": "truncated"}).status_code == 400


@pytest.mark.parametrize(("listing", "table"), [("stories", "stories"), ("speakers", "speakers"),
                                                ("utterances", "utterances"), ("flags", "renderings")])  # fmt: skip
def test_listing_csv_has_the_export_columns_and_every_row(
    client: TestClient, web_db: Path, listing: str, table: str
) -> None:
    total = client.get(f"/api/{listing}", params={"per_page": 1}).json()["pagination"]["total"]
    rows = _csv(client, f"/api/{listing}.csv", per_page="1")  # the page size does not cut a download
    assert len(rows) == total and tuple(rows[0]) == export_columns(table)
    exported = list(
        csv.DictReader(io.StringIO(run_cli("export", table, "--db", str(web_db), "--format", "csv").stdout))
    )
    assert all(row in exported for row in rows)  # each row as `newstrace export` writes it


def test_search_csv_holds_every_match_with_the_articles_columns(client: TestClient) -> None:
    found = client.get("/api/search", params={"q": "Kestria", "per_page": 1}).json()
    rows = _csv(client, "/api/search.csv", q="Kestria")
    assert len(rows) == found["pagination"]["total"] > 1 and tuple(rows[0]) == export_columns("articles")
    assert rows[0]["id"] == found["hits"][0]["article_id"]  # the same order: best first
    assert client.get("/api/search.csv", params={"q": '"harbour'}).status_code == 400


def test_search_csv_lines_are_those_export_writes_for_the_same_articles(client: TestClient, web_db: Path) -> None:
    """The search's rows are records written by position: each line is byte for byte the line `export
    articles --format csv` writes for that article, under the same header."""
    exported = io.StringIO()
    export_table(open_store(web_db, readonly=True), "articles", "csv", exported)
    header, *lines = exported.getvalue().splitlines()
    downloaded = client.get("/api/search.csv", params={"q": "harbour OR Kestria"}).text.splitlines()
    assert downloaded[0] == header and len(downloaded) > 2
    assert set(downloaded[1:]) <= set(lines)


def test_every_facet_s_rows_have_their_keys_in_one_order_on_every_page(web_db: Path) -> None:
    """Facets are records: a facet's rows show the same keys in the same order whichever way they were
    counted (every match in SQL for the overview's corpus summary, the first matches in Python for a
    search), so the JSON twins show them alike."""
    keys = {"outlet": ["value", "n"], "language": ["value", "n"], "speaker": ["value", "id", "n"]}
    keys |= {"story": ["value", "n", "label"], "flag": ["value", "n"], "dates": ["first", "last"]}
    store = open_store(web_db, readonly=True)
    overview = data.overview(store, corpus=data.corpus_summary(store))
    for answer in (overview, data.search(store, SearchFilters()), data.search(store, SearchFilters("harbour"))):
        facets = answer["facets"]
        assert isinstance(facets, dict) and list(facets) == list(keys) and facets["story"]
        for name, rows in facets.items():
            assert all(list(row) == keys[name] for row in rows), name


def test_facet_counts_are_those_of_the_narrowed_search(client: TestClient) -> None:
    query = {"q": "gravest danger"}
    facets = client.get("/api/search", params=query).json()["facets"]
    assert facets["outlet"] and facets["speaker"] and facets["story"] and facets["language"]
    for field in ("outlet", "speaker", "story", "language"):
        for facet in facets[field]:
            narrowed = client.get("/api/search", params={**query, field: facet["value"]}).json()
            assert narrowed["pagination"]["total"] == facet["n"], (field, facet)
    outlet, speaker = facets["outlet"][0]["value"], facets["speaker"][0]["value"]
    both = client.get("/api/search", params={**query, "outlet": outlet, "speaker": speaker}).json()
    assert {hit["outlet"] for hit in both["hits"]} == {outlet}
    assert both["facets"]["outlet"] == [{"value": outlet, "n": both["pagination"]["total"]}]


def test_search_by_speaker_name_finds_what_the_id_finds(client: TestClient, web_db: Path) -> None:
    [(speaker_id,)] = _rows(web_db, "SELECT id FROM speakers WHERE name = 'Anneke Holm'")
    by_id = client.get("/api/search", params={"speaker": str(speaker_id), "per_page": 100}).json()
    by_name = client.get("/api/search", params={"speaker": "anneke holm", "per_page": 100}).json()
    assert by_name["hits"] == by_id["hits"] and by_name["pagination"]["total"] > 1
    assert client.get("/api/search", params={"speaker": "Nobody Atall"}).json()["pagination"]["total"] == 0


def test_attention_counts_every_dated_match_by_outlet(client: TestClient, web_db: Path) -> None:
    search = client.get("/api/search", params={"q": "Kestria"}).json()
    chart = search["attention"]
    assert chart["kind"] == "attention" and chart["bucket"] in ("day", "week")
    assert sum(sum(trace["y"]) for trace in chart["traces"]) == search["pagination"]["total"]
    overview = client.get("/api/overview").json()
    [(dated,)] = _rows(web_db, "SELECT count(*) FROM articles WHERE published IS NOT NULL")
    assert sum(sum(trace["y"]) for trace in overview["attention"]["traces"]) == dated
    by_language = overview["language_attention"]  # the same articles, a trace per language
    assert by_language["kind"] == "attention" and by_language["bucket"] == overview["attention"]["bucket"]
    assert sum(sum(trace["y"]) for trace in by_language["traces"]) == dated
    [(languages,)] = _rows(web_db, "SELECT count(DISTINCT language) FROM articles WHERE published IS NOT NULL")
    assert len(by_language["traces"]) == languages
    assert sum(sum(trace["y"]) for trace in search["language_attention"]["traces"]) == search["pagination"]["total"]
    assert overview["facets"]["outlet"][0]["n"] == max(row["n_articles"] for row in overview["outlets"])
    day = client.get("/api/search", params={"from": "2025-03-12", "to": "2025-03-12"}).json()["attention"]
    assert day["bucket"] == "day" and {x for trace in day["traces"] for x in trace["x"]} == {"2025-03-12"}


@pytest.mark.parametrize(
    ("first", "last", "bucket"),
    [
        ("2025-03-12", "2025-03-12", "day"),
        ("2025-01-01", "2025-04-30", "day"),  # 120 days: 120 bars
        ("2025-01-01", "2025-05-01", "week"),
        ("2024-01-01", "2026-04-19", "week"),  # 840 days: 120 weeks
        ("2024-01-01", "2026-04-20", "month"),
        ("2016-01-01", "2024-12-31", "month"),  # 108 months
        ("2010-01-01", "2024-12-31", "year"),
        (None, "2024-12-31", "day"),
        ("undated", "2024-12-31", "day"),
    ],
)
def test_the_attention_bucket_grows_with_the_span(first: str | None, last: str, bucket: str) -> None:
    assert attention_bucket(first, last) == bucket


# Fictional one-line articles, twelve years apart at the ends.
_YEARS_APART = {
    "2012-05-04": "Kestria opens a harbour",
    "2016-03-01": "Kestria dredges it",
    "2024-11-20": "Kestria closes it",
}


@pytest.fixture(scope="module")
def years_client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    root = tmp_path_factory.mktemp("years")
    rows = ["path,outlet,published"]
    for day, text in _YEARS_APART.items():
        body = f"{text}\n\nA fictional test article about {text.lower()}.\n"
        (root / f"{day}.txt").write_text(body, encoding="utf-8")
        rows.append(f"{root / f'{day}.txt'},Harbour Wire,{day}")
    (root / "meta.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    db = root / "news.db"
    texts = [str(root / f"{day}.txt") for day in _YEARS_APART]
    result = run_cli("analyze", *texts, "--meta", str(root / "meta.csv"), "--db", str(db), "--quiet")
    assert result.returncode == 0, result.stderr
    return TestClient(create_app(db), base_url="http://127.0.0.1:8000")


def test_attention_over_years_counts_per_year_and_says_so(years_client: TestClient) -> None:
    chart = years_client.get("/api/overview").json()["attention"]
    assert chart["bucket"] == "year"
    assert [(trace["x"], trace["y"]) for trace in chart["traces"]] == [
        (["2012-01-01", "2016-01-01", "2024-01-01"], [1, 1, 1])
    ]
    assert chart["x_range"][0] < "2012-01-01" and chart["x_range"][1] > "2024-12-31"  # the last year's bar fits
    assert "Articles per year" in years_client.get("/").text
    search = years_client.get("/api/search", params={"q": "Kestria", "from": "2016-01-01"}).json()["attention"]
    assert search["bucket"] == "month" and [trace["x"] for trace in search["traces"]] == [["2016-03-01", "2024-11-01"]]


def test_search_snippets_mark_the_words_found_escaped(client: TestClient) -> None:
    hit = client.get("/api/search", params={"q": "harbour master"}).json()["hits"][0]
    assert {"text": "harbour", "found": True} in hit["snippet_pieces"]
    html = client.get("/search", params={"q": "harbour master"}).text
    assert "<mark>harbour</mark> <mark>master</mark>" in html and "[harbour]" not in html
    assert "&lt;script&gt;" in html and "<script>document" not in html  # the hostile article's text stays text


def test_a_snippet_keeps_its_own_brackets() -> None:
    assert snippet_pieces("[Reuters] a \ufdd0b\ufdd1 c") == [
        {"text": "[Reuters] a ", "found": False}, {"text": "b", "found": True}, {"text": " c", "found": False},
    ]  # fmt: skip


def test_docs_serve_swagger_ui_offline_under_the_security_headers(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "script-src 'self'" in page.headers["content-security-policy"]
    assert "http://" not in page.text and "https://" not in page.text  # nothing from a CDN
    for asset in ("/static/swagger-ui-bundle.js", "/static/swagger-ui.css", "/static/swagger-init.js"):
        assert asset in page.text
        served = client.get(asset)
        assert served.status_code == 200 and served.headers["x-content-type-options"] == "nosniff"
    assert "/api/stories.csv" in client.get("/api/openapi.json").json()["paths"]


def test_the_cli_has_the_web_filters(web_db: Path, client: TestClient) -> None:
    db = str(web_db)
    cli = json.loads(run_cli("search", "--outlet", "vda", "--speaker", "anneke holm", "--db", db, "--json").stdout)
    web = client.get("/api/search", params={"outlet": "VDA", "speaker": "Anneke Holm"}).json()["hits"]
    assert cli and [hit["article_id"] for hit in cli] == [hit["article_id"] for hit in web]
    dated = json.loads(run_cli("search", "Kestria", "--from", "2025-11-01", "--db", db, "--json").stdout)
    assert dated and all(hit["published"] >= "2025-11-01" for hit in dated)
    stories = json.loads(run_cli("stories", "--order", "date", "--limit", "2", "--db", db, "--json").stdout)
    assert [s["id"] for s in stories] == [
        s["id"] for s in client.get("/api/stories?order=date&per_page=2").json()["rows"]
    ]
    every = json.loads(run_cli("speakers", "--name", "holm", "--db", db, "--json").stdout)
    later = json.loads(run_cli("speakers", "--name", "holm", "--from", "2025-11-01", "--db", db, "--json").stdout)
    assert [s["name"] for s in later] == [s["name"] for s in every] == ["Anneke Holm"]
    assert 0 < later[0]["n_quotes"] < every[0]["n_quotes"]  # only the quotes from November on count
    bad = run_cli("stories", "--from", "2025-13-01", "--db", db)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr


# -- bad input on the workbench's pages and commands: a clear message, never a 500 ------------------------


@pytest.mark.parametrize("path", ["/search", "/search?scope=quotes", "/", *(f"/{listing}" for listing in LISTINGS)])
def test_a_page_past_the_last_says_so_and_links_the_last_page(client: TestClient, path: str) -> None:
    joined = "&" if "?" in path else "?"
    twin = client.get(("/api/overview" if path == "/" else "/api" + path) + f"{joined}per_page=1").json()
    pages = twin["pagination"]["pages"]
    assert twin["pagination"]["total"] >= 1  # a list to be past the end of
    page = client.get(path + f"{joined}per_page=1&page={pages + 5}")
    assert page.status_code == 200
    assert f"Page {pages + 5} is past the last page, {pages} " in page.text
    assert f'class="last-page" href="{path}{joined}' in page.text and f"page={pages}&amp;per_page=1" in page.text
    assert "No rendering in this database is flagged" not in page.text and "← previous" not in page.text


def test_a_filter_that_matches_nothing_is_named_on_the_page_its_twin_and_the_cli(
    client: TestClient, web_db: Path
) -> None:
    asked = {"outlet": "No Such Wire", "speaker": 'O\'Brien "the 100%"', "language": "xx", "story": "st_none"}
    found = client.get("/api/search", params=asked).json()
    assert found["pagination"]["total"] == 0 and found["unmatched"] == [
        "no article is from an outlet named 'No Such Wire'",
        "no article quotes a speaker named 'O\\'Brien \"the 100%\"'",
        "no article is in the language 'xx'",
        "no story 'st_none'",
    ]
    page = html.unescape(client.get("/search", params=asked).text)
    assert "No articles match: no article is from an outlet named 'No Such Wire'; no article quotes" in page
    assert "nothing to draw" in page and 'class="chart"' not in page  # not an empty chart of the year 2000
    assert 'class="chart"' in client.get("/search", params={"outlet": "VDA"}).text
    assert client.get("/api/search", params={"outlet": "vda", "q": "nothingsuch"}).json()["unmatched"] == []
    assert client.get("/api/search", params={"outlet": "vda"}).json()["unmatched"] == []  # something matched
    huge = client.get("/api/search", params={"speaker": "9" * 30})  # an id past 64 bits was a 500
    assert huge.status_code == 400 and "a whole number from 1 to 9223372036854775807" in huge.json()["error"]
    listed = client.get("/api/utterances", params={"speaker": "100%", "outlet": "VDA"}).json()
    assert listed["unmatched"] == ["no article quotes a speaker named '100%'"]
    cli = run_cli("search", "--outlet", "No Such Wire", "--language", "xx", "--db", str(web_db))
    assert cli.returncode == 0 and "no matches: no article is from an outlet named 'No Such Wire'" in cli.stderr
    assert "no article is in the language 'xx'" in cli.stderr.replace("\n", " ")
    huge_cli = run_cli("search", "--speaker", "9" * 30, "--db", str(web_db))  # was a traceback
    assert huge_cli.returncode == 2 and "a whole number from 1 to" in huge_cli.stderr


def test_a_from_date_after_the_to_date_is_refused_with_both_named(client: TestClient, web_db: Path) -> None:
    backwards = {"from": "2025-11-30", "to": "2025-11-01"}
    for path in ("/search", "/api/search", "/api/search.csv", "/stories", "/api/flags", "/api/speakers.csv"):
        answer = client.get(path, params=backwards)
        said = html.unescape(answer.text)
        assert answer.status_code == 400 and "'from' (2025-11-30) is after 'to' (2025-11-01)" in said, path
    for command in ("search", "stories", "speakers"):
        cli = run_cli(command, "--from", "2025-11-30", "--to", "2025-11-01", "--db", str(web_db))
        assert cli.returncode == 2 and "is after 'to'" in cli.stderr


def test_the_cli_says_when_its_offset_is_past_the_last_row(web_db: Path) -> None:
    for command, what in (("search", "matches"), ("stories", "stories"), ("speakers", "speakers")):
        cli = run_cli(command, "--offset", "5000", "--db", str(web_db))
        assert cli.returncode == 0 and f"--offset 5,000 is past the last of the {what} (all " in cli.stderr
        assert cli.stdout == ""  # no empty table
        beyond = run_cli(command, "--offset", "9" * 30, "--db", str(web_db))  # was an OverflowError's traceback
        assert beyond.returncode == 2 and "is not in the range" in beyond.stderr


def test_a_speaker_name_filter_matches_each_alias_not_the_json_text_holding_them(
    client: TestClient, web_db: Path
) -> None:
    """The aliases are a JSON list in one column: a `"`, `[` or `,` typed matched every speaker with an alias
    (LIKE over `["Holm", "Ms. Holm"]`). Each alias is matched on its own, by the store and by the corpus
    summary that pages the unfiltered listing alike."""
    store = open_store(web_db, readonly=True)
    corpus = data.corpus_summary(store)
    named = {
        word: (data.listing(store, ListFilters("speakers", name=word), 1, 100, corpus), store.page_list(
            ListFilters("speakers", name=word), 100, 0)) for word in ('"', "[", ",", "]", "holm", "ms. holm", "HOLM")
    }  # fmt: skip
    for word, (summarised, (rows, total)) in named.items():
        assert [row["id"] for row in summarised["rows"]] == [row.id for row in rows], word
        assert summarised["pagination"]["total"] == total, word
    assert all(named[word][1][1] == 0 for word in ('"', "[", ",", "]"))
    aliased = [row for row in named["holm"][1][0] if any("holm" in alias.lower() for alias in json.loads(row.aliases))]
    assert aliased and named["holm"][1][1] == named["HOLM"][1][1] >= 1
    assert client.get("/api/speakers", params={"q": '"'}).json()["pagination"]["total"] == 0


def test_the_speakers_and_outlets_csv_from_the_corpus_summary_are_those_counted_anew(web_db: Path) -> None:
    """Unnarrowed, the speakers' and outlets' CSV are written from the server's corpus summary, as their
    pages are (counting every quote anew kept a million articles' speakers 39 s from their first row)."""
    from newstrace.serve import downloads

    store = open_store(web_db, readonly=True)
    corpus = data.corpus_summary(store)
    for listing, orders in (("speakers", ("quotes", "outlets")), ("outlets", ("articles", "name"))):
        for order in orders:
            for name in ("", "holm", "a"):
                filters = ListFilters(listing, order, name)
                assert data.summarised_rows(filters, corpus) is not None
                summarised = "".join(downloads.listing_csv(store, filters, corpus))
                assert summarised == "".join(downloads.listing_csv(store, filters)), (listing, order, name)
                assert summarised.count("\n") > 1 or name  # a header and rows


@pytest.mark.parametrize(
    ("listing", "params"),
    [
        ("stories", {}),
        ("speakers", {}),
        ("speakers", {"from": "2025-05-01"}),
        ("utterances", {}),
        ("flags", {}),
        ("flags", {"flag": "altered_direct_quote"}),
    ],
)
def test_an_index_page_s_facet_counts_are_the_totals_its_links_leave(
    client: TestClient, listing: str, params: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each outlet (and, on /flags, flag) counted for the current matches is the total of the listing that
    value's filter narrows them to; the sample corpus's listings are under the sample, and each row's own
    articles, quotes or renderings are read whole here, so all is counted."""
    monkeypatch.setattr(store_base, "LISTING_FACET_PER_ROW", 10**6)
    twin = client.get(f"/api/{listing}", params=params).json()
    assert twin["facets_counted"] is None and twin["facets"]["outlet"]
    for field, rows in twin["facets"].items():
        for row in rows:
            narrowed = client.get(f"/api/{listing}", params={**params, field: row["value"]}).json()
            assert narrowed["pagination"]["total"] == row["n"] > 0, (field, row)
    page = client.get(f"/{listing}", params=params).text
    assert 'class="facets listing-facets"' in page and twin["facets"]["outlet"][0]["value"] in page


def test_an_index_page_over_the_cap_says_its_facets_count_a_sample(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "LISTING_FACET_SAMPLE", 2)
    twin = client.get("/api/utterances").json()
    total = twin["pagination"]["total"]
    assert twin["facets_counted"] == {"counted": 2, "of": total, "of_more_than": False, "rows_cut": False}
    assert sum(row["n"] for row in twin["facets"]["outlet"]) >= 2
    assert f"Counted over the first 2 of {total:,} in this order" in client.get("/utterances").text
    speakers = client.get("/api/speakers").json()["facets_counted"]  # the most quoted, 28 quotes, read to 20
    assert (
        speakers["rows_cut"] and "each one's outlets read from at most 20 of its quotes" in client.get("/speakers").text
    )
    assert client.get("/api/outlets").json()["facets"] == {}
