"""Print the end-of-run summary of `analyze` as a short table."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from newstrace.cli.terminal import escape
from newstrace.records import RunSummary
from newstrace.store.postgres import display_url

_TOP_OUTLETS = 8


def print_summary(console: Console, summary: RunSummary, db: str) -> None:
    table = Table(title=f"newstrace analyze → {escape(display_url(db))}", show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    table.add_row(
        "articles",
        f"{summary.read} read · {summary.new} new · {summary.revisions} revised · "
        f"{summary.unchanged} unchanged · {summary.reanalysed} re-analysed",
    )
    table.add_row("failed inputs", str(summary.failed))
    table.add_row("outlets", _outlets_line(summary))
    table.add_row("dates", f"{summary.date_min} … {summary.date_max}" if summary.date_min else "none found")
    found = ", ".join(f"{count} {name}" for name, count in sorted(summary.found.items())) or "nothing new"
    table.add_row("found this run", found)
    totals = ", ".join(f"{count} {name}" for name, count in summary.totals.items())
    table.add_row("database holds", totals)
    if summary.linking:
        table.add_row("linking", _linking_line(summary.linking))
    if summary.trails:
        trails = summary.trails
        table.add_row(
            "quote trails",
            f"{trails['quotes_grouped']} quotes grouped · {trails['utterances_opened']} new utterances · "
            f"{trails['utterances_updated']} grown",
        )
    if summary.framing:
        table.add_row(
            "framing", f"{summary.framing['articles_framed']} articles · {summary.framing['markers']} markers"
        )
    table.add_row("time", f"{summary.seconds:.1f} s")
    console.print(table)


def _outlets_line(summary: RunSummary) -> str:
    if not summary.outlets:
        return "none identified"
    ranked = sorted(summary.outlets.items(), key=lambda item: (-item[1], item[0]))
    shown = ", ".join(f"{escape(name)} ({count})" for name, count in ranked[:_TOP_OUTLETS])
    more = len(ranked) - _TOP_OUTLETS
    return f"{len(ranked)}: {shown}" + (f", and {more} more" if more > 0 else "")


def _linking_line(linking: dict[str, object]) -> str:
    return (
        f"{linking['articles_linked']} articles linked · {linking['stories_opened']} new stories · "
        f"{linking['near_duplicates']} near-duplicates · {linking['recurrences']} recurrences · "
        f"{linking['reused_passages']} reused passages"
    )
