"""Shared fixtures: paths to the sample corpus and to ../shared/data, and helpers to run the CLI."""

from __future__ import annotations

import contextlib
import csv
import gc
import logging
import os
import subprocess
import sys
import tomllib
import traceback
import unittest.mock
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from hypothesis import settings

from newstrace.pipeline import AnalyzeSettings, analyze
from newstrace.records import RunSummary
from newstrace.store import SQLiteStore

from .postgres_cluster import REQUIRE_VARIABLE, ClusterUnavailable, throwaway_cluster

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "examples" / "corpus"
SHARED_DATA = REPO.parent / "shared" / "data"

# No test may depend on wall-clock speed: a property test that takes 300 ms on a loaded CI machine is as
# correct as one that takes 30 ms, so Hypothesis's per-example deadline is off for the whole suite.
settings.register_profile("newstrace", deadline=None)
settings.load_profile("newstrace")


# The longest modules, longest first. Under pytest-xdist (`-n 2 --dist loadscope --no-loadscope-reorder`, as
# scripts/test.sh runs) each module stays on one process and modules go out in collection order, one more
# to a process as soon as it has two tests or fewer left: sent first, the two longest start at once on the
# two processes and the rest, longest first, fill in behind them, so that the modules sent last, when one
# process may run on alone, are short ones. Costs (docs/testing.md, session 23), CPU seconds: the PolNeAR
# analysis 222 (one process), then its three evaluations 41 beside the training script on its parses 98
# (CI's wall before session 23: the setup 323-407 s, the rest ~60); the ECB+ story floors in test_linking
# 102 (CI: 145-178 s); the folder of 10,000 files in test_bad_input 79 (CI: 149-180 s); then, by a
# one-process run of the rest (ci18b, a third of its loaded wall seconds), 35 to 65 each from test_runners
# to test_speaker_corrections. Every module not listed here took under 35.
LONGEST_MODULES = (
    "tests/unit/test_polnear_floors.py",
    "tests/unit/test_linking.py",
    "tests/unit/test_bad_input.py",
    "tests/unit/test_runners.py",
    "tests/e2e/test_linking_corpus.py",
    "tests/unit/test_cli.py",
    "tests/e2e/test_analyze_corpus.py",
    "tests/web/test_browser.py",
    "tests/e2e/test_framing_corpus.py",
    "tests/unit/test_metadata.py",
    "tests/e2e/test_postgres_corpus.py",
    "tests/web/test_workbench.py",
    "tests/unit/test_nlp_and_workers.py",
    "tests/web/test_events_web.py",
    "tests/unit/test_speaker_corrections.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Send the longest modules first (above); the order within each module, and of the rest, stays."""
    items.sort(key=_send_order)  # stable


def _send_order(item: pytest.Item) -> int:
    module = Path(str(item.fspath)).resolve().relative_to(REPO).as_posix()
    return LONGEST_MODULES.index(module) if module in LONGEST_MODULES else len(LONGEST_MODULES)


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or a skip with the reason when this checkout has no shared data beside it."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"needs the research corpora in {SHARED_DATA} (present in CI, absent in a user's clone)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus analysed once through the CLI with default settings; tests only read it
    (a test that changes a database copies it first)."""
    db = tmp_path_factory.mktemp("corpus") / "news.db"
    result = run_cli("analyze", str(CORPUS), "--db", str(db), "--json", "--quiet")
    assert result.returncode == 0, result.stderr
    db.with_suffix(".summary.json").write_text(result.stdout, encoding="utf-8")  # the first run's summary
    return db


@pytest.fixture(scope="session")
def seeds_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two seed articles (../shared/data/seeds) analysed once through the CLI with default settings,
    its JSON summary beside it as `seeds.summary.json`; tests only read it (one that writes copies it)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"needs the research corpora in {SHARED_DATA} (present in CI, absent in a user's clone)")
    db = tmp_path_factory.mktemp("seeds") / "seeds.db"
    result = run_cli("analyze", str(SHARED_DATA / "seeds"), "--db", str(db), "--json", "--quiet")
    assert result.returncode == 0, result.stderr
    db.with_suffix(".summary.json").write_text(result.stdout, encoding="utf-8")
    return db


@pytest.fixture(scope="session")
def polnear_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """PolNeAR train and dev analysed once per test session (the slow part of every PolNeAR evaluation);
    an `eval` given it with --db skips the NLP and only links and scores. The spaCy parses are kept
    beside it (`polnear_parses`)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"needs the research corpora in {SHARED_DATA} (present in CI, absent in a user's clone)")
    folder = tmp_path_factory.mktemp("polnear")
    db = folder / "polnear.db"
    texts = [str(SHARED_DATA / "polnear" / split / "text") for split in ("train", "dev")]
    meta = _polnear_meta_csv(SHARED_DATA / "polnear", folder / "meta.csv")
    parses = ("--parse-cache", str(folder / POLNEAR_PARSES))
    # One process: beside the other test process it has a core of its own, where two NLP processes (and the
    # stage helper) fought that process for the two cores and cost more CPU (docs/testing.md, session 23).
    command = ("analyze", *texts, "--meta", str(meta), "--db", str(db), "--workers", "1", *parses, "--quiet")
    result = run_cli_subprocess(*command, timeout=1800)
    assert result.returncode == 0, result.stderr
    return db


POLNEAR_PARSES = "parses"


@pytest.fixture(scope="session")
def polnear_parses(polnear_db: Path) -> Path:
    """The parse cache (`nlp.parse_cache`) the PolNeAR analysis filled: the training script reads the
    parses of PolNeAR train from it instead of parsing the texts again. Only a test in the module that
    uses `polnear_db` should ask for it, so that pytest-xdist runs both on one process."""
    return polnear_db.parent / POLNEAR_PARSES


def _polnear_meta_csv(polnear: Path, target: Path) -> Path:
    """PolNeAR's outlets and dates (`metadata.tsv`) as an `analyze --meta` file. The evaluations supply
    the same metadata; had the analysis not, each would first re-date the articles and redo every stage
    after linking (minutes each on this corpus)."""
    texts = {path.stem: path for split in ("train", "dev") for path in (polnear / split / "text").glob("*.txt")}
    with (polnear / "metadata.tsv").open(encoding="utf-8", newline="") as source:
        rows = [row for row in csv.DictReader(source, delimiter="\t") if row["filename"] in texts]
    with target.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["path", "outlet", "published"])
        for row in rows:
            writer.writerow([texts[row["filename"]], row["publisher"], row["publication_date"]])
    return target


