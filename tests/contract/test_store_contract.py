"""The store contract: every backend (a SQLite file, a PostgreSQL schema) behaves the same through
the `Store` protocol. Each test runs once per backend on a fresh database; the last ones write the
same articles to both and compare what they hold. Every article, outlet and person here is fictional.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections import Counter
from contextlib import closing
from dataclasses import replace
from importlib import resources
from pathlib import Path

import pytest

from newstrace.events.grouping import GROUPING_VERSION, group_events
from newstrace.events.records import EventMention, EventReport, MentionPlacement, MentionToGroup, StoredEvent
from newstrace.link.speakers import link_speakers
from newstrace.pipeline import stages
from newstrace.pipeline.frame import frame_articles
from newstrace.pipeline.link import link_articles
from newstrace.pipeline.speakers import link_stored_speakers
from newstrace.pipeline.trails import build_trails
from newstrace.records import (
    Article,
    ArticleLink,
    ArticleRendering,
    ArticleSummary,
    Entity,
    EntitySpan,
    FlaggedRendering,
    LinkBatch,
    OutletFraming,
    OutletListing,
    OutletSummary,
    Quote,
    ReusePassage,
    Sentence,
    SpeakerCorrection,
    SpeakerListing,
    SpeakerSummary,
    StageOutput,
    StoredArticle,
    StoredMarker,
    StoredQuote,
    StoredRendering,
    StoredUtterance,
    Story,
    StoryLink,
    StorySummary,
    TrailRendering,
    TranslationLink,
    TranslationRow,
    as_json,
)
from newstrace.scale.parity import stored_rows
from newstrace.store import EXPORT_COLUMNS, QueryTimeout, Store, StoreError, open_store
from newstrace.store import base as store_base
from newstrace.store import columns as store_columns
from newstrace.store import postgres as postgres_store
from newstrace.store import sql as sql_store
from newstrace.store import sqlite as sqlite_store
from newstrace.store.base import (
    CHECKED_FLAGS,
    LIST_FILTERS,
    LIST_ORDERS,
    AnalysedArticle,
    ArticleRow,
    DateSpan,
    FacetCount,
    LinkedArticle,
    LinkedLead,
    ListFilters,
    PeriodCount,
    QuoteHit,
    SearchFacets,
    SearchFilters,
    SearchSyntaxError,
    StageRecord,
    counted_by_store,
    snippet_pieces,
)

from ..unit.test_speaker_batches import speaker_tables, take_in_batches, take_in_batches_with_trails

# Fictional reports: Velmora's harbour closes and reopens; Ostrava Wire copies one of them.
_TEXTS = {
    "a1": (
        "Harbour of Velmora closes",
        "Wire Nine",
        "2024-03-04",
        'Mayor Anneke Holm said the harbour of Velmora would close on Monday. "The storm is the greatest risk '
        'to the ferries," Holm said. The café by the pier stayed open.',
    ),
    "a2": (
        "Velmora harbour reopens",
        "Coastal Post",
        "2024-03-12",
        'The harbour of Velmora reopened after the storm, port chief Ruud Kessel said. "Ferries sail again '
        'today," Kessel told reporters.',
    ),
    "a3": (
        "Harbour of Velmora closes",
        "Ostrava Wire",
        "2024-03-05",
        'Mayor Anneke Holm said the harbour of Velmora would close on Monday. "The storm is the greatest risk '
        'to the ferries," Holm said. The cafe by the pier stayed open.',
    ),
}


def _article(article_id: str) -> Article:
    title, outlet, published, text = _TEXTS[article_id]
    return Article(
        id=article_id, text=text, source_format="text", path=f"{article_id}.txt", url=f"https://news.example/{article_id}",
        title=title, published=published, outlet=outlet, author=None, dateline=None, language="en",
        n_words=len(text.split()), field_sources={"outlet": "metadata"}, header_spans=((0, 0),),
    )  # fmt: skip


def _quote(article_id: str, speaker: str, content: str, cue: str) -> Quote:
    text = _TEXTS[article_id][3]
    start, cue_start = text.index(content), text.index(cue)
    source_start = text.index(speaker)
    return Quote(
        id=f"{article_id}-{cue_start}", article_id=article_id, kind="direct", source_text=speaker,
        source_start=source_start, source_end=source_start + len(speaker), speaker=speaker, cue_text=cue,
        cue_start=cue_start, cue_end=cue_start + len(cue), content_text=content, content_start=start,
        content_end=start + len(content), confidence=0.9, content_fragments=((start, start + len(content)),),
    )  # fmt: skip


def _outputs(article_id: str) -> list[StageOutput]:
    text = _TEXTS[article_id][3]
    people = [name for name in ("Anneke Holm", "Ruud Kessel") if name in text]
    entities = [Entity(article_id, "PERSON", name, text.index(name), text.index(name) + len(name)) for name in people]
    entities.append(Entity(article_id, "GPE", "Velmora", text.index("Velmora"), text.index("Velmora") + 7))
    sentences = [Sentence(article_id, 0, text.index(".") + 1)]
    if article_id == "a2":
        quotes = [_quote("a2", "Kessel", "Ferries sail again today,", "told")]
    else:
        quotes = [_quote(article_id, "Holm", "The storm is the greatest risk to the ferries,", "said. The")]
    return [
        StageOutput("nlp", 1, {"sentences": sentences, "entities": entities}),
        StageOutput("quotes", 2, {"quotes": quotes}),
        StageOutput("events", 3, {"event_mentions": _event_mentions(article_id)}),
    ]


def _event_mentions(article_id: str) -> list[EventMention]:
    """The harbour's closing (a1 and its copy a3: one event) and, inside Holm's quote, a warning with no
    source of its own (the quote's speaker is its source). VLM is a fictional code."""
    text = _TEXTS[article_id][3]
    if article_id == "a2":
        return []
    trigger, warning = text.index("close"), text.index("risk")
    closing = EventMention(
        id=f"{article_id}-{trigger}-0", article_id=article_id, event_type="RETREAT", mode=None, auxiliary="future",
        confidence=0.75, sentence_start=0, sentence_end=text.index(".") + 1, trigger_text="close",
        trigger_start=trigger, trigger_end=trigger + 5, source_text="Velmora", source_code="VLM",
        object_text="the harbour", date_text="on Monday",
    )  # fmt: skip
    warned = EventMention(
        id=f"{article_id}-{warning}-0", article_id=article_id, event_type="THREATEN", mode=None, auxiliary=None,
        confidence=0.5, sentence_start=warning - 28, sentence_end=warning + 20, trigger_text="risk",
        trigger_start=warning, trigger_end=warning + 4, target_text="the ferries", target_code="VLM",
    )  # fmt: skip
    return [closing, warned]


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty database of each backend."""
    if request.param == "sqlite":
        return str(tmp_path / "contract.db")
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def store(location: str) -> Store:
    return open_store(location)


def _fill(store: Store) -> None:
    run = store.begin_run("newstrace analyze (contract test)")
    for article_id in _TEXTS:
        store.save_article(_article(article_id), _outputs(article_id), run)


def _fill_and_link(store: Store) -> None:
    """The articles, their speakers linked, the articles linked into stories, and the quotes' trails."""
    _fill(store)
    speakers, canonical = link_speakers(store.speaker_mentions())
    store.save_speakers(speakers, canonical)
    link_articles(store)
    build_trails(store)


def _rows(store: Store, table: str) -> list[dict[str, object]]:
    return list(store.iter_rows(table, include_text=True))


def test_articles_and_their_stage_rows_read_back_as_written(store: Store) -> None:
    _fill(store)
    articles = _rows(store, "articles")
    assert [row["id"] for row in articles] == ["a1", "a2", "a3"]  # in the order they were stored
    assert articles[0]["text"] == _TEXTS["a1"][3] and articles[0]["field_sources"] == '{"outlet": "metadata"}'
    [quote] = [row for row in _rows(store, "quotes") if row["article_id"] == "a2"]
    assert quote["content_text"] == "Ferries sail again today," and quote["confidence"] == 0.9
    assert json.loads(str(quote["content_fragments"])) == [[quote["content_start"], quote["content_end"]]]
    assert [(row.label, row.text) for row in store.entities_of("a2")] == [
        ("GPE", "Velmora"),
        ("PERSON", "Ruud Kessel"),
    ]
    assert (
        store.stage_versions_of("a1") == {"nlp": "1", "quotes": "2", "events": "3"}
        and store.stage_versions_of("zz") is None
    )
    assert store.article_text("a3") == _TEXTS["a3"][3]
    article = store.article("a1")
    assert type(article) is StoredArticle and article.header_spans == "[[0, 0]]" and article.text == _TEXTS["a1"][3]
    every_column = store._one("SELECT * FROM articles WHERE id = 'a1'")  # type: ignore[attr-defined]
    assert as_json(article) == every_column  # what the article page showed (a backend's own columns hidden)
    history = store.url_history("https://news.example/a2")
    assert history is not None and (history.root_id, history.last_revision) == ("a2", 0)


def test_writing_the_same_articles_again_replaces_their_rows(store: Store) -> None:
    _fill(store)
    before = {table: _rows(store, table) for table in ("articles", "sentences", "entities", "quotes")}
    _fill(store)  # a retried batch, or a second run over the same inputs
    assert {table: _rows(store, table) for table in before} == before
    assert store.count_rows()["runs"] == 2


def test_an_article_with_many_rows_is_written_and_rewritten_whole(store: Store) -> None:
    """Hundreds of rows per table (PostgreSQL writes them with COPY), twice over."""
    text = _TEXTS["a1"][3]
    many = StageOutput(
        "nlp",
        1,
        {
            "sentences": [Sentence("a1", start, start + 3) for start in range(0, 600, 4)],
            "entities": [Entity("a1", "PERSON", f"Holm's \\ \t{n}", n, n + 4) for n in range(300)],
        },
    )
    run = store.begin_run("test")
    for _ in range(2):
        store.save_article(_article("a1"), [many], run)
    assert len(_rows(store, "sentences")) == 150 and store.article_text("a1") == text
    entities = _rows(store, "entities")
    assert [row["text"] for row in entities] == [f"Holm's \\ \t{n}" for n in range(300)]


def test_a_failed_write_leaves_nothing_half_written(store: Store) -> None:
    run = store.begin_run("test")
    broken = StageOutput("nlp", 1, {"sentences": [Sentence("a1", 0, 5)], "no_such_table": [Sentence("a1", 0, 5)]})
    with pytest.raises(StoreError, match="no_such_table"):
        store.save_article(_article("a1"), [broken], run)
    assert store.count_rows()["articles"] == 0 and store.count_rows()["sentences"] == 0
    store.save_article(_article("a1"), _outputs("a1"), run)  # the store is usable after the failure
    assert store.count_rows()["sentences"] == 1


def _batch(*article_ids: str, stale: tuple[str, ...] = ()) -> list[AnalysedArticle]:
    return [AnalysedArticle(_article(key), _outputs(key), stale) for key in article_ids]


def test_a_retried_batch_changes_no_stored_row(store: Store) -> None:
    """A batch written twice (a retry after a lost connection, or a second process with the same
    inputs) leaves every table as the first write left it, in the same order."""
    run = store.begin_run("test")
    store.save_articles(_batch("a1", "a2"), run)
    store.save_articles(_batch("a3", stale=("speakers",)), run)
    before = stored_rows(store)
    store.save_articles(_batch("a3", stale=("speakers",)), run)
    assert stored_rows(store) == before
    assert sum(len(rows) for rows in before.values()) > 0


def test_a_batch_is_stored_whole_or_not_at_all(store: Store) -> None:
    run = store.begin_run("test")
    broken = AnalysedArticle(_article("a2"), [StageOutput("nlp", 1, {"no_such_table": [Sentence("a2", 0, 5)]})])
    with pytest.raises(StoreError, match="no_such_table"):
        store.save_articles([*_batch("a1"), broken, *_batch("a3")], run)
    assert store.count_rows()["articles"] == 0 and store.count_rows()["quotes"] == 0
    store.save_articles(_batch("a1", "a2", "a3"), run)
    assert [row["id"] for row in _rows(store, "articles")] == ["a1", "a2", "a3"]
    assert [row["article_id"] for row in _rows(store, "entities")] == ["a1", "a1", "a2", "a2", "a3", "a3"]


def test_a_batch_marks_the_stale_stages_of_each_of_its_articles(store: Store) -> None:
    run = store.begin_run("test")
    store.save_articles(_batch("a1", "a2", "a3"), run)
    done = StageRecord("speakers", "1", (), ("a1", "a2", "a3"))
    store.save_speakers([], {}, done)
    store.save_articles([*_batch("a1", stale=("speakers",)), *_batch("a2")], run)
    assert store.pending_articles("speakers", "1") == ["a1"]


def test_the_speakers_stage_taking_in_batches_stores_what_a_whole_resolution_stores(store: Store) -> None:
    """Three batches taken in one after another, corrections between them, read back the speakers (ids
    included) that resolving the whole corpus again stores (tests/unit/test_speaker_batches.py)."""
    take_in_batches(store)
    batched = speaker_tables(store)
    # the whole corpus resolved again: the Velts (one in Cyrillic letters too), Pieter Dorn, Anneke Holm
    assert link_stored_speakers(store, stages.record("speakers")) == 5
    assert speaker_tables(store) == batched


@pytest.mark.parametrize("whole", [False, True])
def test_utterances_speak_with_the_speaker_the_speakers_stage_moves_their_quotes_to(store: Store, whole: bool) -> None:
    """The trails stage's reads of who renders each utterance (`speaker_utterances`, `utterance_speakers`)
    follow the speakers stage taking in batches, resolved in part (`whole` False) or whole, and the
    corrections (tests/unit/test_speaker_batches.py)."""
    speaks = take_in_batches_with_trails(store, whole)
    assert speaks[0] != speaks[1]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("velmora", {"a1", "a2", "a3"}),
        ("HARBOUR reopened", {"a2"}),
        ('"greatest risk"', {"a1", "a3"}),
        ('"risk greatest"', set()),
        ("cafe", {"a1", "a3"}),  # accents do not matter
        ("café", {"a1", "a3"}),
        ("reopens", {"a2"}),  # a word of the title only
        ('"closes Mayor"', set()),  # no phrase across the title and the text
        ("(greatest) risk* NEAR", set()),  # punctuation and operators are plain words
        ("(greatest) risk*", {"a1", "a3"}),
        ("nothing-like-this", set()),
        # the search language (store.query): OR, -excluded, prefix*, and each combined with a phrase
        ("holm OR kessel", {"a1", "a2", "a3"}),
        ("holm OR kessel reopened", {"a2"}),
        ('"port chief" OR "anneke holm" ferries', {"a1", "a2", "a3"}),
        ("velmora -kessel", {"a1", "a3"}),
        ('velmora -"greatest risk"', {"a2"}),
        ('velmora -"risk greatest"', {"a1", "a2", "a3"}),
        ("reop*", {"a2"}),  # "reopens" in the title, "reopened" in the text
        ('"greatest ri"*', {"a1", "a3"}),
        ("kess* OR anneke -sail", {"a1", "a3"}),
        ("caf* -café", set()),  # the excluded word is folded as the indexed ones are
        ("or and not", set()),  # lower-case operators are words
        ("storm & | ! :*", {"a1", "a2", "a3"}),  # tokens without a letter or digit are left out
    ],
)
def test_search_finds_the_same_articles_on_every_backend(store: Store, query: str, expected: set[str]) -> None:
    _fill(store)
    assert {hit.article_id for hit in store.search(query, limit=10)} == expected
    hits, total = store.page_search(SearchFilters(query), 10, 0)
    assert {hit.article_id for hit in hits} == expected and total == len(expected)
    assert {row.id for row in store.iter_search(SearchFilters(query))} == expected


