"""The web app in process: every page and its JSON twin, escaping, bounds, errors, and the serve command."""

from __future__ import annotations

import asyncio
import random
import shutil
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from jinja2 import Environment
from markupsafe import Markup

from newstrace.records import OutletSummary
from newstrace.serve import create_app, data
from newstrace.serve import events as event_pages
from newstrace.serve.app import RECENT_PAGES, outlet_options, page_bytes
from newstrace.store import open_store
from newstrace.store import sqlite as sqlite_backend

from ..conftest import REPO, run_cli


@pytest.fixture(scope="module")
def client(web_db: Path) -> TestClient:
    return TestClient(create_app(web_db), base_url="http://127.0.0.1:8000")


def _one(db: Path, sql: str) -> str:
    return str(sqlite3.connect(db).execute(sql).fetchone()[0])


def _ids(db: Path) -> dict[str, str]:
    return {
        "story": _one(db, "SELECT story_id FROM articles WHERE path LIKE '%meridian-wire_holm-velmora%'"),
        "utterance": _one(db, "SELECT id FROM utterances ORDER BY n_renderings DESC, id LIMIT 1"),
        "speaker": _one(db, "SELECT id FROM speakers WHERE name = 'Anneke Holm'"),
        "article": _one(db, "SELECT id FROM articles WHERE path LIKE '%meridian-wire_holm-velmora%'"),
        "hostile": _one(db, "SELECT id FROM articles WHERE path LIKE '%hostile%'"),
    }


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        ("/", "Latest stories"),
        ("/search?q=gravest+danger", "gravest"),
        ("/stories/{story}", "Side by side"),
        ("/utterances/{utterance}", "Renderings"),
        ("/speakers/{speaker}", "Coverage over time"),
        ("/outlets/VDA", "Reporting verbs"),
        ("/articles/{article}", "Quotes"),
        ("/api", "/api/stories/{story_id}"),
    ],
)
def test_every_page_renders_and_its_json_twin_answers(
    client: TestClient, web_db: Path, page: str, expected: str
) -> None:
    path = page.format(**_ids(web_db))
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert expected in response.text
    assert "default-src 'self'" in response.headers["content-security-policy"]
    if path != "/api":
        twin = client.get("/api/overview" if path == "/" else "/api" + path)
        assert twin.status_code == 200 and twin.headers["content-type"].startswith("application/json")


def test_the_json_twin_carries_the_page_data(client: TestClient, web_db: Path) -> None:
    ids = _ids(web_db)
    story = client.get(f"/api/stories/{ids['story']}").json()
    assert (
        story["story"]["id"] == ids["story"] and story["story"]["title"] in client.get(f"/stories/{ids['story']}").text
    )
    outlets = {column["outlet"] for column in story["comparison"]}
    assert {"VDA", "Kestria Today", "Meridian Wire"} <= outlets
    trail = client.get(f"/api/utterances/{ids['utterance']}").json()
    assert trail["utterance"]["n_renderings"] == len(trail["renderings"])


def test_article_text_is_escaped_everywhere(client: TestClient, web_db: Path) -> None:
    hostile = _ids(web_db)["hostile"]
    for path in (f"/articles/{hostile}", "/search?q=fictional+test+article", "/"):
        body = client.get(path).text
        assert "<script>alert" not in body and "<script>document" not in body and "<img src=x" not in body
    page = client.get(f"/articles/{hostile}").text
    assert "&lt;script&gt;document.body.innerHTML" in page and "onerror=&#34;alert" in page


def test_search_input_is_harmless_and_syntax_errors_are_clear(client: TestClient) -> None:
    for query in ("'; DROP TABLE articles; --", "NEAR(", "a OR b AND", "%_\\", "x:* & !y | (z)", "^a +b"):
        assert client.get("/search", params={"q": query}).status_code == 200
        assert client.get("/api/search", params={"q": query}).status_code == 200
    for query, problem in (('"', "not closed"), ("a OR", "OR needs"), ("-a", "only excludes")):
        broken = client.get("/api/search", params={"q": query})
        assert broken.status_code == 400 and problem in broken.json()["error"]
        assert "cannot understand the search" in broken.json()["error"]
        assert client.get("/search", params={"q": query}).status_code == 400
    assert client.get("/api/overview").json()["counts"]["articles"] == 24


