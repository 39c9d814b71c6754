"""The trails do not depend on the order articles arrive in (issue 25): a corpus taken in over two runs,
in either order, gives the utterances and renderings one run gives, compared by content (which quotes
render one utterance, its canonical quote, each rendering's fidelity, diff and flags) and by id.

Every article, speaker and quote here is fictional, written for this test.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from newstrace.link.trails import QuoteInput, TrailSettings
from newstrace.pipeline.orchestrate import StoredStageSettings, redo_after
from newstrace.pipeline.speakers import resolve_speakers
from newstrace.pipeline.stages import record
from newstrace.pipeline.trails import build_trails
from newstrace.store import SQLiteStore, Store, open_store

from .test_speaker_batches import _BATCHES, _CORRECTIONS, _correct, _store_batch_forgetting, _whole_store_corrected
from .test_trails_candidates import _fictional_retellings
from .test_trails_runs import _articles, _store_articles

Content = tuple[frozenset[tuple[object, ...]], frozenset[tuple[object, ...]]]


def _said(number: int, article: str, day: int, kind: str, content: str, speaker: int | None = 1) -> QuoteInput:
    return QuoteInput(
        f"q{number}", article, f"outlet {article}", date(2025, 3, 1) + timedelta(days=day), speaker,
        f"Speaker {speaker}" if speaker else None, kind, content, "s1",
    )  # fmt: skip


# A fictional harbour statement: said in full on 4 March, cut on the 5th, retold on the 6th, misquoted
# on the 7th; the same cut again seven weeks later (a new utterance recurring from it), and another remark.
_STATEMENT = [
    _said(7, "a1", 3, "direct", "“The harbour tolls will rise in spring, and shipping firms must prepare for it.”"),
    _said(3, "a2", 4, "direct", "“The harbour tolls will rise in spring”"),
    _said(5, "a3", 5, "indirect", "that harbour tolls would rise in the spring"),
    _said(2, "a4", 6, "direct", "“The harbour tolls will soar in spring, and shipping firms must prepare for it.”"),
    _said(4, "a5", 50, "direct", "“The harbour tolls will rise in spring”"),
    _said(1, "a6", 12, "direct", "“The ferry routes stay open all winter.”", speaker=2),
]


def by_content(store: Store) -> Content:
    """The trails tables by content: each utterance as its quotes, canonical quote, speaker (by name: speaker
    ids follow the order of arrival), first article
    and counts (and the canonical quote of the utterance it recurs from); each rendering as its quote, its
    utterance's canonical quote, its fidelity, diff and flags."""
    utterances = {str(row["id"]): row for row in store.iter_rows("utterances")}
    renderings = list(store.iter_rows("renderings"))
    quotes: dict[str, set[str]] = {}
    for row in renderings:
        quotes.setdefault(str(row["utterance_id"]), set()).add(str(row["quote_id"]))

    def canonical(utterance_id: object) -> object:
        return utterances[str(utterance_id)]["canonical_quote_id"] if utterance_id else None

    kept = ("canonical_quote_id", "speaker", "first_article_id", "first_seen", "n_renderings", "n_outlets")
    described = frozenset(
        (frozenset(quotes[key]), canonical(row["recurs_from"]), *(row[name] for name in kept))
        for key, row in utterances.items()
    )
    rendered = frozenset(
        (row["quote_id"], canonical(row["utterance_id"]), row["fidelity"], row["diff"], row["flags"])
        for row in renderings
    )
    return described, rendered


def _in_runs(location: Path, runs: list[list[list[QuoteInput]]], settings: TrailSettings) -> tuple[Content, list[str]]:
    """The trails after taking in each run's articles in turn: by content, and the utterance ids."""
    store = open_store(location)
    for articles in runs:
        _store_articles(store, articles)
        build_trails(store, settings)
    found = by_content(store), sorted(str(row["id"]) for row in store.iter_rows("utterances"))
    store.close()  # type: ignore[attr-defined]
    return found


def _whole_and_halves(
    tmp_path: Path, quotes: list[QuoteInput], settings: TrailSettings
) -> list[tuple[Content, list[str]]]:
    """One run over every article, then two runs (every other article by date, then the rest) in both orders."""
    articles = sorted(_articles(quotes), key=lambda found: (found[0].published, found[0].article_id))
    first, second = articles[::2], articles[1::2]
    orders = {"whole": [articles], "first": [first, second], "second": [second, first]}
    return [_in_runs(tmp_path / f"{name}.db", runs, settings) for name, runs in orders.items()]


def test_a_statement_whose_retellings_arrive_first_is_grouped_as_in_one_run(tmp_path: Path) -> None:
    """The cut, the paraphrase and the misquote arrive in a run before the full statement: one utterance
    still holds them all with the earliest full rendering as its source, the misquote flagged against it."""
    whole, first, second = _whole_and_halves(tmp_path, _STATEMENT, TrailSettings())
    described, rendered = whole[0]
    statement = next(row for row in described if row[1:3] == (None, "q7"))
    assert statement[0] == {"q7", "q3", "q5", "q2"}
    assert (frozenset({"q4"}), "q7", "q4") in {row[:3] for row in described}  # said again, weeks later
    assert ("q2", "q7") in {row[:2] for row in rendered if "altered_direct_quote" in str(row[4])}
    assert first == whole
    assert second == whole


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_fictional_retellings_taken_in_two_runs_in_either_order_group_as_one_run(tmp_path: Path, seed: int) -> None:
    quotes = _fictional_retellings(seed, 160)
    whole, first, second = _whole_and_halves(tmp_path, quotes, TrailSettings())
    assert len(whole[0][0]) < len(quotes) - 20  # many quotes joined: there is something to agree on
    assert first[0] == whole[0]
    assert second[0] == whole[0]
    assert first[1] == second[1] == whole[1]  # the ids too: an utterance is named by its earliest quote


