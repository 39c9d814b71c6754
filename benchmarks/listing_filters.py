"""Every index listing under each filter and order, timed in process (`Store.page_list`): the first page
and the last page the pager offers (20 rows a page, at most COUNT_CAP rows), wall and CPU milliseconds,
the total, and a digest of each page's rows so that two runs (a base and a branch) can be compared row
for row. One JSON line per case.

The filter values are those of `benchmarks/serve_load.py`'s synthetic million (outlets `outlet-NNN.example`
from the largest, 000, to the smallest, 199; three years of dates; synthetic words and names):

    python benchmarks/listing_filters.py --db /tmp/million.db > branch.jsonl
    python benchmarks/listing_filters.py --db /tmp/million.db --listings speakers,flags --seconds 20

Each page runs under the store's time limit (`--seconds`); a page stopped by it is written as null.
`--plain` reads every listing without the store's own indexes of name words and stories' dates (schema 29,
`SQLiteStore._index_narrowing`): the reads before them, on the same file, for a before and after in one sitting.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import time
from collections.abc import Sequence

from newstrace.store import SQLiteStore
from newstrace.store.base import COUNT_CAP, LIST_ORDERS, ListFilters, QueryTimeout

PER_PAGE = 20
_BIG, _MID, _SMALL = "outlet-000.example", "outlet-050.example", "outlet-199.example"  # 99,000, 4,700, 1,400 articles
_MONTH = {"date_from": "2024-05-01", "date_to": "2024-05-31"}
_SPEAKER, _SPEAKER_FEW = "posaru lizene", "zedede mizede"  # the most quoted (50,000 quotes); 121 quotes

_OUTLETS = [("outlet big", {"outlet": _BIG}), ("outlet mid", {"outlet": _MID}), ("outlet small", {"outlet": _SMALL})]
CASES: dict[str, list[tuple[str, dict[str, str]]]] = {
    "stories": [
        ("-", {}), ("name common", {"name": "milon"}), ("name rare", {"name": "rumaru"}), *_OUTLETS,
        ("month", _MONTH), ("from", {"date_from": "2025-12-01"}), ("outlet mid+month", {"outlet": _MID, **_MONTH}),
        ("name+outlet big", {"name": "milon", "outlet": _BIG}),
    ],
    "speakers": [
        ("-", {}), ("name", {"name": "lizene"}), *_OUTLETS, ("month", _MONTH), ("from", {"date_from": "2025-12-01"}),
        ("outlet mid+month", {"outlet": _MID, **_MONTH}), ("name+outlet big", {"name": "lizene", "outlet": _BIG}),
    ],
    "outlets": [
        ("-", {}), ("name", {"name": "outlet-05"}), ("month", _MONTH), ("name+month", {"name": "outlet-05", **_MONTH}),
    ],
    "utterances": [
        ("-", {}), ("name common", {"name": "lolon"}), ("name rare", {"name": "kaderulo"}), *_OUTLETS,
        ("month", _MONTH),
        ("speaker top", {"speaker": _SPEAKER}), ("speaker few", {"speaker": _SPEAKER_FEW}),
        ("outlet mid+month", {"outlet": _MID, **_MONTH}),
        ("speaker top+outlet mid", {"speaker": _SPEAKER, "outlet": _MID}),
    ],
    "flags": [
        ("-", {}), ("flag", {"flag": "altered_direct_quote"}), ("name", {"name": "lolon"}), *_OUTLETS,
        ("month", _MONTH),
        ("speaker top", {"speaker": _SPEAKER}), ("speaker few", {"speaker": _SPEAKER_FEW}),
        ("flag+outlet mid", {"flag": "speaker_changed", "outlet": _MID}),
        ("speaker top+month", {"speaker": _SPEAKER, **_MONTH}),
    ],
}  # fmt: skip


class _Page:
    """One page read: wall and CPU ms (wall None when the time limit stopped it), total, rows."""

    def __init__(self, store: SQLiteStore, filters: ListFilters, offset: int, seconds: float) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        self.wall: float | None = None
        self.total: int | None = None
        self.rows: Sequence[object] = []
        try:
            with store.time_limit(seconds):
                self.rows, self.total = store.page_list(filters, PER_PAGE, offset)
            self.wall = (time.perf_counter() - started) * 1000
        except QueryTimeout:
            pass
        self.cpu = (time.process_time() - cpu) * 1000

    def digest(self) -> str:
        return hashlib.md5(repr(list(self.rows)).encode()).hexdigest()[:12]


def measure(
    store: SQLiteStore, listing: str, order: str, label: str, values: dict[str, str], seconds: float
) -> dict[str, object]:
    """A case's first and last pages (the last only when the first answered and the pager shows more than one)."""
    filters = ListFilters(listing, order, **values)
    first = _Page(store, filters, 0, seconds)
    pages = max(1, math.ceil(min(first.total, COUNT_CAP) / PER_PAGE)) if first.total is not None else 1
    last = _Page(store, filters, (pages - 1) * PER_PAGE, seconds) if pages > 1 else None
    return {
        "case": f"{listing} {order} {label}", "total": first.total, "pages": pages,
        "first_ms": first.wall, "first_cpu_ms": first.cpu, "first": first.digest(),
        "last_ms": last.wall if last else None, "last_cpu_ms": last.cpu if last else None,
        "last": last.digest() if last else None,
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="a copy of the synthetic million (never the original)")
    parser.add_argument("--listings", default=",".join(CASES), help="comma-separated listings to measure")
    parser.add_argument("--seconds", type=float, default=10.0, help="the time limit of each page")
    parser.add_argument("--plain", action="store_true", help="without the name words' and dates' own indexes")
    parser.add_argument("--cases", default="", help="only the cases whose label holds this text")
    arguments = parser.parse_args()
    store = SQLiteStore(arguments.db, readonly=True)
    if arguments.plain:
        store._index_narrowing = lambda filters: ()  # type: ignore[method-assign]
    try:
        for listing in arguments.listings.split(","):
            for order in LIST_ORDERS[listing]:
                for label, values in CASES[listing]:
                    if arguments.cases not in label:
                        continue
                    print(json.dumps(measure(store, listing, order, label, values, arguments.seconds)), flush=True)
    finally:
        store.close()


if __name__ == "__main__":
    main()