def test_filters_and_pagination(client: TestClient, web_db: Path) -> None:
    speaker = _ids(web_db)["speaker"]
    by_outlet = client.get("/api/search", params={"outlet": "VDA"}).json()
    assert by_outlet["pagination"]["total"] == 2 and {h["outlet"] for h in by_outlet["hits"]} == {"VDA"}
    dated = client.get("/api/search", params={"from": "2025-11-01", "to": "2025-11-30"}).json()
    assert dated["pagination"]["total"] == 3
    quoting = client.get("/api/search", params={"speaker": speaker, "per_page": 2}).json()
    assert quoting["pagination"]["total"] > 2 and len(quoting["hits"]) == 2 and quoting["pagination"]["pages"] > 1
    second = client.get("/api/search", params={"speaker": speaker, "per_page": 2, "page": 2}).json()
    assert {h["article_id"] for h in second["hits"]}.isdisjoint({h["article_id"] for h in quoting["hits"]})
    assert 'rel="next"' in client.get("/", params={"per_page": 2}).text


def test_requests_are_bounded_and_errors_are_pages_not_500s(client: TestClient) -> None:
    assert client.get("/api/search", params={"per_page": 1000}).status_code == 422
    assert client.get("/api/search", params={"q": "x" * 201}).status_code == 422
    assert client.get("/search", params={"from": "2025-13-45"}).status_code == 400
    assert client.get("/stories/st_missing").status_code == 404
    assert client.get("/api/utterances/nope").json()["error"].startswith("no utterance or quote")
    assert client.get("/speakers/999999").status_code == 404


def test_only_named_static_files_are_served(client: TestClient) -> None:
    assert client.get("/static/plotly.min.js").status_code == 200
    for path in ("/static/../../pyproject.toml", "/static/app.py", "/static/%2e%2e%2fapp.py", "/static/templates"):
        assert client.get(path).status_code == 404


