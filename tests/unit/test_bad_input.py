"""Bad input: each problem is one line naming the file and the reason, the batch goes on, nothing is lost."""

from __future__ import annotations

import json
import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from newstrace.ingest import ReadOptions, Source, discover, read_source
from newstrace.ingest.discover import MAX_PROBLEMS_PER_SOURCE
from newstrace.nlp.stages import DEFAULT_CHUNK_CHARS, split_into_chunks
from newstrace.records import IngestProblem
from newstrace.store import SQLiteStore

from ..conftest import run_analyze, run_cli

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
        ("ff.txt", b"\xff" * 65536, "undecodable content"),
        ("ff.jsonl", b"\xff" * 65536, "undecodable content"),
        ("header_only.csv", b"title,text\r\n", "no rows after the header"),
        ("open_quote.csv", b'title,text\r\nA,"never closed\r\nB,more text\r\n', "never closed"),
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
    # About 112,000 characters: over one chunk, so the parser sees two (each chunk costs its parse).
    (tmp_path / "long.txt").write_text("Long report\n\n" + paragraph * 1500)
    summary = run_analyze(store, tmp_path)
    assert summary.new == 1
    entities = list(store.iter_rows("entities"))
    text = next(store.iter_rows("articles", include_text=True))["text"]
    assert isinstance(text, str)
    assert len(split_into_chunks(text, DEFAULT_CHUNK_CHARS)) == 2
    assert len(entities) > 1500
    starts = [int(str(e["start"])) for e in entities]
    assert min(starts) < 1000 and max(starts) > len(text) - len(paragraph)  # names found in both chunks
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


def test_nothing_stored_before_is_lost_when_a_later_batch_is_bad(corpus_db: Path, tmp_path: Path) -> None:
    (tmp_path / "news.db").write_bytes(corpus_db.read_bytes())  # the sample corpus, analysed once per session
    store = SQLiteStore(tmp_path / "news.db")
    before = _stored_ids(store)
    assert before
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


# -- one bad record never ends a run (all records below are fictional) ------------------------------


def test_each_unreadable_jsonl_line_is_one_problem_and_every_other_line_is_stored(
    store: SQLiteStore, tmp_path: Path
) -> None:
    good = {"title": "Harbour reopens", "text": GOOD}
    lines = [
        json.dumps(good),
        json.dumps({"title": "x\udc00y", "text": GOOD + " Second."}),  # json.dumps writes the \\udc00 escape
        json.dumps({"outlet": "x\udc00y", "text": GOOD + " Third."}),
        json.dumps({"text": GOOD + " x\udc00y"}),
        "[" * 100_000 + "]" * 100_000,
        '{"text": ' + json.dumps(GOOD + " Sixth.") + ', "views": ' + "9" * 5000 + "}",
        json.dumps({"title": "Ferry returns", "text": GOOD + " Last."}),
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines) + "\n")
    summary = run_analyze(store, path)
    assert summary.new == 2
    reasons = {problem.origin: problem.reason for problem in summary.problems}
    assert sorted(reasons) == [f"{path}:{number}" for number in range(2, 7)]
    assert "the title holds a lone surrogate (\\udc00 at character 1)" in reasons[f"{path}:2"]
    assert "the outlet holds a lone surrogate" in reasons[f"{path}:3"]
    assert "the text holds a lone surrogate" in reasons[f"{path}:4"]
    assert "nested too deeply" in reasons[f"{path}:5"]
    assert "a number of 5,000 digits" in reasons[f"{path}:6"]
    assert {row["title"] for row in store.iter_rows("articles")} == {"Harbour reopens", "Ferry returns"}
    assert store.count_rows()["problems"] == 5


def test_a_file_name_that_is_not_utf8_is_read_and_named_with_escapes(store: SQLiteStore, tmp_path: Path) -> None:
    os.fsencode(tmp_path)  # the test folder itself is plain
    readable = os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt")
    empty = os.path.join(os.fsencode(tmp_path), b"vide\xff.txt")
    with open(readable, "wb") as handle:
        handle.write(GOOD.encode())
    with open(empty, "wb"):
        pass
    summary = run_analyze(store, tmp_path)
    assert (summary.new, summary.failed) == (1, 1)
    [row] = store.iter_rows("articles")
    assert row["path"] == f"{tmp_path}/caf\\xe9.txt"
    [problem] = summary.problems
    assert problem.origin == f"{tmp_path}/vide\\xff.txt" and "empty file" in problem.reason


# -- special files ----------------------------------------------------------------------------------