@pytest.mark.parametrize(
    ("query", "problem"),
    [('"greatest risk', "not closed"), ("OR holm", "OR needs"), ("holm OR -kessel", "cannot be one side"),
     ("-holm", "only excludes")],
)  # fmt: skip
def test_bad_search_syntax_is_one_clear_message_on_every_backend(store: Store, query: str, problem: str) -> None:
    _fill(store)
    with pytest.raises(SearchSyntaxError, match=problem) as raised:
        store.page_search(SearchFilters(query), 10, 0)
    assert str(raised.value).startswith(f"cannot understand the search {query!r}")
    with pytest.raises(SearchSyntaxError):
        store.search(query)


def test_a_text_s_own_brackets_are_not_taken_for_the_marks_of_the_words_found(store: Store) -> None:
    """The store marks the words found with noncharacters: an editorial [bracket] stays text."""
    text = "[Velmora, fictional wire] The ferries [sic] sail again, the harbour master [Ruud Kessel] said."
    bracketed = replace(_article("a2"), id="a9", url="https://news.example/a9", text=text)
    store.save_article(bracketed, [], store.begin_run("test"))
    [hit] = store.page_search(SearchFilters("harbour"), 10, 0)[0]
    found = [piece for piece, is_found in snippet_pieces(hit.snippet) if is_found]
    assert [piece.lower() for piece in found] == ["harbour"]
    assert "[sic]" in hit.snippet and "[Ruud Kessel]" in hit.snippet


def test_a_new_title_is_searched_instead_of_the_old(store: Store) -> None:
    _fill(store)
    assert store.update_article_metadata("a2", {"title": "Ferries return to Brennick"}, {"title": "metadata"})
    assert not store.update_article_metadata("a2", {"title": "Ferries return to Brennick"}, {"title": "metadata"})
    assert {hit.article_id for hit in store.search("brennick")} == {"a2"}
    assert store.search("reopens") == []
    article = store.article("a2")
    assert article is not None and article.title == "Ferries return to Brennick"
    assert json.loads(article.field_sources) == {"outlet": "metadata", "title": "metadata"}


def test_search_filters_facets_and_snippets(store: Store) -> None:
    _fill(store)
    filters = SearchFilters("harbour", outlet="Wire Nine", date_from="2024-03-01", date_to="2024-03-31", language="en")
    [hit] = store.page_search(filters, 10, 0)[0]
    assert hit.article_id == "a1" and ("harbour", True) in snippet_pieces(hit.snippet.lower())
    facets = store.search_facets(SearchFilters("velmora"), 10)
    assert {row.value: row.n for row in facets.outlet} == {
        "Wire Nine": 1,
        "Coastal Post": 1,
        "Ostrava Wire": 1,
    }
    assert facets.dates == DateSpan("2024-03-04", "2024-03-12")
    weeks = store.search_attention(SearchFilters("harbour"), "week")
    assert weeks == [
        PeriodCount("2024-03-04", "Ostrava Wire", 1),
        PeriodCount("2024-03-04", "Wire Nine", 1),
        PeriodCount("2024-03-11", "Coastal Post", 1),
    ]
    newest_first = store.page_search(SearchFilters(outlet="Coastal Post"), 10, 0)[0]
    assert [hit.article_id for hit in newest_first] == ["a2"]


