"""The data of every web page, as plain dicts: each HTML page and its JSON twin call the same function.

Lists are paginated (`page`, `per_page`, `total`, `pages`) and never cut silently. Functions raise
`PageNotFound` for an unknown id and `BadRequest` for input the user can fix (a malformed date, an FTS
query that does not parse).
"""

from __future__ import annotations

import json
import math
import re
import string
import time
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from itertools import pairwise
from typing import NamedTuple

from newstrace.framing.compare import NotFound, compare_story, outlet_named, profile_from_counts
from newstrace.link.trail_view import TrailNotFound, trail
from newstrace.records import OutletSummary, StoredMarker, StoredQuote, as_json
from newstrace.serve import framing_charts
from newstrace.serve.rendering_text import in_pieces, printed_segments, printed_text
from newstrace.store import base as store_base
from newstrace.store.base import (
    CHECKED_FLAGS,
    COUNT_CAP,
    LARGEST_INTEGER,
    LIST_FILTERS,
    LIST_ORDERS,
    OUTLET_EVIDENCE_ARTICLES,
    UNKNOWN_OUTLET,
    ListFilters,
    PeriodCount,
    SearchFacets,
    SearchFilters,
    SearchSyntaxError,
    Store,
    counted_by_store,
    newest_first,
)
from newstrace.store.base import snippet_pieces as marked_pieces
from newstrace.store.recent import RecentAnswers

MAX_PER_PAGE = 100
FACET_VALUES = 10  # values shown per facet, most matches first
CHART_OUTLETS = 8  # outlets drawn on their own in an attention chart; the rest are summed
# Attention is counted per day, week, month or year: the shortest bucket that draws at most this many
# bars over the matches' span (a decade per week drew 500 bars a pixel or two wide).
ATTENTION_BARS = 120
UNKNOWN_LANGUAGE = "(language unknown)"  # an article without a language, as the chart by language names it
BUCKET_DAYS = {"day": 1, "week": 7, "month": 31, "year": 366}  # the longest each bucket runs
# Facets and attention count at most this many matches (the newest, or with words the most recently stored);
# beyond it their counts are lower bounds and say "at least", and words are ranked among these only.
# At a million articles, counting the 5,643 matches of a middling word took 0.7 s (facets) and ranking
# them 0.25 s; the first 1,000 take 70 ms and 10 ms for attention.
FACET_CAP = 1000
# An index page's facets count its first this many rows in its order (five pages of 20), a tenth of a
# search's FACET_CAP: a listing's rows each join their own (a story's articles, a speaker's quotes), where a
# search's are looked up in the process's columns. At a million (load 7-10), 1,000 stories' outlets took
# 0.26 s; 100 add 10-40 ms to an unfiltered index page (docs/web.md, "Facets of the index pages").
LISTING_FACET_SAMPLE = 100
# An outlet's page lists each verb's and each name's first places (of those in its earliest dated articles,
# `OUTLET_EVIDENCE_ARTICLES`), `more` counting the rest, and its most quoted voices (the speakers listing
# filtered by the outlet lists them all): every place and voice of the largest outlet of a million made 1.5 MB.
OUTLET_EVIDENCE = 5
OUTLET_VOICES = 100
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class PageNotFound(LookupError):
    pass


class BadRequest(ValueError):
    pass


def pagination(page: int, per_page: int, total: int) -> dict[str, object]:
    """A page's place in its list. A total above COUNT_CAP (the store counts no further) is given as
    COUNT_CAP with `more_than` true: there are more than `total`; except on a page past the last, whose
    total the store counted whole (`Store.page_list`, `page_search`), so that it names the last page."""
    more_than = total > COUNT_CAP and _offset(page, per_page) < total
    shown = COUNT_CAP if more_than else total
    pages = max(1, math.ceil(shown / per_page))
    return {"page": page, "per_page": per_page, "total": shown, "more_than": more_than, "pages": pages}


def _offset(page: int, per_page: int) -> int:
    return (page - 1) * per_page


def overview(
    store: Store, page: int = 1, per_page: int = 20, corpus: dict[str, object] | None = None
) -> dict[str, object]:
    """Counts, attention over time for the whole corpus with its facets, the latest stories (paginated)
    and the outlets. `corpus` is `corpus_summary` computed beforehand (the server refreshes it in the
    background); without it, the counts are read now and attention counts the newest FACET_CAP articles."""
    stories, total = store.page_stories(per_page, _offset(page, per_page))
    if corpus is None:
        counts = store.count_rows()
        corpus = {"counts": counts, **_attention(store, SearchFilters(), counts["articles"])}
    shown = {name: value for name, value in corpus.items() if name != "listings"}  # 50,000 speakers at a million
    return {
        **shown,
        "stories": [as_json(story) for story in stories],
        "pagination": pagination(page, per_page, total),
        "outlets": _outlets(store),
    }


