"""Grouping quotes into utterances and describing renderings, on hand-made quotes (and one analysed pair)."""

from __future__ import annotations

import json
import sys
from dataclasses import fields, replace
from datetime import date
from pathlib import Path

import pytest

from newstrace.link.trails import (
    QuoteInput,
    TrailGrouper,
    Utterance,
    canonical_rendering,
    content_keys,
    describe,
    same_passage_repeats,
)
from newstrace.nlp import embeddings
from newstrace.pipeline.stages import downstream, stage
from newstrace.pipeline.trails import _describe as describe_utterance
from newstrace.pipeline.trails import _still_described as still_described
from newstrace.pipeline.trails import build_trails
from newstrace.records import Article, Quote, StageOutput
from newstrace.store import SQLiteStore

from ..conftest import REPO, accuracy_floors, run_analyze

SAID = "“The biggest cost and the greatest risk will be if Russia wins in Ukraine, and we must prevent it,”"


def _quote(quote_id: str, content: str, kind: str = "direct", speaker: int | None = 1, day: int = 1) -> QuoteInput:
    name = {1: "Jens Stoltenberg", 2: "Dmitry Peskov"}.get(speaker or 0)
    return QuoteInput(quote_id, f"a{quote_id}", f"outlet{quote_id}", date(2024, 7, day), speaker, name, kind, content)


def _group(*quotes: QuoteInput) -> tuple[TrailGrouper, list[Utterance]]:
    grouper = TrailGrouper()
    return grouper, [grouper.add(quote) for quote in quotes]


def test_near_synonyms_share_a_key() -> None:
    assert content_keys("a Russian victory is the gravest danger") & content_keys("Russia's win, the biggest threat")


def test_truncations_partials_and_paraphrases_join_the_utterance() -> None:
    _, placed = _group(
        _quote("1", SAID),
        _quote("2", "“the greatest risk will be if Russia wins in Ukraine”", "partial"),
        _quote("3", "that the greatest risk would be a Russian win in Ukraine, which must be prevented", "indirect"),
        _quote("4", "that the biggest danger would be if Russia won the war in Ukraine", "indirect"),
    )
    assert len({utterance.id for utterance in placed}) == 1


def test_another_statement_by_the_same_speaker_is_a_separate_utterance() -> None:
    _, placed = _group(_quote("1", SAID), _quote("2", "“NATO allies agreed to deliver five more Patriot systems,”"))
    assert placed[0].id != placed[1].id


def test_the_same_words_under_another_name_join_and_are_flagged() -> None:
    _, placed = _group(_quote("1", SAID), _quote("2", SAID, speaker=2))
    utterance = placed[1]
    assert placed[0] is utterance
    report = describe(utterance.renderings[1], canonical_rendering(utterance), utterance)
    assert "speaker_changed" in report.flags


def test_short_fragments_join_only_word_for_word() -> None:
    _, placed = _group(_quote("1", SAID), _quote("2", "“greatest risk”", "partial"), _quote("3", "“risk”", "partial"))
    assert placed[1] is placed[0] and placed[2] is placed[0]
    _, apart = _group(_quote("1", SAID), _quote("2", "“risk assessment”", "partial"))
    assert apart[1] is not apart[0]


def test_a_stock_phrase_of_several_statements_joins_none_of_them() -> None:
    rally = "“Nothing will change in Drovnia unless we start a people's uprising against the grain barons,”"
    victory = "“Tonight the voters of Ostmark confirmed that a people's uprising has begun across the valley,”"
    _, placed = _group(_quote("1", rally), _quote("2", victory, day=9), _quote("3", "a “people's uprising”", day=20))
    assert placed[0] is not placed[1]
    assert placed[2] is not placed[0] and placed[2] is not placed[1]
    _, once = _group(_quote("1", rally), _quote("3", "a “people's uprising”", day=20))
    assert once[1] is once[0]  # one statement holds the words: the fragment renders it


