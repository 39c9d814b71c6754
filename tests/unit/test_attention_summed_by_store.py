"""An attention chart from the store's rows with the outlets beyond those drawn summed in SQL
(`search_attention(..., drawn=)`, used for date ranges the article counts answer) is the chart of every
(period, outlet) row: the same outlets drawn in the same order (ties by name, an unknown outlet by its
label), the same sums per period, whatever the outlets are called."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from newstrace.serve import data
from newstrace.store import SQLiteStore
from newstrace.store.base import SearchFilters

_OUTLETS = ["", "Wire Nine", "wire nine", "Ostrava Wire", "Ümlaut Post", "other outlets", "(outlet unknown)", "Ærø"]
_COUNTS = st.lists(
    st.tuples(
        st.sampled_from(["", "2024-02-27", "2024-02-28", "2024-03-01", "2024-03-04", "2024-05-30", "2024-11-02"]),
        st.sampled_from(_OUTLETS),
        st.sampled_from(["en", "de"]),
        st.integers(1, 2),  # small counts: outlets tie often, and ties are broken by name
    ),
    max_size=40,
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SQLiteStore]:
    opened = SQLiteStore(Path(tmp_path_factory.mktemp("drawn")) / "counts.db")
    yield opened
    opened.close()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(_COUNTS, st.integers(1, 4), st.sampled_from(["day", "week", "month"]))
# ties broken by name as Python compares strings ("W" before "o", an unknown outlet by its label)
@example([("2024-03-01", "Wire Nine", "en", 1), ("2024-03-01", "other outlets", "en", 1)], 1, "day")
@example(
    [("2024-03-04", "", "en", 2), ("2024-03-04", "(outlet unknown)", "de", 1), ("2024-03-01", "Ærø", "en", 3)],
    1,
    "week",
)
def test_the_chart_of_the_rows_summed_by_the_store_is_the_chart_of_every_row(
    store: SQLiteStore, counts: list[tuple[str, str, str, int]], drawn: int, bucket: str
) -> None:
    connection = store.connection
    connection.execute("DELETE FROM article_counts")
    connection.executemany(
        "INSERT INTO article_counts(day, outlet, language, timed, n) VALUES (?, ?, ?, 0, ?) "
        "ON CONFLICT DO UPDATE SET n = n + excluded.n",
        counts,
    )
    for filters in (SearchFilters(date_from="2024-02-28"), SearchFilters(date_to="2024-10-01", language="en")):
        with mock.patch.object(data, "CHART_OUTLETS", drawn):
            every = data._attention_chart(store.search_attention(filters, bucket), bucket)
            summed = data._attention_chart(store.search_attention(filters, bucket, drawn=drawn), bucket)
        assert summed == every
