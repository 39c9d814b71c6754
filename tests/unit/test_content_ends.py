"""The content-end choice: which words are candidates, and that the model's weights decide among them."""

from __future__ import annotations

from newstrace.nlp import load_pipeline
from newstrace.nlp.content_ends import best_end, end_candidates, end_features
from newstrace.nlp.linear_model import LinearModel

TEXT = "Holm said the ferry would run again, which pleased the islanders, Dorn added later."


def _candidates(barrier: int) -> tuple[object, object]:
    doc = load_pipeline()(TEXT)
    start = TEXT.index("the ferry")
    found = end_candidates(doc, start, TEXT.index(", which"), barrier)
    assert found is not None
    return doc, found


def test_candidates_run_from_the_content_to_the_sentence_end_and_stop_before_a_barrier() -> None:
    _, found = _candidates(len(TEXT))
    words = [token.text for token in found.candidates]
    assert words[0] == "the" and words[-1] == "later" and "," not in words
    assert found.rule_last.text == "again"
    _, bounded = _candidates(TEXT.index("Dorn"))
    assert [token.text for token in bounded.candidates][-1] == "islanders"


def test_the_weights_decide_where_the_content_ends() -> None:
    doc, found = _candidates(TEXT.index("Dorn"))
    keeps_the_rule = LinearModel(-2.0, {"rule_end": 3.0})
    assert best_end(doc, found, keeps_the_rule, []).text == "again"
    likes_a_comma_after = LinearModel(-2.0, {"next=,": 1.0, "dist=+4-7": 2.0})
    assert best_end(doc, found, likes_a_comma_after, []).text == "islanders"
    features = end_features(doc, found, found.rule_last, [])
    assert "rule_end" in features and "next=," in features
