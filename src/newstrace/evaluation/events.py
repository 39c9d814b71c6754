"""`newstrace eval events`: score event types and actors against PLOVER gold-standard records.

Each gold record is one sentence with its event type, actor(s) and recipient(s). newstrace reads the
sentence with the same extraction the events stage runs, takes its main event (the mention with resolved
actors and the highest confidence) and reads it as PLOVER's single category (`single_category`: "will
give" is an AGREE there). Scores: type accuracy and macro-F1 over the 16 types, actor and recipient
accuracy (a code matches a gold code, IGO/NGO gold codes match an organisation of that kind), each with
a 95 % bootstrap interval.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newstrace.events.records import EventMention
from newstrace.events.types import EVENT_TYPES, current_type, single_category

# CAMEO country codes that differ from ISO 3166 alpha-3, as gold records may use them.
_CAMEO_TO_ISO = {"JAP": "JPN", "VTN": "VNM", "ITL": "ITA", "GMY": "DEU", "UKG": "GBR", "ROM": "ROU"}
BOOTSTRAP_SAMPLES = 1000


@dataclass(frozen=True)
class GoldRecord:
    """One gold sentence: its text, PLOVER type and the codes of its actors and recipients."""

    id: str
    text: str
    event_type: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]


@dataclass(frozen=True)
class Prediction:
    """The main event read from one gold sentence (None fields when nothing was found)."""

    event_type: str | None
    source: tuple[str | None, str | None]  # (code, kind)
    target: tuple[str | None, str | None]
    trigger: str | None = None
    source_text: str | None = None
    target_text: str | None = None


def load_gold(path: Path) -> list[GoldRecord]:
    """The records of a PLOVER gold JSON file; ValueError names the file and the problem."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return [
            GoldRecord(
                id=str(item["id"]),
                text=str(item["text"]),
                event_type=current_type(str(item["event"])),
                sources=tuple(str(actor["code"]) for actor in item.get("source", [])),
                targets=tuple(str(actor["code"]) for actor in item.get("target", [])),
            )
            for item in raw
        ]
    except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{path}: not a PLOVER gold file ({error})") from error


def main_event(mentions: Sequence[EventMention]) -> Prediction:
    """The sentence's main event: resolved actors first, then confidence, then the earliest trigger."""
    if not mentions:
        return Prediction(None, (None, None), (None, None))
    best = min(mentions, key=lambda m: (m.source_code is None, -m.confidence, m.trigger_start))
    return Prediction(
        single_category(best.event_type, best.auxiliary),
        (best.source_code, best.source_kind),
        (best.target_code, best.target_kind),
        best.trigger_text,
        best.source_text,
        best.target_text,
    )


_ORGANISATION_KINDS = frozenset({"IGO", "NGO"})


def actor_matches(predicted: tuple[str | None, str | None], gold_codes: Sequence[str]) -> bool:
    """Whether a predicted (code, kind) is one of the gold codes. The gold records code international
    organisations by class only, and not consistently (international NGOs are IGO
    there, NGO in CAMEO), so a gold IGO or NGO matches an organisation of either kind."""
    code, kind = predicted
    wanted = {_CAMEO_TO_ISO.get(gold, gold) for gold in gold_codes}
    return code in wanted or (kind in _ORGANISATION_KINDS and bool(wanted & _ORGANISATION_KINDS))


@dataclass(frozen=True)
class EventScores:
    """Point estimates with 95 % bootstrap intervals, and per-type F1."""

    records: int
    accuracy: tuple[float, float, float]
    macro_f1: tuple[float, float, float]
    source_accuracy: tuple[float, float, float]
    target_accuracy: tuple[float, float, float]
    per_type_f1: dict[str, float]

    def to_dict(self) -> dict[str, object]:
        def triple(values: tuple[float, float, float]) -> dict[str, float]:
            return {"value": round(values[0], 4), "low": round(values[1], 4), "high": round(values[2], 4)}

        return {
            "records": self.records,
            "type_accuracy": triple(self.accuracy),
            "type_macro_f1": triple(self.macro_f1),
            "source_accuracy": triple(self.source_accuracy),
            "target_accuracy": triple(self.target_accuracy),
            "per_type_f1": {name: round(value, 4) for name, value in self.per_type_f1.items()},
        }


def macro_f1(gold: Sequence[str], predicted: Sequence[str | None]) -> float:
    """F1 averaged over the 16 types that occur in gold or prediction."""
    return sum(_per_type_f1(gold, predicted).values()) / max(len(_per_type_f1(gold, predicted)), 1)


