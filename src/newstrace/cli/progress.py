"""A rich progress bar for `analyze`: inputs read, articles stored and their rate, then linking with the time left.

Reading shows no time left: an input may hold one article or thousands, and the language models work
behind the reading, so no estimate would hold. Linking counts a known number of articles, so it does.
"""

from __future__ import annotations

from datetime import timedelta
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from newstrace.cli.terminal import escape_line
from newstrace.records import IngestProblem


class RichProgress:
    """Draws the bar on stderr and prints each input problem as one line above it."""

    def __init__(self, console: Console, *, show_bar: bool) -> None:
        self.console = console
        self.show_bar = show_bar
        self.articles = 0
        self.progress = Progress(
            TextColumn("[bold]analyzing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("inputs"),
            TextColumn("{task.fields[articles]} articles stored, {task.fields[rate]}"),
            TimeElapsedColumn(),
            console=console,
            disable=not show_bar,
            transient=True,
        )
        self.task = self.progress.add_task("analyze", total=None, articles=0, rate="- /s")
        self.link_task: TaskID | None = None

    def __enter__(self) -> RichProgress:
        self.progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.progress.stop()

    def started(self, total_sources: int) -> None:
        self.progress.update(self.task, total=total_sources)

    def source_read(self) -> None:
        self.progress.advance(self.task)

    def article_stored(self) -> None:
        self.articles += 1
        elapsed = self.progress.tasks[0].elapsed or 0.0
        rate = f"{self.articles / elapsed:.1f}/s" if elapsed > 0 else "- /s"
        self.progress.update(self.task, articles=self.articles, rate=rate)

    def linking_started(self, total_articles: int) -> None:
        """Close the reading bar with a line that stays, and draw the linking bar in its place."""
        reading = self.progress.tasks[0]
        if reading.total is not None and self.show_bar and self.console.is_terminal:  # not into a log file
            self.progress.console.print(
                f"read {reading.completed:.0f}/{reading.total:.0f} inputs: {self.articles} articles stored "
                f"in {timedelta(seconds=int(reading.elapsed or 0))}",
                highlight=False,
            )
        self.progress.update(self.task, visible=False)
        self.link_task = self.progress.add_task("link", total=total_articles, articles=0, rate="")
        self.progress.columns = (
            TextColumn("[bold]linking stories"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("articles"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
        )

    def article_linked(self) -> None:
        if self.link_task is not None:
            self.progress.advance(self.link_task)

    def problem(self, problem: IngestProblem) -> None:
        self.console.print(
            f"[yellow]skipped[/] {escape_line(problem.origin)}: {escape_line(problem.reason)}",
            highlight=False,
            soft_wrap=True,
        )
