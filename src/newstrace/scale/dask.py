"""Run the document stages on Dask distributed workers: a cluster given by its scheduler address, or a
cluster of local worker processes started for the run and shut down after it.

A worker plugin loads the spaCy pipeline once in each worker (and again in a worker that restarts).
Batches go out as tasks with at most two per worker thread in flight, so memory stays flat however big
the input; their results come back to this process in input order, where `analyze` stores them and
runs the link stages. Dask is an optional extra: `newstrace.scale.open_runner` imports this module only
when the Dask runner is asked for, and importing it without Dask installed says what to install.
"""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterable, Sequence
from contextlib import ExitStack
from typing import Any

from newstrace.nlp import load_pipeline, stage_versions
from newstrace.records import AnalysisRequest, Article
from newstrace.scale.base import (
    ArticleResult,
    BatchResult,
    RunnerError,
    analyse_batch,
    in_input_order,
    open_parse_cache,
    workers_start_ignoring_ctrl_c,
)

INSTALL_HINT = "pip install 'newstrace[dask]'"
try:
    import dask.config
    from distributed import Client, KilledWorker, LocalCluster, WorkerPlugin, get_worker
    from distributed.comm.core import CommClosedError
except ImportError as missing:
    raise RunnerError(f"the Dask runner needs Dask distributed; install it with:\n    {INSTALL_HINT}") from missing

PLUGIN_NAME = "newstrace-pipeline"
IN_FLIGHT_PER_THREAD = 2
# How often a local cluster's event loops measure themselves and read the system (see local_worker_config)
LOCAL_TICK = "1s"
LOCAL_SYSTEM_MONITOR = "5s"


class PipelinePlugin(WorkerPlugin):
    """Loads the spaCy pipeline once per worker, after checking that the worker runs the driver's stage
    versions (a worker with another newstrace would store rows the local runner would not)."""

    name = PLUGIN_NAME

    def __init__(self, pipeline_name: str, driver_versions: dict[str, int], parse_cache: str | None = None) -> None:
        self.pipeline_name = pipeline_name
        self.driver_versions = driver_versions
        self.parse_cache_folder = parse_cache  # on the worker's machine
        self.pipeline: Any = None
        self.parse_cache: Any = None

    def setup(self, worker: Any) -> None:
        found = stage_versions()
        if found != self.driver_versions:
            raise RuntimeError(
                f"the Dask worker at {worker.address} runs newstrace stage versions {found}, this process "
                f"{self.driver_versions}: install the same newstrace on every worker"
            )
        self.pipeline = load_pipeline(self.pipeline_name)
        self.parse_cache = open_parse_cache(self.parse_cache_folder, self.pipeline)


def _analyse_on_worker(requests: list[AnalysisRequest]) -> list[ArticleResult]:
    plugin = get_worker().plugins[PLUGIN_NAME]
    assert isinstance(plugin, PipelinePlugin), f"the worker plugin {PLUGIN_NAME!r} is not newstrace's"
    return analyse_batch(plugin.pipeline, requests, plugin.parse_cache)


class DaskRunner:
    """Analyse batches on a Dask cluster: the one at `scheduler` (tcp://host:port), or else a local
    cluster of `workers` processes with one thread each, started by `run` and closed when it ends."""

    def __init__(
        self, pipeline_name: str, workers: int = 2, scheduler: str | None = None, parse_cache: str | None = None
    ) -> None:
        self.pipeline_name = pipeline_name
        self.workers = max(1, workers)
        self.scheduler = scheduler
        self.parse_cache = parse_cache

    def run(self, batches: Iterable[Sequence[Article]]) -> Generator[BatchResult, None, None]:
        """Yield (batch, results per article) for every batch, in input order."""
        ignore_closed_connections_at_shutdown()
        with ExitStack() as stack:
            client = self._connect(stack)
            try:
                client.register_plugin(PipelinePlugin(self.pipeline_name, stage_versions(), self.parse_cache))
            except Exception as error:  # raised on a worker: another newstrace there, or no pipeline
                raise RunnerError(f"the Dask workers cannot analyse: {error}") from error
            limit = IN_FLIGHT_PER_THREAD * _threads(client)
            try:
                yield from in_input_order(
                    batches, lambda requests: client.submit(_analyse_on_worker, requests, pure=False), limit
                )
            except KilledWorker as error:
                raise RunnerError(f"Dask workers died on every try of one batch ({error})") from error

    def _connect(self, stack: ExitStack) -> Client:
        """A client of the cluster, closed (with the local cluster, if one is started) when `stack` closes."""
        if self.scheduler:
            try:
                # how long to try: Dask's distributed.comm.timeouts.connect (30 s unless configured)
                client = Client(self.scheduler)  # type: ignore[no-untyped-call]
            except OSError as error:
                raise RunnerError(f"no Dask scheduler answers at {self.scheduler}: {error}") from error
            stack.enter_context(client)
            return client
        cluster = stack.enter_context(start_local_cluster(self.workers))
        client = Client(cluster)  # type: ignore[no-untyped-call]
        stack.enter_context(client)
        return client


