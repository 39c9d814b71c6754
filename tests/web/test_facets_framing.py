"""The flag facet, "who said X" over quotes, capped facet counts and the framing views (outlet charts, a
story side by side), in process against the sample corpus's database."""

from __future__ import annotations

import json
import shutil
import sqlite3
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from jinja2 import Environment
from markupsafe import escape

from newstrace.framing.compare import outlet_profile
from newstrace.records import as_json
from newstrace.serve import app as app_module
from newstrace.serve import charts, create_app, data, framing_charts
from newstrace.serve.app import CorpusSummary
from newstrace.store import SQLiteStore, open_store, sql
from newstrace.store import base as store_base
from newstrace.store.base import CHECKED_FLAGS, ListFilters, PeriodCount, SearchFilters
from newstrace.store.recent import RecentAnswers
from newstrace.store.sql import _LIST_ORDER_SQL, _NEWEST_FIRST, _list_query

from ..conftest import run_cli


@pytest.fixture(scope="module")
def client(web_db: Path) -> TestClient:
    return TestClient(create_app(web_db), base_url="http://127.0.0.1:8000")


def _rows(db: Path, sql: str, *parameters: object) -> list[tuple[object, ...]]:
    return sqlite3.connect(db).execute(sql, parameters).fetchall()


def _quoted_word(db: Path) -> str:
    """The longest word of the first quote of some length: a word the quotes hold."""
    content = _rows(db, "SELECT content_text FROM quotes WHERE length(content_text) > 30 ORDER BY id LIMIT 1")
    return max(str(content[0][0]).split(), key=len).strip(".,;:\"'")


def test_the_flag_facet_counts_articles_with_a_flagged_rendering_and_narrows_to_them(
    client: TestClient, web_db: Path
) -> None:
    flagged = _rows(web_db, "SELECT DISTINCT r.article_id, j.value FROM renderings r, json_each(r.flags) j")
    by_flag: dict[object, set[object]] = {}
    for article_id, flag in flagged:
        by_flag.setdefault(flag, set()).add(article_id)
    assert by_flag, "the sample corpus has flagged renderings"
    facet = {row["value"]: row["n"] for row in client.get("/api/search").json()["facets"]["flag"]}
    assert facet == {flag: len(ids) for flag, ids in by_flag.items() if flag in CHECKED_FLAGS}
    for flag, ids in by_flag.items():
        if flag in facet:
            narrowed = client.get("/api/search", params={"flag": flag, "per_page": 100}).json()
            assert {hit["article_id"] for hit in narrowed["hits"]} == ids
            assert narrowed["pagination"]["total"] == facet[flag]
    assert 'data-facet="flag"' in client.get("/search").text
    assert client.get("/api/search", params={"flag": "nonsense"}).status_code == 400


def test_who_said_it_finds_the_quotes_holding_the_words_by_the_speaker(client: TestClient, web_db: Path) -> None:
    speaker_id, name, content = _rows(
        web_db,
        "SELECT s.id, s.name, q.content_text FROM quotes q JOIN speakers s ON s.id = q.speaker_id "
        "WHERE length(q.content_text) > 30 ORDER BY q.id LIMIT 1",
    )[0]
    word = max(str(content).split(), key=len).strip(".,;:\"'")
    found = client.get("/api/search", params={"q": word, "scope": "quotes", "speaker": str(name).upper()}).json()
    expected = _rows(
        web_db,
        "SELECT id FROM quotes WHERE speaker_id = ? AND content_text LIKE ?",
        speaker_id,
        f"%{word}%",
    )
    assert {hit["quote_id"] for hit in found["hits"]} == {row[0] for row in expected}
    assert found["pagination"]["total"] == len(expected)
    assert all(hit["speaker_id"] == speaker_id for hit in found["hits"])
    page = client.get("/search", params={"q": word, "scope": "quotes", "speaker": name})
    assert 'class="hits quote-hits"' in page.text and f'href="/speakers/{speaker_id}"' in page.text


def test_the_outlet_page_charts_its_naming_choices_per_month_and_links_its_voices(
    client: TestClient, web_db: Path
) -> None:
    outlet = "Coastal Post"
    uses = _rows(
        web_db,
        "SELECT f.referent, f.marker, substr(a.published, 1, 7), count(*) FROM framing_markers f "
        "JOIN articles a ON a.id = f.article_id WHERE a.outlet = ? AND f.category IN ('naming', 'label') "
        "GROUP BY 1, 2, 3",
        outlet,
    )
    twin = client.get(f"/api/outlets/{outlet}").json()
    charted = {
        (chart["referent"], series["name"], month): n
        for chart in twin["charts"]["naming"]
        for series in chart["series"]
        for month, n in zip(chart["periods"], series["counts"], strict=True)
        if n
    }
    several = {ref for ref, _, _, _ in uses if len({m for r, m, _, _ in uses if r == ref}) > 1}
    assert several, "the sample outlet names a referent more than one way"
    assert charted == {(ref, marker, month): n for ref, marker, month, n in uses if ref in several}
    page = client.get(f"/outlets/{outlet}").text
    assert page.count('class="framing-chart naming-chart"') == len(several)
    assert "<polyline" in page and "<script" not in page.split("<h2>Naming choices")[1].split("</figure>")[0]
    speakers = dict(_rows(web_db, "SELECT name, id FROM speakers"))
    for voice in twin["voices"]:
        assert voice["speaker_id"] == speakers.get(voice["name"])
        if voice["speaker_id"]:
            assert f'href="/speakers/{voice["speaker_id"]}">{voice["name"]}</a>' in page


