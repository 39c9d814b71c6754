"""Who can speak: the words that tell a person's role, an organisation or a government apart from a
thing that cannot say anything ("the debate", "the 2012 campaign", "Liverpool").

A speaker is a person, an organisation or a group of people named by what they share (`Hill Democrats`,
`critics`: `speaker_kind`). A place speaks only as its government: a country, a capital
or seat of government used for it ("Washington", "the Kremlin"), or a state or province ("Texas"); a city
that is none of these does not. The word lists are written from general knowledge of English news usage.
"""

from __future__ import annotations

import re
from functools import cache

import pycountry

from newstrace.events.actors import actor_named
from newstrace.records import GROUP, ORGANISATION, PERSON

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
# Nouns of people who share a party, a creed, a view or a place, whose plural names a group (`Republicans`,
# `Hill Democrats`, `critics`, `voters`), besides the role nouns (`officials`, `lawmakers`).
MEMBER_NOUNS = frozenset(
    ["conservative", "liberal", "progressive", "moderate", "independent", "libertarian", "tory", "socialist",
     "communist", "populist", "nationalist", "evangelical", "christian", "muslim", "catholic", "voter",
     "critic", "expert", "supporter", "resident", "citizen", "protester", "protestor", "demonstrator",
     "worker", "member", "delegate", "superdelegate", "observer", "insider", "investor", "student", "parent",
     "teacher", "farmer", "immigrant", "elector", "ally", "backer", "loyalist", "defender", "skeptic",
     "sceptic", "opponent", "proponent", "advocate", "conservationist", "environmentalist", "economist"]
)  # fmt: skip
# Words for how many of a group (`Majorities of both parties say`, `Most say`): a count names nobody.
QUANTITY_WORDS = frozenset(
    ["majority", "majorities", "minority", "minorities", "most", "many", "some", "few", "several", "all", "both",
     "half", "plurality", "pluralities", "others", "none", "dozens", "hundreds", "thousands", "millions"]
)  # fmt: skip
_SUBDIVISION_TYPES = frozenset(["State", "Province", "Country"])
_ACRONYM = re.compile(r"^[A-Z][A-Z.&-]{1,7}$")


def is_role_noun(word: str) -> bool:
    """A noun that describes a person by role (`spokeswoman`, `senator`, `Sen.`), not a thing (`debate`)."""
    plain = word.lower().strip(".,;:'’\"“”")
    return plain in ROLE_NOUNS or TITLE_ABBREVIATIONS.get(plain, "") in ROLE_NOUNS


def singular(word: str) -> str:
    """`aides` -> `aide`, `allies` -> `ally`, `congressmen` -> `congressman`, `witnesses` -> `witness`:
    enough for the nouns of people; a word that is no plural comes back as it is."""
    for plural, single in (("ies", "y"), ("men", "man"), ("sses", "ss"), ("shes", "sh"), ("ches", "ch")):
        if word.endswith(plural) and len(word) > len(plural) + 1:
            return word[: -len(plural)] + single
    return word[:-1] if word.endswith("s") and not word.endswith(("ss", "us", "is")) else word


def is_form_of_name(words: list[str], name: list[str]) -> bool:
    """`words` name the person `name` names, in its words or more: words before it (`Former Senator Ana
    Ruiz`, `Ana Ruiz`) or, keeping its first and last words, a middle or maiden name between them (`Hillary
    Rodham Clinton`, `Hillary Clinton`). Initials are the caller's to drop."""
    if not name or len(words) < len(name):
        return False
    if words[-len(name) :] == name:
        return True
    if len(name) < 2 or words[0] != name[0] or words[-1] != name[-1]:
        return False
    rest = iter(words[1:-1])
    return all(word in rest for word in name[1:-1])  # the name's other words in order, among the longer's


def names_people_in_the_plural(word: str) -> bool:
    """A plural noun of people: a party's or a creed's members, a role, a demonym (`Republicans`,
    `officials`, `critics`, `Americans`); not a surname that ends in s (`Sanders`, `Williams`)."""
    plain = word.lower().strip(".,;:'’\"“”")
    single = singular(plain)
    if single == plain:
        return False
    if single in MEMBER_NOUNS or single in ROLE_NOUNS:
        return True
    actor = actor_named(single)
    return actor is not None and actor.kind == "country" and actor_named(plain) is not None  # `Americans`


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
DOCUMENT_WORDS = frozenset(["statement", "communique", "communiqué", "declaration", "report", "readout", "platform"])


def names_a_body(noun: str) -> bool:
    """Whether a (lower-case) noun names a body that can act: a council, a campaign, a group; not a
    document it issued (a statement, a report)."""
    return noun in _ORGANISATION_WORDS and noun not in DOCUMENT_WORDS


_ROMAN_NUMERAL = re.compile(r"^[IVX]+\.?$")


def _ends_in_an_acronym(words: list[str]) -> bool:
    """`Indiana GOP`, `Harbour NAACP`: a body's acronym after the words that place it (not `John Holm III`)."""
    last = words[-1]
    letters = sum(char.isalpha() for char in last)  # `J.`, an initial, is none
    return len(words) > 1 and letters > 1 and bool(_ACRONYM.match(last)) and not _ROMAN_NUMERAL.match(last)


def speaker_kind(name: str) -> str:
    """`person`, `organisation` or `group`, from the name alone: an acronym (`NATO`), a phrase ending in
    an organisation's word (`Obama administration`, `Washington Post`) or opening with one before `of`
    (`Department of Justice`, `Bank of Japan`), two names joined by a slash (`Times/CBS News`, a poll's) or a place
    that speaks as its government is an organisation; a name ending in a plural noun of people, or joining
    one to more by `and`, is a group (`Republicans`, `Hill Democrats`, `Senate officials`, `NATO members and
    Ukraine`); any other name a person's."""
    words = name.split()
    if not words:
        return PERSON
    last = words[-1].lower().strip(".,'’")
    if _ACRONYM.match(name) or last in _ORGANISATION_WORDS or _ends_in_an_acronym(words) or _named_of(words):
        return ORGANISATION
    if names_people_in_the_plural(last):
        return GROUP
    if words[0].lower() in ("joint", "the"):
        return ORGANISATION
    if _joins_a_group(words):
        return GROUP
    return ORGANISATION if government_place(name) else PERSON


def _named_of(words: list[str]) -> bool:
    """An organisation's word before the name's `of` (`University of Michigan`, `Association of Flight
    Attendants`; not `Lidia Varn of the Harbour Board`, a person of it), or a slash joining two names (`New
    York Times/CBS News`, the partners of a poll)."""
    if any("/" in word for word in words):
        return True
    lowered = [word.lower().strip(".,'’(") for word in words]
    if "of" not in lowered:
        return False
    return any(word in _ORGANISATION_WORDS for word in lowered[: lowered.index("of")])


def _joins_a_group(words: list[str]) -> bool:
    """A plural of people joined by `and` to more (`NATO members and Ukraine`, the signers of a statement)."""
    lowered = [word.lower() for word in words]
    return any(
        word == "and" and index > 0 and names_people_in_the_plural(lowered[index - 1])
        for index, word in enumerate(lowered)
    )
