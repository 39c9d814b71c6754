"""The speakers stage takes in new articles alone (issue 19, must-have 1): articles stored and resolved in
three batches, with corrections made between them, give the speakers one resolution of everything gives,
and a run re-resolves only the names whose keys the new articles' quotes touch (with the keys a
correction ties to them). When it points a quote already in an utterance at another speaker, the
utterance's speakers as the trails stage reads them (`utterance_speakers`) follow.

The articles, people and quotes are fictional, written for this test; no NLP runs (the quotes are stored
as the quotes stage would store them).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from newstrace.framing.lexicon import load_lexicon
from newstrace.link.speakers import name_key
from newstrace.pipeline import trails
from newstrace.pipeline.frame import frame_articles
from newstrace.pipeline.speakers import correct_speakers, link_stored_speakers, resolve_speakers
from newstrace.pipeline.stages import downstream, record, stage
from newstrace.pipeline.trails import build_trails
from newstrace.records import Article, Quote, SpeakerCorrection, SpeakerName, StageOutput
from newstrace.store import SQLiteStore, Store, StoreError

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
    [SpeakerCorrection("merge", "Port Aster Harbour Authority", "Anneke Holm")],  # ties `authoriti` to `holm`
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


def _store_batch_forgetting(store: Store, batch: dict[str, list[tuple[str, str]]], whole: bool) -> None:
    """`_store_batch`; with `whole`, the speakers' kept sums dropped too, so the next run resolves the
    whole corpus."""
    _store_batch(store, batch)
    if whole:
        with store._transaction():  # type: ignore[attr-defined]
            store._execute("DELETE FROM speaker_names")  # type: ignore[attr-defined]


def _whole_store_corrected(path: Path) -> SQLiteStore:
    """A store holding every batch at once with every correction recorded, its speakers not yet resolved:
    the one run the batched runs are compared with."""
    one = SQLiteStore(path)
    _store_batch(one, {article: quotes for batch in _BATCHES for article, quotes in batch.items()})
    for correction in [correction for made in _CORRECTIONS for correction in made]:
        _correct(one, correction)
    return one


def _correct(store: Store, correction: SpeakerCorrection) -> None:
    store.add_speaker_correction(correction.action, correction.name, correction.target, correction.kind)
    correct_speakers(store, correction)


SpeakerTables = tuple[set[tuple[object, ...]], dict[object, object], list[SpeakerName] | None]


def speaker_tables(store: Store) -> SpeakerTables:
    """The speakers (id, name, aliases, roles, kind), each quote's speaker id and the kept sums of every
    name the quotes give."""
    speakers = {
        (row["id"], row["name"], row["aliases"], row["roles"], row["kind"]) for row in store.iter_rows("speakers")
    }
    quotes = list(store.iter_rows("quotes"))
    keys = sorted({name_key(str(row["speaker"])) for row in quotes if row["speaker"]})
    return speakers, {row["id"]: row["speaker_id"] for row in quotes}, store.speaker_names_keyed(keys)


def take_in_batches(store: Store) -> list[tuple[str, list[str] | None]]:
    """Store and resolve the batches one after another, with the corrections made between them; what each
    run read: the articles whose mentions it read (None: all), and the keys whose kept sums it read."""
    asked: list[tuple[str, list[str] | None]] = []
    read_mentions, read_names = store.speaker_mentions, store.speaker_names_keyed
    store.speaker_mentions = lambda ids=None: asked.append(("mentions", ids)) or read_mentions(ids)  # type: ignore[method-assign]
    store.speaker_names_keyed = lambda keys: asked.append(("keys", list(keys))) or read_names(keys)  # type: ignore[method-assign]
    for number, batch in enumerate(_BATCHES):
        _store_batch(store, batch)
        assert resolve_speakers(store) == len(batch)
        for correction in _CORRECTIONS[number] if number < len(_CORRECTIONS) else []:
            _correct(store, correction)
    return asked


def _by_name(tables: SpeakerTables) -> SpeakerTables:
    """The tables with each speaker id replaced by its speaker's name (ids follow the order of arrival)."""
    speakers, quotes, sums = tables
    names = {row[0]: row[1] for row in speakers}
    return {row[1:] for row in speakers}, {quote: names.get(speaker) for quote, speaker in quotes.items()}, sums


