"""The shortcuts that make the quotes and events stages cheaper give what the full path gives: the tokens
the rules and the event reader start from are told from attribute ids, an actor found for a phrase is
kept, and a Doc's text is read once. Every text here is fictional and marked so."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import newstrace.nlp.events as events
import newstrace.nlp.quotes as quotes
from newstrace.events.actors import Actor, by_first_letter, find_actor
from newstrace.events.actors import _case_sensitive as case_sensitive_names
from newstrace.events.actors import _entries as actor_names
from newstrace.events.actors import _patterns as actor_patterns
from newstrace.events.agent_dictionary import DICTIONARY_VARIABLE, agent_sectors
from newstrace.memo import Memo
from newstrace.nlp import DOC_STAGES, analyse_texts, load_pipeline
from newstrace.nlp.events import _NounChunks, candidate_words, extract_event_mentions
from newstrace.nlp.spans import document_text
from newstrace.records import AnalysisRequest

# Fictional texts: headlines with a capitalised cue, a colon line, `according to` in any case, cues inside
# and outside quotation marks, words the lemmatizer capitalises, event verbs, adjectives and nouns.
TEXTS = [
    "Holm Says Harbour Tariffs Will Hurt Farmers\n\n"
    'Senator Anneke Holm said on Tuesday that the harbour tariffs would hurt farmers. "We warned them," '
    "she added. According to the Delft ministry, the talks resumed. ACCORDING TO Pavel Orlan, nothing moved.",
    "Anneke Holm and Pavel Orlan debated in Utrecht.\nHOLM: Well, the council must withdraw the order.\n"
    "ORLAN: We will not.\n"
    "The council, which met in Utrecht, condemned Vanuatu and pledged to send aid to the province.",
    "Dorn Lines denied the claims. The rebels attacked the town, officials in Norway told reporters, and "
    "the ministry was ready to mediate. A visit by the Swiss envoy is expected, the spokeswoman noted.",
    'Q: Did you meet him?\nA: No.\n"It is over," Orlan wrote, arguing that the treaty had failed; '
    "analysts are expected by many to urge calm. The union staged a hunger strike against the port.",
    "",
    "   \n\t  \u00a0 ",
]


@pytest.fixture(scope="module")
def docs() -> list[Any]:
    nlp = load_pipeline()
    return [nlp(text) for text in TEXTS]


def _every_token_the_rules_start_from(parsed: quotes.Parsed) -> set[int]:
    return {
        token.i
        for token in parsed.doc
        if quotes._from_reporting_verb(token, parsed)
        or quotes._from_according_to(token, parsed)
        or quotes._from_colon(token, parsed)
    }


def test_the_rules_candidates_hold_every_token_a_rule_finds_a_quote_from(docs: list[Any]) -> None:
    lexicon = quotes.cue_lexicon()
    started_from: set[str] = set()
    for doc in docs:
        candidates = quotes.rule_candidates(doc)
        # exactly the tokens whose lemma and part of speech the lexicon holds, `according` and `:`
        assert candidates == [
            token.i
            for token in doc
            if quotes.lexicon_key(token) in lexicon or token.lower_ == "according" or token.text == ":"
        ]
        starts = _every_token_the_rules_start_from(quotes.Parsed.of(doc))
        assert starts <= set(candidates)
        started_from |= {doc[index].lower_ for index in starts}
    assert {"says", "said", "according", ":"} <= started_from  # each rule, and a capitalised cue


def test_a_cue_lexicon_loaded_again_is_read_again(docs: list[Any], monkeypatch: pytest.MonkeyPatch) -> None:
    doc = docs[0]
    said = next(token.i for token in doc if token.lower_ == "said")
    assert said in quotes.rule_candidates(doc)
    without_say = {key: entry for key, entry in quotes.cue_lexicon().items() if not key.startswith("say/")}
    monkeypatch.setattr(quotes, "cue_lexicon", lambda: without_say)
    assert said not in quotes.rule_candidates(doc)


def test_the_event_reader_sees_every_verb_adjective_and_noun(docs: list[Any]) -> None:
    for doc in docs:
        assert candidate_words(doc) == [token.i for token in doc if token.pos_ in ("VERB", "ADJ", "NOUN")]
    assert any(extract_event_mentions(doc, "fictional", 0) for doc in docs)


def _candidates(words: list[Any]) -> list[tuple[int, object, object, object]]:
    found = events._sentence_candidates(words)
    return [(c.token.i, c.trigger, c.auxiliary, None if c.frame is None else c.frame.i) for c in found]


def test_the_words_an_event_may_start_from_give_the_candidates_every_word_gives(docs: list[Any]) -> None:
    kept = 0
    for doc in docs:
        chosen = set(events.event_words(doc))
        assert chosen <= set(candidate_words(doc))
        kept += len(chosen)
        for sentence in doc.sents:
            every = [token for token in sentence if token.i in set(candidate_words(doc))]
            assert _candidates([token for token in every if token.i in chosen]) == _candidates(every)
    assert 0 < kept < sum(len(candidate_words(doc)) for doc in docs)  # some words kept, some left out
    assert any(events._sentence_candidates(list(doc)) for doc in docs)


def test_the_noun_chunks_read_a_sentence_at_a_time_are_the_documents(docs: list[Any]) -> None:
    for doc in docs:
        chunks = _NounChunks(doc)
        assert not chunks.whole  # spaCy derives a parsed text's sentences from its arcs
        by_sentence = [bounds for sentence in doc.sents for bounds in zip(*chunks.around(sentence.start), strict=True)]
        assert by_sentence == [(start, end) for start, end, _ in doc.noun_chunks_iterator(doc)]
        for token in doc:  # any token of a sentence finds that sentence's chunks
            assert chunks.around(token.i) == chunks.around(token.sent.start)
    assert any(len(list(doc.sents)) > 1 and list(doc.noun_chunks) for doc in docs)


def _quotations_char_by_char(text: str) -> list[tuple[int, int]]:
    """The quotations as a walk over every character of every line finds them (the reference)."""
    found, start = [], 0
    marks = text.replace("''", '" ')
    for line in marks.split("\n"):
        opened: tuple[int, str] | None = None
        for index, char in enumerate(line):
            if opened is None and char in quotes.QUOTE_PAIRS:
                opened = (index, quotes.QUOTE_PAIRS[char])
            elif opened is not None and char == opened[1]:
                end = start + index + 1
                found.append((start + opened[0], end + 1 if text[end - 1 : end + 1] == "''" else end))
                opened = None
        start += len(line) + 1
    return found


def test_quotations_found_from_the_marks_alone_are_those_a_walk_over_every_character_finds() -> None:
    texts = [
        *TEXTS,
        'He said "the port is closed" and \u201cit stays closed\u201d, then \u00abnothing\u00bb.',
        "\u201eOpen in one house style\u201c, and \u201cone left open\nacross a line\u201d, ''doubled'' marks.",
        '"unclosed on this line\n" and "" empty, \u201c nested "inner" \u201d',
    ]
    for text in texts:
        found = [(span.start, span.end) for span in quotes.find_quotations(text)]
        assert found == _quotations_char_by_char(text)
    assert sum(len(quotes.find_quotations(text)) for text in texts) >= 8


def test_an_actor_found_for_a_phrase_follows_a_newly_named_agent_dictionary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dictionary = tmp_path / "agents.txt"  # a fictional dictionary in the PETRARCH format
    dictionary.write_text("ABBOT [~REL]\nABBOTS [~REL]\n", encoding="utf-8")
    monkeypatch.delenv(DICTIONARY_VARIABLE, raising=False)
    agent_sectors.cache_clear()
    try:
        assert find_actor("Swiss abbots") == Actor("CHE", "Switzerland", "country", None)
        monkeypatch.setenv(DICTIONARY_VARIABLE, str(dictionary))
        agent_sectors.cache_clear()
        assert find_actor("Swiss abbots") == Actor("CHE", "Switzerland", "country", "REL")
        monkeypatch.delenv(DICTIONARY_VARIABLE)
        agent_sectors.cache_clear()
        assert find_actor("Swiss abbots") == Actor("CHE", "Switzerland", "country", None)
    finally:
        agent_sectors.cache_clear()


def test_a_memo_keeps_answers_while_its_source_stays_and_within_its_limit() -> None:
    sources = [{"version": 1}]
    computed: list[str] = []

    def length(key: str) -> int:
        computed.append(key)
        return len(key) * sources[-1]["version"]

    memo: Memo[str, int] = Memo(lambda: sources[-1], limit=2)
    assert [memo.get(key, length) for key in ("ab", "ab", "abc")] == [2, 2, 3]
    assert computed == ["ab", "abc"]
    assert memo.get("abcd", length) == 4  # two answers kept: all forgotten before the third
    assert memo.get("ab", length) == 2 and computed[-1] == "ab"
    sources.append({"version": 10})  # another source object: every answer is computed again
    assert memo.get("ab", length) == 20


def test_the_worker_gives_the_rows_the_stages_give_on_a_doc_that_rebuilds_its_text() -> None:
    nlp = load_pipeline()
    text = TEXTS[0] + "\n\n  " + TEXTS[2] + "\t\u00a0end.  "  # fictional, with odd white space
    [outputs] = analyse_texts(nlp, [AnalysisRequest("fictional", text, "en")])
    doc = nlp(text)
    assert document_text(doc) == doc.text == text
    for stage, output in zip(DOC_STAGES, outputs, strict=True):
        assert output.rows == stage.extract(nlp(text), "fictional", 0)


def _flat(aliases: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])({})(?![\w-])".format("|".join(map(re.escape, aliases))), re.IGNORECASE)


def _grouped(aliases: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])({})(?![\w-])".format("|".join(by_first_letter(aliases))), re.IGNORECASE)


def _found(pattern: re.Pattern[str], texts: list[str]) -> list[tuple[int, str] | None]:
    return [(match.start(), match.group(0)) if (match := pattern.search(text)) else None for text in texts]


def test_names_grouped_by_first_letter_match_as_one_alternation_of_them_all() -> None:
    # fictional names whose first letters `re.IGNORECASE` takes for one another (ſ/s/S, ı/i/I/İ, K (Kelvin)/k),
    # where a shorter name of one spelling would win over a longer one of another if they were apart
    aliases = sorted(
        [
            "Sarnia Bay Port",
            "ſarnia port",
            "sarnia",
            "Sar",
            "Istra Bay Head",
            "ıstra head",
            "istra",
            "İs",
            "Kelva Bay Pass",
            "\u212aelva pass",
            "kelva",
            "Vale",
            "-Vo",
        ],
        key=len,
        reverse=True,
    )
    texts = [
        "the Sarnia Port council", "SARNIA PORT", "ſar said", "Istra Head", "İSTRA HEAD and ıs", "istra",
        "\u212aELVA PASS", "Kelva Pass", "kelva-led", "vale", "x-vo", "Sarnian", "the Kel of Vale",
    ]  # fmt: skip
    assert _found(_grouped(aliases), texts) == _found(_flat(aliases), texts)


def test_every_actor_name_is_found_as_one_alternation_of_all_names_finds_it() -> None:
    words_pattern, _ = actor_patterns()
    names = [name for name in sorted(actor_names(), key=len, reverse=True) if name not in case_sensitive_names()]
    texts = [variant for name in names for variant in (f"the {name} said", name.upper(), name.lower())]
    assert _found(words_pattern, texts) == _found(_flat(names), texts)


def test_the_cue_bound_from_ids_keeps_every_candidate_the_classifiers_bound_keeps(docs: list[Any]) -> None:
    model = quotes.cue_model()
    assert model is not None
    kept = turned_down = 0
    for doc in docs:
        parsed = quotes.Parsed.of(doc)
        for index in quotes.rule_candidates(doc):
            key = quotes.lexicon_key(doc[index])
            entry = quotes.cue_lexicon().get(key)
            if entry is None:
                continue
            links = quotes._links_to_content(entry)
            exact = quotes.CueContext.of(doc[index], parsed.quotations, parsed.sentences).may_pass(model, links)
            cheap = parsed.cue_bound(model).may_pass(index, key, links)
            assert cheap or not exact, doc[index].text
            kept += exact
            turned_down += not cheap
    assert kept and turned_down  # both answers are met on these texts


def test_the_cue_bound_counts_a_child_only_for_what_it_may_add() -> None:
    doc = load_pipeline()("Holm said the plan works, officials in Delft added.")  # fictional
    parsed = quotes.Parsed.of(doc)
    model = quotes.cue_model()
    assert model is not None
    index = next(token.i for token in doc if token.text == "said")
    key, links = quotes.lexicon_key(doc[index]), ("child:ccomp",)

    def bound_with(intercept: float, child_weight: float) -> bool:
        weights = {**model.weights, "child=nsubj": child_weight, "has_subject": 0.0}
        return parsed.cue_bound(quotes.LinearModel(intercept, weights, model.threshold)).may_pass(index, key, links)

    # spaCy may leave a child out of `children` that the heads hold, so a child's weight against the cue
    # cannot lower the bound (the exact check turns it down), while a weight for it lifts it
    assert bound_with(10.0, 0.0) and bound_with(10.0, -50.0)
    assert not bound_with(-40.0, 0.0) and bound_with(-40.0, 50.0)
    exact = quotes.LinearModel(10.0, {**model.weights, "child=nsubj": -50.0}, model.threshold)
    assert not quotes.CueContext.of(doc[index], parsed.quotations, parsed.sentences).may_pass(exact, links)