def corpus_summary(store: Store) -> dict[str, object]:
    """The overview's whole-corpus part (row counts, attention and facets over every article), and every
    row of the listings whose counts span the whole corpus (speakers, outlets) in each of their orders,
    for `listing` to page (sorting 50,000 speakers for each page took a tenth of the server's time)."""
    return {
        "counts": store.count_rows(),
        **_attention(store, SearchFilters(), None),
        "listings": {name: _summarised(store, name) for name in SUMMARISED_LISTINGS},
    }


class _Ordered(NamedTuple):
    """A summarised listing's rows in one order, and beside each its names as the name filter reads them."""

    rows: list[dict[str, object]]
    names: list[str]


def _summarised(store: Store, listing: str) -> dict[str, _Ordered]:
    """Every row of `listing` in each of its orders. A row's names (a speaker's aliases parsed from their
    JSON) are folded here, once a summary, not on each request that filters by name."""
    named = [(_folded_names(listing, row), row) for row in map(as_json, store.iter_list(ListFilters(listing)))]
    ordered: dict[str, _Ordered] = {}
    for order, key in SUMMARISED_LISTINGS[listing].items():
        pairs = sorted(named, key=lambda pair: key(pair[1]))
        ordered[order] = _Ordered([row for _, row in pairs], [names for names, _ in pairs])
    return ordered


# Listings whose every row counts over the whole corpus (a speaker's quotes, articles and outlets; an
# outlet's articles): `corpus_summary` holds them, and `listing` pages them in memory unless an outlet
# or dates narrow them. Their orders, as the database gives them (store.sql's _LIST_ORDER_SQL).
SUMMARISED_LISTINGS: dict[str, dict[str, Callable[[dict[str, object]], tuple[object, ...]]]] = {
    "speakers": {
        "quotes": lambda row: (-_number(row["n_quotes"]), str(row["name"])),
        "outlets": lambda row: (-_number(row["n_outlets"]), -_number(row["n_quotes"]), str(row["name"])),
    },
    "outlets": {
        "articles": lambda row: (-_number(row["n_articles"]), str(row["outlet"])),
        "name": lambda row: (str(row["outlet"]).lower(), str(row["outlet"])),
    },
}
_NAME_COLUMNS = {"speakers": ("name", "aliases"), "outlets": ("outlet",)}
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)  # LIKE's case folding


def _names_in(column: str, value: object) -> list[str]:
    """The names a listing row's column holds: a speaker's aliases are a JSON list, each one a name."""
    if column == "aliases":
        return [str(alias) for alias in json.loads(str(value or "[]"))]
    return [str(value or "")]


def _folded_names(listing: str, row: dict[str, object]) -> str:
    """A row's names, ASCII letters in lower case as LIKE folds them, one a line: a word of the name filter
    (which holds no white space) occurs in this text exactly when it occurs in one of the names."""
    names = (name for column in _NAME_COLUMNS[listing] for name in _names_in(column, row[column]))
    return "\n".join(name.translate(_ASCII_LOWER) for name in names)


def _number(value: object) -> int:
    return int(str(value))


def summarised_rows(filters: ListFilters, corpus: dict[str, object] | None) -> list[dict[str, object]] | None:
    """The listing's rows under its filters and order from the corpus summary, or None when the summary
    does not hold them (not ready, another listing, or an outlet or dates that narrow the counts)."""
    listings = corpus.get("listings") if corpus else None
    if not isinstance(listings, dict) or filters.listing not in listings or filters.outlet:
        return None
    if filters.date_from or filters.date_to:
        return None
    words = [word.translate(_ASCII_LOWER) for word in filters.name.split()]
    ordered: _Ordered = listings[filters.listing][filters.order or LIST_ORDERS[filters.listing][0]]
    if not words:
        return ordered.rows
    # as store.sql's LIKE: each word in the name or an alias, ASCII letters in any case
    return [row for row, names in zip(ordered.rows, ordered.names, strict=True) if all(word in names for word in words)]


