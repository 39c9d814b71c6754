"""The quotes stage does work in proportion to the text: counted in function calls, never timed.

A paragraph of repeated reported speech (fictional) is analysed at two lengths; twice the text must
cost at most about twice the calls. Before the lookups became binary searches, every quote scanned
every quotation, entity and person of the document, and every candidate end walked its sentence, so
twice the text cost nearly three times the calls at these sizes, and more the longer the text.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from types import FrameType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace.nlp import load_pipeline
from newstrace.nlp.content_ends import MAX_END_SHIFT
from newstrace.nlp.quotes import (
    FoundQuote,
    Parsed,
    content_end_choices,
    extract_quotes,
    keep_cues_apart,
    rule_quotes,
)
from newstrace.nlp.spans import SentenceIndex, Span

# Fictional speakers and claims.
QUOTED = 'Minister Anneke Holm said that the plan would "protect the schools"'
REPORTED = "the minister said that the budget would cover the new wards"
SHAPES = {
    "sentences": f"{QUOTED}. {REPORTED[0].upper()}{REPORTED[1:]}. ",
    "run-on": f"{QUOTED}, {REPORTED}, ",  # one paragraph that is one enormous sentence
}


def _calls_to_extract(text: str) -> int:
    """Python and C function calls made while extracting the quotes of `text` (parsed beforehand)."""
    doc = load_pipeline()(text)
    calls = 0

    def count(frame: FrameType, event: str, arg: object) -> None:
        nonlocal calls
        calls += event in ("call", "c_call")

    sys.setprofile(count)
    try:
        extract_quotes(doc)
    finally:
        sys.setprofile(None)
    return calls


@pytest.mark.parametrize("shape", SHAPES)
def test_twice_the_text_costs_the_quotes_stage_about_twice_the_work(shape: str) -> None:
    single, double = (_calls_to_extract(SHAPES[shape] * repeats) for repeats in (60, 120))
    assert double / single < 2.2, f"{shape}: {single:,} calls, then {double:,} for twice the text"


def test_content_end_candidates_stay_near_the_rules_end_in_an_enormous_sentence() -> None:
    doc = load_pipeline()(SHAPES["run-on"] * 150)
    parsed = Parsed.of(doc)
    assert len(list(doc.sents)) == 1 and len(doc) > 4 * MAX_END_SHIFT
    quotes = rule_quotes(parsed)
    choices = [content_end_choices(parsed, quote) for quote in quotes]
    sizes = [len(found.candidates) for found in choices if found is not None]
    assert sizes and max(sizes) <= 2 * MAX_END_SHIFT + 1


def test_the_sentence_index_agrees_with_spacy() -> None:
    text = "Holm spoke first.\nThen Dorn said the plan works. The ferry, Holm added, runs daily!"
    doc = load_pipeline()(text)
    sentences = SentenceIndex(doc)
    for token in doc:
        assert sentences.bounds(token.i) == (token.sent.start, token.sent.end)
        found = sentences.characters(token.i)
        assert (found.start, found.end) == (token.sent.start_char, token.sent.end_char)


def _meets(first: Span, second: Span) -> bool:
    return first.start == second.start or (first.start < second.end and second.start < first.end)


def _keep_cues_apart_by_scanning(before: list[FoundQuote], after: list[FoundQuote]) -> list[FoundQuote]:
    """The rule stated plainly: compare each moved cue with every other quote's cues, old and new."""
    kept = list(after)
    for index, (old, new) in enumerate(zip(before, after, strict=True)):
        others = [
            quote.cue for other, pair in enumerate(zip(before, after, strict=True)) if other != index for quote in pair
        ]
        if new.cue != old.cue and any(_meets(new.cue, cue) for cue in others):
            kept[index] = old
    return kept


_cue = st.tuples(st.integers(0, 40), st.integers(1, 6)).map(lambda pair: Span(pair[0], pair[0] + pair[1]))


@settings(deadline=None, max_examples=300)
@given(st.lists(st.tuples(_cue, _cue), max_size=8))
def test_keeping_cues_apart_by_index_is_the_same_as_comparing_every_pair(cues: list[tuple[Span, Span]]) -> None:
    template = FoundQuote(None, Span(0, 1), Span(0, 1), "indirect", 1.0, None)
    before = [replace(template, cue=old) for old, _ in cues]
    after = [replace(template, cue=new) for _, new in cues]
    assert keep_cues_apart(before, after) == _keep_cues_apart_by_scanning(before, after)