def test_the_distancing_chart_gives_each_speakers_share_of_distancing_verbs(client: TestClient, web_db: Path) -> None:
    outlet, speaker = _rows(
        web_db,
        "SELECT a.outlet, f.referent FROM framing_markers f JOIN articles a ON a.id = f.article_id "
        "WHERE f.category = 'distancing' ORDER BY f.id LIMIT 1",
    )[0]
    verbs = dict(
        _rows(
            web_db,
            "SELECT f.category, count(*) FROM framing_markers f JOIN articles a ON a.id = f.article_id "
            "WHERE a.outlet = ? AND f.referent = ? AND f.category IN ('neutral', 'distancing', 'endorsing') "
            "GROUP BY 1",
            outlet,
            speaker,
        )
    )
    bars = {row["name"]: row for row in client.get(f"/api/outlets/{outlet}").json()["charts"]["distancing"]}
    assert bars[speaker]["n"] == sum(verbs.values()) and bars[speaker]["distancing"] == verbs["distancing"]
    assert bars[speaker]["share"] == round(verbs["distancing"] / sum(verbs.values()), 4)
    page = client.get(f"/outlets/{outlet}").text
    assert f"<title>{speaker}: {bars[speaker]['share']:.0%} of {bars[speaker]['n']}</title>" in page


def test_the_outlet_page_s_sums_from_the_database_are_what_every_article_and_marker_give(web_db: Path) -> None:
    """Each sample outlet's page (profile, charts, articles) against the same computed from every article,
    marker and quote read (as the page did before, and `newstrace outlet` does): the same numbers, each
    choice's places cut to the first `OUTLET_EVIDENCE` with `more` counting the rest; and the page reads
    no marker or article row by row, nor walks the outlet's markers and quotes (their counts are kept)."""
    store = open_store(web_db, readonly=True)
    asked: list[str] = []
    cut = False
    try:
        for outlet in [row.outlet for row in store.outlets()]:
            store.connection.set_trace_callback(asked.append)  # type: ignore[attr-defined]
            page = data.outlet(store, outlet.upper(), page=2, per_page=3)
            store.connection.set_trace_callback(None)  # type: ignore[attr-defined]
            articles = store.articles_where(outlet=outlet)
            markers = store.markers_of([row.id for row in articles])
            full = outlet_profile(store, outlet).to_dict()
            dated = {row.id for row in articles if row.published}
            assert len(dated) <= data.OUTLET_EVIDENCE_ARTICLES  # so the places listed are among every dated one's
            assert page["profile"] == _cut(full, data.OUTLET_EVIDENCE, dated), outlet
            cut = cut or any(choice["more"] for choice in full["verbs"])  # type: ignore[attr-defined]
            charts = page["charts"]
            assert isinstance(charts, dict)
            assert charts["naming"] == framing_charts.naming_over_time(markers, articles), outlet
            assert charts["distancing"] == framing_charts.distancing_by_speaker(markers, store.speaker_ids), outlet
            assert page["articles"] == [as_json(row) for row in articles[3:6]]
            assert page["pagination"] == data.pagination(2, 3, len(articles))
    finally:
        store.close()
    assert not [sql for sql in asked if "article_id IN (" in sql]  # no marker or quote read per article
    counts = ("outlet_marker_counts", "outlet_quote_counts")  # kept per outlet by triggers (schema 30)
    whole = [sql for sql in asked if "WHERE outlet = " in sql and "LIMIT" not in sql and "count(" not in sql]
    assert not [sql for sql in whole if not any(table in sql for table in counts)]
    assert not [sql for sql in asked if "a.outlet = " in sql]  # no walk of its articles' markers or quotes
    assert cut, "some sample outlet uses a verb or a name more often than the places listed"


def test_the_outlet_page_says_its_places_and_voices_are_cut_and_links_every_voice(
    web_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "OUTLET_VOICES", 2)
    client = TestClient(create_app(web_db, keep_answers=False), base_url="http://127.0.0.1:8000")
    twin = client.get("/api/outlets/Coastal Post").json()
    assert len(twin["voices"]) == len(twin["profile"]["speakers"]) == 2 < twin["n_voices"]
    page = client.get("/outlets/Coastal Post").text
    assert f"The 2 most quoted of {twin['n_voices']}:" in page and 'href="/speakers?outlet=Coastal%20Post"' in page
    assert f"first {data.OUTLET_EVIDENCE} places" in page.split('class="meta evidence-note">')[1]
    listed = client.get("/api/speakers?outlet=Coastal%20Post&per_page=100").json()
    assert {row["name"] for row in twin["voices"]} <= {row["name"] for row in listed["rows"]}


def test_an_outlet_s_counts_are_kept_for_its_next_pages_until_the_database_changes(
    web_db: Path, tmp_path: Path
) -> None:
    db = tmp_path / "kept.db"
    shutil.copy(web_db, db)
    store = open_store(db, readonly=True)
    asked: list[str] = []
    try:
        first = data.outlet(store, "VDA")
        store.connection.set_trace_callback(asked.append)  # type: ignore[attr-defined]
        second = data.outlet(store, "VDA", page=2, per_page=1)
        store.connection.set_trace_callback(None)  # type: ignore[attr-defined]
        assert second["charts"] == first["charts"] and second["profile"] == first["profile"]
        assert not [sql for sql in asked if "framing_markers" in sql or "quotes" in sql]
        with closing(sqlite3.connect(db)) as writer, writer:
            writer.execute(
                "DELETE FROM framing_markers WHERE article_id IN (SELECT id FROM articles WHERE outlet = 'VDA')"
            )
        assert data.outlet(store, "VDA")["charts"] == {"naming": [], "distancing": []}
    finally:
        store.close()


