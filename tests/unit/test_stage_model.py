"""The stage model: one registry, one orchestrator, one table of stage runs. The stages over stored rows
run on the contract tests' fictional articles (no spaCy); one test runs the document stages too."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from concurrent.futures import Future
from dataclasses import replace
from pathlib import Path

import pytest

from newstrace.nlp import stages as document_stages
from newstrace.pipeline import frame, link, orchestrate, stages
from newstrace.pipeline.orchestrate import StageHelper, StoredStageSettings, helper_location, run_stored_stages
from newstrace.pipeline.stages import STAGES, downstream, in_order, stage
from newstrace.records import Quote, StageOutput
from newstrace.store import Store, open_store
from newstrace.store.sqlite import SQLiteStore

from ..conftest import run_analyze
from ..contract.test_store_contract import _fill

# What each stage over stored rows reports when it took in work (the key whose count is compared).
_WORK = {
    "speakers": "articles_resolved",
    "link": "articles_linked",
    "trails": "quotes_grouped",
    "framing": "articles_framed",
}


def _run(store: Store) -> dict[str, float]:
    """Run the pending stages; how much work each one did."""
    summaries: Mapping[str, Mapping[str, float]] = run_stored_stages(store, StoredStageSettings(), link._Silent())
    return {name: summaries[name][key] for name, key in _WORK.items()}


def _stage_runs(store: Store) -> list[dict[str, object]]:
    return list(store.iter_rows("stage_runs"))


def _bump(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Play a newstrace in which stage `name` has a new version."""
    monkeypatch.setitem(stages._BY_NAME, name, replace(stage(name), number=stage(name).number + 1))


@pytest.fixture
def analysed(tmp_path: Path) -> Store:
    """The fictional articles with every stage over stored rows done once."""
    store = open_store(tmp_path / "stages.db")
    _fill(store)
    assert _run(store) == {"speakers": 3, "link": 3, "trails": 3, "framing": 3}
    return store


def test_every_stage_comes_after_the_stages_it_reads() -> None:
    ordered = [declared.name for declared in in_order()]
    assert sorted(ordered) == sorted(declared.name for declared in STAGES)
    for declared in STAGES:
        assert all(ordered.index(before) < ordered.index(declared.name) for before in declared.after), declared
    assert downstream("link") == ("trails", "event_groups")
    assert downstream("quotes") == ("speakers", "trails", "event_groups", "framing")


def test_a_lexicon_is_part_of_the_framing_version() -> None:
    assert stages.record("framing", "abc").version == f"{stage('framing').number}:abc"
    assert link.link_record(link.LinkSettings()).version == str(stage("link").number)
    strict = link.LinkSettings(stories=replace(link.StorySettings(), threshold=0.5))
    assert link.link_record(strict).version.startswith(f"{stage('link').number}:")


def test_running_again_with_nothing_new_changes_nothing(analysed: Store) -> None:
    before = _stage_runs(analysed)
    assert _run(analysed) == {"speakers": 0, "link": 0, "trails": 0, "framing": 0}
    assert _stage_runs(analysed) == before  # not even a run's time is written again


@pytest.mark.parametrize(
    ("bumped", "work"),
    [
        ("framing", {"speakers": 0, "link": 0, "trails": 0, "framing": 3}),
        ("link", {"speakers": 0, "link": 3, "trails": 3, "framing": 0}),
        ("trails", {"speakers": 0, "link": 0, "trails": 3, "framing": 0}),
        # the same resolution: no quote's speaker changes, so nothing after the speakers is stale
        ("speakers", {"speakers": 3, "link": 0, "trails": 0, "framing": 0}),
    ],
)
def test_a_new_version_reruns_that_stage_and_its_downstream_only(
    analysed: Store, monkeypatch: pytest.MonkeyPatch, bumped: str, work: dict[str, int]
) -> None:
    utterances = list(analysed.iter_rows("utterances"))
    _bump(monkeypatch, bumped)
    assert _run(analysed) == work
    assert _run(analysed) == dict.fromkeys(_WORK, 0)
    assert list(analysed.iter_rows("utterances")) == utterances  # the same result, computed again