def test_a_stock_phrase_still_joins_its_statement_in_the_same_article() -> None:
    rally = "“Nothing will change in Drovnia unless we start a people's uprising against the grain barons,”"
    victory = "“Tonight the voters of Ostmark confirmed that a people's uprising has begun across the valley,”"
    headline = replace(_quote("3", "“people's uprising”", day=9), article_id="a2")
    _, placed = _group(_quote("1", rally), _quote("2", victory, day=9), headline)
    assert placed[2] is placed[1]
    copy = replace(_quote("3", "“people's uprising”", day=10), copy_of="a2")  # a copy of that article
    _, copied = _group(_quote("1", rally), _quote("2", victory, day=9), copy)
    assert copied[2] is copied[1]


def test_the_same_claim_months_later_is_a_new_utterance_that_recurs() -> None:
    grouper = TrailGrouper()
    first = grouper.add(_quote("1", SAID, day=1))
    later = grouper.add(QuoteInput("2", "a2", "o", date(2024, 11, 20), 1, "Jens Stoltenberg", "direct", SAID))
    assert later is not first and later.recurs_from == first.id


def test_renderings_are_described_against_the_earliest_full_direct_quote() -> None:
    _, placed = _group(
        _quote("2", SAID),
        _quote("1", "that Russia winning would be the greatest risk", "indirect"),
        _quote("3", SAID.replace("greatest", "biggest").replace("prevent", "stop")),
        _quote("4", "“the greatest risk will be if Russia wins in Ukraine”", "partial"),
    )
    utterance = placed[0]
    canonical = canonical_rendering(utterance)
    assert canonical.quote_id == "2"
    reports = {r.quote_id: describe(r, canonical, utterance) for r in utterance.renderings}
    assert reports["2"].fidelity == 1.0 and reports["2"].flags == ()
    assert reports["3"].flags == ("altered_direct_quote",) and reports["3"].fidelity < 1.0
    assert {"op": "substituted", "canonical": "greatest", "rendering": "biggest"} in reports["3"].diff
    assert reports["4"].flags == ("truncated",)
    assert reports["1"].flags == ("paraphrased_as_indirect",)


