"""The command line's help, examples and usage errors."""

from __future__ import annotations

import pytest

from ..conftest import run_cli


@pytest.mark.parametrize("command", ["analyze", "export", "search"])
def test_every_command_has_help_with_examples(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.returncode == 0
    assert "Examples:" in result.stdout and f"newstrace {command}" in result.stdout


def test_top_level_help_and_version() -> None:
    assert "analyze" in run_cli("--help").stdout
    assert run_cli("--version").stdout.startswith("newstrace, version")


def test_bad_field_mapping_is_a_usage_error() -> None:
    result = run_cli("analyze", "x", "--field", "body")
    assert result.returncode == 2 and "FIELD=COLUMN" in result.stderr


def test_parquet_to_stdout_is_refused() -> None:
    result = run_cli("export", "articles", "--format", "parquet")
    assert result.returncode == 2 and "-o FILE" in result.stderr
