"""Who can speak: the words that tell a person's role, an organisation or a government apart from a
thing that cannot say anything ("the debate", "the 2012 campaign", "Liverpool").

A speaker is a person or an organisation. A place speaks only as its government: a country, a capital
or seat of government used for it ("Washington", "the Kremlin"), or a state or province ("Texas"); a city
that is none of these does not. The word lists are written from general knowledge of English news usage.
"""

from __future__ import annotations

import re
from functools import cache

import pycountry

from newstrace.events.actors import actor_named
from newstrace.records import ORGANISATION, PERSON

# Nouns that describe a person by role: `the senator`, `Grayson's spokeswoman`, `the former president`.
ROLE_NOUNS = frozenset(
    ["spokesman", "spokeswoman", "spokesperson", "aide", "adviser", "advisor", "senator", "president",
     "secretary", "minister", "governor", "mayor", "chief", "leader", "candidate", "congressman",
     "congresswoman", "representative", "lawmaker", "legislator", "official", "director", "chairman",
     "chairwoman", "chair", "ambassador", "general", "commander", "nominee", "strategist", "manager",
     "attorney", "lawyer", "judge", "justice", "prosecutor", "professor", "economist", "analyst", "founder",
     "executive", "ceo", "chancellor", "premier", "king", "queen", "prince", "pope", "diplomat", "envoy",
     "husband", "wife", "son", "daughter", "father", "mother", "brother", "sister", "friend", "colleague",
     "rival", "opponent", "challenger", "incumbent", "host", "moderator", "anchor", "reporter",
     "correspondent", "columnist", "author", "writer", "historian", "scientist", "doctor", "officer",
     "captain", "sergeant", "lieutenant", "colonel", "major", "admiral", "pastor", "priest", "rabbi",
     "bishop", "activist", "organizer", "staffer", "surrogate", "billionaire", "businessman",
     "businesswoman", "frontrunner", "front-runner", "speaker", "politician", "democrat", "republican",
     "commissioner", "administrator", "superintendent", "inspector", "detective", "sheriff", "coach",
     "player", "star", "actor", "actress", "singer", "veteran", "consultant", "pollster", "donor",
     "fundraiser", "chairperson", "treasurer", "deputy", "head", "vice-president"]
)  # fmt: skip
# Abbreviated titles before a name, spelt out: `Sen. Bernie Sanders` is `the senator`.
TITLE_ABBREVIATIONS = {
    "sen": "senator", "gov": "governor", "rep": "representative", "gen": "general", "capt": "captain",
    "lt": "lieutenant", "col": "colonel", "sgt": "sergeant", "pres": "president", "sec": "secretary",
    "amb": "ambassador", "adm": "admiral", "maj": "major", "cmdr": "commander", "supt": "superintendent",
    "insp": "inspector", "prof": "professor", "dr": "doctor", "mr": "mr", "mrs": "mrs", "ms": "ms",
    "lt. gov": "governor", "det": "detective", "sgt. maj": "sergeant",
}  # fmt: skip
# A person's name followed by one of these names an organisation: `the Obama administration`.
BODY_NOUNS = frozenset(["administration", "campaign", "camp", "government", "team", "foundation", "organization"])
# Nouns whose phrase names an organisation, or a document an organisation issued.
_ORGANISATION_WORDS = frozenset(
    ["statement", "communique", "communiqué", "declaration", "ministry", "department", "report", "readout",
     "office", "embassy", "government", "administration", "campaign", "committee", "council", "platform",
     "party", "pac", "post", "times", "news", "press", "journal", "association", "union", "institute",
     "university", "company", "corporation", "inc", "group", "agency", "court", "house", "kremlin",
     "pentagon", "fund", "foundation", "coalition", "network", "board", "bank", "club", "league", "alliance",
     "organization", "organisation", "center", "centre", "service", "forces", "army", "navy", "police",
     "commission", "bureau", "senate", "congress", "parliament", "assembly", "team", "camp", "caucus",
     "movement", "federation", "authority", "agency", "staff", "force", "guard", "command", "tribunal", "ltd",
     "llc", "plc", "corp", "co"]
)  # fmt: skip
_SUBDIVISION_TYPES = frozenset(["State", "Province", "Country"])
_ACRONYM = re.compile(r"^[A-Z][A-Z.&-]{1,7}$")


def is_role_noun(word: str) -> bool:
    """A noun that describes a person by role (`spokeswoman`, `senator`, `Sen.`), not a thing (`debate`)."""
    plain = word.lower().strip(".,;:'’\"“”")
    return plain in ROLE_NOUNS or TITLE_ABBREVIATIONS.get(plain, "") in ROLE_NOUNS


def government_place(name: str) -> bool:
    """A place that speaks as its government: a country or a seat of government named for it (from the
    event actors' table), or a state or province (pycountry's subdivisions of those types)."""
    actor = actor_named(name)
    return (actor is not None and actor.kind == "country") or name.lower() in _subdivisions()


@cache
def _subdivisions() -> frozenset[str]:
    return frozenset(
        subdivision.name.lower() for subdivision in pycountry.subdivisions if subdivision.type in _SUBDIVISION_TYPES
    )


# The organisation words that name a document a body issued, not the body itself.
_DOCUMENT_WORDS = frozenset(["statement", "communique", "communiqué", "declaration", "report", "readout", "platform"])


def names_a_body(noun: str) -> bool:
    """Whether a (lower-case) noun names a body that can act: a council, a campaign, a group; not a
    document it issued (a statement, a report)."""
    return noun in _ORGANISATION_WORDS and noun not in _DOCUMENT_WORDS


def speaker_kind(name: str) -> str:
    """`person` or `organisation`, from the name alone: an acronym (`NATO`), a phrase ending in an
    organisation's word (`Joint statement ...`, `Obama administration`, `Washington Post`) or a place
    that speaks as its government is an organisation; any other name a person's."""
    words = name.split()
    if not words:
        return PERSON
    last = words[-1].lower().strip(".,'’")
    if _ACRONYM.match(name) or last in _ORGANISATION_WORDS or words[0].lower() in ("joint", "the"):
        return ORGANISATION
    return ORGANISATION if government_place(name) else PERSON
