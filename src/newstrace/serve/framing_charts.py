"""The data of an outlet's framing charts, from its framing markers: which name it gives each referent
month by month (Kiev or Kyiv), and how often it attributes a speaker's words with a distancing verb.

Both are plain dicts for the JSON twin; `serve.charts` draws them as SVG.
"""

from __future__ import annotations

import heapq
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence

from newstrace.framing.lexicon import STANCES
from newstrace.records import ArticleSummary, StoredMarker

CHART_SPEAKERS = 12  # speakers shown in the distancing chart, most attributed first
_NAMING = ("naming", "label")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])")


def naming_over_time(markers: list[StoredMarker], articles: list[ArticleSummary]) -> list[dict[str, object]]:
    """Per referent named more than one way: each name's uses per month, over every month from the
    first use to the last (months without a use count 0). Undated articles are left out."""
    month_of = {row.id: str(row.published)[:7] for row in articles if _MONTH.match(str(row.published))}
    uses: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for marker in markers:
        month = month_of.get(marker.article_id)
        if marker.category in _NAMING and month:
            uses[marker.referent or "(unnamed)"][(marker.marker, month)] += 1
    return _naming_charts(uses)


def naming_from_counts(names_per_month: Sequence[tuple[str | None, str, str, int]]) -> list[dict[str, object]]:
    """`naming_over_time` from the uses of each name per referent and month counted in the database
    (`OutletFraming.names_per_month`; a month that is not YYYY-MM, from an odd date, is left out)."""
    uses: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for referent, name, month, n in names_per_month:
        if _MONTH.match(month):
            uses[referent or "(unnamed)"][(name, month)] += n
    return _naming_charts(uses)


def _naming_charts(uses: dict[str, Counter[tuple[str, str]]]) -> list[dict[str, object]]:
    charts: list[dict[str, object]] = []
    for referent, counted in sorted(uses.items()):
        names = sorted({name for name, _ in counted}, key=lambda name: (-_total(counted, name), name))
        if len(names) < 2:
            continue  # one name only: there is no choice to chart
        periods = _months(min(month for _, month in counted), max(month for _, month in counted))
        series = [{"name": name, "counts": [counted[(name, month)] for month in periods]} for name in names]
        charts.append({"referent": referent, "periods": periods, "series": series})
    return charts


def distancing_by_speaker(
    markers: list[StoredMarker], speaker_ids: Callable[[Sequence[str]], dict[str, int]]
) -> list[dict[str, object]]:
    """The speakers whose words the outlet attributes with a verb the lexicon classifies (said, claimed,
    ...), most attributed first: the share of distancing verbs among them, with the speaker's id (each
    marker counted once, as `distancing_from_counts` counts the database's sums)."""
    counted = ((marker.category, marker.referent, marker.marker, 1) for marker in markers)
    return distancing_from_counts(list(counted), speaker_ids)


def distancing_from_counts(
    markers: Sequence[tuple[str, str | None, str, int]], speaker_ids: Callable[[Sequence[str]], dict[str, int]]
) -> list[dict[str, object]]:
    """`distancing_by_speaker` from the markers counted per (category, referent, marker) in the database
    (`OutletFraming.markers`)."""
    attributed: Counter[str] = Counter()
    distancing: Counter[str] = Counter()
    for category, referent, _, n in markers:  # (a Counter per speaker took 0.8 s for 14,000 speakers)
        if category in STANCES and referent:
            attributed[referent] += n
            if category == "distancing":
                distancing[referent] += n
    top = heapq.nsmallest(CHART_SPEAKERS, attributed, key=lambda name: (-attributed[name], name))
    ids = speaker_ids(top)
    return [_bar(name, ids.get(name), attributed[name], distancing[name]) for name in top]


def _bar(name: str, speaker_id: int | None, attributed: int, distancing: int) -> dict[str, object]:
    return {
        "name": name,
        "speaker_id": speaker_id,
        "n": attributed,
        "distancing": distancing,
        "share": round(distancing / attributed, 4),
    }


def _total(counted: Counter[tuple[str, str]], name: str) -> int:
    return sum(n for (marker, _), n in counted.items() if marker == name)


def _months(first: str, last: str) -> list[str]:
    """Every YYYY-MM from `first` to `last`, both included."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
