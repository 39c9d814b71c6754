"""Incremental story clustering: each new article joins the story it fits best or opens a new one.

An article is a TF-IDF vector over its content terms plus one over its named entities, both weighted
by rarity among the articles seen so far (for terms, plus a shipped sample of general news, so that a
corpus of twenty articles does not think "summit" is rare). A story is the running sum of its members' vectors (its
centroid, trimmed to its strongest terms). A new article is compared only with the stories that share
one of its strongest terms or names, found through an inverted index whose posting lists keep the
most recent stories, so the cost per article stays flat as the corpus grows.

It joins the best story when the similarity clears an absolute floor and a share of that story's own
cohesion (how similar its members were when they joined); otherwise it opens a story. When dates
exist, a story only takes articles within `recur_gap_days` of its span (and, more than a day later,
takes one into a story of a single report only when it nearly retells it); an article that fits an older
story but falls outside that window opens a new story that `recurs` from the old one. An article that
quotes the words a story's members quoted, or whose lead names a day their leads name (one that few
reports, or few of the stories around it, name), close in time, needs less similarity to join it; so
does an undated article that quotes them.

A story that grows is compared with its candidate stories as a whole (the mean similarity over every
pair of members, from the two sums) and merged with one that passes the join rules that way, so two
reports of one event that opened apart meet later, while one close pair cannot chain two events.
"""

from __future__ import annotations

import heapq
import json
import math
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from importlib import resources
from itertools import compress, repeat
from operator import add, mul

from newstrace.link.crosslingual import CrossLanguageLinker
from newstrace.link.features import LinkFeatures
from newstrace.link.regions import places_apart


@dataclass(frozen=True)
class StorySettings:
    """The clusterer's knobs; the defaults are the documented ones (docs/linking.md)."""

    # How similar an article must be to a story to join it depends on what the dates say. Being close in
    # time is no evidence of one event in a dense stream (a busy week of one domain), so the floor within
    # `near_days` is the baseline-like 0.2, not lower (0.09 served the sparse PolNeAR stream and merged
    # distinct events when its dates were compressed: docs/linking.md):
    threshold: float = 0.2  # ... both dated, at most `near_days` from the story's first date
    later_threshold: float = 0.25  # ... both dated, later in the story's window
    # ... except that a story `ongoing_story_reports` or more reports tell keeps the bar of its first days
    # (`threshold`) for the rest of its window: so many reports show an occurrence that goes on (the riots
    # after a shooting, the reactions to a nomination), and a later report as close to all of them, on
    # average, as a report of the first days must be tells it too. The mean over that many members is the
    # evidence; three reports can still be one moment told by three outlets, and a report days later of
    # the next occurrence of its theme joined such a story on PolNeAR (link stage 13, docs/linking.md):
    ongoing_story_reports: int = 4
    # ... more than `lone_report_days` after a story that holds one article: one report says nothing of
    # how long its occurrence goes on, and a report on its theme days later is mostly a new occurrence (a
    # new poll, the next ruling), so such a join must be close to a retelling, not a resemblance; a story
    # that two or more reports tell keeps the bars above (link stage 10):
    later_single_threshold: float = 0.35
    lone_report_days: int = 1
    undated_threshold: float = 0.2  # ... either undated: similarity alone must carry the join
    undated_group_threshold: float = 0.2  # undated articles at least this similar are grouped first ...
    undated_group_share: float = 1.0  # ... and a group joins a story only as a whole, when it is at least
    # this share as similar to the story as its members (or the story's) are to each other; when it joins
    # none, a member that passes the undated rules for a dated story and is `undated_member_margin` times
    # as similar to it as to the members that stay (those drawn to the same story aside) joins it (math.inf: never)
    undated_member_margin: float = 1.5
    # ... and when every member is drawn to the same dated story, each must be this many times as similar to
    # it as to the rest of the group (link stage 12; math.inf: such a group keeps all its members, as before).
    # The rest is drawn to that story too, so its members resemble it, and the leaving one, by their kind:
    undated_whole_group_margin: float = 1.2
    rare_name_share: float = 0.05  # an undated join also needs a shared name held by at most this share of
    # the articles: shared main actors (NATO, Stoltenberg) say nothing about which occurrence it reports ...
    undated_certain_similarity: float = 0.5  # ... unless it is this similar (a retelling of the same report)
    near_days: int = 3
    # Within `near_days`, or undated, an article that quotes a run of words a story's members quoted (the
    # same sentence of the same statement) needs only this similarity: what it reports is pinned by the words.
    quote_threshold: float = 0.12
    quote_runs: int = 3  # ... sharing at least this many runs of eight words (ten words in a row)
    story_quotes: int = 512  # quoted runs a story keeps (the latest members')
    # Within `near_days`, an article whose lead names a day on which things happened ("died Thursday",
    # "said yesterday", resolved against its date) that the leads of a story's members name too needs only
    # this similarity: both tell of that day's occurrence. Only a day few reports name is such evidence:
    event_day_threshold: float = 0.1
    event_day_reports: int = 8  # ... named by at most this many of the articles linked so far
    # In a large stream every day is named by more leads than that, most of them on other subjects; a day
    # that few of the stories around the article name (those sharing its strongest words and names, the
    # story it joins among them) lowers the join, less far, all the same:
    nearby_day_threshold: float = 0.18
    nearby_day_stories: int = 6  # ... named by at most this many of those stories (link stage 8)
    window_days: int = 60  # a story takes no dated article further than this from its first date
    related_threshold: float = 0.08  # a new story this similar to one it did not join gets a `related` link
    cohesion_share: float = 0.5  # ... and at least this share of the story's mean joining similarity
    entity_weight: float = 0.2  # share of the similarity that comes from named entities
    recur_gap_days: int = 60  # a story resembling one this far before it `recurs` from it
    query_terms: int = 24  # strongest terms and names used to look up candidate stories
    candidates: int = 8  # candidate stories scored in full
    posting_limit: int = 64  # stories kept per term in the index (the most recent ones)
    centroid_size: int = 300  # strongest entries kept in a story's centroid
    linkage: str = "average"  # "average": mean similarity to the members; "centroid": cosine to their sum
    article_terms: int = 120  # an article's strongest terms kept in its vector (bounds the cost of scoring)
    use_background: bool = True  # add general-news term frequencies, so small corpora weigh words sensibly
    # After an article joins or opens a story, that story is compared with its candidate stories as
    # wholes (the mean similarity over every pair of their members) and merged with one that clears the
    # join rules as a whole: two reports of one event that opened apart meet once either has grown, and
    # since every member pair counts, one close pair cannot chain two events together.
    merge_stories: bool = True
    merge_threshold: float = 0.25  # ... at least this, and the join threshold the dates call for, ...
    merge_cohesion_share: float = 0.7  # ... and at least this share of each story's cohesion
    # Undated articles group among themselves on similarity alone (plan_undated), and in a group of one or
    # two a single close pair lifts the mean over the bar for a newcomer close to neither member. So an
    # article joining a group of at most `undated_member_group` must itself be `undated_member_close` similar
    # to each member, unless it quotes ten words in a row the members quoted (link stage 11):
    undated_member_close: float = 0.22
    undated_member_group: int = 2
    # An undated join (an article or a group to a story, among undated articles, or a merge with an undated
    # side) under this similarity is barred when the article's dateline and locatives put its occurrence in
    # countries or states (`link.regions`, `features.lead_regions`) none of which can hold or lie in one
    # where the story's members' leads put theirs: two occurrences of one kind told in one vocabulary (an
    # agency's operations in two states, one alliance's statements in two capitals), which no date keeps
    # apart. Places the gazetteer does not know (cities, counties) never bar; from 0.5, the level of a
    # retelling (as for the rare shared name), nothing does; nor does a shared quotation (link stage 14;
    # 0.0: never barred):
    place_conflict_below: float = 0.5

    def lone_report_bar(self, gap_days: int | None, n_articles: int) -> float:
        """What a dated join to a story of `n_articles` must reach more than `lone_report_days` after it
        when that story is a single report (0.0 when the rule does not apply)."""
        if gap_days is not None and gap_days > self.lone_report_days and n_articles == 1:
            return self.later_single_threshold
        return 0.0

    def required_similarity(self, gap_days: int | None, n_articles: int = 1) -> float:
        """What a join must reach, given the days between the article and the story's first date and how
        many reports the story holds (a merge gives no size: it keeps the later bar, under its own 0.25)."""
        if gap_days is None:
            return self.undated_threshold
        if gap_days <= self.near_days or n_articles >= self.ongoing_story_reports:
            return self.threshold
        return self.later_threshold


