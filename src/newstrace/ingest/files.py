"""Open input files safely: only regular files, read with a byte cap that does not trust `st_size`.

A symbolic link to `/dev/zero` or `/dev/urandom` never ends and a FIFO blocks until someone writes to it,
so every file is opened without blocking, checked with `fstat` on the open descriptor (no race with the
path changing in between), and read with a limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from newstrace.ingest.base import ReadOptions, too_large
from newstrace.records import IngestProblem

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class NotRegularFile(OSError):
    """The path names a device, a pipe, a socket or a folder, not a file with an end."""

    def __init__(self, mode: int) -> None:
        super().__init__(f"not a regular file ({kind_of(mode)})")
        self.strerror = str(self)


def kind_of(mode: int) -> str:
    """What a file of this `st_mode` is, in words."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "a special file"


def irregular_kind(path: str | Path) -> str | None:
    """None for a regular file (after following links); otherwise what it is, for one line to the user."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "a broken symbolic link" if os.path.islink(path) else "missing"
    return None if stat.S_ISREG(mode) else kind_of(mode)


def open_regular(path: Path) -> BinaryIO:
    """Open a regular file for reading in binary; raise `NotRegularFile` for anything else, without blocking."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0)
    descriptor = os.open(path, flags)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(mode)
        os.set_blocking(descriptor, True)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_article_bytes(path: Path, origin: str, options: ReadOptions) -> bytes | IngestProblem:
    """The whole file when it is regular and within the article size limit; a problem when it is larger."""
    limit = options.max_article_bytes
    with open_regular(path) as handle:
        problem = too_large(os.fstat(handle.fileno()).st_size, origin, options)
        if problem:
            return problem
        data = handle.read(limit + 1)  # the file may have grown since fstat
    return too_large(len(data), origin, options) or data
