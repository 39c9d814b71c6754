"""Load on the web app: 50 concurrent connections for 30 s on search, facet, attention, story, utterance
and index pages.

The database is synthetic (benchmarks/synthetic_corpus.py): articles, stories, speakers, quotes,
utterances, renderings with flags and framing markers are written straight into the store, and no NLP
runs, so a million articles take minutes to make. With `--grown` it is instead grown from
../shared/data texts the way benchmarks/linking.py grows them (perturbed copies, capitalised-word
entities instead of spaCy's), two quotes per article attributed to one of 300 invented speakers, then
linking, speakers, trails and framing run as in `analyze` (hours beyond 100,000 articles).

The server is `newstrace serve` (`--workers` processes, 1 by default) started by this script. The
client holds 50 keep-alive HTTP/1.1 connections, each requesting, in a loop for the duration, a random
page of the six kinds (HTML, as a browser would). It prints p50/p99 latency per kind and overall,
requests per second and the error count (any status other than 200, a request slower than 30 s, or a
failed connection), and each failure's page kind and status or error. The first 3 s of load
(`--warmup`) are not timed: the first burst of 50 requests meets cold caches and uncompiled templates,
which is start-up, not steady service. Errors count throughout. The load starts once the server's
whole-corpus summary (the overview's attention, the speakers' and outlets' counts, computed on a
thread of its own) is ready.

The client speaks HTTP/1.1 over asyncio streams itself rather than through httpx: client and server
share the machine's cores, and httpx spent more CPU per request than the server did, so the numbers
measured the client. This client costs about 0.05 ms of CPU per request.

    python benchmarks/serve_load.py
    python benchmarks/serve_load.py --articles 2000 --seconds 10 --connections 20
    python benchmarks/serve_load.py --articles 1000000 --db /tmp/million.db   # keep it for another run
    python benchmarks/serve_load.py --articles 1000000 --db /tmp/million.db --no-cache   # nothing kept

A database kept with `--db` is brought to the installed schema before the run (its migrations applied,
nothing rebuilt). The server marks each page it sent as it had kept it (`X-Newstrace-Cache: kept`); the
share of those is printed per kind: the clients draw from 2,000 paths per kind, so requests repeat.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import linking
import synthetic_corpus

# index pages in their orders and with a filter: each counts its whole listing for the pager
_INDEX_PAGES = (
    "/stories", "/stories?order=date", "/speakers", "/speakers?order=outlets", "/outlets", "/outlets?order=name",
    "/utterances", "/utterances?order=date", "/flags", "/flags?flag=altered_direct_quote",
)  # fmt: skip
_SENTENCE = re.compile(r"[^.!?]{40,240}[.!?]")
ERRORS: Counter[str] = Counter()  # failed requests by page kind and status (503: the per-page time limit) or error
KEPT: Counter[str] = Counter()  # timed requests per page kind the server sent as it had kept them (its page cache)
# the server's own account of each timed request (its Server-Timing header: queue, data, render, total in
# ms), per page kind: the time it spent waiting for a thread and working, beside the latency measured here
SERVER_TIMES: dict[str, list[dict[str, float]]] = {}
SERVER_PARTS = ("queue", "data", "render", "total")
SERVER_CPU: dict[str, float] = {}  # the server processes' CPU (user + system) over the timed seconds
_KEPT_HEADER = "x-newstrace-cache"  # serve.front.KEPT_HEADER, lower case; its value "kept" marks a kept page


def build_grown(db: Path, articles: int, seed: int) -> None:
    from newstrace.link.speakers import link_speakers
    from newstrace.pipeline.frame import frame_articles
    from newstrace.pipeline.link import link_articles
    from newstrace.pipeline.trails import build_trails
    from newstrace.records import Article, Quote, StageOutput
    from newstrace.store import SQLiteStore

    linking.build(db, articles, seed)
    rng = random.Random(seed)
    speakers = [f"Speaker {chr(65 + n % 26)}{n} Person" for n in range(300)]
    store = SQLiteStore(db)
    run_id = store.begin_run("benchmark")
    texts = {str(row["id"]): str(row["text"]) for row in store.iter_rows("articles", include_text=True)}
    for article_id, text in sorted(texts.items()):
        quotes = []
        for number, match in enumerate(_SENTENCE.finditer(text)):
            if number >= 2:
                break
            speaker = rng.choice(speakers[:50] if rng.random() < 0.5 else speakers)
            quotes.append(
                Quote(
                    f"{article_id}-{match.start()}",
                    article_id,
                    "direct",
                    speaker,
                    None,
                    None,
                    speaker,
                    "said",
                    match.start(),
                    match.start(),
                    match.group(),
                    match.start(),
                    match.end(),
                    0.9,
                )
            )
        stored = Article(  # stored already, so only its quotes are written
            id=article_id, text=text, source_format="text", path=None, url=None, title=None, published=None,
            outlet=None, author=None, dateline=None, language="en", n_words=0, field_sources={},
        )  # fmt: skip
        store.save_article(stored, [StageOutput("quotes", 1, {"quotes": list[object](quotes)})], run_id)
    found, canonical = link_speakers(store.speaker_mentions())
    store.save_speakers(found, canonical)
    link_articles(store)
    build_trails(store)
    frame_articles(store)
    store.close()


def _paths(db: Path, rng: random.Random) -> dict[str, list[str]]:
    """2,000 paths of each kind. Search words: four in five are what analysts look for (names, places,
    topics): in the synthetic corpus, words past its 1,000 commonest, each in under 2 % of the articles;
    one in five is a word out of a title (often common, matching a good part of the corpus)."""
    import sqlite3
    from urllib.parse import urlencode

    connection = sqlite3.connect(db)

    def sample(sql: str, n: int = 3000) -> list[str]:
        """`n` values drawn by `rng` (SQLite's random() is not seeded: each run asked for other pages)."""
        values = sorted(str(row[0]) for row in connection.execute(sql))
        return rng.sample(values, min(n, len(values)))

    stories, utterances = sample("SELECT id FROM stories"), sample("SELECT id FROM utterances")
    speakers, outlets = sample("SELECT name FROM speakers"), sample("SELECT DISTINCT outlet FROM articles", 300)
    languages = sample("SELECT DISTINCT language FROM articles WHERE language IS NOT NULL", 20)
    titles = sample("SELECT title FROM articles WHERE title IS NOT NULL", 2000)
    title_words = [word for title in titles for word in title.split() if word.isalpha() and len(word) > 4]
    synthetic = connection.execute("SELECT 1 FROM articles WHERE source_format = 'synthetic' LIMIT 1").fetchone()

    def word() -> str:
        if rng.random() < 0.2 or not synthetic:
            return rng.choice(title_words)
        return synthetic_corpus.word(rng.randrange(1000, synthetic_corpus.VOCABULARY))

    def search(**params: str) -> str:
        return "/search?" + urlencode(params)

    facet_kinds = (
        lambda: search(q=word(), outlet=rng.choice(outlets)),
        lambda: search(outlet=rng.choice(outlets)),
        lambda: search(language=rng.choice(languages)),
        lambda: search(speaker=rng.choice(speakers)),
        lambda: search(flag="altered_direct_quote"),
        lambda: search(q=word(), scope="quotes"),
    )
    return {
        "search": [search(q=word()) for _ in range(2000)],
        "facets": [rng.choice(facet_kinds)() for _ in range(2000)],
        "attention": [rng.choice(("/", _month_search(rng))) for _ in range(2000)],
        "story": [f"/stories/{rng.choice(stories)}" for _ in range(2000)],
        "utterance": [f"/utterances/{rng.choice(utterances)}" for _ in range(2000)],
        "index": [rng.choice(_INDEX_PAGES) for _ in range(2000)],
    }


def _month_search(rng: random.Random) -> str:
    """A search for every article of one month of the synthetic corpus's three years."""
    year, month = rng.choice((2023, 2024, 2025)), rng.randint(1, 12)
    last = 28 if month == 2 else 30
    return f"/search?from={year}-{month:02d}-01&to={year}-{month:02d}-{last}"


async def _load(
    port: int,
    paths: dict[str, list[str]],
    connections: int,
    seconds: float,
    warmup: float = 0,
    cpu: Callable[[], float] | None = None,
) -> dict[str, list[float]]:
    """Latencies by page kind (and of failed requests) of the requests started after the warm-up; with
    `cpu` (the server's CPU seconds so far), SERVER_CPU["seconds"] its CPU over the timed part."""
    latencies: dict[str, list[float]] = {kind: [] for kind in paths}
    latencies["errors"] = []
    counted_from = time.perf_counter() + warmup
    deadline = counted_from + seconds

    async def cpu_while_timed() -> None:
        if cpu is not None:
            await asyncio.sleep(warmup)
            started = cpu()
            await asyncio.sleep(max(0.0, deadline - time.perf_counter()))
            SERVER_CPU["seconds"] = cpu() - started

    async def worker(number: int) -> None:
        rng = random.Random(number)
        connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        while time.perf_counter() < deadline:
            kind = rng.choice(list(paths))
            started = time.perf_counter()
            try:
                connection = connection or await asyncio.open_connection("127.0.0.1", port)
                status, kept, timing = await asyncio.wait_for(
                    _get(*connection, port, rng.choice(paths[kind])), timeout=30
                )
                ok, reason = status == 200, f"{kind} answered {status}"
                if ok and started >= counted_from:
                    KEPT[kind] += kept
                    SERVER_TIMES.setdefault(kind, []).append(timing)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
                ok, connection = False, None  # open a fresh connection for the next request
                reason = f"{kind}: {type(error).__name__}"
            if started >= counted_from or not ok:
                latencies[kind if ok else "errors"].append(time.perf_counter() - started)
            if not ok:
                ERRORS[reason] += 1
        if connection:
            connection[1].close()

    await asyncio.gather(cpu_while_timed(), *(worker(number) for number in range(connections)))
    return latencies


async def _get(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, port: int, path: str
) -> tuple[int, bool, dict[str, float]]:
    """One GET on a kept-alive connection; the status code, once the whole body has been read, whether
    the server sent the page as it had kept it, and its Server-Timing. The Host header names the port:
    the app answers only to the address and port it is bound to."""
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/html\r\n\r\n".encode())
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    headers = dict(line.split(":", 1) for line in head[1:] if ":" in line)
    named = {name.strip().lower(): value.strip() for name, value in headers.items()}
    length = named.get("content-length")
    if length is None:
        raise ValueError("response without Content-Length")
    await reader.readexactly(int(length))
    return int(head[0].split()[1]), named.get(_KEPT_HEADER) == "kept", server_timing(named.get("server-timing", ""))


def server_timing(header: str) -> dict[str, float]:
    """The durations (ms) of a Server-Timing header, by name: `queue;dur=0.1, total;dur=2.5`."""
    parts = {}
    for metric in header.split(","):
        name, _, parameters = metric.strip().partition(";")
        for parameter in parameters.split(";"):
            key, _, value = parameter.strip().partition("=")
            if key == "dur":
                parts[name] = float(value)
    return parts


def _server_cpu(root: int) -> Callable[[], float] | None:
    """The CPU seconds (user + system) of the server's processes so far, read from /proc (Linux)."""
    if not Path(f"/proc/{root}/stat").exists():
        return None
    import serve_cpu  # benchmarks/serve_cpu.py (which imports this module)

    pids = serve_cpu.process_tree(root)
    return lambda: sum(serve_cpu.cpu_seconds(pids))


def _wait_until_up(port: int, server: subprocess.Popen[str], seconds: float = 900, workers: int = 1) -> None:
    """Until the server answers with its whole-corpus summary ready (the overview counts every article),
    in every worker process: each new connection goes to one of them at random, so with several workers
    `10 * workers` answers in a row must say so (else a worker still counting its summary, minutes of CPU
    at a million articles, would run beside the load and answer from the newest articles)."""
    deadline = time.monotonic() + seconds
    ready = 0
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: {server.stderr.read() if server.stderr else ''}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/overview", timeout=30) as response:
                ready = ready + 1 if response.status == 200 and json.load(response)["counted"] is None else 0
        except OSError:
            ready = 0
        if ready >= (1 if workers == 1 else 10 * workers):
            return
        time.sleep(0.5 if not ready else 0.01)
    raise SystemExit(f"the server's corpus summary was not ready within {seconds:.0f} s")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else float("nan")


def _upgrade(db: Path) -> None:
    """Bring a database kept from an earlier run to this newstrace's schema (the server opens it read-only
    and refuses an older one): its migrations are applied, nothing is rebuilt."""
    from newstrace.store import SQLiteStore

    started = time.perf_counter()
    store = SQLiteStore(db)
    try:
        version = store.schema_version()
    finally:
        store.close()
    print(f"opened {db} at schema {version} in {time.perf_counter() - started:.0f} s", flush=True)


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:4.1f} %" if whole else "   — "


