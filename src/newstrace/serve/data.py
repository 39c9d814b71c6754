"""The data of every web page, as plain dicts: each HTML page and its JSON twin call the same function.

Lists are paginated (`page`, `per_page`, `total`, `pages`) and never cut silently. Functions raise
`PageNotFound` for an unknown id and `BadRequest` for input the user can fix (a malformed date, an FTS
query that does not parse).
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Iterable
from datetime import date, timedelta
from itertools import pairwise

from newstrace.framing.compare import NotFound, compare_story, outlet_profile
from newstrace.link.trail_view import TrailNotFound, trail
from newstrace.store.base import SearchFilters, SearchSyntaxError, Store

MAX_PER_PAGE = 100
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class PageNotFound(LookupError):
    pass


class BadRequest(ValueError):
    pass


def pagination(page: int, per_page: int, total: int) -> dict[str, int]:
    return {"page": page, "per_page": per_page, "total": total, "pages": max(1, math.ceil(total / per_page))}


def _offset(page: int, per_page: int) -> int:
    return (page - 1) * per_page


def overview(store: Store, page: int = 1, per_page: int = 20) -> dict[str, object]:
    """Counts, the latest stories (paginated) and the outlets."""
    stories, total = store.page_stories(per_page, _offset(page, per_page))
    return {
        "counts": store.count_rows(),
        "stories": stories,
        "pagination": pagination(page, per_page, total),
        "outlets": _outlets(store),
    }


def search(
    store: Store,
    text: str = "",
    outlet: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    speaker: str | int | None = None,
    syntax: str = "literal",
    page: int = 1,
    per_page: int = 20,
) -> dict[str, object]:
    """Articles matching words (or an FTS5 query), an outlet, a date range and a quoted speaker."""
    for name, value in (("from", date_from), ("to", date_to)):
        if value and not _valid_date(value):
            raise BadRequest(f"'{name}' must be a date written YYYY-MM-DD, not {value!r}")
    speaker_id = _speaker_id(speaker)
    filters = SearchFilters(text, outlet or None, date_from or None, date_to or None, speaker_id, syntax == "fts")
    try:
        hits, total = store.page_search(filters, per_page, _offset(page, per_page))
    except SearchSyntaxError as error:
        raise BadRequest(f"{error} (choose literal search to look for the words as typed)") from error
    return {
        "query": {**vars(filters), "syntax": syntax},
        "hits": [dict(vars(hit)) for hit in hits],  # flat records: a shallow copy is enough
        "pagination": pagination(page, per_page, total),
        "outlets": _outlets(store),
    }


def story(store: Store, story_id: str) -> dict[str, object]:
    """A story's articles by outlet over time (for the timeline) and its side-by-side comparison."""
    try:
        comparison = compare_story(store, story_id)
    except NotFound as error:
        raise PageNotFound(str(error)) from error
    articles = store.articles_where(story_id=story_id)
    utterances = _story_utterances(store, comparison.shared_utterance_ids())
    return {
        "story": comparison.story,
        "articles": articles,
        "comparison": comparison.to_dict()["outlets"],
        "utterances": utterances,
        "chart": {
            "kind": "timeline",
            "x": [article["published"] for article in articles],
            "y": [article["outlet"] or "(outlet unknown)" for article in articles],
            "text": [article["title"] or "" for article in articles],
            "x_range": day_axis_range(article["published"] for article in articles),
        },
    }


def utterance(store: Store, utterance_or_quote_id: str) -> dict[str, object]:
    """An utterance's trail, with the spread of its renderings over time."""
    try:
        found = trail(store, utterance_or_quote_id).to_dict()
    except TrailNotFound as error:
        raise PageNotFound(str(error)) from error
    renderings = found["renderings"]
    assert isinstance(renderings, list)
    spread: dict[str, int] = {}
    for rendering in renderings:
        day = str(rendering["published"] or "undated")
        spread[day] = spread.get(day, 0) + 1
    chart = {"kind": "spread", "x": list(spread), "y": list(spread.values()), "x_range": day_axis_range(spread)}
    return {**found, "chart": chart}