@dataclass
class StoryState:
    """A story as the clusterer keeps it between articles (and the store between runs)."""

    id: str
    title: str | None
    first_seen: date | None
    last_seen: date | None
    n_articles: int
    terms: dict[str, float] = field(default_factory=dict)
    entities: dict[str, float] = field(default_factory=dict)
    join_similarity_sum: float = 0.0
    join_count: int = 0
    quotes: dict[int, None] = field(default_factory=dict)  # its members' quoted runs, oldest first
    event_days: set[date] = field(default_factory=set)  # the days its members' leads say things happened
    regions: set[str] = field(default_factory=set)  # the countries and states its members' leads name

    @property
    def cohesion(self) -> float | None:
        return self.join_similarity_sum / self.join_count if self.join_count else None


_NO_DAYS: frozenset[date] = frozenset()


class StoryStates(dict[str, StoryState]):
    """The clusterer's stories by id. A story retired from memory (`retire`, once no dated article to come
    can join it) keeps only its first date and the days its leads name, which the rules read of many
    stories at a time (`first_seen_of`, `event_days_of`); any other use reads its whole state back from
    the store (`read_back`), so what the rules see never changes. Read back only to be scored (the lookup
    finds it for a `recurs` or `related` link), it stays among the `cache_size` most recently read; a rule
    that changes it (an undated article, a revision or a merge) brings it back into memory (`keep`) until
    it is saved and retired again."""

    def __init__(self, cache_size: int = 256) -> None:
        super().__init__()
        self.read_back: Callable[[str], StoryState] | None = None
        self.retired: dict[str, tuple[date | None, frozenset[date]]] = {}  # id -> first date, days named
        self.recently_read: OrderedDict[str, StoryState] = OrderedDict()  # retired, read back, unchanged
        self.cache_size = cache_size
        self.read_backs = 0  # states read back from the store (for measurements)

    def __missing__(self, story_id: str) -> StoryState:
        story = self.recently_read.get(story_id)
        if story is not None:
            self.recently_read.move_to_end(story_id)
            return story
        if story_id not in self.retired or self.read_back is None:
            raise KeyError(story_id)
        story = self.read_back(story_id)
        self.read_backs += 1
        self.recently_read[story_id] = story
        if len(self.recently_read) > self.cache_size:
            self.recently_read.popitem(last=False)
        return story

    def __contains__(self, story_id: object) -> bool:
        return dict.__contains__(self, story_id) or story_id in self.retired

    def __delitem__(self, story_id: str) -> None:
        if dict.__contains__(self, story_id):
            dict.__delitem__(self, story_id)
        else:  # a retired story merged into another
            del self.retired[story_id]
            self.recently_read.pop(story_id, None)

    def keep(self, story_id: str) -> None:
        """A story a rule is changing stays in memory (a retired one read back leaves the cache for it)."""
        if dict.__contains__(self, story_id):
            return
        story = self.recently_read.pop(story_id, None)
        if story is None:  # changed through a copy that has left the cache: the change would be lost
            raise RuntimeError(f"story {story_id}: changed after its read-back state left the cache")
        del self.retired[story_id]
        self[story_id] = story

    def retire(self, story_id: str) -> None:
        """Drop a story's state from memory, keeping its first date and named days."""
        story = self.pop(story_id)
        self.retired[story_id] = (story.first_seen, frozenset(story.event_days) or _NO_DAYS)

    def first_seen_of(self, story_id: str) -> date | None:
        story = self.get(story_id)
        return story.first_seen if story is not None else self.retired[story_id][0]

    def event_days_of(self, story_id: str) -> Set[date]:
        story = self.get(story_id)
        return story.event_days if story is not None else self.retired[story_id][1]


