"""How each outlet told one story, and an outlet's habits across stories: the data behind `newstrace
compare`, `newstrace outlet` and their web pages.

Everything returned points back into the articles: each verb, name and label carries its article id
and character offsets. Outlets are compared on what they printed: the speakers they quoted (and the
ones other outlets of the story quoted but they did not), which rendering of each shared statement
they carried and how faithful it was (from the quote trails), the reporting verbs per speaker with
their stance, the names and labels they used per referent, their headlines, and how many days after
the story's first article they published.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date

from newstrace.framing.lexicon import STANCES
from newstrace.link.trails import SAME_PASSAGE
from newstrace.records import (
    ArticleRendering,
    ArticleSummary,
    OutletFraming,
    StoredMarker,
    StoredQuote,
    StorySummary,
)
from newstrace.store.base import Store

UNKNOWN_OUTLET = "(outlet unknown)"


class NotFound(LookupError):
    """No story or outlet by that name; the message says what exists."""


@dataclass(frozen=True)
class Evidence:
    """One marker occurrence: what was written, where."""

    article_id: str
    text: str
    start: int
    end: int


@dataclass
class Choice:
    """One marker (a verb, a name, a label) with the places it occurs: every one, or (on the outlet's web
    page) the first few, `more` counting the others."""

    marker: str
    category: str
    evidence: list[Evidence] = field(default_factory=list)
    more: int = 0

    @property
    def count(self) -> int:
        return len(self.evidence) + self.more


@dataclass
class OutletCoverage:
    outlet: str
    articles: list[dict[str, object]]  # id, title, published, days_after_first, duplicate_of
    speakers: dict[str, int]  # speaker -> quotes
    omitted: list[str]  # quoted by other outlets of the story, not by this one
    verbs: dict[str, list[Choice]]  # speaker -> reporting verbs with stance
    names: dict[str, list[Choice]]  # referent -> names and labels used
    stances: dict[str, int]
    renderings: list[dict[str, object]] = field(default_factory=list)  # statements others carried too


@dataclass
class StoryComparison:
    story: StorySummary
    outlets: list[OutletCoverage]

    def shared_utterance_ids(self) -> list[str]:
        """The utterances (rendered more than once) that the story's articles carry, each once."""
        found = {str(row["utterance_id"]) for coverage in self.outlets for row in coverage.renderings}
        return sorted(found)

    def to_dict(self) -> dict[str, object]:
        plain = _plain(self)
        assert isinstance(plain, dict)
        return plain


@dataclass
class OutletProfile:
    outlet: str
    n_articles: int
    n_stories: int
    first_published: str | None
    last_published: str | None
    stances: dict[str, int]
    distancing_rate: float | None  # distancing verbs over all verbs the lexicon classifies
    names: dict[str, list[Choice]]
    speakers: dict[str, int]
    verbs: list[Choice]

    def to_dict(self) -> dict[str, object]:
        plain = _plain(self)
        assert isinstance(plain, dict)
        return plain


def compare_story(store: Store, story_id: str) -> StoryComparison:
    """The side-by-side of every outlet that covered the story, earliest outlet first."""
    story = store.story(story_id)
    if story is None:
        raise NotFound(f"no story {story_id!r}; list them with `newstrace stories`")
    articles = store.articles_where(story_id=story_id)
    ids = [article.id for article in articles]
    quotes, markers = store.quotes_of(ids), store.markers_of(ids)
    shared = [row for row in store.renderings_for_articles(ids) if row.n_renderings > 1]
    first = _first_date(articles)
    by_outlet: dict[str, list[ArticleSummary]] = defaultdict(list)
    for article in articles:
        by_outlet[article.outlet or UNKNOWN_OUTLET].append(article)
    outlet_of = {article.id: article.outlet or UNKNOWN_OUTLET for article in articles}
    speakers_by_outlet = _speakers_by_outlet(quotes, outlet_of)
    everyone = set().union(*speakers_by_outlet.values()) if speakers_by_outlet else set()
    coverage = []
    for outlet, members in by_outlet.items():
        mine = {article_id for article_id, name in outlet_of.items() if name == outlet}
        outlet_markers = [marker for marker in markers if marker.article_id in mine]
        quoted = speakers_by_outlet.get(outlet, Counter())
        coverage.append(
            OutletCoverage(
                outlet=outlet,
                articles=[_article_summary(article, first) for article in members],
                speakers=dict(quoted.most_common()),
                omitted=sorted(everyone - set(quoted)),
                verbs=_grouped(outlet_markers, STANCES, by_referent=True),
                names=_grouped(outlet_markers, ("naming", "label"), by_referent=True),
                stances=_stance_counts(outlet_markers),
                renderings=[
                    _rendering_summary(row)
                    for row in shared
                    if row.article_id in mine and SAME_PASSAGE not in row.flags
                ],
            )
        )
    coverage.sort(key=lambda item: (_earliest(item.articles), item.outlet))
    return StoryComparison(story, coverage)