def test_perturbed_polnear_trails_stay_above_the_pinned_floors(shared_data: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import trails as benchmark  # benchmarks/trails.py
    finally:
        sys.path.pop(0)
    floors = accuracy_floors("trails", "polnear_perturbed")
    quotes, family_of, expected = benchmark.build(400, 11)
    grouper = TrailGrouper()
    placed = {quote.quote_id: grouper.add(quote) for quote in quotes}
    _, _, f1 = benchmark.pairwise_f1({quote: utterance.id for quote, utterance in placed.items()}, family_of)
    flagged = set()
    for utterance in {id(u): u for u in placed.values()}.values():
        canonical = canonical_rendering(utterance)
        flagged |= {
            r.quote_id
            for r in utterance.renderings
            if "altered_direct_quote" in describe(r, canonical, utterance).flags
        }
    truth = {quote for quote, flag in expected.items() if flag == "altered_direct_quote"}
    assert f1 >= floors["pairwise_f1"]
    assert len(flagged & truth) / len(flagged) >= floors["misquote_precision"]


def test_a_quote_split_by_its_cue_is_compared_whole(store: SQLiteStore, tmp_path: Path) -> None:
    """`"A," Holm said. "B."` renders the same words as `Holm said: "A. B."`, so it is not a truncation."""
    preamble = "A fictional article written for a newstrace test.\n\n"
    (tmp_path / "split.txt").write_text(
        f'Tolls to rise\n\n{preamble}"The harbour tolls will rise next spring," Anneke Holm said on Monday. '
        '"Every shipping firm should prepare for that now."\n'
    )
    (tmp_path / "whole.txt").write_text(
        f'Holm on tolls\n\n{preamble}Anneke Holm said on Monday: "The harbour tolls will rise next spring. '
        'Every shipping firm should prepare for that now."\n'
    )
    run_analyze(store, tmp_path)
    [split_id] = [row["id"] for row in store.iter_rows("quotes") if len(json.loads(str(row["content_fragments"]))) == 2]
    renderings = store.iter_rows("renderings")
    rows = {row["quote_id"]: (row["fidelity"], row["flags"], row["utterance_id"]) for row in renderings}
    assert len(rows) == 2 and len({utterance for _, _, utterance in rows.values()}) == 1
    assert rows[split_id][:2] == (1.0, "[]")


def _in_story(quote: QuoteInput, story: str | None, speaker: int | None) -> QuoteInput:
    name = {1: "Jens Stoltenberg", 2: "Dmitry Peskov"}.get(speaker or 0)
    return QuoteInput(quote.quote_id, quote.article_id, quote.outlet, quote.published, speaker, name, quote.kind,
                      quote.content, story)  # fmt: skip


def test_a_quote_of_no_speaker_joins_only_near_identical_words_in_the_same_story() -> None:
    paraphrase = "that Russia had to be stopped in Ukraine before it was too late"
    _, placed = _group(
        _in_story(_quote("1", SAID), "s1", 1),
        _in_story(_quote("2", paraphrase, "indirect"), "s1", None),  # same story, not near-identical
        _in_story(_quote("3", SAID), "s2", None),  # the same words, another story
        _in_story(_quote("4", "“the greatest risk will be if Russia wins in Ukraine”", "partial"), "s1", None),
    )
    assert placed[1] is not placed[0] and placed[2] is not placed[0]
    assert placed[3] is placed[0]  # word for word inside the direct rendering, same story


def test_renderings_are_judged_against_the_canonical_text_so_nothing_chains() -> None:
    second = "“Allies will deliver five more Patriot batteries to Kyiv before the winter comes.”"
    both = SAID.rstrip(",”") + " " + second.lstrip("“")
    _, placed = _group(_quote("1", SAID), _quote("2", both), _quote("3", second))
    assert placed[1] is not placed[0]  # two statements: the second sentence is not in the canonical text
    assert placed[2] is not placed[0]


def test_a_long_canonical_text_does_not_take_a_quote_whose_words_are_scattered_over_it() -> None:
    speech = (
        "“Russia must not win this war. Our support for Ukraine will continue as long as it takes. "
        "The alliance has never been stronger, and Sweden makes us stronger still.”"
    )
    other = "“We must win the argument for more support at home, and this alliance will continue.”"
    _, placed = _group(_quote("1", speech), _quote("2", other))
    assert placed[1] is not placed[0]


def test_a_word_or_two_joins_only_inside_a_direct_rendering() -> None:
    scattered = "“Ukraine, a risk for Russia”"  # three content words of the statement, not a run of it
    _, placed = _group(_quote("1", SAID), _quote("2", "“Ukraine”", "partial"), _quote("3", scattered, "partial"))
    assert placed[1] is placed[0] and placed[2] is not placed[0]


def test_the_canonical_text_is_the_earliest_direct_rendering_not_the_longest() -> None:
    embellished = SAID.replace("will be if", "of all, whatever Moscow threatens, will be if")
    _, placed = _group(_quote("1", SAID, day=1), _quote("2", embellished, day=2))
    utterance = placed[0]
    assert placed[1] is utterance
    canonical = canonical_rendering(utterance)
    assert canonical.quote_id == "1"
    reports = {r.quote_id: describe(r, canonical, utterance) for r in utterance.renderings}
    assert reports["1"].flags == ()  # the wire's words: not `truncated`
    assert reports["2"].flags == ("altered_direct_quote",)


def test_quoted_words_of_another_statement_are_no_misquote() -> None:
    utterance = Utterance("u", 1, "Jens Stoltenberg", [_quote("1", SAID)])
    loose = _quote("2", "that Russia must not win and that allies will send “more tanks, more shells and more pilots”",
                   "partial")  # fmt: skip
    cut_stop_word = _quote("3", SAID.replace("and the greatest", "and greatest"))
    assert describe(loose, utterance.renderings[0], utterance).flags == ()
    assert describe(cut_stop_word, utterance.renderings[0], utterance).flags == ()
    negated = _quote("4", SAID.replace("we must prevent", "we must not prevent"))
    assert "altered_direct_quote" in describe(negated, utterance.renderings[0], utterance).flags


def test_an_utterance_that_loses_a_rendering_is_grouped_and_described_again(store: SQLiteStore, tmp_path: Path) -> None:
    """A new quotes version that drops the canonical quote leaves no stale count or canonical id behind."""
    preamble = "A fictional article written for a newstrace test.\n\n"
    said = '"The harbour tolls will rise next spring, and every shipping firm should prepare for that now,"'
    openings = {
        "wire": "Port Aster will charge ships more from next year.",
        "daily": "The bay is quiet in winter, and the ferries run twice a day.",
        "weekly": "Traders at the fish market were busy on Monday morning.",
    }
    for outlet, opening in openings.items():
        (tmp_path / f"{outlet}.txt").write_text(
            f"Tolls: the {outlet} report\n\n{preamble}{opening}\n\n{said} Anneke Holm said on Monday.\n"
        )
    run_analyze(store, tmp_path)
    [utterance] = store.iter_rows("utterances")
    assert utterance["n_renderings"] == 3
    _store_quotes_without(store, str(utterance["canonical_quote_id"]))  # what a new quotes version may do
    build_trails(store)
    [after] = store.iter_rows("utterances")
    quotes = {row["id"] for row in store.iter_rows("quotes")}
    assert after["n_renderings"] == 2 == len(quotes) and after["canonical_quote_id"] in quotes
    assert {row["quote_id"] for row in store.iter_rows("renderings")} == quotes


def _store_quotes_without(store: SQLiteStore, dropped: str) -> None:
    """Store the quotes of the article holding quote `dropped` again without it, as a new quotes version
    that no longer finds it would (the stages that read quotes become stale on the article)."""
    [row] = [row for row in store.iter_rows("quotes") if row["id"] == dropped]
    article_id = str(row["article_id"])
    kept = [
        Quote(**{field.name: getattr(quote, field.name) for field in fields(Quote)})
        for quote in store.quotes_of([article_id])
        if quote.id != dropped
    ]
    stored = store.article(article_id)
    assert stored is not None
    columns = {field.name: getattr(stored, field.name) for field in fields(Article)}
    spans = tuple((start, end) for start, end in json.loads(stored.header_spans))
    article = Article(**{**columns, "field_sources": json.loads(stored.field_sources), "header_spans": spans})
    output = StageOutput("quotes", stage("quotes").number, {"quotes": list[object](kept)})
    store.save_article(article, [output], store.begin_run("test"), downstream("quotes"))


def test_a_rendering_is_no_truncation_of_itself() -> None:
    partial = _quote("1", "that Russia would “lose the war it started” before winter", "partial")
    utterance = Utterance("u", 1, "Jens Stoltenberg", [partial])
    assert describe(partial, canonical_rendering(utterance), utterance).flags == ()


def test_reported_speech_of_a_word_or_two_joins_nothing() -> None:
    _, placed = _group(_quote("1", SAID), _quote("2", "Ukraine", "indirect"), _quote("3", "that", "indirect"))
    assert placed[1] is not placed[0] and placed[2] is not placed[0]


def test_quoting_further_possessives_and_editorial_brackets_are_no_misquote() -> None:
    said = "“What the [censored] is going on at the harbour board? Nobody there reads ISIS's statements,”"
    utterance = Utterance("u", 1, "Jens Stoltenberg", [_quote("1", said)])
    further = _quote("2", "“What is going on at the harbour board? Nobody there reads ISIS’ statements, and I will.”")
    assert describe(further, utterance.renderings[0], utterance).flags == ()


def test_an_article_quoting_one_speaker_twice_gives_two_statements() -> None:
    """Two quotes of one speaker at two places of one article, sharing words: two statements."""
    asked = "“What is the most dangerous harbour in the world you have sailed into?”"
    said = "“There are harbours in Kestria that are among the most dangerous in the world.”"
    first = QuoteInput("1", "a1", "o", date(2024, 7, 1), 1, "Jens Stoltenberg", "direct", asked, None, (10, 80))
    second = QuoteInput("2", "a1", "o", date(2024, 7, 1), 1, "Jens Stoltenberg", "direct", said, None, (300, 380))
    elsewhere = QuoteInput("3", "a2", "o", date(2024, 7, 1), 1, "Jens Stoltenberg", "direct", said, None, (5, 85))
    _, placed = _group(first, second, elsewhere)
    assert placed[1] is not placed[0]
    assert placed[2] is placed[1]  # the same words in another article are a rendering


def _one_passage_renderings() -> list[QuoteInput]:
    """Fictional: a partial quote, one nested in it, the same words in a same-outlet copy of the article,
    and in another outlet's copy."""
    said = "that the tolls will rise in spring and that “every shipping firm in Port Aster should prepare for that now”"
    inner = "“every shipping firm in Port Aster should prepare for that now”"
    return [
        QuoteInput("1", "a1", "o", date(2024, 7, 1), 1, "Anneke Holm", "partial", said, None, (100, 210)),
        QuoteInput("2", "a1", "o", date(2024, 7, 1), 1, "Anneke Holm", "partial", inner, None, (160, 210)),
        QuoteInput("3", "a2", "o", date(2024, 7, 2), 1, "Anneke Holm", "partial", said, None, (90, 200), "a1"),
        QuoteInput("4", "a3", "p", date(2024, 7, 2), 1, "Anneke Holm", "partial", said, None, (90, 200), "a1"),
    ]


def test_one_passage_gives_one_rendering_per_article() -> None:
    """A partial quote inside reported speech of the same sentence, and the same words in a near-duplicate
    copy of the article from the same outlet, repeat a passage: flagged `same_passage`, not renderings of
    their own; another outlet's copy is that outlet's rendering."""
    _, placed = _group(*_one_passage_renderings())
    utterance = placed[0]
    assert all(found is utterance for found in placed)
    canonical = canonical_rendering(utterance)
    repeats = same_passage_repeats(utterance, canonical)
    assert repeats == {"2", "3"}
    reports = {r.quote_id: describe(r, canonical, utterance, repeats=repeats) for r in utterance.renderings}
    assert reports["2"].flags == ("same_passage",) and reports["3"].flags == ("same_passage",)
    assert "same_passage" not in reports["4"].flags


def test_an_utterance_counts_its_renderings_as_its_trail_shows_them() -> None:
    """The stored counts leave out the `same_passage` repeats, as the trail page does (the listing, speaker
    and story pages read them), and a stored row so counted is still taken as describing its renderings."""
    _, placed = _group(*_one_passage_renderings())
    row, renderings = describe_utterance(placed[0])
    shown = [r for r in renderings if "same_passage" not in json.loads(r.flags)]
    assert row.n_renderings == len(shown) == 2 and row.n_outlets == 2
    assert still_described(placed[0], row)
    assert not still_described(placed[0], replace(row, n_renderings=4))  # a count of every quote is outdated


def test_the_same_quoted_words_are_no_truncation_whatever_surrounds_them() -> None:
    """A partial quote whose quoted words are all the canonical partial quote's is not `truncated`."""
    said = "that he has “expanded the Kestrian party,” claiming record turnout in the harbour towns"
    canonical = _quote("1", said, "partial")
    again = _quote("2", "that he has “expanded the Kestrian party,” claiming record turnout", "partial")
    cut = _quote("3", "that he has “expanded the party,”", "partial")
    utterance = Utterance("u", 1, "Jens Stoltenberg", [canonical, again, cut])
    assert "truncated" not in describe(again, canonical, utterance).flags
    assert "truncated" not in describe(cut, canonical, utterance).flags  # `the party` is no run of the canonical
    shorter = _quote("4", "that he “expanded the Kestrian party”", "partial")
    assert describe(shorter, _quote("5", "“We expanded the Kestrian party, and we will win,”"), utterance).flags == (
        "truncated",
    )


def test_fillers_and_sentences_quoted_further_are_no_misquote() -> None:
    """`I mean` in one transcript and not the other, or a sentence of the speech quoted before the
    canonical one, leaves the statement's words unaltered; a changed word inside still counts."""
    canonical = _quote("1", "“In Port Aster, a ferry sank. This is just unbearable, and it must stop.”")
    utterance = Utterance("u", 1, "Jens Stoltenberg", [canonical])
    filler = _quote("2", "“In Port Aster, a ferry sank. I mean, this is just unbearable, and it must stop.”")
    further = _quote("3", "“I think of myself as a patient harbour master. This is just unbearable, and it must stop.”")
    changed = _quote("4", "“In Port Aster, a ferry sank. I mean, this is just tolerable, and it must stop.”")
    assert describe(filler, canonical, utterance).flags == ()
    assert "altered_direct_quote" not in describe(further, canonical, utterance).flags
    assert "altered_direct_quote" in describe(changed, canonical, utterance).flags


def test_reported_speech_sharing_a_few_topic_words_is_another_statement() -> None:
    said = "that the harbour's problems of unpaid tolls and big shipping money need “a new kind of port politics”"
    _, placed = _group(_quote("1", said, "partial"), _quote("2", "the influence of big money in politics", "indirect"))
    assert placed[1] is not placed[0]


# -- renderings in another language (fictional statements, as in tests/fixtures/multilingual) ----------

DELIVER = "“Every system we deliver protects a city and its people,”"
DELIVER_IT = "«Ogni sistema che consegniamo protegge una città e la sua gente»"
DELIVER_RU = "«Каждая система, которую мы поставляем, защищает город и его жителей»"
UNITED_RU = "«Альянс не станет отступать от своих обязательств, и мы будем едины»"


def _in_language(quote: QuoteInput, language: str) -> QuoteInput:
    return replace(quote, language=language)


def test_a_translated_rendering_joins_its_statement_flagged_translated_without_a_word_diff() -> None:
    _, placed = _group(
        _in_language(_quote("1", DELIVER), "en"),
        _in_language(_quote("2", DELIVER_IT, day=2), "it"),
        _in_language(_quote("3", DELIVER_RU, day=2), "ru"),
        _in_language(_quote("4", UNITED_RU, day=2), "ru"),  # the same speaker, another statement
        _in_language(_quote("5", DELIVER_RU, speaker=2, day=2), "ru"),  # the same words, another speaker
    )
    assert placed[0] is placed[1] is placed[2]
    assert placed[3] is not placed[0] and placed[4] is not placed[0]
    utterance = placed[0]
    canonical = canonical_rendering(utterance)
    assert canonical.quote_id == "1"
    for rendering in utterance.renderings[1:]:
        report = describe(rendering, canonical, utterance)
        assert report.flags == ("translated",) and report.diff == []
        assert 0.7 <= report.fidelity <= 1.0
    assert describe(canonical, canonical, utterance).flags == ()


def test_the_canonical_text_stays_in_the_language_of_the_first_day_english_first() -> None:
    _, placed = _group(_in_language(_quote("9", DELIVER_IT), "it"), _in_language(_quote("8", DELIVER), "en"))
    assert canonical_rendering(placed[0]).quote_id == "8"


def test_without_a_multilingual_model_a_translation_stays_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings, "model_for", lambda language, other: None)
    _, placed = _group(_in_language(_quote("1", DELIVER), "en"), _in_language(_quote("2", DELIVER_IT, day=2), "it"))
    assert placed[0] is not placed[1]


def test_content_keys_give_each_caller_a_set_of_its_own() -> None:
    text = "The storm is the greatest risk to the ferries of Velmora."  # fictional
    keys = content_keys(text)
    keys.add("changed")  # a caller may change what it got; the kept keys stay as computed
    assert "changed" not in content_keys(text) and content_keys(text) == keys - {"changed"}
