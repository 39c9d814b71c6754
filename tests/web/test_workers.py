"""`newstrace serve --workers 2`: each worker process listens on its own socket (SO_REUSEPORT), so the
connections spread over them (with uvicorn's one shared socket, one process took 38-41 of 50), and
stopping the server stops them all."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not hasattr(socket, "SO_REUSEPORT"),
    reason="reads /proc and needs SO_REUSEPORT (Linux)",
)


def test_worker_processes_share_the_connections_and_stop_with_the_server(web_db: Path, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "newstrace", "serve", "--db", str(web_db), "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "TMPDIR": str(tmp_path)},  # where the server's run directory goes
    )
    try:
        workers = _workers_listening(server, port)
        assert [path.name for path in tmp_path.glob("newstrace-serve-*/pages.db")] == ["pages.db"]  # pages shared
        own = [_sockets(pid) & _listening(port) for pid in workers]
        assert len(own[0]) == len(own[1]) == 1 and own[0] != own[1]  # a listening socket each, not one shared
        connections = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
        for connection in connections:
            connection.sendall(f"GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        assert all(connection.recv(100).startswith(b"HTTP/1.1 204") for connection in connections)
        held = {pid: len(_sockets(pid) & _established(port)) for pid in workers}
        assert sum(held.values()) == 40 and min(held.values()) >= 8, held  # fewer: 1 run in 50,000 by chance
        for connection in connections:
            connection.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers), "a worker outlived the server"
    assert not list(tmp_path.glob("newstrace-serve-*")), "the run directory outlived the server"


def _workers_listening(server: subprocess.Popen[bytes], port: int, seconds: float = 60) -> list[int]:
    """The server's two worker processes, once each listens on `port`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, server.stderr.read() if server.stderr else ""
        workers = [pid for pid in _children(server.pid) if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]
        if len(workers) == 2 and all(_sockets(pid) & _listening(port) for pid in workers):
            return workers
        time.sleep(0.1)
    raise AssertionError("the workers did not listen")


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                found.append(int(entry.name))
        except (OSError, IndexError):
            continue
    return found


def _sockets(pid: int) -> set[str]:
    """The inodes of a process's sockets."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().name
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _tcp(port: int, state: str) -> set[str]:
    """The inodes of the IPv4 TCP sockets on local `port` in `state` (0A listening, 01 established)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == state:
            inodes.add(fields[9])
    return inodes


def _listening(port: int) -> set[str]:
    return _tcp(port, "0A")


def _established(port: int) -> set[str]:
    return _tcp(port, "01")
