"""Where a named place lies, as far as a light gazetteer can tell: its country and, for a state or province,
its first-level subdivision.

Countries come from pycountry and from the everyday names, capitals and seats of government of the event
actors' table (`events/actors.py`: "Kremlin" and "Moscow" are Russia, "Washington" the United States);
states and provinces from pycountry's first-level subdivisions ("California" is US-CA, "Ontario" CA-ON).
A city, county or landmark that is neither ("Malibu", "Fulton County", "Mount Cook") has no region: it
says nothing here, so two places at two levels of one place never look apart. A name with several
readings ("Georgia": the country or the US state; "Punjab": India's or Pakistan's) keeps them all, and
two places look apart only when no reading of one can hold a reading of the other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache, lru_cache

import pycountry

from newstrace.events.actors import country_names

# Subdivision kinds large enough to tell two occurrences apart; municipalities, parishes and the like share
# their names with towns elsewhere too often ("Lima", "Central"), and so do the districts of small countries
# ("Bel Air", "Berea"): of the districts, only the District of Columbia (`_DISTRICTS_KEPT`) is read.
_SUBDIVISION_KINDS = frozenset(
    {
        "state",
        "province",
        "land",
        "autonomous community",
        "autonomous region",
        "autonomous republic",
        "autonomous province",
        "country",
        "nation",
        "federal district",
        "territory",
        "outlying area",
        "oblast",
        "republic",
        "federal territory",
        "capital territory",
    }
)
# Names made of compass words or generic terms ("West", "Northern", "Central") are not places by themselves;
# before a known name they name a part of it ("Western Michigan", "South and Central Texas").
_COMPASS = (
    r"(?:north|south|east|west|central|northern|southern|eastern|western|upper|lower"
    r"|northeast|northwest|southeast|southwest)"
)
_GENERIC = re.compile(rf"^(?:{_COMPASS}\s*)+$")
_DISTRICTS_KEPT = frozenset({"US-DC"})
# Subdivisions whose name is also a common noun or a word of other names ("the Gulf" is rarely Papua New
# Guinea's Gulf Province, "Unity" South Sudan's state, "Van" Turkey's province).
_COMMON_WORDS = frozenset({"gulf", "unity", "van", "acre", "ruse", "para", "chin", "cascade", "capital", "coast"})
_PART_OF = re.compile(rf"^(?:{_COMPASS}(?:\s+and\s+|\s*-\s*|\s+))+")
# The abbreviations of US states that news datelines use ("KALAMAZOO, Mich.", "SPRINGFIELD, Mo."), AP style.
_STATE_ABBREVIATIONS = {
    "ala.": "AL", "ariz.": "AZ", "ark.": "AR", "calif.": "CA", "colo.": "CO", "conn.": "CT", "del.": "DE",
    "d.c.": "DC", "fla.": "FL", "ga.": "GA", "ill.": "IL", "ind.": "IN", "kan.": "KS", "ky.": "KY", "la.": "LA",
    "md.": "MD", "mass.": "MA", "mich.": "MI", "minn.": "MN", "miss.": "MS", "mo.": "MO", "mont.": "MT",
    "neb.": "NE", "nev.": "NV", "n.h.": "NH", "n.j.": "NJ", "n.m.": "NM", "n.y.": "NY", "n.c.": "NC",
    "n.d.": "ND", "okla.": "OK", "ore.": "OR", "pa.": "PA", "r.i.": "RI", "s.c.": "SC", "s.d.": "SD",
    "tenn.": "TN", "vt.": "VT", "va.": "VA", "wash.": "WA", "w.va.": "WV", "wis.": "WI", "wyo.": "WY",
}  # fmt: skip
_BRACKETED = re.compile(r"\s*\[.*?\]|\s*\(.*?\)")


def _normal(name: str) -> str:
    key = " ".join(name.lower().split()).strip(" ,;:'\"“”‘’")
    key = re.sub(r"['’]s?$", "", key)  # "Illinois’ Cook County"
    return re.sub(r"^the\s+", "", key)


@cache
def _regions_by_name() -> dict[str, frozenset[str]]:
    """Every country and state or province name, lower-cased, with the regions it can mean: a country's
    alpha-3 code ("USA") or a subdivision's code under it ("USA/US-CA")."""
    table: dict[str, set[str]] = {}
    for name, code in country_names().items():
        table.setdefault(_normal(name), set()).add(code)
    for subdivision in pycountry.subdivisions:
        if subdivision.parent_code is not None:
            continue
        if subdivision.type.lower() not in _SUBDIVISION_KINDS and subdivision.code not in _DISTRICTS_KEPT:
            continue
        country = pycountry.countries.get(alpha_2=subdivision.country_code)
        if country is None:
            continue
        name = _normal(_BRACKETED.sub("", subdivision.name))
        if not name or _GENERIC.match(name) or name in _COMMON_WORDS:
            continue
        table.setdefault(name, set()).add(f"{country.alpha_3}/{subdivision.code}")
    for abbreviation, state in _STATE_ABBREVIATIONS.items():
        table.setdefault(abbreviation, set()).add(f"USA/US-{state}")
    return {name: frozenset(_narrowest(name, codes)) for name, codes in table.items()}


