"""Quote contents prepared for trails during intake: prepared from a quote as analysis finds it, they are
the contents the stage reads from the store (a quote split by its cue too), the stage stores exactly what
it stores without them, and no more than the limit is prepared. A rendering whose words are its
canonical text's is diffed as difflib would.

The articles and quotes are fictional, written for this test.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from pathlib import Path

import pytest

from newstrace.link import trails
from newstrace.link.trails import word_diff
from newstrace.pipeline.speakers import resolve_speakers
from newstrace.pipeline.stages import downstream, stage
from newstrace.pipeline.trails import TrailTextsAhead, _content, build_trails
from newstrace.records import Article, Quote, StageOutput
from newstrace.store import SQLiteStore

_TEXTS = {
    "t1": '"The harbour tolls will rise next spring," Anneke Holm said. "Every firm should prepare now."',
    "t2": 'Anneke Holm said: "The harbour tolls will rise next spring. Every firm should prepare now."',
    "t3": "Port officials said the harbour tolls would rise next spring, according to Anneke Holm.",
}
_DATES = {"t1": "2025-04-01", "t2": "2025-04-02", "t3": "2025-04-02"}


def _quote(article_id: str, text: str, kind: str, pieces: list[tuple[int, int]]) -> Quote:
    start, end = pieces[0][0], pieces[-1][1]
    return Quote(
        id=f"q_{article_id}", article_id=article_id, kind=kind, source_text="Anneke Holm", source_start=None,
        source_end=None, speaker="Anneke Holm", cue_text="said", cue_start=0, cue_end=0,
        content_text=text[start:end], content_start=start, content_end=end, confidence=0.9,
        content_fragments=tuple(pieces),
    )  # fmt: skip


def _found() -> dict[str, list[Quote]]:
    """Each article's quotes as analysis finds them; the first is split by its cue."""
    first, second, third = _TEXTS["t1"], _TEXTS["t2"], _TEXTS["t3"]
    split = [(1, first.index(",")), (first.index('"Every') + 1, len(first) - 1)]
    return {
        "t1": [_quote("t1", first, "direct", split)],
        "t2": [_quote("t2", second, "direct", [(second.index('"') + 1, len(second) - 1)])],
        "t3": [_quote("t3", third, "indirect", [(third.index("the harbour"), third.index(", according"))])],
    }


def _stored(path: Path) -> SQLiteStore:
    store = SQLiteStore(path)
    run_id = store.begin_run("test")
    for article_id, quotes in _found().items():
        text = _TEXTS[article_id]
        article = Article(
            id=article_id, text=text, source_format="text", path=None, url=None, title=text[:20],
            published=_DATES[article_id], outlet="Harbour Daily", author=None, dateline=None, language="en",
            n_words=len(text.split()), field_sources={},
        )  # fmt: skip
        output = StageOutput("quotes", stage("quotes").number, {"quotes": list[object](quotes)})
        store.save_article(article, [output], run_id, downstream("quotes"))
    return store


def _forget_prepared() -> None:
    trails._words.cache_clear()
    trails._content_keys.cache_clear()


def _prepared(ahead: TrailTextsAhead) -> None:
    for article_id, quotes in _found().items():
        ahead.add(_TEXTS[article_id], quotes)


def test_the_contents_prepared_are_the_ones_trails_read_from_the_store(tmp_path: Path) -> None:
    store = _stored(tmp_path / "d.db")
    _forget_prepared()
    _prepared(TrailTextsAhead())
    misses = trails._words.cache_info().misses
    contents = [_content(row) for row in store.trail_quotes(grouped=False)]
    assert len(contents) == 3 and "rise next spring Every firm" in contents[0]  # the split quote, joined
    for content in contents:
        trails._words(content)
        trails._content_keys(content)
    assert trails._words.cache_info().misses == misses  # each one was prepared
    assert trails._content_keys.cache_info().misses == misses


def test_trails_with_contents_prepared_ahead_store_what_trails_without_them_store(tmp_path: Path) -> None:
    tables = {}
    for name in ("here", "ahead"):
        store = _stored(tmp_path / f"{name}.db")
        _forget_prepared()
        if name == "ahead":
            _prepared(TrailTextsAhead())
        resolve_speakers(store)  # one speaker, named alike in the three articles
        summary = build_trails(store)
        assert summary.quotes == 3
        tables[name] = {table: sorted(map(repr, store.iter_rows(table))) for table in ("utterances", "renderings")}
    assert tables["ahead"] == tables["here"]
    assert len(tables["here"]["utterances"]) == 1  # the three render one statement


def test_no_more_than_the_limit_is_prepared() -> None:
    _forget_prepared()
    ahead = TrailTextsAhead(limit=2)
    _prepared(ahead)
    assert ahead.prepared == 2 and trails._words.cache_info().currsize == 2


@pytest.mark.parametrize(
    "said",
    [[], ["tolls"], ["the", "harbour", "tolls", "will", "rise"], ["rise", "rise", "and", "rise"]],
)
def test_the_same_words_are_diffed_as_difflib_diffs_them(said: list[str]) -> None:
    matcher = SequenceMatcher(a=said, b=list(said), autojunk=False)
    expected = [
        {"op": "kept", "canonical": " ".join(said[a0:a1]), "rendering": " ".join(said[b0:b1])}
        for tag, a0, a1, b0, b1 in matcher.get_opcodes()
        if tag == "equal"
    ]
    assert len(expected) == len(matcher.get_opcodes())
    assert word_diff(tuple(said), tuple(said)) == (expected, round(matcher.ratio(), 4))