class ChangedStories(set[str]):
    """The ids of the stories changed since the store last saved them; a story marked changed stays in
    memory until then (`StoryStates.keep`)."""

    def __init__(self, stories: StoryStates) -> None:
        super().__init__()
        self.stories = stories

    def add(self, story_id: str) -> None:
        self.stories.keep(story_id)
        super().add(story_id)


@dataclass(frozen=True)
class Recurrence:
    """Evidence that a new story repeats an earlier one (`recurs`) or tells of a neighbouring event (`related`)."""

    earlier_story_id: str
    similarity: float
    gap_days: int
    shared_entities: tuple[str, ...]
    relation: str = "recurs"


@dataclass(frozen=True)
class Assignment:
    story_id: str
    opened: bool
    similarity: float
    recurs: Recurrence | None = None


@dataclass
class DocumentFrequencies:
    """How many of the articles seen so far contain each key, for rarity (IDF) weights."""

    n_documents: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    dirty: set[str] = field(default_factory=set)  # keys changed since the store last saved them
    background: Background | None = None  # counts from a general news sample, added to these

    def add(self, keys: Iterable[str]) -> None:
        self.n_documents += 1
        self.count(keys)

    def count(self, keys: Iterable[str]) -> None:
        """Count keys that are no document's terms (the days leads name), leaving the documents alone."""
        keys = list(keys)
        self.counts.update(keys)
        self.dirty.update(keys)

    def idf(self, key: str) -> float:
        documents, count = self.n_documents, self.counts.get(key, 0)  # Counter[key] is slow on a miss
        if self.background is not None:
            documents += self.background.documents
            count += self.background.counts.get(key, 0)
        return math.log((documents + 1) / (count + 0.5))


@dataclass(frozen=True)
class Background:
    """Document frequencies of content terms in a sample of general news (see the build script)."""

    documents: int
    counts: Mapping[str, int]


@lru_cache(maxsize=1)
def background_term_frequencies() -> Background:
    """The shipped background counts, built by scripts/build_background_frequencies.py."""
    payload = json.loads(resources.files("newstrace.link").joinpath("data/background_frequencies.json").read_text())
    return Background(int(payload["documents"]), dict(payload["df"]))


