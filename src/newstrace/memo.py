"""Answers kept per key while what they were computed from stays the same, in a bounded table.

Several stages ask a pure function the same question many times per document and across documents (the
actor a phrase names, whether a lemma is a cue); the answer depends on the key and on one table loaded
once per process (the agent dictionary, the cue lexicon). A `Memo` keeps the answers while that table is
the same object, forgets them when it is another one (a test or the training script loads a new one),
and forgets them all when they reach `limit`, so a worker's memory stays bounded on any corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Key = TypeVar("Key", bound=Hashable)
Answer = TypeVar("Answer")


class Memo(Generic[Key, Answer]):
    """The answers of `compute` per key, valid while `source()` gives the same object."""

    def __init__(self, source: Callable[[], object], limit: int = 50_000) -> None:
        self._source = source
        self._limit = limit
        self._basis: object = None
        self._answers: dict[Key, Answer] = {}

    def get(self, key: Key, compute: Callable[[Key], Answer]) -> Answer:
        """The answer for `key`, computed by `compute` unless kept from an earlier call."""
        answers = self.answers()
        if key not in answers:
            answers[key] = compute(key)
        return answers[key]

    def answers(self) -> dict[Key, Answer]:
        """The answers kept so far, to read and add to directly in a loop over many keys (an answer added
        must be `compute`'s for its key)."""
        basis = self._source()
        if basis is not self._basis or len(self._answers) >= self._limit:
            self._basis, self._answers = basis, {}
        return self._answers
