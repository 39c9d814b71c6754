"""The hand-labelled trail and speaker set behind `newstrace eval trails` (issue 18, must-have 5)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from newstrace.evaluation.trails import TrailScores, _score, _StoredQuotes, load_labels, same_speaker
from newstrace.store import SQLiteStore

from ..conftest import run_analyze

KEYS = {"kind", "stem", "start", "end", "statement_stem", "statement_start", "statement_end", "verdict", "speaker"}


def test_the_labels_hold_offsets_and_verdicts_only() -> None:
    labels = load_labels()
    assert all(set(label) <= KEYS for label in labels)  # no article text
    kinds = Counter(str(label["kind"]) for label in labels)
    assert kinds["speaker"] == 100
    statements = {
        (label["statement_stem"], label["statement_start"]) for label in labels if label["kind"] == "rendering"
    }
    assert len(statements) >= 60
    assert {label["verdict"] for label in labels if label["kind"] == "rendering"} == {"same", "different"}
    assert {label["verdict"] for label in labels if label["kind"] == "flag"} == {"altered", "not_altered"}


def test_a_speaker_is_named_by_surname_and_first_name() -> None:
    assert same_speaker("Donald Trump", "Trump") and same_speaker("Donald Trump", "Donald J. Trump")
    assert same_speaker("Guttmacher Institute", "the Guttmacher Institute")
    assert not same_speaker("Hillary Clinton", "Bill Clinton")
    assert not same_speaker("Obama administration", "Obama")
    assert same_speaker(None, None) and not same_speaker(None, "Jeb Bush") and not same_speaker("Jeb Bush", None)


def test_a_wrong_speaker_is_listed_with_its_article_and_offsets(store: SQLiteStore, tmp_path: Path) -> None:
    """What `eval trails --errors` prints: each label the run got wrong, by article stem and offsets."""
    said = "“The harbour tolls will rise next spring,”"
    text = f"Tolls rise\n\nA fictional article written for a newstrace test.\n\n{said} Anneke Holm said on Monday.\n"
    (tmp_path / "fiction_harbour.txt").write_text(text, encoding="utf-8")
    run_analyze(store, tmp_path)
    start = text.index(said)
    end = start + len(said)
    found = _StoredQuotes(store)
    scores = TrailScores()
    for speaker in ("Anneke Holm", "Pieter Dorn"):
        label = {"kind": "speaker", "stem": "fiction_harbour", "start": start, "end": end, "speaker": speaker}
        _score(label, found, scores)
    assert scores.speaker.hits == 1 and scores.speaker.total == 2
    [error] = scores.errors
    assert error["stem"] == "fiction_harbour" and error["start"] == start
    assert error["expected"] == "Pieter Dorn" and error["found"] == "Anneke Holm"