class StoryClusterer:
    """Assigns articles, one at a time and in the order given, to stories."""

    def __init__(
        self,
        settings: StorySettings | None = None,
        term_frequencies: DocumentFrequencies | None = None,
        entity_frequencies: DocumentFrequencies | None = None,
        stories: Iterable[StoryState] = (),
        crosslingual: CrossLanguageLinker | None = None,
    ) -> None:
        self.settings = settings or StorySettings()
        self.crosslingual = crosslingual or CrossLanguageLinker()  # the cross-language hook, see _add
        self.term_frequencies = term_frequencies or DocumentFrequencies()
        if self.settings.use_background:
            self.term_frequencies.background = background_term_frequencies()
        self.entity_frequencies = entity_frequencies or DocumentFrequencies()
        self.stories = StoryStates()  # in memory, or retired to the store and read back when needed
        self.changed: set[str] = ChangedStories(self.stories)  # kept in memory until saved
        # key -> the stories holding it, oldest first: a dict used as an ordered set, so that moving a
        # story to the end and dropping the oldest are O(1) (a deque took a scan of the full list)
        self._index: dict[str, dict[str, None]] = {}
        self._norms: dict[tuple[str, str], float] = {}
        self.merged_into: dict[str, str] = {}  # a story merged into another -> the one that took it
        self.merges: list[tuple[str, str]] = []  # (merged, kept) since the store last saved them
        for story in stories:
            self.stories[story.id] = story
            self._index_story(story)

    def load(self, stories: Iterable[StoryState], closed: Callable[[StoryState], bool]) -> None:
        """Take stories kept by an earlier run: each is indexed (its id stays in the posting lists, so the
        lookup finds it as before), and one that `closed` says no rule is likely to need soon is retired at
        once, so the whole history is never in memory together."""
        for story in stories:
            self.stories[story.id] = story
            self._index_story(story)
            if closed(story):
                self.retire([story.id])

    def retire(self, story_ids: Iterable[str]) -> None:
        """Drop these stories' states from memory (the store keeps them, saved as they are now): a rule
        that needs one again reads it back, whole, through `stories.read_back`."""
        for story_id in story_ids:
            self.stories.retire(story_id)
            self._norms.pop((story_id, "terms"), None)
            self._norms.pop((story_id, "entities"), None)

    def assign(self, article: LinkFeatures) -> Assignment:
        """Put the article in a story (an existing one or a new one) and return where it went."""
        term_vector, entity_vector = self._count_and_weigh(article)
        best: tuple[float, StoryState] | None = None
        nearest: tuple[float, StoryState] | None = None  # the most similar story it did not join
        neighbours = self._neighbours(term_vector, entity_vector)
        candidates = self._best_candidates(neighbours)
        nearby_days = self._days_few_neighbours_name(article, candidates, neighbours)
        for story in candidates:
            similarity = self._similarity(term_vector, entity_vector, story)
            gap = self._gap_days(article.published, story)
            joins = gap is None or gap <= self.settings.window_days
            required = self._required(gap, article, story, nearby_days)
            joins = joins and similarity >= required and self._fits(similarity, story)
            if joins and gap is None:
                joins = self._undated_join_evidence(similarity, article, story)
            if joins and (best is None or similarity > best[0]):
                best = (similarity, story)
            elif not joins and (nearest is None or similarity > nearest[0]):
                nearest = (similarity, story)
        if best is None and (bridge := self._crosslingual_join(article, term_vector, entity_vector)):
            return bridge  # CROSS-LANGUAGE HOOK: the same event reported in another language
        if best is not None:
            self._add(best[1], article, term_vector, entity_vector, best[0])
            return Assignment(self._merge_into_neighbour(best[1]), opened=False, similarity=best[0])
        story = self._open(article)
        self._add(story, article, term_vector, entity_vector, None)
        link = self._relation(article, story, nearest) if nearest else None
        return Assignment(story.id, opened=True, similarity=1.0, recurs=link)

    def plan_undated(self, articles: list[LinkFeatures]) -> dict[str, str]:
        """Decide together where a batch's undated articles go: article id -> the story to join, or the id
        of the group member that will open their story.

        Alone, the first undated report of an event is judged against stories only, and joins the most
        similar one even when the reports after it would have shown that they tell another event. So the
        undated articles are first grouped among themselves (the same rules, on scratch copies of the
        counts, a small group asking a newcomer to be close to each of its members), and each group then
        joins a story as a whole, or opens its own. A group that joins no story may still hold reports of
        a dated story's event, grouped with another event's reports of the same kind: such a member, much
        closer to that story than to the rest of its group, joins it alone."""
        if not articles:
            return {}
        # Among themselves, undated articles group on similarity (each member of a small group close to the
        # newcomer, `UndatedGrouping`); the rare-name evidence is asked of the group.
        grouping = replace(
            self.settings,
            undated_threshold=self.settings.undated_group_threshold,
            undated_certain_similarity=0.0,
        )
        scratch = UndatedGrouping(
            grouping, _copy_frequencies(self.term_frequencies), _copy_frequencies(self.entity_frequencies)
        )
        assigned = [(article.article_id, scratch.assign(article).story_id) for article in articles]
        groups: dict[str, list[str]] = {}
        for article_id, group_id in assigned:  # a group may have merged into another since
            groups.setdefault(scratch.resolve(group_id), []).append(article_id)
        plan: dict[str, str] = {}
        by_id = {article.article_id: article for article in articles}
        for group_id, members in groups.items():
            group = scratch.stories[group_id]
            target = self._story_for_group(group)
            if target is not None:
                plan.update(dict.fromkeys(members, target))
                continue
            alone = self._members_leaving(group, [by_id[member] for member in members], scratch)
            plan.update(alone)
            left = [member for member in members if member not in alone]
            if left:  # the rest open their story, named after the first of them
                plan.update(dict.fromkeys(left, story_id_for(left[0])))
        return plan

    def _members_leaving(
        self, group: StoryState, members: list[LinkFeatures], scratch: StoryClusterer
    ) -> dict[str, str]:
        """The members of an undated group that joins no story which join a dated story instead: article id
        -> story. A member must pass the undated rules for that story and be `undated_member_margin` times as
        similar to it as to the members that stay (on average), or quote ten words in a row its members
        quoted. The members drawn to the same story are measured against the others, not each other: two
        near-copies of one report leave together, where each alone would look tied to the group by its copy.
        When the whole group is drawn to one story, each member is measured against the rest of the group."""
        if group.n_articles < 2:
            return {}
        vectors = {
            member.article_id: article_vectors(
                member, scratch.term_frequencies, scratch.entity_frequencies, self.settings
            )
            for member in members
        }
        drawn = {
            member.article_id: found
            for member in members
            if (found := self._dated_story_for(member, vectors[member.article_id])) is not None
        }
        everyone = _summed_pair(vectors.values())
        quotes = {member.article_id: member.quotes for member in members}
        leaving: dict[str, str] = {}
        for story_id in sorted({story_id for _, story_id in drawn.values()}):
            movers = sorted(member for member, (_, found) in drawn.items() if found == story_id)
            story = self.stories[story_id]
            # A member that quotes ten words in a row the story's members quoted reports its statement,
            # whatever the rest of the group does; the others must be clearly closer to it than to the group.
            leaving.update((member, story_id) for member in movers if self._shares_a_quotation(quotes[member], story))
            staying = len(vectors) - len(movers)
            if not staying:  # the whole group is drawn there, and as a group it did not pass
                if math.isfinite(self.settings.undated_whole_group_margin):
                    leaving.update(self._leaving_a_whole_group(story_id, movers, vectors, drawn, everyone))
                continue
            # The sum over the members that stay is everyone's less the movers' (linear in the group's size).
            drawn_together = _summed_pair(vectors[member] for member in movers)
            for member in movers:
                to_all = article_similarity(vectors[member], everyone, self.settings)
                to_staying = (to_all - article_similarity(vectors[member], drawn_together, self.settings)) / staying
                if drawn[member][0] >= self.settings.undated_member_margin * to_staying:
                    leaving[member] = story_id
        return leaving

    def _leaving_a_whole_group(
        self,
        story_id: str,
        movers: list[str],
        vectors: Mapping[str, tuple[dict[str, float], dict[str, float]]],
        drawn: Mapping[str, tuple[float, str]],
        everyone: tuple[dict[str, float], dict[str, float]],
    ) -> dict[str, str]:
        """When every member of a group is drawn to one dated story, those `undated_whole_group_margin` times
        as similar to it as to the rest of the group (on average) join it: the report of that story's event that
        fell in with another event's undated reports of the same kind."""
        others = len(movers) - 1
        leaving: dict[str, str] = {}
        for member in movers:
            vector = vectors[member]
            to_all = article_similarity(vector, everyone, self.settings)
            to_rest = (to_all - article_similarity(vector, vector, self.settings)) / others
            if drawn[member][0] >= self.settings.undated_whole_group_margin * to_rest:
                leaving[member] = story_id
        return leaving

    def _dated_story_for(
        self, article: LinkFeatures, vectors: tuple[dict[str, float], dict[str, float]]
    ) -> tuple[float, str] | None:
        """The dated story most similar to an undated article among those it passes the undated rules for,
        with that similarity; None when there is none."""
        best: tuple[float, str] | None = None
        for story in self._candidates(*vectors):
            similarity = self._similarity(*vectors, story)
            enough = story.first_seen is not None and similarity >= self._required(None, article, story, frozenset())
            enough = enough and self._fits(similarity, story)
            enough = enough and self._undated_join_evidence(similarity, article, story)
            if enough and (best is None or similarity > best[0]):
                best = (similarity, story.id)
        return best

    def _story_for_group(self, group: StoryState) -> str | None:
        """The existing story a group of undated articles joins, or None: it must be similar enough for an
        undated join, and as similar to the group as the group's members are to each other or as the
        story's members are to each other (a tight pair of near-copies joins a looser story it fits)."""
        term_vector, entity_vector = _unit(group.terms), _unit(group.entities)
        best: tuple[float, str] | None = None
        weight = self.settings.entity_weight
        for story in self._candidates(term_vector, entity_vector):
            pairs = max(story.n_articles, 1) * max(group.n_articles, 1)
            shared = (1 - weight) * _dot(group.terms, story.terms) + weight * _dot(group.entities, story.entities)
            similarity = shared / pairs
            enough = similarity >= self.settings.undated_threshold and self._fits(similarity, story)
            if group.cohesion is not None:  # as close as the group's members are to each other, or the story's
                standard = group.cohesion if story.cohesion is None else min(group.cohesion, story.cohesion)
                enough = enough and similarity >= self.settings.undated_group_share * standard
            enough = enough and self._undated_evidence(similarity, group.entities, story)
            enough = enough and self._places_agree(similarity, group.regions, group.quotes, story)
            if enough and (best is None or similarity > best[0]):
                best = (similarity, story.id)
        return best[1] if best else None

    def resolve(self, story_id: str) -> str:
        """The story a story id now stands for: itself, or the story it was merged into (at any depth)."""
        while story_id in self.merged_into:
            story_id = self.merged_into[story_id]
        return story_id

    def follow_plan(self, story_id: str, article: LinkFeatures) -> Assignment:
        """Put the article where `plan_undated` decided: join that story, or open it when it is new."""
        story_id = self.resolve(story_id)
        if story_id in self.stories:
            self.join(story_id, article)
            return Assignment(story_id, opened=False, similarity=0.0)
        self._open_with(story_id, article)
        return Assignment(story_id, opened=True, similarity=1.0)

    def _open_with(self, story_id: str, article: LinkFeatures) -> None:
        """Open a story named `story_id` with this article (the first member of a planned group)."""
        term_vector, entity_vector = self._count_and_weigh(article)
        story = self._open(article, story_id)
        self._add(story, article, term_vector, entity_vector, None)

    def join(self, story_id: str, article: LinkFeatures) -> str:
        """Add an article to a known story without a decision (a duplicate joins its original's story), and
        return the story it is in: a dated article can bring the story close enough to merge with another."""
        term_vector, entity_vector = self._count_and_weigh(article)
        story = self.stories[self.resolve(story_id)]
        self._add(story, article, term_vector, entity_vector, None)
        return self._merge_into_neighbour(story) if article.published is not None else story.id

    # -- internals ---------------------------------------------------------------------------------

    def _merge_into_neighbour(self, story: StoryState) -> str:
        """Merge a story that just grew with the candidate story most similar to it as a whole, when that
        similarity (the mean over all pairs of members) clears the rules a join would have to clear; return
        the id of the story the grown one now belongs to."""
        if not self.settings.merge_stories:
            return story.id
        best: tuple[float, StoryState] | None = None
        for other in self._candidates(_unit(story.terms), _unit(story.entities)):
            if other is story:
                continue
            similarity = self._story_similarity(story, other)
            if self._may_merge(similarity, story, other) and (best is None or similarity > best[0]):
                best = (similarity, other)
        if best is None:
            return story.id
        return self._merge(story, best[1], best[0]).id

    def _story_similarity(self, one: StoryState, other: StoryState) -> float:
        """The mean similarity over every pair of members, one from each story (from the summed vectors)."""
        weight = self.settings.entity_weight
        shared = (1 - weight) * _dot(one.terms, other.terms) + weight * _dot(one.entities, other.entities)
        return shared / (max(one.n_articles, 1) * max(other.n_articles, 1))

    def _may_merge(self, similarity: float, one: StoryState, other: StoryState) -> bool:
        """Whether two stories pass, as wholes, the rules an article passes to join a story."""
        if one.first_seen is not None and other.first_seen is not None:
            gap: int | None = abs((one.first_seen - other.first_seen).days)
            if gap is not None and gap > self.settings.window_days:
                return False
        else:
            gap = None
        required = max(
            self.settings.required_similarity(gap),
            self.settings.merge_threshold,
            self.settings.lone_report_bar(gap, min(one.n_articles, other.n_articles)),
        )
        share = self.settings.merge_cohesion_share
        if similarity < required or any(similarity < share * (story.cohesion or 0.0) for story in (one, other)):
            return False
        if gap is not None:
            return True
        return self._undated_evidence(similarity, one.entities, other) and self._places_agree(
            similarity, one.regions, one.quotes, other
        )

    def _merge(self, one: StoryState, other: StoryState, similarity: float) -> StoryState:
        """Merge the story that grew (`one`) and its neighbour into the larger, then the earlier, of the two,
        which keeps its id; on a tie, the neighbour, which was there first."""
        kept, merged = sorted((other, one), key=_seniority)  # a stable sort: ties keep this order
        pairs = kept.n_articles * merged.n_articles
        kept.join_similarity_sum += merged.join_similarity_sum + similarity * pairs
        kept.join_count += merged.join_count + pairs
        kept.n_articles += merged.n_articles
        _accumulate(kept.terms, merged.terms, self.settings.centroid_size)
        _accumulate(kept.entities, merged.entities, self.settings.centroid_size)
        dates = [day for day in (kept.first_seen, kept.last_seen, merged.first_seen, merged.last_seen) if day]
        kept.first_seen, kept.last_seen = (min(dates), max(dates)) if dates else (None, None)
        kept.title = kept.title or merged.title
        _remember_quotes(kept.quotes, merged.quotes, self.settings.story_quotes)
        kept.event_days.update(merged.event_days)
        kept.regions.update(merged.regions)
        for story_id in (kept.id, merged.id):
            self._norms.pop((story_id, "terms"), None)
            self._norms.pop((story_id, "entities"), None)
        del self.stories[merged.id]
        self.changed.discard(merged.id)
        self.changed.add(kept.id)
        self.merged_into[merged.id] = kept.id
        self.merges.append((merged.id, kept.id))
        self._index_story(kept)
        return kept

    def _crosslingual_join(
        self, article: LinkFeatures, term_vector: dict[str, float], entity_vector: dict[str, float]
    ) -> Assignment | None:
        """CROSS-LANGUAGE HOOK (link/crosslingual.py): join the story one of whose members, in another
        language, reports the article's event. None for an article in the only language seen, so
        single-language linking is unchanged. The join leaves the story's cohesion alone: an embedding's
        cosine is not on the scale of the term similarities."""
        match = self.crosslingual.story_for(article)
        if match is None:
            return None
        story_id = match.story_id
        while story_id in self.merged_into:  # the story the member was in has merged into another since
            story_id = self.merged_into[story_id]
        if story_id not in self.stories:
            return None
        self._add(self.stories[story_id], article, term_vector, entity_vector, None)
        return Assignment(story_id, opened=False, similarity=match.score)

    def _count_and_weigh(self, article: LinkFeatures) -> tuple[dict[str, float], dict[str, float]]:
        """Count the article's terms and names into the rarity counts, and return its two unit vectors."""
        self.term_frequencies.add(article.terms)
        self.entity_frequencies.add(article.entities)
        self.term_frequencies.count(map(_day_key, article.event_days))  # how many leads name each day
        return article_vectors(article, self.term_frequencies, self.entity_frequencies, self.settings)

    def _candidates(self, term_vector: dict[str, float], entity_vector: dict[str, float]) -> list[StoryState]:
        """Stories sharing the article's strongest keys, ranked by the weight they share; the best few."""
        return self._best_candidates(self._neighbours(term_vector, entity_vector))

    def _best_candidates(self, neighbours: dict[str, float]) -> list[StoryState]:
        """The few neighbouring stories that share the most weight, to be scored in full."""
        return [self.stories[story_id] for story_id, _ in _best(neighbours, self.settings.candidates)]

    def _neighbours(self, term_vector: dict[str, float], entity_vector: dict[str, float]) -> dict[str, float]:
        """Every story sharing one of the article's strongest keys (through the bounded posting lists), with
        the weight it shares."""
        keys = heapq.nlargest(self.settings.query_terms, term_vector.items(), key=lambda item: item[1])
        keys += [("@" + name, weight) for name, weight in heapq.nlargest(8, entity_vector.items(), key=_by_weight)]
        shared: dict[str, float] = {}
        postings_of, shared_so_far = self._index.get, shared.get  # bound once: this loop runs ~2,000 times
        for key, weight in keys:
            # Each story of the posting list gains the key's weight (a list holds a story once), in C.
            postings = postings_of(key, ())
            gained = map(add, map(shared_so_far, postings, repeat(0.0)), repeat(weight))
            shared.update(zip(postings, gained, strict=True))
        for story_id in self.merged_into.keys() & shared.keys():  # merged stories linger in posting lists
            del shared[story_id]
        return shared

    def _similarity(self, term_vector: dict[str, float], entity_vector: dict[str, float], story: StoryState) -> float:
        weight = self.settings.entity_weight
        if self.settings.linkage == "average":
            # The mean of the dot products with every member is the dot product with their sum over n.
            members = max(story.n_articles, 1)
            text = _dot(term_vector, story.terms) / members
            return (1 - weight) * text + weight * _dot(entity_vector, story.entities) / members
        text = _dot(term_vector, story.terms) / self._norm(story, "terms")
        if not entity_vector or not story.entities:
            return text
        return (1 - weight) * text + weight * _dot(entity_vector, story.entities) / self._norm(story, "entities")

    def _norm(self, story: StoryState, part: str) -> float:
        """A centroid's length, cached until the story next changes (scoring reads it far more often)."""
        key = (story.id, part)
        norm = self._norms.get(key)
        if norm is None:
            centroid = story.terms if part == "terms" else story.entities
            norm = math.sqrt(sum(value * value for value in centroid.values())) or 1.0
            self._norms[key] = norm
        return norm

    def _required(
        self, gap: int | None, article: LinkFeatures, story: StoryState, nearby_days: frozenset[date]
    ) -> float:
        """The similarity a join needs: what the dates call for, less when the article quotes words the
        story's members quoted (close in time, or undated), or its lead names a day theirs name, close in
        time (`nearby_days`: the article's days that few neighbouring stories name)."""
        required = self.settings.required_similarity(gap, story.n_articles)
        if lone_report_bar := self.settings.lone_report_bar(gap, story.n_articles):
            return max(required, lone_report_bar)
        if (gap is None or gap <= self.settings.near_days) and self._shares_a_quotation(article.quotes, story):
            return min(required, self.settings.quote_threshold)
        if gap is None or gap > self.settings.near_days:
            return required
        if self._shares_a_telling_day(article, story):
            return min(required, self.settings.event_day_threshold)
        if nearby_days & story.event_days:
            return min(required, self.settings.nearby_day_threshold)
        return required

    def _shares_a_quotation(self, quotes: frozenset[int], story: StoryState) -> bool:
        """Whether the article quotes ten words in a row that the story's members quoted (the same sentence
        of the same statement): evidence of the occurrence the story reports, with or without dates."""
        return _shared_quotes(quotes, story.quotes) >= self.settings.quote_runs

    def _days_few_neighbours_name(
        self, article: LinkFeatures, candidates: list[StoryState], neighbours: Mapping[str, float]
    ) -> frozenset[date]:
        """The days the article's lead names that a candidate story names too and that at most
        `nearby_day_stories` of its neighbouring stories name: evidence local to its subject, which a large
        stream, where every day is named by many leads on other subjects, still gives. Counted only when a
        candidate shares a day (bounded like the lookup: at most the posting lists' stories)."""
        shared = set().union(*(story.event_days & article.event_days for story in candidates))
        if not shared:
            return frozenset()
        naming = Counter(day for story_id in neighbours for day in self.stories.event_days_of(story_id) & shared)
        return frozenset(day for day in shared if naming[day] <= self.settings.nearby_day_stories)

    def _shares_a_telling_day(self, article: LinkFeatures, story: StoryState) -> bool:
        """Whether the article's lead names a day the leads of the story's members name, one that few of
        the articles linked so far name (in a busy stream every report names the same few days)."""
        counts, most = self.term_frequencies.counts, self.settings.event_day_reports
        return any(counts.get(_day_key(day), 0) <= most for day in article.event_days & story.event_days)

    def _undated_join_evidence(self, similarity: float, article: LinkFeatures, story: StoryState) -> bool:
        """Whether an undated article (or a story with an undated side) shows it reports the story's occurrence."""
        return self._undated_evidence(similarity, article.entities, story) and self._places_agree(
            similarity, article.lead_regions, article.quotes, story
        )

    def _places_agree(
        self,
        similarity: float,
        regions: Iterable[str],
        quotes: Iterable[int],
        story: StoryState,
    ) -> bool:
        """Whether an undated join's lead places leave it possible: false when it is under
        `place_conflict_below`, the two sides' leads name regions that lie apart, and no quotation is shared."""
        if similarity >= self.settings.place_conflict_below or not places_apart(regions, story.regions):
            return True
        return _shared_quotes(frozenset(quotes), story.quotes) >= self.settings.quote_runs

    def _fits(self, similarity: float, story: StoryState) -> bool:
        cohesion = story.cohesion
        return cohesion is None or similarity >= self.settings.cohesion_share * cohesion

    def _undated_evidence(self, similarity: float, names: Mapping[str, float | int], story: StoryState) -> bool:
        """Whether an undated article (or group) shows it reports the story's occurrence: near-verbatim
        similarity, or a name it shares with the story that is rare among the articles linked so far (the
        evidence of one particular occurrence that similarity of topic cannot give)."""
        if similarity >= self.settings.undated_certain_similarity:
            return True
        frequencies = self.entity_frequencies
        most = self.settings.rare_name_share * frequencies.n_documents
        return any(name in story.entities and frequencies.counts.get(name, 0) <= most for name in names)

    def _gap_days(self, published: date | None, story: StoryState) -> int | None:
        """Days between the article and the story's first date; None when either is undated. Measured
        from the first date, not the latest, so a story cannot creep forward article by article."""
        if published is None or story.first_seen is None:
            return None
        return abs((published - story.first_seen).days)

    def _open(self, article: LinkFeatures, story_id: str | None = None) -> StoryState:
        story = StoryState(
            id=story_id or story_id_for(article.article_id),
            title=article.title,
            first_seen=article.published,
            last_seen=article.published,
            n_articles=0,
        )
        self.stories[story.id] = story
        return story

    def _add(
        self,
        story: StoryState,
        article: LinkFeatures,
        term_vector: dict[str, float],
        entity_vector: dict[str, float],
        similarity: float | None,
    ) -> None:
        story.n_articles += 1
        self.crosslingual.remember(story.id, article)  # CROSS-LANGUAGE HOOK: members other languages may join
        self._norms.pop((story.id, "terms"), None)
        self._norms.pop((story.id, "entities"), None)
        _accumulate(story.terms, term_vector, self.settings.centroid_size)
        _accumulate(story.entities, entity_vector, self.settings.centroid_size)
        if similarity is not None:
            pairs = story.n_articles - 1 if self.settings.linkage == "average" else 1
            story.join_similarity_sum += similarity * pairs
            story.join_count += pairs
        _remember_quotes(story.quotes, article.quotes, self.settings.story_quotes)
        story.event_days.update(article.event_days)
        story.regions.update(article.lead_regions)
        if story.title is None:
            story.title = article.title
        if article.published is not None:
            story.first_seen = min(filter(None, (story.first_seen, article.published)))
            story.last_seen = max(filter(None, (story.last_seen, article.published)))
        self.changed.add(story.id)
        self._index_keys(story.id, [*term_vector, *("@" + name for name in entity_vector)])

    def _index_story(self, story: StoryState) -> None:
        self._index_keys(story.id, [*story.terms, *("@" + name for name in story.entities)])

    def _index_keys(self, story_id: str, keys: Iterable[str]) -> None:
        for key in keys:
            postings = self._index.setdefault(key, {})
            postings.pop(story_id, None)
            postings[story_id] = None
            if len(postings) > self.settings.posting_limit:
                del postings[next(iter(postings))]

    def _relation(self, article: LinkFeatures, story: StoryState, match: tuple[float, StoryState]) -> Recurrence | None:
        """How a new story relates to the most similar story it did not join: it `recurs` from a story far
        enough back in time, is `related` to a closer one it resembles, or neither."""
        similarity, other = match
        reference = other.last_seen or other.first_seen
        gap = (article.published - reference).days if article.published and reference else None
        if gap is not None and gap >= self.settings.recur_gap_days and similarity >= self.settings.later_threshold:
            relation = "recurs"
        elif similarity >= self.settings.related_threshold:
            relation = "related"
        else:
            return None
        # Strongest first, ties by name: a set's order changes with the hash seed, the database must not.
        shared = sorted(set(story.entities) & set(other.entities), key=lambda name: (-other.entities[name], name))
        return Recurrence(other.id, round(similarity, 4), gap or 0, tuple(shared[:5]), relation)


