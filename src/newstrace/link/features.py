"""What the linking stages look at in an article: content terms, named entities, word shingles and a date.

Everything here works on the stored text and the entities the NLP stage already found, without
spaCy, so linking can be re-run cheaply and a benchmark can link 100,000 articles in minutes.
Terms are lower-cased words minus a short stop list, with plural endings folded ("quakes" ->
"quake"); entities are normalised so "the Kremlin" and "Kremlin's" meet.
"""

from __future__ import annotations

import re
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

from newstrace.link.regions import country_key, text_places

# Function words and the commonest news verbs: they say nothing about which event a text reports.
_STOP_WORD_TEXT = """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing done down during each either else ever every
    few for from further had has have having he her here hers herself him himself his how however i if
    in into is it its itself just last least less like made make many may me might more most much must
    my myself near neither new next no nor not now of off on once one only or other others our ours
    ourselves out over own per put said same say saying says she should since so some still such than
    that the their theirs them themselves then there these they this those though three through thus to
    told too two under until up upon us very via was we were what when where whether which while who
    whom whose why will with within without would yet you your yours yourself mr mrs ms http https www
    com html htm
"""
STOP_WORDS = frozenset(_STOP_WORD_TEXT.split())

# Entity labels that name a participant, place or thing; dates and amounts are left to the terms.
NAMING_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"})

_WORD = re.compile(r"\w+(?:[.'’-]\w+)*")
# A passage between double quotes (straight or curly) on one line, long enough to hold a run of words.
_QUOTED = re.compile(r'["“”„]([^"“”„\n]{20,2000})["“”„]')
QUOTED_RUN_WORDS = 8
LEAD_CHARACTERS = 300  # the lead whose words `story_terms` counts twice
_TERM = re.compile(r"[^\W\d_][\w'’-]*[^\W_]|\d+(?:[.,]\d+)*")
_LEADING_ARTICLE = re.compile(r"^(?:the|a|an)\s+")
_POSSESSIVE = re.compile(r"['’]s$")


class Word(NamedTuple):
    """One word of an article's text with its character offsets, as shingles and alignments see it."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class LinkFeatures:
    """The part of an article the linkers need, small enough to keep for every stored article."""

    article_id: str
    title: str | None
    outlet: str | None
    published: date | None
    terms: dict[str, int]
    entities: dict[str, int]
    quotes: frozenset[int] = frozenset()  # `quoted_runs` of the text: the words it quotes
    language: str | None = None  # ISO 639-1, when detected: cross-language linking compares only across languages
    lead: str = ""  # the title and first paragraph, for the cross-language embedding (link/crosslingual.py)
    event_days: frozenset[date] = frozenset()  # `lead_event_days`: the days its lead says things happened
    lead_regions: frozenset[str] = frozenset()  # `lead_regions`: where its title and lead say it happened


def words(text: str) -> list[Word]:
    """The article's words, lower-cased, with offsets into the original text."""
    lowered = _lowered_in_place(text)
    if lowered is None:
        return [Word(match.group().lower(), match.start(), match.end()) for match in _WORD.finditer(text)]
    return [Word(match.group(), match.start(), match.end()) for match in _WORD.finditer(lowered)]


def word_texts(text: str) -> list[str]:
    """The words of `words(text)` without their offsets, read in one pass in C (linking reads every
    article's words; it needs offsets only for the few texts that share a passage)."""
    lowered = _lowered_in_place(text)
    if lowered is None:
        return [word.text for word in words(text)]
    return _WORD.findall(lowered)


def word_offsets(text: str) -> tuple[array[int], array[int]]:
    """Where each word of `words(text)` starts and ends, as two compact arrays."""
    lowered = _lowered_in_place(text)
    if lowered is None:
        found = words(text)
        return array("I", [word.start for word in found]), array("I", [word.end for word in found])
    starts, ends = array("I"), array("I")
    position = 0
    for token in _WORD.findall(lowered):
        # Between two words there is no word character, so the next occurrence is the word itself.
        position = lowered.find(token, position)
        starts.append(position)
        position += len(token)
        ends.append(position)
    return starts, ends


def _lowered_in_place(text: str) -> str | None:
    """`text` lower-cased when that keeps every character at its offset (true of the scripts news is
    written in); None when it does not (`İ` becomes two characters), so offsets must come from `text`."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else None


@lru_cache(maxsize=65536)  # news repeats its words: most were folded a moment ago
def fold_term(word: str) -> str:
    """A crude but predictable stem: drop a possessive and fold regular plurals."""
    word = _POSSESSIVE.sub("", word)
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def content_terms(text: str) -> Counter[str]:
    """Counts of the text's content words (stop words and words of one or two letters left out)."""
    tokens = _TERM.findall(text.lower())
    return Counter(map(fold_term, [token for token in tokens if len(token) > 2 and token not in STOP_WORDS]))


def story_terms(title: str | None, text: str) -> Counter[str]:
    """The content terms stories compare: the text's, and each term of the title and the lead once more
    (what a report is about is said first; ECB+ and PolNeAR both gained from it, docs/linking.md)."""
    first_said = content_terms(f"{title or ''} {text[:LEAD_CHARACTERS]}")
    return content_terms(text) + Counter(dict.fromkeys(first_said, 1))  # in the text's order, not a set's


