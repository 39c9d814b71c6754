"""The content-end choice: which words are candidates, and that the model's weights decide among them."""

from __future__ import annotations

import pytest

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


SCORED_TEXTS = (
    "Holm said the ferry would run again, which pleased the islanders, Dorn added later.",
    '"The harbour is closed for now," Holm told reporters on Monday. "It will open after the storm."',
    "Dorn said that the council - not the mayor - would decide; critics, however, said it was too late.",
    "According to Holm, the plan works well, at least in the north, and costs less than expected.",
    "Officials said the bridge, built in 1962 and repaired twice, was safe ... for now. Holm disagreed.",
    'Holm argued "the vote was rigged" and urged Congress to act, adding: "We will not wait."',
)


def _models() -> list[LinearModel]:
    """The shipped model, and one whose every feature weighs something, so no feature goes unread."""
    from newstrace.nlp.content_ends import content_end_model

    shipped = content_end_model()
    assert shipped is not None
    spread = {name: ((number * 7919) % 200 - 100) / 37.0 for number, name in enumerate(sorted(shipped.weights))}
    return [shipped, LinearModel(shipped.intercept, spread)]


def test_the_scorer_from_ids_chooses_what_best_end_chooses() -> None:
    from newstrace.nlp.content_ends import EndScorer
    from newstrace.nlp.quotes import Parsed, content_end_barrier, rule_quotes

    nlp = load_pipeline()
    compared = 0
    for model in _models():
        for text in SCORED_TEXTS:
            parsed = Parsed.of(nlp(text))
            scorer = EndScorer(parsed.doc, parsed.sentences, parsed.quotations, model)
            for quote in rule_quotes(parsed):
                if quote.fragments:
                    continue
                barrier = content_end_barrier(quote, parsed)
                for start, end in ((quote.content.start, quote.content.end), (quote.content.start, len(text))):
                    found = end_candidates(parsed.doc, start, end, barrier, parsed.sentences)
                    expected = None
                    if found is not None:
                        expected = (found.rule_last.i, best_end(parsed.doc, found, model, parsed.quotations).i)
                    assert scorer.best(start, end, barrier) == expected, (text, start, end)
                    compared += expected is not None
    assert compared >= 12


def test_the_scorer_chooses_the_same_when_it_forgets_the_ids_it_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import newstrace.nlp.content_ends as content_ends
    import newstrace.nlp.linear_model as linear_model

    monkeypatch.setattr(linear_model, "MAX_NAMED_IDS", 2)
    monkeypatch.setattr(content_ends, "_WEIGHTS", [])
    test_the_scorer_from_ids_chooses_what_best_end_chooses()
    assert all(len(table) <= 2 for table in vars(content_ends._WEIGHTS[0][1]).values() if isinstance(table, dict))
