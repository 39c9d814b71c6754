"""The command line's help, examples and usage errors."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from newstrace.cli.main import cli
from newstrace.store import SQLiteStore

from ..conftest import run_cli, run_cli_subprocess
from .test_store import database_at_schema

COMMANDS = [
    "analyze", "export", "search", "speakers", "link", "stories", "frame", "compare", "outlet", "outlets", "trail",
    "serve", "events",
]  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_examples(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.returncode == 0
    assert "Examples:" in result.stdout and f"newstrace {command}" in result.stdout


@pytest.mark.parametrize("command", ["quotes", "stories"])
def test_eval_commands_have_help_with_examples(command: str) -> None:
    result = run_cli("eval", command, "--help")
    assert result.returncode == 0 and f"newstrace eval {command}" in result.stdout


def test_top_level_help_and_version() -> None:
    top = run_cli("--help").stdout
    assert all(command in top for command in COMMANDS)
    assert run_cli("--version").stdout.startswith("newstrace, version")


def test_the_installed_command_and_python_m_newstrace_run_with_the_command_s_exit_status(tmp_path: Path) -> None:
    """The other tests run the command in the test process (tests/conftest.py's run_cli); this one runs the
    two real entry points, each in a process of its own."""
    installed = Path(sys.executable).with_name("newstrace")  # what `pip install` put beside this Python
    if not installed.exists():
        pytest.skip(f"newstrace is not installed beside {sys.executable}")
    version = subprocess.run([installed, "--version"], capture_output=True, text=True, check=False, timeout=120)
    assert version.returncode == 0 and version.stdout.startswith("newstrace, version"), version.stderr
    missing = run_cli_subprocess("stories", "--db", "none.db", cwd=tmp_path)
    assert missing.returncode == 2 and "no such database" in missing.stderr and missing.stdout == ""
    assert len(missing.stderr.strip().splitlines()) == 1 and list(tmp_path.iterdir()) == []
    usage = run_cli_subprocess("analyze", "x", "--field", "body")
    assert usage.returncode == 2 and "FIELD=COLUMN" in usage.stderr


def test_bad_field_mapping_is_a_usage_error() -> None:
    result = run_cli("analyze", "x", "--field", "body")
    assert result.returncode == 2 and "FIELD=COLUMN" in result.stderr


def test_parquet_to_stdout_is_refused() -> None:
    result = run_cli("export", "articles", "--format", "parquet")
    assert result.returncode == 2 and "-o FILE" in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("export", "utterances"),
        ("trail", "u_0"),
        ("search", "harbour"),
        ("stories",),
        ("compare", "st_0"),
        ("speakers",),
        ("outlet", "VDA"),
        ("outlets",),
        ("events",),
    ],
)
def test_read_commands_on_an_older_database_say_how_to_upgrade_it(tmp_path: Path, command: tuple[str, ...]) -> None:
    db = tmp_path / "old.db"
    database_at_schema(db, 4).close()
    result = run_cli(*command, "--db", str(db))
    assert result.returncode == 2, result.stderr
    assert "older newstrace" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_read_commands_never_create_a_database(tmp_path: Path) -> None:
    for command in (("stories",), ("serve",)):
        result = run_cli(*command, "--db", "we#ird.db", cwd=tmp_path)
        assert result.returncode == 2 and "no such database" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("pragma", "expected"),
    [("max_page_count = {pages}", "the disk is full"), ("query_only = ON", "cannot be written")],
)
def test_a_full_disk_or_a_read_only_database_ends_analyze_with_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pragma: str, expected: str
) -> None:
    db = tmp_path / "news.db"
    SQLiteStore(db).close()
    connect = SQLiteStore._connect

    def limited(store: SQLiteStore, readonly: bool) -> sqlite3.Connection:
        """The real connection, with SQLite told to refuse growth (a full disk) or any write."""
        connection = connect(store, readonly)
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        connection.execute("PRAGMA " + pragma.format(pages=pages))
        return connection

    monkeypatch.setattr(SQLiteStore, "_connect", limited)
    inputs = tmp_path / "in"
    inputs.mkdir()
    # fictional test text
    (inputs / "long.txt").write_text("Anneke Holm said the harbour stays open. " * 400, encoding="utf-8")
    result = CliRunner().invoke(cli, ["analyze", str(inputs), "--db", str(db), "--quiet", "--workers", "1"])
    assert result.exit_code == 2, result.output
    assert expected in result.stderr and result.stderr.count("error:") == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_field_mapped_to_a_missing_column_is_one_error_per_file_not_per_row(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    rows = [f"Fictional test article number {number} about the harbour." for number in range(5)]
    (inputs / "a.csv").write_text("body,headline\n" + "".join(f'"{row}",Title\n' for row in rows), encoding="utf-8")
    (inputs / "b.csv").write_text("body\n" + "".join(f'"{row}"\n' for row in rows), encoding="utf-8")
    records = "".join(json.dumps({"body": row, "headline": "Title"}) + "\n" for row in rows)
    (inputs / "c.jsonl").write_text(records, encoding="utf-8")
    result = run_cli("analyze", str(inputs), "--field", "text=nosuchcol", "--db", str(tmp_path / "n.db"), "--quiet")
    assert result.returncode == 1
    problems = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(problems) == 3, result.stderr
    assert all("--field text=nosuchcol: no such column" in line and "body" in line for line in problems)
    mapped = run_cli("analyze", str(inputs), "--field", "text=BODY", "--db", str(tmp_path / "m.db"), "--quiet")
    assert mapped.returncode == 0, mapped.stderr


def test_a_total_the_store_counted_only_so_far_is_told_as_more_than(capsys: pytest.CaptureFixture[str]) -> None:
    """The store counts a total up to COUNT_CAP and gives COUNT_CAP + 1 past it: the CLI says "over
    10,000", not an exact number of rows left."""
    from newstrace.cli import main
    from newstrace.store.base import COUNT_CAP

    main._more(COUNT_CAP + 1, 0, 20)
    assert "more (over 10,000 in all): use --offset 20" in capsys.readouterr().err
    main._more(45, 20, 20)
    assert "5 more: use --offset 40" in capsys.readouterr().err


def test_the_stories_table_shows_every_story_id_whole_in_80_columns() -> None:
    """`compare` takes a story id from the `stories` table; in an 80-column terminal the table cut them
    (`st_1bac0488b70…`) and the title column to nothing. Ids from the sample corpus (0.01 s)."""
    from rich.console import Console

    from newstrace.cli import main

    rows: list[dict[str, object]] = [
        {"id": "st_1bac0488b708c7cb", "first_seen": "2025-03-12", "last_seen": "2025-03-12", "n_articles": 8,
         "n_outlets": 7, "title": "League chief says Drovnian victory in Kestria is the gravest danger"},
        {"id": "st_64ec2b631c7692df", "first_seen": "2025-11-04", "last_seen": "2025-11-06", "n_articles": 3,
         "n_outlets": 3, "title": "Holm in Port Aster: Drovnian victory still the gravest danger"},
    ]  # fmt: skip
    recurs: dict[str, dict[str, object]] = {
        "st_64ec2b631c7692df": {"related_story_id": "st_1bac0488b708c7cb", "gap_days": 237}
    }
    printed = io.StringIO()
    Console(file=printed, width=80, no_color=True).print(main._stories_table(rows, recurs))
    shown = printed.getvalue()
    assert max(len(line) for line in shown.splitlines()) <= 80 and "…" not in shown, shown
    assert shown.count("st_1bac0488b708c7cb") == 2 and "st_64ec2b631c7692df" in shown, shown
    assert "(+237 d)" in shown and "2025-11-06" in shown and "gravest" in shown