def search(
    store: Store, filters: SearchFilters, page: int = 1, per_page: int = 20, scope: str = "articles"
) -> dict[str, object]:
    """Articles matching words (or an FTS5 query), an outlet, a date range, a quoted speaker (by name
    or id), a language, a story and a rendering flag (`search_filters` reads them from a form); with
    facet counts and attention over time for all the matching articles. With `scope="quotes"` the
    hits are the quotes of those articles that hold the words, by the speaker named ("who said X")."""
    try:
        if scope == "quotes":  # the articles' total only: their page (ranked, with snippets) is not shown
            found, total = store.page_search(filters, 0, 0, FACET_CAP)
        else:
            found, total = store.page_search(filters, per_page, _offset(page, per_page), FACET_CAP)
        hits = [{**vars(hit), "snippet_pieces": snippet_pieces(hit.snippet)} for hit in found]
        order = _hits_order(filters, total, _offset(page, per_page) + per_page)
        attention = _attention(store, filters, total)
        if scope == "quotes":
            cap = FACET_CAP if total > FACET_CAP else None
            quotes, total = store.page_quote_search(filters, per_page, _offset(page, per_page), cap)
            hits = [as_json(quote) for quote in quotes]
            order = {**_order("newest", cap, None, None), "sample": _sample(filters) if cap else None}
    except SearchSyntaxError as error:
        raise BadRequest(str(error)) from error
    return {
        "query": {**vars(filters), "scope": scope},
        **order,
        "hits": hits,
        "pagination": pagination(page, per_page, total),
        "unmatched": unmatched_filters(store, filters) if total == 0 else [],
        "outlets": _outlets(store),
        **attention,
    }


def unmatched_filters(store: Store, filters: SearchFilters | ListFilters) -> list[str]:
    """Why a search or a listing that found nothing did: each outlet, speaker, language or story it names
    that no stored article has, as a sentence ("no article quotes a speaker named '"Bob"'"). Empty when
    each filter alone matches something (then only their combination, words or dates leave nothing).
    Asked only when nothing matched, so the look-ups cost nothing on the pages that list something."""
    said: list[str] = []
    if filters.outlet and filters.outlet.casefold() not in {row.outlet.casefold() for row in _outlets(store)}:
        said.append(f"no article is from an outlet named {filters.outlet!r}")
    speaker = filters.speaker_name if isinstance(filters, SearchFilters) else filters.speaker
    if speaker and not _matches(store, SearchFilters(speaker_name=speaker)):
        said.append(f"no article quotes a speaker named {speaker!r}")
    if isinstance(filters, ListFilters):
        return said
    if filters.speaker_id is not None and not _matches(store, SearchFilters(speaker_id=filters.speaker_id)):
        said.append(f"no article quotes the speaker {filters.speaker_id}")
    if filters.language and not _matches(store, SearchFilters(language=filters.language)):
        said.append(f"no article is in the language {filters.language!r}")
    if filters.story_id and store.story(filters.story_id) is None:
        said.append(f"no story {filters.story_id!r}")
    return said


def _matches(store: Store, filters: SearchFilters) -> bool:
    return store.page_search(filters, 0, 0)[1] > 0


def _hits_order(filters: SearchFilters, total: int, page_end: int) -> dict[str, object]:
    """How a search's hits are listed (`order`: "relevance" or "newest", `store.base.newest_first`) and among
    which matches: `ranked_among` or `newest_among` FACET_CAP when the page lies among a sample of FACET_CAP
    of more matches (those facets and attention count; `sample` says which: `_sample`), else None (every
    match); `newest_over` the number of matches past which words are listed newest first, when they are."""
    among = FACET_CAP if total > FACET_CAP >= page_end else None
    sample = _sample(filters) if among else None
    if not newest_first(filters, total):
        return {**_order("relevance", among, None, None), "sample": sample}
    if not filters.query:
        return {**_order("newest", None, None, None), "sample": None}
    return {**_order("newest", None, among, store_base.NEWEST_FIRST_OVER), "sample": sample}


def _order(
    order: str, ranked_among: int | None, newest_among: int | None, newest_over: int | None
) -> dict[str, object]:
    """The fields of `_hits_order` but `sample`."""
    return {"order": order, "ranked_among": ranked_among, "newest_among": newest_among, "newest_over": newest_over}


def _sample(filters: SearchFilters) -> str:
    """Which FACET_CAP matches of more a search's facets, chart and (among them) page count: the words' most
    recently stored ("latest_stored", the highest rowids: the text index read backwards), else the newest
    by date ("newest")."""
    return "latest_stored" if filters.text else "newest"


def snippet_pieces(snippet: str) -> list[dict[str, object]]:
    """A search hit's snippet cut at the store's marks: each piece its text and whether it is a word
    found (the page marks those, its text escaped like any other)."""
    return [{"text": text, "found": found} for text, found in marked_pieces(snippet)]


def search_filters(
    text: str = "",
    outlet: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    speaker: str | int | None = None,
    language: str = "",
    story: str = "",
    flag: str = "",
) -> SearchFilters:
    """A search's filters from a form's fields: a speaker is an id (digits) or a name."""
    _check_dates(date_from, date_to)
    _check_flag(flag)
    speaker_text = str(speaker or "").strip()
    speaker_id = _speaker_id(speaker_text) if speaker_text.isdigit() else None
    speaker_name = speaker_text if speaker_text and not speaker_text.isdigit() else None
    return SearchFilters(
        text, outlet or None, date_from or None, date_to or None, speaker_id, language or None, speaker_name,
        story or None, flag or None,
    )  # fmt: skip