@pytest.mark.parametrize("whole", [False, True])
def test_a_quote_moved_to_another_speaker_is_grouped_with_its_new_speakers_statements(
    tmp_path: Path, whole: bool
) -> None:
    """The speaker batches of `test_speaker_batches` (fictional), the trails built after each batch and
    correction: a1's bare `Velt`, which the second batch makes Mara Velt's, leaves the utterance it opened
    under Jonas Velt's name for hers, as in one run (before, three runs gave 8 utterances, one run 5).
    `whole`: the speakers' kept sums dropped before each run, which then resolves the whole corpus."""
    batched = SQLiteStore(tmp_path / "batched.db")
    for number, batch in enumerate(_BATCHES):
        _store_batch_forgetting(batched, batch, whole)
        resolve_speakers(batched)
        build_trails(batched)
        for correction in _CORRECTIONS[number] if number < len(_CORRECTIONS) else []:
            _correct(batched, correction)
            build_trails(batched)
    one = _whole_store_corrected(tmp_path / "one.db")
    resolve_speakers(one)
    build_trails(one)
    described, _ = by_content(one)
    velt = next(row for row in described if "q_a1_1" in row[0])
    assert velt[0] >= {"q_a1_0", "q_a1_1", "q_a4_1"}  # Mara Velt's statement, her bare `Velt` in a1 among it
    assert by_content(batched) == by_content(one)


def test_a_correction_groups_the_trails_of_the_quotes_it_moved_before_the_command_ends(tmp_path: Path) -> None:
    """A user's correction (`newstrace speakers merge|rename`) points stored quotes at another speaker and
    makes their articles' trails, event groups and framing stale; the orchestrator redoes those stages in
    the same command (`redo_after`), so nothing is left pending for the next `analyze`, and the trails are
    one run's. (Before, they stayed grouped under the old speaker until the next `analyze`.)"""
    batched = SQLiteStore(tmp_path / "batched.db")
    settings = StoredStageSettings(skip=frozenset({"link"}))
    redone: list[dict[str, object]] = []
    for number, batch in enumerate(_BATCHES):
        _store_batch_forgetting(batched, batch, False)
        resolve_speakers(batched)
        build_trails(batched)
        for correction in _CORRECTIONS[number] if number < len(_CORRECTIONS) else []:
            _correct(batched, correction)
            redone.append(dict(redo_after(batched, "speakers", settings)["trails"]))
            assert batched.pending_articles("trails", record("trails").version) == []
    assert all(summary["quotes_grouped"] for summary in redone)  # the rename and the merge moved quotes
    one = _whole_store_corrected(tmp_path / "one.db")
    resolve_speakers(one)
    build_trails(one)
    assert by_content(batched) == by_content(one)


def _daily_statements(days: int, a_day: int) -> tuple[list[QuoteInput], dict[str, str]]:
    """Fictional: speaker 1 makes `a_day` statements a day, of eight words from a small made-up vocabulary
    (each word in many statements, no two statements sharing more than two), each retold in six of its
    words by another outlet a week later; and each retelling's quote id -> the quote id of its statement."""
    rng = random.Random(3)
    vocabulary = [f"{letter}{vowel}miko" for letter in "bdfgklmnprstv" for vowel in "aeo"]
    made: list[set[str]] = []
    quotes, retold = [], {}
    for day in range(days):
        for number in range(a_day):
            said = rng.sample(vocabulary, 8)
            while any(len(earlier & set(said)) > 2 for earlier in made):
                said = rng.sample(vocabulary, 8)
            made.append(set(said))
            quote_id = f"d{day:02}n{number}"
            published = date(2025, 3, 1) + timedelta(days=day)
            quotes.append(QuoteInput(quote_id, f"a{quote_id}", "Wire", published, 1, "Speaker 1", "direct",
                                     f"“{' '.join(said)}.”", f"s{quote_id}"))  # fmt: skip
            quotes.append(QuoteInput(f"r{quote_id}", f"b{quote_id}", "Daily", published + timedelta(days=7), 1,
                                     "Speaker 1", "direct", f"“{' '.join(said[1:7])}.”", f"t{quote_id}"))  # fmt: skip
            retold[f"r{quote_id}"] = quote_id
    return quotes, retold


def test_a_speaker_quoted_daily_keeps_the_statements_of_last_week_in_one_run_and_in_two(tmp_path: Path) -> None:
    """A speaker opens more statements in a week than a list holds (cut at 2 here; 200 in a real run), and
    every word of theirs is in more statements than a key's list holds: a retelling a week later must
    still find its statement, since a quote is compared with every statement its speaker opened in the
    days before it (trails 7; on trails 6, 21 of the 24 retellings split from their statement). Taken in over two
    runs, the trails are one run's, ids included."""
    quotes, retold = _daily_statements(8, 3)
    settings = TrailSettings(candidates_per_speaker=2)
    whole, first, second = _whole_and_halves(tmp_path, quotes, settings)
    described, _ = whole[0]
    together = {frozenset(row[0]) for row in described}
    assert all(frozenset({retelling, said}) in together for retelling, said in retold.items())
    assert len(together) == len(retold)
    assert first == whole and second == whole
