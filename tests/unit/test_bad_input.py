"""Bad input: each problem is one line naming the file and the reason, the batch goes on, nothing is lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newstrace.store import SQLiteStore

from ..conftest import CORPUS, run_analyze, run_cli

GOOD = "Harbour reopens\n\nThe harbour of Lindqvist reopened on Monday after storm repairs, officials said."


def _stored_ids(store: SQLiteStore) -> set[str]:
    return {str(row["id"]) for row in store.iter_rows("articles")}


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\n \t\n", "empty file"),
        ("binary.txt", bytes(range(256)) * 8, "binary content"),
        ("page.html", b"<html><body><div><p>x</div></span>", "no article text found in the HTML"),
        ("image.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\x00" * 50, "binary content"),
        ("broken.jsonl", b'{"text": "unterminated\n', "invalid JSON line"),
        ("truncated.warc.gz", b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xed\xbd", "WARC"),
    ],
)
def test_each_bad_file_is_one_named_problem_and_the_batch_goes_on(
    store: SQLiteStore, tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / name).write_bytes(content)
    (folder / "zz_good.txt").write_text(GOOD)
    summary = run_analyze(store, folder)
    assert summary.new == 1
    assert summary.failed == 1
    [problem] = summary.problems
    assert problem.origin.startswith(str(folder / name))
    assert reason in problem.reason
    assert store.count_rows()["problems"] == 1


def test_malformed_html_that_still_holds_an_article_is_read(store: SQLiteStore, tmp_path: Path) -> None:
    (tmp_path / "messy.html").write_text(
        "<html><head><title>Storm <b>damage</title><body><div><p>The storm damaged forty boats in the harbour"
        "<p>Crews worked all night to secure the piers, the harbour master said.</span></div></table>"
    )
    summary = run_analyze(store, tmp_path)
    assert (summary.new, summary.failed) == (1, 0)
    text = next(store.iter_rows("articles", include_text=True))["text"]
    assert "forty boats" in str(text) and "harbour master" in str(text)


def test_utf16_and_cp1252_files_are_read_not_refused(store: SQLiteStore, tmp_path: Path) -> None:
    (tmp_path / "utf16.txt").write_bytes("Kyiv talks\n\nThe minister’s “plan” was agreed.".encode("utf-16"))
    (tmp_path / "cp1252.txt").write_bytes("Café talks\n\nThe mayor’s “plan” was agreed – at last.".encode("cp1252"))
    summary = run_analyze(store, tmp_path)
    assert (summary.new, summary.failed) == (2, 0)
    texts = {str(row["title"]) for row in store.iter_rows("articles")}
    assert texts == {"Kyiv talks", "Café talks"}


def test_a_50_mb_text_file_is_refused_quickly_with_its_size(store: SQLiteStore, tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("w") as handle:
        line = "The quick brown fox reported on the summit in Velmora. " * 20 + "\n"
        while handle.tell() < 50 * 1024 * 1024:
            handle.write(line)
    (tmp_path / "small.txt").write_text(GOOD)
    summary = run_analyze(store, tmp_path)
    assert summary.new == 1
    [problem] = summary.problems
    assert problem.origin == str(huge) and "50.0 MB is more than the 10 MB allowed" in problem.reason


def test_a_long_article_under_the_limit_is_analysed_in_chunks(store: SQLiteStore, tmp_path: Path) -> None:
    paragraph = "Anneke Holm spoke in Velmora on Wednesday. She met Lidia Varn in Kestria.\n\n"
    (tmp_path / "long.txt").write_text("Long report\n\n" + paragraph * 4000)  # about 300,000 characters
    summary = run_analyze(store, tmp_path)
    assert summary.new == 1
    entities = list(store.iter_rows("entities"))
    text = next(store.iter_rows("articles", include_text=True))["text"]
    assert isinstance(text, str)
    assert len(entities) > 4000
    assert all(text[int(str(e["start"])) : int(str(e["end"]))] == e["text"] for e in entities)


@pytest.mark.slow
def test_a_folder_of_10000_small_files(store: SQLiteStore, tmp_path: Path) -> None:
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(10_000):
        (folder / f"{number:05d}.txt").write_text(f"Note {number}\n\nHarbour report number {number} was filed.")
    summary = run_analyze(store, folder, batch_size=64)
    assert (summary.read, summary.new, summary.failed) == (10_000, 10_000, 0)
    assert store.count_rows()["articles"] == 10_000


def test_nothing_stored_before_is_lost_when_a_later_batch_is_bad(store: SQLiteStore, tmp_path: Path) -> None:
    run_analyze(store, CORPUS)
    before = _stored_ids(store)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (bad / "broken.jsonl").write_text("{oops\n")
    summary = run_analyze(store, bad)
    assert summary.failed == 2
    assert _stored_ids(store) == before


def test_cli_prints_one_line_per_problem_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "rows.jsonl").write_text(json.dumps({"text": GOOD}) + "\nnot json\n")
    result = run_cli("analyze", str(tmp_path), "--db", str(tmp_path / "x.db"), "--quiet")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [
        f"skipped {tmp_path / 'empty.txt'}: empty file (no text)",
        f"skipped {tmp_path / 'rows.jsonl'}:2: invalid JSON line (Expecting value at column 1)",
    ]