class UndatedGrouping(StoryClusterer):
    """The scratch clusterer `plan_undated` groups a batch's undated articles with. A join to a small group
    is judged on the joining article's own evidence, not the group's mean: it must be close to each
    member, or quote what they quoted. The mean over one or two members lets a weakly related article
    ride in on one close pair (docs/linking.md, eleventh round)."""

    def __init__(
        self, settings: StorySettings, term_frequencies: DocumentFrequencies, entity_frequencies: DocumentFrequencies
    ) -> None:
        super().__init__(settings, term_frequencies, entity_frequencies)
        self.members: dict[str, list[tuple[dict[str, float], dict[str, float]]]] = {}  # each group's members' vectors
        self._latest: tuple[dict[str, float], dict[str, float]] = ({}, {})  # the vectors of the article in hand

    def _count_and_weigh(self, article: LinkFeatures) -> tuple[dict[str, float], dict[str, float]]:
        self._latest = super()._count_and_weigh(article)
        return self._latest

    def _undated_join_evidence(self, similarity: float, article: LinkFeatures, story: StoryState) -> bool:
        if not self._places_agree(similarity, article.lead_regions, article.quotes, story):
            return False
        members = self.members.get(story.id, [])
        if not members or len(members) > self.settings.undated_member_group:
            return True
        least = min(article_similarity(self._latest, member, self.settings) for member in members)
        return least >= self.settings.undated_member_close or self._shares_a_quotation(article.quotes, story)

    def _add(
        self,
        story: StoryState,
        article: LinkFeatures,
        term_vector: dict[str, float],
        entity_vector: dict[str, float],
        similarity: float | None,
    ) -> None:
        super()._add(story, article, term_vector, entity_vector, similarity)
        self.members.setdefault(story.id, []).append((term_vector, entity_vector))

    def _merge(self, one: StoryState, other: StoryState, similarity: float) -> StoryState:
        kept = super()._merge(one, other, similarity)
        merged = other if kept is one else one
        self.members.setdefault(kept.id, []).extend(self.members.pop(merged.id, []))
        return kept


