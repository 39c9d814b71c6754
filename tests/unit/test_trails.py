"""Grouping quotes into utterances and describing renderings, on hand-made quotes (and one analysed pair)."""

from __future__ import annotations

import sys
import tomllib
from datetime import date
from pathlib import Path

from newstrace.link.trails import QuoteInput, TrailGrouper, Utterance, canonical_rendering, content_keys, describe
from newstrace.store import SQLiteStore

from ..conftest import REPO, run_analyze

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


def test_the_same_claim_months_later_is_a_new_utterance_that_recurs() -> None:
    grouper = TrailGrouper()
    first = grouper.add(_quote("1", SAID, day=1))
    later = grouper.add(QuoteInput("2", "a2", "o", date(2024, 11, 20), 1, "Jens Stoltenberg", "direct", SAID))
    assert later is not first and later.recurs_from == first.id


def test_renderings_are_described_against_the_earliest_full_direct_quote() -> None:
    _, placed = _group(
        _quote("1", "that Russia winning would be the greatest risk", "indirect"),
        _quote("2", SAID),
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
    floors = tomllib.loads((REPO / "tests" / "accuracy_floors.toml").read_text())["trails"]["polnear_perturbed"]
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
    split = store.connection.execute("SELECT id FROM quotes WHERE json_array_length(content_fragments) = 2")
    [(split_id,)] = split.fetchall()
    renderings = store.connection.execute("SELECT quote_id, fidelity, flags, utterance_id FROM renderings")
    rows = {row[0]: row[1:] for row in renderings}
    assert len(rows) == 2 and len({utterance for _, _, utterance in rows.values()}) == 1
    assert rows[split_id][:2] == (1.0, "[]")
