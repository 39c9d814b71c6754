"""End to end through the CLI: analyze the sample corpus, re-run it, export every format, search it."""

from __future__ import annotations

import csv
import io
import json
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newstrace.cli.main import cli

from ..conftest import CORPUS, REPO, run_cli

ARTICLE_CONTRACT = [
    "id", "path", "url", "outlet", "title", "published", "language", "n_words", "story_id", "duplicate_of",
]  # fmt: skip
ENTITY_CONTRACT = ["article_id", "label", "text", "start", "end"]


def test_first_run_summary(corpus_db: Path, tmp_path: Path) -> None:
    summary = json.loads(corpus_db.with_suffix(".summary.json").read_text(encoding="utf-8"))
    db = tmp_path / "news.db"
    shutil.copy(corpus_db, db)
    assert summary["articles_read"] == 23
    assert summary["articles_new"] == 22
    assert summary["articles_revised"] == 1
    assert summary["failed"] == 0
    assert summary["date_range"] == ["2025-03-12", "2025-11-04"]
    assert set(summary["outlets"]) >= {"Meridian Wire", "Kestria Today", "VDA", "Harbor Daily", "Granite Times"}
    assert summary["found"]["entities"] > 100
    stage_runs = run_cli("export", "stage_runs", "--db", str(db)).stdout
    rerun = json.loads(run_cli("analyze", str(CORPUS), "--db", str(db), "--json", "--quiet").stdout)
    assert (rerun["articles_new"], rerun["articles_unchanged"], rerun["found"]) == (0, 23, {})
    assert rerun["database_totals"] == {**summary["database_totals"], "runs": 2}
    assert run_cli("export", "stage_runs", "--db", str(db)).stdout == stage_runs  # no stage ran again
    assert {row["stage"] for row in map(json.loads, stage_runs.splitlines())} == {
        "nlp", "quotes", "events", "speakers", "link", "trails", "event_groups", "framing"
    }  # fmt: skip


def test_human_summary_names_outlets_and_counts(tmp_path: Path) -> None:
    result = run_cli("analyze", str(CORPUS / "text"), "--db", str(tmp_path / "n.db"))
    assert result.returncode == 0
    assert "8 read · 8 new" in result.stdout and "Meridian Wire (4)" in result.stdout


def test_export_articles_in_three_formats_agree(corpus_db: Path, tmp_path: Path) -> None:
    jsonl = run_cli("export", "articles", "--db", str(corpus_db)).stdout.splitlines()
    rows = [json.loads(line) for line in jsonl]
    assert len(rows) == 23
    assert list(rows[0])[: len(ARTICLE_CONTRACT)] == ARTICLE_CONTRACT
    assert all(row["story_id"] for row in rows)
    assert sum(1 for row in rows if row["duplicate_of"]) == 1
    as_csv = list(
        csv.DictReader(io.StringIO(run_cli("export", "articles", "--db", str(corpus_db), "--format", "csv").stdout))
    )
    assert [row["id"] for row in as_csv] == [row["id"] for row in rows]
    parquet_file = tmp_path / "articles.parquet"
    result = run_cli("export", "articles", "--db", str(corpus_db), "--format", "parquet", "-o", str(parquet_file))
    assert result.returncode == 0, result.stderr
    assert pq.read_table(parquet_file).column("id").to_pylist() == [row["id"] for row in rows]


def test_revision_of_a_url_points_at_the_first_text(corpus_db: Path) -> None:
    rows = [json.loads(line) for line in run_cli("export", "articles", "--db", str(corpus_db)).stdout.splitlines()]
    revised = [row for row in rows if row["revision_of"]]
    assert len(revised) == 1
    original = next(row for row in rows if row["id"] == revised[0]["revision_of"])
    assert original["url"] == revised[0]["url"] == "https://newspulse.example/a/88121"
    assert (original["revision"], revised[0]["revision"]) == (0, 1)


def test_entities_point_into_the_stored_text(corpus_db: Path) -> None:
    texts = {
        row["id"]: row["text"]
        for row in map(
            json.loads, run_cli("export", "articles", "--db", str(corpus_db), "--include-text").stdout.splitlines()
        )
    }
    entities = [json.loads(line) for line in run_cli("export", "entities", "--db", str(corpus_db)).stdout.splitlines()]
    assert list(entities[0]) == ENTITY_CONTRACT
    for entity in entities:
        assert texts[entity["article_id"]][entity["start"] : entity["end"]] == entity["text"]
    holm = [e for e in entities if e["text"] == "Anneke Holm"]
    assert holm and all(e["label"] == "PERSON" for e in holm)


def test_plain_text_offsets_index_the_file_itself(corpus_db: Path) -> None:
    rows = map(json.loads, run_cli("export", "articles", "--db", str(corpus_db), "--include-text").stdout.splitlines())
    for row in rows:
        if row["path"] and row["path"].endswith(".txt"):
            assert (Path(row["path"]).read_text(encoding="utf-8")) == row["text"]