def _narrowest(name: str, codes: set[str]) -> set[str]:
    """A city or nation named as a country's (a capital, "New York", "England") that is also a state or
    province of that country reads as that state alone: "NEW YORK —" is in New York state, not anywhere
    in the United States. A country's own name ("Belize", also a district) keeps its country reading, and
    so does "Washington", which names the federal government (and the capital in a story told elsewhere:
    "the Watergate source in Washington") far more often than the state."""
    if name in _SEATS_OF_GOVERNMENT:
        return codes
    states_of = {code.partition("/")[0] for code in codes if "/" in code}
    return {code for code in codes if "/" in code or code not in states_of or _is_country_name(name, code)}


_SEATS_OF_GOVERNMENT = frozenset({"washington"})


def _is_country_name(name: str, code: str) -> bool:
    country = pycountry.countries.get(alpha_3=code)
    names = {getattr(country, attribute, None) for attribute in ("name", "common_name", "official_name")}
    return country is not None and name in {_normal(found) for found in names if found}


def place_regions(name: str) -> frozenset[str]:
    """The regions a place name can mean (empty when the gazetteer does not know it)."""
    table, key = _regions_by_name(), _normal(name)
    if key in table:
        return table[key]
    return table.get(_PART_OF.sub("", key).rstrip("."), frozenset())


def text_places(names: Iterable[str]) -> frozenset[str]:
    """The places among the names one text gives (each place as its readings joined by "|", e.g.
    "GEO|USA/US-GA"), with a place that only names a country dropped when another place of the text names
    a state of that country: "U.S. Immigration and Customs Enforcement arrested 22 in Illinois" happened in
    Illinois, not anywhere in the United States."""
    places = {readings for name in names if (readings := place_regions(name))}
    states = {region.partition("/")[0] for readings in places for region in readings if "/" in region}
    return frozenset(
        "|".join(sorted(readings))
        for readings in places
        if not all("/" not in region and region in states for region in readings)
    )


def _fits(one: str, other: str) -> bool:
    """Whether one region can hold the other or lie in it: the same country, and the same subdivision when
    both name one."""
    one_country, _, one_part = one.partition("/")
    other_country, _, other_part = other.partition("/")
    return one_country == other_country and (not one_part or not other_part or one_part == other_part)


def places_apart(ones: Iterable[str], others: Iterable[str]) -> bool:
    """Whether two sets of places (`text_places`, or their union over a story's members) are known and
    cannot meet: no reading of a place of one fits a reading of a place of the other (different countries,
    or different states of one country). False when either set is empty."""
    ones, others = set(ones), set(others)
    if not ones or not others or not ones.isdisjoint(others):
        return False
    one_regions = {region for place in ones for region in place.split("|")}
    other_regions = {region for place in others for region in place.split("|")}
    return not any(_fits(one, other) for one in one_regions for other in other_regions)


@lru_cache(maxsize=1 << 16)
def country_key(name: str) -> str | None:
    """The one key of a country named by one of its own names, so that "U.S.", "US", "United States" and
    "America" count as one name: pycountry's name, common or official name ("Iran", "State of Israel"), a
    run of words of its official name ("America", "Great Britain"), its initials ("U.S.", "UK") or the name
    its adjective comes from ("Russia" of "Russian Federation", "Syria" of "Syrian Arab Republic"). None for
    any other name: a demonym, a capital, a city or a seat of government ("American", "Moscow", "Chicago",
    "the Kremlin") names something of its own, and a name with two readings ("Georgia") is left alone."""
    key = _normal(name)
    readings = place_regions(key) or place_regions(f"{key}.")
    if len(readings) != 1:
        return None
    (code,) = readings
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return None
    if key in _country_forms(code) or _INITIALS.fullmatch(key):
        return _normal(country.name)
    return None


_INITIALS = re.compile(r"[a-z]{2,3}|(?:[a-z]\.){1,2}[a-z]\.?")


@cache
def _country_forms(code: str) -> frozenset[str]:
    """The names `country_key` reads as the country `code` itself (see there)."""
    country = pycountry.countries.get(alpha_3=code)
    names = [_normal(found) for attribute in _COUNTRY_NAME_ATTRIBUTES if (found := getattr(country, attribute, None))]
    forms = set(names)
    official = getattr(country, "official_name", None)
    if official:
        words = re.findall(r"\w+", official.lower())
        runs = (" ".join(words[start:end]) for start in range(len(words)) for end in range(start + 1, len(words) + 1))
        forms.update(run for run in runs if " " in run or not _ADJECTIVE.search(run))  # "United Mexican States"
    first_word = re.findall(r"\w+", names[0])[0] if names else ""
    if first_word.endswith("ian"):  # "Russian Federation", "Syrian Arab Republic"
        forms.add(first_word[:-1])
    return frozenset(forms)


_COUNTRY_NAME_ATTRIBUTES = ("name", "common_name", "official_name")
# The endings of a country's adjective ("Mexican", "French", "Hellenic"): one such word of an official name
# names the country's people or style, not the country.
_ADJECTIVE = re.compile(r"(?:an|ch|ish|ese|ic|i)$")
