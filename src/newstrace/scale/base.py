"""What every runner does, whatever it runs on: take batches of articles, run the document stages on
each, and hand back the outputs batch by batch in input order.

`analyze` only sees the `Runner` protocol; the work a runner sends to its workers is `analyse_batch`,
which keeps one document that makes a stage fail from taking its batch down with it.
"""

from __future__ import annotations

import signal
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from newstrace.records import AnalysisRequest, Article, StageOutput

if TYPE_CHECKING:
    from newstrace.nlp.parse_cache import ParseCache


@dataclass(frozen=True)
class DocumentFailure:
    """A document the stages could not analyse: the rest of its batch still comes back."""

    article_id: str
    reason: str


ArticleResult = list[StageOutput] | DocumentFailure
BatchResult = tuple[Sequence[Article], list[ArticleResult]]


class Runner(Protocol):
    """Runs the document stages over batches of articles, wherever its workers are."""

    def run(self, batches: Iterable[Sequence[Article]]) -> Generator[BatchResult, None, None]:
        """Yield (batch, one result per article) for every batch, in the order the batches came in."""
        ...


def requests_for(articles: Sequence[Article]) -> list[AnalysisRequest]:
    """The part of each article the workers need (a whole `Article` carries more than they read)."""
    return [AnalysisRequest(article.id, article.text, article.language, article.header_spans) for article in articles]


def analyse_batch(
    nlp: Any, requests: Sequence[AnalysisRequest], parse_cache: ParseCache | None = None
) -> list[ArticleResult]:
    """The stages' outputs for each request (parses read from and added to `parse_cache`, if any); when
    the batch fails, each document is tried alone, so only the one that fails is reported as a
    `DocumentFailure`."""
    from newstrace.nlp import analyse_texts  # here, so the CLI can name runners without the NLP stages

    try:
        return list(analyse_texts(nlp, requests, batch_size=len(requests) or 1, parse_cache=parse_cache))
    except Exception as error:
        if len(requests) == 1:
            return [DocumentFailure(requests[0].article_id, f"{type(error).__name__}: {error}")]
    return [result for request in requests for result in analyse_batch(nlp, [request], parse_cache)]


def open_parse_cache(folder: str | None, nlp: Any) -> ParseCache | None:
    """The parse cache under `folder` for the pipeline `nlp`, or None without a folder."""
    if not folder:
        return None
    from newstrace.nlp.parse_cache import ParseCache

    return ParseCache(folder, nlp)


class PendingBatch(Protocol):
    """A batch handed to a worker: a `concurrent.futures` or a Dask future."""

    def result(self) -> Any: ...


def in_input_order(
    batches: Iterable[Sequence[Article]], submit: Callable[[list[AnalysisRequest]], PendingBatch], limit: int
) -> Iterator[BatchResult]:
    """Submit each batch and yield the results in input order, with at most `limit` batches in flight:
    a slow batch holds the ones behind it back instead of letting results pile up in memory."""
    in_flight: deque[tuple[Sequence[Article], PendingBatch]] = deque()
    for batch in batches:
        in_flight.append((batch, submit(requests_for(batch))))
        if len(in_flight) >= limit:
            done_batch, pending = in_flight.popleft()
            yield done_batch, pending.result()
    while in_flight:
        done_batch, pending = in_flight.popleft()
        yield done_batch, pending.result()


class RunnerError(RuntimeError):
    """The runner cannot run or go on: its extra is not installed, its cluster does not answer or
    refuses the work, or its workers keep dying on a batch."""


@contextmanager
def workers_start_ignoring_ctrl_c() -> Iterator[None]:
    """Ignore SIGINT while worker processes may be started: a process started with SIGINT ignored keeps
    it so. Ctrl-C reaches every process in the terminal's group; the workers would each print a
    traceback (even one still importing newstrace), while the parent alone should stop and end them.
    A Ctrl-C in these few milliseconds is lost to the parent too; the next one stops it. (Blocking
    SIGINT instead does not survive starting a process.) Only the main thread, the one Ctrl-C
    interrupts, may change signal handlers: from another thread the workers start as they would."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