def outlet_profile(store: Store, outlet: str) -> OutletProfile:
    """An outlet's habits over every story it covered; the name is matched regardless of case."""
    outlet = outlet_named(store, outlet)
    articles = store.articles_where(outlet=outlet)
    return profile_of(store, outlet, articles, store.markers_of([article.id for article in articles]))


def profile_of(store: Store, outlet: str, articles: list[ArticleSummary], markers: list[StoredMarker]) -> OutletProfile:
    """The profile of the `outlet` (as stored) from its articles and their markers, read already by the
    caller, and its quotes: every place of every choice (`newstrace outlet`; the web page sums the same in
    the database, `profile_from_counts`)."""
    ids = [article.id for article in articles]
    stances = _stance_counts(markers)
    classified = sum(stances.values())
    speakers = Counter(name for name in store.speaker_names_of(ids) if name)
    dates = sorted(article.published for article in articles if article.published)
    verbs = _grouped(markers, STANCES, by_referent=False).get("", [])
    return OutletProfile(
        outlet=outlet,
        n_articles=len(articles),
        n_stories=len({article.story_id for article in articles if article.story_id}),
        first_published=dates[0] if dates else None,
        last_published=dates[-1] if dates else None,
        stances=stances,
        distancing_rate=round(stances["distancing"] / classified, 4) if classified else None,
        names=_grouped(markers, ("naming", "label"), by_referent=True),
        speakers=dict(speakers.most_common()),
        verbs=verbs,
    )


def profile_from_counts(outlet: str, counted: OutletFraming) -> OutletProfile:
    """`profile_of` from the counts the database summed (`Store.outlet_framing`): the same numbers, each
    choice with the first places the database gave and `more` counting the rest."""
    stances = Counter({stance: 0 for stance in STANCES})
    for category, _, _, n in counted.markers:
        if category in STANCES:
            stances[category] += n
    classified = sum(stances.values())
    return OutletProfile(
        outlet=outlet,
        n_articles=counted.n_articles,
        n_stories=counted.n_stories,
        first_published=counted.first_published,
        last_published=counted.last_published,
        stances=dict(stances),
        distancing_rate=round(stances["distancing"] / classified, 4) if classified else None,
        names=_counted_choices(counted, ("naming", "label"), by_referent=True),
        speakers=dict(counted.speakers),
        verbs=_counted_choices(counted, STANCES, by_referent=False).get("", []),
    )


def _counted_choices(counted: OutletFraming, categories: tuple[str, ...], by_referent: bool) -> dict[str, list[Choice]]:
    """`_grouped` from the markers counted per (category, referent, marker) and their first places."""
    groups: dict[str, dict[tuple[str, str], Choice]] = defaultdict(dict)
    totals: Counter[tuple[str, str, str]] = Counter()
    for category, referent, marker, n in counted.markers:
        if category in categories:
            key = (referent or "(unnamed)") if by_referent else ""
            groups[key].setdefault((marker, category), Choice(marker, category))
            totals[(key, marker, category)] += n
    for category, referent, marker, article_id, text, start, end in counted.evidence:
        if category in categories:
            key = (referent or "(unnamed)") if by_referent else ""
            groups[key][(marker, category)].evidence.append(Evidence(article_id, text, start, end))
    for key, choices in groups.items():
        for (marker, category), choice in choices.items():
            choice.more = totals[(key, marker, category)] - len(choice.evidence)
    return {
        key: sorted(choices.values(), key=lambda choice: (-choice.count, choice.marker))
        for key, choices in sorted(groups.items())
    }