_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Words that name a day relative to the publication date, and how many days back it is.
_DAYS_BACK = {"today": 0, "tonight": 0, "yesterday": 1, "last night": 1}
_EVENT_DAY = re.compile(r"\b(" + "|".join((*_WEEKDAYS, *_DAYS_BACK)) + r")\b")


def lead_event_days(title: str | None, text: str, published: date | None) -> frozenset[date]:
    """The days on which the title and lead say the reported event happened ("died Thursday",
    "said yesterday", "tonight"), resolved against the publication date: a weekday is the latest such day on or
    before it. Two reports of one event name the same day; reports of another event of its kind seldom
    do. Empty for an undated article (a weekday alone names no day)."""
    if published is None:
        return frozenset()
    days = set()
    for word in _EVENT_DAY.findall(f"{title or ''} {text[:LEAD_CHARACTERS]}".lower()):
        back = _DAYS_BACK.get(word)
        if back is None:
            back = (published.weekday() - _WEEKDAYS.index(word)) % 7
        days.add(published - timedelta(days=back))
    return frozenset(days)


# Entity labels of places: where a report's lead says it happened.
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


def lead_regions(title: str | None, text: str, entities: Iterable[tuple[str, str]]) -> frozenset[str]:
    """The countries and states or provinces (`link.regions`) of the places where the title and lead say
    the reported occurrence happened: the dateline ("BERLIN —", "KALAMAZOO, Mich. –") and places after
    "in", "at", "near", "outside" or "inside" ("ICE arrests 145 in South and Central Texas"). A place
    named otherwise is more often a party's or a reach's ("Australia's Hugh Jackman", "a U.S. actors
    strike") than the scene. Two reports of one occurrence seldom put it in different countries or
    states; reports of two occurrences of one kind (an agency's operations in two states, one alliance's
    statements in two capitals) do. A place the gazetteer does not know (a city, a county) adds nothing."""
    title_lower, text_lower = (title or "").lower(), text[:LEAD_CHARACTERS].lower()
    return text_places(
        name
        for label, name in entities
        if label in PLACE_LABELS and _names_the_scene(name.lower(), title_lower, text_lower)
    )


# "in Texas", "at the Capitol", "in South and Central Texas", "in Egypt and Tunisia"
_LOCATIVE = r"\b(?:in|at|near|outside|inside)\s+(?:the\s+)?(?:[\w.'’-]+\s+and\s+)?"


def _names_the_scene(name: str, title: str, text: str) -> bool:
    """Whether a (lower-cased) place is named as where something happened: after a locative word in the
    title, or in a dateline (the first words of a line of the lead, before a comma, a dash or a bracket: the
    text may open with its title) or after a locative word there."""
    escaped = re.escape(name)
    if re.search(rf"{_LOCATIVE}{escaped}(?!\w)", title):
        return True
    if re.search(rf"(?m)^\W*(?:[^\n,.]{{1,40}},\s*)?{escaped}\s*[,(—–-]", text):
        return True
    return re.search(rf"{_LOCATIVE}{escaped}(?!\w)", text) is not None


def entity_key(text: str) -> str:
    """The form of an entity name used for matching: lower case, no leading article or possessive."""
    key = " ".join(text.lower().split())
    key = _LEADING_ARTICLE.sub("", key)
    return _POSSESSIVE.sub("", key).strip(" .,;:'\"“”‘’")


def entity_counts(entities: Iterable[tuple[str, str]]) -> Counter[str]:
    """Counts of the normalised names among (label, text) entity pairs, each thing under one key: a
    country's own names count as one name ("U.S.", "US", "United States" and "America":
    `link.regions.country_key`), so that shared and rare names count the country, not its spellings."""
    counts: Counter[str] = Counter()
    for label, text in entities:
        if label in NAMING_LABELS:
            key = entity_key(text)
            if label in COUNTRY_NAME_LABELS:
                key = country_key(key) or key
            if key:
                counts[key] += 1
    return counts


# Labels under which spaCy tags a country's own name ("U.S." is GPE, at times ORG or NORP).
COUNTRY_NAME_LABELS = frozenset({"GPE", "LOC", "ORG", "NORP"})


def quoted_runs(text: str, size: int = QUOTED_RUN_WORDS) -> frozenset[int]:
    """Every run of `size` words inside the text's quotations, as stable hashes. Two reports that quote
    the same sentence share these: evidence that they report the same statement, which shared topic words
    cannot give."""
    runs = set()
    for quotation in _QUOTED.findall(text):
        found = _WORD.findall(quotation.lower())
        for start in range(len(found) - size + 1):
            runs.add(zlib.crc32(" ".join(found[start : start + size]).encode("utf-8")))
    return frozenset(runs)


def shingles(tokens: list[str], size: int) -> Iterator[bytes]:
    """Overlapping runs of `size` words, encoded for hashing; a short text gives one shingle of all its words."""
    if len(tokens) < size:
        if tokens:
            yield " ".join(tokens).encode("utf-8")
        return
    for index in range(len(tokens) - size + 1):
        yield " ".join(tokens[index : index + size]).encode("utf-8")


def parse_date(value: str | None) -> date | None:
    """The stored ISO date as a `date`, or None when it is missing or malformed."""
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None