def test_search_ranks_and_survives_sql_and_fts_metacharacters(corpus_db: Path) -> None:
    hits = json.loads(run_cli("search", "Skyshield batteries", "--db", str(corpus_db), "--json").stdout)
    assert hits and all("Skyshield" in hit["snippet"] or "Skyshield" in (hit["title"] or "") for hit in hits)
    for nasty in ["'; DROP TABLE articles; --", "NEAR(", "Holm's gravest:*", "*", "a OR b AND (c)"]:
        result = run_cli("search", nasty, "--db", str(corpus_db), "--json")
        assert result.returncode == 0, (nasty, result.stderr)
    unclosed = run_cli("search", "Holm's \"gravest", "--db", str(corpus_db))
    assert unclosed.returncode == 2 and "cannot understand the search" in unclosed.stderr
    assert "not closed" in unclosed.stderr and "Traceback" not in unclosed.stderr
    with sqlite3.connect(corpus_db) as db:
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 23


def test_export_to_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    result = run_cli("export", "articles", "--db", str(tmp_path / "none.db"))
    assert result.returncode == 2 and "no such database" in result.stderr


def test_killed_run_resumes_without_duplicates(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(400):
        (folder / f"{number:04d}.txt").write_text(
            f"Report {number}\n\nMayor Tomas Riel said crews cleared street number {number} in Brennick on Monday."
        )
    db = tmp_path / "resume.db"
    command = [
        sys.executable,
        "-m",
        "newstrace",
        "analyze",
        str(folder),
        "--db",
        str(db),
        "--quiet",
        "--batch-size",
        "4",
    ]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_articles(db, at_least=40, timeout=120)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    with sqlite3.connect(db) as conn:
        stored_before = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert 40 <= stored_before < 400
    result = run_cli("analyze", str(folder), "--db", str(db), "--json", "--quiet")
    summary = json.loads(result.stdout)
    assert summary["articles_unchanged"] == stored_before
    assert summary["articles_new"] == 400 - stored_before
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT text) FROM articles").fetchone() == (400, 400)
        assert conn.execute("SELECT count(*) FROM stage_runs WHERE stage = 'nlp'").fetchone()[0] == 400
        orphans = (
            "SELECT count(*) FROM articles a WHERE NOT EXISTS (SELECT 1 FROM sentences s WHERE s.article_id = a.id)"
        )
        assert conn.execute(orphans).fetchone()[0] == 0


def _wait_for_articles(db: Path, at_least: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=1) as conn:
                    if conn.execute("SELECT count(*) FROM articles").fetchone()[0] >= at_least:
                        return
            except sqlite3.OperationalError:
                pass
        time.sleep(0.05)
    raise AssertionError(f"fewer than {at_least} articles stored after {timeout} s")


def test_seed_articles(seeds_db: Path, tmp_path: Path) -> None:
    summary = json.loads(seeds_db.with_suffix(".summary.json").read_text(encoding="utf-8"))  # its `analyze --json`
    assert summary["articles_new"] == 2
    rows = {
        row["path"].rsplit("/", 1)[-1][:3]: row
        for row in map(json.loads, run_cli("export", "articles", "--db", str(seeds_db)).stdout.splitlines())
    }
    assert (rows["003"]["published"], rows["003"]["outlet"]) == ("2023-11-12", "MENAFN")
    assert rows["000"]["title"] == "NATO Chief Warns of ‘Greatest’ Risk from Russian Victory in Ukraine"


@pytest.mark.parametrize("command", ["trail", "compare", "outlet", "search", "stories", "speakers"])
def test_the_help_examples_that_name_the_sample_corpus_s_items_find_them(corpus_db: Path, command: str) -> None:
    """The ids, outlets, words and dates of these read commands' examples are the sample corpus's: run each
    on it (`--db` pointed at it; not the corrections `speakers merge` and the like, which write), it succeeds
    and prints something. `trail --help` named ids from before utterance ids were dated ('no utterance or
    quote'), `search --help` searched for words the corpus lacks. (~1.5 s)"""
    writers = getattr(cli.commands[command], "commands", {})
    lines = [line.strip() for line in run_cli(command, "--help").stdout.splitlines()]
    examples = [shlex.split(line, comments=True)[1:] for line in lines if line.startswith(f"newstrace {command} ")]
    examples = [words for words in examples if words[1] not in writers]
    assert examples
    for words in examples:
        arguments = [str(corpus_db) if words[at - 1 : at] == ["--db"] else word for at, word in enumerate(words)]
        result = run_cli(*arguments)
        assert result.returncode == 0 and result.stdout.strip(), (arguments, result.stderr)
