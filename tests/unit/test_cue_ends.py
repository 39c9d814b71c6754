"""The cue-end and cue-start choices: which words are candidates, and that the weights decide; a cue that
grows into its content moves the content's start."""

from __future__ import annotations

from dataclasses import replace

from newstrace.nlp import load_pipeline
from newstrace.nlp.cue_ends import best_cue_start, cue_end_candidates, cue_end_features, cue_start_candidates
from newstrace.nlp.linear_model import LinearModel
from newstrace.nlp.quotes import Parsed, Span, keep_cues_apart, rule_quotes, with_learned_cue_end

TEXT = "The mayor is calling for the council to repair the old bridge before winter."


def test_a_cue_may_grow_into_the_content_right_after_it_but_not_to_its_end() -> None:
    doc = load_pipeline()(TEXT)
    cue = (TEXT.index("is calling"), TEXT.index(" for"))
    content = (TEXT.index("for the"), TEXT.index("."))
    found = cue_end_candidates(doc, cue, content, None, may_enter_content=True)
    assert found is not None and [word.text for word in found.words] == ["calling", "for", "the", "council", "to"]
    assert cue_end_candidates(doc, cue, content, None, may_enter_content=False) is None
    features = cue_end_features(doc, found, found.words[1])
    assert "cue+ext=call|for" in features and "into=True" in features


def test_the_weights_decide_and_the_content_starts_after_a_grown_cue() -> None:
    parsed = Parsed.of(load_pipeline()(TEXT))
    [quote] = rule_quotes(parsed)
    quote = replace(
        quote,
        cue=Span(TEXT.index("is calling"), TEXT.index(" for")),
        content=Span(TEXT.index("for the"), TEXT.index(".")),
    )
    stays = with_learned_cue_end(parsed, quote, LinearModel(-1.0, {"stop": 2.0}))
    assert stays == quote
    grows = with_learned_cue_end(parsed, quote, LinearModel(-1.0, {"cue+ext=call|for": 3.0}))
    assert TEXT[grows.cue.start : grows.cue.end] == "is calling for"
    assert TEXT[grows.content.start : grows.content.end] == "the council to repair the old bridge before winter"


def test_a_cue_may_start_up_to_three_words_earlier_or_past_its_own_leading_words() -> None:
    text = "Holm, the minister, had last month also charged that the ferry was unsafe."
    doc = load_pipeline()(text)
    found = cue_start_candidates(doc, (text.index("also"), text.index(" that")), floor=text.index(" had"))
    assert found is not None
    assert [word.text for word in found.words] == ["also", "month", "last", "had", "charged"]
    assert best_cue_start(doc, found, LinearModel(-1.0, {"k=0": 2.0})).text == "also"
    assert best_cue_start(doc, found, LinearModel(-1.0, {"cue+ext=charge|had_last_month": 3.0})).text == "had"
    assert best_cue_start(doc, found, LinearModel(-1.0, {"cue+drop=charge|also": 3.0})).text == "charged"


def test_a_moved_cue_never_meets_another_quotes_cue() -> None:
    parsed = Parsed.of(load_pipeline()(TEXT))
    [quote] = rule_quotes(parsed)
    first = replace(quote, cue=Span(0, 3))
    second = replace(quote, cue=Span(10, 12))
    onto_the_first = replace(second, cue=Span(0, 12))
    assert keep_cues_apart([first, second], [first, onto_the_first]) == [first, second]
    apart = replace(second, cue=Span(5, 12))
    assert keep_cues_apart([first, second], [first, apart]) == [first, apart]
