"""Server CPU per request, by page kind, and where it goes besides the data: for a machine shared with
other work, where latency under load measures the machine more than the server.

It starts `newstrace serve` over an existing database (`--db`; `benchmarks/serve_load.py --db` builds
one) and, for each page kind of `serve_load.py`'s mix (search, facets, attention, story, utterance,
index: the same paths, drawn the same way) and for the mix itself, sends a fixed number of requests
over `--connections` keep-alive connections at once (50, as the load run), reading the server's CPU
(user + system of its processes, `/proc/PID/stat`) before and after. Two floors come first: `floor`
asks `/favicon.ico` (an empty 204 through the middleware and the router, no page), `kept` asks one
page the server keeps (`/stories`) again and again, once on every connection before it is measured.

Beside the CPU, per request: the server's context switches (voluntary, mostly a thread waiting for the
GIL or a lock, and involuntary), its page faults (a connection's first touch of a page of its own mapping
of the database) and its read calls (the pages past SQLite's mapping, read into a connection's own cache).

With `--split` (one server process only) the server runs in this script's own launcher, which measures
on the server's threads the CPU spent inside the data functions (every read goes through the store's
`time_limit`) and rendering templates (`Template.render`), and the time in garbage collections; the
rest of the request (HTTP, the router, parameter checks, middleware, thread hops, kept-page lookups,
encoding) is what is left of the process's CPU. The launcher also gives each thread its name in the
system (`/proc/PID/task/TID/comm`), and `--threads` prints the CPU and context switches of each group
of threads per request: the lane's read threads, the lookups of pages other workers kept, anyio's pool
(CSV downloads), the event loop (the main thread) and the rest. The measuring itself costs a few microseconds a request.

    python benchmarks/serve_cpu.py --db /tmp/million.db
    python benchmarks/serve_cpu.py --db /tmp/million.db --split --requests 600 --no-cache
    python benchmarks/serve_cpu.py --db /tmp/million.db --workers 2 --kinds floor,mix
    python benchmarks/serve_cpu.py --db /tmp/million.db --split --threads --no-cache --kinds search --connections 1

Kinds are measured one after another on the same server, so the later ones find what the earlier ones
kept (as in a run of the mix, where every kind shares the caches); `--no-cache` keeps nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import serve_load

TICKS = os.sysconf("SC_CLK_TCK")
FLOORS = {"floor": ["/favicon.ico"], "kept": ["/stories"]}
KINDS = ("floor", "kept", "search", "facets", "attention", "story", "utterance", "index", "mix")
_SPLIT_FILE = "NEWSTRACE_CPU_SPLIT_FILE"  # where the launcher writes its totals when sent SIGUSR1
_PROFILE_FILE = "NEWSTRACE_CPU_PROFILE_FILE"  # where it writes its threads' profile when sent SIGUSR2
# thread names (their first 15 bytes, as the system keeps them) and the groups `--threads` reports
_GROUPS = {"newstrace-read": "read", "newstrace-looku": "lookup", "AnyIO worker th": "anyio"}


def process_tree(root: int) -> list[int]:
    """`root` and every process under it (uvicorn's worker processes), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, waiting = [], [root]
    while waiting:
        pid = waiting.pop()
        found.append(pid)
        waiting += children.get(pid, [])
    return found


def cpu_seconds(pids: list[int]) -> tuple[float, float]:
    """User and system CPU of the processes so far (their own threads; reaped children not counted)."""
    user = system = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        user, system = user + int(fields[11]), system + int(fields[12])  # utime, stime: fields 14 and 15 of stat
    return user / TICKS, system / TICKS


def counters(pids: list[int]) -> dict[str, float]:
    """The processes' CPU (seconds), context switches (of their threads alive now), page faults, read calls
    and bytes read so far (reaped children not counted)."""
    total = dict.fromkeys(("user", "system", "voluntary", "involuntary", "faults", "reads", "read_bytes"), 0.0)
    total["user"], total["system"] = cpu_seconds(pids)
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            io = _fields_of(Path(f"/proc/{pid}/io").read_text())
        except OSError:
            continue
        total["faults"] += int(fields[7]) + int(fields[9])  # minflt, majflt: fields 10 and 12 of stat
        total["voluntary"] += _task_sum(pid, "voluntary_ctxt_switches")
        total["involuntary"] += _task_sum(pid, "nonvoluntary_ctxt_switches")
        total["reads"] += int(io.get("syscr", 0))
        total["read_bytes"] += int(io.get("rchar", 0))
    return total


def _fields_of(text: str) -> dict[str, str]:
    """`name: value` lines (/proc's status and io files) as a dict of their first words."""
    return {
        name.strip(): value.split()[0]
        for name, _, value in (line.partition(":") for line in text.splitlines())
        if value.split()
    }


def _task_sum(pid: int, name: str) -> int:
    """A counter of /proc/PID/task/*/status summed over the process's threads alive now (the server's
    threads live as long as it does)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int(_fields_of((task / "status").read_text()).get(name, 0))
        except OSError:
            continue
    return total


def thread_groups(pid: int) -> dict[str, tuple[float, int, int]]:
    """CPU seconds, voluntary and involuntary context switches so far of each group of the process's
    threads, by their names in the system (the split launcher names them)."""
    groups: dict[str, tuple[float, int, int]] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
            status = _fields_of((task / "status").read_text())
        except OSError:
            continue
        group = "loop" if int(task.name) == pid else _GROUPS.get(name.split("_")[0], "other")
        cpu, voluntary, involuntary = groups.get(group, (0.0, 0, 0))
        groups[group] = (
            cpu + (int(fields[11]) + int(fields[12])) / TICKS,
            voluntary + int(status.get("voluntary_ctxt_switches", 0)),
            involuntary + int(status.get("nonvoluntary_ctxt_switches", 0)),
        )
    return groups


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, port: int, path: str) -> tuple[int, bool]:
    """One GET on a kept-alive connection: its status once the body is read, and whether it was kept."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/html\r\n\r\n".encode())
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    named = {name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in head[1:])}
    await reader.readexactly(int(named.get("content-length", "0")))
    return int(head[0].split()[1]), named.get("x-newstrace-cache") == "kept"


