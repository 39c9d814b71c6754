"""CLI for events: `newstrace events` lists stored events (who did what to whom, when; each once, with its
count of reports) or their mentions, and `newstrace eval events` scores the extraction against PLOVER
gold records."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from newstrace.cli.options import EXIT_FATAL, db_option
from newstrace.cli.terminal import escape, one_line_table_width
from newstrace.events.types import EVENT_TYPES, current_type
from newstrace.store import Store, StoreError, open_store

TARGETS = {"type_accuracy": 0.65, "type_macro_f1": 0.60, "source_accuracy": 0.80, "target_accuracy": 0.70}


def register(cli: click.Group, eval_group: click.Group) -> None:
    """Add `events` to the command group and `events` to `eval`."""
    cli.add_command(events_command)
    eval_group.add_command(eval_events_command)


@dataclass(frozen=True)
class EventFilters:
    """What `newstrace events` keeps: an actor code as source or target, a type, a date range."""

    actor: str | None = None
    event_type: str | None = None
    start: str | None = None
    end: str | None = None

    def keep(self, codes: tuple[object, object], event_type: object, date: object) -> bool:
        """Whether an event or mention with these codes, type and resolved date passes."""
        if self.actor and self.actor.upper() not in codes:
            return False
        if self.event_type and event_type != self.event_type:
            return False
        if (self.start or self.end) and not isinstance(date, str):
            return False
        return not ((self.start and str(date) < self.start) or (self.end and str(date) > self.end))


def listed_events(store: Store, filters: EventFilters) -> list[dict[str, object]]:
    """The events (the `events` export rows) that pass the filters, each with its mentions' ids."""
    events = [
        row
        for row in store.iter_rows("events")
        if filters.keep((row["actor_code"], row["recipient_code"]), row["event_type"], row["event_date"])
    ]
    mention_ids: dict[str, list[str]] = {}
    for mention in store.mentions_of_events([str(row["event_id"]) for row in events]):
        mention_ids.setdefault(str(mention.event_id), []).append(mention.id)
    return [{**row, "mention_ids": mention_ids.get(str(row["event_id"]), [])} for row in events]


def listed_mentions(store: Store, filters: EventFilters) -> list[dict[str, object]]:
    """The event mentions that pass the filters (the `event_mentions` export rows)."""
    return [
        dict(row)
        for row in store.iter_rows("event_mentions")
        if filters.keep((row["source_code"], row["target_code"]), row["event_type"], row["date"])
    ]


def _type_option(_: click.Context, __: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return current_type(value)
    except ValueError as error:
        raise click.BadParameter(f"{error}; choose one of {', '.join(EVENT_TYPES)}") from error


def _day_option(_: click.Context, __: click.Parameter, value: str | None) -> str | None:
    """A day written YYYY-MM-DD, as the events' dates are (another form matched nothing, silently). A day
    `date.fromisoformat` also reads in another form (20240710, the week date 2024-W28-3) is refused too."""
    if value is None:
        return None
    try:
        written = date.fromisoformat(value).isoformat()
    except ValueError:
        written = None
    if written != value:
        raise click.BadParameter(f"{value!r} is not a day written YYYY-MM-DD")
    return value


@click.command("events", short_help="Who did what to whom: the events found in the articles.")
@db_option
@click.option("--actor", default=None, help="A country or organisation code, as actor or recipient (USA, NATO).")
@click.option("--type", "event_type", default=None, callback=_type_option, help="A PLOVER event type (AID, ...).")
@click.option("--from", "start", default=None, metavar="YYYY-MM-DD", callback=_day_option, help="Earliest event date.")
@click.option("--to", "end", default=None, metavar="YYYY-MM-DD", callback=_day_option, help="Latest event date.")
@click.option("--mentions", "as_mentions", is_flag=True, help="List each mention (each report) instead of events.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON Lines: the `events` or `event_mentions` export rows.")
def events_command(
    db: str, actor: str | None, event_type: str | None, start: str | None, end: str | None, as_mentions: bool,
    as_json: bool,
) -> None:  # fmt: skip
    """Who did what to whom: the events found in the articles, each once however many reports it has
    (with --mentions: every report of them), filtered.

    \b
    Examples:
      newstrace events --db news.db --actor USA --type AID
      newstrace events --db news.db --from 2025-03-01 --to 2025-03-31 --json
      newstrace events --db news.db --actor RUS --mentions
    """
    if start and end and start > end:
        raise click.UsageError(f"--from ({start}) is after --to ({end})")
    filters = EventFilters(actor, event_type, start, end)
    try:
        store = open_store(db, readonly=True)
        rows = listed_mentions(store, filters) if as_mentions else listed_events(store, filters)
    except StoreError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_FATAL)
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
    elif not rows:  # as the other listings say it, not an empty table
        click.echo(f"no {'event mentions' if as_mentions else 'events'}", err=True)
    elif as_mentions:
        _print_mentions(rows)
    else:
        _print_events(rows)


