"""Runners: the Dask runner gives the local runner's database, leaves no process behind, says what to
install when Dask is missing; a document that makes a stage fail is reported and its batch goes on.

The Dask tests carry the `dask` mark: `pytest -m dask` runs them alone.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import psutil
import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from newstrace.nlp import DEFAULT_PIPELINE, analyse_texts
from newstrace.nlp.model import resolve_pipeline_name
from newstrace.records import AnalysisRequest
from newstrace.scale import DocumentFailure, RunnerError, RunnerSettings, local, open_runner
from newstrace.scale.base import analyse_batch
from newstrace.scale.dask import PLUGIN_NAME, start_local_cluster
from newstrace.scale.parity import StoredRows, stored_rows
from newstrace.store import SQLiteStore

from ..conftest import CORPUS, run_analyze, run_cli, run_cli_subprocess

REFUSED_MARK = "REFUSED-BY-TEST-COMPONENT"


def _stored(db: Path) -> StoredRows:
    store = SQLiteStore(db)
    try:
        return stored_rows(store)
    finally:
        store.close()


def _by_article(rows: list[dict[str, object]]) -> dict[object, list[dict[str, object]]]:
    grouped: dict[object, list[dict[str, object]]] = {}
    for row in rows:
        grouped.setdefault(row.get("article_id", row.get("id")), []).append(row)
    return grouped


@contextmanager
def _dask_default_port_taken() -> Iterator[None]:
    """Port 8787, where a Dask scheduler serves HTTP by default, held by someone else (perhaps already)."""
    with socket.socket() as holder:
        with suppress(OSError):  # already taken: just as good
            holder.bind(("0.0.0.0", 8787))
            holder.listen()
        yield


@pytest.mark.dask
@pytest.mark.slow
def test_dask_with_two_workers_stores_the_same_database_as_the_local_runner(corpus_db: Path, tmp_path: Path) -> None:
    dask_db = tmp_path / "dask.db"
    # Batches of 3 spread the corpus over both workers, so results come back out of order and must be put back.
    args = ("--runner", "dask", "--workers", "2", "--batch-size", "3", "--quiet")
    with _dask_default_port_taken():
        # In a process of its own: Dask sets up its logging once per process, on the stderr it has at the time.
        result = run_cli_subprocess("analyze", str(CORPUS), "--db", str(dask_db), *args)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == "", "the Dask cluster logged at default verbosity"
    local, dask = _stored(corpus_db), _stored(dask_db)
    assert local["articles"] and local["quotes"] and local["stories"], "the local run stored nothing to compare"
    for table, rows in local.items():
        assert _by_article(dask[table]) == _by_article(rows), table  # a readable diff: article by article
        assert dask[table] == rows, f"{table}: same rows, other order"


@pytest.mark.dask
@pytest.mark.slow
def test_the_local_dask_cluster_ends_with_the_run(tmp_path: Path) -> None:
    before = {child.pid for child in psutil.Process().children(recursive=True)}
    summary = run_analyze(SQLiteStore(tmp_path / "x.db"), CORPUS / "text", runner="dask", workers=2, batch_size=2)
    assert summary.new == len(list((CORPUS / "text").glob("*.txt")))
    left = [
        child
        for child in psutil.Process().children(recursive=True)
        if child.pid not in before and not _is_resource_tracker(child)
    ]
    _, alive = psutil.wait_procs(left, timeout=10)
    assert not alive, [process.cmdline() for process in alive]


def _worker_settings(dask_worker: Any) -> tuple[object, ...]:  # client.run passes the worker by this name
    import dask.config

    return (
        os.environ.get("MALLOC_TRIM_THRESHOLD_"),
        os.environ.get("OMP_NUM_THREADS"),
        dask.config.get("distributed.worker.profile.enabled"),
        dask_worker._tick_interval,
        dask_worker.periodic_callbacks["monitor"].callback_time,
    )


@pytest.mark.dask
def test_the_local_cluster_s_workers_neither_profile_nor_trim_memory_and_seldom_measure_themselves() -> None:
    """Each costs CPU time that the local runner's processes do not spend; Dask's other settings for
    the workers (one numpy thread) stay. The scheduler, in this process, ticks as seldom."""
    from distributed import Client

    with start_local_cluster(1) as cluster, Client(cluster) as client:
        assert list(client.run(_worker_settings).values()) == [(None, "1", False, 1.0, 5000.0)]
        assert cluster.scheduler._tick_interval == 1.0


@pytest.mark.dask
def test_a_connection_closed_by_the_shutdown_is_not_reported_but_other_lost_errors_are(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """On Ctrl-C the scheduler's last broadcast meets a worker already gone; asyncio would print that
    future's error after the one-line "interrupted" message. Any other unretrieved error still shows."""
    import asyncio
    import gc

    from distributed.comm.core import CommClosedError

    from newstrace.scale.dask import ignore_closed_connections_at_shutdown

    async def lose_two_errors() -> None:
        loop = asyncio.get_running_loop()
        for error in (CommClosedError("in <TCP (closed) Scheduler Broadcast>"), ValueError("a real fault")):
            loop.create_future().set_exception(error)  # never awaited: asyncio logs it when collected
        gc.collect()

    ignore_closed_connections_at_shutdown()
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        asyncio.run(lose_two_errors())
    reported = [record.exc_info[1] for record in caplog.records if record.exc_info]
    assert [type(error) for error in reported] == [ValueError]


