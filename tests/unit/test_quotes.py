"""Attributions: source, cue and content spans, kinds, speakers, the spaCy component, and PolNeAR scores."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from newstrace.evaluation.spans import exact_matches, overlap_matches, trim
from newstrace.link.speakers import link_speakers, role_in
from newstrace.nlp import load_pipeline
from newstrace.nlp.quotes import FoundQuote, Parsed, extract_quotes, find_quotations, is_headline_cased, trusted_quotes
from newstrace.nlp.spans import Span
from newstrace.store import SQLiteStore

from ..conftest import run_cli

QUOTE_CONTRACT = [
    "id", "article_id", "kind", "source_text", "source_start", "source_end", "speaker", "speaker_id",
    "cue_text", "cue_start", "cue_end", "content_text", "content_start", "content_end", "confidence",
    "content_fragments",
]  # fmt: skip


@pytest.fixture(scope="module")
def corpus_store(corpus_db: Path) -> SQLiteStore:
    """The session's analysed sample corpus (tests/conftest.py), read-only: these tests only read it."""
    return SQLiteStore(corpus_db, readonly=True)


def _quotes_by_outlet(store: SQLiteStore, outlet: str, title_word: str) -> list[dict[str, object]]:
    articles = {
        str(row["id"])
        for row in store.iter_rows("articles")
        if row["outlet"] == outlet and title_word in str(row["title"])
    }
    return [row for row in store.iter_rows("quotes") if row["article_id"] in articles]


def test_direct_quote_with_speaker_cue_and_offsets(corpus_store: SQLiteStore) -> None:
    quotes = _quotes_by_outlet(corpus_store, "Meridian Wire", "gravest")
    direct = [q for q in quotes if q["kind"] == "direct"]
    assert any(
        q["speaker"] == "Anneke Holm" and q["cue_text"] == "said" and "gravest danger" in str(q["content_text"])
        for q in direct
    )
    orlan = [q for q in quotes if q["speaker"] == "Pavel Orlan"]
    assert orlan and orlan[0]["kind"] == "partial"


def test_distancing_cue_and_according_to(corpus_store: SQLiteStore) -> None:
    quotes = _quotes_by_outlet(corpus_store, "VDA", "Military bloc")
    assert any(q["cue_text"] == "claimed" and q["speaker"] == "Anneke Holm" for q in quotes)
    according = [q for q in quotes if str(q["cue_text"]).lower() == "according to"]
    assert according and according[0]["speaker"] == "Pavel Orlan"


def test_every_quote_span_indexes_its_article(corpus_store: SQLiteStore) -> None:
    texts = {str(row["id"]): str(row["text"]) for row in corpus_store.iter_rows("articles", include_text=True)}
    rows = list(corpus_store.iter_rows("quotes"))
    assert rows and list(rows[0]) == QUOTE_CONTRACT
    for row in rows:
        text = texts[str(row["article_id"])]
        for role in ("source", "cue", "content"):
            start, end = row[f"{role}_start"], row[f"{role}_end"]
            if isinstance(start, int) and isinstance(end, int):
                assert text[start:end] == row[f"{role}_text"]
        assert row["kind"] in {"direct", "indirect", "mixed", "partial"}
        pieces = json.loads(str(row["content_fragments"]))
        assert [row["content_start"], row["content_end"]] in pieces
        assert pieces == sorted(pieces) and all(end <= after for (_, end), (after, _) in itertools.pairwise(pieces))


def test_speakers_are_one_across_articles(corpus_store: SQLiteStore) -> None:
    speakers = {str(row["name"]): row for row in corpus_store.iter_rows("speakers")}
    holm = speakers["Anneke Holm"]
    assert int(str(holm["n_articles"])) >= 5
    assert "Holm" in json.loads(str(holm["aliases"]))
    assert any("Secretary General" in role for role in json.loads(str(holm["roles"])))


def test_speakers_command_lists_the_most_quoted_first(corpus_db: Path) -> None:
    listed = json.loads(run_cli("speakers", "--db", str(corpus_db), "--json").stdout)
    assert listed[0]["name"] == "Anneke Holm"
    assert listed[0]["n_quotes"] >= listed[-1]["n_quotes"]


def test_short_names_join_the_one_full_name_that_ends_with_them() -> None:
    speakers, canonical = link_speakers(
        [("Jens Stoltenberg", "NATO Secretary General Jens Stoltenberg"), ("Stoltenberg", "Stoltenberg"),
         ("Clinton", "Clinton"), ("Hillary Clinton", "Hillary Clinton"), ("Bill Clinton", "Bill Clinton")]
    )  # fmt: skip
    assert canonical["Stoltenberg"] == "Jens Stoltenberg"
    assert canonical["Clinton"] == "Clinton"  # two full names end with it: no guess
    assert {s.name for s in speakers} == {"Jens Stoltenberg", "Clinton", "Hillary Clinton", "Bill Clinton"}
    assert role_in("Jens Stoltenberg, the outgoing NATO Secretary General,", "Jens Stoltenberg") == (
        "outgoing NATO Secretary General"
    )


