"""A search's first matches counted over the process's columns (`store.sampled`) give what the same matches
counted as lists of values give (`store.sql`'s `_tallied`, `_attention_rows`, `_newest_candidates`, the
speaker and flag facets): each value apart (an empty outlet apart from none), ties ordered alike, days
that are no dates, undated matches; and an attention chart of rows with the outlets beyond those drawn
summed (`drawn_rows`, `attention(..., drawn)`) is the chart of every row."""

from __future__ import annotations

from collections import Counter
from unittest import mock

import numpy as np
from hypothesis import example, given, settings
from hypothesis import strategies as st

from newstrace.serve import data
from newstrace.store import columns as store_columns
from newstrace.store import sampled
from newstrace.store import sql as store_sql
from newstrace.store.base import UNKNOWN_OUTLET

_OUTLETS = [None, "", "Wire Nine", "wire nine", "Ostrava Wire", "Ümlaut Post", "other outlets", UNKNOWN_OUTLET]
_DAYS = [None, "", "2024-02-27", "2024-02-28", "2024-03-01", "2024-03-04", "2024-11-02", "2025-01-01", "2024-13-40"]
_DAYS.append("x")  # a day that is no date
_ARTICLE = st.tuples(
    st.sampled_from(_OUTLETS),
    st.sampled_from([None, "", "en", "de"]),
    st.sampled_from(_DAYS),
    st.sampled_from([None, "s1", "s2", "s10", "S2"]),
    st.lists(st.integers(1, 6), unique=True, max_size=3),  # speaker ids
    st.integers(0, 7),  # flag bits
)


def _columns(articles: list[tuple[str | None, str | None, str | None, str | None, list[int], int]]) -> object:
    """Columns holding the articles at rowids 1, 2, ... (as a first read of their keys builds them)."""
    builder = store_columns._Builder(len(articles) + 1)
    rows = [
        (rowid, outlet, language, day, story, ",".join(map(str, speakers)), flags)
        for rowid, (outlet, language, day, story, speakers, flags) in enumerate(articles, start=1)
    ]
    if rows:
        builder.add(store_columns._changed(rows))
    builder.place(np.arange(len(articles) + 1, dtype=np.int64))
    return builder.built(0)