def counting_settings() -> tuple[int, ...]:
    """The caps a page's counts and order depend on (FACET_CAP, COUNT_CAP, NEWEST_FIRST_OVER, and an index
    page's facets' LISTING_FACET_SAMPLE and the store's LISTING_FACET_PER_ROW), for keeping answers per setting."""
    return FACET_CAP, COUNT_CAP, store_base.NEWEST_FIRST_OVER, LISTING_FACET_SAMPLE, store_base.LISTING_FACET_PER_ROW


# The facets and attention of the last searches, per database, data version and filters (store.recent).
RECENT_SUMMARIES: RecentAnswers[dict[str, object]] = RecentAnswers(256)


def _attention(store: Store, filters: SearchFilters, matches: int | None) -> dict[str, object]:
    """`_counted_attention`, kept for the next pages and requests of the same search until the database
    changes (a language's counts over three years take a tenth of a second at a million articles)."""
    version = store.data_version()
    if version is None:
        return _counted_attention(store, filters, matches)
    key = (getattr(store, "where", id(store)), version, filters, matches, FACET_CAP, COUNT_CAP)
    return RECENT_SUMMARIES.get(key, lambda: _counted_attention(store, filters, matches))


def _counted_attention(store: Store, filters: SearchFilters, matches: int | None) -> dict[str, object]:
    """Facet counts of the matches (their top outlets, languages, speakers, stories and flags, first and
    last date) and the attention chart: matching articles per day, week, month or year (`attention_bucket`),
    by outlet. Of more than FACET_CAP `matches`, a sample of FACET_CAP is counted (the newest without words,
    the most recently stored with them: `_sample`), and `counted` says so
    (None: every match was counted), naming under `exact` what the store's counts gave for every match
    all the same."""
    # Up to FACET_CAP matches, the first FACET_CAP are every match: read once and counted in Python,
    # they cost two queries where counting each facet over the search took six.
    read = FACET_CAP if matches is not None else None
    facets = store.search_facets(filters, FACET_VALUES, read)
    bucket = attention_bucket(facets.dates.first, facets.dates.last)
    counts = store.search_attention(filters, bucket, read, drawn=CHART_OUTLETS)
    by_language = store.search_language_attention(filters, bucket, read)
    counted = None
    if matches is not None and matches > FACET_CAP:
        counted = {
            "counted": FACET_CAP,
            "of": min(matches, COUNT_CAP),
            "of_more_than": matches > COUNT_CAP,
            "newest": not filters.text,
            "sample": _sample(filters),
            "exact": ["outlet", "language", "dates", "attention"] if counted_by_store(filters) else [],
        }
    return {
        "facets": facets_json(facets),
        "attention": _attention_chart(counts, bucket),
        "language_attention": _attention_chart(by_language, bucket, LANGUAGE_SERIES),
        "counted": counted,
    }


def facets_json(facets: SearchFacets) -> dict[str, object]:
    """A search's facets as the page and its JSON twin show them: each facet a list of its values' rows,
    and the span of days as the one row of `dates`."""
    return {
        "outlet": [as_json(row) for row in facets.outlet],
        "language": [as_json(row) for row in facets.language],
        "speaker": [as_json(row) for row in facets.speaker],
        "story": [as_json(row) for row in facets.story],
        "flag": [as_json(row) for row in facets.flag],
        "dates": [as_json(facets.dates)],
    }


class ChartSeries(NamedTuple):
    """What an attention chart's traces are of: the name of a row without a value, and of the rest summed."""

    unknown: str
    others: str


OUTLET_SERIES = ChartSeries(UNKNOWN_OUTLET, "other outlets")
LANGUAGE_SERIES = ChartSeries(UNKNOWN_LANGUAGE, "other languages")


def _attention_chart(
    counts: list[PeriodCount], bucket: str, series_of: ChartSeries = OUTLET_SERIES
) -> dict[str, object]:
    """The attention chart of the store's rows (by period, then outlet): a trace per outlet for the
    CHART_OUTLETS with the most articles, and one summing the others (rows the store summed already,
    `others`, among them). With LANGUAGE_SERIES, the same of rows by period then language."""
    # each row's outlet and period converted once (a word's first 1,000 matches over three years give
    # some 600 rows), taken by position; each row then finds its trace with one look-up (choosing between
    # an outlet and the summed trace per row took a third more)
    rows = [
        (None if others else str(outlet or series_of.unknown), str(period), n) for period, outlet, n, others in counts
    ]
    totals: dict[str, int] = {}
    for name, _, n in rows:
        if name is not None:
            totals[name] = totals.get(name, 0) + n
    shown = store_base.drawn_outlets(totals, CHART_OUTLETS)
    series: dict[str, dict[str, int]] = {name: {} for name in shown}
    others: dict[str, int] | None = None
    for name, period, n in rows:
        per_period = series.get(name) if name is not None else None
        if per_period is None:  # an outlet not drawn: summed (with the outlet named so, if it is drawn)
            per_period = others = series.setdefault(series_of.others, {}) if others is None else others
        per_period[period] = per_period.get(period, 0) + n
    return {
        "kind": "attention",
        "bucket": bucket,
        "traces": [{"name": name, "x": list(days), "y": list(days.values())} for name, days in series.items()],
        "x_range": period_axis_range(list(dict.fromkeys([period for _, period, _ in rows])), bucket),
    }


