"""Same input, same database, whatever PYTHONHASHSEED is (issue 16, item 11): the sample corpus analysed
under two seeds and compared table by table (the run log, which records times, aside). The grouping of
real quotes that once moved between utterances is pinned down by tests/unit/test_trails_determinism.py."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from ..conftest import CORPUS, REPO

RUN_LOG = {"runs", "stage_runs"}


def _analyze(folder: Path, db: Path, seed: str) -> None:
    env = dict(os.environ, PYTHONHASHSEED=seed)
    command = [sys.executable, "-m", "newstrace", "analyze", str(folder), "--db", str(db), "--quiet", "--workers", "1"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, check=False, timeout=900)
    assert result.returncode == 0, result.stderr


def _content(db: Path) -> dict[str, list[tuple[object, ...]]]:
    connection = sqlite3.connect(db)
    tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {
        table: sorted(connection.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)
        for table in tables
        if table not in RUN_LOG
    }


def test_two_hash_seeds_give_the_same_database(tmp_path: Path) -> None:
    contents = []
    for seed in ("1", "2"):
        _analyze(CORPUS, tmp_path / f"seed{seed}.db", seed)
        contents.append(_content(tmp_path / f"seed{seed}.db"))
    first, second = contents
    assert first["renderings"]  # the articles have quotes grouped into utterances
    for table in first:
        assert first[table] == second[table], f"table {table} differs between PYTHONHASHSEED 1 and 2"
