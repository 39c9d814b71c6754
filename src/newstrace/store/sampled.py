"""A search's first matches counted in the process's columns of facet keys, without a Python object per match.

A word search's page, facets and chart count its sample of 1,000 matches (`SQLStore._first_matches`). With
the columns held (`store.columns`), the sample's keys were looked up there and decoded into four lists of
1,000 values and a Counter of speakers, then tallied, paired by day and outlet and summed per period in
Python: some 3 ms of a word search's 8 ms of data at a million articles. Here the sample stays the
columns' codes (`CodedSample`), and each count is a numpy count over them: the outlets, languages and
stories per code, the span of days and the chart's rows per (period, outlet) through lookups made once per
set of values (a day code's period, a value's place in sorted order). Only what is shown is turned into
text. The answers are those of the lists: each value counted apart (an empty outlet apart from none),
ordered as the lists' counts order them (`sql._tallied`, `sql._attention_rows`).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple, overload

import numpy as np

from newstrace.store.base import UNKNOWN_OUTLET, PeriodCount, drawn_outlets
from newstrace.store.columns import FacetColumns, IntArray, flag_set_counter

_LOOKUPS_KEPT = 64  # lookups kept per process (a few per set of values and chart bucket); all dropped past it


class CodedSample(NamedTuple):
    """Some articles (a search's first matches, in their order) as the codes the process's columns hold for
    them: copied out of one version of the columns (a few kilobytes), so that a sample kept for the next
    requests (`sql.RECENT_MATCHES`) holds no version of the columns (80 MB at a million articles) alive."""

    rows: IntArray  # rowids
    text_codes: dict[str, IntArray]  # by text column (`outlet`, `language`, `day`, `story`): the rows' codes
    flags: IntArray  # the rows' flag bits
    speaker_ids: IntArray  # the speakers of every row, one run after another
    values: Mapping[str, Any]  # the columns' values by name (`store.columns._Values`: only ever appended to)

    def codes(self, name: str) -> IntArray:
        """The codes of a text column (`outlet`, `language`, `day`, `story`) of the rows, in their order."""
        return self.text_codes[name]


def coded_sample(columns: FacetColumns, rowids: Sequence[int]) -> CodedSample | None:
    """The articles of `rowids` in the columns, or None when one of them is not there (written after them)."""
    rows = columns.held_rows(rowids)
    if rows is None:
        return None
    held = {"outlet": columns.outlet, "language": columns.language, "day": columns.day, "story": columns.story}
    return CodedSample(
        rows,
        {name: column[rows].astype(np.int64) for name, column in held.items()},
        columns.flags[rows].astype(np.int64),
        columns.speakers_of(rows),
        columns.values,
    )


class DecodedColumn(Sequence[str | None]):
    """A text column of a coded sample as its values, decoded when first read (most searches never read them)."""

    def __init__(self, sample: CodedSample, name: str) -> None:
        self._sample, self._name = sample, name
        self._values: list[str | None] | None = None
        self._lock = threading.Lock()

    def _decoded(self) -> list[str | None]:
        with self._lock:
            if self._values is None:
                values = self._sample.values[self._name].values
                self._values = [values[code] for code in self._sample.codes(self._name).tolist()]
            return self._values

    @overload
    def __getitem__(self, index: int) -> str | None: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str | None]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str | None] | None:
        return self._decoded()[index]

    def __len__(self) -> int:
        return len(self._sample.rows)

    def __iter__(self) -> Iterator[str | None]:
        return iter(self._decoded())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


def tallied(sample: CodedSample, name: str, limit: int, *, with_none: bool = True) -> Counter[str | None]:
    """The rows per value of a text column, each value counted apart (an empty one apart from none), of the
    values that can be among the `limit` with the most rows (those with at least as many as the `limit`-th:
    ranked as `sql._ranked` ranks them, they are its first `limit`); without `with_none`, rows without a
    value left out."""
    codes, counts = np.unique(sample.codes(name), return_counts=True)
    column = sample.values[name]
    if not with_none and None in column.codes:
        kept = codes != column.codes[None]
        codes, counts = codes[kept], counts[kept]
    if len(counts) > limit:
        shown = counts >= np.partition(counts, len(counts) - limit)[len(counts) - limit]
        codes, counts = codes[shown], counts[shown]
    values = column.values
    return Counter(dict(zip([values[code] for code in codes.tolist()], counts.tolist(), strict=True)))


def day_span(sample: CodedSample) -> tuple[str | None, str | None]:
    """The least and the greatest day of the rows (as text compares), None when none has one."""
    places, ordered = _sorted_places(sample, "day")
    dated = places[sample.codes("day")]
    dated = dated[dated >= 0]
    if not len(dated):
        return None, None
    return ordered[int(dated.min())], ordered[int(dated.max())]


def speakers_quoted(sample: CodedSample) -> tuple[IntArray, IntArray]:
    """The speakers the rows quote (ids ascending) and the rows quoting each (an article names one once)."""
    ids, counts = np.unique(sample.speaker_ids, return_counts=True)
    return ids.astype(np.int64), counts.astype(np.int64)


def speaker_candidates(
    sample: CodedSample, limit: int
) -> tuple[list[tuple[int, int]], Callable[[], list[tuple[int, int]]]]:
    """The speakers (id, rows quoting them) that can be among the `limit` quoted by the most rows (those quoted
    by at least as many as the `limit`-th), and a function giving every speaker quoted."""
    ids, counts = speakers_quoted(sample)
    least = int(np.partition(counts, len(counts) - limit)[len(counts) - limit]) if len(counts) > limit else 0
    shown = counts >= least
    return (
        list(zip(ids[shown].tolist(), counts[shown].tolist(), strict=True)),
        lambda: list(zip(ids.tolist(), counts.tolist(), strict=True)),
    )


def flag_sets(sample: CodedSample) -> Counter[int]:
    """The rows per set of flag bits, the rows without a flag left out."""
    return flag_set_counter(sample.flags)


def newest_candidates(sample: CodedSample, end: int, iso_day: Callable[[str], bool]) -> list[int]:
    """`sql._newest_candidates` over the codes: the rowids that can be among the `end` newest (those dated on
    or after the day of the `end`-th newest), or all of them when fewer, when some must be undated or when
    a day is not `iso_day`."""
    everything: list[int] = sample.rows.tolist()
    if len(everything) <= end:
        return everything
    places, _ = _sorted_places(sample, "day")
    codes = sample.codes("day")
    ranks = places[codes]
    dated = ranks[ranks >= 0]
    if len(dated) < end or not _day_tests(sample, iso_day)[codes[ranks >= 0]].all():
        return everything
    last = int(np.partition(dated, len(dated) - end)[len(dated) - end])  # the end-th greatest
    found: list[int] = sample.rows[ranks >= last].tolist()
    return found


def attention(
    sample: CodedSample, bucket: str, period_of: Callable[[str], str | None], drawn: int | None, by: str = "outlet"
) -> list[PeriodCount]:
    """The rows with a day (not None) per period (`period_of` a day) and outlet, ordered by period then outlet
    (None first in each), as `sql._attention_rows` counts them; with `drawn`, only the `drawn` outlets with
    the most such rows keep rows of their own (ties by name, an outlet without one named UNKNOWN_OUTLET, as
    the chart names it), the others summed per period in a row after them (`others`), as `drawn_rows` does.
    With `by="language"`, the same per period and language (the rows' `outlet` then holds the language)."""
    period_places, periods = _period_places(sample, bucket, period_of)
    outlet_places, outlets = _sorted_places(sample, by, none_first=True)
    period = period_places[sample.codes("day")]
    dated = period >= 0
    outlet = outlet_places[sample.codes(by)[dated]]
    period = period[dated]
    width = len(outlets) + 1  # one more group: the outlets summed
    if drawn is not None:
        per_outlet = np.bincount(outlet, minlength=len(outlets))
        totals: Counter[str] = Counter()
        for place in np.flatnonzero(per_outlet).tolist():
            totals[outlets[place] or UNKNOWN_OUTLET] += int(per_outlet[place])
        named = set(drawn_outlets(totals, drawn))
        summed = np.array([(name or UNKNOWN_OUTLET) not in named for name in outlets], dtype=np.bool_)
        outlet = np.where(summed[outlet], len(outlets), outlet)
    counted = np.bincount(period * width + outlet)
    keys = np.flatnonzero(counted)
    return [
        PeriodCount(periods[key // width], None, n, True)
        if key % width == len(outlets)
        else PeriodCount(periods[key // width], outlets[key % width], n)
        for key, n in zip(keys.tolist(), counted[keys].tolist(), strict=True)
    ]


def drawn_rows(rows: Sequence[PeriodCount], drawn: int) -> list[PeriodCount]:
    """Chart rows ordered by period then outlet with only the `drawn` outlets with the most rows keeping rows of
    their own (ties by name, an outlet without one named UNKNOWN_OUTLET), the others summed per period in a
    row after the period's own (`others`, outlet None): `attention`'s rows, from the rows of every outlet."""
    totals: Counter[str] = Counter()
    for row in rows:
        totals[row.outlet or UNKNOWN_OUTLET] += row.n
    named = set(drawn_outlets(totals, drawn))
    found: list[PeriodCount] = []
    index = 0
    while index < len(rows):
        period, summed = rows[index].period, 0
        while index < len(rows) and rows[index].period == period:
            row = rows[index]
            if (row.outlet or UNKNOWN_OUTLET) in named:
                found.append(PeriodCount(period, row.outlet, row.n))
            else:
                summed += row.n
            index += 1
        if summed:
            found.append(PeriodCount(period, None, summed, True))
    return found


# -- lookups by code, made once per set of values (which only grows) -----------------------------------------


class _Lookup(NamedTuple):
    owner: object  # the values the lookup was made of (held, so that its id names no other while kept)
    length: int  # how many values it covers
    places: IntArray  # by code: the value's place in `ordered`, -1 for a value left out (or whether it passes)
    ordered: list[str | None]


_LOOKUPS: dict[tuple[int, str], _Lookup] = {}


def _kept_lookup(sample: CodedSample, name: str, kind: str, make: Callable[[list[str | None]], _Lookup]) -> _Lookup:
    """The lookup `kind` of the values of column `name`, made by `make` when missing or older than the values."""
    owner = sample.values[name]
    key = (id(owner), kind)
    found = _LOOKUPS.get(key)
    length = len(owner.values)
    if found is None or found.owner is not owner or found.length != length:
        found = make(list(owner.values[:length]))._replace(owner=owner)
        if len(_LOOKUPS) >= _LOOKUPS_KEPT:
            _LOOKUPS.clear()
        _LOOKUPS[key] = found
    return found


def _sorted_places(sample: CodedSample, name: str, *, none_first: bool = False) -> tuple[IntArray, list[str | None]]:
    """By code of column `name`: the value's place among its values sorted as Python sorts text, and those
    values in order; none first when `none_first`, else left out (place -1)."""

    def make(values: list[str | None]) -> _Lookup:
        texts = sorted({value for value in values if value is not None})
        ordered: list[str | None] = [None, *texts] if none_first else [*texts]
        place = {value: number for number, value in enumerate(ordered)}
        places = np.fromiter((place.get(value, -1) for value in values), dtype=np.int64, count=len(values))
        return _Lookup(None, len(values), places, ordered)

    found = _kept_lookup(sample, name, f"sorted:{none_first}", make)
    return found.places, found.ordered


def _day_tests(sample: CodedSample, test: Callable[[str], bool]) -> IntArray:
    """By day code: whether the day (not None) passes `test` (a function kept for the process: the lookup is
    kept per function)."""

    def make(values: list[str | None]) -> _Lookup:
        passes = (value is not None and test(value) for value in values)
        return _Lookup(None, len(values), np.fromiter(passes, dtype=np.bool_, count=len(values)), [])

    return _kept_lookup(sample, "day", f"test:{id(test)}", make).places


def _period_places(
    sample: CodedSample, bucket: str, period_of: Callable[[str], str | None]
) -> tuple[IntArray, list[str | None]]:
    """By day code: the place of the day's period (`period_of`) among the periods sorted with None (no
    period: a week of a day that is no date) first, -1 for no day; and those periods in order."""

    def make(values: list[str | None]) -> _Lookup:
        of_day = [period_of(value) if value is not None else "" for value in values]  # "": no day
        periods = {period for value, period in zip(values, of_day, strict=True) if value is not None}
        texts = sorted(period for period in periods if period is not None)
        ordered: list[str | None] = [None, *texts] if None in periods else [*texts]
        place = {value: number for number, value in enumerate(ordered)}
        places = np.fromiter(
            (place[period] if value is not None else -1 for value, period in zip(values, of_day, strict=True)),
            dtype=np.int64,
            count=len(values),
        )
        return _Lookup(None, len(values), places, ordered)

    found = _kept_lookup(sample, "day", f"period:{bucket}", make)
    return found.places, found.ordered
