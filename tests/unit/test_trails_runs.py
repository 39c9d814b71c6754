"""The trails stage over several runs (issue 19, item 1): a run reads only the stored utterances its new
quotes may join (through their stored content keys, speakers, articles and stories), and groups exactly
as when it read every stored utterance. Every quote here is fictional."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from newstrace.link.speakers import name_key
from newstrace.link.trails import QuoteInput, StoredSpeakers, TrailGrouper, TrailSettings, _listed, content_keys
from newstrace.pipeline import trails
from newstrace.pipeline.trails import build_trails
from newstrace.records import SpeakerName
from newstrace.store import Store, open_store

from .test_trails_candidates import _fictional_retellings

# small candidate lists, so that a run's lists of stored utterances are cut as a large corpus's are
SHORT_LISTS = TrailSettings(candidates_per_speaker=4)


def _articles(quotes: list[QuoteInput]) -> list[list[QuoteInput]]:
    """The quotes by article (each article dated and placed in a story by its first quote), in article order."""
    by_article: dict[str, list[QuoteInput]] = {}
    for quote in quotes:
        by_article.setdefault(quote.article_id, []).append(quote)
    return [by_article[article_id] for article_id in sorted(by_article)]


def _store_articles(store: Any, articles: list[list[QuoteInput]]) -> None:
    """Store the articles and their quotes as `analyze` would have (SQLite or PostgreSQL)."""
    with store._transaction():
        for number in (1, 2, 3, 4):
            store._execute(
                "INSERT INTO speakers(id, name) VALUES (?, ?) ON CONFLICT DO NOTHING", (number, f"Speaker {number}")
            )
        for quotes in articles:
            first = quotes[0]
            text = " ".join(quote.content for quote in quotes)
            store._execute(
                "INSERT INTO articles(id, outlet, published, language, n_words, source_format, story_id, text) "
                "VALUES (?, ?, ?, ?, ?, 'text', ?, ?)",
                (first.article_id, first.outlet, first.published.isoformat() if first.published else None,
                 first.language, len(text.split()), first.story_id, text),
            )  # fmt: skip
            for quote in quotes:
                store._execute(
                    "INSERT INTO quotes(id, article_id, kind, speaker, speaker_id, cue_text, cue_start, cue_end, "
                    "content_text, content_start, content_end, confidence) "
                    "VALUES (?, ?, ?, ?, ?, 'said', 0, 4, ?, 5, ?, 1)",
                    (quote.quote_id, quote.article_id, quote.kind, quote.speaker, quote.speaker_id, quote.content,
                     5 + len(quote.content)),
                )  # fmt: skip


def _move_quotes(store: Store, name: str, into: str) -> None:
    """The speakers stage, resolving `name` to the speaker `into` now, points its quotes (and the stored
    utterances they render) at that speaker."""
    store.update_speakers([], [SpeakerName(name, name_key(name), 1, (), (), into)], [name], [])


def _trails_tables(store: Store) -> list[tuple[object, ...]]:
    return [tuple(row.items()) for table in ("utterances", "renderings") for row in store.iter_rows(table)]


def _in_runs(
    location: str | Path, quotes: list[QuoteInput], runs: int, settings: TrailSettings, moves: bool = False
) -> list[tuple[object, ...]]:
    """The trails tables after taking in the quotes' articles over `runs` runs, the latest articles last;
    `moves`: after each run the speakers stage points every quote of one speaker at another."""
    store = open_store(location)
    articles = sorted(_articles(quotes), key=lambda found: (found[0].published, found[0].article_id))
    size = -(-len(articles) // runs)
    for number, first in enumerate(range(0, len(articles), size)):
        _store_articles(store, articles[first : first + size])
        build_trails(store, settings)
        if moves:
            _move_quotes(store, f"Speaker {3 + number % 2}", f"Speaker {1 + number % 2}")
    tables = _trails_tables(store)
    store.close()  # type: ignore[attr-defined]
    return tables


def _reading_every_utterance(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stage as it was: every stored utterance read, and its candidate lists built from them all."""
    monkeypatch.setattr(
        trails,
        "_joinable_utterances",
        lambda store, quotes, settings, *lists: (*trails._stored_utterances(store), None),
    )


@pytest.mark.parametrize("seed", [4, 5])
def test_runs_reading_only_joinable_utterances_group_as_reading_every_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    quotes = _fictional_retellings(seed, 160)
    read_some = {runs: _in_runs(tmp_path / f"some{runs}.db", quotes, runs, SHORT_LISTS) for runs in (2, 3)}
    _reading_every_utterance(monkeypatch)
    read_all = {runs: _in_runs(tmp_path / f"all{runs}.db", quotes, runs, SHORT_LISTS) for runs in (2, 3)}
    utterances = [row for row in read_all[2] if row[0][0] == "id"]  # the utterances table's rows
    assert 0 < len(utterances) < len(quotes) - 20  # many quotes joined: there is something to agree on
    assert read_some == read_all