def test_three_batches_with_corrections_give_what_one_run_gives(tmp_path: Path) -> None:
    batched = SQLiteStore(tmp_path / "batched.db")
    asked = take_in_batches(batched)
    assert asked[:2] == [("mentions", ["a1", "a2", "a3"]), ("keys", ["authoriti", "dorn", "velt"])]
    # (the first run found no kept sums and resolved the whole corpus); the last reads the quotes of its own
    # articles, the sums of its keys and of `authoriti` (`Authority` loosened), which the merge ties to
    # `holm`, and not those of `velt`
    assert asked[-2:] == [("mentions", ["a6", "a7"]), ("keys", ["authoriti", "dorn", "holm"])]
    tables = speaker_tables(batched)
    batched.close()

    shutil.copy(tmp_path / "batched.db", tmp_path / "whole.db")
    again = SQLiteStore(tmp_path / "whole.db")
    assert (
        link_stored_speakers(again, record("speakers")) == 5
    )  # the whole corpus resolved again, from every stored quote
    assert speaker_tables(again) == tables  # ids included

    one = _whole_store_corrected(tmp_path / "one.db")
    assert resolve_speakers(one) == 7
    speakers, quotes, sums = _by_name(tables)
    assert (speakers, quotes, sums) == _by_name(speaker_tables(one))
    assert sums and next(name for name in sums if name.name == "Velt").mentions == 2
    assert quotes["q_a1_1"] == "Mara Velt"  # the second batch moved a quote of the first
    holm = next(row for row in speakers if row[0] == "Anneke Holm")
    assert "Port Aster Harbour Authority" in str(holm[1]) and "Port Aster mayor" in str(holm[2])


def test_a_resolution_another_process_overtook_is_read_and_done_again(tmp_path: Path) -> None:
    """Two processes on one database: the second takes in new articles between the first's reads and its
    write; the first's write is refused and redone, so no quote is counted twice or lost from the sums."""
    first, second = SQLiteStore(tmp_path / "two.db"), SQLiteStore(tmp_path / "two.db")
    _store_batch(first, _BATCHES[0])
    assert resolve_speakers(first) == 3
    _store_batch(first, {"a4": _BATCHES[1]["a4"]})
    write, answers = first.update_speakers, []

    def overtaken(*args: Any, **kwargs: Any) -> bool:
        if not answers:  # the other process stores a5 and takes in a4 and a5 first
            _store_batch(second, {"a5": _BATCHES[1]["a5"]})
            assert resolve_speakers(second) == 2
        answers.append(write(*args, **kwargs))
        return answers[-1]

    first.update_speakers = overtaken  # type: ignore[method-assign]
    assert resolve_speakers(first) == 0  # read again: nothing left to take in
    assert answers == [False]
    tables = speaker_tables(first)
    assert link_stored_speakers(first, record("speakers")) == 5
    assert speaker_tables(first) == tables
    sums = {name.name: name.mentions for name in tables[2] or []}
    assert sums["Mara Velt"] == 3 and sums["Velt"] == 2


def utterance_speakers(store: Store) -> set[tuple[object, ...]]:
    """The rows of `utterance_speakers`: (utterance, speaker, language, speaks)."""
    sql = "SELECT utterance_id, speaker_id, language, speaks FROM utterance_speakers"
    return {tuple(row) for row in store._value_rows(sql)}  # type: ignore[attr-defined]


def as_the_renderings_give_them(store: Store) -> set[tuple[object, ...]]:
    """What the trails stage read of every rendering before `utterance_speakers`: each utterance's
    speakers and their languages, and the speaker (and language) of its earliest rendering with one."""
    found: set[tuple[object, ...]] = set()
    for utterance_id, utterance in trails._group_rows(store.trail_quotes(grouped=True)).items():
        spoken = [(rendering.speaker_id, rendering.language or "") for rendering in utterance.renderings]
        spoken = [(speaker_id, language) for speaker_id, language in spoken if speaker_id is not None]
        found |= {(utterance_id, *pair, int(pair == spoken[0])) for pair in spoken}
    return found


