"""The command line's help, examples and usage errors."""

from __future__ import annotations

import pytest

from ..conftest import run_cli

COMMANDS = [
    "analyze", "export", "search", "speakers", "link", "stories", "frame", "compare", "outlet", "trail", "serve",
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


def test_bad_field_mapping_is_a_usage_error() -> None:
    result = run_cli("analyze", "x", "--field", "body")
    assert result.returncode == 2 and "FIELD=COLUMN" in result.stderr


def test_parquet_to_stdout_is_refused() -> None:
    result = run_cli("export", "articles", "--format", "parquet")
    assert result.returncode == 2 and "-o FILE" in result.stderr