def test_quotation_marks_pair_within_paragraphs() -> None:
    text = "“One,” he said. ''Two,'' she said.\n\"Three"
    spans = [text[q.start : q.end] for q in find_quotations(text)]
    assert spans == ["“One,”", "''Two,''"]


def test_spacy_component_sets_doc_extension() -> None:
    import newstrace.nlp.components  # noqa: F401  (registers the components)

    nlp = load_pipeline()
    nlp.add_pipe("newstrace_quotes", last=True)
    try:
        doc = nlp("“We will rebuild the bridge,” Mayor Ada Quist said on Friday.")
        [quote] = doc._.quotes
        assert (quote.kind, quote.speaker) == ("direct", "Ada Quist")
    finally:
        nlp.remove_pipe("newstrace_quotes")


def _pieces(sentence: str) -> list[list[str]]:
    text = sentence
    return [[text[p.start : p.end] for p in quote.content_fragments] for quote in extract_quotes(load_pipeline()(text))]


def test_a_content_the_cue_interrupts_comes_in_pieces() -> None:
    assert _pieces("The bridge, Mayor Ada Quist said on Friday, will reopen in May.") == [
        ["The bridge", "will reopen in May."]
    ]
    two_quotations = "“We will rebuild the bridge,” Mayor Ada Quist said on Friday. “It will reopen in May.”"
    assert _pieces(two_quotations) == [["“We will rebuild the bridge,”", "“It will reopen in May.”"]]


def test_a_following_quotation_stays_with_the_speaker_named_for_it() -> None:
    replied = "“We will rebuild,” Mayor Ada Quist said. “Not this year,” the engineer Pim Dorn replied."
    assert _pieces(replied)[0] == ["“We will rebuild,”"]
    said = "“We will rebuild,” Mayor Ada Quist said. “Not this year,” the engineer Pim Dorn said."
    assert _pieces(said) == [["“We will rebuild,”"], ["“Not this year,”"]]


def test_span_metrics() -> None:
    assert trim("“Hello, world.” ", (0, 16)) == (1, 13)
    assert exact_matches([(0, 5), (0, 5)], [(0, 5)]) == 1
    assert overlap_matches([(0, 10), (0, 4)], [(0, 8)]) == 1
    assert overlap_matches([(0, 3)], [(0, 8)]) == 0