def _print_events(rows: Iterable[dict[str, object]]) -> None:
    cells = []
    for row in rows:
        mode = "/".join(str(part) for part in (row["event_mode"], row["event_auxiliary"]) if part)
        cells.append(_cells((
            row["event_date"], row["event_type"], mode, row["actor_code"] or row["actor_name"],
            row["recipient_code"] or row["recipient_name"], row["event_object"], row["n_articles"], row["n_outlets"],
            row["first_reported"],
        )))  # fmt: skip
    columns = ("date", "type", "mode", "actor", "recipient", "object", "reports", "outlets", "first report")
    _print_table_or_blocks("events", columns, cells, _event_block)


def _event_block(cells: list[str]) -> str:
    day, event_type, mode, actor, recipient, event_object, reports, outlets, first = cells
    heading = _block_heading(day, event_type, mode)
    counts = f"{_counted(reports, 'report')} in {_counted(outlets, 'outlet')}, first {first or 'undated'}"
    return f"{heading} · {counts}\n{_who_to_whom(actor, recipient, event_object)}"


def _print_mentions(rows: Iterable[dict[str, object]]) -> None:
    cells = []
    for row in rows:
        mode = "/".join(str(part) for part in (row["mode"], row["auxiliary"]) if part)
        cells.append(_cells((
            row["date"] or row["date_text"], row["event_type"], mode, row["source_code"] or row["source_text"],
            row["target_code"] or row["target_text"], row["object_text"], row["trigger_text"], row["confidence"],
        )))  # fmt: skip
    columns = ("date", "type", "mode", "actor", "recipient", "object", "trigger", "conf.")
    _print_table_or_blocks("event mentions", columns, cells, _mention_block)


def _mention_block(cells: list[str]) -> str:
    day, event_type, mode, actor, recipient, event_object, trigger, confidence = cells
    heading = _block_heading(day, event_type, mode)
    return f"{heading} · “{trigger}” {confidence}\n{_who_to_whom(actor, recipient, event_object)}"


def _block_heading(day: str, event_type: str, mode: str) -> str:
    """An event's or mention's block begins `day · TYPE (mode)`, in bold but for the mode."""
    return f"[bold]{day or 'undated'} · {event_type}[/]" + (f" ({mode})" if mode else "")


def _who_to_whom(actor: str, recipient: str, event_object: str) -> str:
    """`actor → recipient: object`, each part left out when not found."""
    return (
        (actor or "(no actor)")
        + (f" → {recipient}" if recipient else "")
        + (f": {event_object}" if event_object else "")
    )


def _counted(number: str, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == "1" else "s")


def _print_table_or_blocks(
    title: str, columns: tuple[str, ...], rows: list[list[str]], block: Callable[[list[str]], str]
) -> None:
    """`rows` of cells under `columns` in a table, when every cell fits on one line of the terminal; else
    each row as a block of text (`block`), one under another (in 80 columns the table cut dates: '2025-…')."""
    console = Console()
    if one_line_table_width(columns, rows) <= console.width:
        table = Table(title=title)
        for column in columns:
            table.add_column(column)
        for row in rows:
            table.add_row(*row)
    else:
        table = Table(title=title, show_header=False, show_lines=True)
        table.add_column(ratio=1)
        for row in rows:
            table.add_row(block(row))
    console.print(table)


def _cells(values: Iterable[object]) -> list[str]:
    return [escape(str(value)) if value is not None else "" for value in values]


@click.command("events", short_help="Score event types and actors against PLOVER gold records.")
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
    Examples:
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
