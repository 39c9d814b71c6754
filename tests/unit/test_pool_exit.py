"""A pool process of `analyze` (a worker or the stage helper) leaves without Python's teardown once told
to stop, after handing back every result; a process that is not set up so tears down as usual."""

from __future__ import annotations

import atexit
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from newstrace.scale.local import exit_without_teardown


def _run_pool(marker: Path, initializer: Callable[[], None] | None) -> int:
    """Run one task in a spawned single-process pool that asks, at the interpreter's teardown, to create
    `marker`; return the task's result once the pool has shut down."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context, initializer=initializer) as pool:
        pool.submit(atexit.register, Path.touch, marker).result()
        result = pool.submit(pow, 2, 10).result()
    return result


def test_a_pool_process_set_to_leave_skips_the_teardown_and_still_returns_its_results(tmp_path: Path) -> None:
    quick, usual = tmp_path / "quick", tmp_path / "usual"
    assert _run_pool(quick, exit_without_teardown) == 1024
    assert _run_pool(usual, None) == 1024
    assert usual.exists()  # the usual teardown runs the exit handlers ...
    assert not quick.exists()  # ... which a process set to leave at once never reaches