async def send(port: int, paths: dict[str, list[str]], requests: int, connections: int, seed: int) -> dict[str, int]:
    """`requests` GETs of random paths of random kinds of `paths`, over `connections` connections at once;
    the number sent, failed (any status but 200) and sent as kept."""
    counts = {"sent": 0, "failed": 0, "kept": 0}
    kinds = list(paths)

    async def connection(number: int) -> None:
        rng = random.Random(seed * 1000 + number)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        while counts["sent"] < requests:
            counts["sent"] += 1
            status, kept = await _get(reader, writer, port, rng.choice(paths[rng.choice(kinds)]))
            counts["failed"] += status not in (200, 204)  # 204: the floor's /favicon.ico
            counts["kept"] += kept
        writer.close()

    await asyncio.gather(*(connection(number) for number in range(connections)))
    return counts


def _split_totals(server: subprocess.Popen[str], file: Path) -> dict[str, float]:
    """The launcher's totals so far (seconds of CPU per part), asked with SIGUSR1."""
    file.unlink(missing_ok=True)
    server.send_signal(signal.SIGUSR1)
    for _ in range(200):
        if file.exists():
            try:
                return dict(json.loads(file.read_text()))
            except ValueError:
                pass  # being written
        time.sleep(0.05)
    raise SystemExit("the split launcher did not write its totals")


def _paths_of(kind: str, drawn: dict[str, list[str]]) -> dict[str, list[str]]:
    """The paths a kind's requests draw from: a floor's own, the mix's every kind, or the kind's."""
    if kind in FLOORS:
        return {kind: FLOORS[kind]}
    return drawn if kind == "mix" else {kind: drawn[kind]}


