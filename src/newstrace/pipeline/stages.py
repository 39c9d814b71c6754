"""The one registry of stages: what each reads, writes and depends on, and its version.

Every stage records what it has done in the store's `stage_runs` table, one row per article and stage:
the version it ran with and `done` (or `skipped: <why>`). An article is pending for a stage when it has
no row at the stage's current version; a row marked `stale` (an upstream stage redid that article) is
pending too. `pipeline.orchestrate` runs the pending stages in dependency order.

Three kinds of stage:
- `document`: runs in the workers on each article's parsed text (`nlp.stages`), during intake.
- `article`: runs on stored rows, one article at a time; an outdated article is redone on its own.
- `corpus`: builds state across articles (speakers, stories, utterances); its result depends on what
  came before, so an outdated row (a new version, or an article an upstream stage redid) makes it
  forget everything and run again over the whole corpus (the event grouping, redone story by story,
  forgets only at a new version: a stale article's story is grouped again).

A stage's version is its number, raised when its logic changes, joined with a digest of its settings or
lexicon where it has one (`1:<lexicon digest>`), so a new lexicon re-runs the stage like a new version.

What a stage marks stale downstream is what it changed: a redone article in general; for the speakers,
whose result on an article can change without the article being taken in, the articles whose quotes it
points at another speaker, or whose speaker's roles it changes (`stale_when_quotes_move`,
`stale_when_a_speaker_is_retold`), and after a whole resolution only the articles whose quotes' speaker
changed in any way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from graphlib import TopologicalSorter
from typing import Literal

from newstrace.events.grouping import GROUPING_VERSION
from newstrace.nlp.stages import DOC_STAGES
from newstrace.store.base import StageRecord, StageRuns

StageKind = Literal["document", "article", "corpus"]

# Raise a number when the stage's logic changes: the next `analyze` re-runs it and everything downstream.
# 2: the forms of one person's full name join across articles; aliases without stray spaces; 3: words before
# a name are its role only when they end in a title (not `advisers to Mr.`); 4: a role is a phrase set beside
# the name (an apposition, a parenthesis, `of` an affiliation, a title before it), not a second person or clause;
# 5: a role is no relative clause, link (`like Obama`), count (`Some`), list of other names or dateline, and a
# parenthesis after a name is its role alone (`I-Vt.`, not `I-Vt.), who lost ...`). 6: markup left in a text
# (an embedded post's `tweet_id="...">`) is no role. 7: a middle name joins a person's forms (`Hillary Rodham
# Clinton`); a group's qualifier (`Wyoming Republicans`, `Democrats of Wyoming`) is no role. 8: an organisation's
# word before `of` (`Department of Justice`) or a slash (`Times/CBS News`) types a speaker an organisation.
SPEAKERS_STAGE_NUMBER = 8
# 2: date-aware joins, undated groups, reuse as evidence, related links; 3: joins need 0.2 also within
# three days, copies far from their original's dates are placed apart; 4: a member of an undated group
# that joins no story may join a dated story alone, and a group may join a story as similar to it as
# the story's own members are to each other; 5: story merges, shared quotations, title and lead counted
# twice; 6: the members of an undated group drawn to one dated story are measured against those that stay;
# 7: a day few leads name, named by the article's lead and a story's, lowers the join within three days;
# 8: a day few of the neighbouring stories name lowers it too (to 0.18), however many leads name it.
# 9: a quotation (ten words in a row) a story's members quoted places undated articles too: it lowers an
# undated join to 0.12, and a member of an undated group that joins no story leaves for that dated story.
# 10: a dated join (or merge) more than a day after a story of one article needs 0.35 (not 0.2 or 0.25).
# 11: an undated article joining an undated group of one or two must be 0.22 similar to each member (or
# quote what they quoted), not only on average.
# 12: when every member of an undated group that joins no story is drawn to one dated story, a member
# 1.2 times as similar to it as to the rest of the group joins it (before, all stayed).
# 13: a story of four or more reports takes a dated article from 0.2 for its whole window (not 0.25
# after its first three days).
# 14: an undated join under 0.5 is barred when the dateline and locatives of the article's lead and of the
# story's members' leads put their occurrences in different countries or states (`link.regions`).
# 15: a country's own names ("U.S.", "United States", "America") count as one name (`link.regions.country_key`).
LINK_STAGE_NUMBER = 15
# 2: a quotation in another language joins as a translated rendering (cross-language trails); 3: an
# utterance counts its renderings and outlets as its trail shows them (a `same_passage` repeat not again);
# 4: a short quote whose words several statements of its speaker hold (a campaign's stock phrase) joins none;
# 5: the same grouping, but each utterance's content keys are stored (`utterance_keys`) and a run reads only
# the utterances its new quotes may join: a database grouped before has none, so it is grouped again.
# 6: grouping that does not depend on the order quotes arrive in: a run groups again, in date order, the
# stored utterances its quotes may meet with a later rendering, and those of a quote moved to another
# speaker; of equal matches the latest opened wins (not the latest in a candidate list). 7: an utterance id
# holds its opening date (`u_<date>_<quote id>`), so a candidate list is the latest opened before a quote in
# one run as in the store's ranged reads; a quote is compared with every utterance its speaker opened in the
# 60 days before it (up to 1,000), not only the latest 200: a speaker quoted daily kept its older statements.
TRAILS_STAGE_NUMBER = 7
FRAMING_STAGE_NUMBER = 1


@dataclass(frozen=True)
class Stage:
    """One stage's declaration: its name, version number, the tables it reads and writes, the stages
    whose results it reads (`after`), and its kind (see the module's docstring).

    `writes` names a table whose rows the stage inserts or deletes, and `table.column` a column it only
    updates in another stage's table (linking sets each article's `story_id`); `reads` names the other
    tables it reads (`stage_runs`, whose rows of its own every stage reads and writes, is left out). Both
    are what the stage does, checked against the statements it runs (`tests/unit/test_stage_model.py`),
    so that stages run at once can be shown to leave each other's columns alone (`pipeline.orchestrate`)."""

    name: str
    number: int
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    after: tuple[str, ...]
    kind: StageKind

    def version(self, digest: str = "") -> str:
        """The version recorded in `stage_runs`: the number, and the settings' digest when there is one."""
        return f"{self.number}:{digest}" if digest else str(self.number)


