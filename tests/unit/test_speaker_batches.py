"""The speakers stage takes in new articles alone (issue 19, must-have 1): articles stored and resolved in
three batches, with corrections made between them, give the speakers one resolution of everything gives,
and a run re-resolves only the names whose keys the new articles' quotes touch (with the keys a
correction ties to them).

The articles, people and quotes are fictional, written for this test; no NLP runs (the quotes are stored
as the quotes stage would store them).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from newstrace.pipeline.speakers import correct_speakers, resolve_speakers
from newstrace.pipeline.stages import downstream, stage
from newstrace.records import Article, Quote, SpeakerCorrection, StageOutput
from newstrace.store import SQLiteStore, Store

# article -> (speaker name resolved in the article, source text) of each of its quotes
_BATCHES: list[dict[str, list[tuple[str, str]]]] = [
    {
        "a1": [("Mara Velt", "Foreign Minister Mara Velt"), ("Velt", "Velt")],
        "a2": [("Jonas Velt", "Jonas Velt, the port's director,"), ("Harbour Authority", "the Harbour Authority")],
        "a3": [("Pieter Dorn", "Pieter Dorn")],
    },
    {  # Mara Velt is now quoted three times as often as Jonas Velt: a bare `Velt` is her, in a1 too
        "a4": [("Velt", "Ms. Velt"), ("Mara Velt", "Mara Velt"), ("Мара Велт", "Мара Велт")],
        "a5": [("Mara Velt", "Mara Velt (Liberal Party)"), ("Harbour Authority", "Harbour Authority")],
    },
    {
        "a6": [("Anneke Holm", "Port Aster mayor Anneke Holm"), ("Holm", "Mayor Holm")],
        "a7": [("Dorn", "Dorn"), ("Pieter Dorn", "ferry owner Pieter Dorn")],
    },
]
# made after the batch of the same position (none after the last)
_CORRECTIONS = [
    [SpeakerCorrection("rename", "Harbour Authority", "Port Aster Harbour Authority", "organisation")],
    [SpeakerCorrection("merge", "Port Aster Harbour Authority", "Anneke Holm")],  # ties `authority` to `holm`
]


def _article(article_id: str) -> Article:
    return Article(
        id=article_id, text=f"A fictional article, {article_id}.", source_format="text", path=None, url=None,
        title=article_id, published="2025-04-01", outlet="Harbour Daily", author=None, dateline=None,
        language="en", n_words=4, field_sources={},
    )  # fmt: skip


def _quote(article_id: str, number: int, speaker: str, source: str) -> Quote:
    return Quote(
        id=f"q_{article_id}_{number}", article_id=article_id, kind="direct", source_text=source,
        source_start=None, source_end=None, speaker=speaker, cue_text="said", cue_start=0, cue_end=0,
        content_text="The tolls will rise.", content_start=0, content_end=20, confidence=0.9,
    )  # fmt: skip


def _store_batch(store: Store, batch: dict[str, list[tuple[str, str]]]) -> None:
    run_id = store.begin_run("test")
    for article_id, mentions in batch.items():
        quotes = [_quote(article_id, number, *mention) for number, mention in enumerate(mentions)]
        output = StageOutput("quotes", stage("quotes").number, {"quotes": list[object](quotes)})
        store.save_article(_article(article_id), [output], run_id, downstream("quotes"))


def _correct(store: Store, correction: SpeakerCorrection) -> None:
    store.add_speaker_correction(correction.action, correction.name, correction.target, correction.kind)
    correct_speakers(store, correction)


SpeakerTables = tuple[set[tuple[object, ...]], dict[object, object]]


def speaker_tables(store: Store) -> SpeakerTables:
    """The speakers (id, name, aliases, roles, kind) and each quote's speaker id."""
    speakers = {
        (row["id"], row["name"], row["aliases"], row["roles"], row["kind"]) for row in store.iter_rows("speakers")
    }
    return speakers, {row["id"]: row["speaker_id"] for row in store.iter_rows("quotes")}


def take_in_batches(store: Store) -> list[list[str] | None]:
    """Store and resolve the batches one after another, with the corrections made between them; the
    names each reading of mentions asked for (None: every mention)."""
    asked: list[list[str] | None] = []
    read_mentions = store.speaker_mentions
    store.speaker_mentions = lambda names=None: asked.append(names) or read_mentions(names)  # type: ignore[method-assign]
    for number, batch in enumerate(_BATCHES):
        _store_batch(store, batch)
        assert resolve_speakers(store) == len(batch)
        for correction in _CORRECTIONS[number] if number < len(_CORRECTIONS) else []:
            _correct(store, correction)
    return asked


def _by_name(tables: SpeakerTables) -> SpeakerTables:
    """The tables with each speaker id replaced by its speaker's name (ids follow the order of arrival)."""
    speakers, quotes = tables
    names = {row[0]: row[1] for row in speakers}
    return {row[1:] for row in speakers}, {quote: names.get(speaker) for quote, speaker in quotes.items()}


def test_three_batches_with_corrections_give_what_one_run_gives(tmp_path: Path) -> None:
    batched = SQLiteStore(tmp_path / "batched.db")
    asked = take_in_batches(batched)
    assert asked[0] is None  # the first run resolves the whole (empty) corpus and keeps its names
    # the last batch reads its keys' names, and `authority`'s, which the merge ties to `holm`; not `velt`
    assert asked[-1] == ["Anneke Holm", "Dorn", "Harbour Authority", "Holm", "Pieter Dorn"]
    tables = speaker_tables(batched)
    batched.close()

    shutil.copy(tmp_path / "batched.db", tmp_path / "whole.db")
    again = SQLiteStore(tmp_path / "whole.db")
    again.forget_stage("speakers")
    assert resolve_speakers(again) == 7
    assert speaker_tables(again) == tables  # ids included

    one = SQLiteStore(tmp_path / "one.db")
    _store_batch(one, {article: quotes for batch in _BATCHES for article, quotes in batch.items()})
    for correction in [correction for made in _CORRECTIONS for correction in made]:
        one.add_speaker_correction(correction.action, correction.name, correction.target, correction.kind)
    assert resolve_speakers(one) == 7
    speakers, quotes = _by_name(tables)
    assert (speakers, quotes) == _by_name(speaker_tables(one))
    assert quotes["q_a1_1"] == "Mara Velt"  # the second batch moved a quote of the first
    holm = next(row for row in speakers if row[0] == "Anneke Holm")
    assert "Port Aster Harbour Authority" in str(holm[1]) and "Port Aster mayor" in str(holm[2])
