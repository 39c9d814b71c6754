"""`newstrace eval trails`: quote trails and speakers scored against labels read by hand on PolNeAR.

The labels (`evaluation/data/trails_dev_labels.jsonl`, one JSON object a line) name a PolNeAR train or
dev article by its file stem and a quote by the character offsets of its content; they hold no article
text. Three kinds:

- `rendering`: a rendering and the statement (the canonical rendering) of the utterance it was grouped
  with, and whether a reader finds them the same statement (`same`) or not (`different`);
- `flag`: a rendering flagged `altered_direct_quote` against that canonical text, and whether a reader
  finds the quoted words a real alteration of the same statement (`altered`) or not (`not_altered`);
- `speaker`: a quote and its true speaker by reading the article around it (`null`: nobody named).

The pipeline is run afresh on the labelled articles, and each labelled quote is found again by its
content offsets (the stored quote whose content overlaps it most). Scores: rendering precision (of the
labelled pairs the system puts in one utterance, the share labelled `same`), misquote-flag precision (of
the labelled renderings the system flags against that statement, the share labelled `altered`) and
speaker accuracy (the resolved speaker names the true one: the same words, or a shorter form of them).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from newstrace.pipeline import AnalyzeSettings, ProgressListener, analyze
from newstrace.store.base import Store

SPLITS = ("train", "dev")
TARGETS = {"rendering_precision": 0.95, "flag_precision": 0.9, "speaker_accuracy": 0.93}


@dataclass(frozen=True)
class QuoteKey:
    """A labelled quote: an article's file stem and the content's character offsets in it."""

    stem: str
    start: int
    end: int


@dataclass
class Ratio:
    hits: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.hits += hit
        self.total += 1

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 0.0


@dataclass
class TrailScores:
    documents: int = 0
    seconds: float = 0.0
    rendering: Ratio = field(default_factory=Ratio)
    flag: Ratio = field(default_factory=Ratio)
    speaker: Ratio = field(default_factory=Ratio)
    missing: int = 0  # labelled quotes the run did not find again
    errors: list[dict[str, object]] = field(default_factory=list)  # the labels the run got wrong, to read

    def to_dict(self) -> dict[str, object]:
        measures = {
            "rendering_precision": self.rendering,
            "flag_precision": self.flag,
            "speaker_accuracy": self.speaker,
        }
        return {
            "documents": self.documents,
            "seconds": round(self.seconds, 2),
            "labelled_quotes_not_found": self.missing,
            "scores": {
                name: {"value": round(ratio.value, 4), "hits": ratio.hits, "of": ratio.total, "target": TARGETS[name]}
                for name, ratio in measures.items()
            },
        }


def load_labels(path: Path | None = None) -> list[dict[str, object]]:
    """The shipped labels, or those in `path`."""
    text = path.read_text(encoding="utf-8") if path else _shipped_labels()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _shipped_labels() -> str:
    return files("newstrace.evaluation").joinpath("data/trails_dev_labels.jsonl").read_text(encoding="utf-8")


def evaluate_trails(
    gold_folder: Path, store: Store, settings: AnalyzeSettings, progress: ProgressListener | None = None
) -> TrailScores:
    """Analyse the labelled PolNeAR articles (under `gold_folder`/{train,dev}/text) into `store` and score."""
    labels = load_labels()
    stems = {str(label[key]) for label in labels for key in ("stem", "statement_stem") if key in label}
    paths = _article_paths(gold_folder, stems)
    started = time.monotonic()
    summary = analyze([str(path) for path in paths], store, settings, progress)
    if summary.failed:
        raise RuntimeError(f"{summary.failed} labelled texts could not be read: {summary.problems[:3]}")
    scores = TrailScores(documents=len(paths), seconds=time.monotonic() - started)
    found = _StoredQuotes(store)
    for label in labels:
        _score(label, found, scores)
    return scores


def _article_paths(gold_folder: Path, stems: Iterable[str]) -> list[Path]:
    by_stem = {path.stem: path for split in SPLITS for path in (gold_folder / split / "text").glob("*.txt")}
    missing = sorted(stem for stem in stems if stem not in by_stem)
    if missing:
        raise FileNotFoundError(f"{gold_folder}: no {SPLITS} text for labelled articles {missing[:3]}")
    return sorted(by_stem[stem] for stem in stems)


class _StoredQuotes:
    """The analysed quotes, found by article stem and content offsets."""

    def __init__(self, store: Store) -> None:
        stems = {str(row["id"]): Path(str(row["path"])).stem for row in store.iter_rows("articles")}
        speakers = {int(str(row["id"])): str(row["name"]) for row in store.iter_rows("speakers")}
        rendered = {str(row["quote_id"]): row for row in store.iter_rows("renderings")}
        self.by_stem: dict[str, list[dict[str, object]]] = {}
        for row in store.iter_rows("quotes"):
            speaker_id = row["speaker_id"]
            rendering = rendered.get(str(row["id"]), {})
            quote = {
                **row,
                "speaker_name": speakers.get(int(str(speaker_id))) if speaker_id is not None else row["speaker"],
                "utterance_id": rendering.get("utterance_id"),
                "flags": json.loads(str(rendering.get("flags") or "[]")),
            }
            self.by_stem.setdefault(stems.get(str(row["article_id"]), ""), []).append(quote)
        self.canonical = {str(row["id"]): str(row["canonical_quote_id"]) for row in store.iter_rows("utterances")}

    def find(self, key: QuoteKey) -> dict[str, object] | None:
        """The stored quote whose content overlaps the labelled span most (at least half of the span)."""
        best, best_overlap = None, 0
        for quote in self.by_stem.get(key.stem, []):
            start, end = int(str(quote["content_start"])), int(str(quote["content_end"]))
            overlap = min(end, key.end) - max(start, key.start)
            if overlap > best_overlap:
                best, best_overlap = quote, overlap
        return best if best_overlap * 2 >= key.end - key.start else None


def _score(label: dict[str, object], found: _StoredQuotes, scores: TrailScores) -> None:
    quote = found.find(_key(label, ""))
    if quote is None:
        scores.missing += 1
        return
    if label["kind"] == "speaker":
        right = same_speaker(label.get("speaker"), quote["speaker_name"])
        scores.speaker.add(right)
        if not right:
            scores.errors.append(_error(label, quote, expected=label.get("speaker"), found=quote["speaker_name"]))
        return
    statement = found.find(_key(label, "statement_"))
    if statement is None:
        scores.missing += 1
        return
    together = quote["utterance_id"] is not None and quote["utterance_id"] == statement["utterance_id"]
    if label["kind"] == "rendering" and together:
        scores.rendering.add(label["verdict"] == "same")
        if label["verdict"] != "same":
            scores.errors.append(_error(label, quote, expected="another statement", found="grouped together"))
    elif label["kind"] == "flag" and together and "altered_direct_quote" in list(quote["flags"]):  # type: ignore[call-overload]
        scores.flag.add(label["verdict"] == "altered")
        if label["verdict"] != "altered":
            scores.errors.append(_error(label, quote, expected="not altered", found="altered_direct_quote"))


def _error(label: dict[str, object], quote: dict[str, object], expected: object, found: object) -> dict[str, object]:
    """A wrong answer, named by the label's article and offsets, with the run's source text to read."""
    where = {key: label[key] for key in ("kind", "stem", "start", "end")}
    return {**where, "expected": expected, "found": found, "source_text": quote.get("source_text")}


def _key(label: dict[str, object], prefix: str) -> QuoteKey:
    return QuoteKey(str(label[f"{prefix}stem"]), int(str(label[f"{prefix}start"])), int(str(label[f"{prefix}end"])))


def same_speaker(true: object, resolved: object) -> bool:
    """The resolved name names the true speaker: the same surname (last word), and the same first word when
    both give one (`Donald J. Trump` and `Trump` name Donald Trump; `Bill Clinton` does not name Hillary
    Clinton); for a quote of nobody named, no speaker."""
    if not true:
        return not resolved
    if not resolved:
        return False
    true_words, resolved_words = _name_words(str(true)), _name_words(str(resolved))
    if not true_words or not resolved_words or true_words[-1] != resolved_words[-1]:
        return False
    return len(true_words) == 1 or len(resolved_words) == 1 or true_words[0] == resolved_words[0]


def _name_words(name: str) -> list[str]:
    words = [word.strip(".,'’") for word in name.lower().replace("’s", "'s").split()]
    return [word for word in words if word and word != "the"]