def measure(arguments: argparse.Namespace) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    scratch = Path(tempfile.mkdtemp(prefix="serve_cpu-"))
    split_file = scratch / "split.json"
    serve = ["--db", str(arguments.db), "--port", str(port), "--workers", str(arguments.workers)]
    serve += ["--no-cache"] if arguments.no_cache else []
    launcher = [__file__, "--launch-split"] if arguments.split else ["-m", "newstrace", "serve"]
    environment = {**os.environ, _SPLIT_FILE: str(split_file)}
    if arguments.profile:
        environment[_PROFILE_FILE] = str(arguments.profile.resolve())
    server = subprocess.Popen(
        [sys.executable, *launcher, *serve], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env=environment,
    )  # fmt: skip
    try:
        serve_load._wait_until_up(port, server, workers=arguments.workers)
        pids = process_tree(server.pid)
        drawn = serve_load._paths(arguments.db, random.Random(1))
        print(
            f"{arguments.db}: {arguments.requests} requests per kind over {arguments.connections} connections, "
            f"{arguments.workers} server process(es) {pids}, {'--no-cache' if arguments.no_cache else 'pages kept'}; "
            f"load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
        header = f"{'kind':<10} {'requests':>8} {'CPU ms':>8} {'(sys)':>5} {'kept':>6} {'req/s':>6}"
        header += f" {'vol cs':>7} {'invol':>5} {'faults':>6} {'reads':>5}"
        print(header + ("  data  render   gc  rest (ms/request)" if arguments.split else ""))
        for kind in arguments.kinds.split(","):
            paths = _paths_of(kind, drawn)
            if kind == "kept":  # asked once on every connection first, so that each process has it kept
                asyncio.run(send(port, paths, arguments.connections, arguments.connections, arguments.seed))
            before = _split_totals(server, split_file) if arguments.split else {}
            groups_before = thread_groups(server.pid) if arguments.threads else {}
            counted_before, started = counters(pids), time.perf_counter()
            counts = asyncio.run(send(port, paths, arguments.requests, arguments.connections, arguments.seed))
            counted_after, wall = counters(pids), time.perf_counter() - started
            n = counts["sent"]
            per = {name: (counted_after[name] - counted_before[name]) / n for name in counted_after}
            cpu, system = per["user"] + per["system"], per["system"]
            line = (
                f"{kind:<10} {n:>8} {1000 * cpu:>8.2f} {1000 * system:>5.2f} "
                f"{100 * counts['kept'] / n:>5.0f}% {n / wall:>6.0f} {per['voluntary']:>7.1f} "
                f"{per['involuntary']:>5.1f} {per['faults']:>6.1f} {per['reads']:>5.1f}"
            )
            if arguments.split:
                after = _split_totals(server, split_file)
                part = {name: 1000 * (after[name] - before.get(name, 0.0)) / n for name in after}
                rest = 1000 * cpu - part["data"] - part["render"]
                line += f"  {part['data']:5.2f} {part['render']:6.2f} {part['gc']:5.2f} {rest:5.2f}"
            if counts["failed"]:
                line += f"  ({counts['failed']} failed)"
            print(line + f"  load {os.getloadavg()[0]:.1f}", flush=True)
            if arguments.threads:
                _print_groups(groups_before, thread_groups(server.pid), n)
        if arguments.profile:
            server.send_signal(signal.SIGUSR2)
            time.sleep(3)
            print(f"profile of the server's threads over every kind: {arguments.profile}")
    finally:
        server.terminate()
        server.wait(timeout=20)


def _print_groups(before: dict[str, tuple[float, int, int]], after: dict[str, tuple[float, int, int]], n: int) -> None:
    """Each thread group's CPU and context switches per request between two `thread_groups`."""
    for group in sorted(after):
        then = before.get(group, (0.0, 0, 0))
        cpu, voluntary, involuntary = (after[group][part] - then[part] for part in range(3))
        if cpu or voluntary or involuntary:
            print(
                f"    {group:<8} {1000 * cpu / n:>6.2f} ms  {voluntary / n:>7.1f} vol cs  {involuntary / n:>5.1f} invol"
            )


def _name_system_threads() -> None:
    """Each Python thread started from now on gives its name to its system thread (Linux's
    PR_SET_NAME; the first 15 bytes), so that /proc tells the read threads from the others."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    started = threading.Thread._bootstrap_inner  # type: ignore[attr-defined]

    def named(self: threading.Thread) -> None:
        libc.prctl(15, ctypes.c_char_p(self.name.encode()[:15]), 0, 0, 0)  # 15: PR_SET_NAME
        started(self)

    threading.Thread._bootstrap_inner = named  # type: ignore[attr-defined]


def launch_split(serve_arguments: list[str]) -> None:
    """`newstrace serve` in this process, with the CPU of data reads, rendering and collections counted on
    every thread, and written as JSON to $NEWSTRACE_CPU_SPLIT_FILE on SIGUSR1."""
    import gc

    import jinja2

    from newstrace.cli.main import cli
    from newstrace.store.sql import SQLStore

    if sys.platform == "linux":
        _name_system_threads()
    totals = {"data": 0.0, "render": 0.0, "gc": 0.0}
    lock = threading.Lock()
    inside = threading.local()

    def add(part: str, seconds: float) -> None:
        with lock:
            totals[part] += seconds

    @contextmanager
    def counted(part: str) -> Iterator[None]:
        if getattr(inside, "part", None):  # nested (a render inside a read): counted once, by the outer
            yield
            return
        inside.part, started = part, time.thread_time()
        try:
            yield
        finally:
            inside.part = None
            add(part, time.thread_time() - started)

    limit = SQLStore.time_limit

    @contextmanager
    def time_limit(self: SQLStore, seconds: float) -> Iterator[None]:
        with counted("data"), limit(self, seconds):
            yield

    SQLStore.time_limit = time_limit  # type: ignore[method-assign]
    render = jinja2.Template.render

    def counted_render(self: jinja2.Template, *args: object, **kwargs: object) -> str:
        with counted("render"):
            return render(self, *args, **kwargs)

    jinja2.Template.render = counted_render  # type: ignore[method-assign]
    collecting: dict[int, float] = {}

    def on_collection(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collecting[threading.get_ident()] = time.thread_time()
        elif threading.get_ident() in collecting:
            add("gc", time.thread_time() - collecting.pop(threading.get_ident()))

    gc.callbacks.append(on_collection)

    def write(signum: int, frame: object) -> None:
        with lock:
            text = json.dumps(totals)
        target = Path(os.environ[_SPLIT_FILE])
        target.with_suffix(".tmp").write_text(text)
        target.with_suffix(".tmp").replace(target)

    signal.signal(signal.SIGUSR1, write)
    if os.environ.get(_PROFILE_FILE):
        _profile_every_thread(Path(os.environ[_PROFILE_FILE]))
    cli.main(["serve", *serve_arguments], prog_name="newstrace")


def _profile_every_thread(target: Path) -> None:
    """cProfile on the main thread and every thread started from now on (the read threads among them),
    their statistics merged into `target` (pstats) on SIGUSR2."""
    import cProfile
    import pstats

    profiles: list[cProfile.Profile] = []

    def start(*ignored: object) -> None:
        profile = cProfile.Profile()
        profiles.append(profile)
        profile.enable()  # replaces this hook on the thread

    def dump(signum: int, frame: object) -> None:
        for profile in profiles:
            profile.create_stats()
        merged = pstats.Stats(*profiles) if profiles else None
        if merged is not None:
            merged.dump_stats(target)

    threading.setprofile(start)
    start()
    signal.signal(signal.SIGUSR2, dump)


def main() -> None:
    if sys.argv[1:2] == ["--launch-split"]:
        launch_split(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, required=True, help="an existing database (serve_load.py --db makes one)")
    parser.add_argument("--requests", type=int, default=400, help="requests per kind")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=1, help="server processes (`newstrace serve --workers`)")
    parser.add_argument("--no-cache", action="store_true", help="serve with `--no-cache`")
    parser.add_argument("--split", action="store_true", help="data, rendering, collections and the rest (1 process)")
    parser.add_argument("--profile", type=Path, help="with --split: cProfile the server's threads into this file")
    parser.add_argument("--threads", action="store_true", help="with --split: CPU and switches per thread group")
    parser.add_argument("--kinds", default=",".join(KINDS), help=f"comma-separated, of {', '.join(KINDS)}")
    parser.add_argument("--seed", type=int, default=5)
    arguments = parser.parse_args()
    if not arguments.db.exists():
        parser.error(f"--db {arguments.db}: no such file (benchmarks/serve_load.py --db builds one)")
    if arguments.profile and not arguments.split:
        parser.error("--profile needs --split (the launcher profiles)")
    if arguments.threads and not arguments.split:
        parser.error("--threads needs --split (the launcher names the threads)")
    if arguments.split and arguments.workers != 1:
        parser.error("--split measures one server process: leave --workers at 1")
    unknown = set(arguments.kinds.split(",")) - set(KINDS)
    if unknown:
        parser.error(f"--kinds: unknown {', '.join(sorted(unknown))} (known: {', '.join(KINDS)})")
    measure(arguments)


if __name__ == "__main__":
    main()