def attention_bucket(first: object, last: object) -> str:
    """The shortest of day, week, month and year that counts the days from `first` to `last` (ISO
    dates) in at most ATTENTION_BARS bars; "day" when either is missing or not a date."""
    if not all(isinstance(value, str) and _valid_date(value[:10]) for value in (first, last)):
        return "day"
    days = (_day(last) - _day(first)).days + 1
    return next((name for name, size in BUCKET_DAYS.items() if days <= ATTENTION_BARS * size), "year")


def period_axis_range(periods: list[str], bucket: str) -> list[str] | None:
    """A chart's date axis over bars a `bucket` wide: a week's bar is centred on its Monday, a month's
    or a year's spans it (the page draws it so), and a day's is as `day_axis_range`."""
    axis = day_axis_range(periods)
    if axis is None or bucket == "day":
        return axis
    first, last = _day(axis[0]) + timedelta(days=1), _day(axis[1]) - timedelta(days=1)
    before, after = (4, 4) if bucket == "week" else (1, BUCKET_DAYS[bucket])
    return [(first - timedelta(days=before)).isoformat(), (last + timedelta(days=after)).isoformat()]


def listing(
    store: Store, filters: ListFilters, page: int = 1, per_page: int = 20, corpus: dict[str, object] | None = None
) -> dict[str, object]:
    """One page of an index (stories, speakers, outlets, utterances or flags) with its orders and filters;
    speakers and outlets come from the `corpus` summary when it holds them (see `summarised_rows`)."""
    check_listing(filters)
    summarised = summarised_rows(filters, corpus)
    offset, first = _offset(page, per_page), None
    if summarised is not None:
        rows, total, first = summarised[offset : offset + per_page], len(summarised), summarised
    elif offset + per_page <= LISTING_FACET_SAMPLE:  # the facets' rows read with the page's: one total counted
        found, total = store.page_list(filters, LISTING_FACET_SAMPLE, 0)
        first = [as_json(row) for row in found]
        rows = first[offset : offset + per_page]
    else:
        found, total = store.page_list(filters, per_page, offset)
        rows = [as_json(row) for row in found]
    return {
        "listing": filters.listing,
        "query": {**vars(filters), "order": filters.order or LIST_ORDERS[filters.listing][0]},
        "orders": LIST_ORDERS[filters.listing],
        "filters": LIST_FILTERS[filters.listing],
        "flags": CHECKED_FLAGS,
        "rows": [decoded_row(row) for row in rows],
        "pagination": pagination(page, per_page, total),
        "unmatched": unmatched_filters(store, filters) if total == 0 else [],
        **listing_facets(store, filters, total, first),
    }


def listing_facets(
    store: Store, filters: ListFilters, total: int, known: list[dict[str, object]] | None = None
) -> dict[str, object]:
    """An index listing's facets for its current matches: `facets` (outlet on stories, speakers, utterances
    and flags; flag on flags: each value with the number of rows that filter would keep) and `facets_counted`
    (null when every match was counted). Over more than LISTING_FACET_SAMPLE matches the first of them in
    the listing's order are counted, and an outlet facet reads at most LISTING_FACET_PER_ROW articles,
    quotes or renderings of each story, speaker or utterance (the counts then read "at least"). The
    outlets listing, which no outlet narrows, has none. `known`: the listing's first rows in its order
    when already read (the corpus summary's, or the first LISTING_FACET_SAMPLE read with the page)."""
    if filters.listing == "outlets":
        return {"facets": {}, "facets_counted": None}
    if known is not None:
        sample = known[:LISTING_FACET_SAMPLE]
    else:
        sample = [as_json(row) for row in store.page_list(filters, LISTING_FACET_SAMPLE, 0)[0]] if total else []
    cut = False
    if filters.listing == "flags":
        outlets = Counter(str(row["outlet"]) for row in sample if row.get("outlet"))
        flags = Counter(flag for row in sample for flag in _checked_flags(row))
        facets = {"outlet": _commonest(outlets), "flag": _commonest(flags)}
    else:
        counted = store.listing_outlets(filters, [row["id"] for row in sample])
        facets, cut = {"outlet": [{"value": c.value, "n": c.n} for c in counted.outlets]}, counted.cut
    sampled = total > len(sample)
    return {
        "facets": facets,
        "facets_counted": {
            "counted": len(sample), "of": min(total, COUNT_CAP), "of_more_than": total > COUNT_CAP, "rows_cut": cut,
        } if sampled or cut else None,
    }  # fmt: skip