_DOCUMENT_STAGES = tuple(Stage(doc.name, doc.version, ("articles",), doc.tables, (), "document") for doc in DOC_STAGES)
STAGES: tuple[Stage, ...] = (
    *_DOCUMENT_STAGES,
    # Reads the utterances and renderings the trails stage wrote, to point those of a quote it moves at
    # the quote's new speaker in the same write (`stale_when_quotes_move`).
    Stage(
        "speakers",
        SPEAKERS_STAGE_NUMBER,
        ("articles", "quotes", "speaker_corrections", "renderings", "utterances"),
        (
            "speakers",
            "speaker_names",
            "quotes.speaker_id",
            "utterances.speaker",
            "utterances.speaker_id",
            "utterance_speakers",
        ),
        ("quotes",),
        "corpus",
    ),
    Stage(
        "link",
        LINK_STAGE_NUMBER,
        ("articles", "entities"),
        (
            "stories",
            "story_links",
            "reuse",
            "translations",
            "article_signatures",
            "article_bands",
            "article_leads",
            "link_frequencies",
            "articles.story_id",
            "articles.duplicate_of",
            "articles.duplicate_reason",
        ),
        ("nlp",),
        "corpus",
    ),
    Stage(
        "trails",
        TRAILS_STAGE_NUMBER,
        ("articles", "quotes", "speakers"),
        ("utterances", "renderings", "utterance_keys", "utterance_speakers"),
        ("quotes", "speakers", "link"),
        "corpus",
    ),
    # Corpus-wide in what it reads, but redone story by story: only the stories of its pending articles (and
    # those with a new, moved or re-attributed mention) are grouped again; a new version groups all again.
    # It reads each article's story (`articles.story_id`), not the `stories` table.
    Stage(
        "event_groups",
        GROUPING_VERSION,
        ("articles", "event_mentions", "quotes", "speakers"),
        (
            "events",
            *(
                f"event_mentions.{column}"
                for column in (
                    "event_id",
                    "date",
                    "quote_id",
                    "speaker_id",
                    "speaker_is_source",
                    "source_name",
                    "source_kind",
                    "source_code",
                    "source_sector",
                )
            ),
        ),
        ("events", "link", "speakers"),
        "corpus",
    ),
    Stage(
        "framing",
        FRAMING_STAGE_NUMBER,
        ("articles", "quotes", "speakers"),
        ("framing_markers",),
        ("quotes", "speakers"),
        "article",
    ),
)
_BY_NAME = {stage.name: stage for stage in STAGES}


