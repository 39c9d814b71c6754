"""Runners: execute the document stages over batches of articles without knowing what they do.

`LocalRunner` uses this machine's processes; `DaskRunner` (the `dask` extra) uses a Dask cluster.
`analyze` asks `open_runner` for the one its settings name and sees only the `Runner` protocol.
"""

from __future__ import annotations

from dataclasses import dataclass

from newstrace.scale.base import BatchResult, DocumentFailure, Runner, RunnerError

RUNNERS = ("local", "dask")


@dataclass(frozen=True)
class RunnerSettings:
    """Which runner analyses the articles, and where: `scheduler` is a Dask scheduler address
    (tcp://host:port); without one the Dask runner starts a cluster of `workers` local processes."""

    name: str = "local"
    scheduler: str | None = None
    workers: int = 1  # the processes a local pool or a local Dask cluster starts
    parse_cache: str | None = None  # a folder of cached spaCy parses (`nlp.parse_cache`), on each worker's machine


def open_runner(settings: RunnerSettings, pipeline_name: str) -> Runner:
    """The runner `settings` names, running the document stages with the spaCy pipeline `pipeline_name`."""
    if settings.name == "local":
        if settings.scheduler:
            raise RunnerError("a scheduler address is for the Dask runner: add --runner dask")
        from newstrace.scale.local import LocalRunner  # imported here so naming the runners stays cheap

        return LocalRunner(pipeline_name, settings.workers, settings.parse_cache)
    if settings.name == "dask":
        from newstrace.scale.dask import DaskRunner  # Dask is an optional extra

        return DaskRunner(pipeline_name, settings.workers, settings.scheduler, settings.parse_cache)
    raise RunnerError(f"no runner {settings.name!r}; choose one of: {', '.join(RUNNERS)}")


__all__ = [
    "RUNNERS",
    "BatchResult",
    "DocumentFailure",
    "Runner",
    "RunnerError",
    "RunnerSettings",
    "open_runner",
]