def _checked_flags(row: dict[str, object]) -> set[str]:
    """The checked flags a flags listing's row carries (its `flags` JSON text or list)."""
    flags = row.get("flags")
    listed = json.loads(flags) if isinstance(flags, str) else flags
    return {str(flag) for flag in listed or () if flag in CHECKED_FLAGS} if isinstance(listed, list) else set()


def _commonest(counts: Counter[str]) -> list[dict[str, object]]:
    """The FACET_VALUES commonest values of a facet as its rows, most first (ties by value)."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:FACET_VALUES]
    return [{"value": value, "n": n} for value, n in ranked]


def check_listing(filters: ListFilters) -> None:
    """Raise BadRequest for an order, filter, date or flag the listing does not take."""
    _check_dates(filters.date_from, filters.date_to)
    if filters.order and filters.order not in LIST_ORDERS[filters.listing]:
        choices = ", ".join(LIST_ORDERS[filters.listing])
        raise BadRequest(f"'order' of {filters.listing} is one of {choices}, not {filters.order!r}")
    for name in ("outlet", "speaker", "flag"):
        if getattr(filters, name) and name not in LIST_FILTERS[filters.listing]:
            raise BadRequest(f"{filters.listing} cannot be filtered by {name}")
    _check_flag(filters.flag)


def _check_flag(flag: str | None) -> None:
    if flag and flag not in CHECKED_FLAGS:
        raise BadRequest(f"'flag' is one of {', '.join(CHECKED_FLAGS)}, not {flag!r}")


_JSON_COLUMNS = ("aliases", "roles", "flags", "diff")


def decoded_row(row: dict[str, object]) -> dict[str, object]:
    """A listing row with its JSON text columns (aliases, roles, flags, diff) as values."""
    return {key: json.loads(str(value)) if key in _JSON_COLUMNS and value is not None else value
            for key, value in row.items()}  # fmt: skip


def _check_dates(date_from: str | None, date_to: str | None) -> None:
    for name, value in (("from", date_from), ("to", date_to)):
        if value and not _valid_date(value):
            raise BadRequest(f"'{name}' must be a date written YYYY-MM-DD, not {value!r}")
    if date_from and date_to and date_from > date_to:
        raise BadRequest(f"'from' ({date_from}) is after 'to' ({date_to}): no day can be in both")


def _day(value: object) -> date:
    return date.fromisoformat(str(value)[:10])


def story(store: Store, story_id: str) -> dict[str, object]:
    """A story's articles by outlet over time (for the timeline) and its side-by-side comparison."""
    try:
        comparison = compare_story(store, story_id)
    except NotFound as error:
        raise PageNotFound(str(error)) from error
    articles = store.articles_where(story_id=story_id)
    utterances = _story_utterances(store, comparison.shared_utterance_ids())
    names = {name for outlet in comparison.outlets for name in outlet.speakers}
    names |= {str(row["speaker"]) for outlet in comparison.outlets for row in outlet.renderings if row["speaker"]}
    outlets = comparison.to_dict()["outlets"]
    assert isinstance(outlets, list)
    _add_printed_pieces(store, [rendering for outlet in outlets for rendering in outlet["renderings"]])
    return {
        "story": as_json(comparison.story),
        "articles": [as_json(article) for article in articles],
        "comparison": outlets,
        "speaker_ids": store.speaker_ids(sorted(names)),
        "utterances": utterances,
        "chart": {
            "kind": "timeline",
            "x": [article.published for article in articles],
            "y": [article.outlet or UNKNOWN_OUTLET for article in articles],
            "text": [article.title or "" for article in articles],
            "x_range": day_axis_range(article.published for article in articles),
        },
    }


def _add_printed_pieces(store: Store, renderings: list[dict[str, object]]) -> None:
    """Give each rendering its `pieces`: every content piece of its quote as the article printed it, with
    its offsets (`"A," she said, "B."` has two); its `content_text` is the first piece only."""
    quotes = _quotes_of(store, renderings)
    texts: dict[str, str | None] = {}
    for rendering in renderings:
        quote = quotes.get(str(rendering["quote_id"]))
        rendering["pieces"] = _printed_pieces(store, quote, texts) if quote else []


