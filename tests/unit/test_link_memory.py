"""What the linker remembers of linked articles and of stories' latest members (`pipeline/link_memory.py`):
what leaves memory is read back from the store as it was, and what the linker changed since wins."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from newstrace.pipeline.link_memory import Known, LatestMembers, LinkedArticles, link_order
from newstrace.store.base import LinkedArticle

# what a store holds of articles linked earlier (the linker's memory holds none of them)
STORED = {
    "w1": LinkedArticle("w1", "2025-01-02", None, "st_w1"),
    "w2": LinkedArticle("w2", "2025-01-03", "w1", "st_w1"),
    "w3": LinkedArticle("w3", "2025-01-03T08:00:00", "w1", "st_w1"),
}


def _articles(reads: list[list[str]]) -> LinkedArticles:
    def read(article_ids: Sequence[str]) -> list[LinkedArticle]:
        reads.append(list(article_ids))
        return [STORED[article_id] for article_id in article_ids if article_id in STORED]

    def copies(original: str) -> list[str]:
        return sorted(key for key, linked in STORED.items() if linked.duplicate_of == original)

    return LinkedArticles(read, copies)


def test_articles_left_in_memory_are_read_back_once_a_batch_and_forgotten_by_date() -> None:
    reads: list[list[str]] = []
    known = _articles(reads)
    known.add("a1", Known(date(2025, 3, 1), "2025-03-01", "st_a1", None))
    known.add("a2", Known(date(2025, 3, 9), "2025-03-09", "st_a1", None))
    known.add("u1", Known(None, None, "st_u1", None))
    known.prefetch(["w2", "a1", "zz"])  # one pass for what memory lacks; an unknown id is not linked
    assert reads == [["w2", "zz"]]
    assert known["w2"] == Known(date(2025, 1, 3), "2025-01-03", "st_w1", "w1") and "zz" not in known
    assert "w2" in known and reads == [["w2", "zz"], ["zz"]]  # held until the batch ends; asked again: not linked
    known.forget_before(date(2025, 3, 5))  # after the batch is saved
    assert list(known) == ["a2", "u1"]  # the undated one stays for the run
    known.forget_before(None)  # under redating nothing leaves but what was read back
    assert list(known) == ["a2", "u1"]


def test_an_originals_copies_are_those_the_store_says_and_those_marked_since() -> None:
    known = _articles([])
    known.add("a1", Known(date(2025, 1, 4), "2025-01-04", "st_w1", "w1"))  # marked this batch, not yet saved
    known["w3"].duplicate_of = "a1"  # a copy the store still points at w1 was changed this batch
    assert known.copies_of("w1") == ["w2", "a1"]


def test_one_days_articles_rank_as_one_run_links_them() -> None:
    stored, linked_now = (
        Known(date(2025, 1, 3), "2025-01-03T08:00:00", "s", None),
        Known(date(2025, 1, 3), "2025-01-03", "s", None),
    )
    undated = Known(None, None, "s", None)
    ranked = sorted(
        [("w3", stored), ("a9", linked_now), ("a1", linked_now), ("u1", undated)], key=lambda item: link_order(*item)
    )
    assert [article_id for article_id, _ in ranked] == ["a1", "a9", "w3", "u1"]


def test_a_storys_latest_members_are_read_back_when_it_comes_back_and_a_new_one_reads_nothing() -> None:
    asked: list[str] = []

    def read(story_id: str) -> list[str]:
        asked.append(story_id)
        return [f"{story_id}-{number}" for number in range(10)][-8:]

    latest = LatestMembers(read)
    latest.opened("st_new")
    latest.of("st_new").append("n1")
    latest.of("st_old").append("o10")  # a story that left memory comes back
    assert asked == ["st_old"] and latest.of("st_old")[0] == "st_old-3"  # eight kept, the oldest dropped
    latest.of("st_new").extend(latest.pop("st_old"))  # st_old merged into st_new
    assert list(latest.of("st_new"))[:2] == ["st_old-3", "st_old-4"] and len(latest.of("st_new")) == 8
    latest.forget(["st_new"])  # retired
    assert len(latest) == 0 and latest.read_backs == 1
