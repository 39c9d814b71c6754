"""`newstrace eval trails`: the hand-labelled PolNeAR dev set for quote trails and speakers, scored."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from newstrace.cli.terminal import escape


def register(eval_group: click.Group) -> None:
    """Add `trails` to the `eval` group (main.py calls this once its eval helpers are defined)."""
    from newstrace.cli.main import _eval_options

    errors = click.option("--errors", "show_errors", is_flag=True, help="Also list each label the run got wrong.")
    options = _eval_options("The PolNeAR folder (with train/text and dev/text).")
    scored = "Score trails and speakers against the PolNeAR labels."
    command = click.command("trails", short_help=scored)(options(errors(eval_trails)))
    eval_group.add_command(command)


def eval_trails(gold: Path, db: str | None, workers: int, as_json: bool, show_errors: bool = False) -> None:
    """Run the pipeline on the labelled PolNeAR articles and score trails and speakers against the labels.

    Rendering precision: of the labelled rendering pairs grouped into one utterance, the share a reader
    found the same statement. Misquote-flag precision: of the labelled renderings flagged
    altered_direct_quote, the share that alter the statement's words. Speaker accuracy: of the labelled
    quotes, the share whose resolved speaker is the true one. --errors lists the labels the run got
    wrong (article stem, content offsets, expected, found), to read in the article.

    \b
    Examples:
      newstrace eval trails --gold ../shared/data/polnear
      newstrace eval trails --gold ../shared/data/polnear --db trails_eval.db --json
      newstrace eval trails --gold ../shared/data/polnear --db trails_eval.db --errors
    """
    from newstrace.cli.main import _run_evaluation
    from newstrace.evaluation.trails import evaluate_trails

    scores = _run_evaluation(evaluate_trails, gold, db, workers, as_json)
    result = scores.to_dict()
    if show_errors:
        result["errors"] = scores.errors
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    table = Table(title=f"trails vs hand labels — {scores.documents} PolNeAR articles")
    for column in ("measure", "value", "hits", "of", "target"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for name, score in dict(result["scores"]).items():  # type: ignore[call-overload]
        table.add_row(name, f"{score['value']:.3f}", str(score["hits"]), str(score["of"]), f"≥ {score['target']}")
    Console().print(table)
    if show_errors:
        _print_errors(scores.errors)
    if scores.missing:
        Console(stderr=True).print(f"{scores.missing} labelled quotes were not found again in this run")


def _print_errors(errors: list[dict[str, object]]) -> None:
    table = Table(title=f"{len(errors)} labels the run got wrong")
    for column in ("kind", "article", "offsets", "expected", "found", "source text"):
        table.add_column(column)
    for error in errors:
        offsets = f"{error['start']}-{error['end']}"
        cells = (error["kind"], error["stem"], offsets, error["expected"], error["found"], error["source_text"])
        table.add_row(*(escape(str(cell)) if cell is not None else "—" for cell in cells))
    Console().print(table)