def _printed_pieces(store: Store, quote: StoredQuote, texts: dict[str, str | None]) -> list[dict[str, object]]:
    """The quote's content pieces in text order, each {start, end, text}; the one content span when the
    content is not in pieces (or its article's text no longer holds them)."""
    pieces = sorted(json.loads(quote.content_fragments or "[]"))
    if len(pieces) > 1:
        if quote.article_id not in texts:
            texts[quote.article_id] = store.article_text(quote.article_id)
        text = texts[quote.article_id]
        if text and all(0 <= start < end <= len(text) for start, end in pieces):
            return [{"start": start, "end": end, "text": text[start:end]} for start, end in pieces]
    return [{"start": quote.content_start, "end": quote.content_end, "text": quote.content_text}]


def utterance(store: Store, utterance_or_quote_id: str) -> dict[str, object]:
    """An utterance's trail, with the spread of its renderings over time."""
    try:
        found_trail = trail(store, utterance_or_quote_id)
    except TrailNotFound as error:
        raise PageNotFound(str(error)) from error
    found = found_trail.to_dict()
    renderings = found["renderings"]
    assert isinstance(renderings, list)
    canonical = found_trail.utterance.canonical_text
    pieces = _content_pieces(store, [rendering for rendering in renderings if in_pieces(rendering)])
    texts: dict[str, str | None] = {}
    spread: dict[str, int] = {}
    for rendering in renderings:
        article_id, own_pieces = str(rendering["article_id"]), pieces.get(str(rendering["quote_id"]), [])
        if len(own_pieces) > 1 and article_id not in texts:  # one piece is its content_text already
            texts[article_id] = store.article_text(article_id)
        shown = printed_text(str(rendering["content_text"]), own_pieces, texts.get(article_id))
        rendering["printed_text"] = shown
        rendering["printed"] = printed_segments(shown, rendering["diff"], canonical)
        day = str(rendering["published"] or "undated")
        spread[day] = spread.get(day, 0) + 1
    chart = {"kind": "spread", "x": list(spread), "y": list(spread.values()), "x_range": day_axis_range(spread)}
    return {**found, "chart": chart}


def _content_pieces(store: Store, renderings: list[dict[str, object]]) -> dict[str, list[list[int]]]:
    """The content pieces (offsets into the article) of these renderings' quotes, by quote id."""
    wanted = {str(rendering["quote_id"]) for rendering in renderings}
    return {
        quote_id: json.loads(quote.content_fragments or "[]")
        for quote_id, quote in _quotes_of(store, renderings).items()
        if quote_id in wanted
    }


def _quotes_of(store: Store, renderings: list[dict[str, object]]) -> dict[str, StoredQuote]:
    """The stored quotes of these renderings' articles, by quote id."""
    articles = sorted({str(rendering["article_id"]) for rendering in renderings})
    return {quote.id: quote for quote in store.quotes_of(articles)} if articles else {}


def speaker(store: Store, speaker_id: int, page: int = 1, per_page: int = 20) -> dict[str, object]:
    """A speaker with their utterances (claims), earliest first, recurring ones marked, and the articles
    quoting them over time by outlet (the search's attention chart for this speaker: each of a page's
    utterances mostly has one rendering, so plotting renderings drew a flat row of ones)."""
    found = store.speaker(speaker_id)
    if found is None:
        raise PageNotFound(f"no speaker {speaker_id}")
    utterances, total = store.page_utterances_of(speaker_id, per_page, _offset(page, per_page))
    quoting = _attention(store, SearchFilters(speaker_id=speaker_id), found.n_articles)
    chart = quoting["attention"]
    assert isinstance(chart, dict)
    return {
        "speaker": as_json(found),
        "utterances": [as_json(row) for row in utterances],
        "pagination": pagination(page, per_page, total),
        "chart": {**chart, "y_title": "articles quoting them"},
        "counted": quoting["counted"],
    }


def outlet(store: Store, name: str, page: int = 1, per_page: int = 20) -> dict[str, object]:
    """An outlet's profile, its charts and its articles (paginated), from counts the database sums (the
    largest outlet of a million copy, 99,000 articles and 70,000 markers, read whole, answered 503 after
    10-15 s): each verb's and name's first `OUTLET_EVIDENCE` places are listed, `more` counting the rest."""
    try:
        stored_name = outlet_named(store, name)
    except NotFound as error:
        raise PageNotFound(str(error)) from error
    counted = store.outlet_framing(stored_name, OUTLET_EVIDENCE)
    profile = profile_from_counts(stored_name, counted).to_dict()
    voices = dict(counted.speakers[:OUTLET_VOICES])
    profile["speakers"] = voices
    offset = _offset(page, per_page)
    shown = store.page_outlet_articles(stored_name, per_page, offset) if offset < counted.n_articles else []
    return {
        "profile": profile,
        "evidence_per_choice": OUTLET_EVIDENCE,
        "evidence_articles": OUTLET_EVIDENCE_ARTICLES,
        "voices": _voices(store, voices),
        "n_voices": len(counted.speakers),
        "articles": [as_json(row) for row in shown],
        "pagination": pagination(page, per_page, counted.n_articles),
        "charts": {
            "naming": framing_charts.naming_from_counts(counted.names_per_month),
            "distancing": framing_charts.distancing_from_counts(counted.markers, store.speaker_ids),
        },
    }


