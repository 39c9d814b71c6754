"""A logistic regression over named binary features, as `scripts/train_quote_lexicon.py` ships them.

The training script fits scikit-learn's `LogisticRegression` on features such as `key=say/VERB` and
writes the intercept and the weight of every feature to JSON; reading and applying them needs nothing
but this module, so the default install does not depend on scikit-learn.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any, Protocol, TypeVar

Option = TypeVar("Option")
Prepared = TypeVar("Prepared")


@dataclass(frozen=True)
class LinearModel:
    """Weights per feature name; a feature the model has no weight for counts for nothing."""

    intercept: float
    weights: dict[str, float]
    threshold: float = 0.5  # where a yes/no decision is taken (the training script may tune it)

    def probability(self, features: list[str]) -> float:
        return squashed(self.intercept + sum(map(self.weights.get, features, repeat(0.0))))

    def most_probable(
        self, options: Sequence[Option], features_of: Callable[[Option], list[str]], preferred: int = 0
    ) -> Option:
        """The option with the highest probability; on a tie the `preferred` one (the rules' own
        choice), then the earliest."""
        scores = [self.probability(features_of(option)) for option in options]
        best = max(range(len(options)), key=lambda index: (scores[index], index == preferred, -index))
        return options[best]


def load_linear_model(path: Path) -> LinearModel | None:
    """The model saved at `path`, or None when there is no such file."""
    if not path.exists():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    return LinearModel(raw["intercept"], raw["weights"], raw.get("threshold", 0.5))


def squashed(score: float) -> float:
    """The probability a model's score stands for (the logistic function, its argument kept within ±30)."""
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, score))))


def prepared_for(
    model: LinearModel, kept: list[tuple[LinearModel, Prepared]], prepare: Callable[[LinearModel], Prepared]
) -> Prepared:
    """What `prepare` made of `model`, made once and kept in `kept` (the last few models, newest first):
    a scorer's per-model tables grow as documents name new ids, and one model serves every document."""
    for known, prepared in kept:
        if known is model:
            return prepared
    kept.insert(0, (model, prepare(model)))
    del kept[MODELS_KEPT:]
    return kept[0][1]


MODELS_KEPT = 4


MAX_NAMED_IDS = 100_000  # ids (or pairs) whose weight one feature of a `WeightsByIds` keeps


class IdNamer(Protocol):
    """What a `WeightsByIds` names its ids with: the model, and the strings of the document being read."""

    model: LinearModel
    strings: Any


class WeightsByIds(dict[Any, float]):
    """The weight of one kind of feature by the ids (or a tuple of ids and plain strings) it is named from,
    each named once: an id is its string's hash, the same in every vocabulary, so a scorer reads a
    document's attribute ids and never builds a feature string for an id it has met before."""

    def __init__(self, owner: IdNamer, name_of: Callable[..., str]) -> None:
        super().__init__()
        self._owner, self._name_of = owner, name_of

    def __missing__(self, ids: Any) -> float:
        strings = self._owner.strings
        words = [
            item if isinstance(item, str) else strings[item] for item in (ids if isinstance(ids, tuple) else (ids,))
        ]
        if len(self) >= MAX_NAMED_IDS:
            self.clear()  # every word of a large corpus would otherwise stay; a weight is cheap to look up again
        weight = self[ids] = self._owner.model.weights.get(self._name_of(*words), 0.0)
        return weight