def outlet_named(store: Store, name: str) -> str:
    """The stored outlet `name` refers to: written exactly so, or else the one outlet equal to it
    regardless of case (`vda` finds VDA). NotFound when there is none or more than one."""
    known = [row.outlet for row in store.outlets()]
    if name in known:
        return name
    matches = [outlet for outlet in known if outlet.casefold() == name.casefold()]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise NotFound(f"outlet {name!r} could be any of {', '.join(map(repr, matches))}: write it as stored")
    raise NotFound(f"no articles from outlet {name!r}; list the outlets with `newstrace outlets`")


def _rendering_summary(row: ArticleRendering) -> dict[str, object]:
    return {
        "utterance_id": row.utterance_id,
        "speaker": row.speaker,
        "canonical_text": row.canonical_text,
        "content_text": row.content_text,  # the outlet's own words
        "diff": json.loads(row.diff),  # ... word by word against the canonical text
        "quote_id": row.quote_id,
        "article_id": row.article_id,
        "kind": row.kind,
        "fidelity": row.fidelity,
        "flags": json.loads(row.flags),
    }


def _speakers_by_outlet(quotes: list[StoredQuote], outlet_of: dict[str, str]) -> dict[str, Counter[str]]:
    found: dict[str, Counter[str]] = defaultdict(Counter)
    for quote in quotes:
        if quote.speaker_name:
            found[outlet_of[quote.article_id]][quote.speaker_name] += 1
    return found


def _grouped(markers: list[StoredMarker], categories: tuple[str, ...], by_referent: bool) -> dict[str, list[Choice]]:
    """Markers of the given categories grouped by referent (or all together), then by marker, commonest first."""
    groups: dict[str, dict[tuple[str, str], Choice]] = defaultdict(dict)
    for marker in markers:
        category = marker.category
        if category not in categories:
            continue
        key = (marker.referent or "(unnamed)") if by_referent else ""
        choice = groups[key].setdefault((marker.marker, category), Choice(marker.marker, category))
        choice.evidence.append(Evidence(marker.article_id, marker.text, marker.start, marker.end))
    return {
        key: sorted(choices.values(), key=lambda choice: (-choice.count, choice.marker))
        for key, choices in sorted(groups.items())
    }


def _stance_counts(markers: list[StoredMarker]) -> dict[str, int]:
    counts = Counter(marker.category for marker in markers)
    return {stance: counts[stance] for stance in STANCES}


def _first_date(articles: list[ArticleSummary]) -> date | None:
    dates = [date.fromisoformat(article.published) for article in articles if article.published]
    return min(dates) if dates else None


def _article_summary(article: ArticleSummary, first: date | None) -> dict[str, object]:
    published = date.fromisoformat(article.published) if article.published else None
    return {
        "id": article.id,
        "title": article.title,
        "published": article.published,
        "days_after_first": (published - first).days if published and first else None,
        "duplicate_of": article.duplicate_of,
    }


def _earliest(articles: list[dict[str, object]]) -> str:
    dates = [str(article["published"]) for article in articles if article["published"]]
    return min(dates) if dates else "9999-99-99"


_SCALARS = (str, int, float, bool, type(None))


def _plain(value: object) -> object:
    """Records as plain dicts and lists, with Choice counts added, ready for JSON. (Like `asdict`,
    without its deep copy of every leaf, which made a story page three times slower.)"""
    if isinstance(value, _SCALARS):  # most values: tested first
        return value
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        plain = {item.name: _plain(getattr(value, item.name)) for item in fields(value)}
        if isinstance(value, Choice):
            plain["count"] = value.count
        return plain
    return value