def test_runs_after_the_speakers_stage_moved_stored_quotes_group_as_reading_every_utterance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The speakers stage points stored quotes at another speaker between runs: a run reads the utterances
    each speaker speaks with as the quotes give them now (`utterance_speakers`), as reading every one does."""
    quotes = _fictional_retellings(9, 160)
    read_some = _in_runs(tmp_path / "some.db", quotes, 3, SHORT_LISTS, moves=True)
    _reading_every_utterance(monkeypatch)
    read_all = _in_runs(tmp_path / "all.db", quotes, 3, SHORT_LISTS, moves=True)
    assert read_some == read_all
    assert read_all != _in_runs(tmp_path / "unmoved.db", quotes, 3, SHORT_LISTS)  # the moves changed the grouping


def test_two_runs_group_as_one_when_no_candidate_list_is_cut(tmp_path: Path) -> None:
    quotes = _fictional_retellings(6, 160)
    one = _in_runs(tmp_path / "one.db", quotes, 1, TrailSettings())
    assert _in_runs(tmp_path / "two.db", quotes, 2, TrailSettings()) == one


@pytest.mark.parametrize("seed", [7, 8])
def test_a_run_reads_every_stored_utterance_a_new_quote_may_be_judged_against(tmp_path: Path, seed: int) -> None:
    """What the grouper holding every stored utterance would judge a new quote against (its candidates
    within `_within_bounds` and `_may_match`) is among the utterances the run reads, in every case, not
    only where a difference shows in the grouping."""
    # an article of its own for each quote and no stories: what the run reads is told by words and speakers
    quotes = [
        replace(quote, article_id=f"a_{quote.quote_id}", story_id=None) for quote in _fictional_retellings(seed, 200)
    ]
    articles = sorted(_articles(quotes), key=lambda found: found[0].published or 0)
    store = open_store(tmp_path / "runs.db")
    _store_articles(store, articles[: len(articles) // 2])
    build_trails(store, SHORT_LISTS)
    _store_articles(store, articles[len(articles) // 2 :])
    quotes = [trails._quote(row) for row in store.trail_quotes(grouped=False)]
    read = {utterance.id for utterance in trails._joinable_utterances(store, quotes, SHORT_LISTS)[0]}
    every = TrailGrouper(SHORT_LISTS, trails._stored_utterances(store)[0])
    judged = set()
    for quote in quotes:
        keys = content_keys(quote.content)
        bounded = every._within_bounds(quote, keys, every._candidates(quote, keys))
        judged |= {utterance.id for utterance in bounded if every._may_match(quote, keys, utterance)}
    store.close()  # type: ignore[attr-defined]
    assert len(judged) > 10 and judged <= read
    assert len(read) < len(every.utterances)  # and not every stored utterance is read


def test_on_postgresql_runs_reading_only_joinable_utterances_group_as_reading_every_one(
    postgres_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    quotes = _fictional_retellings(4, 120)
    read_some = _in_runs(_new_schema(postgres_server), quotes, 2, SHORT_LISTS)
    _reading_every_utterance(monkeypatch)
    assert read_some == _in_runs(_new_schema(postgres_server), quotes, 2, SHORT_LISTS)


def _new_schema(server: str) -> str:
    import psycopg

    schema = f"test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    return f"{server}?options=-csearch_path%3D{schema}"


def test_an_utterance_above_the_end_of_a_full_key_list_it_is_not_in_has_not_that_key() -> None:
    """A key's list holds the greatest ids of the utterances with the key: one of a greater id than a
    full list's last that is not listed has not the key, one of a smaller id may have it."""
    settings = TrailSettings(candidates_per_speaker=3)
    quote = QuoteInput("q", "a", None, None, 1, "Speaker 1", "direct", "“harbour tolls ferry”")
    harbour, tolls, ferry = (min(content_keys(word)) for word in ("harbour", "tolls", "ferry"))
    by_key = {harbour: ["u_9", "u_8", "u_7"], tolls: ["u_5", "u_4", "u_3"], ferry: ["u_6"]}  # greatest first
    listed = _listed(quote, by_key, StoredSpeakers({}, {}), settings)
    # u_6: ferry, and harbour maybe (below u_7); u_8: harbour only (above u_3, it would be in the tolls list);
    # u_2: below both full lists' ends
    assert listed.sharing(2, ["u_6", "u_8", "u_2", "u_9"]) == ["u_6", "u_2"]
    assert listed.sharing(1, ["u_6", "u_8", "u_2", "u_9"]) == ["u_6", "u_8", "u_2", "u_9"]
    assert listed.sharing(3, ["u_6", "u_8", "u_2"]) == []
    assert sorted(listed.sharing(2)) == ["u_3", "u_4", "u_5", "u_6"]  # of the listed ones
