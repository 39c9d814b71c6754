"""`newstrace eval stories`: run the real pipeline over ECB+ texts and score the stories it forms.

ECB+ groups its documents by seminal event: every topic holds two similar events (two earthquakes,
two celebrities entering rehab), and `gold.json` maps each document name to its event. newstrace
analyses the texts, links them from scratch with its default settings, and the stories are scored
with B-cubed precision/recall/F1 (per document, averaged) and pairwise precision/recall/F1 (over all
pairs of documents put in the same story).
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from newstrace.pipeline import AnalyzeSettings, ProgressListener, analyze
from newstrace.pipeline.link import LinkSettings, link_articles
from newstrace.store.base import Store


@dataclass(frozen=True)
class PRF:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def to_dict(self) -> dict[str, float]:
        return {"precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass(frozen=True)
class StoryScores:
    documents: int
    gold_stories: int
    predicted_stories: int
    bcubed: PRF
    pairwise: PRF
    seconds: float
    link_seconds: float

    def to_dict(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "gold_stories": self.gold_stories,
            "predicted_stories": self.predicted_stories,
            "bcubed": self.bcubed.to_dict(),
            "pairwise": self.pairwise.to_dict(),
            "seconds": round(self.seconds, 2),
            "link_seconds": round(self.link_seconds, 2),
        }


def load_gold(folder: Path) -> dict[str, str]:
    """Document name (file name without .txt) -> gold event, from `gold.json` beside `text/`."""
    gold_file, texts = folder / "gold.json", folder / "text"
    if not gold_file.is_file() or not texts.is_dir():
        raise FileNotFoundError(f"{folder}: expected gold.json and a text/ folder (the ECB+ layout)")
    gold = json.loads(gold_file.read_text(encoding="utf-8"))
    if not isinstance(gold, dict):
        raise ValueError(f"{gold_file}: expected an object mapping document names to events")
    return {str(name): str(event) for name, event in gold.items()}


def evaluate_stories(
    gold_folder: Path,
    store: Store,
    settings: AnalyzeSettings,
    progress: ProgressListener | None = None,
    link_settings: LinkSettings | None = None,
) -> StoryScores:
    """Analyze the ECB+ texts into `store`, relink them from scratch, and score the stories."""
    gold = load_gold(gold_folder)
    started = time.monotonic()
    summary = analyze([str(gold_folder / "text")], store, replace(settings, link_stories=False), progress)
    if summary.failed:
        raise RuntimeError(f"{summary.failed} gold texts could not be read: {summary.problems[:3]}")
    store.reset_links()  # score the current settings, not whatever an earlier run stored
    link_started = time.monotonic()
    link_articles(store, link_settings)
    link_seconds = time.monotonic() - link_started
    predicted = _predicted_stories(store, gold)
    missing = sorted(set(gold) - set(predicted))
    if missing:
        raise RuntimeError(f"{len(missing)} gold documents have no stored article, e.g. {missing[:3]}")
    return StoryScores(
        documents=len(gold),
        gold_stories=len(set(gold.values())),
        predicted_stories=len(set(predicted.values())),
        bcubed=bcubed(predicted, gold),
        pairwise=pairwise(predicted, gold),
        seconds=time.monotonic() - started,
        link_seconds=link_seconds,
    )


def _predicted_stories(store: Store, gold: Mapping[str, str]) -> dict[str, str]:
    predicted = {}
    for row in store.iter_rows("articles"):
        name = Path(str(row["path"] or "")).stem
        if name in gold and row["story_id"] is not None:
            predicted[name] = str(row["story_id"])
    return predicted


def bcubed(predicted: Mapping[str, str], gold: Mapping[str, str]) -> PRF:
    """B-cubed precision and recall: per item, the share of its cluster that truly belongs with it."""
    predicted_members, gold_members = _members(predicted), _members(gold)
    precision = recall = 0.0
    for item in predicted:
        shared = len(predicted_members[predicted[item]] & gold_members[gold[item]])
        precision += shared / len(predicted_members[predicted[item]])
        recall += shared / len(gold_members[gold[item]])
    count = len(predicted) or 1
    return PRF(precision / count, recall / count)


def pairwise(predicted: Mapping[str, str], gold: Mapping[str, str]) -> PRF:
    """Precision and recall over pairs of items placed together."""
    both = Counter((predicted[item], gold[item]) for item in predicted)
    together = sum(_pairs(size) for size in both.values())
    predicted_pairs = sum(_pairs(size) for size in Counter(predicted.values()).values())
    gold_pairs = sum(_pairs(size) for size in Counter(gold[item] for item in predicted).values())
    return PRF(together / predicted_pairs if predicted_pairs else 1.0, together / gold_pairs if gold_pairs else 1.0)


def _members(assignment: Mapping[str, str]) -> dict[str, set[str]]:
    members: dict[str, set[str]] = defaultdict(set)
    for item, cluster in assignment.items():
        members[cluster].add(item)
    return members


def _pairs(size: int) -> int:
    return size * (size - 1) // 2