def _per_type_f1(gold: Sequence[str], predicted: Sequence[str | None]) -> dict[str, float]:
    scores = {}
    for name in EVENT_TYPES:
        true_positive = sum(1 for g, p in zip(gold, predicted, strict=True) if g == p == name)
        gold_count, predicted_count = gold.count(name), sum(1 for p in predicted if p == name)
        if gold_count or predicted_count:
            scores[name] = 2 * true_positive / (gold_count + predicted_count)
    return scores


def score(records: Sequence[GoldRecord], predictions: Sequence[Prediction], seed: int = 21) -> EventScores:
    """Type accuracy and macro-F1, actor and recipient accuracy, with bootstrap intervals."""
    gold_types = [record.event_type for record in records]
    predicted_types = [prediction.event_type for prediction in predictions]
    type_hits = [float(g == p) for g, p in zip(gold_types, predicted_types, strict=True)]
    source_hits = [float(actor_matches(p.source, r.sources)) for r, p in zip(records, predictions, strict=True)]
    target_hits = [
        float(actor_matches(p.target, r.targets)) for r, p in zip(records, predictions, strict=True) if r.targets
    ]
    rng = random.Random(seed)
    indices = range(len(records))

    def f1_of(sample: Sequence[int]) -> float:
        return macro_f1([gold_types[i] for i in sample], [predicted_types[i] for i in sample])

    return EventScores(
        records=len(records),
        accuracy=_with_interval(type_hits, _mean_of(type_hits), rng),
        macro_f1=_bootstrap(list(indices), f1_of, rng),
        source_accuracy=_with_interval(source_hits, _mean_of(source_hits), rng),
        target_accuracy=_with_interval(target_hits, _mean_of(target_hits), rng),
        per_type_f1=_per_type_f1(gold_types, predicted_types),
    )


def _mean_of(values: Sequence[float]) -> Callable[[Sequence[int]], float]:
    return lambda sample: sum(values[i] for i in sample) / max(len(sample), 1)


def _with_interval(
    values: Sequence[float], statistic: Callable[[Sequence[int]], float], rng: random.Random
) -> tuple[float, float, float]:
    return _bootstrap(list(range(len(values))), statistic, rng)


def _bootstrap(
    indices: list[int], statistic: Callable[[Sequence[int]], float], rng: random.Random
) -> tuple[float, float, float]:
    """The statistic on all items and the 2.5th and 97.5th percentiles over resamples with replacement."""
    if not indices:
        return (0.0, 0.0, 0.0)
    samples = sorted(statistic(rng.choices(indices, k=len(indices))) for _ in range(BOOTSTRAP_SAMPLES))
    return (statistic(indices), samples[int(0.025 * len(samples))], samples[int(0.975 * len(samples)) - 1])


Extractor = Callable[[Any, str, int], list[EventMention]]


def predict(records: Sequence[GoldRecord], nlp: Any, extract: Extractor) -> list[Prediction]:
    """The main event of every gold sentence, read with `nlp` and `extract` (the events stage's own)."""
    docs = nlp.pipe(record.text for record in records)
    return [main_event(extract(doc, record.id, 0)) for record, doc in zip(records, docs, strict=True)]


def evaluate_events(gold: Path, nlp: Any, extract: Extractor) -> EventScores:
    """Read every gold sentence with `nlp` and `extract` (the events stage's own) and score it."""
    records = load_gold(gold)
    return score(records, predict(records, nlp, extract))


def error_rows(records: Sequence[GoldRecord], predictions: Sequence[Prediction]) -> list[dict[str, object]]:
    """One row per gold record that a measure misses: the gold type and codes next to ours, with the
    trigger and actor texts we found, so the failures can be grouped by cause."""
    rows: list[dict[str, object]] = []
    for record, prediction in zip(records, predictions, strict=True):
        misses = {
            "type": prediction.event_type != record.event_type,
            "source": not actor_matches(prediction.source, record.sources),
            "target": bool(record.targets) and not actor_matches(prediction.target, record.targets),
        }
        if not any(misses.values()):
            continue
        rows.append(
            {
                "id": record.id,
                "missed": [name for name, missed in misses.items() if missed],
                "gold": {"type": record.event_type, "source": record.sources, "target": record.targets},
                "ours": {
                    "type": prediction.event_type,
                    "trigger": prediction.trigger,
                    "source": [prediction.source[0], prediction.source_text],
                    "target": [prediction.target[0], prediction.target_text],
                },
                "text": record.text,
            }
        )
    return rows
