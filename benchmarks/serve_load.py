"""Load on the web app: 50 concurrent connections for 30 s on search, story and utterance pages.

The database holds 10,000 articles grown from ../shared/data texts the way benchmarks/linking.py grows
them (perturbed copies, capitalised-word entities instead of spaCy's), plus two quotes per article taken
from its sentences and attributed to one of 300 invented speakers, so that stories, speakers and
utterances exist at that scale; then linking, speakers, trails and framing run as in `analyze`.

The server is `newstrace serve` (one uvicorn process) started by this script; the client is httpx
with 50 connections, each requesting, in a loop for the duration, a random page of the three kinds
(HTML, as a browser would). It prints p50/p99 latency per kind and overall, requests per second and
the error count (any status other than 200, or a failed connection).

    python benchmarks/serve_load.py
    python benchmarks/serve_load.py --articles 2000 --seconds 10 --connections 20
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import linking

_SENTENCE = re.compile(r"[^.!?]{40,240}[.!?]")


def build(db: Path, articles: int, seed: int) -> None:
    from newstrace.link.speakers import link_speakers
    from newstrace.pipeline.frame import frame_articles
    from newstrace.pipeline.link import link_articles
    from newstrace.pipeline.trails import build_trails
    from newstrace.records import Quote, StageOutput
    from newstrace.store import SQLiteStore

    linking.build(db, articles, seed)
    rng = random.Random(seed)
    speakers = [f"Speaker {chr(65 + n % 26)}{n} Person" for n in range(300)]
    store = SQLiteStore(db)
    rows = list(store.connection.execute("SELECT id, text FROM articles ORDER BY id"))
    for row in rows:
        quotes = []
        for number, match in enumerate(_SENTENCE.finditer(row["text"])):
            if number >= 2:
                break
            speaker = rng.choice(speakers[:50] if rng.random() < 0.5 else speakers)
            quotes.append(
                Quote(
                    f"{row['id']}-{match.start()}",
                    row["id"],
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
        with store._transaction() as connection:  # benchmark set-up: write the quotes stage directly
            store._replace_stage_rows(connection, row["id"], StageOutput("quotes", 1, {"quotes": quotes}))
    found, canonical = link_speakers(store.speaker_mentions())
    store.save_speakers(found, canonical)
    link_articles(store)
    build_trails(store)
    frame_articles(store)
    store.close()


def _paths(db: Path, rng: random.Random) -> dict[str, list[str]]:
    import sqlite3

    connection = sqlite3.connect(db)
    stories = [row[0] for row in connection.execute("SELECT id FROM stories")]
    utterances = [row[0] for row in connection.execute("SELECT id FROM utterances")]
    words = [row[0] for row in connection.execute("SELECT title FROM articles WHERE title IS NOT NULL LIMIT 2000")]
    terms = [w for title in words for w in title.split() if w.isalpha() and len(w) > 4][:3000]
    return {
        "search": [f"/search?q={rng.choice(terms)}" for _ in range(2000)],
        "story": [f"/stories/{rng.choice(stories)}" for _ in range(2000)],
        "utterance": [f"/utterances/{rng.choice(utterances)}" for _ in range(2000)],
    }


async def _load(base: str, paths: dict[str, list[str]], connections: int, seconds: float) -> dict[str, list[float]]:
    latencies: dict[str, list[float]] = {kind: [] for kind in paths}
    latencies["errors"] = []
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

        async def worker(number: int) -> None:
            rng = random.Random(number)
            while time.perf_counter() < deadline:
                kind = rng.choice(list(paths))
                started = time.perf_counter()
                try:
                    response = await client.get(rng.choice(paths[kind]))
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies[kind if ok else "errors"].append(time.perf_counter() - started)

        await asyncio.gather(*(worker(number) for number in range(connections)))
    return latencies


def _wait_until_up(base: str, server: subprocess.Popen[str]) -> None:
    for _ in range(200):
        if server.poll() is not None:
            raise SystemExit(f"the server stopped: {server.stderr.read() if server.stderr else ''}")
        try:
            if httpx.get(base + "/api/overview", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not answer within 20 s")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--workers", type=int, default=1, help="server processes (`newstrace serve --workers`)")
    parser.add_argument("--db", type=Path, help="reuse (or keep) the database here instead of a temporary one")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        db = arguments.db or Path(scratch) / "load.db"
        if not db.exists():
            started = time.perf_counter()
            build(db, arguments.articles, arguments.seed)
            print(f"built {arguments.articles} articles in {time.perf_counter() - started:.0f} s", flush=True)
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
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_up(base, server)
            latencies = asyncio.run(_load(base, _paths(db, random.Random(1)), arguments.connections, arguments.seconds))
        finally:
            server.terminate()
            server.wait(timeout=10)
    everything = [value for kind, values in latencies.items() if kind != "errors" for value in values]
    print(
        f"{arguments.connections} connections for {arguments.seconds:.0f} s on {arguments.articles} articles, "
        f"{arguments.workers} server process(es)"
    )
    for kind, values in latencies.items():
        if kind != "errors":
            print(
                f"  {kind:<10} {len(values):>6} requests  p50 {_percentile(values, 0.5):7.1f} ms  "
                f"p99 {_percentile(values, 0.99):7.1f} ms  mean {1000 * statistics.fmean(values or [0]):7.1f} ms"
            )
    print(
        f"  all        {len(everything):>6} requests  p50 {_percentile(everything, 0.5):7.1f} ms  "
        f"p99 {_percentile(everything, 0.99):7.1f} ms  {len(everything) / arguments.seconds:.0f} requests/s"
    )
    print(f"  errors     {len(latencies['errors'])}   (target: 0 errors, p99 < 200 ms)")


if __name__ == "__main__":
    main()
