"""The front door (serve.front): kept pages and JSON twins answered before routing with the headers the
routes send, the Host check still first, and every answer's Server-Timing."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from newstrace.serve import create_app, front, shared_pages
from newstrace.serve.app import RECENT_PAGES
from newstrace.serve.shared_pages import SharedPages, create_shared_pages
from tests.web.test_api import _ids

BASE = "http://127.0.0.1:8000"


def _timing(response: httpx.Response) -> dict[str, float]:
    parts = {}
    for metric in response.headers["server-timing"].split(", "):
        name, _, duration = metric.partition(";dur=")
        parts[name] = float(duration)
    return parts


def _without_timing(response: httpx.Response) -> list[tuple[str, str]]:
    return [(name, value) for name, value in response.headers.multi_items() if name != "server-timing"]


def test_kept_pages_and_json_twins_are_answered_before_routing_with_the_same_headers(web_db: Path) -> None:
    with sqlite3.connect(web_db) as connection:
        story = connection.execute("SELECT id FROM stories ORDER BY id").fetchone()[0]
    article = _ids(web_db)["hostile"]
    paths = ["/search?q=harbour+master&page=1", f"/stories/{story}", f"/api/stories/{story}", "/flags"]
    paths += ["/api/search?q=harbour+master&per_page=3", f"/articles/{article}", f"/api/articles/{article}"]
    RECENT_PAGES.clear()
    app = create_app(web_db, port=8000)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        made = [client.get(path) for path in paths]
        app.router.routes.clear()  # from now on a request reaching the router is a 404
        again = [client.get(path) for path in paths]
        elsewhere = client.get(paths[0], headers={"host": "rebind.example:8000"})
        unrouted = client.get("/search?q=harbour+master&page=2")
    for first, kept in zip(made, again, strict=True):
        assert first.status_code == kept.status_code == 200 and first.content == kept.content
        assert first.headers.get(front.KEPT_HEADER) is None and kept.headers[front.KEPT_HEADER] == front.KEPT_PAGE
        marked = [(front.KEPT_HEADER.lower(), front.KEPT_PAGE), *_without_timing(first)]
        assert _without_timing(kept) == marked  # the same headers in the same order, the kept mark first
        assert "content-security-policy" in kept.headers and list(_timing(kept)) == ["total"]
    assert elsewhere.status_code == 400 and front.KEPT_HEADER not in elsewhere.headers  # the Host check first
    assert unrouted.status_code == 404


def test_every_answer_says_where_its_time_went(web_db: Path) -> None:
    RECENT_PAGES.clear()
    with TestClient(create_app(web_db), base_url="http://127.0.0.1:8000") as client:
        search, twin, missing = (client.get(path) for path in ("/search?q=holm", "/api/search?q=holm", "/nowhere"))
    parts = _timing(search)
    assert list(parts) == ["queue", "data", "render", "total"]
    assert all(value >= 0 for value in parts.values()) and parts["data"] + parts["render"] <= parts["total"]
    assert list(_timing(twin)) == ["queue", "data", "total"] and list(_timing(missing)) == ["total"]


def test_which_pages_are_kept_and_how() -> None:
    summary = ["/", "/speakers", "/outlets", "/api/overview", "/api/speakers", "/api/outlets"]
    version = ["/search", "/stories", "/flags", "/utterances", "/stories/s1", "/speakers/3", "/outlets/a/b"]
    version += ["/api/search", "/api/articles/a1", "/api/utterances/u1", "/api/flags"]
    never = ["/api", "/api/", "/docs", "/static/newstrace.css", "/api/search.csv", "/api/stories.csv", "/overview"]
    never += ["/actors/USA", "/api/actors/USA", "/api/openapi.json", "/search/x", "/favicon.ico"]
    assert [front.kept_kind(path) for path in summary] == ["summary"] * len(summary)
    assert [front.kept_kind(path) for path in version] == ["version"] * len(version)
    assert [front.kept_kind(path) for path in never] == [None] * len(never)


def test_a_page_kept_by_one_worker_process_is_sent_as_kept_by_another(web_db: Path, tmp_path: Path) -> None:
    """Two apps over one file of shared pages stand for two worker processes (`serve --workers 2`): the
    page one made is found by the other, which has not kept it itself."""
    create_shared_pages(tmp_path / "pages.db")
    story = _ids(web_db)["story"]
    paths = [f"/stories/{story}", "/search?q=harbour+master", "/flags"]
    RECENT_PAGES.clear()
    with TestClient(create_app(web_db, shared_pages=SharedPages(tmp_path / "pages.db")), base_url=BASE) as client:
        made = [client.get(path) for path in paths]
    RECENT_PAGES.clear()  # the other process's memory
    with TestClient(create_app(web_db, shared_pages=SharedPages(tmp_path / "pages.db")), base_url=BASE) as client:
        shared = [client.get(path) for path in paths]
        again = [client.get(path) for path in paths]  # and kept in its own memory from then on
    assert [response.content for response in shared] == [response.content for response in made]
    assert not any(front.KEPT_HEADER in response.headers for response in made)
    assert all(response.headers[front.KEPT_HEADER] == front.KEPT_PAGE for response in shared + again)
    assert [list(_timing(response)) for response in again] == [["total"]] * 3  # from the front door


def test_a_page_is_shared_after_its_read_hands_its_turn_on(
    web_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writing a page for the other workers can wait for their writes (up to the file's busy timeout): it
    runs on a thread of its own, not on the lane's, so the read queued next need not wait for it."""
    create_shared_pages(tmp_path / "pages.db")
    writers: list[str] = []
    put = SharedPages.put

    def recorded_put(self: SharedPages, key: tuple[object, ...], page: bytes) -> None:
        writers.append(threading.current_thread().name)
        put(self, key, page)

    monkeypatch.setattr(SharedPages, "put", recorded_put)
    RECENT_PAGES.clear()
    with TestClient(create_app(web_db, shared_pages=SharedPages(tmp_path / "pages.db")), base_url=BASE) as client:
        assert client.get("/search?q=harbour+master").status_code == 200
    assert len(writers) == 1 and writers[0].startswith("newstrace-share")


def test_shared_pages_keep_the_newest_few(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shared_pages, "MAX_SHARED_PAGES", 3)
    monkeypatch.setattr(shared_pages, "_TRIM_EVERY", 1)
    create_shared_pages(tmp_path / "pages.db")
    writer, reader = SharedPages(tmp_path / "pages.db"), SharedPages(tmp_path / "pages.db")
    for number in range(5):
        writer.put(("db", f"/stories/{number}", b"", b"version", 0), f"page {number}".encode())
    found = [reader.get(("db", f"/stories/{number}", b"", b"version", 0)) for number in range(5)]
    assert found == [None, None, b"page 2", b"page 3", b"page 4"]
    assert reader.get(("db", "/stories/4", b"", b"another version", 0)) is None
