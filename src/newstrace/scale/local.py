"""Run the document stages in this process or in a pool of worker processes on this machine.

Each worker loads the spaCy pipeline once and returns only plain records, which are cheap to send
back (a whole `Doc` is not). Batches come back in the order they went in, so a run's result does not
depend on which worker finished first, and at most two batches per worker are in flight, which bounds
memory however many articles there are. Workers end with the process that started them, even when it
is killed outright (`kill -9`): none is left behind computing for nobody. Ctrl-C is the parent's
alone: it ends the workers at once and keeps what was stored. A worker told to stop leaves without
tearing its interpreter down (`exit_without_teardown`), which the parent would wait for.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.util
import os
import signal
import sys
import threading
import time
from collections.abc import Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain
from typing import Any

from newstrace.nlp import load_pipeline
from newstrace.records import AnalysisRequest, Article
from newstrace.scale.base import (
    ArticleResult,
    BatchResult,
    analyse_batch,
    in_input_order,
    open_parse_cache,
    requests_for,
    workers_start_ignoring_ctrl_c,
)

_worker_pipeline: Any = None
_worker_parse_cache: Any = None
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PARENT_CHECK_SECONDS = 0.5


def _start_worker(pipeline_name: str, parent_pid: int, parse_cache: str | None = None) -> None:
    global _worker_pipeline, _worker_parse_cache
    # Ctrl-C signals the whole process group; the parent alone handles it and ends its workers, so an
    # interrupt never lands half-way through a worker's batch (or its model loading) to be swallowed there.
    # It was started ignoring SIGINT already (`workers_start_ignoring_ctrl_c`); this keeps it so should
    # a pool start it some other way.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent(parent_pid)
    exit_without_teardown()
    _worker_pipeline = load_pipeline(pipeline_name)
    _worker_parse_cache = open_parse_cache(parse_cache, _worker_pipeline)


def die_with_parent(parent_pid: int) -> None:
    """End this process when its parent `parent_pid` ends: on Linux the kernel kills it at once; elsewhere
    (and should the kernel's signal be missed) a thread that watches the parent ends it within a second."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:
        os._exit(1)  # the parent died before the kernel was asked to tell us
    threading.Thread(target=_watch_parent, args=(parent_pid,), name="newstrace-parent-watch", daemon=True).start()


def exit_without_teardown() -> None:
    """Once this pool process is told to stop, end it without Python's teardown: freeing a loaded spaCy
    pipeline object by object took a worker about 0.4 CPU s, which the parent waited for before the
    stages over stored rows could start. The callback runs last among multiprocessing's exit callbacks,
    after the pool's last message was written (its result pipe is written synchronously); nothing a
    worker holds needs closing (the parse cache writes each file whole when it adds it). A process
    leaving on an exception leaves as before, so the traceback and the exit status stay."""
    multiprocessing.util.Finalize(None, _exit_now, exitpriority=-100)


def _exit_now() -> None:
    if sys.exc_info()[1] is not None:
        return
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
    os._exit(0)


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _analyse_in_worker(requests: list[AnalysisRequest]) -> list[ArticleResult]:
    return analyse_batch(_worker_pipeline, requests, _worker_parse_cache)


class LocalRunner:
    """Analyse batches of articles with `workers` processes (1 means: in this process), reading and
    adding parses to the cache in the folder `parse_cache`, if one is given."""

    def __init__(self, pipeline_name: str, workers: int = 1, parse_cache: str | None = None) -> None:
        self.pipeline_name = pipeline_name
        self.workers = max(1, workers)
        self.parse_cache = parse_cache
        self._pipeline: Any = None
        self._parse_cache: Any = None

    def run(self, batches: Iterable[Sequence[Article]]) -> Generator[BatchResult, None, None]:
        """Yield (batch, outputs per article) for every batch, in input order."""
        if self.workers == 1:
            yield from self._run_here(batches)
        else:
            yield from self._run_in_pool(batches)

    def _run_here(self, batches: Iterable[Sequence[Article]]) -> Iterator[BatchResult]:
        for batch in batches:
            if self._pipeline is None:
                self._pipeline = load_pipeline(self.pipeline_name)
                self._parse_cache = open_parse_cache(self.parse_cache, self._pipeline)
            yield batch, analyse_batch(self._pipeline, requests_for(batch), self._parse_cache)

    def _run_in_pool(self, batches: Iterable[Sequence[Article]]) -> Iterator[BatchResult]:
        pending = iter(batches)
        first = next(pending, None)
        if first is None:  # every input stored and current (a rerun, an eval given its database): no worker
            return
        batches = chain([first], pending)
        context = multiprocessing.get_context("spawn")  # fork is unsafe beside the progress-bar thread
        others = set(multiprocessing.active_children())
        with ProcessPoolExecutor(
            self.workers,
            mp_context=context,
            initializer=_start_worker,
            initargs=(self.pipeline_name, os.getpid(), self.parse_cache),
        ) as pool:
            try:
                _start_every_worker(pool, self.workers)
                yield from in_input_order(batches, lambda requests: _submit(pool, requests), 2 * self.workers)
            except BaseException:
                _stop_at_once(pool, others)
                raise


def _start_every_worker(pool: ProcessPoolExecutor, workers: int) -> None:
    """Start every worker process now, once the first batch is read (a run with nothing to analyse
    starts none): loading the model takes each worker seconds, which then overlap the reading of the
    next inputs (dates, language) instead of following it. The pool starts a process for each task it
    is given while none is idle, so one empty task per worker starts them all."""
    with workers_start_ignoring_ctrl_c():
        for _ in range(workers):
            pool.submit(_ready)


def _ready() -> None:
    """An empty task: the worker that runs it has loaded its model."""


def _submit(pool: ProcessPoolExecutor, requests: list[AnalysisRequest]) -> Future[list[ArticleResult]]:
    """Hand a batch to the pool, which starts a worker process for each of the first batches."""
    with workers_start_ignoring_ctrl_c():
        return pool.submit(_analyse_in_worker, requests)


def _stop_at_once(pool: ProcessPoolExecutor, others: set[multiprocessing.process.BaseProcess]) -> None:
    """Drop the queued batches and end the workers now: leaving the `with` block would otherwise wait
    for the batches in flight, minutes on a busy machine after the user pressed Ctrl-C.

    The workers go first, then the pool is shut down and waited for: with its workers gone, the pool's
    manager thread fails what was pending and ends at once. Left running (`shutdown(wait=False)`), it
    raced the interpreter's exit on Python 3.11, whose exit hook writes to the thread's wake-up pipe
    without the pool's lock while the thread closes it, and the user saw "Exception ignored ... Bad file
    descriptor" under the one-line message."""
    for worker in set(multiprocessing.active_children()) - others:
        worker.terminate()
    pool.shutdown(wait=True, cancel_futures=True)
