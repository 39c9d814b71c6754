"""What the linker remembers of linked articles and of each story's latest members, held in memory only
for the articles and stories a dated article to come may still reach through its window; the rest is
read from the store when a rule needs it, exactly as it was when it left memory.

- `LinkedArticles`: each linked article's date, story and original (`_Known`). Articles come in date
  order, so those dated more than a window before the batch's earliest date leave memory (after their
  batch is saved); a look-alike, a revision's first version or a story mate among them is read back
  (`LinkerStore.linked_articles`), held until the next batch. Undated articles (the end of a run) stay
  for the run. Not under evaluation's redating, where the dates linked are not the stored ones.
- `LatestMembers`: each story's latest members (up to 8, the passage alignment's candidates), in the
  order the linker appended them. Saved with the story's state (`latest_members`), dropped from memory
  when the story retires, read back with it when a rule brings it back.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from newstrace.link.features import parse_date
from newstrace.store.base import LinkedArticle

MAX_LATEST_MEMBERS = 8  # a story's latest members kept as candidates for passage alignment


@dataclass(slots=True)
class Known:
    """What the linker remembers of an article already linked. `published_text` is the date as linked (the
    stored one, or evaluation's redated one): with the id, it orders articles of one day as they were linked."""

    published: date | None
    published_text: str | None
    story_id: str
    duplicate_of: str | None


def link_order(article_id: str, known: Known) -> tuple[bool, date, str, str]:
    """Where an article comes in the order articles are linked: by date, undated last, then as the store
    gives them (by the date's text, then id). Earlier runs' articles rank by the same rule, so a run resumed
    after a stop orders them as one run would have."""
    return (known.published is None, known.published or date.max, known.published_text or "", article_id)


def known_from_record(linked: LinkedArticle) -> Known:
    return Known(parse_date(linked.published), linked.published, linked.story_id, linked.duplicate_of)


class LinkedArticles:
    """The linked articles the linker knows, by id: those linked lately in memory, the others read from the
    store (`read`) when asked for and held until the next batch (`forget_before`)."""

    def __init__(self, read: Callable[[Sequence[str]], list[LinkedArticle]], copies: Callable[[str], list[str]]):
        self._read = read
        self._stored_copies = copies
        self._kept: dict[str, Known] = {}  # linked in this run, in the order linked (dated first, by date)
        self._read_back: dict[str, Known] = {}  # read from the store since the batch began
        self.read_backs = 0  # articles read back from the store (for measurements)

    def __len__(self) -> int:
        return len(self._kept) + len(self._read_back)

    def __iter__(self) -> Iterator[str]:
        yield from self._kept
        yield from self._read_back

    def add(self, article_id: str, known: Known) -> None:
        self._kept[article_id] = known

    def __getitem__(self, article_id: str) -> Known:
        found = self.get(article_id)
        if found is None:
            raise KeyError(f"article {article_id}: not linked")
        return found

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and self.get(article_id) is not None

    def get(self, article_id: str) -> Known | None:
        found = self._kept.get(article_id) or self._read_back.get(article_id)
        if found is None:
            self.prefetch([article_id])
            found = self._read_back.get(article_id)
        return found

    def prefetch(self, article_ids: Iterable[str]) -> None:
        """Read from the store, in one pass, what is known of these articles when it is not in memory."""
        missing = sorted({item for item in article_ids if item not in self._kept and item not in self._read_back})
        if missing:
            for linked in self._read(missing):
                self._read_back[linked.article_id] = known_from_record(linked)
                self.read_backs += 1

    def copies_of(self, original: str) -> list[str]:
        """The articles now marked near-duplicates of `original`: those the store says (as of the last saved
        batch), then any the linker marked since, each checked against what it knows now."""
        stored = self._stored_copies(original)
        self.prefetch(stored)
        candidates = dict.fromkeys([*stored, *self._kept, *self._read_back])
        return [item for item in candidates if self[item].duplicate_of == original]

    def forget_before(self, earliest: date | None) -> None:
        """After a batch is saved: forget what was read back, and the articles linked in this run dated before
        `earliest` (None: keep them), which the store now holds as they are in memory."""
        self._read_back.clear()
        if earliest is None:
            return
        kept = self._kept
        while kept:
            first = next(iter(kept))
            published = kept[first].published
            if published is None or published >= earliest:
                return
            del kept[first]


class LatestMembers:
    """Each story's latest members, oldest first, at most `MAX_LATEST_MEMBERS`: in memory for the stories in
    the linker's memory, read (`read`) for a story that comes back after leaving it."""

    def __init__(self, read: Callable[[str], list[str]]):
        self._read = read
        self._members: dict[str, deque[str]] = {}
        self.read_backs = 0  # stories whose latest members were read back (for measurements)

    def __len__(self) -> int:
        return len(self._members)

    def values(self) -> Iterable[deque[str]]:
        return self._members.values()

    def opened(self, story_id: str) -> None:
        """A story opened now: no member yet, nothing to read."""
        self._members.setdefault(story_id, deque(maxlen=MAX_LATEST_MEMBERS))

    def of(self, story_id: str) -> deque[str]:
        """The story's latest members (read back first when it has left memory)."""
        members = self._members.get(story_id)
        if members is None:
            members = self._members[story_id] = deque(self._read(story_id), maxlen=MAX_LATEST_MEMBERS)
            self.read_backs += 1
        return members

    def pop(self, story_id: str) -> deque[str]:
        """A merged story's latest members, which the story that took it appends."""
        members = self.of(story_id)
        del self._members[story_id]
        return members

    def forget(self, story_ids: Iterable[str]) -> None:
        """Stories retired from memory: their latest members are saved with their state."""
        for story_id in story_ids:
            self._members.pop(story_id, None)
