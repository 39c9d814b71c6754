"""Stories whose window has closed leave the linker's memory between batches and are read back from the
store when a rule needs them: the links must be exactly those of a linker that kept every story."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

import newstrace.pipeline.link as linking
from newstrace.link.stories import StoryState
from newstrace.store import SQLiteStore

from .test_linking import FERRY, FLOOD, GAS_PLANT, INQUIRY, TURBINES, WIRE, _article

START = date(2025, 1, 6)
# (id, text, days after START or None for undated): a stream longer than a story's window, with reports
# that come back to stories long closed (a recurrence, an undated copy, a revision), so that retired
# stories are looked up and read back.
STREAM = [
    ("wire", WIRE, 0),
    ("flood", FLOOD, 1),
    ("ferry", FERRY, 2),
    ("inquiry", INQUIRY, 4),
    ("flood2", FLOOD.replace("a thousand", "two thousand"), 5),
    ("wire2", WIRE.replace("six hours", "eight hours"), 70),
    ("inquiry2", INQUIRY.replace("autumn", "spring"), 140),
    ("flood3", FLOOD.replace("nightfall", "dawn"), 150),
    ("ferry-undated", FERRY.replace("islands", "island"), None),
    ("flood-undated", FLOOD.replace("Firefighters", "Soldiers"), None),
]


# Undated reports of two events no dated report tells (each opens an undated story), and in a later run
# their second reports and a dated report past every story's window.
UNDATED = [("turbines", TURBINES[0], None), ("gas", GAS_PLANT[0], None)]
LATER = [("turbines2", TURBINES[1], None), ("gas2", GAS_PLANT[1], None), ("wire3", WIRE.replace("six", "ten"), 160)]


def _store(store: SQLiteStore, articles: list[tuple[str, str, int | None]]) -> None:
    run = store.begin_run("t")
    for article_id, text, days in articles:
        published = (START + timedelta(days=days)).isoformat() if days is not None else None
        store.save_article(_article(article_id, text, published, article_id), [], run_id=run)


def _linked_tables(
    path: Path, keep_all: bool, monkeypatch: pytest.MonkeyPatch, later: bool = False
) -> tuple[dict[str, list], list[int], list[list[str]]]:
    """Link STREAM (and LATER in a second run); the tables, what was read back, and the ids of the undated
    stories in memory as each run's first batch starts."""
    store = SQLiteStore(path)
    reads = []
    read_back = linking._Linker._read_back_story

    def counted(self: linking._Linker, story_id: str) -> StoryState:
        reads.append(story_id)
        return read_back(self, story_id)

    monkeypatch.setattr(linking._Linker, "_read_back_story", counted)
    linkers: list[linking._Linker] = []
    undated_in_memory: list[list[str]] = []
    link = linking._Linker.link

    def noted(self: linking._Linker, *args: Any, **kwargs: Any) -> Any:
        if self not in linkers:
            undated_in_memory.append(
                sorted(story.id for story in self.clusterer.stories.values() if not story.first_seen)
            )
        linkers.append(self)
        return link(self, *args, **kwargs)

    monkeypatch.setattr(linking._Linker, "link", noted)
    monkeypatch.setattr(linking, "BATCH_SIZE", 2)
    if keep_all:  # no story, no linked article and no story's latest members leave memory
        monkeypatch.setattr(linking._Linker, "_closed_rule", lambda self, since: lambda story: False)
        monkeypatch.setattr(linking._Linker, "_leaves_memory_before", lambda self: None)
    for articles in (STREAM + UNDATED, LATER) if later else (STREAM,):
        _store(store, articles)
        summary = linking.link_articles(store)
        assert summary.linked == len(articles)
    tables = {
        table: sorted(map(str, store.iter_rows(table))) for table in ("articles", "stories", "story_links", "reuse")
    }
    store.close()
    linker = linkers[-1]
    # (copied: a later call's patches wrap this one's, which go on noting)
    return tables, [len(reads), linker.known.read_backs, linker.recent.read_backs], list(undated_in_memory)


def test_retired_stories_read_back_give_the_links_of_a_linker_that_kept_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    retired, retired_reads, _ = _linked_tables(tmp_path / "retired.db", False, monkeypatch)
    kept, kept_reads, _ = _linked_tables(tmp_path / "kept.db", True, monkeypatch)  # the patches stay: kept second
    assert kept_reads == [0, 0, 0]
    # the stream did reach stories, articles (a copy, a revision) and stories' latest members out of memory
    assert all(count > 0 for count in retired_reads), retired_reads
    assert retired == kept


def test_undated_stories_wait_in_the_store_and_are_read_back_as_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any article may join an undated story, whatever its date, so no window closes on one; but a rule
    reaches it only through the candidate lookup, like a closed story, so it leaves memory between batches
    and a later run does not load every undated story of the past (they grow with the corpus)."""
    retired, retired_reads, retired_undated = _linked_tables(tmp_path / "retired.db", False, monkeypatch, later=True)
    kept, _, kept_undated = _linked_tables(tmp_path / "kept.db", True, monkeypatch, later=True)
    assert retired == kept
    assert kept_undated[-1] == ["st_gas", "st_turbines"]  # kept: in memory from the start of the later run
    assert retired_undated[-1] == []  # retired: none until a rule reads one back
    assert retired_reads[0] > 0
