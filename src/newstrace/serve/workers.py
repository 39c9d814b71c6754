"""`newstrace serve --workers N`: N server processes, each listening on a socket of its own (SO_REUSEPORT).

uvicorn's own `--workers` shares one listening socket among its processes, and whichever wakes first
accepts the connections waiting: of 50 keep-alive connections opened at once, one of two processes took
38-41 and kept them for as long as they lived (benchmarks/serve_cpu.py's runs, docs/web.md), so one
process did four fifths of the work while the other idled. With a socket per process, bound to the same
address with SO_REUSEPORT, the kernel hands each new connection to one of them by a hash of its
addresses: about as many to each.

The parent only checks that the address is free (it binds it first, and keeps it bound, so that no
other program can take it in between), makes a run directory holding the file of pages the workers share
(`serve.shared_pages`; removed when it stops), starts the workers, starts a worker again if one dies, and
stops them all on SIGINT or SIGTERM. Each worker makes its app from the environment
(`app_from_environment`). Where the system has no SO_REUSEPORT, uvicorn's workers are used.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from types import FrameType

from newstrace.serve.shared_pages import SHARED_PAGES_ENVIRONMENT, create_shared_pages

APP_FACTORY = "newstrace.serve.app:app_from_environment"
_RESTART_PAUSE_SECONDS = 1.0  # between a worker's death and its replacement (a worker failing at once)


def serve_in_processes(host: str, port: int, workers: int, *, share_pages: bool = True) -> None:
    """Serve `APP_FACTORY`'s app at `host`:`port` from `workers` processes until SIGINT or SIGTERM; with
    `share_pages`, the pages each keeps are shared with the others."""
    import uvicorn

    if not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(
            APP_FACTORY, factory=True, host=host, port=port, workers=workers, log_level="warning", access_log=False
        )
        return
    held = _listening_socket(host, port, listen=False)  # fails now, with the reason, if the address is taken
    with _shared_pages(share_pages):
        _run_workers(held, host, port, workers)


@contextmanager
def _shared_pages(share: bool) -> Iterator[None]:
    """A run directory with the file of shared pages named in the workers' environment, removed after."""
    if not share:
        yield
        return
    directory = Path(tempfile.mkdtemp(prefix="newstrace-serve-"))
    try:
        create_shared_pages(directory / "pages.db")
        os.environ[SHARED_PAGES_ENVIRONMENT] = str(directory / "pages.db")
        yield
    finally:
        os.environ.pop(SHARED_PAGES_ENVIRONMENT, None)
        shutil.rmtree(directory, ignore_errors=True)


def _run_workers(held: socket.socket, host: str, port: int, workers: int) -> None:
    """Run `workers` worker processes, each started again if it dies, until SIGINT or SIGTERM."""
    context = multiprocessing.get_context("spawn")
    running = [_start(context, host, port) for _ in range(workers)]
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stopping:
            wait([process.sentinel for process in running], timeout=0.5)
            for number, process in enumerate(running):
                if not process.is_alive() and not stopping:
                    print(f"newstrace serve: worker {process.pid} stopped ({process.exitcode}); starting another",
                          file=sys.stderr)  # fmt: skip
                    time.sleep(_RESTART_PAUSE_SECONDS)
                    running[number] = _start(context, host, port)
    finally:
        for process in running:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in flight, then exits
        for process in running:
            process.join(timeout=30)
        held.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _start(context: multiprocessing.context.SpawnContext, host: str, port: int) -> BaseProcess:
    process = context.Process(target=_serve_one, args=(host, port), name="newstrace-serve-worker", daemon=False)
    process.start()
    return process


def _serve_one(host: str, port: int) -> None:
    """One worker: its own socket on the shared address, uvicorn serving the app made from the environment."""
    import uvicorn

    config = uvicorn.Config(APP_FACTORY, factory=True, host=host, port=port, log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[_listening_socket(host, port, listen=True)])


def _listening_socket(host: str, port: int, *, listen: bool) -> socket.socket:
    """A TCP socket bound to `host`:`port` with SO_REUSEPORT (and listening if `listen`)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as error:
        sock.close()
        raise SystemExit(f"newstrace serve: cannot listen on {host}:{port}: {error.strerror}") from error
    if listen:
        sock.listen(2048)
    return sock