def _check_utterance_speakers(store: Store, limit: int = 2) -> None:
    """`utterance_speakers` and the store's reads of it agree with the stored renderings."""
    rows = utterance_speakers(store)
    assert rows == as_the_renderings_give_them(store)
    spoken: dict[object, list[str]] = {}
    languages: dict[object, set[object]] = {}
    for utterance_id, speaker_id, language, speaks in rows:
        languages.setdefault(speaker_id, set()).add(language)
        if speaks:
            spoken.setdefault(speaker_id, []).append(str(utterance_id))
    read = store.speaker_utterances([int(str(speaker_id)) for speaker_id in languages], limit)
    assert {speaker_id: found.languages for speaker_id, found in read.items()} == languages
    assert {speaker_id: found.latest for speaker_id, found in read.items() if found.latest} == {
        speaker_id: tuple(sorted(ids, reverse=True)[:limit]) for speaker_id, ids in spoken.items()
    }
    since = {speaker_id: sorted(ids)[len(ids) // 2] for speaker_id, ids in spoken.items()}  # from the middle one
    recent = store.speaker_utterances([int(str(speaker_id)) for speaker_id in since], 1, since, limit)  # type: ignore[misc]
    assert {speaker_id: set(found.latest) for speaker_id, found in recent.items() if found.latest} == {
        speaker_id: {max(ids), *sorted(found for found in ids if found >= since[speaker_id])[:limit]}
        for speaker_id, ids in spoken.items()
    }
    some = sorted({str(row[0]) for row in rows})[::2]
    asked = {(row.utterance_id, row.speaker_id, row.language) for row in store.utterance_speakers(some)}
    assert asked == {row[:3] for row in rows if row[0] in some}


def take_in_batches_with_trails(store: Store, whole: bool = False) -> list[object]:
    """`take_in_batches` with the trails built after each run and correction, checking the utterances'
    speakers at every step; `whole`: the kept sums dropped before each run, which resolves the whole
    corpus. The speaker the utterance of `q_a1_1` (a bare `Velt`) speaks with after each batch."""
    speaks = []
    for number, batch in enumerate(_BATCHES):
        _store_batch_forgetting(store, batch, whole)
        assert resolve_speakers(store) == len(batch)
        _check_utterance_speakers(store)
        build_trails(store)
        _check_utterance_speakers(store)
        for correction in _CORRECTIONS[number] if number < len(_CORRECTIONS) else []:
            _correct(store, correction)
            _check_utterance_speakers(store)
        speaks.append(
            next(
                speaker_id
                for utterance_id, speaker_id, _, first in utterance_speakers(store)
                if first and utterance_id == store.utterance("q_a1_1").id  # type: ignore[union-attr]
            )
        )
    return speaks


@pytest.mark.parametrize("whole", [False, True])
def test_utterances_speak_with_the_speaker_their_quotes_are_moved_to(tmp_path: Path, whole: bool) -> None:
    speaks = take_in_batches_with_trails(SQLiteStore(tmp_path / "moved.db"), whole)
    assert speaks[0] != speaks[1] == speaks[2]  # the second batch made the bare `Velt` of a1 Mara Velt


def test_a_correction_another_process_overtook_is_resolved_again_and_given_up_after_twenty_tries(
    tmp_path: Path,
) -> None:
    """The speakers stage and a correction share one retry: a write refused because another process
    changed the sums read is read and resolved again, and twenty refusals in a row end in an error."""
    store = SQLiteStore(tmp_path / "overtaken.db")
    _store_batch(store, _BATCHES[0])
    assert resolve_speakers(store) == 3
    correction = SpeakerCorrection("rename", "Pieter Dorn", "Piet Dorn")
    store.add_speaker_correction(correction.action, correction.name, correction.target)
    write, answers = store.update_speakers, []

    def refused(*args: Any, **kwargs: Any) -> bool:
        answers.append(False)
        return False

    store.update_speakers = refused  # type: ignore[method-assign]
    with pytest.raises(StoreError, match="the speakers of 'Pieter Dorn' were changed by another process 20 times"):
        correct_speakers(store, correction)
    assert len(answers) == 20 and "Piet Dorn" not in {str(row["name"]) for row in store.iter_rows("speakers")}

    def overtaken_once(*args: Any, **kwargs: Any) -> bool:
        answers.append(write(*args, **kwargs) if answers else False)
        return answers[-1]

    answers.clear()
    store.update_speakers = overtaken_once  # type: ignore[method-assign]
    correct_speakers(store, correction)
    assert answers == [False, True] and "Piet Dorn" in {str(row["name"]) for row in store.iter_rows("speakers")}


def _attributions(store: Store) -> set[tuple[object, ...]]:
    """The framing stage's attribution markers: (article, quote, the speaker named, verb, stance)."""
    sql = "SELECT article_id, quote_id, referent, marker, category FROM framing_markers WHERE quote_id IS NOT NULL"
    return {tuple(row) for row in store._value_rows(sql)}  # type: ignore[attr-defined]


@pytest.mark.parametrize("whole", [False, True])
def test_framing_names_the_speaker_a_later_run_or_a_correction_moved_an_old_quote_to(
    tmp_path: Path, whole: bool
) -> None:
    """The speakers stage points quotes of earlier articles at another speaker (a bare `Velt` of a1 becomes
    Mara Velt's when a later batch quotes her more; a correction renames or merges); framing names the
    speaker of each quote, so those articles are framed again, and only they, as in one run. `whole`: the
    kept sums dropped before each run, which then resolves the whole corpus."""
    batched = SQLiteStore(tmp_path / "batched.db")
    version = record("framing", load_lexicon().digest).version
    framed = []
    for number, batch in enumerate(_BATCHES):
        _store_batch_forgetting(batched, batch, whole)
        resolve_speakers(batched)
        framed.append(sorted(item.article_id for item in batched.articles_to_frame(version)))
        frame_articles(batched)
        for correction in _CORRECTIONS[number] if number < len(_CORRECTIONS) else []:
            _correct(batched, correction)
            framed.append(sorted(item.article_id for item in batched.articles_to_frame(version)))
            frame_articles(batched)
    one = _whole_store_corrected(tmp_path / "one.db")
    resolve_speakers(one)
    frame_articles(one)
    assert ("a1", "q_a1_1", "Mara Velt", "say", "neutral") in _attributions(one)
    assert _attributions(batched) == _attributions(one)
    # each run frames its new articles and those whose quotes it moved; a correction those it moved; a whole
    # resolution those whose quotes' speakers changed in any way (the third batch gives Anneke Holm, whom the
    # Harbour Authority of a2 and a5 was merged into, a role, and Pieter Dorn of a3 one)
    last = ["a2", "a3", "a5", "a6", "a7"] if whole else ["a6", "a7"]
    assert framed == [["a1", "a2", "a3"], ["a2"], ["a1", "a4", "a5"], ["a2", "a5"], last]