def stage(name: str) -> Stage:
    """The declaration of the stage called `name`."""
    return _BY_NAME[name]


@cache
def in_order() -> tuple[Stage, ...]:
    """Every stage, each after the stages it depends on (ties in registry order)."""
    sorter = TopologicalSorter({declared.name: declared.after for declared in STAGES})
    sorter.prepare()
    ordered: list[Stage] = []
    while sorter.is_active():
        ready = set(sorter.get_ready())
        batch = [declared for declared in STAGES if declared.name in ready]
        ordered += batch
        sorter.done(*(declared.name for declared in batch))
    return tuple(ordered)


def document_versions() -> dict[str, str]:
    """The current version of every document stage, to compare with what the store has done."""
    return {declared.name: stage(declared.name).version() for declared in STAGES if declared.kind == "document"}


@cache
def downstream(name: str) -> tuple[str, ...]:
    """Every stage that depends on `name`, directly or through others, in dependency order."""
    found = {name}
    for declared in in_order():
        if found.intersection(declared.after):
            found.add(declared.name)
    return tuple(declared.name for declared in in_order() if declared.name in found - {name})


# Stages downstream of `speakers` that follow a quote it points at another speaker without being told: the
# event grouping groups again a story with a mention in a quote whose speaker changed. (The trails are told:
# a stale article's utterances are grouped again, since the grouping was made with the quote's old speaker.)
_FOLLOW_MOVED_QUOTES = frozenset({"event_groups"})


@cache
def stale_when_quotes_move() -> tuple[str, ...]:
    """The stages the speakers stage marks stale on an article it does not take in but whose quotes it
    points at another speaker (a name resolved again to another speaker, or a user's correction): those
    downstream of it that read a quote's speaker and do not follow the move otherwise (framing names the
    speaker of each reporting verb; the trails grouped the quote with its old speaker)."""
    return tuple(name for name in downstream("speakers") if name not in _FOLLOW_MOVED_QUOTES)


# Stages downstream of `speakers` that read more of a speaker than who it is: the event grouping takes the
# actor of a statement inside a quote from its speaker's roles.
_READ_SPEAKERS_ROLES = frozenset({"event_groups"})


@cache
def stale_when_a_speaker_is_retold() -> tuple[str, ...]:
    """The stages the speakers stage marks stale on an article it does not take in but which quotes a
    speaker whose roles, aliases or kind it changes (a later article gives the speaker a role)."""
    return tuple(name for name in downstream("speakers") if name in _READ_SPEAKERS_ROLES)


def record(name: str, digest: str = "") -> StageRecord:
    """What a write of stage `name` records: its current version and the stages it makes stale."""
    return StageRecord(name, stage(name).version(digest), downstream(name))


def settings_digest(settings: object) -> str:
    """A short digest of a settings record (a dataclass of numbers), to join to a stage's version."""
    return hashlib.sha256(repr(settings).encode()).hexdigest()[:12]


def pending_or_reset(
    store: StageRuns, done: StageRecord, reset: Callable[[], None], counting_stale: bool = True
) -> list[str]:
    """The articles a corpus stage has to take in. When its runs are outdated (another version, or, with
    `counting_stale`, an upstream stage redid an article), `reset` makes it forget what it built, and every
    article is pending; a stage that takes in a stale article on its own passes `counting_stale=False`."""
    if store.stage_outdated(done.stage, done.version, counting_stale):
        reset()
    return store.pending_articles(done.stage, done.version)
