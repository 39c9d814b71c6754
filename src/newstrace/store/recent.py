"""A small cache of recent answers, shared by the threads of a process, that counts its hits.

The web server keeps the expensive parts of a search (its first matches, facets and attention) here,
keyed on the database, its data version (`Store.data_version`, which every write changes) and the
normalised filters: an analyst paging through results, or many readers of the same language or flag,
get them without counting again, and a write to the database makes every older answer unreachable.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Answer = TypeVar("Answer")


class RecentAnswers(Generic[Answer]):
    """The last `size` answers by key, least recently used dropped first; `hits` and `misses` count. With
    `weigh` and `budget`, also no more than `budget` in all as `weigh` measures each answer (an answer
    heavier than the budget alone is not kept)."""

    def __init__(self, size: int, weigh: Callable[[Answer], int] | None = None, budget: int | None = None) -> None:
        self.size = size
        self.hits = 0
        self.misses = 0
        self.weight = 0  # of the answers kept, as `weigh` measures them (0 without it)
        self._answers: OrderedDict[Hashable, Answer] = OrderedDict()
        self._weights: dict[Hashable, int] = {}
        self._weigh = weigh
        self._budget = budget
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], Answer]) -> Answer:
        """The answer kept for `key`, else `compute()`, kept. Two threads missing the same key at once
        both compute it (the lock is never held while computing)."""
        with self._lock:
            if key in self._answers:
                self.hits += 1
                self._answers.move_to_end(key)
                return self._answers[key]
            self.misses += 1
        answer = compute()
        weight = self._weigh(answer) if self._weigh is not None else 0
        if self._budget is not None and weight > self._budget:
            return answer
        with self._lock:
            self.weight += weight - self._weights.get(key, 0)
            self._answers[key], self._weights[key] = answer, weight
            self._answers.move_to_end(key)
            while len(self._answers) > self.size or (self._budget is not None and self.weight > self._budget):
                dropped, _ = self._answers.popitem(last=False)
                self.weight -= self._weights.pop(dropped)
        return answer

    def kept(self, key: Hashable) -> Answer | None:
        """The answer kept for `key` (counted as a hit), else None: nothing is computed or kept."""
        with self._lock:
            if key not in self._answers:
                return None
            self.hits += 1
            self._answers.move_to_end(key)
            return self._answers[key]

    def clear(self) -> None:
        """Forget every answer kept (the counts of hits and misses stay)."""
        with self._lock:
            self._answers.clear()
            self._weights.clear()
            self.weight = 0

    def hit_rate(self) -> float:
        asked = self.hits + self.misses
        return self.hits / asked if asked else 0.0
