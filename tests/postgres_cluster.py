"""A throwaway PostgreSQL cluster for the tests: initdb into a temporary folder, a free port on
127.0.0.1, trust authentication, stopped and deleted at the end of the session.

initdb refuses to run as root, so under root the cluster belongs to the unprivileged user `nobody`
(the folder is made theirs and every server command runs through `runuser`).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REQUIRE_VARIABLE = "NEWSTRACE_REQUIRE_POSTGRES"
_SERVER_SETTINGS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50"


class ClusterUnavailable(Exception):
    """No cluster can be started here; the message says why."""


def postgres_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl: pg_config's, the PATH's, or the newest Debian version's."""
    candidates: list[Path] = []
    if shutil.which("pg_config"):
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(Path(found.stdout.strip()))
    if initdb := shutil.which("initdb"):
        candidates.append(Path(initdb).resolve().parent)
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: int(Path(path).parent.name), reverse=True
    )
    candidates += [Path(path) for path in versions]
    return next((path for path in candidates if (path / "initdb").exists() and (path / "pg_ctl").exists()), None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _as_cluster_owner(folder: Path) -> list[str]:
    """The command prefix that runs a server command as the cluster's owner (nobody, under root)."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("runuser"):
        raise ClusterUnavailable("running as root and runuser is missing: initdb refuses root")
    shutil.chown(folder, user="nobody")
    return ["runuser", "-u", "nobody", "--"]


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    if result.returncode != 0:
        raise ClusterUnavailable(f"{' '.join(command)} failed: {result.stderr.strip() or result.stdout.strip()}")


def _initdb(command: list[str]) -> None:
    """Create the cluster with a Unicode-aware default locale, as real servers have (lower() and
    ILIKE then fold every letter unless told "C"); where C.UTF-8 is missing, with the plain C locale."""
    try:
        _run([*command, "--locale=C.UTF-8"])
    except ClusterUnavailable:
        shutil.rmtree(Path(command[command.index("-D") + 1]), ignore_errors=True)
        _run([*command, "--no-locale"])


@contextmanager
def throwaway_cluster() -> Iterator[str]:
    """Start a cluster and give the URL of its `postgres` database; stop and delete it afterwards."""
    bindir = postgres_bindir()
    if bindir is None:
        raise ClusterUnavailable("no PostgreSQL binaries (initdb, pg_ctl); on Debian: apt-get install postgresql")
    folder = Path(tempfile.mkdtemp(prefix="newstrace-pg-"))  # in /tmp: the owner must reach it
    try:
        prefix = _as_cluster_owner(folder)
        data, port = folder / "data", _free_port()
        _initdb([*prefix, str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                 "--no-sync"])  # fmt: skip
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} {_SERVER_SETTINGS}"
        pg_ctl = [*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-w", "-t", "60"]
        _run([*pg_ctl, "-l", str(folder / "server.log"), "-o", options, "start"])
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True, check=False, timeout=120)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