def test_words_in_more_articles_than_the_bound_are_listed_newest_first_on_every_backend(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past NEWEST_FIRST_OVER matches (2 here) a search with words lists them newest first (undated last,
    ties by id), without a rank: with `rank_cap`, the first matches the text index gives (those facets
    count), when the page lies among them; else every match. At the bound, best first as before."""
    _fill(store)
    monkeypatch.setattr(store_base, "NEWEST_FIRST_OVER", 2)
    velmora = SearchFilters("velmora")
    published = {}
    for article_id in ("a1", "a2", "a3"):
        article = store.article(article_id)
        assert article is not None
        published[article_id] = article.published
    newest = sorted(sorted(published), key=lambda key: (published[key] is not None, published[key] or ""), reverse=True)
    asked: list[str] = []
    if isinstance(store, sqlite_store.SQLiteStore):
        store.connection.set_trace_callback(asked.append)
    hits, total = store.page_search(velmora, 10, 0)
    assert [hit.article_id for hit in hits] == newest and total == 3 and {hit.score for hit in hits} == {0}
    assert [row.id for row in store.iter_search(velmora)] == newest  # the search's CSV, in the page's order
    assert [hit.article_id for hit in store.page_search(velmora, 1, 1)[0]] == newest[1:2]
    first_two = store.page_search(velmora, 2, 0, rank_cap=2)[0]
    counted = store.search_facets(velmora, 10, cap=2)  # the first two found: the page lists them
    assert sorted(row.value for row in counted.outlet) == sorted(hit.outlet for hit in first_two)
    assert [hit.article_id for hit in first_two] == [key for key in newest if key in {h.article_id for h in first_two}]
    assert [hit.article_id for hit in store.page_search(velmora, 1, 2, rank_cap=2)[0]] == newest[2:]  # past them
    assert not any("bm25" in sql for sql in asked), asked
    monkeypatch.setattr(store_base, "NEWEST_FIRST_OVER", 3)
    ranked, _ = store.page_search(velmora, 10, 0)
    assert all(hit.score > 0 for hit in ranked) and sorted(hit.score for hit in ranked)[::-1] == [
        hit.score for hit in ranked
    ]


def test_a_capped_word_search_counts_its_most_recently_stored_matches_on_every_backend(store: Store) -> None:
    """Of more matches of words than the cap, the page (ranked among them, or newest first), the facets and
    the chart take the `cap` most recently stored (the highest rowids: a2 and a3 of a1-a3, stored in that
    order), with other filters too, on every backend; their snippets are those of every match's page."""
    _fill(store)
    latest = ("a2", "a3")
    outlets = sorted(_TEXTS[key][1] for key in latest)
    days = sorted(_TEXTS[key][2] for key in latest)
    for words in (SearchFilters("velmora"), SearchFilters("velmora", date_from="2024-03-01")):
        ranked, total = store.page_search(words, 2, 0, rank_cap=2)
        assert total == 3 and sorted(hit.article_id for hit in ranked) == list(latest), words
        every = {hit.article_id: hit.snippet for hit in store.page_search(words, 10, 0)[0]}
        assert all(hit.snippet == every[hit.article_id] for hit in ranked), words  # cut within the sample alike
        facets = store.search_facets(words, 10, cap=2)
        assert sorted(str(row.value) for row in facets.outlet) == outlets and {row.n for row in facets.outlet} == {1}
        assert (facets.dates.first, facets.dates.last) == (days[0], days[-1]), words
        charted = store.search_attention(words, "day", 2)
        assert sorted(str(row.period) for row in charted) == days and sum(row.n for row in charted) == 2, words


@pytest.mark.parametrize(
    ("narrowing", "expected"),
    [
        ({"outlet": "Wire Nine"}, {"a1", "a4"}),
        ({"outlet": "Coastal Post"}, {"a2"}),
        ({"language": "de"}, {"a4"}),
        ({"outlet": "Wire Nine", "language": "en"}, {"a1"}),
        ({"outlet": "Nowhere Daily"}, set()),
    ],
)
def test_words_with_an_outlet_or_a_language_find_count_and_facet_the_same_articles_on_every_backend(
    store: Store, narrowing: dict[str, str], expected: set[str]
) -> None:
    """SQLite asks its text index for the outlet and language with the words (schema 19), PostgreSQL
    asks the articles: both find, count and facet the same articles, capped or not."""
    _fill(store)
    translated = replace(_article("a2"), id="a4", url="https://news.example/a4", outlet="Wire Nine", language="de")
    store.save_article(translated, [], store.begin_run("test"))
    outlets = {"a1": "Wire Nine", "a2": "Coastal Post", "a3": "Ostrava Wire", "a4": "Wire Nine"}
    filters = SearchFilters("harbour OR ferries", **narrowing)
    hits, total = store.page_search(filters, 10, 0)
    assert {hit.article_id for hit in hits} == expected and total == len(expected)
    assert {row.id for row in store.iter_search(filters)} == expected
    for cap in (None, 10):
        facets = store.search_facets(filters, 10, cap=cap)
        assert {row.value: row.n for row in facets.outlet} == Counter(outlets[id_] for id_ in expected)
        languages = Counter("de" if id_ == "a4" else "en" for id_ in expected)
        assert {row.value: row.n for row in facets.language} == languages, cap
        attention = store.search_attention(filters, "month", cap=cap)
        assert sum(row.n for row in attention) == len(expected), cap


def test_counts_kept_by_the_store_follow_articles_as_they_change(store: Store) -> None:
    """Outlet, language and day filters are answered from the article counts the store keeps (schema 16):
    a new date or outlet moves the article from one count to another."""
    _fill(store)
    march = SearchFilters(outlet="Wire Nine", date_from="2024-03-01", date_to="2024-03-04")
    assert store.page_search(march, 10, 0)[1] == 1
    store.update_article_metadata("a2", {"outlet": "Wire Nine", "published": "2024-03-04"}, {"outlet": "metadata"})
    store.update_article_metadata("a1", {"published": "2024-03-04T18:30:00"}, {"published": "metadata"})
    # a1 now has a time of day on the day `date_to` names: that whole day is in, in the hits and the counts
    assert sorted(hit.article_id for hit in store.page_search(march, 10, 0)[0]) == ["a1", "a2"]
    assert store.page_search(march, 10, 0)[1] == 2
    before = SearchFilters(outlet="Wire Nine", date_to="2024-03-03")
    assert store.page_search(before, 10, 0) == ([], 0)
    march_words = replace(march, text="harbour")  # not read from the counts: the same answer
    assert sorted(hit.article_id for hit in store.page_search(march_words, 10, 0)[0]) == ["a1", "a2"]
    listed = store.page_list(ListFilters("outlets", date_to="2024-03-04"), 10, 0)[0]
    assert listed == [OutletListing("Wire Nine", 2, "2024-03-04", "2024-03-04T18:30:00")]
    wire = SearchFilters(outlet="Wire Nine", language="en")
    assert store.page_search(wire, 10, 0)[1] == 2
    facets = store.search_facets(wire, 10)
    assert facets.outlet == (FacetCount("Wire Nine", 2),)
    assert facets.language == (FacetCount("en", 2),)
    assert facets.dates == DateSpan("2024-03-04", "2024-03-04")
    days = store.search_attention(SearchFilters(date_from="2024-03-04"), "day")
    assert days == [
        PeriodCount("2024-03-04", "Wire Nine", 2),
        PeriodCount("2024-03-05", "Ostrava Wire", 1),
    ]
    drawn = {  # the outlets beyond the busiest `drawn` summed per day
        n: [
            (row.period, row.outlet, int(row.others), row.n)
            for row in store.search_attention(SearchFilters(date_from="2024-03-04"), "day", drawn=n)
        ]
        for n in (1, 2)
    }
    assert drawn[1] == [("2024-03-04", "Wire Nine", 0, 2), ("2024-03-05", None, 1, 1)]
    assert drawn[2] == [("2024-03-04", "Wire Nine", 0, 2), ("2024-03-05", "Ostrava Wire", 0, 1)]
    undated = store.search_attention(SearchFilters(language="en"), "day", drawn=1)  # summed without dates too
    assert [(row.outlet, int(row.others), row.n) for row in undated] == [("Wire Nine", 0, 2), (None, 1, 1)]
    assert store.outlets() == [OutletSummary("Wire Nine", 2), OutletSummary("Ostrava Wire", 1)]


def test_the_first_matches_counted_give_every_match_s_facets_and_attention_when_they_are_all(store: Store) -> None:
    """Facets and attention counted over the first matches (read once, by id) equal those counted over
    every match when the cap holds them all, for words, a speaker and the store's counts alike; and
    attention is summed per month and year by the store, each named by its first day."""
    _fill_and_link(store)
    searches = (
        SearchFilters("harbour"),
        SearchFilters("harbour", outlet="Wire Nine"),
        SearchFilters(speaker_name="holm"),
        SearchFilters(outlet="Wire Nine"),
    )
    for filters in searches:
        every = store.search_facets(filters, 5)
        assert every.speaker and every.story, filters
        assert store.search_facets(filters, 5, cap=10) == every, filters
        for bucket in ("day", "week", "month", "year"):
            assert store.search_attention(filters, bucket, cap=10) == store.search_attention(filters, bucket), bucket
            by_language = store.search_language_attention(filters, bucket)
            assert store.search_language_attention(filters, bucket, cap=10) == by_language, bucket
            _assert_the_same_articles_by_language(store, filters, bucket, by_language)
    months = store.search_attention(SearchFilters("velmora"), "month")
    assert [(row.period, row.n) for row in months] == [
        ("2024-03-01", 1),
        ("2024-03-01", 1),
        ("2024-03-01", 1),
    ]
    years = store.search_attention(SearchFilters(), "year", cap=10)
    assert sorted((str(row.period), str(row.outlet)) for row in years) == [
        ("2024-01-01", "Coastal Post"),
        ("2024-01-01", "Ostrava Wire"),
        ("2024-01-01", "Wire Nine"),
    ]
    with pytest.raises(StoreError, match="no period 'fortnight'"):
        store.search_attention(SearchFilters(outlet="Wire Nine"), "fortnight")


def _assert_the_same_articles_by_language(
    store: Store, filters: SearchFilters, bucket: str, by_language: list[PeriodCount]
) -> None:
    """The chart by language counts the articles the chart by outlet counts, per period, and each language's
    rows are the chart by outlet of the search narrowed to that language (langattn26)."""
    by_outlet: Counter[str | None] = Counter()
    for row in store.search_attention(filters, bucket):
        by_outlet[row.period] += row.n
    per_period: Counter[str | None] = Counter()
    for row in by_language:
        per_period[row.period] += row.n
    assert by_language and per_period == by_outlet, (filters, bucket)
    assert [row.period for row in by_language] == sorted(str(row.period) for row in by_language)
    for language in {row.outlet for row in by_language if row.outlet}:
        narrowed = store.search_attention(replace(filters, language=language), bucket)
        assert sum(row.n for row in narrowed) == sum(row.n for row in by_language if row.outlet == language)


def test_the_speaker_and_flag_facets_of_the_first_matches_are_read_from_facet_keys_that_follow_writes(
    store: Store,
) -> None:
    """Each backend counts the speaker and flag facets of a search's first matches from one read of their
    facet keys (SQLite schema 20, PostgreSQL 10), which triggers keep as quotes, renderings and articles
    are written: they equal the facets counted through the quotes and the renderings of every match."""
    assert isinstance(store, sql_store.SQLStore)
    _fill_and_link(store)
    searches = (
        SearchFilters("harbour"),
        SearchFilters("velmora", outlet="Wire Nine"),
        SearchFilters(outlet="Coastal Post"),
    )

    def facets_agree() -> None:
        for filters in searches:
            assert store.search_facets(filters, 5, cap=10) == store.search_facets(filters, 5), filters

    facets_agree()
    with store._transaction():
        flagged = '["speaker_changed", "translated"]'
        store._execute("UPDATE renderings SET flags = ? WHERE article_id = 'a1'", (flagged,))
    flags = store.search_facets(SearchFilters("harbour"), 5, cap=10).flag
    assert {row.value: row.n for row in flags} == {"speaker_changed": 1, "translated": 1}
    facets_agree()
    before = store.search_facets(SearchFilters("harbour"), 5, cap=10).speaker
    store.save_article(_article("a1"), [StageOutput("quotes", 2, {"quotes": []})], store.begin_run("test"))
    after = store.search_facets(SearchFilters("harbour"), 5, cap=10).speaker
    assert sum(row.n for row in after) == sum(row.n for row in before) - 1
    facets_agree()


def test_a_flag_alone_is_totalled_from_the_articles_counted_per_set_of_flags_as_renderings_change(
    store: Store,
) -> None:
    """Each backend totals a search for a flag alone from its articles counted per set of flags (SQLite
    schema 21, PostgreSQL 11), kept by triggers as renderings and articles are written: the total is the
    number of articles with a rendering carrying the flag, after every change."""
    assert isinstance(store, sql_store.SQLStore)
    _fill_and_link(store)

    def totals_agree() -> dict[str, int]:
        flagged = [(json.loads(str(row["flags"])), row["article_id"]) for row in _rows(store, "renderings")]
        totals = {}
        for flag in CHECKED_FLAGS:
            totals[flag] = store.page_search(SearchFilters(flag=flag), 5, 0)[1]
            assert totals[flag] == len({article for flags, article in flagged if flag in flags}), flag
        return totals

    before = totals_agree()
    renderings = {str(row["article_id"]) for row in _rows(store, "renderings")}
    first, second = sorted(renderings)[:2]
    with store._transaction():
        store._execute(
            "UPDATE renderings SET flags = ? WHERE article_id = ?", ('["speaker_changed", "translated"]', first)
        )
        store._execute("UPDATE renderings SET flags = ? WHERE article_id = ?", ('["translated"]', second))
    changed = totals_agree()
    assert changed["translated"] >= 2 and changed != before
    with store._transaction():
        store._execute("DELETE FROM renderings WHERE article_id = ?", (first,))
    assert totals_agree()["speaker_changed"] == changed["speaker_changed"] - 1
    with store._transaction():
        store._execute("UPDATE renderings SET flags = '[]' WHERE article_id = ?", (second,))
    assert totals_agree()["translated"] == changed["translated"] - 2


def test_who_said_it_counts_its_quotes_with_its_page_and_past_its_last_page(store: Store) -> None:
    """Each backend pages the quotes holding the words and counts them in the same read (past the last
    page, counted alone): the total is the number of such quotes on every page."""
    assert isinstance(store, sql_store.SQLStore)
    _fill_and_link(store)
    holding = sorted(str(row["id"]) for row in _rows(store, "quotes") if "storm" in str(row["content_text"]).lower())
    assert len(holding) >= 2
    pages = [store.page_quote_search(SearchFilters("storm"), 1, offset) for offset in range(len(holding) + 2)]
    assert {total for _, total in pages} == {len(holding)}
    assert sorted(rows[0].quote_id for rows, _ in pages[: len(holding)]) == holding
    assert [rows for rows, _ in pages[len(holding) :]] == [[], []]
    assert all(type(rows[0]) is QuoteHit for rows, _ in pages[: len(holding)])
    capped, total = store.page_quote_search(SearchFilters("storm"), 10, 0, cap=1)  # the first match's quotes
    first = store._first_matches(SearchFilters("storm"), store._search_relation(SearchFilters("storm")), 1)
    assert {row.article_id for row in capped} == {first.ids[0]} and total == len(capped) >= 1


def test_sqlite_reads_the_facet_keys_of_words_alone_with_their_first_matches(tmp_path: Path) -> None:
    """Words alone: the first matches come from the text index joined to the facet keys, their speakers
    and flags with them, in one read; so do the newest matches of an outlet (the articles' index on
    outlet and date joined to the keys, no article's row read); other searches read the keys once, by
    rowid."""
    store = open_store(tmp_path / "keys.db")
    assert isinstance(store, sqlite_store.SQLiteStore)
    _fill(store)
    asked: list[str] = []
    store.connection.set_trace_callback(asked.append)
    store.search_facets(SearchFilters("ferries"), 5, cap=10)
    store.connection.set_trace_callback(None)
    keyed = [sql for sql in asked if "article_facet_keys" in sql]
    assert len(keyed) == 1 and "CROSS JOIN article_facet_keys" in keyed[0]
    assert not any("FROM quotes" in sql or "FROM renderings" in sql for sql in asked)
    asked.clear()
    store.connection.set_trace_callback(asked.append)
    store.search_facets(SearchFilters(outlet="Coastal Post"), 5, cap=10)
    store.connection.set_trace_callback(None)
    keyed = [sql for sql in asked if "article_facet_keys" in sql]
    assert len(keyed) == 1 and "CROSS JOIN article_facet_keys k" in keyed[0], keyed
    plan = store.connection.execute(f"EXPLAIN QUERY PLAN {keyed[0]}").fetchall()  # traced with its values
    assert "COVERING INDEX articles_by_outlet_published" in " ".join(str(step[3]) for step in plan), plan
    asked.clear()
    store.connection.set_trace_callback(asked.append)
    store.search_facets(SearchFilters("ferries", date_from="2000-01-01"), 5, cap=10)
    store.connection.set_trace_callback(None)
    assert next(sql for sql in asked if "article_facet_keys" in sql).startswith("SELECT speakers, flags")


def test_sqlite_looks_the_first_matches_keys_up_in_columns_that_follow_every_write(tmp_path: Path) -> None:
    """A store holding the facet columns (the web server's, `hold_facet_columns`) reads only its first
    matches' rowids (words alone with their rank) and looks their keys up in the process; its pages,
    facets and charts equal those of a store reading the keys from the database, after articles are added,
    changed and removed and their quotes and renderings rewritten; and the columns, brought up to date
    from the numbered changes (schema 25), hold what a first read of the keys holds. A search without words
    (outlet, language, days, flag, speaker, story) is counted and ordered in the columns: totals, facets,
    dates, charts (with outlets drawn or not) and pages equal those of the database, an empty outlet or
    date among them, ordered by the places of the first read or, for articles written since, by the
    database."""
    path = tmp_path / "columns.db"
    writer = open_store(path)
    assert isinstance(writer, sqlite_store.SQLiteStore)
    _fill_and_link(writer)
    held, plain = open_store(path, readonly=True), open_store(path, readonly=True)
    assert isinstance(held, sqlite_store.SQLiteStore) and isinstance(plain, sqlite_store.SQLiteStore)
    for reader in (held, plain):
        reader.keep_no_answers()  # nothing kept between the reads below: each reads anew
    held.hold_facet_columns()  # read on a thread of their own: searches meanwhile read the keys
    store_columns.settled(path)
    searches = (
        SearchFilters("harbour"),
        SearchFilters("velmora OR ferries"),
        SearchFilters("velmora", outlet="Wire Nine"),
        SearchFilters("harbour", date_from="2024-03-05"),
        SearchFilters(outlet="Coastal Post"),
        SearchFilters(speaker_name="holm"),
        SearchFilters(flag="translated"),
        SearchFilters(),
        SearchFilters(date_from="2024-03-04"),
        SearchFilters(date_to="2024-03-04"),
        SearchFilters(outlet="Wire Nine", date_from="2024-03-01", date_to="2024-03-12"),
        SearchFilters(language="en"),
        SearchFilters(language="nl", date_to="2024-03-30"),
        SearchFilters(flag="speaker_changed", language="en"),
        SearchFilters(speaker_id=1, date_from="2024-03-05"),
        SearchFilters(speaker_name="holm", outlet="Ostrava Wire"),
        SearchFilters(story_id="s-none"),
        SearchFilters(outlet="Nowhere Daily"),
    )

    def answers(reader: Store, filters: SearchFilters, cap: int) -> object:
        with reader.time_limit(60):  # one request's reads
            return (
                reader.page_search(filters, 2, 0, cap),
                reader.page_search(filters, 2, 1, cap),
                reader.search_facets(filters, 5, cap),
                [reader.search_attention(filters, bucket, cap) for bucket in ("day", "week", "month")],
                [reader.search_attention(filters, "day", cap, drawn=drawn) for drawn in (1, 2, 8)],
                [reader.search_language_attention(filters, bucket, cap) for bucket in ("day", "week", "month")],
            )

    def every_match(reader: Store, filters: SearchFilters) -> object:
        """What the overview's summary counts over every match: facets without a cap."""
        with reader.time_limit(60):
            return (
                reader.search_facets(filters, 2, None),
                reader.search_facets(filters, 5, None),
                [reader.search_language_attention(filters, bucket) for bucket in ("day", "week", "year")],
            )

    def speakers_index(reader: Store) -> object:
        with reader.time_limit(60):
            return [list(reader.iter_list(ListFilters("speakers", order))) for order in ("", "outlets")]

    def agree() -> None:
        for filters in searches:
            for cap in (2, 10):  # two of the matches (ranked among them), or every one
                assert answers(held, filters, cap) == answers(plain, filters, cap), (filters, cap)
            if counted_by_store(filters):  # counted in the columns over every match (the overview's)
                assert every_match(held, filters) == every_match(plain, filters), filters
        assert speakers_index(held) == speakers_index(plain)
        columns = held._facet_columns()
        fresh = store_columns._read_all(path)
        assert columns is not None and fresh is not None and columns.seq == fresh.seq
        rowids = [int(row[0]) for row in writer._value_rows("SELECT rowid FROM articles")]
        assert columns.sample(rowids) == fresh.sample(rowids)
        # the counts held per (language, day, outlet) and flag set, brought up to date with the columns (or
        # counted anew), are a first read's
        assert _held_counts_by_value(columns) == _held_counts_by_value(fresh)
        assert not columns.present[[r for r in range(len(columns.present)) if r not in rowids]].any()

    agree()
    asked: list[str] = []
    held.connection.set_trace_callback(asked.append)
    answers(held, SearchFilters("harbour"), 10)
    held.connection.set_trace_callback(None)
    assert not any("article_facet_keys" in sql for sql in asked), asked  # nothing changed: no key read
    assert any("bm25" in sql and "LIMIT 10" in sql for sql in asked), asked
    run = writer.begin_run("test")
    with writer._transaction():
        writer._execute("UPDATE renderings SET flags = ? WHERE article_id = 'a1'", ('["translated"]',))
        writer._execute("UPDATE articles SET outlet = 'Velmora Courier', story_id = NULL WHERE id = 'a3'")
    agree()
    writer.save_article(_article("a1"), [StageOutput("quotes", 2, {"quotes": []})], run)  # its quotes removed
    added = replace(_article("a2"), id="a4", outlet="Velmora Courier", published="2024-03-20", language="nl")
    writer.save_article(added, [], run)
    with writer._transaction():
        writer._execute("UPDATE quotes SET article_id = 'a4' WHERE article_id = 'a2'")  # its speaker moves
    agree()
    with writer._transaction():
        writer._execute("DELETE FROM articles WHERE id = 'a2'")
    agree()
    with writer._transaction():  # values the columns know already: their held counts updated, not made anew
        writer._execute("UPDATE articles SET outlet = 'Wire Nine', language = 'en' WHERE id = 'a3'")
        writer._execute("UPDATE renderings SET flags = ? WHERE article_id = 'a1'", ('["speaker_changed"]',))
    agree()
    for outlet, published in (("", "2024-03-04T07:00:00"), (None, ""), ("(outlet unknown)", None)):
        # an empty outlet counted as none (the article counts merge them), an empty or missing date
        added = replace(_article("a2"), id=f"a{len(published or '') + 5}", outlet=outlet, published=published)
        writer.save_article(added, [], run)
        agree()
    for id_, language in (("a30", ""), ("a31", "en")):  # an empty language counted as none, as an empty outlet
        writer.save_article(replace(_article("a2"), id=id_, language=language, published="2024-03-07"), [], run)
    agree()
    writer.close()
    held.close()
    plain.close()


def _held_counts_by_value(columns: store_columns.FacetColumns) -> object:
    """The columns' held counts by the values their codes name (codes differ between two reads)."""
    held = columns.held_counts()
    assert held is not None
    names = [columns.values[name].values for name in ("language", "day", "outlet")]
    cells = zip(*(place.tolist() for place in held.cube.nonzero()), strict=True)
    by_value = {
        tuple(values[code] for values, code in zip(names, cell, strict=True)): int(held.cube[cell]) for cell in cells
    }
    flag_sets = {bits: int(n) for bits, n in enumerate(held.flag_sets.tolist()) if n}
    return by_value, flag_sets, held.articles


def test_a_read_only_sqlite_store_reads_its_file_mapped_into_memory(tmp_path: Path) -> None:
    """The web server's read-only stores read the pages of the file mapped into memory; a writer does not."""
    open_store(tmp_path / "mapped.db").close()
    reader, writer = open_store(tmp_path / "mapped.db", readonly=True), open_store(tmp_path / "mapped.db")
    assert isinstance(reader, sqlite_store.SQLiteStore) and isinstance(writer, sqlite_store.SQLiteStore)
    assert reader.connection.execute("PRAGMA mmap_size").fetchone()[0] > 0
    assert writer.connection.execute("PRAGMA mmap_size").fetchone()[0] == 0


def test_the_flags_listing_total_follows_renderings_written_replaced_and_removed(store: Store, location: str) -> None:
    """The flags listing's total is summed from the renderings the store counts per set of flags
    (schema 16): it follows a rendering written, rewritten with other flags, and removed."""
    _fill(store)
    quotes = {str(row["article_id"]): str(row["id"]) for row in _rows(store, "quotes")}
    utterance = StoredUtterance("u_storm", None, None, None, "storm", None, None, None, 2, 2, None)

    def rendering(article_id: str, flags: list[str]) -> StoredRendering:
        return StoredRendering(quotes[article_id], "u_storm", article_id, None, 0.5, "[]", json.dumps(flags))

    def totals() -> tuple[int, int, int]:
        return tuple(store.page_list(ListFilters("flags", flag=flag), 10, 0)[1] for flag in ("", *CHECKED_FLAGS[:2]))

    store.save_trails([utterance], [rendering("a1", ["altered_direct_quote"]), rendering("a3", ["truncated"])])
    assert totals() == (1, 1, 0)
    store.save_trails([], [rendering("a3", ["altered_direct_quote", "speaker_changed"])])  # rewritten in place
    assert totals() == (2, 2, 1)
    flagged = store.page_list(ListFilters("flags"), 10, 0)[0]
    assert [(type(row), row.quote_id) for row in flagged] == [(FlaggedRendering, quotes[a]) for a in ("a3", "a1")]
    store.reset_trails()
    assert totals() == (0, 0, 0)


def test_speakers_are_stored_and_listed(store: Store) -> None:
    _fill(store)
    speakers, canonical = link_speakers(store.speaker_mentions())
    store.save_speakers(speakers, canonical)
    listed, total = store.page_list(ListFilters("speakers"), 10, 0)
    assert total == 2 and [row.name for row in listed] == ["Holm", "Kessel"]  # type: ignore[union-attr]
    assert {row.speaker_name for row in store.quotes_of(["a1", "a2"])} == {"Holm", "Kessel"}
    for ids in (["a2", "a1", "a3"], ["a3"], []):  # the names alone, in quotes_of's order
        assert store.speaker_names_of(ids) == [row.speaker_name for row in store.quotes_of(ids)], ids
    named, _ = store.page_list(ListFilters("speakers", name="KESS"), 10, 0)  # any case
    assert [row.name for row in named] == ["Kessel"]  # type: ignore[union-attr]
    _add_alias(store, "Kessel", 'Minister "K" Kessel')
    for typed, expected in (('"k"', ["Kessel"]), ("minister", ["Kessel"]), ('"', ["Kessel"]), ("[", []), (",", [])):
        named, _ = store.page_list(ListFilters("speakers", name=typed), 10, 0)  # each alias, not their JSON text
        assert [row.name for row in named] == expected, typed  # type: ignore[union-attr]
    _add_alias(store, "Kessel", "Ministerin Müller")  # JSON writes the ü escaped: found all the same
    named, _ = store.page_list(ListFilters("speakers", name="müller"), 10, 0)
    assert [row.name for row in named] == ["Kessel"]  # type: ignore[union-attr]
    kessel = store.speaker(store.speaker_ids(["Kessel"])["Kessel"])
    assert type(kessel) is SpeakerSummary and (kessel.name, kessel.kind, kessel.n_quotes) == ("Kessel", "person", 1)
    assert isinstance(kessel.aliases, tuple) and isinstance(kessel.roles, tuple)
    assert list(as_json(kessel)) == ["id", "name", "aliases", "roles", "n_quotes", "n_articles", "kind"]
    assert store.speaker(10**6) is None


def _add_alias(store: Store, name: str, alias: str) -> None:
    """Give a stored speaker one more alias, as the speakers stage writes them (a JSON list)."""
    speakers, canonical = link_speakers(store.speaker_mentions())
    assert name in {speaker.name for speaker in speakers}
    store.save_speakers([replace(s, aliases=(*s.aliases, alias)) if s.name == name else s for s in speakers], canonical)


def test_case_blind_filters_fold_ascii_letters_only(store: Store) -> None:
    """As SQLite's NOCASE does: `ÖVERBY` finds `Överby`, `överby` does not."""
    _fill(store)
    [quote] = _outputs("a2")[1].rows["quotes"]
    moved = replace(quote, id="a4-1", article_id="a4")  # type: ignore[type-var]
    article = replace(_article("a2"), id="a4", outlet="Överby Tidning", url=None)
    store.save_article(article, [StageOutput("quotes", 2, {"quotes": [moved]})], store.begin_run("test"))
    store.save_speakers(*link_speakers(store.speaker_mentions()))
    for outlet, expected in (("ÖVERBY TIDNING", ["Kessel"]), ("överby tidning", []), ("Överby Tidning", ["Kessel"])):
        rows, _ = store.page_list(ListFilters("speakers", outlet=outlet), 10, 0)
        assert [row.name for row in rows] == expected, outlet  # type: ignore[union-attr]


def test_links_are_remembered_and_forgotten(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sql_store, "_STORY_PAGE_ROWS", 1)  # the stories are streamed a page at a time
    monkeypatch.setattr(sql_store, "_LINK_PAGE_ROWS", 2)  # and the ids to link
    _fill(store)
    assert store.count_articles_to_link("7") == 3
    assert [item.article_id for item in store.articles_to_link("7")] == ["a1", "a3", "a2"]  # earliest first
    story = Story("st_a1", "Harbour of Velmora closes", "2024-03-04", "2024-03-12", '{"terms": {}}')
    later = Story("st_a2", "Velmora harbour reopens", "2024-03-12", "2024-03-12", "{}")
    batch = LinkBatch(
        articles=[
            ArticleLink("a1", "st_a1", None, None, b"\x01\x02", bands=(-(2**63), 2**63 - 1)),
            ArticleLink("a3", "st_a1", "a1", '{"similarity": 0.97}', b"\x01\x03", bands=(-(2**63), 5)),
            ArticleLink("a2", "st_a2", None, None, b"\x00\xff"),
        ],
        reuse=[ReusePassage("a3", "a1", 0, 40, 0, 40, 0.97)],
        stories=[story, later],
        story_links=[StoryLink("st_a2", "st_a1", "related", 0.4, 8, '["Velmora"]')],
        frequencies=[("term", "harbour", 3), ("entity", "", 3)],
    )
    done = StageRecord("link", "7", (), ("a1", "a3", "a2"))
    store.save_links(batch, done)
    store.save_links(batch, done)  # a retried batch changes nothing
    state = store.link_state()
    assert [s.id for s in state.stories] == ["st_a1", "st_a2"]  # in the order first written
    assert not store.stage_outdated("link", "7")
    # what the linker knows of an article that left its memory: linked ones only, unknown ids skipped
    assert sorted(store.linked_articles(["a3", "a2", "a1", "zz"]), key=lambda linked: linked.article_id) == [
        LinkedArticle("a1", "2024-03-04", None, "st_a1"),
        LinkedArticle("a2", "2024-03-12", None, "st_a2"),
        LinkedArticle("a3", "2024-03-05", "a1", "st_a1"),
    ]
    assert store.linked_articles([]) == [] and store.copies_of("a1") == ["a3"] and store.copies_of("a3") == []
    # look-alikes of articles no longer in the linker's memory: by (band number, key), 64-bit keys whole
    assert sorted(store.band_matches([(0, -(2**63)), (1, 5), (1, 6)])) == [
        (0, -(2**63), "a1"),
        (0, -(2**63), "a3"),
        (1, 5, "a3"),
    ]
    assert store.band_matches([(1, -(2**63))]) == [] and store.unbanded_signatures() == []
    assert store.signatures_of(["a3", "a2", "zz"]) == {"a3": b"\x01\x03", "a2": b"\x00\xff"}
    assert state.frequencies["term"] == {"harbour": 3}
    assert store.latest_members(["st_a1", "st_zz"]) == {"st_a1": ["a1", "a3"]}
    # a story retired from the linker's memory is read back by id, its state text as it was written
    assert store.stories_by_id(["st_zz", "st_a1"]) == [story] and store.stories_by_id([]) == []
    assert store.story("st_a1") == StorySummary("st_a1", "Harbour of Velmora closes", "2024-03-04", "2024-03-12", 2, 2)
    assert store.story("st_zz") is None
    assert as_json(store.story("st_a1")) == {  # the JSON keys the web app has always shown
        "id": "st_a1", "title": "Harbour of Velmora closes", "first_seen": "2024-03-04", "last_seen": "2024-03-12",
        "n_articles": 2, "n_outlets": 2,
    }  # fmt: skip
    stories, total = store.page_stories(10, 0)
    assert [story.id for story in stories] == ["st_a1", "st_a2"] and total == 2
    assert all(type(story) is StorySummary for story in stories)
    assert [row["id"] for row in _rows(store, "duplicates")] == ["a3"]
    assert [row["relation"] for row in _rows(store, "story_links")] == ["related"]
    assert len(_rows(store, "reuse")) == 1 and store.count_articles_to_link("7") == 0
    assert [row.id for row in store.articles_where(story_id="st_a1")] == ["a1", "a3"]
    store.reset_links()
    assert store.count_articles_to_link("7") == 3 and list(store.link_state().stories) == []
    assert store.band_matches([(0, -(2**63))]) == [] and store.signatures_of(["a1"]) == {}


def test_a_storys_latest_members_rank_an_undated_one_oldest_on_every_backend(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite puts NULL last in a descending order and PostgreSQL first: both must keep the same members."""
    _fill(store)
    undated = replace(_article("a2"), id="a4", url=None, published=None)
    store.save_article(undated, [], store.begin_run("test"))
    store.save_article(replace(undated, id="a0"), [], store.begin_run("test"))
    monkeypatch.setattr(sql_store, "_LINK_PAGE_ROWS", 1)  # read a page at a time: the undated ones last, by id
    assert [item.article_id for item in store.articles_to_link("7")] == ["a1", "a3", "a2", "a0", "a4"]
    members = [ArticleLink(article_id, "st_a1", None, None, b"\x01") for article_id in ("a1", "a3", "a4")]
    story = Story("st_a1", "Harbour of Velmora closes", "2024-03-04", "2024-03-05", "{}")
    store.save_links(LinkBatch(articles=members, stories=[story]), StageRecord("link", "7", (), ("a1", "a3", "a4")))
    assert store.latest_members(["st_a1"])["st_a1"] == ["a4", "a1", "a3"]  # oldest first, the undated one before all


def test_stage_runs_say_what_is_pending_outdated_and_stale(store: Store) -> None:
    _fill(store)
    assert store.pending_articles("trails", "1") == ["a1", "a2", "a3"] and not store.stage_outdated("trails", "1")
    store.save_trails([], [], StageRecord("trails", "1", (), ("a1", "a2")))
    assert store.pending_articles("trails", "1") == ["a3"] and store.count_pending("trails", "1") == 1
    assert store.stage_outdated("trails", "2") and store.stage_outdated("trails", "0")
    store.save_speakers([], {}, StageRecord("speakers", "1", ("trails",), ("a1",)))  # speakers redid a1
    assert store.stage_outdated("trails", "1") and store.pending_articles("trails", "1") == ["a1", "a3"]
    store.save_article(_article("a2"), _outputs("a2"), store.begin_run("test"), stale=("speakers",))
    assert store.pending_articles("speakers", "1") == ["a2", "a3"]
    assert store.stage_versions_of("a2") == {"nlp": "1", "quotes": "2", "events": "3", "trails": "1"}  # not stale ones
    store.reset_trails()
    assert store.count_pending("trails", "1") == 3 and not store.stage_outdated("trails", "1")
    store.forget_stage("speakers")
    assert store.count_pending("speakers", "1") == 3


def _execute_directly(location: str, statements: list[str]) -> None:
    """Run SQL on the database without newstrace, as an older newstrace would have written it."""
    if location.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(location, autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)
        return
    with closing(sqlite3.connect(location)) as connection, connection:
        for statement in statements:
            connection.execute(statement)


def _stage_runs_migration(backend: str) -> int:
    """The number of the backend's migration that made one table of stage runs (found by its file name:
    later migrations may follow it)."""
    names = [entry.name for entry in resources.files(f"newstrace.store.migrations.{backend}").iterdir()]
    (number,) = [int(name[:4]) for name in names if name.endswith("_stage_runs.sql")]
    return number


def test_an_older_database_is_upgraded_and_keeps_what_its_stages_did(
    location: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database made before stages shared one table: framing's version was in its status, speakers and
    trails kept no record. Opened by this newstrace, none of that work is pending again."""
    for backend, package in ((sqlite_store, "sqlite"), (postgres_store, "postgres")):
        before = [entry for entry in backend._migrations() if entry[0] < _stage_runs_migration(package)]
        monkeypatch.setattr(backend, "_migrations", lambda before=before: before)
    old = open_store(location)
    _fill(old)
    old.close()
    _execute_directly(
        location,
        [
            "INSERT INTO stage_runs VALUES ('a1', 'framing', 1, '1:lexicon', '2024-05-01T00:00:00+00:00')",
            "INSERT INTO stage_runs VALUES ('a2', 'link', 3, 'done', '2024-05-01T00:00:00+00:00')",
            "INSERT INTO utterances(id, canonical_text, n_renderings, n_outlets) VALUES ('u_a1', 'storm', 1, 1)",
            "INSERT INTO renderings VALUES ((SELECT id FROM quotes WHERE article_id = 'a1'), 'u_a1', 'a1', NULL, "
            "1.0, '[]', '[]')",
        ],
    )
    monkeypatch.undo()
    store = open_store(location)
    assert store.stage_versions_of("a1") == {
        "nlp": "1", "quotes": "2", "events": "3", "framing": "1:lexicon", "speakers": "1", "trails": "1"
    }  # fmt: skip
    assert store.stage_versions_of("a2") == {"nlp": "1", "quotes": "2", "events": "3", "link": "3", "speakers": "1"}
    assert store.pending_articles("framing", "1:lexicon") == ["a2", "a3"]
    assert store.pending_articles("trails", "1") == ["a2", "a3"] and not store.stage_outdated("framing", "1:lexicon")
    # the counts of schema 16 are filled from the rows the older database held
    assert [(row.outlet, row.n_articles) for row in store.outlets()] == [
        ("Coastal Post", 1), ("Ostrava Wire", 1), ("Wire Nine", 1)
    ]  # fmt: skip
    assert store.page_search(SearchFilters(date_from="2024-03-05"), 10, 0)[1] == 2


def _link_as_stories(store: Store) -> None:
    """a1 and its copy a3 in one story, a2 in another; the speakers linked."""
    stories = [Story("st_a1", "Harbour", "2024-03-04", "2024-03-05", "{}"), Story("st_a2", "Reopens", None, None, "{}")]
    links = [ArticleLink("a1", "st_a1", None, None, b"1"), ArticleLink("a3", "st_a1", "a1", None, b"3")]
    batch = LinkBatch(articles=[*links, ArticleLink("a2", "st_a2", None, None, b"2")], stories=stories)
    store.save_links(batch, StageRecord("link", "7", (), ("a1", "a3", "a2")))
    speakers, canonical = link_speakers(store.speaker_mentions())
    store.save_speakers(speakers, canonical)


def test_the_mentions_of_one_occurrence_across_reports_are_one_event(store: Store) -> None:
    _fill(store)
    _link_as_stories(store)
    summary = group_events(store)
    assert summary.to_dict() == {"stories_grouped": 1, "event_mentions": 4, "events": 2}
    events = {event.event_type: event for event in store.events_where(story_id="st_a1")}
    closing, warning = events["RETREAT"], events["THREATEN"]
    assert (closing.event_type, closing.n_mentions, closing.n_articles, closing.n_outlets) == ("RETREAT", 2, 2, 2)
    assert json.loads(closing.outlets) == ["Ostrava Wire", "Wire Nine"]
    # "on Monday" in the Monday (a1) and the Tuesday (a3) reports is the same day, stored with the mention
    assert (closing.date, closing.first_article_id, closing.first_reported) == ("2024-03-04", "a1", "2024-03-04")
    assert closing.last_reported == "2024-03-05" and closing.version == GROUPING_VERSION
    mentions = store.mentions_of_events([closing.id])
    assert [(m.article_id, m.date, m.outlet) for m in mentions] == [
        ("a1", "2024-03-04", "Wire Nine"),
        ("a3", "2024-03-04", "Ostrava Wire"),
    ]
    # the warning inside Holm's quote: linked to the quote, its speaker the source
    [inside] = [m for m in store.mentions_of_events([warning.id]) if m.article_id == "a1"]
    [quote] = store.quotes_of(["a1"])
    assert (inside.quote_id, inside.speaker_id) == (quote.id, quote.speaker_id) and quote.speaker_id
    assert inside.speaker_is_source == 1
    assert inside.source_name == quote.speaker_name and warning.n_articles == 2
    assert {e.id for e in store.events_where(actor="VLM")} == {closing.id, warning.id}
    [exported] = [row for row in store.iter_rows("events") if row["event_id"] == closing.id]
    assert (exported["actor_code"], exported["event_date"], exported["event_auxiliary"]) == (
        "VLM",
        "2024-03-04",
        "future",
    )
    assert group_events(store).stories == 0  # nothing changed: nothing grouped again
    store.reset_links()
    assert list(store.iter_rows("events")) == []
    assert {row["event_id"] for row in store.iter_rows("event_mentions")} == {None}


def test_a_story_whose_mention_is_analysed_again_is_grouped_again(store: Store) -> None:
    _fill(store)
    _link_as_stories(store)
    group_events(store)
    run = store.begin_run("analyze again")
    store.save_article(_article("a3"), _outputs("a3"), run)  # a new events stage: a3's mentions in no event
    assert group_events(store).to_dict() == {"stories_grouped": 1, "event_mentions": 4, "events": 2}
    assert {row["n_mentions"] for row in store.iter_rows("events")} == {2}


def test_a_story_whose_quote_changed_speaker_is_grouped_again(store: Store) -> None:
    _fill(store)
    _link_as_stories(store)
    group_events(store)
    store._execute("UPDATE quotes SET speaker_id = NULL WHERE article_id = 'a3'")  # type: ignore[attr-defined]
    assert group_events(store).stories == 1
    [warned] = [row for row in store.iter_rows("event_mentions") if row["article_id"] == "a3" and row["quote_id"]]
    assert (warned["speaker_id"], warned["speaker_is_source"], warned["source_name"]) == (None, 0, None)
    assert group_events(store).stories == 0


def test_the_event_grouping_records_its_runs_and_regroups_the_stories_of_stale_or_outdated_ones(
    store: Store,
) -> None:
    _fill(store)
    _link_as_stories(store)
    version = str(GROUPING_VERSION)
    assert store.pending_articles("event_groups", version) == ["a1", "a2", "a3"]
    group_events(store)
    assert store.pending_articles("event_groups", version) == []  # a2's story has no mention: nothing to do
    assert store.stage_versions_of("a2") == {
        "nlp": "1",
        "quotes": "2",
        "events": "3",
        "link": "7",
        "event_groups": version,
    }
    # the link stage redid a3 (into the same story): the grouping is stale there, and its story regrouped
    relinked = LinkBatch(articles=[ArticleLink("a3", "st_a1", "a1", None, b"3")], stories=[])
    store.save_links(relinked, StageRecord("link", "7", ("event_groups",), ("a3",)))
    assert store.pending_articles("event_groups", version) == ["a3"]
    assert group_events(store).to_dict() == {"stories_grouped": 1, "event_mentions": 4, "events": 2}
    assert group_events(store).stories == 0
    # an article grouped by another grouping version: every story is grouped again
    store.save_trails([], [], StageRecord("event_groups", "0", (), ("a2",)))
    assert store.stage_outdated("event_groups", version)
    assert group_events(store).stories == 1 and not store.stage_outdated("event_groups", version)
    assert store.pending_articles("event_groups", version) == []


def test_a_grouping_read_before_another_run_wrote_its_story_leaves_that_write(store: Store) -> None:
    _fill(store)
    _link_as_stories(store)
    group_events(store)
    before = {str(row["id"]): row["event_id"] for row in store.iter_rows("event_mentions")}
    # a run that read story st_a1 with a1's mentions only (a3 not yet in it) writes too late
    stale = StoredEvent(
        "ev-stale", "st_a1", "RETREAT", None, None, None, None, None, None, None, None, None, None, "a1", None,
        1, 1, 1, "[]", 0.5, None, None, None, GROUPING_VERSION,
    )  # fmt: skip
    a1_mentions = [mention_id for mention_id in before if mention_id.startswith("a1-")]
    nowhere = (None,) * 8  # no date, quote, speaker or source
    updates = [MentionPlacement(mention_id, "ev-stale", *nowhere) for mention_id in a1_mentions]
    store.save_events({"st_a1": a1_mentions}, [stale], updates)
    assert {str(row["id"]): row["event_id"] for row in store.iter_rows("event_mentions")} == before
    assert "ev-stale" not in {row["event_id"] for row in store.iter_rows("events")}


def test_events_of_undated_reports_are_exported_last_on_every_backend(store: Store) -> None:
    """SQLite sorts a NULL before every value and PostgreSQL after: an export ordered by a column that
    may be NULL, with nothing said about NULLs, lists the same rows in another order on each backend
    (the events of undated articles, on PTC's texts). An undated copy of a1 is its own story here."""
    _fill(store)
    undated = replace(_article("a1"), id="a4", path="a4.txt", url="https://news.example/a4", published=None)
    mentions = [replace(m, id=m.id.replace("a1-", "a4-", 1), article_id="a4") for m in _event_mentions("a1")]
    store.save_article(undated, [StageOutput("events", 3, {"event_mentions": mentions})], store.begin_run("copy"))
    stories = [Story("st_a1", "Harbour", "2024-03-04", "2024-03-05", "{}"), Story("st_a4", "Undated", None, None, "{}")]
    links = [ArticleLink(a, s, None, None, a.encode()) for a, s in (("a1", "st_a1"), ("a3", "st_a1"), ("a4", "st_a4"))]
    store.save_links(LinkBatch(articles=links, stories=stories), StageRecord("link", "7", (), ("a1", "a3", "a4")))
    group_events(store)
    exported = [(row["story_id"], row["event_date"], row["first_reported"]) for row in store.iter_rows("events")]
    # dated first, then undated but first reported on a day, then neither
    assert exported == [
        ("st_a1", "2024-03-04", "2024-03-04"),
        ("st_a1", None, "2024-03-04"),
        ("st_a4", None, None),
        ("st_a4", None, None),
    ]


def test_an_utterance_recurring_from_another_is_read_back_as_stored(store: Store) -> None:
    _fill(store)
    quotes = {str(row["article_id"]): str(row["id"]) for row in _rows(store, "quotes")}
    first = StoredUtterance("u_first", None, "Holm", quotes["a1"], "storm", "a1", "2024-03-04", "Wire Nine", 1, 1, None)
    again = replace(first, id="u_again", canonical_quote_id=quotes["a2"], first_article_id="a2", recurs_from="u_first")
    renderings = [
        StoredRendering(quotes[article], utterance.id, article, None, 1.0, "[]", "[]")
        for article, utterance in (("a1", first), ("a2", again))
    ]
    store.save_trails([first, again], renderings)
    assert store.utterances_recurring_from(["u_first"]) == [again]
    assert store.utterances_recurring_from(["u_again"]) == []
    assert sorted(store.utterances_by_id(["u_again", "u_first", "u_none"]), key=lambda row: row.id) == [again, first]


def test_a_dissolved_utterance_goes_with_its_keys_and_speakers_and_its_recurrences_follow(store: Store) -> None:
    """A trails run groups a stored utterance's quotes again under another id (a quote that arrived late
    opens it now): the old one is deleted with its content keys and `utterance_speakers`, and an utterance
    recurring from it recurs from the one holding the quote that opened it."""
    _fill(store)
    quotes = {str(row["article_id"]): str(row["id"]) for row in _rows(store, "quotes")}
    late = StoredUtterance("u_late", None, "Holm", quotes["a2"], "storm", "a2", "2024-03-05", "Wire Nine", 1, 1, None)
    again = replace(late, id="u_again", canonical_quote_id=quotes["a3"], first_article_id="a3", recurs_from="u_late")
    rendered = [StoredRendering(quotes[a], u.id, a, None, 1.0, "[]", "[]") for a, u in (("a2", late), ("a3", again))]
    store.save_trails([late, again], rendered, keys=[("storm", "u_late"), ("storm", "u_again")])
    early = replace(late, id="u_early", canonical_quote_id=quotes["a1"], first_article_id="a1", n_renderings=2)
    regrouped = [StoredRendering(quotes[a], "u_early", a, None, 1.0, "[]", "[]") for a in ("a1", "a2")]
    store.save_trails([early], regrouped, keys=[("storm", "u_early")], dissolved={"u_late": "u_early"})
    assert sorted(str(row["id"]) for row in _rows(store, "utterances")) == ["u_again", "u_early"]
    assert store.utterance_keys_of(["u_late", "u_early"]) == {"u_early": {"storm"}}
    assert "u_late" not in {row.utterance_id for row in store.utterance_speakers(["u_late", "u_early"])}
    assert store.utterances_recurring_from(["u_early"]) == [replace(again, recurs_from="u_early")]
    done = StageRecord("trails", "6", (), ("a1", "a2", "a3"))
    store.save_trails([], [], done)
    store.save_article(_article("a2"), [], store.begin_run("again"), ("trails",))  # an upstream stage redid a2
    assert store.stale_articles("trails", "6") == ["a2"] and store.stale_articles("trails", "5") == []


def test_an_utterance_the_write_leaves_without_renderings_goes_and_only_such_a_one(store: Store) -> None:
    """The renderings a trails write moves to another utterance may leave the one they were in empty: it is
    deleted (with its keys), one that keeps a rendering stays, and the write asks only about the
    utterances it moved renderings from, not every stored one (a million of them took seconds)."""
    _fill(store)
    quotes = {str(row["article_id"]): str(row["id"]) for row in _rows(store, "quotes")}
    first = StoredUtterance("u_one", None, "Holm", quotes["a1"], "storm", "a1", "2024-03-04", "Wire Nine", 2, 1, None)
    other = replace(first, id="u_two", canonical_quote_id=quotes["a3"], first_article_id="a3", n_renderings=1)
    rendered = [StoredRendering(quotes[a], u.id, a, None, 1.0, "[]", "[]") for a, u in (("a1", first), ("a2", first))]
    rendered.append(StoredRendering(quotes["a3"], "u_two", "a3", None, 1.0, "[]", "[]"))
    store.save_trails([first, other], rendered, keys=[("storm", "u_one"), ("storm", "u_two")])
    taking = replace(other, n_renderings=2)
    store.save_trails([taking], [replace(rendered[1], utterance_id="u_two"), rendered[2]], keys=[("storm", "u_two")])
    assert sorted(str(row["id"]) for row in _rows(store, "utterances")) == ["u_one", "u_two"]  # u_one keeps a1
    store.save_trails([taking], [replace(rendered[0], utterance_id="u_two"), rendered[2]], keys=[("storm", "u_two")])
    assert sorted(str(row["id"]) for row in _rows(store, "utterances")) == ["u_two"]
    assert store.utterance_keys_of(["u_one", "u_two"]) == {"u_two": {"storm"}}


def test_speaker_corrections_are_read_back_in_the_order_made(store: Store) -> None:
    store.add_speaker_correction("rename", "Holm", "Anneke Holm", "person")
    store.add_speaker_correction("merge", "A. Holm", "Anneke Holm")
    assert store.speaker_corrections() == [
        SpeakerCorrection("rename", "Holm", "Anneke Holm", "person"),
        SpeakerCorrection("merge", "A. Holm", "Anneke Holm", None),
    ]


def test_translation_links_are_stored_read_from_both_ends_and_forgotten_with_the_links(store: Store) -> None:
    _fill(store)
    pairs = [[0, 30, 0, 28, 0.91], [31, 60, 29, 55, 0.84]]
    link = TranslationLink("a2", "a1", 0.875, 1.0, json.dumps(pairs))
    batch = LinkBatch(
        articles=[ArticleLink("a2", "st_a1", None, None, b"\x01")],
        stories=[Story("st_a1", "Harbour of Velmora closes", "2024-03-04", "2024-03-12", "{}")],
        translations=[link],
    )
    done = StageRecord("link", "7", (), ("a2",))
    store.save_links(batch, done)
    store.save_links(batch, done)  # a retried batch changes nothing
    expected = [TranslationRow("a2", "a1", 0.875, 1.0, pairs)]
    assert store.translations_of("a2") == store.translations_of("a1") == expected
    assert store.translations_of("a3") == [] and len(_rows(store, "translations")) == 1
    store.reset_links()
    assert store.translations_of("a1") == []


def test_leads_are_kept_recalled_by_day_and_language_and_forgotten_with_the_links(store: Store) -> None:
    """What the cross-language linker recalls of an earlier run: leads of linked articles in the days
    asked, in other languages than the one asked for; an article linked without a lead keeps none."""
    _fill(store)
    batch = LinkBatch(
        articles=[
            ArticleLink("a1", "st_a1", None, None, b"\x01", "Harbour of Velmora closes. Mayor Anneke Holm said"),
            ArticleLink("a3", "st_a1", "a1", None, b"\x03", "Harbour of Velmora closes (Ostrava Wire)"),
            ArticleLink("a2", "st_a2", None, None, b"\x02"),
        ],
        stories=[
            Story("st_a1", "Harbour", "2024-03-04", "2024-03-05", "{}"),
            Story("st_a2", "Reopens", None, None, "{}"),
        ],
    )
    store.save_links(batch, StageRecord("link", "7", (), ("a1", "a3", "a2")))
    recalled = store.linked_leads("2024-03-01", "2024-03-05", "ru")
    assert recalled == [
        LinkedLead("a1", "st_a1", "en", "2024-03-04", "Harbour of Velmora closes. Mayor Anneke Holm said"),
        LinkedLead("a3", "st_a1", "en", "2024-03-05", "Harbour of Velmora closes (Ostrava Wire)"),
    ]  # the last day is included; a2 has no lead, and is dated later anyway
    assert store.linked_leads("2024-03-05", "2024-03-12", "ru") == recalled[1:]
    assert store.linked_leads("2024-03-01", "2024-03-31", "en") == []  # the same language is not recalled
    store.reset_links()
    assert store.linked_leads("2024-03-01", "2024-03-31", "ru") == []


def test_exports_stream_while_other_queries_run(store: Store) -> None:
    _fill(store)
    seen = []
    for row in store.iter_rows("articles"):
        seen.append(row["id"])
        assert store.article_text(str(row["id"]))  # a query in the middle of the stream
    assert seen == ["a1", "a2", "a3"]
    for table, columns in EXPORT_COLUMNS.items():
        assert all(tuple(row) == columns for row in store.iter_rows(table)), table
    with pytest.raises(StoreError, match="choose one of"):
        list(store.iter_rows("pg_class"))


def test_a_read_only_store_refuses_what_it_cannot_read(location: str) -> None:
    with pytest.raises(StoreError, match=r"not a newstrace database|no such database"):
        open_store(location, readonly=True)
    store = open_store(location)
    latest = store.schema_version()  # type: ignore[attr-defined]
    store.close()
    reader = open_store(location, readonly=True)
    assert reader.count_rows()["articles"] == 0
    with pytest.raises(StoreError):
        reader.begin_run("a read-only store writes nothing")
    reader.close()
    _set_schema_version(location, latest + 1)
    for readonly in (True, False):
        with pytest.raises(StoreError, match="made by a newer newstrace"):
            open_store(location, readonly=readonly)


def test_a_database_of_someone_else_is_refused_and_left_as_it_was(location: str) -> None:
    _run_sql(location, "CREATE TABLE articles (isbn text)")
    with pytest.raises(StoreError, match="not a newstrace database"):
        open_store(location, readonly=True)
    with pytest.raises(StoreError, match="migration 0001 failed"):
        open_store(location)
    _run_sql(location, "INSERT INTO articles VALUES ('978-0')")  # still their table, and nothing else came
    with pytest.raises(StoreError, match="not a newstrace database"):
        open_store(location, readonly=True)


def _set_schema_version(location: str, version: int) -> None:
    if location.startswith("postgresql://"):
        _run_sql(location, f"UPDATE newstrace_schema SET version = {version}")
    else:
        _run_sql(location, f"PRAGMA user_version = {version}")


def _run_sql(location: str, sql: str) -> None:
    """One statement on the database behind the store's back."""
    if location.startswith("postgresql://"):
        import psycopg

        with psycopg.connect(location, autocommit=True) as connection:
            connection.execute(sql)
    else:
        import sqlite3

        with sqlite3.connect(location) as connection:
            connection.execute(sql)


def test_two_writers_at_once_store_each_article_once(location: str) -> None:
    """Two connections writing the same articles over and over, started together: no write fails and
    no row is doubled (each article's stage rows are replaced as a whole)."""
    open_store(location).close()  # the schema exists before the writers start
    failures: list[BaseException] = []
    start = threading.Barrier(2)

    def write() -> None:
        try:
            store = open_store(location)
            start.wait()
            for _ in range(_ROUNDS):
                _fill(store)
            store.close()
        except BaseException as error:
            failures.append(error)

    writers = [threading.Thread(target=write) for _ in range(2)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert failures == []
    counts = open_store(location, readonly=True).count_rows()
    entities = sum(len(output.rows.get("entities", [])) for key in _TEXTS for output in _outputs(key))
    assert (counts["articles"], counts["quotes"], counts["entities"]) == (3, 3, entities)
    assert counts["runs"] == 2 * _ROUNDS


_ROUNDS = 15


def test_every_backend_holds_the_same_rows_after_the_derived_stages(tmp_path: Path, postgres_url: str) -> None:
    """The same writes and the store-driven stages (speakers, links, trails, framing) on both backends:
    every exported table is equal row for row (except run times), and so is every read query's answer."""
    answers = []
    for location in (str(tmp_path / "same.db"), postgres_url):
        store = open_store(location)
        _fill(store)
        speakers, canonical = link_speakers(store.speaker_mentions())
        store.save_speakers(speakers, canonical)
        link_articles(store)
        build_trails(store)
        frame_articles(store)
        group_events(store)
        answers.append(_every_answer(store))
        store.close()
    sqlite_answers, postgres_answers = answers
    for name, record in _READ_RECORDS.items():  # each read gives its record type, on both backends alike
        found = _records_in(sqlite_answers[name])
        assert found and all(type(item) is record for item in found), name
    assert sqlite_answers["utterances"] and sqlite_answers["framing"] and sqlite_answers["stories"]
    assert sqlite_answers["events"] and sqlite_answers["event_mentions"]
    assert all(
        sqlite_answers[f"list {name}"][1] for name in ("stories by words", "speakers by words", "utterances by words")
    )
    assert sqlite_answers["list stories by days"][1]
    for name, answer in sqlite_answers.items():
        assert postgres_answers[name] == answer, name


# The read answers (by their name in `_every_answer`) that are typed records, and the record of each
# ("recurring" and the flags listing are left out: these articles hold no recurring statement and no
# flagged rendering, so they are empty; the tests that write those check their records).
_READ_RECORDS: dict[str, type] = {
    "utterance": StoredUtterance,
    "utterances by id": StoredUtterance,
    "renderings": TrailRendering,
    "renderings in articles": ArticleRendering,
    "article": StoredArticle,
    "entities of": EntitySpan,
    "of an outlet": ArticleSummary,
    "outlet framing": OutletFraming,
    "outlet articles page": ArticleSummary,
    "quotes of": StoredQuote,
    "markers of": StoredMarker,
    "speaker": SpeakerSummary,
    "outlets": OutletSummary,
    "stories page": StorySummary,
    "list stories coverage": StorySummary,
    "list speakers quotes": SpeakerListing,
    "list outlets name": OutletListing,
    "list utterances date": StoredUtterance,
    "list speakers narrowed": SpeakerListing,
    "list outlets narrowed": OutletListing,
    "list speakers of an outlet": SpeakerListing,
    "said by": StoredUtterance,
    "events": StoredEvent,
    "event mentions": EventReport,
    "mentions to group": MentionToGroup,
    "facets": SearchFacets,
    "capped facets": SearchFacets,
    "weeks": PeriodCount,
    "capped weeks": PeriodCount,
    "who said it": QuoteHit,
    "searched rows": ArticleRow,
}


def _records_in(answer: object) -> list[object]:
    """The records of an answer: the answer itself, the items of a list, of a page (rows, total), of a list of
    lists."""
    if isinstance(answer, tuple) and len(answer) == 2 and isinstance(answer[1], int):
        return _records_in(answer[0])
    if isinstance(answer, list):
        return [record for item in answer for record in _records_in(item)]
    return [answer]


def _every_answer(store: Store) -> dict[str, object]:
    """What the store answers to every read query the CLI and the web app ask, by name."""
    answers: dict[str, object] = {
        table: _rows(store, table) for table in EXPORT_COLUMNS if table not in ("runs", "stage_runs")
    }
    for listing, orders in LIST_ORDERS.items():
        for order in orders:
            answers[f"list {listing} {order}"] = store.page_list(ListFilters(listing, order, date_from="2024"), 5, 0)
            answers[f"iter {listing} {order}"] = list(store.iter_list(ListFilters(listing, order, name="a")))
    answers["flagged"] = store.page_list(ListFilters("flags", flag="translated", speaker="holm"), 5, 0)
    for order in LIST_ORDERS["speakers"]:  # over the whole corpus: ordered by counts (schema 30)
        answers[f"list speakers {order} whole"] = store.page_list(ListFilters("speakers", order), 5, 0)
    for listing in LIST_ORDERS:  # driven from the filter's rows (`_planned_listing`): an outlet, days
        outlet = {"outlet": "WIRE nine"} if "outlet" in LIST_FILTERS[listing] else {}
        narrowed = ListFilters(listing, date_from="2024-03-01", date_to="2024-03-31", **outlet)
        answers[f"list {listing} narrowed"] = store.page_list(narrowed, 5, 0)
        answers[f"list {listing} of an outlet"] = store.page_list(replace(narrowed, date_from=None, date_to=None), 5, 0)
    for listing, name in (("stories", "ARBOU"), ("speakers", "olm"), ("utterances", "TOR")):  # their trigram indexes
        answers[f"list {listing} by words"] = store.page_list(ListFilters(listing, name=name), 5, 0)
    days = ListFilters("stories", "date", date_from="2024-03-02", date_to="2024-03-31")  # SQLite: stories' spans
    answers["list stories by days"] = store.page_list(days, 5, 0)
    words = SearchFilters("harbour")
    answers["facets"] = store.search_facets(words, 5)
    answers["weeks"] = store.search_attention(words, "week")
    answers["days"] = store.search_attention(SearchFilters(), "day")
    answers["by speaker"] = [hit.article_id for hit in store.page_search(SearchFilters(speaker_name="HOLM"), 9, 0)[0]]
    holm = SearchFilters(speaker_name="HOLM")  # past a cap of 1: counted from the newest match, read once
    answers["capped facets"] = store.search_facets(holm, 5, cap=1)
    answers["capped weeks"] = store.search_attention(holm, "week", cap=1)
    answers["who said it"] = store.page_quote_search(SearchFilters("storm"), 5, 0)
    answers["searched rows"] = list(store.iter_search(SearchFilters(outlet="Wire Nine")))  # newest first
    answers["flag total"] = store.page_search(SearchFilters(flag="translated"), 1, 0, rank_cap=1)[1]
    answers["words and an outlet total"] = store.page_search(SearchFilters("harbour", outlet="Wire Nine"), 9, 0)[1]
    utterance_ids = [str(row["id"]) for row in store.iter_rows("utterances")]
    answers["utterance"] = [store.utterance(utterance_id) for utterance_id in utterance_ids]
    answers["renderings"] = [store.renderings_of(utterance_id) for utterance_id in utterance_ids]
    answers["recurring"] = store.utterances_recurring_from(utterance_ids)
    answers["utterances by id"] = sorted(store.utterances_by_id(utterance_ids), key=lambda utterance: utterance.id)
    articles = sorted(_TEXTS)
    answers["renderings in articles"] = store.renderings_for_articles(articles)
    answers["quotes of"] = store.quotes_of(articles)
    answers["markers of"] = store.markers_of(articles)
    answers["outlets"] = store.outlets()
    answers["of an outlet"] = store.articles_where(outlet="Wire Nine")
    answers["outlet framing"] = store.outlet_framing("Wire Nine", 1)
    answers["outlet articles page"] = store.page_outlet_articles("Ostrava Wire", 1, 0)
    answers["speaker"] = [store.speaker(int(str(row["id"]))) for row in store.iter_rows("speakers")]
    answers["said by"] = [store.page_utterances_of(int(str(row["id"])), 5, 0) for row in store.iter_rows("speakers")]
    answers["stories page"] = store.page_stories(5, 0)
    answers["article"] = store.article("a1")
    answers["entities of"] = [store.entities_of(article_id) for article_id in articles]
    events = store.events_where(actor="VLM")
    answers["events"] = events
    answers["event mentions"] = store.mentions_of_events([event.id for event in events])
    answers["mentions to group"] = store.event_mentions_to_group("0")  # every story, at a version never run
    return answers


def test_a_page_past_the_last_is_counted_whole_on_every_backend(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past COUNT_CAP (made 1 here) a listing or a search counts every row, so that a page past the last is
    answered with its whole total and no row; the last page itself is read as before."""
    _fill_and_link(store)
    monkeypatch.setattr(sql_store, "COUNT_CAP", 1)
    for listing, orders in LIST_ORDERS.items():
        filters = ListFilters(listing, orders[-1])
        every = list(store.iter_list(filters))
        assert store.page_list(filters, 1, len(every) + 3) == ([], len(every)), listing
        assert store.page_list(filters, 1, max(0, len(every) - 1))[0] == every[-1:], listing
    for searched in (SearchFilters(), SearchFilters("harbour"), SearchFilters(speaker_name="HOLM")):
        every_hit = len(list(store.iter_search(searched)))
        assert every_hit > 1 and store.page_search(searched, 1, every_hit + 3, 1) == ([], every_hit), searched
    stories = store.page_stories(1, 0)[1]
    assert stories and store.page_stories(1, stories) == ([], stories)


def test_an_outlets_framing_summed_in_the_database_is_what_its_articles_and_markers_give(store: Store) -> None:
    """`outlet_framing` (the outlet page's counts) against the same counted from every article, marker
    and quote read: articles, stories and span, markers per (category, referent, marker) and per month,
    quotes per speaker, and each choice's first places by article and offset."""
    _fill(store)  # before the speakers are linked, every quote is counted by the name it holds
    unlinked = Counter(name for name in store.speaker_names_of(sorted(_TEXTS)) if name)
    by_name = sum((Counter(dict(store.outlet_framing(row.outlet, 1).speakers)) for row in store.outlets()), Counter())
    assert unlinked and by_name == unlinked
    _fill_and_link(store)
    frame_articles(store)
    _check_outlet_framing(store)
    # counts kept by triggers (schema 30) follow an article moved to another outlet and month, the speakers
    # linked again (every quote's speaker id cleared and set) and an article's quotes written again
    assert store.update_article_metadata("a1", {"outlet": "Ostrava Wire", "published": "2024-04-02"}, {})
    _check_outlet_framing(store)
    speakers, canonical = link_speakers(store.speaker_mentions())
    store.save_speakers(speakers, canonical)
    store.save_article(_article("a2"), _outputs("a2"), store.begin_run("newstrace analyze (again)"))
    _check_outlet_framing(store)


def _check_outlet_framing(store: Store) -> None:
    """Every outlet's `outlet_framing` against the same counted from its articles, markers and quotes; and the
    speakers listing over the whole corpus, ordered by the quotes counted per outlet too (schema 30)."""
    outlet_of = {str(row["id"]): row["outlet"] for row in store.iter_rows("articles")}
    quoted: dict[int, list[str]] = {}
    for row in store.iter_rows("quotes"):
        if row["speaker_id"] is not None:
            quoted.setdefault(int(str(row["speaker_id"])), []).append(str(row["article_id"]))
    for order in LIST_ORDERS["speakers"]:
        for listed in store.page_list(ListFilters("speakers", order), 10, 0)[0]:
            assert isinstance(listed, SpeakerListing)
            articles = quoted.get(listed.id, [])
            outlets = {outlet_of[article] for article in articles if outlet_of[article]}
            assert (listed.n_quotes, listed.n_articles, listed.n_outlets) == (
                len(articles), len(set(articles)), len(outlets)
            ), listed  # fmt: skip
    for outlet in [row.outlet for row in store.outlets()]:
        articles = store.articles_where(outlet=outlet)
        markers = store.markers_of([row.id for row in articles])
        counted = store.outlet_framing(outlet, 1)
        dates = sorted(str(row.published) for row in articles if row.published)
        assert (counted.n_articles, counted.n_stories, counted.first_published, counted.last_published) == (
            len(articles), len({row.story_id for row in articles if row.story_id}), dates[0], dates[-1]
        )  # fmt: skip
        each = Counter((row.category, row.referent, row.marker) for row in markers)
        assert sorted(counted.markers, key=str) == sorted(((*key, n) for key, n in each.items()), key=str)
        month_of = {row.id: str(row.published)[:7] for row in articles}
        naming = [row for row in markers if row.category in ("naming", "label")]
        named = Counter((row.referent, row.marker, month_of[row.article_id]) for row in naming)
        assert sorted(counted.names_per_month, key=str) == sorted(((*key, n) for key, n in named.items()), key=str)
        quoted = Counter(name for name in store.speaker_names_of([row.id for row in articles]) if name)
        assert counted.speakers == tuple(sorted(quoted.items(), key=lambda item: (-item[1], item[0])))
        first: dict[tuple[str, str | None, str], StoredMarker] = {}
        dated = {row.id for row in articles if row.published}  # (the places are in the earliest dated ones)
        for row in sorted(markers, key=lambda row: (row.article_id, row.start, row.id)):
            if row.article_id not in dated:
                continue
            referent = (row.referent or "(unnamed)") if row.category in ("naming", "label") else ""
            first.setdefault((row.category, referent, row.marker), row)
        assert sorted(counted.evidence) == sorted(
            (row.category, row.referent, row.marker, row.article_id, row.text, row.start, row.end)
            for row in first.values()
        )
        assert store.page_outlet_articles(outlet, 1, len(articles) - 1) == articles[-1:]
    assert any(counted.markers for counted in map(lambda row: store.outlet_framing(row.outlet, 1), store.outlets()))
    assert any(counted.speakers for counted in map(lambda row: store.outlet_framing(row.outlet, 1), store.outlets()))


# A statement that runs for seconds on each backend (a counting loop; a sleep), to stop by the time limit.
_SLOW_STATEMENT = {
    "sqlite": "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000000) "
    "SELECT max(i) FROM n",
    "postgresql": "SELECT pg_sleep(5)",
}


def test_a_read_past_the_time_limit_is_stopped_and_the_store_goes_on(store: Store, location: str) -> None:
    _fill(store)
    slow = _SLOW_STATEMENT["sqlite" if location.endswith(".db") else "postgresql"]
    with pytest.raises(QueryTimeout, match=r"took longer than the 0\.05 s allowed"), store.time_limit(0.05):
        store._execute(slow)  # type: ignore[attr-defined]  # no protocol read is slow on three articles
    with store.time_limit(60):
        assert store.page_search(SearchFilters(text="velmora"), 10, 0)[1] == 3
    assert store.page_search(SearchFilters(text="ferries"), 10, 0)[1] == 3  # no limit outside the block


def test_articles_to_frame_read_in_chunks_give_each_article_its_language_text_and_cues(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sql_store, "_FRAME_FETCH_ROWS", 2)  # three articles: a chunk boundary between them
    run = store.begin_run("newstrace analyze (contract test)")
    for article_id in _TEXTS:
        article = _article(article_id)
        store.save_article(
            replace(article, language="nl") if article_id == "a2" else article, _outputs(article_id), run
        )
    store.save_framing([("a1", [])], StageRecord("framing", "1", (), ()))
    found = list(store.articles_to_frame("1"))
    assert [(item.article_id, item.language, item.text) for item in found] == [
        ("a2", "nl", _TEXTS["a2"][3]),
        ("a3", "en", _TEXTS["a3"][3]),
    ]
    quote = _outputs("a3")[1].rows["quotes"][0]
    assert isinstance(quote, Quote)
    assert found[1].quotes == ((quote.id, "Holm", quote.cue_text, quote.cue_start, quote.cue_end),)


def test_signatures_linked_before_the_band_index_are_given_their_keys(store: Store) -> None:
    """A database linked before schema 22 keeps signatures without band keys: the linker asks for them once,
    writes their keys, and is not asked again."""
    _fill(store)
    links = [ArticleLink(article, f"st_{article}", None, None, bytes([n])) for n, article in enumerate(("a1", "a3"))]
    store.save_links(LinkBatch(articles=links), StageRecord("link", "7", (), ("a1", "a3")))
    assert store.unbanded_signatures() == [("a1", b"\x00"), ("a3", b"\x01")]
    store.save_bands([[(0, 9, "a1")], [(3, 9, "a3")]])
    store.save_bands([[(0, 9, "a1")]])  # a retried write changes nothing
    assert store.unbanded_signatures() == [] and store.band_matches([(0, 9), (3, 9)]) == [(0, 9, "a1"), (3, 9, "a3")]


@pytest.mark.parametrize("listing", ["stories", "speakers", "utterances"])
def test_a_listing_s_outlet_facet_counts_the_rows_each_outlet_filter_keeps_on_every_backend(
    store: Store, listing: str
) -> None:
    _fill_and_link(store)
    for dates in ({}, {"date_from": "2024-03-05"}):
        if dates and listing != "speakers":
            continue  # only the speakers' outlet and dates narrow the same rows (their quotes)
        filters = ListFilters(listing, **dates)
        rows, total = store.page_list(filters, 100, 0)
        counted = store.listing_outlets(filters, [row.id for row in rows])  # type: ignore[union-attr]
        outlets = {row.outlet for row in store.iter_list(ListFilters("outlets"))}  # type: ignore[union-attr]
        expected = {
            outlet: n
            for outlet in outlets
            if (n := store.page_list(ListFilters(listing, outlet=outlet, **dates), 100, 0)[1])
        }
        assert total and expected and not counted.cut, dates
        assert {row.value: row.n for row in counted.outlets} == expected, dates
    assert store.listing_outlets(ListFilters(listing), []) == ([], False)


def test_a_speakers_listing_s_outlet_facet_counts_only_the_quotes_of_its_dates_on_every_backend(store: Store) -> None:
    """Under an end date, and under both dates, a speaker's outlets are those of its quotes in that time: Holm is
    quoted by Wire Nine on 4 March and by Ostrava Wire on 5 March, Kessel by Coastal Post on 12 March. Each
    count is also the total the outlet filter leaves with the same dates."""
    _fill_and_link(store)
    limits = (
        ({"date_to": "2024-03-04"}, {"Wire Nine": 1}),  # a day includes all of itself
        ({"date_from": "2024-03-05", "date_to": "2024-03-11"}, {"Ostrava Wire": 1}),
    )
    for dates, expected in limits:
        filters = ListFilters("speakers", **dates)
        rows, total = store.page_list(filters, 100, 0)
        assert [row.name for row in rows] == ["Holm"] and total == 1, dates  # type: ignore[union-attr]
        counted = store.listing_outlets(filters, [row.id for row in rows])  # type: ignore[union-attr]
        assert {row.value: row.n for row in counted.outlets} == expected and not counted.cut, dates
        for outlet, n in expected.items():
            assert store.page_list(ListFilters("speakers", outlet=outlet, **dates), 100, 0)[1] == n, dates
