"""CLI for events: `newstrace events` lists stored event mentions (who did what to whom, when) and
`newstrace eval events` scores the extraction against PLOVER gold records."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from newstrace.cli.terminal import escape
from newstrace.events.dates import resolve_event_date
from newstrace.events.types import EVENT_TYPES, current_type
from newstrace.store import Store, StoreError, open_store

TARGETS = {"type_accuracy": 0.65, "type_macro_f1": 0.60, "source_accuracy": 0.80, "target_accuracy": 0.70}


def register(cli: click.Group, eval_group: click.Group) -> None:
    """Add `events` to the command group and `events` to `eval`."""
    cli.add_command(events_command)
    eval_group.add_command(eval_events_command)


def matches(
    row: dict[str, object], actor: str | None, event_type: str | None, start: str | None, end: str | None
) -> bool:
    """Whether a stored mention passes the filters: actor as source or target code, type (old names
    accepted), and a date range on the resolved date."""
    if actor and actor.upper() not in (row.get("source_code"), row.get("target_code")):
        return False
    if event_type and row.get("event_type") != event_type:
        return False
    date = row.get("date")
    if (start or end) and not isinstance(date, str):
        return False
    return not ((start and str(date) < start) or (end and str(date) > end))


def with_resolved_dates(rows: Iterable[dict[str, object]], store: Store) -> Iterator[dict[str, object]]:
    """The rows, each mention's date expression resolved against its article's published date where the
    stage stored no date (the stage does not see the article's metadata)."""
    published: dict[str, str | None] = {}
    for row in rows:
        article_id = str(row["article_id"])
        if row.get("date") is None and row.get("date_text"):
            if article_id not in published:
                article = store.article(article_id) or {}
                value = article.get("published")
                published[article_id] = str(value) if value else None
            row = {**row, "date": resolve_event_date(str(row["date_text"]), published[article_id])}
        yield row


def _type_option(_: click.Context, __: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return current_type(value)
    except ValueError as error:
        raise click.BadParameter(f"{error}; choose one of {', '.join(EVENT_TYPES)}") from error


@click.command("events")
@click.option("--db", required=True, type=click.Path(dir_okay=False), help="The database analyze wrote.")
@click.option("--actor", default=None, help="A country or organisation code, as actor or recipient (USA, NATO).")
@click.option("--type", "event_type", default=None, callback=_type_option, help="A PLOVER event type (AID, ...).")
@click.option("--from", "start", default=None, help="Earliest event date, YYYY-MM-DD.")
@click.option("--to", "end", default=None, help="Latest event date, YYYY-MM-DD.")
@click.option("--json", "as_json", is_flag=True, help="Print the mentions as JSON Lines.")
def events_command(
    db: str, actor: str | None, event_type: str | None, start: str | None, end: str | None, as_json: bool
) -> None:
    """Who did what to whom: the event mentions found in the articles, filtered.

    \b
    Examples:
      newstrace events --db news.db --actor USA --type AID
      newstrace events --db news.db --from 2024-07-01 --to 2024-07-31 --json
    """
    try:
        store = open_store(db, readonly=True)
        rows = [
            row
            for row in with_resolved_dates(store.iter_rows("event_mentions"), store)
            if matches(row, actor, event_type, start, end)
        ]
    except StoreError as error:
        click.echo(f"newstrace: {error}", err=True)
        sys.exit(1)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    _print_table(rows)


def _print_table(rows: Iterable[dict[str, object]]) -> None:
    table = Table(title="events")
    for column in ("date", "type", "mode", "actor", "recipient", "object", "trigger", "conf."):
        table.add_column(column)
    for row in rows:
        table.add_row(
            *(
                escape(str(value)) if value is not None else ""
                for value in (
                    row["date"] or row["date_text"],
                    row["event_type"],
                    "/".join(str(part) for part in (row["mode"], row["auxiliary"]) if part),
                    row["source_code"] or row["source_text"],
                    row["target_code"] or row["target_text"],
                    row["object_text"],
                    row["trigger_text"],
                    row["confidence"],
                )
            )
        )
    Console().print(table)


@click.command("events")
@click.option(
    "--gold", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="PLOVER gold JSON."
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option(
    "--errors", "show_errors", is_flag=True, help="Print each missed record (gold next to ours) as JSON lines."
)
def eval_events_command(gold: Path, as_json: bool, show_errors: bool) -> None:
    """Score event types (accuracy, macro-F1 over the 16 PLOVER types) and actor and recipient accuracy
    against PLOVER gold records, with 95 % bootstrap intervals. Old type names are read as the manual maps
    them (DEMAND -> REQUEST, DISAPPROVE and INVESTIGATE -> ACCUSE, FIGHT -> ASSAULT).

    \b
    Example:
      newstrace eval events --gold ../shared/data/plover/plover_gsr_dev.json
      newstrace eval events --gold ../shared/data/plover/plover_gsr_dev.json --errors
    """
    from newstrace.evaluation.events import error_rows, load_gold, predict, score
    from newstrace.nlp import DEFAULT_PIPELINE, load_pipeline
    from newstrace.nlp.events import extract_event_mentions

    try:
        records = load_gold(gold)
    except ValueError as error:
        click.echo(f"newstrace: {error}", err=True)
        sys.exit(1)
    predictions = predict(records, load_pipeline(DEFAULT_PIPELINE), extract_event_mentions)
    if show_errors:
        for row in error_rows(records, predictions):
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    scores = score(records, predictions).to_dict()
    if as_json:
        click.echo(json.dumps(scores, indent=2))
        return
    table = Table(title=f"events vs {escape(str(gold))} — {scores['records']} records")
    for column in ("measure", "value", "95 % interval", "target"):
        table.add_column(column)
    for name, target in TARGETS.items():
        value = scores[name]
        assert isinstance(value, dict)
        table.add_row(name, f"{value['value']:.3f}", f"{value['low']:.3f}–{value['high']:.3f}", f"≥ {target:.2f}")
    Console().print(table)