def _voices(store: Store, quoted: dict[str, int]) -> list[dict[str, object]]:
    """The speakers an outlet quoted, most quoted first, each with its id (None for a name the speakers
    table does not hold) for a link to its page."""
    ids = store.speaker_ids(list(quoted))
    return [{"name": name, "speaker_id": ids.get(name), "n": n} for name, n in quoted.items()]


def article(store: Store, article_id: str) -> dict[str, object]:
    """An article's text cut into segments, each with the quotes and markers that cover it."""
    found = store.article(article_id)
    if found is None:
        raise PageNotFound(f"no article {article_id!r}")
    shown = as_json(found)
    del shown["text"]
    quotes = store.quotes_of([article_id])
    markers = store.markers_of([article_id])
    spans = _highlight_spans(quotes, markers)
    return {
        "article": shown,
        "quotes": [as_json(row) for row in quotes],
        "markers": [as_json(row) for row in markers],
        "entities": [as_json(row) for row in store.entities_of(article_id)],
        "segments": segments(found.text, spans),
        "translations": [as_json(row) for row in store.translations_of(article_id)],
    }


def segments(text: str, spans: list[tuple[int, int, str]]) -> list[dict[str, object]]:
    """The text cut at every span boundary; each piece lists the classes of the spans covering it."""
    cuts = sorted({0, len(text), *(p for start, end, _ in spans for p in (start, end) if 0 <= p <= len(text))})
    pieces = []
    for start, end in pairwise(cuts):
        classes = sorted({kind for s, e, kind in spans if s <= start and end <= e})
        pieces.append({"text": text[start:end], "classes": classes, "start": start, "end": end})
    return pieces


def _highlight_spans(quotes: list[StoredQuote], markers: list[StoredMarker]) -> list[tuple[int, int, str]]:
    spans = []
    for quote in quotes:
        roles = {
            "source": (quote.source_start, quote.source_end),
            "cue": (quote.cue_start, quote.cue_end),
            "content": (quote.content_start, quote.content_end),
        }
        spans += [(start, end, role) for role, (start, end) in roles.items() if start is not None and end is not None]
    for marker in markers:
        spans.append((marker.start, marker.end, "marker-" + marker.category))
    return spans


def _story_utterances(store: Store, utterance_ids: list[str]) -> list[dict[str, object]]:
    """The utterances with more than one rendering that this story's articles carry, most rendered first."""
    found = sorted(store.utterances_by_id(utterance_ids), key=lambda row: (-row.n_renderings, row.id))
    return [as_json(row) for row in found]


_OUTLETS_TTL_SECONDS = 30.0
_outlet_cache: dict[str, tuple[float, list[OutletSummary]]] = {}


def _outlets(store: Store) -> list[OutletSummary]:
    """The outlet list for filters, recomputed at most every 30 s per database (it changes only with
    analyze). Per database rather than per store: each server thread has a store, and at a million
    articles the list takes 130 ms to count."""
    now = time.monotonic()
    database = str(getattr(store, "where", id(store)))
    cached = _outlet_cache.get(database)
    if cached is None or now - cached[0] > _OUTLETS_TTL_SECONDS:
        cached = (now, store.outlets())
        _outlet_cache[database] = cached
    return cached[1]


def _speaker_id(value: str | int | None) -> int | None:
    """A form's speaker field: empty means any speaker."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= LARGEST_INTEGER:
        raise BadRequest(f"'speaker' must be a speaker id (a whole number from 1 to {LARGEST_INTEGER}), not {value!r}")
    return int(text)


def day_axis_range(values: Iterable[object]) -> list[str] | None:
    """A chart's date axis: from the day before the first date to the day after the last, so that
    a story or a trail of one day shows that day between two others instead of zooming into its
    milliseconds (with a bar as wide as the chart). None without dates."""
    # days written YYYY-MM-DD sort as their text: only the first and last valid ones are parsed
    texts = sorted({str(value)[:10] for value in values if value})
    first = next((text for text in texts if _valid_date(text)), None)
    if first is None:
        return None
    last = next(text for text in reversed(texts) if _valid_date(text))
    return [(_day(first) - timedelta(days=1)).isoformat(), (_day(last) + timedelta(days=1)).isoformat()]


def _valid_date(value: str) -> bool:
    if not _ISO_DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