def article_vectors(
    article: LinkFeatures,
    term_frequencies: DocumentFrequencies,
    entity_frequencies: DocumentFrequencies,
    settings: StorySettings,
) -> tuple[dict[str, float], dict[str, float]]:
    """An article's two unit vectors as the clusterer sees it: its strongest content terms and its names,
    each weighted by rarity under the given counts."""
    term_vector = _unit(_strongest(_weights(article.terms, term_frequencies), settings.article_terms))
    return term_vector, _unit(_weights(article.entities, entity_frequencies))


def article_similarity(
    first: tuple[dict[str, float], dict[str, float]],
    second: tuple[dict[str, float], dict[str, float]],
    settings: StorySettings,
) -> float:
    """The clusterer's similarity between two articles' vectors (a story of one article scores the same)."""
    weight = settings.entity_weight
    return (1 - weight) * _dot(first[0], second[0]) + weight * _dot(first[1], second[1])


def _copy_frequencies(frequencies: DocumentFrequencies) -> DocumentFrequencies:
    return DocumentFrequencies(frequencies.n_documents, Counter(frequencies.counts), set(), frequencies.background)


def story_id_for(first_article_id: str) -> str:
    """Stories are named after the article that opened them, so a re-run from scratch names them alike."""
    return "st_" + first_article_id[:16]