def print_server_times() -> None:
    """Per page kind, the server's own time (its Server-Timing) at p50 and p99: waiting for a thread,
    in the data function, rendering, and in all (the latency above less the time before the server's
    app saw the request and after it sent the answer's head: the event loop's own queue and sending)."""
    print("  server's own time (Server-Timing), p50 / p99 ms; a part not taken (a kept page) counts 0:")
    for kind, timings in SERVER_TIMES.items():
        columns = []
        for part in SERVER_PARTS:
            values = [timing.get(part, 0.0) / 1000 for timing in timings]
            columns.append(f"{part} {_percentile(values, 0.5):6.1f} / {_percentile(values, 0.99):6.1f}")
        print(f"  {kind:<10} " + "   ".join(columns))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument(
        "--warmup", type=float, default=3, help="seconds of load first, not counted (caches fill, templates compile)"
    )
    parser.add_argument("--workers", type=int, default=1, help="server processes (`newstrace serve --workers`)")
    parser.add_argument("--db", type=Path, help="reuse (or keep) the database here instead of a temporary one")
    parser.add_argument("--grown", action="store_true", help="grow the articles from ../shared/data and analyse them")
    parser.add_argument(
        "--no-cache", action="store_true", help="serve with `--no-cache`: no page or count kept between requests"
    )
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        db = arguments.db or Path(scratch) / "load.db"
        if not db.exists():
            started = time.perf_counter()
            if arguments.grown:
                build_grown(db, arguments.articles, arguments.seed)
            else:
                print(f"writing a synthetic database of {arguments.articles:,} articles (no NLP runs)", flush=True)
                synthetic_corpus.build(db, arguments.articles, arguments.seed)
            print(f"built {arguments.articles:,} articles in {time.perf_counter() - started:.0f} s", flush=True)
        else:
            _upgrade(db)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "newstrace",
                "serve",
                "--db",
                str(db),
                "--port",
                str(port),
                "--workers",
                str(arguments.workers),
                *(["--no-cache"] if arguments.no_cache else []),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            _wait_until_up(port, server, workers=arguments.workers)
            paths = _paths(db, random.Random(1))
            cpu = _server_cpu(server.pid)
            latencies = asyncio.run(_load(port, paths, arguments.connections, arguments.seconds, arguments.warmup, cpu))
        finally:
            server.terminate()
            server.wait(timeout=10)
    everything = [value for kind, values in latencies.items() if kind != "errors" for value in values]
    print(
        f"{arguments.connections} connections for {arguments.seconds:.0f} s "
        f"(after {arguments.warmup:.0f} s of warm-up) on {arguments.articles} articles, "
        f"{arguments.workers} server process(es){'' if arguments.grown else ', synthetic database (no NLP)'}, "
        f"{'nothing kept between requests (--no-cache)' if arguments.no_cache else 'pages and counts kept'}"
    )
    for kind, values in latencies.items():
        if kind != "errors":
            print(
                f"  {kind:<10} {len(values):>6} requests  p50 {_percentile(values, 0.5):7.1f} ms  "
                f"p99 {_percentile(values, 0.99):7.1f} ms  mean {1000 * statistics.fmean(values or [0]):7.1f} ms  "
                f"sent as kept {_share(KEPT[kind], len(values))}"
            )
    print(
        f"  all        {len(everything):>6} requests  p50 {_percentile(everything, 0.5):7.1f} ms  "
        f"p99 {_percentile(everything, 0.99):7.1f} ms  {len(everything) / arguments.seconds:.0f} requests/s  "
        f"sent as kept {_share(sum(KEPT.values()), len(everything))}"
    )
    print_server_times()
    if "seconds" in SERVER_CPU and everything:
        print(
            f"  server CPU (user + system, every server process) over the timed {arguments.seconds:.0f} s: "
            f"{SERVER_CPU['seconds']:.1f} s, {1000 * SERVER_CPU['seconds'] / len(everything):.2f} ms a request"
        )
    if not arguments.no_cache:
        print(
            "  (the clients draw from 2,000 paths per kind, so requests repeat: a page sent as kept was asked "
            "before in the run; --no-cache measures every page read anew)"
        )
    print(f"  errors     {len(latencies['errors'])}   (target: 0 errors, p99 < 300 ms)")
    for reason, count in ERRORS.most_common():
        print(f"    {count:>5}  {reason}")


if __name__ == "__main__":
    main()