def start_local_cluster(workers: int) -> LocalCluster:
    """A Dask cluster of `workers` processes on this machine, one thread each, quiet: no dashboard, the
    scheduler's own HTTP endpoints on a free port (its default, 8787, may be taken: Dask would warn),
    nothing logged below critical errors, and Ctrl-C left to this process."""
    with workers_start_ignoring_ctrl_c(), dask.config.set(local_worker_config()):
        cluster: LocalCluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            # Critical only: the driver hears of a failed batch through its future; what the workers log
            # beyond that is the race of a shutdown (a heartbeat to a scheduler already closed on Ctrl-C).
            silence_logs=logging.CRITICAL,
            memory_limit=0,  # no pausing or spilling: a batch's analysis holds a few MB, dropped once sent back
        )
    return cluster


def local_worker_config() -> dict[str, object]:
    """Dask's settings for the scheduler, nannies and workers of a local cluster, less defaults that
    cost CPU time the local runner's processes do not spend:

    - the statistical profiler, which samples the running task's stack every 10 ms, and
      `MALLOC_TRIM_THRESHOLD_=65536`, which has glibc hand freed memory back to the system (and the
      parser fault it in again) after nearly every batch of arrays spaCy frees: together 7 to 12 % of
      the document stages' CPU time (two sets of 64 PolNeAR texts, 2026-11-28);
    - the event loop's tick every 20 ms (in the scheduler, each nanny and each worker: it only measures
      how late the loop runs, to warn when it is blocked for 3 s) and the system monitor's psutil
      readings every 0.5 s (for the dashboard and the heartbeats; no memory limit reads them here): an
      idle cluster of two workers spent 2.7 CPU s a 30 s with them, 0.5 with a tick every second and a
      reading every 5 s, and a run spends that all along (docs/scale.md, "Dask against the local runner").
    """
    environ = dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {}
    return {
        "distributed.worker.profile.enabled": False,
        "distributed.nanny.pre-spawn-environ": {
            name: value for name, value in environ.items() if name != "MALLOC_TRIM_THRESHOLD_"
        },
        "distributed.admin.tick.interval": LOCAL_TICK,
        "distributed.admin.system-monitor.interval": LOCAL_SYSTEM_MONITOR,
    }


class _ClosedConnectionNoise(logging.Filter):
    """Drops asyncio's "Future exception was never retrieved" records whose exception is a Dask
    connection closed under it: the race of a cluster shut down mid-run (on Ctrl-C, the scheduler's
    last broadcast to a worker already gone), which says nothing the interrupted run has not said."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, CommClosedError)


_CLOSED_CONNECTION_NOISE = _ClosedConnectionNoise()


def ignore_closed_connections_at_shutdown() -> None:
    """Install the filter above on asyncio's logger, once per process (it may fire after the run, when
    the failed future is garbage-collected, so it stays)."""
    asyncio_logger = logging.getLogger("asyncio")
    if _CLOSED_CONNECTION_NOISE not in asyncio_logger.filters:
        asyncio_logger.addFilter(_CLOSED_CONNECTION_NOISE)


def _threads(client: Client) -> int:
    """The worker threads the cluster has now (at least 1, so a cluster still starting gets work)."""
    threads: dict[str, int] = client.nthreads()  # type: ignore[no-untyped-call]
    return max(1, sum(threads.values()))
