#!/usr/bin/env bash
# Quick start, part 2: set up a virtual environment with the development tools and run the whole
# test suite, after the linters. Tests that read ../shared/data skip with a reason when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet --no-compile -e ".[dev,multilingual,postgres,dask]"
# mypy (one process, about 20 CPU s when its cache is empty) checks in the background while the steps
# below use the other core; its report and status are taken before pytest. mypy's cache lives outside
# the clone, so a fresh clone on the same machine checks only what changed (mypy compares each file's
# hash when its mtime differs); on a new machine it starts empty, as before.
mypy_cache="${MYPY_CACHE_DIR:-${XDG_CACHE_HOME:-${HOME:-.}/.cache}/newstrace/mypy}"
mkdir -p "$mypy_cache" 2>/dev/null || mypy_cache=.mypy_cache  # a home one cannot write: the clone's own
mypy_output="$(mktemp)"
.venv/bin/mypy --cache-dir "$mypy_cache" >"$mypy_output" 2>&1 &
mypy_pid=$!
trap 'kill "$mypy_pid" 2>/dev/null || true; rm -f "$mypy_output"' EXIT  # a failing step below ends it too
# With PYTHONDONTWRITEBYTECODE set, every process the tests start (CLI runs, worker processes, servers)
# compiles again whatever it imports that has no bytecode (newstrace alone cost 0.55 CPU s a process), so
# everything is compiled here, once: the installed libraries and the project's own source (which pip
# never compiles: it is installed in place). pip would compile every file it installs, the libraries'
# own test suites too (about a fifth of the 137 MB of Python installed, never imported here); this
# leaves those out (36 CPU s where a pass over everything took 47; docs/testing.md, session 21). A source
# file changed later is compiled as usual. One compiling process per core (`-j 0`): this step is on the
# serial path before pytest, and beside it only mypy runs (about 1 CPU s with its cache warm), so one
# process left a core idle for its half-minute (docs/testing.md, session 23).
site_packages="$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
.venv/bin/python -m compileall -q -j 0 -x '/site-packages/.*/tests?/' "$site_packages" src
# The browser tests drive Debian's chromium (never a downloaded browser); install it when we can.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing Debian chromium for the browser tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# The PostgreSQL tests start a throwaway cluster from Debian's server binaries; install them when we can.
if ! command -v initdb >/dev/null 2>&1 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
    && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing Debian postgresql for the PostgreSQL store tests"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
echo "== ruff"
.venv/bin/ruff check src tests benchmarks scripts
.venv/bin/ruff format --check src tests benchmarks scripts
echo "== mypy"
mypy_status=0
wait "$mypy_pid" || mypy_status=$?
trap - EXIT
cat "$mypy_output"
rm -f "$mypy_output"
[ "$mypy_status" = 0 ] || exit "$mypy_status"
echo "== pytest"
# Test processes (pytest-xdist), each module on one of them, so its module fixtures are built once
# (the PolNeAR floors and the training script, which reads the PolNeAR analysis's parses, share one
# module for that reason). Modules go out in collection order, not pytest-xdist's default of the module
# with most tests first, so the long PolNeAR module, which tests/conftest.py puts first, starts at once
# instead of last. The slowest tests are listed at the end.
# Two processes on a two-core machine. Three paid off while most tests waited on a CLI subprocess; since
# the CLI runs in the test process (session 20), a third process only took CPU from the PolNeAR module,
# the critical path (its analysis 498 s -> 865 s, the run 16.3 -> 19.8 min; docs/testing.md).
# NEWSTRACE_TEST_PROCESSES=0 runs in this process.
.venv/bin/python -m pytest -ra -n "${NEWSTRACE_TEST_PROCESSES:-2}" --dist loadscope --no-loadscope-reorder \
    --durations=15 "$@"