def test_seed_attributions(shared_data: Path) -> None:
    nlp = load_pipeline()
    found = {}
    for path in sorted((shared_data / "seeds").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        found[path.name[:3]] = [(q, text) for q in extract_quotes(nlp(text))]

    def has(seed: str, content_part: str, speaker: str, source: str | None = None) -> bool:
        return any(
            content_part in text[q.content.start : q.content.end]
            and q.speaker == speaker
            and (source is None or (q.source is not None and text[q.source.start : q.source.end] == source))
            for q, text in found[seed]
        )

    assert has("000", "The most significant consequence", "Jens Stoltenberg")
    assert has("000", "“empower”", "Jens Stoltenberg", source="him")
    assert has("000", "“desire NATO’s failure", "Jens Stoltenberg", source="him")
    assert has("000", "“dozens”", "Joe Biden")
    assert has("000", "“close attention”", "Dmitry Peskov")
    assert has("000", "is directly involved in the Ukrainian conflict on the side of Ukraine", "Dmitry Peskov")
    assert has("000", "its intention to inflict a strategic defeat", "NATO", source="which")  # `the alliance`
    assert has("003", "could embolden authoritarian leaders", "Jens Stoltenberg")


def test_a_subject_that_is_part_of_the_view_is_content_and_nobody_is_its_source() -> None:
    text = "The council seemed to send a clear signal to the ferry company."
    [quote] = extract_quotes(load_pipeline()(text))
    assert [text[p.start : p.end] for p in quote.content_fragments] == [
        "The council",
        "to send a clear signal to the ferry company",
    ]
    assert quote.source is None and text[quote.cue.start : quote.cue.end] == "seemed"


def test_a_line_opening_with_a_name_and_a_colon_is_that_persons_words() -> None:
    nlp = load_pipeline()
    text = "Anneke Holm: Tariffs Will Hurt Our Farmers This Winter\n\nThe minister spoke in Tarsby on Monday."
    [quote] = [q for q in extract_quotes(nlp(text)) if text[q.cue.start : q.cue.end] == ":"]
    assert quote.speaker == "Anneke Holm"
    assert text[quote.content.start : quote.content.end] == "Tariffs Will Hurt Our Farmers This Winter"
    label = "Editor’s Note: This article was corrected on Monday to fix a date.\n\nThe ferry runs daily."
    assert not [q for q in extract_quotes(nlp(label)) if label[q.cue.start : q.cue.end] == ":"]


def test_a_person_named_inside_a_group_that_speaks_is_not_its_speaker() -> None:
    """`regulators and advisers to Holm didn't know`: the group speaks, not the person it advises (the
    rule a name off the source's head word already kept for bodies). Fictional."""
    nlp = load_pipeline()
    text = (
        "Anneke Holm runs the ferry line in Tarsby. At first, regulators and advisers to Holm didn't know "
        "that the harbour would close in spring."
    )
    [quote] = [q for q in extract_quotes(nlp(text)) if "advisers" in text[q.source.start : q.source.end]]
    assert quote.speaker is None


def test_it_never_speaks_for_a_person() -> None:
    """`it` is a body or a thing: never the person named last (a report, a court, a company). Fictional."""
    nlp = load_pipeline()
    text = (
        "Anneke Holm said the harbour would close in spring. The port authority published a report on "
        "Monday. It says that the ferries will run until March."
    )
    [quote] = [q for q in extract_quotes(nlp(text)) if text[q.source.start : q.source.end] == "It"]
    assert quote.speaker != "Anneke Holm"


# The sentences below are fictional (the town of Tarsby, Mayor Ada Quist, the engineer Pim Dorn), written for
# these tests; they mirror kinds of span read wrong on PolNeAR in session 27 (docs/trails.md).


def _cues_and_pieces(text: str) -> list[tuple[str, list[str]]]:
    return [
        (text[q.cue.start : q.cue.end], [text[p.start : p.end] for p in q.content_fragments])
        for q in extract_quotes(load_pipeline()(text))
    ]


def test_a_content_of_function_words_alone_is_no_quote() -> None:
    # the rules read `than` and `as` as what was expected (PolNeAR: `had expected | than`, `expected | as`)
    assert _cues_and_pieces("The vote on the harbour came sooner than the council had expected.") == []
    assert _cues_and_pieces("The ferry will run all winter, as expected by the council.") == []
    # a short object stays: PolNeAR's annotators mark `drew | a contrast` as an attribution
    contrast = "The council chair, Ada Quist, drew a contrast, saying that the tolls were not to be dismissed."
    assert _cues_and_pieces(contrast) == [
        ("drew", ["a contrast"]),
        ("saying", ["that the tolls were not to be dismissed"]),
    ]


def test_a_piece_of_function_words_is_dropped_from_a_content_in_pieces() -> None:
    text = "But, Mayor Ada Quist said on Friday, the harbour tolls will rise in May."
    parsed = Parsed.of(load_pipeline()(text))
    but, rest = Span(0, 3), Span(text.index("the harbour"), len(text) - 1)
    cue = Span(text.index("said"), text.index("said") + 4)
    quote = FoundQuote(None, cue, rest, "indirect", 0.9, None, (but, rest))
    [kept] = trusted_quotes(parsed, [quote])
    assert (kept.content, kept.fragments) == (rest, ())


def test_a_headline_cue_must_score_higher_than_one_in_running_text() -> None:
    text = "Pim Dorn Reportedly Caught In Yet Another Harbour Scandal.\n\nThe engineer spoke in Tarsby on Monday."
    assert not [cue for cue, _ in _cues_and_pieces(text) if cue == "Reportedly"]  # scored 0.53 before
    says = "Pim Dorn Says Ferries Will Stop In March.\n\nThe engineer spoke in Tarsby on Monday."
    assert ("Says", ["Ferries Will Stop In March"]) in _cues_and_pieces(says)
    assert is_headline_cased("Ada Quist Put On The Defensive Over Harbour Policy.")
    assert is_headline_cased("8. WHERE THE MAYOR PLANS TO CLOSE THE HARBOUR")
    assert not is_headline_cased("Ada Quist put the council on the defensive.")
    assert not is_headline_cased("Related:")


def test_the_full_stop_the_parse_hangs_on_a_cue_is_no_content() -> None:
    # the content was `.` before quotes stage 17 (PolNeAR: `"That is a false equivalency!" Maher replied.`)
    replied = "“The harbour is a disgrace!” the engineer Pim Dorn replied. “How many ferries are left?”"
    assert _cues_and_pieces(replied) == [("replied", ["“The harbour is a disgrace!”", "“How many ferries are left?”"])]
    wrote = "“The tolls are a scandal and a shame. A sad day for Tarsby!” Pim Dorn wrote."
    assert _cues_and_pieces(wrote) == [("wrote", ["“The tolls are a scandal and a shame. A sad day for Tarsby!”"])]
