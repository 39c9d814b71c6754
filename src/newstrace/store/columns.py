"""Every article's facet keys held in the process as columns by rowid, for a search's facets and chart.

A search's facets and attention chart count its first 1,000 matches: their outlet, language, day, story,
the speakers their quotes name and the flags their renderings carry (`article_facet_keys`, SQLite schema
20). Read from the database per search, those 1,000 rows made some 7,000 Python objects (8.5 ms of a
word search's 26 ms of CPU at a million articles). Here they are read once per process into numpy
columns indexed by the article's rowid (the text values as codes into lists of the distinct values; the
speakers as one array of ids with each article's offsets into it), so that a search reads only its
matches' rowids and looks the rest up here.

A search without words is answered from them as a whole (facets24): its matches a mask over the
columns, its total, outlet and language facets, dates and chart counted with numpy (30-100 ms of SQL over
`article_counts` at a million articles), and its newest 1,000 ordered by each article's place newest first,
read with the columns (a flag's 30,000 articles all sorted by date took 75-90 ms). Each version also holds,
made when first asked for, the articles counted per (language, day, outlet) and per set of flags, and
every article's rowid newest first (counts25): a search of an outlet, a language or days is counted from
those counts without finding its rows, and the newest matches of a broad one found by walking the articles
newest first; the server's whole-corpus summary counts its facets and the speakers index here too.

The columns follow the database: every change of an article's keys is numbered in `facet_key_changes`
(schema 25), and before each use the columns read the changes numbered after the last they saw (an
index look-up when nothing changed). Each version of the columns is a snapshot that is never changed once
made, so threads read it without a lock; one thread at a time makes the next (an article it changes
loses its place newest first: the database orders the days that hold one). At a million articles the
first read takes 8.3 s of CPU (2.6 s of it the order; load 5-13) on a thread of its own and the columns
hold 84 MB; searches meanwhile read their keys from the database, as a store that holds no columns does
(PostgreSQL, the CLI).
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, cast

import numpy as np
import numpy.typing as npt

_KEY_COLUMNS = "outlet, language, day, story_id, speakers, flags"
_READ_ROWS = 50_000  # rows fetched at a time in the first read
_DENSE_PAIRS = 1 << 20  # (day, outlet) pairs counted in an array of them all up to this many, else sorted
_FEW_ROWS = 4096  # rows that cost next to nothing to sort, however few of the articles they are
_SPARSE = 4  # rowids past this many times the articles (a table of holes) are not held as columns
_DENSE_COUNTS = 1 << 22  # (language, day, outlet) cells held as counts at most (16 MB of 32-bit counts)
_TABLES_KEPT = 16  # tests of a column's values kept with their answers (`_Values.table`); all dropped past it

IntArray = npt.NDArray[np.int64]
CodeArray = npt.NDArray[np.int32]  # codes and flag bits: half the memory of 64-bit integers


class ColumnSample(NamedTuple):
    """What the facets and the chart count of some articles (in the order asked), from the columns."""

    outlets: list[str | None]
    languages: list[str | None]
    days: list[str | None]
    story_ids: list[str | None]
    speakers: Counter[str]  # articles per speaker id (as text, as the facet keys write it)
    flag_sets: Counter[int]  # articles per set of flag bits, sets with no flag left out


class _Values:
    """The distinct values of a text column, each numbered by its place; only ever appended to (a code
    given out keeps its value), by the one thread that makes the next snapshot."""

    def __init__(self) -> None:
        self.values: list[str | None] = []
        self.codes: dict[str | None, int] = {}
        self._newest_first: IntArray | None = None  # newest_first's answer for the values of its length
        self._tables: dict[Callable[[str | None], bool], npt.NDArray[np.bool_]] = {}  # table's answers

    def encoded(self, column: Sequence[str | None]) -> CodeArray:
        for value in dict.fromkeys(column):
            if value not in self.codes:
                self.codes[value] = len(self.values)
                self.values.append(value)
        return np.fromiter(map(self.codes.__getitem__, column), dtype=np.int32, count=len(column))

    def decoded(self, codes: CodeArray) -> list[str | None]:
        values = self.values
        return [values[code] for code in codes.tolist()]

    def newest_first(self) -> IntArray:
        """By code: the value's place when the values are sorted as SQL sorts text `DESC NULLS LAST` (by
        code point, as SQLite compares UTF-8), kept until a value is added (a few thousand days at most)."""
        values = list(self.values)  # as of now: another thread may be appending
        kept = self._newest_first
        if kept is not None and len(kept) == len(values):
            return kept
        texts = sorted(((value, code) for code, value in enumerate(values) if value is not None), reverse=True)
        order = [code for _, code in texts] + [code for code, value in enumerate(values) if value is None]
        places = np.empty(len(values), dtype=np.int64)
        places[np.array(order, dtype=np.int64)] = np.arange(len(values), dtype=np.int64)
        self._newest_first = places
        return places

    def table(self, test: Callable[[str | None], bool]) -> npt.NDArray[np.bool_]:
        """By code: whether `test` holds for the value (read-only), kept per test function until a value is
        added: a search counted per day asks the same test of every day each time (1,100 days at a million
        articles, 0.2 ms a search)."""
        values = list(self.values)  # as of now: another thread may be appending
        kept = self._tables.get(test)
        if kept is not None and len(kept) == len(values):
            return kept
        found = np.fromiter(map(test, values), dtype=np.bool_, count=len(values))
        found.flags.writeable = False
        if len(self._tables) >= _TABLES_KEPT:
            self._tables.clear()
        self._tables[test] = found
        return found


@dataclass(frozen=True)
class FacetColumns:
    """One version of the columns: the keys of every article as of change number `seq`."""

    seq: int
    present: npt.NDArray[np.bool_]  # by rowid: an article holds it
    outlet: CodeArray  # codes into `values["outlet"]`, by rowid
    language: CodeArray
    day: CodeArray
    story: CodeArray
    flags: CodeArray  # bits of CHECKED_FLAGS
    speaker_offsets: IntArray  # article r's speakers are speaker_ids[offsets[r]:offsets[r + 1]]
    speaker_ids: IntArray
    values: dict[str, _Values]
    # by rowid: the article's place among all, newest first (`published DESC NULLS LAST, id`), as of the
    # first read; -1 for an article written or changed since (its place is the database's to give)
    newest_place: CodeArray
    # what is derived from the columns when first asked for (`_speaker_index`, `_rows_by`, `held_counts`,
    # `_newest_order`); made again, the same, by a thread that finds it missing
    derived: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def held_rows(self, rowids: Sequence[int]) -> IntArray | None:
        """These rowids as an array, or None when one of them is not in the columns (written after them)."""
        rows = np.fromiter(rowids, dtype=np.int64, count=len(rowids))
        if len(rows) and (rows.min() < 0 or rows.max() >= len(self.present) or not self.present[rows].all()):
            return None
        return rows

    def speakers_of(self, rows: IntArray) -> IntArray:
        """The speaker ids the rows quote, row after row (each row's run of ids in `speaker_ids`)."""
        return self._speaker_runs(rows)[0]

    def _speaker_runs(self, rows: IntArray) -> tuple[IntArray, IntArray]:
        """The speaker ids the rows quote, row after row, and how many each row quotes."""
        starts = self.speaker_offsets[rows]
        lengths = self.speaker_offsets[rows + 1] - starts
        # each row's run, all runs at once: the start of the run repeated for each of its ids, plus the
        # place within the run
        places = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
        return self.speaker_ids[places], lengths

    def sample(self, rowids: Sequence[int]) -> ColumnSample | None:
        """The keys of these articles, or None when one of them is not in the columns (written after them)."""
        rows = self.held_rows(rowids)
        if rows is None:
            return None
        values = self.values
        return ColumnSample(
            values["outlet"].decoded(self.outlet[rows]),
            values["language"].decoded(self.language[rows]),
            values["day"].decoded(self.day[rows]),
            values["story"].decoded(self.story[rows]),
            self.speaker_counts(rows),
            self.flag_set_counts(rows),
        )

    def speaker_counts(self, rows: IntArray) -> Counter[str]:
        """The rows quoting each speaker (by id, as text, as `sample` counts them), without decoding the
        rows' other keys: a facet over every article (the overview's)."""
        speakers, quoting = np.unique(self.speakers_of(rows), return_counts=True)
        return Counter(dict(zip(map(str, speakers.tolist()), quoting.tolist(), strict=True)))

    def per_speaker(self) -> tuple[IntArray, IntArray, IntArray]:
        """Every speaker id quoted in the present articles (ascending), the articles quoting each, and the
        distinct outlets (not none) of those articles: what the speakers index counts over every article."""
        rows = np.flatnonzero(self.present)
        speakers, lengths = self._speaker_runs(rows)
        outlets = np.repeat(self.outlet[rows], lengths).astype(np.int64)
        ids, articles = np.unique(speakers, return_counts=True)
        outlet_none = self.values["outlet"].codes.get(None, -1)
        width = len(self.values["outlet"].values) + 1
        pairs = np.unique(speakers[outlets != outlet_none] * width + outlets[outlets != outlet_none])
        per_id = np.unique(pairs // width, return_counts=True)
        outlets_of = np.zeros(len(ids), dtype=np.int64)
        outlets_of[np.searchsorted(ids, per_id[0])] = per_id[1]
        return ids, articles, outlets_of

    def flag_set_counts(self, rows: IntArray) -> Counter[int]:
        """The rows per set of flag bits, sets with no flag left out (as `sample` counts them)."""
        return flag_set_counter(self.flags[rows])

    def matching(
        self,
        equal: dict[str, str],
        flag_bit: int = 0,
        days: Callable[[str | None], bool] | None = None,
        speakers: Sequence[Collection[int]] = (),
    ) -> IntArray:
        """The rowids (ascending) of the articles whose text columns hold the `equal` values (`outlet`,
        `language`, `story`), whose flags hold `flag_bit`, whose day passes `days`, and that quote one of
        each set of `speakers`: a mask over every article, then the rest over the rows it leaves."""
        codes = self._codes_of(equal)
        if codes is None:  # a value never seen: nothing matches
            return np.zeros(0, dtype=np.int64)
        if speakers:  # a speaker's articles first (a few, or thousands), the rest asked of them alone
            rows = self._quoting(speakers[0])
            for quoted in speakers[1:]:
                rows = rows[np.isin(rows, self._quoting(quoted), assume_unique=True)]
            rows = rows[self.present[rows] & self._holding(rows, codes, flag_bit)]
            return self.with_days(rows, days) if days is not None else rows
        if days is not None and not equal:
            dated = self._rows_of_days(self.values["day"].table(days))
            if dated is not None:  # a few days of every article: their rows from an index by day
                return dated[(self.flags[dated] & flag_bit) != 0] if flag_bit else dated
        mask = self.present.copy()
        for name, code in codes.items():
            mask &= self._codes(name) == code
        if flag_bit:
            mask &= (self.flags & flag_bit) != 0
        if days is not None and not equal:  # a date range over every article: a look-up of each day's code
            mask &= self.values["day"].table(days)[self.day]
        rows = np.flatnonzero(mask)
        return self.with_days(rows, days) if days is not None and equal else rows

    def _codes_of(self, equal: dict[str, str]) -> dict[str, int] | None:
        """The code of each text column's value asked for; None when a value was never seen."""
        codes = {name: self.values[name].codes.get(value) for name, value in equal.items()}
        return None if None in codes.values() else cast(dict[str, int], codes)

    def _holding(self, rows: IntArray, codes: dict[str, int], flag_bit: int) -> npt.NDArray[np.bool_]:
        """Whether each of `rows` holds the columns' `codes` and the flag bit (none asked: 0)."""
        keep = np.ones(len(rows), dtype=np.bool_)
        for name, code in codes.items():
            keep &= self._codes(name)[rows] == code
        if flag_bit:
            keep &= (self.flags[rows] & flag_bit) != 0
        return keep

    def _codes(self, name: str) -> CodeArray:
        return {"outlet": self.outlet, "language": self.language, "day": self.day, "story": self.story}[name]

    def _quoting(self, speakers: Collection[int]) -> IntArray:
        """The rowids of the articles quoting one of `speakers` (ascending, each once)."""
        ids, owners = self._speaker_index()
        asked = sorted(speakers)
        starts, ends = np.searchsorted(ids, asked).tolist(), np.searchsorted(ids, asked, side="right").tolist()
        runs = [owners[start:end] for start, end in zip(starts, ends, strict=True)]
        if len(runs) == 1:  # an article names a speaker once: its run holds each article once
            return runs[0]
        return np.unique(np.concatenate(runs)) if runs else np.zeros(0, dtype=np.int64)

    def _rows_of_days(self, passing: npt.NDArray[np.bool_]) -> IntArray | None:
        """The rowids (ascending) of the articles of the days whose codes pass, from an index of the rowids
        by day made when first asked for (0.1 s at a million articles); None when those days hold more than
        an eighth of the articles, and more than a few (then a mask over every article costs less than
        sorting their rows; a month of a million articles: 5.3 ms so, 1.3 ms from the index)."""
        index = self.derived.get("days")
        if index is None:
            held = np.flatnonzero(self.present)
            codes = self.day[held]
            order = np.argsort(codes, kind="stable")
            runs = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(np.bincount(codes, minlength=len(passing)))])
            index = self.derived["days"] = (held[order], runs)
        rowids, runs = index
        days = np.flatnonzero(passing[: len(runs) - 1])  # a day first seen after the index: none of its rows
        starts, ends = runs[days], runs[days + 1]
        if int((ends - starts).sum()) > max(len(rowids) // 8, _FEW_ROWS):
            return None
        rows = [rowids[start:end] for start, end in zip(starts.tolist(), ends.tolist(), strict=True)]
        return np.sort(np.concatenate(rows)) if rows else np.zeros(0, dtype=np.int64)

    def _speaker_index(self) -> tuple[IntArray, IntArray]:
        """Every speaker id of the articles sorted, and the rowid of each (ascending within a speaker): a
        speaker's articles are one run of it (0.1-0.2 s to make at a million articles, once per version of the
        columns; comparing every article's speakers with one took 1-4 ms a search)."""
        index = self.derived.get("speakers")
        if index is None:
            order = np.argsort(self.speaker_ids, kind="stable")
            owners = np.repeat(np.arange(len(self.speaker_offsets) - 1, dtype=np.int64), np.diff(self.speaker_offsets))
            index = self.derived["speakers"] = (self.speaker_ids[order], owners[order])
        return index

    def with_days(self, rows: IntArray, days: Callable[[str | None], bool]) -> IntArray:
        """The `rows` whose day passes `days`."""
        return rows[self.values["day"].table(days)[self.day[rows]]]

    def newest_candidates(self, rows: IntArray, n: int) -> IntArray:
        """The `rows` that can be among the newest `n` of them: every row of the latest days, down to the
        day on which the `n`-th falls (a later day's text sorts after an earlier one's, whatever follows
        it; the order within that day is the database's to give)."""
        if len(rows) <= n:
            return rows
        places = self.values["day"].newest_first()[self.day[rows]]
        reached = np.cumsum(np.bincount(places))
        return rows[places <= int(np.searchsorted(reached, n))]

    def newest(self, rows: IntArray, n: int) -> IntArray | None:
        """The newest `n` of `rows` in order (`published DESC NULLS LAST, id`), when each row that can be
        among them has its place of the first read; else None."""
        candidates = self.newest_candidates(rows, n)
        places = self.newest_place[candidates]
        if len(places) and places.min() < 0:
            return None
        return candidates[np.argsort(places)[:n]]

    def tally(self, name: str, rows: IntArray) -> Counter[str | None]:
        """The rows per value of a text column, an empty value counted as none (as the store's article
        counts merge them, schema 16)."""
        return _tallied(self.values[name].values, np.bincount(self._codes(name)[rows]))

    def days_of(self, rows: IntArray) -> list[str | None]:
        """The distinct days of the rows."""
        return self.values["day"].decoded(np.flatnonzero(np.bincount(self.day[rows])).astype(np.int32))

    def day_outlet_pairs(self, rows: IntArray, days: Callable[[str | None], bool]) -> DayOutletPairs:
        """The rows whose day passes `days` counted per (day, outlet) pair, in one pass over the rows: what a
        chart counts (a language over three years: 442,583 rows, some 200,000 pairs)."""
        width = len(self.values["outlet"].values)  # every outlet code of these columns is below it
        keys = self.day[rows].astype(np.int64) * width + self.outlet[rows]
        if len(self.values["day"].values) * width <= _DENSE_PAIRS:
            counted = np.bincount(keys)
            keys = np.flatnonzero(counted)
            counts = counted[keys]
        else:
            keys, counts = np.unique(keys, return_counts=True)
        day_codes, outlet_codes = keys // width, keys % width
        kept = self.values["day"].table(days)[day_codes]
        return DayOutletPairs(day_codes[kept], outlet_codes[kept], counts[kept])

    def pair_day_codes(self, pairs: DayOutletPairs | DayOutletCounts) -> IntArray:
        """The codes of the distinct days of the pairs (ascending)."""
        if isinstance(pairs, DayOutletCounts):
            return pairs.days[pairs.counts.any(axis=1)].astype(np.int64)
        return np.unique(pairs.days).astype(np.int64)

    def pair_outlets(self, pairs: DayOutletPairs | DayOutletCounts) -> Counter[str | None]:
        """The pairs' rows per outlet, an empty outlet counted as none (as `tally`)."""
        values = self.values["outlet"].values
        if isinstance(pairs, DayOutletCounts):
            return _tallied(values, pairs.counts.sum(axis=0), pairs.outlets)
        return _tallied(values, np.bincount(pairs.outlets, weights=pairs.counts).astype(np.int64))

    def grouped(
        self, pairs: DayOutletPairs | DayOutletCounts, by_day: IntArray, outlet_groups: dict[str | None, int]
    ) -> list[tuple[int, int, int]]:
        """The pairs' rows counted per (group of their day: `by_day`, by day code, -1 for none; group of their
        outlet), ordered by the groups' numbers; a day or an outlet in no group leaves its rows out."""
        by_outlet = _group_numbers(self.values["outlet"], outlet_groups)
        if isinstance(pairs, DayOutletCounts):
            return _grouped_matrix(pairs.counts, by_day[pairs.days], by_outlet[pairs.outlets])
        day, outlet = by_day[pairs.days], by_outlet[pairs.outlets]
        kept = (day >= 0) & (outlet >= 0)
        width = max(outlet_groups.values(), default=0) + 1
        # summed as float64: exact for any count below 2**53
        counts = np.bincount(day[kept] * width + outlet[kept], weights=pairs.counts[kept]).astype(np.int64)
        keys = np.flatnonzero(counts)
        return list(zip((keys // width).tolist(), (keys % width).tolist(), counts[keys].tolist(), strict=True))

    # -- counts held per version (counts25): a search of outlets, languages and days, or of a flag, counted
    # without finding its rows, and its newest rows found by walking every article newest first

    def held_counts(self) -> HeldCounts | None:
        """The articles per (language, day, outlet) codes as one dense array, made when first asked for (at a
        million articles: 8 languages, 1,108 days, 200 outlets, 7 MB, 20-30 ms), and per set of flag bits;
        None when the dense array would pass `_DENSE_COUNTS` cells (then searches find their rows)."""
        held = self.derived.get("counts")
        if held is None:
            sizes = [len(self.values[name].values) for name in ("language", "day", "outlet")]
            if sizes[0] * sizes[1] * sizes[2] > _DENSE_COUNTS:
                return None
            rows = np.flatnonzero(self.present)
            keys = (self.language[rows].astype(np.int64) * sizes[1] + self.day[rows]) * sizes[2] + self.outlet[rows]
            cube = np.bincount(keys, minlength=sizes[0] * sizes[1] * sizes[2]).astype(np.int32).reshape(sizes)
            held = self.derived["counts"] = HeldCounts(cube, np.bincount(self.flags[rows]), len(rows))
        return cast(HeldCounts, held)

    def counted(self, equal: dict[str, str], days: Callable[[str | None], bool] | None) -> CountedSlice | None:
        """The articles of an outlet and a language (`equal`, either or none) whose day passes `days`, counted
        per language and per (day, outlet) from `held_counts` (their rows are not found); None without them,
        or when `equal` names another column."""
        sliced = self._counts_slice(equal, days)
        if sliced is None:
            return None
        cube, taken = sliced
        return CountedSlice(
            taken[1], taken[2], taken[0], cube.sum(axis=0, dtype=np.int64), cube.sum(axis=(1, 2), dtype=np.int64)
        )

    def language_days(
        self, equal: dict[str, str], days: Callable[[str | None], bool] | None
    ) -> tuple[IntArray, list[str | None], IntArray] | None:
        """The articles of `counted`'s slice per day and language, summed over the outlets (langattn26: the
        chart by language): the codes of the days with articles and the languages (an empty one as none) of
        the matrix's rows and columns, and the matrix; None as for `counted`."""
        sliced = self._counts_slice(equal, days)  # every day without `days`: taking them all copied the cube
        if sliced is None:
            return None
        cube, taken = sliced
        matrix = cube.sum(axis=2, dtype=np.int64).T  # days by languages
        present = np.flatnonzero(matrix.any(axis=1))
        languages = [self.values["language"].values[code] or None for code in taken[0].tolist()]
        return taken[1][present], languages, matrix[present]

    def period_numbers(
        self, bucket: str, periods_of: Callable[[list[str]], Mapping[str | None, str | None]]
    ) -> tuple[IntArray, list[str | None]]:
        """By day code: the number of the day's period (`periods_of` names them) among the periods of every
        day held (sorted, none first), -1 for an empty day or none; and those periods. Made once per version
        of the columns and bucket (naming a thousand days' periods per chart cost a millisecond)."""
        days = list(self.values["day"].values)  # only ever appended to: a code past them is from a later write
        key = f"periods by {bucket} of {len(days)} days"
        found = self.derived.get(key)
        if found is None:
            periods = periods_of([day for day in days if day])
            names = sorted(set(periods.values()), key=lambda period: (period is not None, period or ""))
            numbers = {period: number for number, period in enumerate(names)}
            places = (numbers[periods[day]] if day else -1 for day in days)
            found = self.derived[key] = (np.fromiter(places, dtype=np.int64, count=len(days)), names)
        return cast(tuple[IntArray, list[str | None]], found)

    def _counts_slice(
        self, equal: dict[str, str], days: Callable[[str | None], bool] | None
    ) -> tuple[npt.NDArray[np.int32], list[IntArray]] | None:
        """The part of `held_counts`'s cube of an outlet and a language (`equal`, either or none) and the days
        passing `days`, and the codes taken on each axis (language, day, outlet)."""
        held = self.held_counts()
        if held is None or set(equal) - {"outlet", "language"}:
            return None
        cube: npt.NDArray[np.int32] = held.cube
        taken: list[IntArray] = []
        for axis, name in enumerate(("language", "day", "outlet")):
            size = cube.shape[axis]
            if name in equal:
                code = self.values[name].codes.get(equal[name], -1)
                codes = np.array([code] if 0 <= code < size else [], dtype=np.int64)
                cube = cube[(slice(None),) * axis + (slice(code, code + 1) if len(codes) else slice(0, 0),)]
            elif name == "day" and days is not None:
                codes = np.flatnonzero(self.values["day"].table(days)[:size])
                cube = cube[:, codes]
            else:
                codes = np.arange(size, dtype=np.int64)
            taken.append(codes)
        return cube, taken

    def count_tally(self, name: str, counted: CountedSlice) -> Counter[str | None]:
        """The counted articles per value of `outlet` or `language`, an empty value counted as none (as `tally`)."""
        if name == "outlet":
            codes, sums = counted.outlets, counted.per_pair.sum(axis=0)
        else:
            codes, sums = counted.languages, counted.per_language
        return _tallied(self.values[name].values, sums, codes)

    def count_days(self, counted: CountedSlice) -> list[str | None]:
        """The distinct days of the counted articles (as `days_of`)."""
        present = counted.days[np.flatnonzero(counted.per_pair.any(axis=1))]
        return self.values["day"].decoded(present.astype(np.int32))

    def count_pairs(self, counted: CountedSlice, days: Callable[[str | None], bool]) -> DayOutletCounts:
        """The counted articles whose day passes `days` per day and outlet, as a matrix (what
        `day_outlet_pairs` counts from rows)."""
        kept = self.values["day"].table(days)[counted.days]
        return DayOutletCounts(counted.days[kept], counted.outlets, counted.per_pair[kept])

    def flag_total(self, flag_bit: int) -> int | None:
        """The articles whose flags hold `flag_bit`, from `held_counts` (None without them)."""
        held = self.held_counts()
        if held is None:
            return None
        per_set = held.flag_sets
        return int(sum(int(n) for bits, n in enumerate(per_set.tolist()) if bits & flag_bit))

    def newest_matching(
        self, equal: dict[str, str], flag_bit: int, days: Callable[[str | None], bool] | None, n: int, expected: int
    ) -> IntArray | None:
        """The newest `n` articles (in order, as `newest` gives them) holding the `equal` values, the flag bit
        and a day passing `days`, found by walking every article newest first, `expected` of them matching
        (a first stretch long enough to hold `n` at that share, then twice as long each time): a language
        or a flag of tens of thousands of articles asks a few thousand articles, where finding them all
        and their latest days took 2-5 ms. None when some article has no place (written since the columns
        were first read: the database orders those)."""
        order = self._newest_order()
        if order is None:
            return None
        if not n or not expected:
            return np.zeros(0, dtype=np.int64)
        codes = self._codes_of(equal)
        if codes is None:
            return np.zeros(0, dtype=np.int64)
        passing = self.values["day"].table(days) if days is not None else None
        found: list[IntArray] = []
        held, start = 0, 0
        stretch = max(_FEW_ROWS, len(order) * n // expected * 5 // 4 + 1)
        while held < n and start < len(order):
            rows = order[start : start + stretch]
            keep = self._holding(rows, codes, flag_bit)
            if passing is not None:
                keep &= passing[self.day[rows]]
            found.append(rows[keep])
            held += int(keep.sum())
            start, stretch = start + stretch, stretch * 2
        return np.concatenate(found)[:n] if found else np.zeros(0, dtype=np.int64)

    def indexed_matching(
        self, equal: dict[str, str], flag_bit: int, days: Callable[[str | None], bool] | None
    ) -> IntArray:
        """As `matching` without speakers, starting from the rows of the story or the outlet named (an index
        of each, `rows_of`) instead of a mask over every article; `matching` itself without either."""
        indexed = next((name for name in ("story", "outlet") if name in equal), None)
        if indexed is None:
            return self.matching(equal, flag_bit, days)
        codes = self._codes_of(equal)
        if codes is None:
            return np.zeros(0, dtype=np.int64)
        rows = self.rows_of(indexed, equal[indexed])
        rows = rows[self._holding(rows, codes, flag_bit)]
        return self.with_days(rows, days) if days is not None else rows

    def rows_of(self, name: str, value: str) -> IntArray:
        """The rowids (ascending) of the articles holding `value` in the text column `name`, from an index of
        the rowids by code made when first asked for (an outlet's 5,000 of a million: 0.05 ms, against 1 ms
        for a mask over every article)."""
        code = self.values[name].codes.get(value)
        rowids, runs = self._rows_by(name)
        if code is None or code + 1 >= len(runs):
            return np.zeros(0, dtype=np.int64)
        return rowids[runs[code] : runs[code + 1]]

    def _rows_by(self, name: str) -> tuple[IntArray, IntArray]:
        """The present rowids sorted by their code in column `name` (stably: ascending within a code), and where
        each code's run starts."""
        index = self.derived.get(f"rows by {name}")
        if index is None:
            held = np.flatnonzero(self.present)
            codes = self._codes(name)[held]
            order = np.argsort(codes, kind="stable")
            runs = np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(np.bincount(codes))])
            index = self.derived[f"rows by {name}"] = (held[order], runs)
        return cast(tuple[IntArray, IntArray], index)

    def _newest_order(self) -> IntArray | None:
        """Every present article's rowid by its place newest first; None when one has no place."""
        if "order" not in self.derived:
            placed = self.newest_place >= 0
            if np.any(self.present & ~placed):
                self.derived["order"] = None
            else:
                rows = np.flatnonzero(placed)
                by_place = np.full(int(self.newest_place.max(initial=-1)) + 1, -1, dtype=np.int64)
                by_place[self.newest_place[rows]] = rows
                self.derived["order"] = by_place[by_place >= 0]
        return cast(IntArray | None, self.derived["order"])


class HeldCounts(NamedTuple):
    """The present articles counted per (language, day, outlet) codes, and per set of flag bits."""

    cube: npt.NDArray[np.int32]
    flag_sets: IntArray
    articles: int


class CountedSlice(NamedTuple):
    """Part of `HeldCounts.cube`: the codes taken on each axis (ascending), and its counts summed over the
    languages (per day and outlet) and per language."""

    days: IntArray
    outlets: IntArray
    languages: IntArray
    per_pair: IntArray  # days by outlets
    per_language: IntArray

    def total(self) -> int:
        return int(self.per_language.sum())


class DayOutletCounts(NamedTuple):
    """Articles counted per day and outlet as a matrix: the day codes of its rows and the outlet codes of
    its columns (each ascending)."""

    days: IntArray
    outlets: IntArray
    counts: IntArray


def _grouped_matrix(counts: IntArray, day_group: IntArray, outlet_group: IntArray) -> list[tuple[int, int, int]]:
    """A matrix of counts (days by outlets) summed per (day group, outlet group), the groups of its rows and
    columns given (-1: left out), as `FacetColumns.grouped`: nonzero sums only, by day group then outlet group."""
    rows, columns = np.flatnonzero(day_group >= 0), np.flatnonzero(outlet_group >= 0)
    if not len(rows) or not len(columns):
        return []
    # the days first, whole rows of the matrix gathered in the order of their groups and summed (one pass over
    # it), then the outlets of the few dozen rows left: a language's 1,100 days by 200 outlets, its outlets
    # summed first, was copied three times over (0.8 ms of its chart's 1.2)
    order, starts, day_numbers = _group_runs(day_group[rows])
    matrix = np.add.reduceat(counts[rows[order]], starts, axis=0)
    matrix, outlet_numbers = _summed_by_group(matrix[:, columns], outlet_group[columns], axis=1)
    day_places, outlet_places = np.nonzero(matrix)
    return list(
        zip(
            day_numbers[day_places].tolist(),
            outlet_numbers[outlet_places].tolist(),
            matrix[day_places, outlet_places].tolist(),
            strict=True,
        )
    )


class DayOutletPairs(NamedTuple):
    """Rows counted per (day, outlet): the codes of each pair present and its number of rows."""

    days: IntArray
    outlets: IntArray
    counts: IntArray


def summed_per_group(matrix: IntArray, groups: IntArray, size: int) -> list[tuple[int, list[int]]]:
    """The matrix's rows summed per group (`groups` gives each row's, from 0 to `size` - 1; -1: left out),
    each group with a row that is not all zero, in order of their numbers."""
    kept = groups >= 0
    summed = np.zeros((size, matrix.shape[1]), dtype=np.int64)
    np.add.at(summed, groups[kept], matrix[kept])
    present = np.flatnonzero(summed.any(axis=1))
    return list(zip(present.tolist(), summed[present].tolist(), strict=True))


def _tallied(values: Sequence[str | None], counts: IntArray, codes: IntArray | None = None) -> Counter[str | None]:
    """Counts per value, the value of `counts[i]` being `values[codes[i]]` (without `codes`, `values[i]`): an
    empty value counted as none, a zero count left out."""
    present = np.flatnonzero(counts)
    tallied: Counter[str | None] = Counter()
    for code, n in zip((present if codes is None else codes[present]).tolist(), counts[present].tolist(), strict=True):
        tallied[values[code] or None] += n
    return tallied


def flag_set_counter(flags: npt.NDArray[np.integer[Any]]) -> Counter[int]:
    """The flag bits given (a row's each) counted per set of bits, sets with no flag left out (a handful)."""
    per_bit_set = np.bincount(flags).tolist()
    return Counter({bits: n for bits, n in enumerate(per_bit_set) if bits and n})


def _group_numbers(values: _Values, groups: dict[str | None, int]) -> IntArray:
    """By code: the group of the code's value, -1 for a value in none."""
    return np.fromiter((groups.get(value, -1) for value in list(values.values)), dtype=np.int64)


def _summed_by_group(matrix: IntArray, groups: IntArray, axis: int) -> tuple[IntArray, IntArray]:
    """The matrix's rows (`axis` 0) or columns (1) summed per group, and the groups in that order (ascending)."""
    order, starts, numbers = _group_runs(groups)
    return np.add.reduceat(np.take(matrix, order, axis=axis), starts, axis=axis), numbers


def _group_runs(groups: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """The order that sorts `groups` (stable), where each group's run starts in that order, and the groups
    (ascending): what `np.add.reduceat` sums a matrix's rows or columns per group with."""
    order = np.argsort(groups, kind="stable")
    ordered = groups[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    return order, starts, ordered[starts]


class _Changed(NamedTuple):
    """Rows of keys read from the database, a list per column (rowids ascending)."""

    rowids: list[int]
    outlets: list[str | None]
    languages: list[str | None]
    days: list[str | None]
    stories: list[str | None]
    speakers: list[str]
    flags: list[int]


def _changed(rows: Iterable[Sequence[Any]]) -> _Changed:
    columns: list[Sequence[Any]] = list(zip(*rows, strict=True)) or [() for _ in range(7)]
    return _Changed(*[list(column) for column in columns])


def _speaker_runs(speakers: list[str]) -> tuple[IntArray, IntArray]:
    """Each article's number of speakers, and all their ids in order, from the keys' comma-separated text."""
    counted = (text.count(",") + 1 if text else 0 for text in speakers)
    lengths = np.fromiter(counted, dtype=np.int64, count=len(speakers))
    joined = ",".join(text for text in speakers if text)
    ids = np.array(joined.split(","), dtype=np.int64) if joined else np.zeros(0, dtype=np.int64)
    return lengths, ids


class _Holder:
    """The columns of one database file: the latest snapshot, and the lock of the thread making the next."""

    def __init__(self) -> None:
        self.columns: FacetColumns | None = None
        self.lock = threading.Lock()
        self.failed = False  # the keys could not be held (a table of holes, a speaker id that is no number)


_HOLDERS: dict[tuple[str, int, int], _Holder] = {}
_HOLDERS_LOCK = threading.Lock()


def _holder(path: Path) -> _Holder | None:
    """The holder of the database file at `path` (a file written anew at the same path is another)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path.absolute()), stat.st_dev, stat.st_ino)
    with _HOLDERS_LOCK:
        return _HOLDERS.setdefault(key, _Holder())


def read_soon(path: Path) -> None:
    """Start reading the columns of the database at `path` on a thread of its own, unless they are held or
    being read: the web server's first search need not wait for them (seconds at a million articles);
    searches meanwhile read their keys from the database."""
    holder = _holder(path)
    if holder is None or holder.columns is not None or holder.failed or not holder.lock.acquire(blocking=False):
        return

    def read() -> None:
        try:
            holder.columns = _read_all(path)
        except (ValueError, OverflowError, sqlite3.Error):
            holder.failed = True
        finally:
            holder.lock.release()

    threading.Thread(target=read, name="newstrace-facet-columns", daemon=True).start()


def settled(path: Path) -> None:
    """Wait until no thread is reading or updating the columns of the database at `path`."""
    holder = _holder(path)
    if holder is not None:
        with holder.lock:
            pass


def columns_of(path: Path, connection: sqlite3.Connection) -> FacetColumns | None:
    """The columns of the database at `path` as of now (its latest change read through `connection`), or
    None when they cannot be had now: they are being read (`read_soon`, started here if nobody has) or
    updated by another thread, or the keys cannot be held."""
    holder = _holder(path)
    if holder is None or holder.failed:
        return None
    latest = int(connection.execute("SELECT COALESCE(max(seq), 0) FROM facet_key_changes").fetchone()[0])
    columns = holder.columns
    if columns is not None and columns.seq == latest:
        return columns
    if columns is None or columns.seq > latest:  # not read yet, or a file rewritten under the same inode
        if columns is not None:
            holder.columns = None
        read_soon(path)
        return None
    if not holder.lock.acquire(blocking=False):
        return None
    try:
        columns = holder.columns
        if columns is not None and columns.seq < latest:
            columns = holder.columns = _updated(columns, connection)
    except (ValueError, OverflowError):
        holder.failed = True
        return None
    finally:
        holder.lock.release()
    return columns if columns is not None and columns.seq >= latest else None


def forget_columns() -> None:
    """Drop every database's columns held in the process (for tests, and to free the memory)."""
    with _HOLDERS_LOCK:
        _HOLDERS.clear()


def _read_all(path: Path) -> FacetColumns:
    """Every row of keys, read in one read transaction with the number of the last change it holds, batch
    by batch into the columns (holding every row at once took 560 MB at a million articles)."""
    connection = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, isolation_level=None)
    try:
        connection.execute(f"PRAGMA mmap_size = {1 << 40}")  # as the server's stores read (store.sqlite)
        connection.execute("BEGIN")
        seq = int(connection.execute("SELECT COALESCE(max(seq), 0) FROM facet_key_changes").fetchone()[0])
        size = "SELECT count(*), COALESCE(max(article_rowid), 0) FROM article_facet_keys"
        count, last = connection.execute(size).fetchone()
        if last > _SPARSE * count + 1000:
            raise ValueError(f"{path}: rowids up to {last} for {count} articles")
        cursor = connection.execute(
            f"SELECT article_rowid, {_KEY_COLUMNS} FROM article_facet_keys ORDER BY article_rowid"
        )
        builder = _Builder(int(last) + 1)
        while batch := cursor.fetchmany(_READ_ROWS):
            builder.add(_changed(batch))
        builder.place(_newest_first(connection))
        connection.execute("COMMIT")
    finally:
        connection.close()
    return builder.built(seq)


def _newest_first(connection: sqlite3.Connection) -> IntArray:
    """Every article's rowid, newest first as a search without words lists them (store.sql's
    `_NEWEST_FIRST`): 2.6 s of CPU at a million articles, read once so that no search sorts its matches
    by date (a flag's 30,000 articles took 75-90 ms)."""
    cursor = connection.execute("SELECT rowid FROM articles a ORDER BY a.published DESC NULLS LAST, a.id")
    batches = [np.array(batch, dtype=np.int64).reshape(-1) for batch in iter(lambda: cursor.fetchmany(_READ_ROWS), [])]
    return np.concatenate(batches) if batches else np.zeros(0, dtype=np.int64)


class _Builder:
    """Columns filled batch by batch with rows of keys in rowid order."""

    def __init__(self, capacity: int) -> None:
        self.values = {name: _Values() for name in ("outlet", "language", "day", "story")}
        self.present = np.zeros(capacity, dtype=np.bool_)
        self.codes = {name: np.zeros(capacity, dtype=np.int32) for name in self.values}
        self.flags = np.zeros(capacity, dtype=np.int32)
        self.per_row = np.zeros(capacity, dtype=np.int64)
        self.speaker_ids: list[IntArray] = []
        self.newest_place = np.full(capacity, -1, dtype=np.int32)

    def place(self, newest_first: IntArray) -> None:
        """Each article's place among all, newest first (an article without keys has none)."""
        held = newest_first[newest_first < len(self.newest_place)]
        self.newest_place[held] = np.arange(len(held), dtype=np.int32)
        self.newest_place[~self.present] = -1

    def add(self, keys: _Changed) -> None:
        rows = np.array(keys.rowids, dtype=np.int64)
        self.present[rows] = True
        for name, column in (
            ("outlet", keys.outlets), ("language", keys.languages), ("day", keys.days), ("story", keys.stories),
        ):  # fmt: skip
            self.codes[name][rows] = self.values[name].encoded(column)
        self.flags[rows] = np.array(keys.flags, dtype=np.int32)
        lengths, ids = _speaker_runs(keys.speakers)
        self.per_row[rows] = lengths
        self.speaker_ids.append(ids)

    def built(self, seq: int) -> FacetColumns:
        codes = self.codes
        ids = np.concatenate(self.speaker_ids) if self.speaker_ids else np.zeros(0, dtype=np.int64)
        return FacetColumns(
            seq, self.present, codes["outlet"], codes["language"], codes["day"], codes["story"], self.flags,
            _offsets(self.per_row), ids, self.values, self.newest_place,
        )  # fmt: skip


def _offsets(per_row: IntArray) -> IntArray:
    return np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(per_row)])


def _updated(columns: FacetColumns, connection: sqlite3.Connection) -> FacetColumns:
    """The next snapshot: the rows changed since `columns.seq` read (through the caller's connection, one
    statement, so one state of the database) and applied to copies of the columns."""
    cursor = connection.cursor()
    cursor.row_factory = None
    rows = cursor.execute(
        "SELECT c.seq, c.article_rowid, k.article_rowid IS NOT NULL, "
        + ", ".join(f"k.{name}" for name in _KEY_COLUMNS.split(", "))
        + " FROM facet_key_changes c LEFT JOIN article_facet_keys k ON k.article_rowid = c.article_rowid "
        "WHERE c.seq > ? ORDER BY c.article_rowid",
        (columns.seq,),
    ).fetchall()
    if not rows:
        return columns
    seq = max(int(row[0]) for row in rows)
    removed = [int(row[1]) for row in rows if not row[2]]
    kept = _changed(row[1:2] + row[3:] for row in rows if row[2])
    capacity = max(len(columns.present), max(int(row[1]) for row in rows) + 1)
    if capacity > len(columns.present):
        capacity = max(capacity, len(columns.present) * 5 // 4)  # room for the next articles

    def grown(array: npt.NDArray[Any]) -> npt.NDArray[Any]:
        copy = np.zeros(capacity, dtype=array.dtype)
        copy[: len(array)] = array
        return copy

    present = grown(columns.present)
    present[removed] = False
    rowids = np.array(kept.rowids, dtype=np.int64)
    present[rowids] = True
    coded = {}
    for name, column_values, array in (
        ("outlet", kept.outlets, columns.outlet), ("language", kept.languages, columns.language),
        ("day", kept.days, columns.day), ("story", kept.stories, columns.story),
    ):  # fmt: skip
        coded[name] = grown(array)
        coded[name][rowids] = columns.values[name].encoded(column_values)
    flags = grown(columns.flags)
    flags[rowids] = np.array(kept.flags, dtype=np.int32)
    newest_place = grown(columns.newest_place + 1) - 1  # a new article has no place (-1)
    newest_place[removed] = -1
    newest_place[rowids] = -1  # nor has a changed one: its date may have moved it
    changed = np.array([*removed, *kept.rowids], dtype=np.int64)
    offsets, ids = _respoken(columns, capacity, changed, rowids, kept)
    updated = FacetColumns(
        seq, present, coded["outlet"], coded["language"], coded["day"], coded["story"], flags, offsets, ids,
        columns.values, newest_place,
    )  # fmt: skip
    counts = _counts_updated(columns, updated, changed)
    if counts is not None:
        updated.derived["counts"] = counts
    return updated


def _counts_updated(old: FacetColumns, new: FacetColumns, changed: IntArray) -> HeldCounts | None:
    """The counts `old` holds (`held_counts`), with the `changed` rows' old keys counted out and their new
    ones in (a copy of 7 MB at a million articles, instead of 53 ms of CPU counting them all again after
    each write); None when `old` holds none, or a value new to a column would fall outside them."""
    held = old.derived.get("counts")
    if not isinstance(held, HeldCounts):
        return None
    cube = held.cube
    if any(
        len(new.values[name].values) > size
        for name, size in zip(("language", "day", "outlet"), cube.shape, strict=True)
    ):
        return None
    before = changed[changed < len(old.present)]
    before = before[old.present[before]]
    after = changed[new.present[changed]]
    cube = cube.copy()
    np.subtract.at(cube, (old.language[before], old.day[before], old.outlet[before]), 1)
    np.add.at(cube, (new.language[after], new.day[after], new.outlet[after]), 1)
    width = int(max(len(held.flag_sets), old.flags[before].max(initial=0) + 1, new.flags[after].max(initial=0) + 1))
    flag_sets = np.zeros(width, dtype=np.int64)
    flag_sets[: len(held.flag_sets)] = held.flag_sets
    flag_sets -= np.bincount(old.flags[before], minlength=width)
    flag_sets += np.bincount(new.flags[after], minlength=width)
    return HeldCounts(cube, flag_sets, held.articles - len(before) + len(after))


def _respoken(
    columns: FacetColumns, capacity: int, changed: IntArray, rowids: IntArray, kept: _Changed
) -> tuple[IntArray, IntArray]:
    """The speaker offsets and ids with the changed rows' runs replaced by the kept rows' new ones."""
    old_lengths = np.diff(columns.speaker_offsets)
    owner = np.repeat(np.arange(len(old_lengths), dtype=np.int64), old_lengths)
    unchanged = np.ones(capacity, dtype=np.bool_)
    unchanged[changed] = False
    stays = unchanged[owner]
    lengths, new_ids = _speaker_runs(kept.speakers)
    owners = np.concatenate([owner[stays], np.repeat(rowids, lengths)])
    ids = np.concatenate([columns.speaker_ids[stays], new_ids])
    order = np.argsort(owners, kind="stable")  # two sorted runs: merged, each article's ids in their order
    return _offsets(np.bincount(owners, minlength=capacity).astype(np.int64)), ids[order]