def _cut(profile: dict[str, object], places: int, dated: set[str]) -> dict[str, object]:
    """A full profile as the page gives it: its choices' places cut to the first `places` in dated articles,
    `more` counting the rest; its most quoted voices."""
    names = profile["names"]
    assert isinstance(names, dict)
    for choice in [*profile["verbs"], *(choice for choices in names.values() for choice in choices)]:  # type: ignore[misc]
        evidence = sorted(choice["evidence"], key=lambda place: (place["article_id"], place["start"]))
        listed = [place for place in evidence if place["article_id"] in dated][:places]
        choice["evidence"], choice["more"] = listed, len(evidence) - len(listed)
    speakers = profile["speakers"]
    assert isinstance(speakers, dict)
    profile["speakers"] = dict(sorted(speakers.items(), key=lambda item: (-item[1], item[0]))[: data.OUTLET_VOICES])
    return profile


def test_a_story_side_by_side_shows_each_outlets_own_words_and_links_its_voices(
    client: TestClient, web_db: Path
) -> None:
    story_id = _rows(web_db, "SELECT id FROM stories ORDER BY n_outlets DESC, id LIMIT 1")[0][0]
    twin = client.get(f"/api/stories/{story_id}").json()
    own_words = [p for outlet in twin["comparison"] for r in outlet["renderings"] for p in r["pieces"]]
    assert own_words, "the widest sample story has statements carried by several outlets"
    page = client.get(f"/stories/{story_id}").text
    for piece in own_words:  # each piece as printed, with its offsets
        assert f'data-start="{piece["start"]}" data-end="{piece["end"]}"' in page
        assert f">{escape(piece['text'])}</span>" in page
    quoted = {name for outlet in twin["comparison"] for name in outlet["speakers"]}
    speakers = dict(_rows(web_db, "SELECT name, id FROM speakers"))
    assert {name: speakers[name] for name in quoted if name in speakers}.items() <= twin["speaker_ids"].items()
    for name, speaker_id in twin["speaker_ids"].items():
        assert f'<a class="speaker-link" href="/speakers/{speaker_id}">{name}</a>' in page


