"""The search's counting in memory (facet ranking, attention per period, the chart's axis) gives what the
plain definitions give: the fast paths sort plain strings and count in C, and must order None, empty
outlets and days that are no date exactly as the SQL does."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from newstrace.serve.data import day_axis_range
from newstrace.store.base import FacetCount, PeriodCount
from newstrace.store.sql import _attention_rows, _FirstMatches, _newest_candidates, _ranked

_OUTLETS = st.sampled_from([None, "", "Wire Nine", "wire nine", "Ostrava Wire", "Ümlaut Post", "other outlets"])
_DAYS = st.one_of(
    st.none(),
    st.dates(date(2022, 12, 20), date(2025, 2, 10)).map(date.isoformat),
    st.sampled_from(["2024-02-30", "2024-13-01", "2024"]),  # stored text that is no date
)


def _plain_period(day: str, bucket: str) -> str | None:
    if bucket == "week":
        try:
            parsed = date.fromisoformat(day)
        except ValueError:
            return None
        return (parsed - timedelta(days=parsed.weekday())).isoformat()
    return {"day": day, "month": day[:7] + "-01", "year": day[:4] + "-01-01"}[bucket]


def _plain_attention_rows(days_and_outlets: list[tuple[str | None, str | None]], bucket: str) -> list[PeriodCount]:
    """Each match's period, counted with its outlet, sorted by period then outlet, None first in each."""
    counted = Counter((_plain_period(day, bucket), outlet) for day, outlet in days_and_outlets if day is not None)
    ordered = sorted(counted.items(), key=lambda item: (item[0][0] is not None, item[0][0] or "",
                                                       item[0][1] is not None, item[0][1] or ""))  # fmt: skip
    return [PeriodCount(period, outlet, n) for (period, outlet), n in ordered]


@given(st.lists(st.tuples(_DAYS, _OUTLETS), max_size=60), st.sampled_from(["day", "week", "month", "year"]))
def test_attention_rows_are_the_matches_counted_per_period_and_outlet(
    days_and_outlets: list[tuple[str | None, str | None]], bucket: str
) -> None:
    days, outlets = [day for day, _ in days_and_outlets], [outlet for _, outlet in days_and_outlets]
    assert _attention_rows(days, outlets, bucket) == _plain_attention_rows(days_and_outlets, bucket)


@given(st.lists(st.one_of(st.none(), st.text(max_size=3)), max_size=80), st.integers(1, 12))
def test_facet_values_are_the_most_counted_then_none_then_by_value(values: list[str | None], limit: int) -> None:
    counted = Counter(values)
    every = sorted(counted.items(), key=lambda item: (-item[1], item[0] is not None, item[0] or ""))
    assert _ranked(counted, limit) == tuple(FacetCount(value, n) for value, n in every[:limit])


@given(st.lists(st.one_of(st.none(), _DAYS, st.sampled_from(["2024-03-05T10:00", ""])), max_size=30))
def test_a_chart_s_axis_runs_from_the_day_before_the_first_date_to_the_day_after_the_last(
    values: list[str | None],
) -> None:
    dated = []
    for value in values:
        text = str(value)[:10] if value else ""
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            try:
                dated.append(date.fromisoformat(text))
            except ValueError:
                continue
    if not dated:
        assert day_axis_range(values) is None
        return
    expected = [(min(dated) - timedelta(days=1)).isoformat(), (max(dated) + timedelta(days=1)).isoformat()]
    assert day_axis_range(values) == expected


_PUBLISHED = st.one_of(
    st.none(),
    st.dates(date(2024, 2, 25), date(2024, 3, 5)).map(date.isoformat),
    st.sampled_from(["2024-03-01T09:30:00", "2024-03-01T23:00:00+02:00", "", "2024", "2024-02-30"]),
)


@given(st.lists(_PUBLISHED, max_size=40), st.integers(1, 45))
def test_the_newest_of_the_first_matches_are_among_the_candidates_their_days_give(
    published: list[str | None], end: int
) -> None:
    """A word listed newest first orders only the first matches dated on or after the day of the `end`-th
    newest (store.sql's _newest_candidates): every one of the `end` newest (undated last, ties by id, the
    database's order) must be among them, in the order the matches came."""
    rowids = tuple(range(len(published)))
    days = [value[:10] if value is not None else None for value in published]
    first = _FirstMatches(rowids, None, [], [], days, [], None, None, None)
    candidates = _newest_candidates(first, end)
    newest = sorted(rowids, key=lambda rowid: (published[rowid] is not None, published[rowid] or ""), reverse=True)
    assert set(newest[:end]) <= set(candidates)
    assert candidates == sorted(candidates)