def _without_postgres(reason: str) -> None:
    """Skip, or fail when CI says PostgreSQL must be tested (NEWSTRACE_REQUIRE_POSTGRES=1)."""
    if os.environ.get(REQUIRE_VARIABLE) == "1":
        pytest.fail(f"{REQUIRE_VARIABLE}=1 but {reason}", pytrace=False)
    pytest.skip(f"needs PostgreSQL: {reason}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL cluster for the session (tests/postgres_cluster.py); its base URL."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _without_postgres("psycopg is not installed (pip install 'newstrace[postgres]')")
    try:
        cluster = throwaway_cluster()
        url = cluster.__enter__()
    except ClusterUnavailable as reason:
        _without_postgres(str(reason))
    try:
        yield url
    finally:
        cluster.__exit__(None, None, None)


@pytest.fixture
def postgres_url(postgres_server: str) -> str:
    """A URL of the session's cluster whose tables go in a new, empty schema of their own."""
    import psycopg

    schema = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(postgres_server, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    return f"{postgres_server}?options=-csearch_path%3D{schema}"


@pytest.fixture
def store(tmp_path: Path) -> SQLiteStore:
    return SQLiteStore(tmp_path / "test.db")


def accuracy_floors(*section: str) -> dict[str, float]:
    """The floors CI gates on for one measurement, from tests/accuracy_floors.toml."""
    table: dict[str, Any] = tomllib.loads((REPO / "tests" / "accuracy_floors.toml").read_text())
    for key in section:
        table = table[key]
    return table


def run_analyze(store: SQLiteStore, *paths: Path | str, **settings: object) -> RunSummary:
    return analyze([str(path) for path in paths], store, AnalyzeSettings(**settings))  # type: ignore[arg-type]


# What a user's terminal-less run sees: wide enough that no message wraps, and no colour.
CLI_ENVIRONMENT = {"COLUMNS": "200", "NO_COLOR": "1"}
# Python's own warning filters in a process started without -W or PYTHONWARNINGS (pytest shows these categories).
_PYTHON_IGNORES = (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning)


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run `newstrace ARGS` in this test process and return what `python -m newstrace ARGS` would: its exit
    status, stdout and stderr. Models and imports loaded by one call serve the next (a subprocess paid
    0.7 CPU s to start and ~2 more to load spaCy on every call). Like the subprocess, the command sees the
    environment above, runs in `cwd` (the repository by default) with `newstrace ARGS` as its argv, writes
    Python warnings and newstrace's logged warnings to its stderr, and an exception it does not catch ends it
    with status 1 and a traceback on stderr. Tests about the process itself (signals, the entry point,
    hash seeds, environment read at import) use `run_cli_subprocess`."""
    from newstrace.cli.main import cli

    with contextlib.chdir(cwd or REPO), _argv("newstrace", *args), _warnings_to_stderr(), _logging_to_stderr():
        result = _cli_runner().invoke(cli, args, prog_name="newstrace", terminal_width=_help_width(cli))
    stderr = result.stderr
    if result.exc_info is not None and result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(*result.exc_info))
    completed = subprocess.CompletedProcess(["newstrace", *args], result.exit_code, result.stdout, stderr)
    del result  # its traceback holds the command's frames, and with them its store
    # What the end of the process did: the command's database connections, left to be closed at exit, are
    # closed (SQLite then folds its write-ahead log into the database file, which tests copy or read).
    gc.collect()
    return completed


def _cli_runner() -> CliRunner:
    """A runner that captures file descriptors 1 and 2 where click can (8.4+), so that what worker processes
    and C code write there is the command's output too, as it is a subprocess's."""
    try:
        return CliRunner(env=CLI_ENVIRONMENT, capture="fd")  # type: ignore[call-arg, unused-ignore]
    except TypeError:
        return CliRunner(env=CLI_ENVIRONMENT)


def _help_width(group: click.Group) -> int:
    """The width click gives help text in a process of its own with COLUMNS set; CliRunner would force 80."""
    widest = int((group.context_settings or {}).get("max_content_width", 80))
    return max(min(int(CLI_ENVIRONMENT["COLUMNS"]), widest) - 2, 50)


def run_cli_subprocess(*args: str, cwd: Path | None = None, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run `python -m newstrace ARGS` in a process of its own and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "newstrace", *args],
        capture_output=True,
        text=True,
        cwd=cwd or REPO,
        env=dict(os.environ, **CLI_ENVIRONMENT),
        timeout=timeout,
        check=False,
    )


@contextlib.contextmanager
def _argv(*argv: str) -> Iterator[None]:
    """`sys.argv` as the command's own process would have it (`analyze` stores its command line)."""
    with unittest.mock.patch.object(sys, "argv", list(argv)):
        yield


@contextlib.contextmanager
def _warnings_to_stderr() -> Iterator[None]:
    """Warnings printed to the (captured) stderr, as a fresh process prints them, instead of pytest's record:
    leaving the context forgets which were shown, so each call shows its own as a new process would."""

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int, *_: object) -> None:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno))

    with warnings.catch_warnings():
        for category in _PYTHON_IGNORES:
            warnings.simplefilter("ignore", category)
        warnings.showwarning = show
        yield


class _StderrHandler(logging.Handler):
    """Writes a record's message to whatever `sys.stderr` is at the time, as Python's last-resort handler does."""

    def emit(self, record: logging.LogRecord) -> None:
        sys.stderr.write(self.format(record) + "\n")


@contextlib.contextmanager
def _logging_to_stderr() -> Iterator[None]:
    """newstrace's warnings on stderr: the command configures no logging, so in its own process Python's
    last-resort handler prints them there (here pytest's handlers on the root logger would keep them)."""
    handler, logger = _StderrHandler(logging.WARNING), logging.getLogger("newstrace")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
