"""End to end on PostgreSQL: `newstrace analyze` of the sample corpus into a PostgreSQL schema stores
what the same command stores in a SQLite file, and the read commands take the URL."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from newstrace.serve.app import create_app
from newstrace.store import Store, open_store

from ..conftest import CORPUS, run_cli

_COMPARED = ("articles", "quotes", "stories", "speakers", "entities", "utterances", "renderings", "framing", "reuse")
_QUERIES = (
    "port",
    "Meridian",
    '"said on"',
    "Holm Drovnia",
    "no-such-word-anywhere",
    "port OR Meridian",
    "Holm -Drovnia",
    "Merid* -port",
)


def test_analyze_into_postgresql_stores_what_sqlite_stores(corpus_db: Path, postgres_url: str) -> None:
    result = run_cli("analyze", str(CORPUS), "--db", postgres_url, "--json", "--quiet")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["articles_new"] == 22 and summary["failed"] == 0
    postgres, sqlite = open_store(postgres_url, readonly=True), open_store(corpus_db, readonly=True)
    for table in _COMPARED:
        assert list(postgres.iter_rows(table, include_text=True)) == list(sqlite.iter_rows(table, include_text=True))
    assert postgres.count_rows() == sqlite.count_rows()
    for query in _QUERIES:
        found = {hit.article_id for hit in postgres.search(query, limit=1000)}
        assert found == {hit.article_id for hit in sqlite.search(query, limit=1000)}, query
    _read_commands_take_the_url(postgres_url, {str(row["id"]) for row in sqlite.iter_rows("articles")})
    with_password = postgres_url.replace("postgres@", "postgres:hidden-word@", 1)  # trust auth ignores it
    rerun = run_cli("analyze", str(CORPUS), "--db", with_password)
    assert rerun.returncode == 0, rerun.stderr
    assert "· 0 new ·" in rerun.stdout and "23 unchanged" in rerun.stdout
    assert "hidden-word" not in rerun.stdout + rerun.stderr and "postgresql://postgres@" in rerun.stdout
    # a correction and the events listing take the URL too (the correction's --db took only an existing file)
    corrected = run_cli("speakers", "rename", "Ostmark", "Ostmark", "--kind", "organisation", "--db", postgres_url)
    assert corrected.returncode == 0, corrected.stderr
    kinds = {str(row["name"]): row["kind"] for row in open_store(postgres_url, readonly=True).iter_rows("speakers")}
    assert kinds["Ostmark"] == "organisation" and kinds["Anneke Holm"] == "person"
    events = run_cli("events", "--db", postgres_url, "--json")
    assert events.returncode == 0 and len(events.stdout.splitlines()) == len(list(sqlite.iter_rows("events")))


def _read_commands_take_the_url(url: str, article_ids: set[str]) -> None:
    """link, export, search, stories and the web app, each given the PostgreSQL URL."""
    link = run_cli("link", "--db", url, "--json")
    assert link.returncode == 0, link.stderr
    export = run_cli("export", "articles", "--db", url, "--format", "csv")
    assert export.returncode == 0, export.stderr
    assert {row["id"] for row in csv.DictReader(io.StringIO(export.stdout))} == article_ids
    search = run_cli("search", "Meridian", "--db", url, "--json")
    assert search.returncode == 0 and json.loads(search.stdout), search.stderr
    stories = run_cli("stories", "--db", url, "--json")
    assert stories.returncode == 0 and json.loads(stories.stdout), stories.stderr
    client = TestClient(create_app(url), base_url="http://127.0.0.1:8000")
    assert client.get("/api/search", params={"q": "Holm"}).json()["hits"]
    assert client.get("/").status_code == 200


def test_two_analyze_runs_at_once_store_each_article_once(corpus_db: Path, postgres_url: str) -> None:
    """Two processes analysing the same folder into one PostgreSQL schema at the same time both
    succeed, and each article's rows are there once, as a run alone stores them."""
    command = [sys.executable, "-m", "newstrace", "analyze", str(CORPUS / "text"), "--db", postgres_url, "--quiet"]
    runs = [subprocess.Popen(command, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for run in runs:
        _, errors = run.communicate(timeout=600)
        assert run.returncode == 0, errors
    postgres, sqlite = open_store(postgres_url, readonly=True), open_store(corpus_db, readonly=True)
    assert postgres.count_rows()["runs"] == 2
    stored = {str(row["id"]) for row in postgres.iter_rows("articles")}
    assert len(stored) == len(list((CORPUS / "text").iterdir()))
    for table in ("sentences", "entities", "quotes", "event_mentions"):
        assert _article_rows(postgres, table, stored) == _article_rows(sqlite, table, stored), table


def _article_rows(store: Store, table: str, article_ids: set[str]) -> list[str]:
    """The rows of these articles in a stage table, as sorted JSON, without the corpus-wide speaker id and
    the event a mention is grouped in (named after its story's first report: the SQLite database holds the
    whole sample corpus, the PostgreSQL one its text folder, so their stories differ)."""
    rows = (row for row in store.iter_rows(table) if row["article_id"] in article_ids)
    corpus_wide = ("speaker_id", "event_id")
    return sorted(json.dumps({k: v for k, v in row.items() if k not in corpus_wide}, sort_keys=True) for row in rows)
