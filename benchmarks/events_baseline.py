"""The events baseline of issue 21: TF-IDF + logistic regression trained on the NGEC synthetic stories,
scored on the PLOVER gold sentences next to newstrace's own extraction, in the same run.

    python benchmarks/events_baseline.py [--data ../shared/data]

The synthetic stories are LLM-generated with pseudo-labels (training data only); the gold sentences are
only measured on. Prints type accuracy and macro-F1 for both, as JSON.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import zipfile
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from newstrace.evaluation.events import evaluate_events, load_gold, macro_f1
from newstrace.events.types import current_type
from newstrace.nlp import load_pipeline
from newstrace.nlp.events import extract_event_mentions


def synthetic_stories(data: Path) -> tuple[list[str], list[str]]:
    """(texts, labels) of the NGEC synthetic stories, labels in current PLOVER names."""
    archive = next((data / "ngec").glob("gpt_synthetic_events_*.csv.zip"))
    with zipfile.ZipFile(archive) as bundle:
        name = next(entry for entry in bundle.namelist() if entry.endswith(".csv"))
        rows = list(csv.DictReader(io.TextIOWrapper(bundle.open(name), encoding="utf-8")))
    texts, labels = [], []
    for row in rows:
        try:
            labels.append(current_type(row["label"]))
        except ValueError:
            continue
        texts.append(row["text"])
    return texts, labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    data = parser.parse_args().data
    gold_path = data / "plover" / "plover_gsr_dev.json"
    gold = load_gold(gold_path)
    texts, labels = synthetic_stories(data)
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    model = LogisticRegression(max_iter=2000, C=5.0).fit(vectorizer.fit_transform(texts), labels)
    predicted = list(model.predict(vectorizer.transform([record.text for record in gold])))
    truth = [record.event_type for record in gold]
    baseline = {
        "type_accuracy": round(sum(p == t for p, t in zip(predicted, truth, strict=True)) / len(truth), 4),
        "type_macro_f1": round(macro_f1(truth, predicted), 4),
    }
    newstrace = evaluate_events(gold_path, load_pipeline(), extract_event_mentions).to_dict()
    print(json.dumps({"baseline_tfidf_logreg": baseline, "newstrace": newstrace}, indent=2))


if __name__ == "__main__":
    main()
