"""`newstrace eval trails`: the hand-labelled PolNeAR dev set for quote trails and speakers, scored."""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table


def register(eval_group: click.Group) -> None:
    """Add `trails` to the `eval` group (main.py calls this once its eval helpers are defined)."""
    from newstrace.cli.main import _eval_options

    command = click.command("trails")(_eval_options("The PolNeAR folder (with train/text and dev/text).")(eval_trails))
    eval_group.add_command(command)


def eval_trails(gold: Path, db: str | None, workers: int, as_json: bool) -> None:
    """Run the pipeline on the labelled PolNeAR articles and score trails and speakers against the labels.

    Rendering precision: of the labelled rendering pairs grouped into one utterance, the share a reader
    found the same statement. Misquote-flag precision: of the labelled renderings flagged
    altered_direct_quote, the share that alter the statement's words. Speaker accuracy: of the labelled
    quotes, the share whose resolved speaker is the true one.

    \b
    Examples:
      newstrace eval trails --gold ../shared/data/polnear
      newstrace eval trails --gold ../shared/data/polnear --db trails_eval.db --json
    """
    from newstrace.cli.main import _run_evaluation
    from newstrace.evaluation.trails import evaluate_trails

    scores = _run_evaluation(evaluate_trails, gold, db, workers, as_json)
    result = scores.to_dict()
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    table = Table(title=f"trails vs hand labels — {scores.documents} PolNeAR articles")
    for column in ("measure", "value", "hits", "of", "target"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    for name, score in dict(result["scores"]).items():  # type: ignore[call-overload]
        table.add_row(name, f"{score['value']:.3f}", str(score["hits"]), str(score["of"]), f"≥ {score['target']}")
    Console().print(table)
    if scores.missing:
        Console(stderr=True).print(f"{scores.missing} labelled quotes were not found again in this run")