def test_the_database_is_opened_read_only(client: TestClient, web_db: Path) -> None:
    store_connection = sqlite3.connect(f"file:{web_db}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError):
        store_connection.execute("DELETE FROM articles")


def test_binding_beyond_loopback_needs_a_flag(web_db: Path) -> None:
    result = run_cli("serve", "--db", str(web_db), "--host", "0.0.0.0", "--port", "1")
    assert result.returncode == 2 and "--allow-remote" in result.stderr
    missing = run_cli("serve", "--db", str(web_db.parent / "none.db"))
    assert missing.returncode == 2 and "no such database" in missing.stderr


def test_a_speaker_id_beyond_sqlite_integers_is_refused_not_a_server_error(client: TestClient) -> None:
    for path in ("/speakers/9223372036854775808", "/api/speakers/9223372036854775808", "/speakers/0"):
        assert client.get(path).status_code == 422
    assert client.get("/speakers/9223372036854775807").status_code == 404


def test_a_request_naming_another_host_is_refused(web_db: Path) -> None:
    """DNS rebinding: a page on another site whose name resolves to 127.0.0.1 sends its own Host."""
    bound = TestClient(create_app(web_db, host="127.0.0.1", port=8000), base_url="http://127.0.0.1:8000")
    for host in ("127.0.0.1:8000", "localhost:8000", "LOCALHOST:8000", "[::1]:8000"):
        assert bound.get("/api/overview", headers={"host": host}).status_code == 200, host
    for host in ("rebind.example:8000", "127.0.0.1:8001", "127.0.0.1", "127.0.0.1:x", "", "[::2]:8000"):
        assert bound.get("/api/overview", headers={"host": host}).status_code == 400, host
    anywhere = TestClient(create_app(web_db, host="0.0.0.0", port=8000), base_url="http://192.0.2.7:8000")
    assert anywhere.get("/api/overview").status_code == 200  # bound to every address: any name reaches it


@pytest.fixture(scope="module")
def odd_client(web_db: Path, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    """The web database plus one fictional article whose outlet has a slash and whose title carries a
    right-to-left override (which would turn the rest of its line around)."""
    db = tmp_path_factory.mktemp("odd") / "news.db"
    shutil.copy(web_db, db)
    with sqlite3.connect(db) as connection:
        connection.execute(
            "INSERT INTO articles(id, text, n_words, source_format, outlet, title, published) VALUES "
            "('odd1', 'A fictional test article.', 4, 'text', 'Nord/Sud Post', ?, '2025-06-02')",
            ("Harbour \u202eneposer\u202c news \u2067isolated\u2069",),
        )
    return TestClient(create_app(db), base_url="http://127.0.0.1:8000")


def test_an_outlet_with_a_slash_in_its_name_has_a_page(odd_client: TestClient) -> None:
    assert 'href="/outlets/Nord%2FSud%20Post"' in odd_client.get("/").text
    for path in ("/outlets/Nord%2FSud%20Post", "/outlets/Nord/Sud Post", "/api/outlets/Nord%2FSud%20Post"):
        response = odd_client.get(path)
        assert response.status_code == 200 and "Nord/Sud Post" in response.text, path
    assert odd_client.get("/api/outlets/Nord/Sud Post").json()["profile"]["n_articles"] == 1


def test_bidi_controls_in_displayed_text_are_neutralised(odd_client: TestClient) -> None:
    controls = [chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
    for path in ("/outlets/Nord%2FSud%20Post", "/articles/odd1", "/search?q=harbour+news"):
        page = odd_client.get(path).text
        assert "neposer" in page, path
        assert not any(control in page for control in controls), path
        assert "Harbour \ufffdneposer\ufffd news \ufffdisolated\ufffd" in page, path
    assert "\u202e" in odd_client.get("/api/articles/odd1").json()["article"]["title"]  # the data stays as stored


def test_a_page_is_cleaned_of_bidi_controls_whole_whatever_printed_them() -> None:
    """Bidi controls are replaced in the encoded page, once (not in each value printed): from a plain
    value, markup a function built, or a chart's JSON, as the per-value replacement did; the templates
    themselves hold none, so nothing of theirs is changed."""
    controls = "".join(chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
    template = Environment(autoescape=True).from_string("<p>{{ text }}|{{ markup }}|{{ spec|tojson }}|\u2026→</p>")
    values = {"text": f"a{controls}b <i>", "markup": Markup(f"<b>{controls}</b>"), "spec": {"name": controls + "é"}}
    expected = template.render(**values).translate({ord(control): "\ufffd" for control in controls}).encode()
    assert page_bytes(template, **values) == expected and "\ufffd".encode() * 9 in expected
    assert page_bytes(template, text="", markup="", spec={}) == template.render(text="", markup="", spec={}).encode()
    shipped = resources.files("newstrace.serve").joinpath("templates")
    assert not any(set(controls) & set(name.read_text()) for name in shipped.iterdir() if name.name.endswith(".html"))


def test_the_search_form_lists_each_outlet_escaped_with_the_chosen_one_selected(odd_client: TestClient) -> None:
    """The outlet options are built once per list and choice (not printed one by one on every search);
    they print as the template did: escaped, bidi controls neutralised, the chosen outlet selected."""
    outlets = [OutletSummary("A<b> & \u202eC", 1), OutletSummary("Nord/Sud Post", 2)]
    options = outlet_options(outlets, "Nord/Sud Post")
    assert options == (
        '<option value="A&lt;b&gt; &amp; \ufffdC" >A&lt;b&gt; &amp; \ufffdC</option>'
        '<option value="Nord/Sud Post" selected>Nord/Sud Post</option>'
    )
    page = odd_client.get("/search", params={"outlet": "Nord/Sud Post"}).text
    assert '<option value="Nord/Sud Post" selected>Nord/Sud Post</option>' in page
    assert '<option value="VDA" >VDA</option>' in odd_client.get("/search", params={"q": "harbour"}).text


def test_outlet_pages_find_the_outlet_in_any_case_and_name_verbs_by_base_form(client: TestClient) -> None:
    page = client.get("/outlets/vda")
    assert page.status_code == 200 and "<h1>VDA</h1>" in page.text
    verbs = client.get("/api/outlets/vda").json()["profile"]["verbs"]
    assert verbs and all(f">{verb['marker']}</span>" in page.text for verb in verbs)


def test_a_one_day_chart_spans_the_day_before_to_the_day_after(client: TestClient, web_db: Path) -> None:
    single_day = _one(
        web_db,
        "SELECT r.utterance_id FROM renderings r JOIN articles a ON a.id = r.article_id GROUP BY r.utterance_id "
        "HAVING count(DISTINCT a.published) = 1 AND min(a.published) IS NOT NULL LIMIT 1",
    )
    chart = client.get(f"/api/utterances/{single_day}").json()["chart"]
    [day] = chart["x"]
    assert chart["x_range"] == [
        str(date.fromisoformat(day) - timedelta(days=1)),
        str(date.fromisoformat(day) + timedelta(days=1)),
    ]


def test_a_speakers_chart_counts_the_articles_quoting_them_by_outlet(client: TestClient, web_db: Path) -> None:
    """The speaker page charts the articles quoting the speaker per period, stacked by outlet: every
    article quoting them is counted once, under its own outlet (a row of each utterance's renderings,
    mostly 1, said nothing)."""
    speaker = _one(web_db, "SELECT id FROM speakers WHERE name = 'Anneke Holm'")
    with sqlite3.connect(web_db) as connection:
        expected = dict(
            connection.execute(
                "SELECT a.outlet, count(DISTINCT a.id) FROM articles a JOIN quotes q ON q.article_id = a.id "
                "WHERE q.speaker_id = ? GROUP BY a.outlet",
                (int(speaker),),
            ).fetchall()
        )
    found = client.get(f"/api/speakers/{speaker}").json()
    chart = found["chart"]
    assert chart["kind"] == "attention" and chart["y_title"] == "articles quoting them"
    assert found["counted"] is None  # fewer than 1,000 articles: every one counted
    assert {trace["name"]: sum(trace["y"]) for trace in chart["traces"]} == expected
    assert len(expected) > 1


def test_pages_read_the_database_off_the_event_loop(web_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page's reads run on a worker thread: a slow query there never stalls the other requests."""
    loop_running_during_reads: list[bool] = []
    original = data.overview

    def recording_overview(*arguments: Any) -> dict[str, Any]:
        try:
            asyncio.get_running_loop()
            loop_running_during_reads.append(True)
        except RuntimeError:  # no event loop in this thread: a worker thread
            loop_running_during_reads.append(False)
        return original(*arguments)

    monkeypatch.setattr(data, "overview", recording_overview)
    client = TestClient(create_app(web_db), base_url="http://127.0.0.1:8000")
    assert client.get("/api/overview").status_code == 200 and client.get("/").status_code == 200
    assert loop_running_during_reads == [False, False]


def test_reads_take_their_turns_in_the_order_asked(web_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With one read at a time, pages and JSON twins of every kind are read in the order they were asked,
    one after another."""
    order: list[str] = []
    running, most_at_once = [0], [0]
    original_search, original_story = data.search, event_pages.story_with_events

    def noted(name: str, original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        def read(*arguments: Any, **options: Any) -> dict[str, Any]:
            running[0] += 1
            most_at_once[0] = max(most_at_once[0], running[0])
            order.append(name)
            try:
                time.sleep(0.02)  # long enough for every request to be waiting by the time the first ends
                return original(*arguments, **options)
            finally:
                running[0] -= 1

        return read

    monkeypatch.setattr(data, "search", noted("search", original_search))
    monkeypatch.setattr(event_pages, "story_with_events", noted("story", original_story))
    RECENT_PAGES.clear()  # a kept page would be sent without a read
    app = create_app(web_db, reads_at_once=1, keep_answers=False)
    story = _ids(web_db)["story"]
    paths = [f"/search?q=holm&page={n}" if n % 2 else f"/api/stories/{story}?n={n}" for n in range(8)]

    async def load() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
            asked = []
            for path in paths:  # each one asked, and waiting in the lane, before the next is asked
                asked.append(asyncio.create_task(client.get(path)))
                await asyncio.sleep(0.005)
            return [response.status_code for response in await asyncio.gather(*asked)]

    assert asyncio.run(load()) == [200] * len(paths)
    assert most_at_once[0] == 1
    assert order == ["search" if n % 2 else "story" for n in range(8)]


def test_a_read_past_its_patience_hands_its_turn_on(web_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A search still running after the lane's patience lets the next page be read beside it: a story asked
    after it is answered while the search is held (and would wait forever without the hand-on)."""
    released = threading.Event()
    original = data.search

    def held_search(*arguments: Any, **options: Any) -> dict[str, Any]:
        released.wait(timeout=20)
        return original(*arguments, **options)

    monkeypatch.setattr(data, "search", held_search)
    RECENT_PAGES.clear()
    app = create_app(web_db, reads_at_once=1, read_patience=0.1, keep_answers=False)
    story = _ids(web_db)["story"]

    async def load() -> tuple[int, int, float]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
            search = asyncio.create_task(client.get("/api/search?q=holm"))
            await asyncio.sleep(0.01)
            asked = time.perf_counter()
            story_status = (await asyncio.wait_for(client.get(f"/api/stories/{story}"), timeout=10)).status_code
            waited = time.perf_counter() - asked
            search_done = search.done()
            released.set()
            return (await search).status_code, story_status, waited if not search_done else -1.0

    search_status, story_status, waited = asyncio.run(load())
    assert search_status == 200 and story_status == 200
    assert 0.05 <= waited < 5  # it waited for the patience, not for the search


def test_a_page_past_the_query_time_limit_is_a_clear_503(web_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sqlite_backend, "_STEPS_BETWEEN_CLOCK_CHECKS", 1)  # look at the clock at every step
    client = TestClient(create_app(web_db, query_seconds=0.0), base_url="http://127.0.0.1:8000")
    for path in ("/api/search?q=holm", "/api/stories", "/api/overview"):
        response = client.get(path)
        assert response.status_code == 503, path
        assert "took longer than the 0 s allowed" in response.json()["error"]
    page = client.get("/search?q=holm")
    assert page.status_code == 503 and "stopped" in page.text
    assert TestClient(create_app(web_db), base_url="http://127.0.0.1:8000").get("/api/search?q=holm").status_code == 200


def test_a_count_of_one_reads_in_the_singular(client: TestClient, web_db: Path) -> None:
    """A count of one reads "1 rendering · 1 outlet", not "1 renderings · 1 outlets" (seen on real news)."""
    with sqlite3.connect(web_db) as connection:
        speaker, utterance = connection.execute(
            "SELECT speaker_id, id FROM utterances WHERE n_renderings = 1 AND n_outlets = 1 AND speaker_id IS NOT NULL"
        ).fetchone()
    page = client.get(f"/speakers/{speaker}", params={"per_page": 100}).text
    assert f'href="/utterances/{utterance}"' in page
    assert "1 rendering · 1 outlet" in page and "1 renderings" not in page and "1 outlets" not in page
    assert "1 rendering in 1 outlet" in client.get(f"/utterances/{utterance}").text


def test_a_flags_page_with_nothing_flagged_says_why_it_is_empty(tmp_path: Path) -> None:
    """Real news analysed without any checked flag (seen on a PolNeAR slice): the page says that no
    rendering carries one, not "Nothing matches." as if a filter had left nothing."""
    db = tmp_path / "unflagged.db"
    open_store(db).close()
    client = TestClient(create_app(db), base_url="http://127.0.0.1:8000")
    assert "No rendering in this database is flagged altered_direct_quote" in client.get("/flags").text
    filtered = client.get("/flags", params={"outlet": "Wire Nine"}).text
    assert "Nothing matches: no article is from an outlet named &#39;Wire Nine&#39;." in filtered


def test_the_load_benchmark_asks_for_the_same_pages_with_the_same_seed(web_db: Path) -> None:
    """benchmarks/serve_load.py draws its stories, utterances, speakers and outlets with its seeded
    generator (SQLite's random() made each run ask for other pages)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import serve_load  # benchmarks/serve_load.py
    finally:
        sys.path.pop(0)
    drawn = serve_load._paths(web_db, random.Random(1))
    assert drawn == serve_load._paths(web_db, random.Random(1))
    assert drawn["story"] and drawn["utterance"] and any("speaker=" in path for path in drawn["facets"])