@pytest.mark.timeout(300)
def test_devices_pipes_and_broken_links_in_a_folder_are_one_line_each(store: SQLiteStore, tmp_path: Path) -> None:
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    (tmp_path / "random.html").symlink_to("/dev/urandom")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    os.mkfifo(tmp_path / "pipe.txt")
    os.mkfifo(tmp_path / "pipe.unknown")  # an ending newstrace does not read: ignored like any other
    (tmp_path / "zz_good.txt").write_text(GOOD)
    summary = run_analyze(store, tmp_path)
    assert summary.new == 1
    reasons = {Path(problem.origin).name: problem.reason for problem in summary.problems}
    assert reasons == {
        "gone.txt": "not a regular file (a broken symbolic link)",
        "pipe.txt": "not a regular file (a FIFO (named pipe))",
        "random.html": "not a regular file (a character device)",
        "zero.txt": "not a regular file (a character device)",
    }


@pytest.mark.timeout(300)
def test_a_fifo_named_on_the_command_line_or_appearing_later_does_not_hang(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    assert list(discover([str(pipe)])) == [Source(str(pipe), None, "not a regular file (a FIFO (named pipe))")]
    for reader_format in ("text", "html", "jsonl", "csv", "warc"):
        [problem] = read_source(Source(str(pipe), reader_format), ReadOptions())
        assert problem == IngestProblem(str(pipe), "cannot read: not a regular file (a FIFO (named pipe))")


# -- quiet input is reported ------------------------------------------------------------------------


def test_a_folder_that_cannot_be_listed_is_named(
    store: SQLiteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "inside.txt").write_text(GOOD)
    (tmp_path / "open.txt").write_text(GOOD + " Again.")
    real_scandir = os.scandir

    def scandir_refusing_locked(path: str) -> Iterator[os.DirEntry[str]]:
        if Path(path) == locked:  # tests run as root, so a chmod would not refuse anything
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir_refusing_locked)
    summary = run_analyze(store, tmp_path)
    assert summary.new == 1
    assert summary.problems == [IngestProblem(str(locked), "cannot read folder: Permission denied")]


def test_a_file_of_junk_lines_gives_a_few_lines_and_a_count_not_one_line_each(
    store: SQLiteStore, tmp_path: Path
) -> None:
    path = tmp_path / "junk.jsonl"
    junk = [f"not json, line {number}" for number in range(4000)]
    path.write_text(json.dumps({"text": GOOD}) + "\n" + "\n".join(junk) + "\n")
    summary = run_analyze(store, path)
    assert summary.new == 1
    assert len(summary.problems) == MAX_PROBLEMS_PER_SOURCE + 1
    assert summary.problems[0].origin == f"{path}:2"
    assert summary.problems[-1] == IngestProblem(
        str(path), f"{4000 - MAX_PROBLEMS_PER_SOURCE:,} more problems like those above (only the first are listed)"
    )


def test_random_bytes_named_jsonl_are_one_problem(store: SQLiteStore, tmp_path: Path) -> None:
    path = tmp_path / "noise.jsonl"
    path.write_bytes(random.Random(16).randbytes(1024 * 1024))
    summary = run_analyze(store, path)
    assert [problem.origin for problem in summary.problems] == [str(path)]
    assert "binary content" in summary.problems[0].reason


# -- output safety on the terminal ------------------------------------------------------------------


def test_control_characters_in_file_names_titles_and_outlets_are_printed_escaped(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "evil\x1b[2J.txt").write_bytes(b"")
    (inputs / "a.txt\nskipped forged.txt").write_bytes(b"")
    row = {"title": "Harbour \x1b[31mreopens", "outlet": "Courier\x1b]0;owned\x07", "text": GOOD}
    (inputs / "rows.jsonl").write_text(json.dumps(row) + "\n")
    db = str(tmp_path / "x.db")
    analyzed = run_cli("analyze", str(inputs), "--db", db)
    assert analyzed.returncode == 1
    assert "\x1b" not in analyzed.stdout + analyzed.stderr and "\x07" not in analyzed.stdout
    assert "Courier\\x1b]0;owned\\x07 (1)" in analyzed.stdout
    assert [line for line in analyzed.stderr.splitlines() if line.strip()] == [
        f"skipped {inputs}/a.txt\\nskipped forged.txt: empty file (no text)",
        f"skipped {inputs}/evil\\x1b[2J.txt: empty file (no text)",
    ]
    found = run_cli("search", "harbour", "--db", db)
    assert "\x1b" not in found.stdout and "Harbour \\x1b[31mreopens" in found.stdout
    # the snippet's marks of the words found become the console's highlighting, never printed themselves
    assert "harbour of Lindqvist" in found.stdout and "\ufdd0" not in found.stdout and "\ufdd1" not in found.stdout
