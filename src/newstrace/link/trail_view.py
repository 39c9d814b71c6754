"""The data behind `newstrace trail` (and the utterance web page to come): one utterance, all its
renderings in time order with their diffs and flags, and the utterances it recurs from or recurs in."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from newstrace.link.trails import SAME_PASSAGE
from newstrace.records import StoredUtterance, as_json
from newstrace.store.base import Store


class TrailNotFound(LookupError):
    """No utterance or quote by that id."""


@dataclass
class Trail:
    utterance: StoredUtterance
    renderings: list[dict[str, object]]  # with diff and flags decoded
    recurs_from: list[dict[str, object]]  # earlier utterances of the same claim, oldest first
    recurs_in: list[dict[str, object]]  # later ones

    def to_dict(self) -> dict[str, object]:
        # the rows are fresh dicts built by `trail`, so no deep copy (asdict's) is needed
        return {**vars(self), "utterance": as_json(self.utterance)}


def trail(store: Store, utterance_or_quote_id: str) -> Trail:
    """The trail of an utterance, given its id or the id of any quote that renders it."""
    utterance = store.utterance(utterance_or_quote_id)
    if utterance is None:
        raise TrailNotFound(
            f"no utterance or quote {utterance_or_quote_id!r}; quote ids are in `newstrace export quotes`, "
            "utterance ids in `newstrace export utterances`"
        )
    rows = [
        {**as_json(row), "diff": json.loads(row.diff), "flags": json.loads(row.flags)}
        for row in store.renderings_of(utterance.id)
    ]
    renderings = [row for row in rows if SAME_PASSAGE not in row["flags"]]  # one rendering per passage
    return Trail(_counted(utterance, renderings), renderings, _earlier(store, utterance), _later(store, utterance.id))


def _counted(utterance: StoredUtterance, renderings: list[dict[str, object]]) -> StoredUtterance:
    """The utterance with its renderings and outlets counted on the rows the trail shows: the stored
    counts take in the `same_passage` repeats, which the trail leaves out (one passage, one rendering),
    so a header read from them announced renderings the table did not list."""
    outlets = {row["outlet"] for row in renderings if row["outlet"]}
    return replace(utterance, n_renderings=len(renderings), n_outlets=len(outlets))


def _earlier(store: Store, utterance: StoredUtterance) -> list[dict[str, object]]:
    chain: list[dict[str, object]] = []
    current = utterance
    while current.recurs_from and len(chain) < 50:
        found = store.utterance(current.recurs_from)
        if found is None:
            break
        chain.append(as_json(found))
        current = found
    return list(reversed(chain))


def _later(store: Store, utterance_id: str) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    frontier = [utterance_id]
    while frontier and len(found) < 50:
        following = store.utterances_recurring_from(frontier)
        found += map(as_json, following)
        frontier = [row.id for row in following]
    return found
