"""What the linker holds in memory at the end of a run, part by part: relink a copy of a SQLite database
from scratch (as `link_tables.py` does) and print the deep size of each of the linker's structures, with
the stories kept in memory, those retired to the store, and how many were read back. It runs with the
sources of session 21 too (no story is retired there), to compare.

Deep sizes follow dicts, lists, sets, tuples, deques and objects' attributes; an object reached twice (a
story id in the posting lists and as a key of the stories) is counted with the first part that reaches
it, in the order printed.

    PYTHONPATH=src python benchmarks/link_memory.py DB --copy /tmp/copy.db [--batch 2000]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import newstrace.pipeline.link as linking
from newstrace.store import SQLiteStore


def deep_size(root: object, seen: set[int]) -> int:
    """Bytes reachable from `root` not already in `seen` (which it extends)."""
    total = 0
    stack = [root]
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, type):
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        stack.extend(_children(item))
    return total


def _children(item: Any) -> Iterator[object]:
    if isinstance(item, dict):
        yield from item.keys()
        yield from item.values()
    elif isinstance(item, list | tuple | set | frozenset | deque):
        yield from item
    elif isinstance(item, str | bytes | int | float | bool) or item is None:
        return
    else:
        if hasattr(item, "__dict__"):
            yield item.__dict__
        for slot in getattr(type(item), "__slots__", ()):
            if hasattr(item, slot):
                yield getattr(item, slot)


def _held(part: object, *names: str) -> object:
    """What a part of the linker holds: the named containers of an object (session 23's classes), or the
    part itself when it is a plain container (before)."""
    if isinstance(part, dict):
        return part
    return tuple(getattr(part, name) for name in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("db", type=Path, help="the database to relink (never changed: a copy is linked)")
    parser.add_argument("--copy", type=Path, required=True, help="where the copy is made and linked")
    parser.add_argument("--batch", type=int, default=linking.BATCH_SIZE, help="articles between two writes")
    arguments = parser.parse_args()
    shutil.copyfile(arguments.db, arguments.copy)
    linking.BATCH_SIZE = arguments.batch
    made: list[linking._Linker] = []
    original_init = linking._Linker.__init__

    def keep(self: linking._Linker, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        made.append(self)

    linking._Linker.__init__ = keep  # type: ignore[method-assign]
    store = SQLiteStore(arguments.copy)
    store.reset_links()
    summary = linking.link_articles(store)
    store.close()
    linker = made[0]
    clusterer = linker.clusterer
    stories = clusterer.stories
    parts: dict[str, object] = {
        "story states in memory": dict(stories),
        "retired stories read back lately (the cache)": getattr(stories, "recently_read", {}),
        "retired stories (first date, days named)": getattr(stories, "retired", {}),
        "posting lists of the story index": clusterer._index,
        "what is known of each linked article": _held(linker.known, "_kept", "_read_back"),
        "encoded texts for alignment": linker.texts,
        "latest members, copies, merges": (
            _held(linker.recent, "_members"),
            getattr(linker, "copies", {}),  # a map of every original's copies before session 23
            clusterer.merged_into,
        ),
        "frequencies and word codes": (clusterer.term_frequencies, clusterer.entity_frequencies, linker.word_codes),
        "cross-language members": clusterer.crosslingual,
    }
    seen: set[int] = set()
    sizes = {name: round(deep_size(part, seen) / 1e6, 1) for name, part in parts.items()}
    print(
        json.dumps(
            {
                "linked": summary.linked,
                "stories in memory": len(stories),
                "stories retired": len(getattr(stories, "retired", {})),  # none before session 22
                "read back": getattr(stories, "read_backs", 0),
                "articles in memory": len(linker.known),
                "articles read back": getattr(linker.known, "read_backs", 0),  # none before session 23
                "stories' latest members read back": getattr(linker.recent, "read_backs", 0),
                "MB": sizes,
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