def test_svg_chart_labels_are_escaped() -> None:
    hostile = "<script>alert(1)</script>"
    lines = str(charts.lines_svg(["2025-01", "2025-02"], [{"name": hostile, "counts": [1, 2]}], hostile))
    bars = str(charts.shares_svg([{"name": hostile, "share": 0.5, "n": 2}], hostile))
    for svg in (lines, bars):
        assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_past_the_cap_facets_count_the_newest_matches_and_say_at_least(
    client: TestClient, web_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the cap, speakers, stories and flags are counted over the newest matches (at least); outlets,
    languages, dates and attention come from the store's article counts and count every match."""
    monkeypatch.setattr(data, "FACET_CAP", 3)
    newest = [row[0] for row in _rows(web_db, "SELECT id FROM articles ORDER BY published DESC LIMIT 3")]
    total = _rows(web_db, "SELECT count(*) FROM articles")[0][0]
    dated = _rows(web_db, "SELECT count(*) FROM articles WHERE published IS NOT NULL")[0][0]
    found = client.get("/api/search").json()
    assert found["counted"] == {
        "counted": 3, "of": total, "of_more_than": False, "newest": True, "sample": "newest",
        "exact": ["outlet", "language", "dates", "attention"],
    }  # fmt: skip
    assert sum(row["n"] for row in found["facets"]["outlet"]) == total
    assert sum(n for trace in found["attention"]["traces"] for n in trace["y"]) == dated
    quoted = _rows(
        web_db,
        f"SELECT speaker_id, count(DISTINCT article_id) FROM quotes WHERE speaker_id IS NOT NULL "
        f"AND article_id IN ({', '.join('?' * len(newest))}) GROUP BY speaker_id",
        *newest,
    )
    assert {row["id"]: row["n"] for row in found["facets"]["speaker"]} == dict(quoted)
    page = client.get("/search").text
    assert "each of their counts is at least that many" in page and "≥ " in page
    unfound = {"outlet": found["facets"]["outlet"][0]["value"], "q": "zzzunfound"}
    assert "at least" not in client.get("/search", params=unfound).text


def test_a_total_past_the_count_cap_reads_more_than(
    client: TestClient, web_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A total the store counts only so far (COUNT_CAP) is shown as "more than" it, in the pager and the
    JSON twin."""
    monkeypatch.setattr(data, "COUNT_CAP", 2)
    monkeypatch.setattr(sql, "COUNT_CAP", 2)
    found = client.get("/api/stories", params={"per_page": 1}).json()["pagination"]
    assert found == {"page": 1, "per_page": 1, "total": 2, "more_than": True, "pages": 2}
    assert "more than 2 in all" in client.get("/stories", params={"per_page": 1}).text


def test_the_overview_shows_the_whole_corpus_summary_computed_in_the_background(web_db: Path) -> None:
    summary = CorpusSummary(web_db, refresh_seconds=3600)
    for _ in range(200):
        if summary.latest() is not None:
            break
        time.sleep(0.05)
    summary.stop()
    latest = summary.latest()
    assert latest is not None and latest["counted"] is None
    articles = _rows(web_db, "SELECT count(*) FROM articles")[0][0]
    assert latest["counts"]["articles"] == articles  # type: ignore[index]
    dated = _rows(web_db, "SELECT count(*) FROM articles WHERE published IS NOT NULL")[0][0]
    traces = latest["attention"]["traces"]  # type: ignore[index]
    assert sum(n for trace in traces for n in trace["y"]) == dated
    # the summary's listings are for the index pages to page, not part of the overview (50,000 speakers)
    with closing(open_store(web_db, readonly=True)) as store:
        overview = data.overview(store, corpus=latest)
    assert "listings" in latest and "listings" not in overview and overview["counts"] == latest["counts"]


def test_a_words_total_is_counted_up_to_the_cap(web_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Words alone are counted in the text index up to COUNT_CAP, like every other total the store
    does not keep: past it the page says "more than" (a common word at a million articles: 65 ms)."""
    with closing(open_store(web_db, readonly=True)) as store:
        every = store.page_search(SearchFilters("said"), 1, 0)[1]
        assert every > 3
        monkeypatch.setattr(sql, "COUNT_CAP", 2)
        assert store.page_search(SearchFilters("said"), 1, 0)[1] == 3


@pytest.mark.parametrize(
    ("listing", "order", "index"),
    [
        ("stories", "coverage", "stories_by_coverage"),
        ("stories", "date", "stories_by_last_seen"),
        ("utterances", "renderings", "utterances_by_renderings"),
        ("utterances", "date", "utterances_by_first_seen"),
        ("flags", "date", "renderings_flagged"),
    ],
)
def test_index_pages_read_their_rows_through_an_index(web_db: Path, listing: str, order: str, index: str) -> None:
    query = _list_query(ListFilters(listing, order))
    ordered = f"{query.sql()} ORDER BY {_LIST_ORDER_SQL[listing][order]} LIMIT 20"
    plan = " ".join(str(row[-1]) for row in _rows(web_db, f"EXPLAIN QUERY PLAN {ordered}", *query.parameters))
    assert index in plan


def test_an_outlets_newest_articles_are_read_through_an_index(web_db: Path) -> None:
    plan = _rows(
        web_db,
        "EXPLAIN QUERY PLAN SELECT id FROM articles a WHERE a.outlet = ? ORDER BY a.published DESC LIMIT 20",
        "VDA",
    )
    assert "articles_by_outlet_published" in " ".join(str(row[-1]) for row in plan)


@pytest.mark.parametrize(
    ("listing", "order", "name"),
    [("speakers", "quotes", ""), ("speakers", "outlets", ""), ("speakers", "quotes", "holm"),
     ("outlets", "articles", ""), ("outlets", "name", ""), ("outlets", "name", "TIMES")],
)  # fmt: skip
def test_speakers_and_outlets_paged_from_the_corpus_summary_match_the_database(
    web_db: Path, listing: str, order: str, name: str
) -> None:
    store = open_store(web_db, readonly=True)
    try:
        corpus = data.corpus_summary(store)
        filters = ListFilters(listing, order, name)
        for page in (1, 2):
            from_summary = data.listing(store, filters, page, 3, corpus)
            from_database = data.listing(store, filters, page, 3)
            assert from_summary == from_database
        assert data.summarised_rows(ListFilters(listing, order, name, date_from="2025-01-01"), corpus) is None
    finally:
        store.close()


def test_past_the_cap_a_common_word_is_ranked_among_its_most_recently_stored_matches(
    client: TestClient, web_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "FACET_CAP", 2)
    word = "holm"
    found = _rows(
        web_db,
        "SELECT a.id, bm25(articles_fts) FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
        "WHERE articles_fts MATCH ? ORDER BY articles_fts.rowid DESC LIMIT 2",
        f'"{word}"',
    )
    total = _rows(web_db, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", f'"{word}"')[0][0]
    assert total > 2
    answer = client.get("/api/search", params={"q": word, "per_page": 1}).json()
    assert answer["ranked_among"] == 2 and answer["sample"] == "latest_stored"
    assert answer["pagination"]["total"] == total and answer["counted"]["sample"] == "latest_stored"
    assert answer["hits"][0]["article_id"] == min(found, key=lambda row: (row[1], row[0]))[0]
    page = client.get("/search", params={"q": word, "per_page": 1}).text
    assert "Ranked by relevance among the 2 most recently stored of" in page
    deeper = client.get("/api/search", params={"q": word, "per_page": 1, "page": 3}).json()
    assert deeper["ranked_among"] is None and len(deeper["hits"]) == 1


@pytest.mark.parametrize("cap", [2, 1000])
def test_a_word_in_more_articles_than_the_bound_is_listed_newest_first(
    client: TestClient, web_db: Path, monkeypatch: pytest.MonkeyPatch, cap: int
) -> None:
    """Past NEWEST_FIRST_OVER matches (2 here) a word's hits come newest first, the page says so where the
    results begin and the JSON twin gives the order; among the FACET_CAP most recently stored when the page lies
    among them (cap 2), else among every match. At the bound, ranked by relevance as before."""
    monkeypatch.setattr(data, "FACET_CAP", cap)
    monkeypatch.setattr(store_base, "NEWEST_FIRST_OVER", 2)
    word = "holm"
    every = _rows(
        web_db,
        "SELECT a.id FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid WHERE articles_fts MATCH ? "
        f"ORDER BY {_NEWEST_FIRST}",
        f'"{word}"',
    )
    latest = [row[0] for row in every if row[0] in _latest_stored(web_db, word, cap)]
    assert len(every) > 2
    answer = client.get("/api/search", params={"q": word, "per_page": 2}).json()
    assert answer["order"] == "newest" and answer["ranked_among"] is None and answer["newest_over"] == 2
    assert answer["newest_among"] == (2 if cap == 2 else None)
    assert [hit["article_id"] for hit in answer["hits"]] == latest[:2]
    assert answer["sample"] == ("latest_stored" if cap == 2 else None)
    assert {hit["score"] for hit in answer["hits"]} == {0}
    deeper = client.get("/api/search", params={"q": word, "per_page": 1, "page": 3}).json()
    assert deeper["newest_among"] is None and [hit["article_id"] for hit in deeper["hits"]] == [every[2][0]]
    page = client.get("/search", params={"q": word, "per_page": 2}).text
    among = " among the 2 most recently stored" if cap == 2 else ""
    assert f'<p class="meta newest-first">More than 2 matches: newest first{among}. Narrow' in page
    monkeypatch.setattr(store_base, "NEWEST_FIRST_OVER", len(every))
    ranked = client.get("/api/search", params={"q": word, "per_page": 2}).json()
    assert ranked["order"] == "relevance" and ranked["newest_over"] is None
    assert "newest-first" not in client.get("/search", params={"q": word, "per_page": 2}).text


def test_the_cli_search_lists_a_word_in_more_articles_than_the_bound_newest_first(
    web_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_base, "NEWEST_FIRST_OVER", 2)
    newest = _rows(
        web_db,
        "SELECT a.id FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid WHERE articles_fts MATCH ? "
        f"ORDER BY {_NEWEST_FIRST} LIMIT 3",
        '"holm"',
    )
    listed = run_cli("search", "holm", "--db", str(web_db), "--limit", "3", "--json")
    assert [hit["article_id"] for hit in json.loads(listed.stdout)] == [row[0] for row in newest]
    shown = run_cli("search", "holm", "--db", str(web_db), "--limit", "3")
    assert "more than 2 matches: newest first" in shown.stderr


@pytest.mark.parametrize(
    "params",
    [
        {"q": "holm"},
        {"q": "harbour", "per_page": "3", "page": "2"},
        {"q": "holm", "scope": "quotes"},
        {},
        {"flag": "translated"},
    ],
)
def test_the_search_s_json_twin_is_the_bytes_fastapi_s_own_encoding_gives(
    client: TestClient, web_db: Path, params: dict[str, str]
) -> None:
    """`json_bytes` writes the search's data with `json.dumps` instead of FastAPI's `jsonable_encoder`: the
    same bytes, and the same response schema in the OpenAPI document."""
    answer = client.get("/api/search", params=params)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
    store = open_store(web_db, readonly=True)
    try:
        filters = data.search_filters(params.get("q", ""), flag=params.get("flag", ""))
        page, per_page = int(params.get("page", 1)), int(params.get("per_page", 20))
        payload = data.search(store, filters, page, per_page, params.get("scope", "articles"))
    finally:
        store.close()
    assert answer.content == app_module.json_bytes(payload) == JSONResponse(jsonable_encoder(payload)).body
    schema = client.get("/api/openapi.json").json()["paths"]["/api/search"]["get"]["responses"]["200"]
    assert schema["content"]["application/json"]["schema"]["type"] == "object"


def _latest_stored(db: Path, word: str, cap: int) -> set[object]:
    """The ids of a word's `cap` most recently stored matches (the highest rowids: those facets count)."""
    rows = _rows(
        db,
        "SELECT a.id FROM articles_fts CROSS JOIN articles a ON a.rowid = articles_fts.rowid "
        f"WHERE articles_fts MATCH ? ORDER BY a.rowid DESC LIMIT {cap}",
        f'"{word}"',
    )
    return {row[0] for row in rows}


def test_past_the_cap_who_said_it_reads_the_quotes_of_the_first_matching_articles(
    client: TestClient, web_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "FACET_CAP", 2)
    newest = [row[0] for row in _rows(web_db, "SELECT id FROM articles ORDER BY published DESC, id LIMIT 2")]
    quoted = _rows(web_db, f"SELECT id FROM quotes WHERE article_id IN ({', '.join('?' * len(newest))})", *newest)
    answer = client.get("/api/search", params={"scope": "quotes", "per_page": 100}).json()
    assert answer["ranked_among"] == 2 and answer["pagination"]["total"] == len(quoted)
    assert {hit["quote_id"] for hit in answer["hits"]} == {row[0] for row in quoted}
    assert "The quotes of the first 2 matching articles" in client.get("/search", params={"scope": "quotes"}).text


def _plan(db: Path, sql: str, *parameters: object) -> list[str]:
    return [str(row[-1]) for row in _rows(db, f"EXPLAIN QUERY PLAN {sql}", *parameters)]


def test_a_search_with_words_and_an_outlet_is_driven_by_the_text_index(web_db: Path) -> None:
    store = open_store(web_db, readonly=True)
    try:
        relation = store._search_relation(SearchFilters("holm", outlet="VDA"))  # type: ignore[attr-defined]
    finally:
        store.close()
    plan = _plan(web_db, f"SELECT count(*) FROM {relation.source}{relation.where}", *relation.parameters)
    assert "articles_fts" in plan[0], plan  # the index first, then each match's article by its rowid


@pytest.mark.parametrize("column", ["outlet", "language"])
def test_words_and_an_outlet_or_a_language_are_one_search_of_the_text_index(web_db: Path, column: str) -> None:
    """Schema 19: an outlet and a language are tokens of the text index, so words with one of them are
    found, ranked and counted in the index alone (no article is asked for its outlet), and exactly."""
    value = str(_rows(web_db, f"SELECT {column} FROM articles WHERE text LIKE '%Holm%' AND {column} IS NOT NULL")[0][0])
    filters = SearchFilters("holm", **{column: value})
    store = open_store(web_db, readonly=True)
    asked: list[str] = []
    store.connection.set_trace_callback(asked.append)  # type: ignore[attr-defined]
    try:
        assert store._search_relation(filters).words_only  # type: ignore[attr-defined]
        hits, total = store.page_search(filters, 20, 0)
        store.connection.set_trace_callback(None)  # type: ignore[attr-defined]
        facets = store.search_facets(filters, 10, cap=1000)
    finally:
        store.close()
    expected = _rows(
        web_db,
        "SELECT a.id FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
        f"WHERE articles_fts MATCH ? AND a.{column} = ?",
        '"holm"',
        value,
    )
    assert total == len(expected) > 0 and {hit.article_id for hit in hits} == {row[0] for row in expected}
    assert not any(f"a.{column} = " in sql for sql in asked), asked
    assert [(row.value, row.n) for row in getattr(facets, column)] == [(value, len(expected))]


def test_no_search_finds_an_article_by_its_outlets_token_in_the_text_index(web_db: Path) -> None:
    """The outlet and language tokens of schema 19 (`o` or `l` and the value's hex digits) are never
    matched by what a user types: a word or prefix that could be one is asked of the title and text."""
    outlet, language = _rows(web_db, "SELECT outlet, language FROM articles WHERE outlet IS NOT NULL LIMIT 1")[0]
    store = open_store(web_db, readonly=True)
    try:
        for typed in (f"o{str(outlet).encode().hex()}", f"l{str(language).encode().hex()}", "o*", "l6*"):
            titled = _rows(
                web_db,
                "SELECT count(*) FROM articles WHERE ' ' || lower(title) || ' ' || lower(text) GLOB ?",
                f"*[^a-z0-9]{typed.rstrip('*')}{'*' if typed.endswith('*') else '[^a-z0-9]'}*",
            )[0][0]
            assert store.page_search(SearchFilters(typed), 20, 0)[1] == titled, typed
    finally:
        store.close()


def test_a_languages_newest_articles_come_in_order_from_an_index(web_db: Path) -> None:
    plan = _plan(web_db, f"SELECT a.id FROM articles a WHERE a.language = ? ORDER BY {_NEWEST_FIRST} LIMIT 20", "en")
    assert "articles_by_language_published" in " ".join(plan) and not any("FOR ORDER BY" in step for step in plan)


def test_the_flags_listings_first_page_walks_the_articles_newest_first(web_db: Path) -> None:
    query = _list_query(ListFilters("flags"), SQLiteStore._ARTICLES_FIRST)
    plan = _plan(web_db, f"{query.sql()} ORDER BY {_LIST_ORDER_SQL['flags']['date']} LIMIT 20", *query.parameters)
    assert "articles_by_published" in plan[0] and "renderings_flagged" in plan[1], plan
    assert not any(step == "USE TEMP B-TREE FOR ORDER BY" for step in plan)


@pytest.mark.parametrize("filters", [SearchFilters(flag="altered_direct_quote"), SearchFilters(speaker_name="holm")])
def test_a_flags_or_a_speakers_articles_are_put_newest_first_from_the_index_on_id_and_date(
    web_db: Path, filters: SearchFilters
) -> None:
    store = open_store(web_db, readonly=True)
    try:
        relation = store._search_relation(filters)  # type: ignore[attr-defined]
    finally:
        store.close()
    newest = f"SELECT a.rowid, a.id FROM {relation.source}{relation.where} ORDER BY {_NEWEST_FIRST} LIMIT 1000"
    plan = " ".join(_plan(web_db, newest, *relation.parameters))
    assert "COVERING INDEX articles_by_id_published" in plan, plan  # each match's date without its row


def test_words_with_a_story_are_counted_in_its_index_and_exactly(web_db: Path) -> None:
    column = "story_id"
    value = str(_rows(web_db, "SELECT story_id FROM articles WHERE story_id IS NOT NULL LIMIT 1")[0][0])
    filters = SearchFilters("holm", **{column: value})
    store = open_store(web_db, readonly=True)
    try:
        relation = store._search_relation(filters)  # type: ignore[attr-defined]
        source, where = store._capped_count_relation(filters, relation)  # type: ignore[attr-defined]
        total = store._search_total(filters, relation)  # type: ignore[attr-defined]
    finally:
        store.close()
    plan = " ".join(_plan(web_db, f"SELECT 1 FROM {source}{where}", *relation.parameters))
    assert f"COVERING INDEX articles_by_{column.removesuffix('_id')}" in plan, plan
    expected = _rows(
        web_db,
        "SELECT count(*) FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
        f"WHERE articles_fts MATCH ? AND a.{column} = ?",
        '"holm"',
        value,
    )[0][0]
    assert total == expected


def test_a_flag_alone_is_counted_once_per_article_from_its_renderings(
    client: TestClient, web_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(data, "FACET_CAP", 1)  # past the cap, the total is counted rather than listed
    for flag in CHECKED_FLAGS:
        articles = _rows(web_db, "SELECT count(DISTINCT article_id) FROM renderings WHERE flags LIKE ?", f'%"{flag}"%')
        answer = client.get("/api/search", params={"flag": flag, "per_page": 1}).json()
        assert answer["pagination"]["total"] == articles[0][0]


@pytest.mark.parametrize("kind", ["words", "words and a language", "a speaker"])
def test_past_the_cap_outlets_languages_dates_and_the_chart_are_counted_from_one_read_of_the_first_matches(
    web_db: Path, kind: str
) -> None:
    quoted_most = (
        "SELECT s.name FROM quotes q JOIN speakers s ON s.id = q.speaker_id GROUP BY s.id ORDER BY count(*) DESC"
    )
    filters = {
        "words": SearchFilters("holm"),
        "words and a language": SearchFilters("holm", language="en"),
        "a speaker": SearchFilters(speaker_name=str(_rows(web_db, quoted_most)[0][0])),
    }[kind]
    store = open_store(web_db, readonly=True)
    statements: list[str] = []
    store.connection.set_trace_callback(statements.append)  # type: ignore[attr-defined]
    try:
        facets = store.search_facets(filters, 10, cap=3)
        attention = {bucket: store.search_attention(filters, bucket, cap=3) for bucket in ("day", "week")}
        matches = store._first_matches(filters, store._search_relation(filters), 3)  # type: ignore[attr-defined]
        first = list(matches.ids)
    finally:
        store.close()
    assert len(first) == 3
    marks = ", ".join("?" * len(first))
    for name in ("outlet", "language"):
        expected = _rows(
            web_db,
            f"SELECT {name}, count(*) AS n FROM articles WHERE id IN ({marks}) GROUP BY {name} "
            f"ORDER BY n DESC, {name} NULLS FIRST",
            *first,
        )
        assert [(row.value, row.n) for row in getattr(facets, name)] == expected
    span = _rows(
        web_db,
        f"SELECT min(substr(published, 1, 10)), max(substr(published, 1, 10)) FROM articles WHERE id IN ({marks})",
        *first,
    )
    assert (facets.dates.first, facets.dates.last) == span[0]
    for bucket, period in (
        ("day", "substr(published, 1, 10)"),
        ("week", "date(substr(published, 1, 10), 'weekday 0', '-6 days')"),
    ):
        expected = _rows(
            web_db,
            f"SELECT {period} AS period, outlet, count(*) FROM articles WHERE id IN ({marks}) "
            "AND published IS NOT NULL GROUP BY period, outlet ORDER BY period, outlet NULLS FIRST",
            *first,
        )
        assert attention[bucket] == [PeriodCount(*row) for row in expected]
    counted_by_query = [sql for sql in statements if "GROUP BY a.outlet" in sql or "GROUP BY a.language" in sql]
    assert not counted_by_query  # one read of the first matches, counted in Python


def test_a_search_s_counts_are_kept_until_the_database_changes(web_db: Path, tmp_path: Path) -> None:
    """Facets, attention and the first matches of a search are counted once and kept for the next
    request of the same search, until a write (by another process) changes the database."""
    db = tmp_path / "kept.db"
    shutil.copy(web_db, db)
    filters = SearchFilters("holm")
    reader = open_store(db, readonly=True)
    try:
        hits = data.RECENT_SUMMARIES.hits
        first = data.search(reader, filters)
        assert data.search(reader, filters)["facets"] == first["facets"]
        assert data.RECENT_SUMMARIES.hits == hits + 1
        article_id = str(first["hits"][0]["article_id"])  # type: ignore[index]
        writer = open_store(db)
        writer.update_article_metadata(article_id, {"outlet": "Fictional Gazette"}, {"outlet": "metadata"})
        writer.close()
        outlets = {row["value"] for row in data.search(reader, filters)["facets"]["outlet"]}  # type: ignore[index]
    finally:
        reader.close()
    assert "Fictional Gazette" in outlets


def test_a_search_or_index_page_asked_again_is_sent_as_kept_until_the_database_changes(
    web_db: Path, tmp_path: Path
) -> None:
    """The HTML of a search page and of the stories, utterances and flags pages is kept: asked again, the
    same page is sent without reading the database, until a write changes its data version."""
    db = tmp_path / "pages.db"
    shutil.copy(web_db, db)
    asked = {"q": "holm"}
    with TestClient(create_app(db), base_url="http://127.0.0.1:8000") as client:
        first, flags = client.get("/search", params=asked).text, client.get("/flags").text
        hits = app_module.RECENT_PAGES.hits
        assert client.get("/search", params=asked).text == first and client.get("/flags").text == flags
        assert app_module.RECENT_PAGES.hits == hits + 2
        article_id = str(client.get("/api/search", params=asked).json()["hits"][0]["article_id"])
        writer = open_store(db)
        writer.update_article_metadata(article_id, {"outlet": "Fictional Gazette"}, {"outlet": "metadata"})
        writer.close()
        again = client.get("/search", params=asked).text
    assert "holm" in first.lower() and "Flagged renderings" in flags
    assert again != first and "Fictional Gazette" in again and "Fictional Gazette" not in first


def test_recent_answers_keep_the_last_ones_used_and_count_hits() -> None:
    recent: RecentAnswers[str] = RecentAnswers(2)
    computed: list[str] = []

    def answer(key: str) -> str:
        return recent.get(key, lambda: computed.append(key) or key.upper())

    assert [answer(key) for key in ("a", "b", "a", "c", "b", "a")] == ["A", "B", "A", "C", "B", "A"]
    # "b" was the least recently used when "c" came, then "a" when "b" came back
    assert computed == ["a", "b", "c", "b", "a"]
    assert (recent.hits, recent.misses) == (1, 5) and recent.hit_rate() == 1 / 6


@pytest.mark.parametrize("per_page", [2, 1000])
def test_a_search_the_article_counts_total_reads_its_newest_matches_only_when_they_are_not_kept(
    web_db: Path, monkeypatch: pytest.MonkeyPatch, per_page: int
) -> None:
    """A language (or an outlet, or days) with its facets kept but not its newest matches: the page
    and its total are read alone, the same as those the newest matches give, not the 1,000 newest."""
    language = str(_rows(web_db, "SELECT language FROM articles GROUP BY language ORDER BY count(*) DESC")[0][0])
    filters = SearchFilters(language=language)
    store = open_store(web_db, readonly=True)
    try:
        kept = store.page_search(filters, per_page, 0, data.FACET_CAP)
        read: list[SearchFilters] = []
        original = store._read_first_matches  # type: ignore[attr-defined]
        monkeypatch.setattr(
            store, "_read_first_matches", lambda *arguments: read.append(arguments[0]) or original(*arguments)
        )
        monkeypatch.setattr(sql, "RECENT_MATCHES", RecentAnswers(64))
        store._last_sample = None  # type: ignore[attr-defined]
        alone = store.page_search(filters, per_page, 0, data.FACET_CAP)
    finally:
        store.close()
    assert read == [] and alone == kept and kept[1] > 2


def test_a_flag_alone_is_totalled_from_the_counts_per_set_of_flags_without_reading_a_rendering(
    web_db: Path,
) -> None:
    store = open_store(web_db, readonly=True)
    assert isinstance(store, SQLiteStore)
    asked: list[str] = []
    try:
        filters = SearchFilters(flag="translated")
        store.connection.set_trace_callback(asked.append)
        store._search_total(filters, store._search_relation(filters))
    finally:
        store.close()
    assert len(asked) == 1 and "FROM flag_counts" in asked[0], asked


def test_who_said_it_reads_the_quotes_holding_the_words_once_for_its_page_and_total(web_db: Path) -> None:
    word = _quoted_word(web_db)
    store = open_store(web_db, readonly=True)
    assert isinstance(store, SQLiteStore)
    asked: list[str] = []
    try:
        store.connection.set_trace_callback(asked.append)
        rows, total = store.page_quote_search(SearchFilters(word), 2, 0)
    finally:
        store.close()
    assert rows and total >= len(rows)
    assert len([sql for sql in asked if "JOIN quotes q" in sql]) == 1, asked


def test_the_flag_counts_follow_a_facet_keys_row_replaced(web_db: Path, tmp_path: Path) -> None:
    """A row of facet keys written again in place (INSERT OR REPLACE fires no delete trigger) has its old
    flags counted out before its new ones are counted in."""
    db = tmp_path / "replaced.db"
    shutil.copy(web_db, db)
    with closing(sqlite3.connect(db)) as connection, connection:
        rowid, flags = connection.execute(
            "SELECT article_rowid, flags FROM article_facet_keys WHERE flags <> 0"
        ).fetchone()
        connection.execute(
            "INSERT OR REPLACE INTO article_facet_keys SELECT article_rowid, id, outlet, language, day, story_id, "
            "speakers, ? FROM article_facet_keys WHERE article_rowid = ?",
            (flags ^ 7, rowid),
        )
        counted = dict(connection.execute("SELECT flags, n FROM flag_counts WHERE n > 0").fetchall())
        keys = dict(
            connection.execute("SELECT flags, count(*) FROM article_facet_keys WHERE flags <> 0 GROUP BY flags")
        )
    assert counted == keys


def test_who_said_it_counts_the_matching_articles_without_ranking_a_page_of_them(web_db: Path) -> None:
    """The quotes are the hits: the matching articles are counted (for the facets and the cap), not
    ranked, cut into snippets or read for a page no one sees."""
    filters = SearchFilters(_quoted_word(web_db))
    store = open_store(web_db, readonly=True)
    assert isinstance(store, SQLiteStore)
    asked: list[str] = []
    try:
        articles = data.search(store, filters)
        store.connection.set_trace_callback(asked.append)
        quotes = data.search(store, filters, scope="quotes")
    finally:
        store.close()
    assert not any("bm25(" in sql or "snippet(" in sql for sql in asked), asked
    assert quotes["facets"] == articles["facets"] and quotes["hits"]


# The facet_list macro the search and overview pages used before it was written in Python (serve.app)
_FACET_LIST_MACRO = """{% macro facet_list(title, rows, field, params, path, page_of=None, at_least=False) -%}
<section class="facet facet-{{ field }}"><h3>{{ title }}</h3><ul>
{% for row in rows %}<li><a class="facet-link" data-facet="{{ field }}" href="{{ url_with(path, params, **{field: row.value}) }}">{{ row.label or row.value or '(unknown)' }}</a> <span class="count">{% if at_least %}≥ {% endif %}{{ row.n }}</span>
{%- if page_of and row.value %} <a class="page-link" title="open its page" href="/{{ page_of }}/{{ (row.id or row.value)|path_segment }}">→</a>{% endif %}</li>
{% else %}<li class="meta">none</li>{% endfor %}
</ul></section>
{%- endmacro %}"""  # noqa: E501


def test_a_facet_list_is_the_html_its_template_macro_wrote(web_db: Path) -> None:
    """The facet lists built in Python give the HTML of the macro they replace, byte for byte: for the
    facets of real searches, and for values that must be escaped, carry bidi controls, or are missing."""
    environment = Environment(autoescape=True, finalize=app_module._without_bidi_controls)
    environment.filters["path_segment"] = lambda value: quote(str(value), safe="")
    environment.globals["url_with"] = app_module.url_with
    macro = environment.from_string(_FACET_LIST_MACRO).module.facet_list  # type: ignore[attr-defined]
    store = open_store(web_db, readonly=True)
    try:
        asked = [
            ({"q": "holm", "page": "2"}, data.search(store, SearchFilters("holm"), page=2)),
            ({}, data.search(store, SearchFilters())),
        ]
    finally:
        store.close()
    odd_rows = [
        {"value": 'A & B <"Wire">', "n": 3, "id": 7},
        {"value": None, "n": 2},
        {"value": "", "label": "", "n": 1},
        {"value": "s\u202eto", "label": "Story \u2066title\u2069", "n": 1},
        {"value": "x/y?z", "id": None, "n": 1},
    ]
    cases = [
        (params, found["facets"][field], field)
        for params, found in asked
        for field in ("outlet", "language", "speaker", "story", "flag")
    ]  # type: ignore[index]
    cases += [({"q": "a b", "outlet": "Wire"}, odd_rows, field) for field in ("outlet", "story")] + [({}, [], "flag")]
    compared = 0
    for params, rows, field in cases:
        for page_of, at_least in ((f"{field}s", False), (None, True)):
            expected = str(macro("Title & more", rows, field, params, "/search", page_of, at_least))
            assert (
                str(app_module.facet_list("Title & more", rows, field, params, "/search", page_of, at_least))
                == expected
            )
            compared += bool(rows)
    assert compared > 10