def _is_resource_tracker(process: psutil.Process) -> bool:
    """Python's multiprocessing helper: started once per interpreter, shared by every pool, ends with it."""
    return "multiprocessing.resource_tracker" in " ".join(process.cmdline())


def test_the_dask_runner_without_dask_names_the_extra_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # what `import distributed` meets when not installed
    monkeypatch.delitem(sys.modules, "newstrace.scale.dask", raising=False)
    with pytest.raises(RunnerError, match=r"pip install 'newstrace\[dask\]'"):
        open_runner(RunnerSettings("dask", workers=2), DEFAULT_PIPELINE)


def test_a_scheduler_address_needs_the_dask_runner(tmp_path: Path) -> None:
    result = run_cli("analyze", str(CORPUS / "text"), "--db", str(tmp_path / "x.db"), "--scheduler", "tcp://h:8786")
    assert result.returncode == 2
    assert "--runner dask" in result.stderr
    assert not (tmp_path / "x.db").exists()


@Language.component("newstrace_test_refuses_marked_text")
def _refuse_marked_text(doc: Doc) -> Doc:
    """A test component standing for a stage bug that one document triggers."""
    if REFUSED_MARK in doc.text:
        raise ValueError("this test component refuses the marked text")
    return doc


@pytest.fixture(scope="module")
def refusing_pipeline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default pipeline plus a component that fails on texts holding REFUSED_MARK, saved to a folder."""
    nlp: Any = spacy.load(resolve_pipeline_name(DEFAULT_PIPELINE))
    nlp.add_pipe("newstrace_test_refuses_marked_text", last=True)
    folder = tmp_path_factory.mktemp("refusing") / "pipeline"
    nlp.to_disk(folder)
    return folder


def test_one_failing_document_is_reported_and_the_rest_of_its_batch_is_analysed(refusing_pipeline: Path) -> None:
    nlp = spacy.load(refusing_pipeline)
    # Fictional texts.
    fine = [AnalysisRequest(f"ok{n}", f"Mayor Tilda Brenn said the bridge reopens in week {n}.", "en") for n in (1, 2)]
    refused = AnalysisRequest("bad", f"Councillor Ivo Marsh said {REFUSED_MARK} again.", "en")
    results = analyse_batch(nlp, [fine[0], refused, fine[1]])
    assert results[1] == DocumentFailure("bad", "ValueError: this test component refuses the marked text")
    assert [results[0], results[2]] == analyse_texts(nlp, fine)


@pytest.fixture(params=["local", pytest.param("dask", marks=[pytest.mark.dask, pytest.mark.slow])])
def runner_settings(request: pytest.FixtureRequest) -> Iterator[dict[str, object]]:
    """The analyze settings of each runner, all running in this process, where the test component is
    registered: the local runner with one process, Dask on a cluster of threads given by its address."""
    if request.param == "local":
        yield {"workers": 1}
        return
    from distributed import LocalCluster

    quiet = {"dashboard_address": None, "scheduler_kwargs": {"dashboard_address": "127.0.0.1:0"}}
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, **quiet) as cluster:
        yield {"runner": "dask", "scheduler": cluster.scheduler_address}


def test_analyze_stores_the_other_articles_and_names_the_one_that_failed(
    refusing_pipeline: Path, tmp_path: Path, runner_settings: dict[str, object]
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    # Fictional articles.
    for name, text in {
        "a.txt": "Mayor Tilda Brenn said the bridge reopens on Monday.",
        "b.txt": f"Councillor Ivo Marsh said {REFUSED_MARK} again.",
        "c.txt": "Harbour master Oda Lind said the ferries run late.",
    }.items():
        (corpus / name).write_text(text, encoding="utf-8")
    store = SQLiteStore(tmp_path / "x.db")
    summary = run_analyze(store, corpus, pipeline=str(refusing_pipeline), batch_size=3, **runner_settings)
    assert (summary.new, summary.failed) == (3, 1)
    [problem] = summary.problems
    assert problem.origin == str(corpus / "b.txt")
    assert problem.reason == "analysis failed: ValueError: this test component refuses the marked text"
    assert sorted(str(row["path"]) for row in store.iter_rows("articles")) == [
        str(corpus / "a.txt"),
        str(corpus / "c.txt"),
    ]


@pytest.mark.dask
@pytest.mark.slow
def test_the_dask_runner_uses_the_cluster_at_the_scheduler_address(tmp_path: Path) -> None:
    local_db, dask_db = tmp_path / "local.db", tmp_path / "dask.db"
    run_analyze(SQLiteStore(local_db), CORPUS / "text", workers=1)
    with start_local_cluster(1) as cluster:
        address = cluster.scheduler_address
        args = ("--runner", "dask", "--scheduler", address)
        # A run is a client process of its own, as a user's is; this process holds the cluster.
        result = run_cli_subprocess("analyze", str(CORPUS / "text"), "--db", str(dask_db), *args)
        assert result.returncode == 0, result.stderr
        assert PLUGIN_NAME in cluster.scheduler.worker_plugins, "the run did not use the cluster at the address"
    assert _stored(dask_db) == _stored(local_db)


def test_a_scheduler_that_does_not_answer_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT", "1s")
    with socket.socket() as placeholder:  # a port nothing listens on: bound here, never listened to
        placeholder.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{placeholder.getsockname()[1]}"
        # In a process of its own: Dask reads its settings from the environment once, when first imported.
        result = run_cli_subprocess("analyze", str(CORPUS / "text"), "--db", str(tmp_path / "x.db"),
                                    "--runner", "dask", "--scheduler", address)  # fmt: skip
    assert result.returncode == 2
    assert f"no Dask scheduler answers at {address}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.dask
@pytest.mark.slow
def test_workers_with_other_stage_versions_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from newstrace.scale import dask as dask_runner

    # This process plays a newer newstrace than the workers' (separate processes, unaffected).
    monkeypatch.setattr(dask_runner, "stage_versions", lambda: {"nlp": 0})
    with start_local_cluster(1) as cluster:
        runner = open_runner(RunnerSettings("dask", cluster.scheduler_address), DEFAULT_PIPELINE)
        with pytest.raises(RunnerError, match="install the same newstrace on every worker"):
            list(runner.run([]))


def test_the_local_pool_starts_every_worker_once_it_has_read_the_first_batch_and_none_without_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Loading the model in the workers overlaps reading the inputs after the first batch instead of
    following it; a run with nothing to analyse (a rerun, an eval given its analysed database) starts none."""
    me = psutil.Process()
    before = {child.pid for child in me.children()}
    workers_when_read: list[int] = []

    def spawned_workers() -> int:
        children = [child for child in me.children() if child.pid not in before]
        return sum(1 for child in children if "spawn_main" in " ".join(child.cmdline()))

    def batches(count: int) -> Iterator[list[Any]]:
        for _ in range(count):
            workers_when_read.append(spawned_workers())
            yield []

    runner = open_runner(RunnerSettings("local", workers=2), DEFAULT_PIPELINE)
    assert [outputs for _, outputs in runner.run(batches(2))] == [[], []]
    assert workers_when_read == [0, 2]
    pools: list[object] = []
    monkeypatch.setattr(local, "ProcessPoolExecutor", lambda *args, **kwargs: pools.append(args))
    assert list(runner.run(batches(0))) == [] and pools == []