@settings(deadline=None, max_examples=100)
@given(st.lists(_ARTICLE, max_size=40), st.data())
@example(
    [(None, "", "2024-03-01", "s1", [1], 1), ("", "", "", None, [], 0), (UNKNOWN_OUTLET, None, "x", "s1", [], 2)], None
)
def test_a_sample_counted_over_the_columns_codes_is_counted_as_its_values_are(
    articles: list[tuple[str | None, str | None, str | None, str | None, list[int], int]], drawing: st.DataObject | None
) -> None:
    columns = _columns(articles)
    order = drawing.draw(st.permutations(range(1, len(articles) + 1))) if drawing else range(1, len(articles) + 1)
    rowids = list(order)
    coded = sampled.coded_sample(columns, rowids)  # type: ignore[arg-type]
    assert coded is not None
    outlets, languages, days, stories = (
        [articles[rowid - 1][field] for rowid in rowids] for field in range(4)
    )  # the same matches as lists
    assert list(sampled.DecodedColumn(coded, "day")) == days and sampled.DecodedColumn(coded, "outlet") == outlets
    for limit in (1, 2, 5):
        for name, values in (("outlet", outlets), ("language", languages)):
            assert store_sql._ranked(sampled.tallied(coded, name, limit), limit) == store_sql._tallied(values, limit)
        kept_stories = [story for story in stories if story is not None]
        counted = sampled.tallied(coded, "story", limit, with_none=False)
        assert store_sql._ranked(counted, limit) == store_sql._tallied(kept_stories, limit)
        speakers = Counter(str(speaker) for rowid in rowids for speaker in articles[rowid - 1][4])
        candidates, every = sampled.speaker_candidates(coded, limit)
        ordered = speakers.most_common()
        least = ordered[min(limit, len(ordered)) - 1][1] if ordered else 0
        assert sorted(candidates) == sorted((int(speaker), n) for speaker, n in ordered if n >= least)
        assert sorted(every()) == sorted((int(speaker), n) for speaker, n in ordered)
    dated = [day for day in days if day is not None]
    assert sampled.day_span(coded) == (min(dated, default=None), max(dated, default=None))
    flags = Counter(articles[rowid - 1][5] for rowid in rowids if articles[rowid - 1][5])
    assert sampled.flag_sets(coded) == flags
    first = store_sql._FirstMatches(tuple(rowids), None, outlets, languages, days, stories, None, None, None)
    for end in (1, 3, len(rowids) + 1):  # a page ends past its first match
        expected = store_sql._newest_candidates(first, end)
        assert store_sql._newest_candidates(first._replace(coded=coded), end) == expected
    for bucket in ("day", "week", "month", "year"):
        keep = store_sql.PERIOD_STARTS[bucket][0]
        every_row = store_sql._attention_rows(days, outlets, bucket)
        period_of = lambda day, bucket=bucket, keep=keep: store_sql._period_of(day[:keep], bucket)  # noqa: E731
        assert sampled.attention(coded, bucket, period_of, None) == every_row
        by_language = store_sql._attention_rows(days, languages, bucket)  # the chart by language (langattn26)
        assert sampled.attention(coded, bucket, period_of, None, by="language") == by_language
        for drawn in (1, 2, 8):
            summed = sampled.drawn_rows(every_row, drawn)
            assert sampled.attention(coded, bucket, period_of, drawn) == summed
            with mock.patch.object(data, "CHART_OUTLETS", drawn):
                assert data._attention_chart(summed, bucket) == data._attention_chart(every_row, bucket)


def test_a_sample_with_an_article_the_columns_lack_is_not_coded() -> None:
    """An article written after the columns were read (or a rowid past them) leaves the sample to the database."""
    columns = _columns([("Wire Nine", "en", "2024-03-01", None, [], 0)])
    assert sampled.coded_sample(columns, [1]) is not None  # type: ignore[arg-type]
    assert sampled.coded_sample(columns, [1, 0]) is None  # type: ignore[arg-type]
    assert sampled.coded_sample(columns, [1, 2]) is None  # type: ignore[arg-type]


@given(
    st.integers(1, 12).flatmap(
        lambda days: st.integers(1, 9).flatmap(
            lambda outlets: st.tuples(
                st.lists(st.lists(st.integers(0, 5), min_size=outlets, max_size=outlets), min_size=days, max_size=days),
                st.lists(st.integers(-1, 3), min_size=days, max_size=days),
                st.lists(st.integers(-1, 4), min_size=outlets, max_size=outlets),
            )
        )
    )
)
def test_a_matrix_of_counts_summed_per_group_of_days_and_of_outlets_is_every_cell_summed_into_its_pair(
    drawn: tuple[list[list[int]], list[int], list[int]],
) -> None:
    # the chart of a search the article counts count sums the columns' (day, outlet) matrix per period and
    # per outlet drawn (`FacetColumns.grouped`): the days summed first, then the outlets; -1 leaves a day or an
    # outlet out
    cells, day_group, outlet_group = drawn
    plain: Counter[tuple[int, int]] = Counter()
    for day, row in enumerate(cells):
        for outlet, n in enumerate(row):
            if day_group[day] >= 0 and outlet_group[outlet] >= 0:
                plain[(day_group[day], outlet_group[outlet])] += n
    expected = [(day, outlet, n) for (day, outlet), n in sorted(plain.items()) if n]
    grouped = store_columns._grouped_matrix(
        np.array(cells, dtype=np.int64), np.array(day_group, dtype=np.int64), np.array(outlet_group, dtype=np.int64)
    )
    assert grouped == expected