def _day_key(day: date) -> str:
    """How a day a lead names is counted among the term frequencies (stored with them): no term holds ':'."""
    return f"day:{day.isoformat()}"


def _shared_quotes(quotes: frozenset[int], story_quotes: Mapping[int, None]) -> int:
    return sum(run in story_quotes for run in quotes)


def _remember_quotes(kept: dict[int, None], quotes: Iterable[int], limit: int) -> None:
    """Add quoted runs to a story's, dropping its oldest beyond `limit`."""
    for run in quotes:
        kept.pop(run, None)
        kept[run] = None
    while len(kept) > limit:
        del kept[next(iter(kept))]


def _seniority(story: StoryState) -> tuple[int, date]:
    """Which of two merging stories keeps its id: the larger, then the one with the earlier first date."""
    return -story.n_articles, story.first_seen or date.max


def _by_weight(item: tuple[str, float]) -> float:
    return item[1]


def _best(shared: dict[str, float], count: int) -> list[tuple[str, float]]:
    """The `count` stories sharing the most weight, ties by id. Only the weights are compared until the
    cut-off is known (the dict holds up to 2,000 stories, the answer 8)."""
    contenders: Iterable[tuple[str, float]] = shared.items()
    if len(shared) > count:
        cutoff = heapq.nlargest(count, shared.values())[-1]
        contenders = compress(shared.items(), map(cutoff.__le__, shared.values()))
    return sorted(contenders, key=_by_shared_weight)[:count]