def speaker(store: Store, speaker_id: int, page: int = 1, per_page: int = 20) -> dict[str, object]:
    """A speaker with their utterances (claims) over time, recurring ones marked."""
    found = store.speaker(speaker_id)
    if found is None:
        raise PageNotFound(f"no speaker {speaker_id}")
    utterances, total = store.page_utterances_of(speaker_id, per_page, _offset(page, per_page))
    return {
        "speaker": {**found, "aliases": json.loads(str(found["aliases"])), "roles": json.loads(str(found["roles"]))},
        "utterances": utterances,
        "pagination": pagination(page, per_page, total),
        "chart": {
            "kind": "claims",
            "x": [row["first_seen"] for row in utterances],
            "y": [row["n_renderings"] for row in utterances],
            "text": [str(row["canonical_text"])[:80] for row in utterances],
            "x_range": day_axis_range(row["first_seen"] for row in utterances),
        },
    }


def outlet(store: Store, name: str, page: int = 1, per_page: int = 20) -> dict[str, object]:
    """An outlet's profile and its articles (paginated)."""
    try:
        profile = outlet_profile(store, name).to_dict()
    except NotFound as error:
        raise PageNotFound(str(error)) from error
    articles = store.articles_where(outlet=str(profile["outlet"]))
    shown = articles[_offset(page, per_page) : _offset(page, per_page) + per_page]
    return {"profile": profile, "articles": shown, "pagination": pagination(page, per_page, len(articles))}


def article(store: Store, article_id: str) -> dict[str, object]:
    """An article's text cut into segments, each with the quotes and markers that cover it."""
    found = store.article(article_id)
    if found is None:
        raise PageNotFound(f"no article {article_id!r}")
    text = str(found.pop("text"))
    quotes = store.quotes_of([article_id])
    markers = store.markers_of([article_id])
    spans = _highlight_spans(quotes, markers)
    return {
        "article": found,
        "quotes": quotes,
        "markers": markers,
        "entities": store.entities_of(article_id),
        "segments": segments(text, spans),
    }


def segments(text: str, spans: list[tuple[int, int, str]]) -> list[dict[str, object]]:
    """The text cut at every span boundary; each piece lists the classes of the spans covering it."""
    cuts = sorted({0, len(text), *(p for start, end, _ in spans for p in (start, end) if 0 <= p <= len(text))})
    pieces = []
    for start, end in pairwise(cuts):
        classes = sorted({kind for s, e, kind in spans if s <= start and end <= e})
        pieces.append({"text": text[start:end], "classes": classes, "start": start, "end": end})
    return pieces


def _highlight_spans(quotes: list[dict[str, object]], markers: list[dict[str, object]]) -> list[tuple[int, int, str]]:
    spans = []
    for quote in quotes:
        for role in ("source", "cue", "content"):
            start, end = quote[f"{role}_start"], quote[f"{role}_end"]
            if isinstance(start, int) and isinstance(end, int):
                spans.append((start, end, role))
    for marker in markers:
        spans.append((int(str(marker["start"])), int(str(marker["end"])), "marker-" + str(marker["category"])))
    return spans


def _story_utterances(store: Store, utterance_ids: list[str]) -> list[dict[str, object]]:
    """The utterances with more than one rendering that this story's articles carry, most rendered first."""
    found = store.utterances_by_id(utterance_ids)
    return sorted(found, key=lambda row: (-int(str(row["n_renderings"])), str(row["id"])))


_OUTLETS_TTL_SECONDS = 30.0
_outlet_cache: dict[int, tuple[float, list[dict[str, object]]]] = {}


def _outlets(store: Store) -> list[dict[str, object]]:
    """The outlet list for filters, recomputed at most every 30 s per store (it changes only with analyze)."""
    now = time.monotonic()
    cached = _outlet_cache.get(id(store))
    if cached is None or now - cached[0] > _OUTLETS_TTL_SECONDS:
        cached = (now, store.outlets())
        _outlet_cache[id(store)] = cached
    return cached[1]


def _speaker_id(value: str | int | None) -> int | None:
    """A form's speaker field: empty means any speaker."""
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not text.isdigit() or int(text) < 1:
        raise BadRequest(f"'speaker' must be a speaker id (a positive whole number), not {value!r}")
    return int(text)


def day_axis_range(values: Iterable[object]) -> list[str] | None:
    """A chart's date axis: from the day before the first date to the day after the last, so that
    a story or a trail of one day shows that day between two others instead of zooming into its
    milliseconds (with a bar as wide as the chart). None without dates."""
    days = sorted(date.fromisoformat(str(value)[:10]) for value in values if value and _valid_date(str(value)[:10]))
    if not days:
        return None
    return [(days[0] - timedelta(days=1)).isoformat(), (days[-1] + timedelta(days=1)).isoformat()]


def _valid_date(value: str) -> bool:
    if not _ISO_DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True
