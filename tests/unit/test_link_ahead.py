"""Linking features prepared during intake: linking takes them only for the very input they were
computed from, stores exactly what it stores when it computes them itself, and `analyze` prepares every
article it stores (and every quote content for trails: tests/unit/test_trails_ahead.py). Features
prepared once for several relinks (`eval stories`) serve every relink, under any redating, and store
what computing them afresh stores.

The articles are fictional, written for this test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from newstrace.evaluation.stories import half_undated, months_into_days, on_one_day
from newstrace.pipeline import trails
from newstrace.pipeline.link import (
    LinkFeaturesAhead,
    LinkSettings,
    PreparedArticle,
    PreparedForRelinks,
    link_articles,
    link_features,
    link_record,
)
from newstrace.records import Article, LinkInput
from newstrace.store import SQLiteStore

from ..conftest import CORPUS, run_analyze

_REPORTS = [
    ("a1", "2025-03-02", "Harbour Daily", "The Lindqvist harbour authority closed the northern channel on Monday "
     "after the cargo ship Marta Vell lost power and drifted onto a sandbank near the lighthouse."),
    ("a2", "2025-03-02", "Coast Wire", "The Lindqvist harbour authority closed the northern channel on Monday "
     "after the cargo ship Marta Vell lost power and drifted onto a sandbank near the lighthouse, officials said."),
    ("a3", "2025-03-03", "Island Post", "Tugs tried for six hours to free the Marta Vell from the sandbank near "
     "the Lindqvist lighthouse before the tide turned, the harbour master said on Tuesday."),
    ("a4", "2025-03-09", "Valley Herald", "The Orrin valley council voted to rebuild the stone bridge over the "
     "Tessel river that the spring floods swept away, with work to begin in May."),
    ("a5", None, "Coast Wire", "Ferries to the islands will use the southern channel until the wreck of the Marta "
     "Vell is cleared from the sandbank near the Lindqvist lighthouse."),
]  # fmt: skip
_VERSION = link_record(LinkSettings()).version
_LINK_TABLES = ("articles", "stories", "reuse", "story_links", "duplicates")


def _stored(path: Path) -> SQLiteStore:
    store = SQLiteStore(path)
    run_id = store.begin_run("test")
    for article_id, published, outlet, text in _REPORTS:
        article = Article(
            id=article_id, text=text, source_format="text", path=None, url=None, title=text[:30],
            published=published, outlet=outlet, author=None, dateline=None, language="en",
            n_words=len(text.split()), field_sources={},
        )  # fmt: skip
        store.save_article(article, [], run_id=run_id)
    return store


def _rows(store: SQLiteStore) -> dict[str, object]:
    """The tables linking writes, and its state (word frequencies, signatures) as the next run reads it."""
    tables: dict[str, object] = {table: sorted(map(repr, store.iter_rows(table))) for table in _LINK_TABLES}
    state = store.link_state()
    return tables | {"state": (list(state.stories), state.frequencies)}


def test_linking_with_features_prepared_ahead_stores_what_linking_without_them_stores(tmp_path: Path) -> None:
    computed_here = _stored(tmp_path / "here.db")
    link_articles(computed_here)
    prepared_ahead = _stored(tmp_path / "ahead.db")
    ahead = LinkFeaturesAhead()
    ahead.add(list(prepared_ahead.articles_to_link(_VERSION)))
    assert len(ahead) == len(_REPORTS)
    link_articles(prepared_ahead, ahead=ahead)
    assert len(ahead) == 0  # every article's features were taken
    assert _rows(prepared_ahead) == _rows(computed_here)


def test_features_prepared_from_another_input_are_not_taken(tmp_path: Path) -> None:
    store = _stored(tmp_path / "d.db")
    stored = list(store.articles_to_link(_VERSION))
    ahead = LinkFeaturesAhead()
    ahead.add([replace(stored[0], title="Another title"), *stored[1:]])
    assert ahead.take(stored[0]) is None  # the title differs from the stored one: linking computes its own
    prepared = ahead.take(stored[1])
    assert isinstance(prepared, PreparedArticle) and prepared.source == stored[1]
    assert ahead.take(stored[1]) is None  # taken once


def test_no_more_than_the_limit_is_held(tmp_path: Path) -> None:
    store = _stored(tmp_path / "d.db")
    stored = list(store.articles_to_link(_VERSION))
    ahead = LinkFeaturesAhead(limit=2)
    ahead.add(stored[:1])
    ahead.add(stored[1:])
    assert len(ahead) == 2 and ahead.take(stored[0]) is not None and ahead.take(stored[2]) is None


@pytest.mark.parametrize(
    "redate",
    [None, on_one_day(date(2025, 3, 2)), months_into_days(date(2025, 3, 2), factor=3), half_undated],
    ids=["as stored", "one day", "days pressed", "half undated"],
)
def test_a_relink_with_articles_prepared_once_stores_what_a_relink_computing_them_stores(
    tmp_path: Path, redate: Callable[[str | None], str | None] | None
) -> None:
    computed_here = _stored(tmp_path / "here.db")
    link_articles(computed_here, redate=redate)
    prepared_once = _stored(tmp_path / "once.db")
    prepared = PreparedForRelinks(list(prepared_once.articles_to_link(_VERSION)))
    link_articles(prepared_once, ahead=prepared)  # an earlier relink, as `eval stories` runs several
    prepared_once.reset_links()
    link_articles(prepared_once, redate=redate, ahead=prepared)
    assert _rows(prepared_once) == _rows(computed_here)
    assert len(prepared) == len(_REPORTS)  # nothing is taken away


def test_an_article_prepared_once_takes_the_features_of_its_new_date_and_nothing_of_another_input(
    tmp_path: Path,
) -> None:
    stored = list(_stored(tmp_path / "d.db").articles_to_link(_VERSION))
    prepared = PreparedForRelinks(stored)
    monday = stored[0]  # "... on Monday": the day its lead names moves with its date
    moved = replace(monday, published="2025-03-05")
    found, as_stored = prepared.take(moved), prepared.take(monday)
    assert found is not None and as_stored is not None
    assert found.features == link_features(moved) and found.source == moved
    assert found.features.event_days == {date(2025, 3, 3)} != as_stored.features.event_days
    assert prepared.take(replace(monday, published=None)) is not None
    assert prepared.take(replace(monday, title="Another title")) is None


@pytest.mark.slow
def test_analyze_prepares_every_article_and_quote_it_stores_as_linking_and_trails_read_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken: list[bool] = []
    take = LinkFeaturesAhead.take
    quote_texts: list[str] = []
    monkeypatch.setattr(trails, "prepare_quote_texts", lambda texts: quote_texts.extend(texts))

    def counted(self: LinkFeaturesAhead, article: LinkInput) -> PreparedArticle | None:
        found = take(self, article)
        taken.append(found is not None)
        return found

    monkeypatch.setattr(LinkFeaturesAhead, "take", counted)
    store = SQLiteStore(tmp_path / "news.db")
    summary = run_analyze(store, CORPUS)  # every input format the sample corpus holds
    assert summary.linking["articles_linked"] == len(taken) > 0
    assert all(taken)
    stored = [trails._content(row) for row in store.trail_quotes(grouped=True)]
    assert len(stored) == len(quote_texts) > 0 and set(stored) == set(quote_texts)