def _by_shared_weight(item: tuple[str, float]) -> tuple[float, str]:
    """Most shared weight first, then by id, so that ties break the same way on every run."""
    return -item[1], item[0]


def _weights(counts: Mapping[str, int], frequencies: DocumentFrequencies) -> dict[str, float]:
    return {key: (1 + math.log(count)) * frequencies.idf(key) for key, count in counts.items() if count > 0}


def _strongest(vector: dict[str, float], limit: int) -> dict[str, float]:
    if len(vector) <= limit:
        return vector
    return dict(heapq.nlargest(limit, vector.items(), key=_by_weight))


def _unit(vector: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(value * value for value in vector.values()))
    return {key: value / norm for key, value in vector.items()} if norm else {}


def _dot(vector: Mapping[str, float], centroid: Mapping[str, float]) -> float:
    # The same products summed in the same order (vector's) as a generator would, but iterated in C: two
    # full centroids (up to 1,200 entries each) are compared this way whenever a growing story looks for a
    # neighbour to merge with.
    total: float = sum(map(mul, vector.values(), map(centroid.get, vector.keys(), repeat(0.0))))
    return total


def _summed_pair(
    vectors: Iterable[tuple[dict[str, float], dict[str, float]]],
) -> tuple[dict[str, float], dict[str, float]]:
    """The sums, untrimmed, of articles' term vectors and of their name vectors."""
    terms: dict[str, float] = {}
    names: dict[str, float] = {}
    for term_vector, entity_vector in vectors:
        for total, vector in ((terms, term_vector), (names, entity_vector)):
            for key, value in vector.items():
                total[key] = total.get(key, 0.0) + value
    return terms, names


def _accumulate(centroid: dict[str, float], vector: Mapping[str, float], limit: int) -> None:
    """Add a member's vector to a centroid, trimming it back to its strongest entries when it grows."""
    for key, value in vector.items():
        centroid[key] = centroid.get(key, 0.0) + value
    if len(centroid) > 2 * limit:
        kept = heapq.nlargest(limit, centroid.items(), key=_by_weight)
        centroid.clear()
        centroid.update(kept)
