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
from typing import TypeVar

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