def test_an_upstream_stage_redoing_an_article_makes_its_downstream_stale(analysed: Store) -> None:
    """What `analyze` does when a new quotes version re-analyses one article."""
    from ..contract.test_store_contract import _article, _outputs

    quotes = [output for output in _outputs("a2") if output.stage == "quotes"]
    analysed.save_article(_article("a2"), quotes, analysed.begin_run("test"), downstream("quotes"))
    # the speakers are resolved whole again (the replaced quotes' names lost mentions), and the trails grouped
    # whole again, but only a2 is framed again: no quote of a1 or a3 changed speaker
    assert _run(analysed) == {"speakers": 3, "link": 0, "trails": 3, "framing": 1}


def test_linking_stopped_half_way_resumes_with_the_articles_left(
    analysed: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    analysed.reset_links()
    monkeypatch.setattr(link, "BATCH_SIZE", 1)
    saved = 0
    save_links = analysed.save_links

    def crash_on_the_second_batch(*arguments: object) -> None:
        nonlocal saved
        if saved == 1:
            raise KeyboardInterrupt
        saved += 1
        save_links(*arguments)  # type: ignore[arg-type]

    monkeypatch.setattr(analysed, "save_links", crash_on_the_second_batch)
    with pytest.raises(KeyboardInterrupt):
        link.link_articles(analysed)
    monkeypatch.setattr(analysed, "save_links", save_links)
    assert _run(analysed) == {"speakers": 0, "link": 2, "trails": 3, "framing": 0}


def test_framing_stopped_half_way_resumes_with_the_articles_left(
    analysed: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    _bump(monkeypatch, "framing")
    monkeypatch.setattr(frame, "BATCH_SIZE", 1)
    save_framing = analysed.save_framing
    calls = 0

    def crash_on_the_second_batch(*arguments: object) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise KeyboardInterrupt
        save_framing(*arguments)  # type: ignore[arg-type]

    monkeypatch.setattr(analysed, "save_framing", crash_on_the_second_batch)
    with pytest.raises(KeyboardInterrupt):
        _run(analysed)
    monkeypatch.setattr(analysed, "save_framing", save_framing)
    assert _run(analysed) == {"speakers": 0, "link": 0, "trails": 0, "framing": 2}


@pytest.mark.slow
def test_a_new_document_stage_version_stores_that_stage_and_reruns_its_downstream(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through `analyze` with spaCy, on two fictional reports: a new quotes version replaces the quotes
    only (not sentences, entities or events) and re-runs speakers, trails and framing, not linking."""
    folder = tmp_path / "reports"
    folder.mkdir()
    (folder / "one.txt").write_text('Harbour closes\n\n"The storm is the risk," Mayor Anneke Holm said in Velmora.')
    (folder / "two.txt").write_text('Harbour reopens\n\n"Ferries sail again," port chief Ruud Kessel said.')
    store = SQLiteStore(tmp_path / "news.db")
    first = run_analyze(store, folder)
    assert first.new == 2 and first.found["quotes"] == 2
    bumped = tuple(
        replace(doc, version=doc.version + 1) if doc.name == "quotes" else doc for doc in document_stages.DOC_STAGES
    )
    monkeypatch.setattr(document_stages, "DOC_STAGES", bumped)
    _bump(monkeypatch, "quotes")
    second = run_analyze(store, folder)
    assert (second.reanalysed, second.unchanged) == (2, 0)
    assert set(second.found) == {"quotes"}
    assert second.linking["articles_linked"] == 0
    assert second.trails["quotes_grouped"] == 2 and second.framing["articles_framed"] == 2
    third = run_analyze(store, folder)
    assert (third.unchanged, third.found, third.framing["articles_framed"]) == (2, {}, 0)


def test_a_helper_process_runs_stages_beside_this_one_and_stores_the_same(tmp_path: Path) -> None:
    """`analyze` with several processes runs two ready stages at once (issue 19, item 6): the helper takes
    one (never linking, which reports progress here), on its own connection, and every row is the same."""
    alone, helped = open_store(tmp_path / "alone.db"), open_store(tmp_path / "helped.db")
    for store in (alone, helped):
        _fill(store)
    expected = run_stored_stages(alone, StoredStageSettings(), link._Silent())
    location = helper_location(helped)
    assert location is not None
    sent: list[str] = []
    with StageHelper(location) as helper:
        submit = helper.submit

        def noted(name: str, settings: StoredStageSettings) -> Future[dict[str, float]]:
            sent.append(name)
            return submit(name, settings)

        helper.submit = noted  # type: ignore[method-assign]
        summaries = run_stored_stages(helped, StoredStageSettings(), link._Silent(), helper)
    assert sent and "link" not in sent
    assert _without_timings(summaries) == _without_timings(expected)
    for table in ("speakers", "stories", "story_links", "utterances", "renderings", "framing", "events"):
        assert list(helped.iter_rows(table)) == list(alone.iter_rows(table)), table
    assert _run(helped) == dict.fromkeys(_WORK, 0)  # each stage recorded its runs: nothing is left pending


def _without_timings(summaries: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, float]]:
    return {
        name: {key: value for key, value in summary.items() if "second" not in key}
        for name, summary in summaries.items()
    }


def _watched(store: SQLiteStore, name: str, seen: dict[str, set[str]]) -> None:
    """Note in `seen` what stage `name`'s statements touch on `store`'s connection: `read table.column`,
    `insert table`, `delete table`, `update table.column` (statements a trigger runs are the table's own
    upkeep, and views are read through their tables)."""
    views = {row[0] for row in store.connection.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    # the tables in which a text index or an R*Tree keeps itself (read and written by the index's own module
    # as a trigger keeps it up: the indexed table's upkeep, as a trigger's statements are)
    indexes = [
        row[0] for row in store.connection.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL%'")
    ]
    upkeep = tuple(f"{index}_" for index in indexes)
    actions = {sqlite3.SQLITE_INSERT: "insert", sqlite3.SQLITE_DELETE: "delete", sqlite3.SQLITE_UPDATE: "update"}

    def note(action: int, table: str | None, column: str | None, database: str | None, inside: str | None) -> int:
        if (table or "").startswith(upkeep):
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_READ and table not in views and (inside is None or inside in views):
            seen.setdefault(name, set()).add(f"read {table}.{column}")
        elif action in actions and inside is None and database == "main":
            seen.setdefault(name, set()).add(
                f"{actions[action]} {table}.{column}" if column else f"{actions[action]} {table}"
            )
        return sqlite3.SQLITE_OK

    store.connection.set_authorizer(note)


def _run_watched(store: SQLiteStore, seen: dict[str, set[str]]) -> None:
    for declared in in_order():
        if declared.kind != "document":
            _watched(store, declared.name, seen)
            orchestrate.RUNNERS[declared.name](store, StoredStageSettings(), link._Silent())
            store.connection.set_authorizer(None)


@pytest.fixture(scope="module")
def touched(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """What each stage over stored rows reads and writes: on the contract tests' articles (every stage's first
    run, then a re-quoted article: whole re-runs), and on the speaker batches (runs that take in new articles,
    one of which points an earlier quote at another speaker)."""
    from ..contract.test_store_contract import _article, _outputs
    from .test_speaker_batches import _BATCHES, _store_batch

    seen: dict[str, set[str]] = {}
    folder = tmp_path_factory.mktemp("touched")
    store = SQLiteStore(folder / "contract.db")
    _fill(store)
    _run_watched(store, seen)
    quotes = [output for output in _outputs("a2") if output.stage == "quotes"]
    store.save_article(_article("a2"), quotes, store.begin_run("test"), downstream("quotes"))
    _run_watched(store, seen)
    batches = SQLiteStore(folder / "batches.db")
    for batch in _BATCHES:
        _store_batch(batches, batch)
        _run_watched(batches, seen)
    return seen


@pytest.mark.parametrize("name", [declared.name for declared in STAGES if declared.kind != "document"])
def test_each_stage_reads_and_writes_what_it_declares(touched: dict[str, set[str]], name: str) -> None:
    own = {entry.split()[1] for entry in touched[name] if entry.startswith(("insert", "delete"))} - {"stage_runs"}
    updated = {entry.split()[1] for entry in touched[name] if entry.startswith("update")}
    columns = {entry for entry in updated if entry.split(".")[0] not in own | {"stage_runs"}}
    read = {entry.split()[1].split(".")[0] for entry in touched[name] if entry.startswith("read")}
    assert sorted(own | columns) == sorted(stage(name).writes)
    assert sorted(read - own - {"stage_runs"}) == sorted(stage(name).reads)


def test_stages_that_may_run_at_once_leave_each_others_columns_alone(touched: dict[str, set[str]]) -> None:
    """What lets `analyze` run two stages at once (`orchestrate.StageHelper`): of two stages neither of which
    depends on the other, neither writes a column the other reads or writes (but their own `stage_runs` rows)."""
    names = [declared.name for declared in in_order() if declared.kind != "document"]
    apart = [(one, other) for one in names for other in names if one < other and other not in downstream(one)]
    apart = [(one, other) for one, other in apart if one not in downstream(other)]
    assert ("link", "speakers") in apart and ("framing", "trails") in apart
    for one, other in apart:
        for writer, reader in ((one, other), (other, one)):
            written = {entry.split()[1] for entry in touched[writer] if not entry.startswith("read")}
            used = {entry.split()[1] for entry in touched[reader]}
            clashes = {
                (mine, theirs)
                for mine in written
                for theirs in used
                if mine.split(".")[0] == theirs.split(".")[0] != "stage_runs"
                and (mine.split(".")[1:] == [] or theirs.split(".")[1:] in ([], mine.split(".")[1:]))
            }
            assert not clashes, (writer, reader, clashes)


def test_the_event_grouping_groups_again_only_the_stories_of_its_stale_articles(tmp_path: Path) -> None:
    """A new quotes version re-analyses a3 (here the copy, published months later: a story of its own):
    its story's events are grouped again, not every story's (a stale run is no new grouping version)."""
    from ..contract.test_store_contract import _TEXTS, _article, _outputs

    store = open_store(tmp_path / "events.db")
    run = store.begin_run("test")
    for article_id in _TEXTS:
        article = _article(article_id)
        article = replace(article, published="2024-09-05") if article_id == "a3" else article
        store.save_article(article, _outputs(article_id), run)
    first = run_stored_stages(store, StoredStageSettings(), link._Silent())
    assert first["event_groups"]["stories_grouped"] == 2
    events = list(store.iter_rows("events"))
    quotes = [output for output in _outputs("a3") if output.stage == "quotes"]
    store.save_article(
        replace(_article("a3"), published="2024-09-05"), quotes, store.begin_run("t"), downstream("quotes")
    )
    again = run_stored_stages(store, StoredStageSettings(), link._Silent())
    assert again["event_groups"]["stories_grouped"] == 1
    assert list(store.iter_rows("events")) == events


def test_a_role_a_later_article_gives_a_speaker_reaches_the_events_of_its_earlier_quotes(tmp_path: Path) -> None:
    """A statement inside a quote takes its actor from the speaker's roles: when a later article (in another
    story) calls Holm a Danish minister, the warning inside Holm's earlier quotes is Denmark's, as in one run."""
    from ..contract.test_store_contract import _article

    store = open_store(tmp_path / "roles.db")
    _fill(store)
    run_stored_stages(store, StoredStageSettings(), link._Silent())

    def sources(article_id: str) -> list[tuple[object, ...]]:
        rows = store.iter_rows("event_mentions")
        return [(row["source_code"], row["source_name"]) for row in rows if row["article_id"] == article_id]

    assert ("VLM", None) in sources("a1") and (None, "Denmark") not in sources("a1")
    text = "Danish minister Holm said the ferries wait."
    later = replace(_article("a2"), id="a4", url=None, path="a4.txt", published="2025-06-01", title="Wait", text=text)
    quote = Quote(
        id="a4-0", article_id="a4", kind="indirect", source_text="Danish minister Holm", source_start=0,
        source_end=20, speaker="Holm", cue_text="said", cue_start=21, cue_end=25, content_text="the ferries wait",
        content_start=26, content_end=42, confidence=0.9, content_fragments=((26, 42),),
    )  # fmt: skip
    output = StageOutput("quotes", stage("quotes").number, {"quotes": [quote]})
    store.save_article(later, [output], store.begin_run("test"), downstream("quotes"))
    summaries = run_stored_stages(store, StoredStageSettings(), link._Silent())
    assert summaries["speakers"]["articles_resolved"] == 1  # taken in alone, from the kept sums
    assert summaries["event_groups"]["stories_grouped"] == 1  # a1's, which a4 is not in
    assert sources("a1") == sources("a3") == [("VLM", None), ("DNK", "Denmark")]
    assert _run(store) == dict.fromkeys(_WORK, 0)
