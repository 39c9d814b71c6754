"""Resolve an actor phrase ("Kremlin spokesman Dmitry Peskov", "the US-led military bloc", "Kyiv") to a
canonical actor: a country (ISO 3166 alpha-3) or organisation code, a sector and a kind.

Country names come from pycountry; the everyday names, demonyms, capitals and seats of government used as
metonyms (Washington, the Kremlin), organisations and sector words are written here from general
knowledge. The sector words follow the CAMEO/PLOVER agent sectors (GOV, MIL, COP, REB, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import pycountry

from newstrace.events.agent_dictionary import agent_sectors
from newstrace.events.names import LEADERS, MORE_COUNTRY_NAMES, MORE_GROUPS, MORE_ORGANISATIONS
from newstrace.memo import Memo


@dataclass(frozen=True)
class Actor:
    """A canonical actor: `code` is a country's alpha-3 or an organisation's code; `kind` is
    country, IGO, NGO or group; `sector` a PLOVER/CAMEO agent sector such as GOV or MIL."""

    code: str
    name: str
    kind: str
    sector: str | None = None


# Everyday names, demonyms, capitals and metonyms per country (alpha-3), beyond pycountry's names.
_COUNTRY_ALIASES: dict[str, tuple[str, ...]] = {
    "USA": ("US", "U.S.", "U.S", "USA", "United States", "America", "American", "Americans", "Washington",
            "White House", "Pentagon", "State Department", "Capitol Hill"),
    "RUS": ("Russia", "Russian", "Russians", "Moscow", "Kremlin", "Soviet"),
    "UKR": ("Ukraine", "Ukrainian", "Ukrainians", "Kiev", "Kyiv"),
    "GBR": ("UK", "U.K.", "Britain", "Great Britain", "British", "London", "Downing Street", "England", "English"),
    "DEU": ("Germany", "German", "Germans", "Berlin"),
    "FRA": ("France", "French", "Paris", "Elysee", "Élysée"),
    "ITA": ("Italy", "Italian", "Italians", "Rome"),
    "ESP": ("Spain", "Spanish", "Madrid"),
    "NLD": ("Netherlands", "Dutch", "Holland", "The Hague", "Amsterdam"),
    "ROU": ("Romania", "Romanian", "Romanians", "Bucharest"),
    "POL": ("Poland", "Polish", "Poles", "Warsaw"),
    "CHN": ("China", "Chinese", "Beijing", "Peking"),
    "JPN": ("Japan", "Japanese", "Tokyo"),
    "KOR": ("South Korea", "South Korean", "South Koreans", "Seoul"),
    "PRK": ("North Korea", "North Korean", "North Koreans", "Pyongyang"),
    "IRN": ("Iran", "Iranian", "Iranians", "Tehran", "Teheran"),
    "IRQ": ("Iraq", "Iraqi", "Iraqis", "Baghdad"),
    "SYR": ("Syria", "Syrian", "Syrians", "Damascus"),
    "ISR": ("Israel", "Israeli", "Israelis", "Jerusalem", "Tel Aviv"),
    "PSE": ("Palestine", "Palestinian", "Palestinians", "Ramallah", "Gaza", "West Bank", "PLO",
            "Palestinian Authority"),
    "LBN": ("Lebanon", "Lebanese", "Beirut"),
    "JOR": ("Jordan", "Jordanian", "Jordanians", "Amman"),
    "EGY": ("Egypt", "Egyptian", "Egyptians", "Cairo"),
    "SAU": ("Saudi Arabia", "Saudi", "Saudis", "Riyadh"),
    "TUR": ("Turkey", "Türkiye", "Turkish", "Turks", "Ankara"),
    "PAK": ("Pakistan", "Pakistani", "Pakistanis", "Islamabad"),
    "IND": ("India", "Indian", "Indians", "New Delhi"),
    "AFG": ("Afghanistan", "Afghan", "Afghans", "Kabul"),
    "SRB": ("Serbia", "Serbian", "Serbs", "Belgrade", "Yugoslavia", "Yugoslav"),
    "BIH": ("Bosnia", "Bosnian", "Bosnians", "Sarajevo"),
    "HRV": ("Croatia", "Croatian", "Croats", "Zagreb"),
    "ALB": ("Albania", "Albanian", "Albanians", "Tirana"),
    "MNE": ("Montenegro", "Montenegrin", "Podgorica"),
    "MKD": ("Macedonia", "North Macedonia", "Macedonian", "Skopje"),
    "HUN": ("Hungary", "Hungarian", "Hungarians", "Budapest"),
    "BGR": ("Bulgaria", "Bulgarian", "Sofia"),
    "GRC": ("Greece", "Greek", "Greeks", "Athens"),
    "CZE": ("Czech Republic", "Czechia", "Czech", "Prague"),
    "SVK": ("Slovakia", "Slovak", "Bratislava"),
    "LTU": ("Lithuania", "Lithuanian", "Vilnius"),
    "LVA": ("Latvia", "Latvian", "Riga"),
    "EST": ("Estonia", "Estonian", "Tallinn"),
    "BLR": ("Belarus", "Belarusian", "Minsk"),
    "MDA": ("Moldova", "Moldovan", "Chisinau"),
    "GEO": ("Georgia", "Georgian", "Tbilisi"),
    "ARM": ("Armenia", "Armenian", "Yerevan"),
    "AZE": ("Azerbaijan", "Azerbaijani", "Baku"),
    "FIN": ("Finland", "Finnish", "Helsinki"),
    "SWE": ("Sweden", "Swedish", "Stockholm"),
    "NOR": ("Norway", "Norwegian", "Oslo"),
    "DNK": ("Denmark", "Danish", "Copenhagen"),
    "CHE": ("Switzerland", "Swiss", "Bern", "Berne"),
    "AUT": ("Austria", "Austrian"),
    "BEL": ("Belgium", "Belgian"),
    "PRT": ("Portugal", "Portuguese", "Lisbon"),
    "IRL": ("Ireland", "Irish", "Dublin"),
    "CAN": ("Canada", "Canadian", "Canadians", "Ottawa"),
    "MEX": ("Mexico", "Mexican", "Mexicans"),
    "BRA": ("Brazil", "Brazilian", "Brasilia"),
    "ARG": ("Argentina", "Argentine", "Argentinian", "Buenos Aires"),
    "CHL": ("Chile", "Chilean", "Santiago"),
    "COL": ("Colombia", "Colombian", "Bogota"),
    "VEN": ("Venezuela", "Venezuelan", "Caracas"),
    "CUB": ("Cuba", "Cuban", "Cubans", "Havana"),
    "PER": ("Peru", "Peruvian", "Lima"),
    "BOL": ("Bolivia", "Bolivian", "La Paz"),
    "AUS": ("Australia", "Australian", "Canberra"),
    "NZL": ("New Zealand",),
    "IDN": ("Indonesia", "Indonesian", "Jakarta"),
    "PHL": ("Philippines", "Philippine", "Filipino", "Manila"),
    "VNM": ("Vietnam", "Vietnamese", "Hanoi"),
    "THA": ("Thailand", "Thai", "Bangkok"),
    "MMR": ("Myanmar", "Burma", "Burmese"),
    "TWN": ("Taiwan", "Taiwanese", "Taipei"),
    "HKG": ("Hong Kong",),
    "LKA": ("Sri Lanka", "Sri Lankan", "Colombo"),
    "BGD": ("Bangladesh", "Bangladeshi", "Dhaka"),
    "NPL": ("Nepal", "Nepalese", "Kathmandu"),
    "LBY": ("Libya", "Libyan", "Libyans", "Tripoli"),
    "SDN": ("Sudan", "Sudanese", "Khartoum"),
    "DZA": ("Algeria", "Algerian", "Algerians", "Algiers"),
    "MAR": ("Morocco", "Moroccan", "Rabat"),
    "TUN": ("Tunisia", "Tunisian", "Tunis"),
    "NGA": ("Nigeria", "Nigerian", "Abuja"),
    "GHA": ("Ghana", "Ghanaian", "Accra"),
    "KEN": ("Kenya", "Kenyan", "Nairobi"),
    "UGA": ("Uganda", "Ugandan", "Kampala"),
    "ZWE": ("Zimbabwe", "Zimbabwean", "Harare"),
    "ZMB": ("Zambia", "Zambian", "Lusaka"),
    "ZAF": ("South Africa", "South African", "Pretoria"),
    "AGO": ("Angola", "Angolan", "Luanda"),
    "ETH": ("Ethiopia", "Ethiopian", "Addis Ababa"),
    "SOM": ("Somalia", "Somali", "Mogadishu"),
    "RWA": ("Rwanda", "Rwandan", "Kigali"),
    "BDI": ("Burundi", "Burundian", "Bujumbura"),
    "COD": ("Congo", "Congolese", "Kinshasa", "Zaire"),
    "CIV": ("Ivory Coast", "Ivorian", "Cote d'Ivoire", "Côte d'Ivoire"),
    "BEN": ("Benin", "Beninese"),
    "YEM": ("Yemen", "Yemeni", "Sanaa"),
    "QAT": ("Qatar", "Qatari", "Doha"),
    "ARE": ("United Arab Emirates", "UAE", "Emirati", "Abu Dhabi"),
    "KWT": ("Kuwait", "Kuwaiti"),
    "OMN": ("Oman", "Omani", "Muscat"),
    "TTO": ("Trinidad", "Trinidad and Tobago"),
}  # fmt: skip

# Organisations: code, kind, then the names they go by.
_ORGANISATIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("NATO", "IGO", ("NATO", "North Atlantic Treaty Organization", "North Atlantic Alliance",
                     "US-led military bloc", "US-led bloc", "US-led military alliance", "Western military bloc",
                     "Atlantic alliance")),
    ("EU", "IGO", ("EU", "European Union", "European Commission", "European Community", "EC", "Brussels")),
    ("UN", "IGO", ("UN", "U.N.", "United Nations", "Security Council", "General Assembly")),
    ("OSCE", "IGO", ("OSCE",)),
    ("AU", "IGO", ("African Union", "Organization of African Unity", "OAU")),
    ("ARL", "IGO", ("Arab League",)),
    ("OPEC", "IGO", ("OPEC",)),
    ("IMF", "IGO", ("IMF", "International Monetary Fund")),
    ("WBK", "IGO", ("World Bank",)),
    ("WHO", "IGO", ("World Health Organization",)),
    ("ICC", "IGO", ("International Criminal Court",)),
    ("ASEAN", "IGO", ("ASEAN",)),
    ("G7", "IGO", ("G7", "G-7", "Group of Seven")),
    ("G20", "IGO", ("G20", "G-20")),
    ("IRC", "NGO", ("Red Cross", "ICRC", "Red Crescent")),
    ("AMN", "NGO", ("Amnesty International",)),
    ("HRW", "NGO", ("Human Rights Watch",)),
)  # fmt: skip

# Groups that belong to a country (code) with a sector.
_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("PSE", "REB", ("Hamas", "Islamic Jihad")),
    ("LBN", "REB", ("Hezbollah", "Hizbollah")),
    ("AFG", "REB", ("Taliban",)),
)

# Sector words (CAMEO/PLOVER agent sectors), first match wins: the more specific come first.
_SECTORS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("UAF", ("explosion", "explosive device", "car bomb", "roadside bomb", "landmine", "minefield", "blast")),
    ("REB", ("rebel", "rebels", "insurgent", "insurgents", "guerrilla", "guerrillas", "militant", "militants",
             "separatist", "separatists", "militia", "militias", "gunmen")),
    ("RAD", ("radicals", "extremists", "fundamentalists", "islamists", "hardliners", "jihadists")),
    ("MIL", ("army", "military", "troops", "soldiers", "soldier", "forces", "navy", "air force", "general",
             "commander", "defense ministry", "defence ministry", "warplanes", "jets")),
    ("COP", ("police", "policemen", "security forces")),
    ("OPP", ("opposition",)),
    ("JUD", ("court", "judge", "judges", "prosecutor", "prosecutors", "tribunal")),
    ("LEG", ("parliament", "lawmakers", "legislators", "congress", "senate", "senator", "mps", "deputies")),
    ("LAB", ("union", "unions", "workers", "strikers")),
    ("EDU", ("students", "student", "university")),
    ("MED", ("doctors", "doctor", "nurses", "nurse", "physicians", "physician", "medics", "health workers")),
    ("AGR", ("farmers", "farmer", "herders", "peasants")),
    ("REL", ("church", "clergy", "bishop", "imam", "cleric", "clerics")),
    ("BUS", ("company", "companies", "firm", "firms", "businessmen", "bank")),
    ("JRN", ("journalist", "journalists", "newspaper", "reporters")),
    ("CVL", ("protesters", "protestors", "demonstrators", "residents", "civilians", "villagers", "citizens",
             "refugees", "people", "crowd", "crowds", "activists")),
    ("GOV", ("government", "president", "prime minister", "minister", "ministry", "chancellor", "spokesman",
             "spokeswoman", "spokesperson", "official", "officials", "authorities", "administration", "cabinet",
             "kremlin", "white house", "pentagon", "state department", "king", "queen", "premier", "leader",
             "leaders", "diplomat", "diplomats", "ambassador", "embassy", "envoy", "secretary", "mayor",
             "governor", "regime", "downing street", "foreign office")),
)  # fmt: skip

_METONYM_SECTOR = {"Washington": "GOV", "Moscow": "GOV", "Kiev": "GOV", "Kyiv": "GOV", "Beijing": "GOV"}


@dataclass(frozen=True)
class _Entry:
    code: str
    kind: str
    name: str
    sector: str | None


@cache
def _entries() -> dict[str, _Entry]:
    """Every alias, keyed by its lower-cased form (acronyms kept in a separate, case-sensitive table)."""
    table: dict[str, _Entry] = {}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            value = getattr(country, attribute, None)
            if value:
                table[value] = _Entry(country.alpha_3, "country", country.name, None)
    for code, aliases in [*MORE_COUNTRY_NAMES.items(), *_COUNTRY_ALIASES.items()]:
        name = _COUNTRY_ALIASES.get(code, aliases)[0]
        for alias in aliases:
            table[alias] = _Entry(code, "country", name, _metonym_sector(alias))
            if _DEMONYM.search(alias) and f"{alias}s" not in table:
                table[f"{alias}s"] = _Entry(code, "country", name, None)  # "Cameroonians", "Iraqis"
    for code, kind, aliases in (*_ORGANISATIONS, *MORE_ORGANISATIONS):
        for alias in aliases:
            table[alias] = _Entry(code, kind, aliases[0], None)
    for code, sector, aliases in (*_GROUPS, *MORE_GROUPS):
        for alias in aliases:
            table[alias] = _Entry(code, "group", alias, sector)
    for code, names in LEADERS.items():
        for person in names:
            table[person] = _Entry(code, "country", _country_name(code), "GOV")
    return table


def _country_name(code: str) -> str:
    aliases = _COUNTRY_ALIASES.get(code) or MORE_COUNTRY_NAMES.get(code)
    if aliases:
        return aliases[0]
    country = pycountry.countries.get(alpha_3=code)
    return country.name if country is not None else code


@cache
def _case_sensitive() -> frozenset[str]:
    """Aliases matched with their capitals only: acronyms ("US" is not "us") and leaders' names."""
    return frozenset(alias for alias in _entries() if _is_acronym(alias) or alias in _leaders())


@cache
def _leaders() -> frozenset[str]:
    return frozenset(person for names in LEADERS.values() for person in names)


def _metonym_sector(alias: str) -> str | None:
    if alias in _METONYM_SECTOR or alias in ("Kremlin", "White House", "Pentagon", "State Department",
                                              "Downing Street", "Elysee", "Élysée", "Capitol Hill"):  # fmt: skip
        return _METONYM_SECTOR.get(alias, "GOV")
    return None


def _is_acronym(alias: str) -> bool:
    return len(alias) <= 5 and alias.replace(".", "").replace("-", "").isupper()


@cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """One case-insensitive pattern for names and one case-sensitive for acronyms, longest first."""
    names = sorted(_entries(), key=len, reverse=True)
    exact = _case_sensitive()
    words = by_first_letter([alias for alias in names if alias not in exact])
    acronyms = [re.escape(alias) for alias in names if alias in exact]
    boundary = r"(?<![\w-])({})(?![\w-])"
    return (
        re.compile(boundary.format("|".join(words)), re.IGNORECASE),
        re.compile(boundary.format("|".join(acronyms))),
    )


def by_first_letter(aliases: list[str]) -> list[str]:
    """The aliases as one alternation per first letter, each keeping their order: at a place of the text
    only the aliases whose first letter matches it can match, so the pattern finds the same name as one
    alternation of all of them, without trying thousands of alternatives at every place. Letters are
    grouped as `re.IGNORECASE` compares them: alike when their lower cases have the same upper case
    (`ſ` and `s`, `ı` and `i`; `İ` is `i`)."""
    groups: dict[str, list[str]] = {}
    for alias in aliases:
        groups.setdefault(alias[:1].replace("\u0130", "i").lower().upper(), []).append(re.escape(alias))
    return ["(?:{})".format("|".join(group)) for group in groups.values()]


@cache
def country_names() -> dict[str, str]:
    """Every name of a country in the table (pycountry's, the everyday ones, demonyms, capitals and seats
    of government), lower-cased, with the country's code; leaders' names are left out."""
    return {
        alias.lower(): entry.code
        for alias, entry in _entries().items()
        if entry.kind == "country" and alias not in _leaders()
    }


@cache
def _lower_entries() -> dict[str, _Entry]:
    return {alias.lower(): entry for alias, entry in _entries().items()}


def _sector_of(text: str) -> str | None:
    """The sector a phrase's words name: the hand-written sector words first, then the phrases of the
    agent dictionary the user named, if any (longest first, plurals read as their singular)."""
    lowered = text.lower()
    for sector, pattern in _sector_patterns():
        if pattern.search(lowered):
            return sector
    return _agent_sector(re.findall(r"[a-z]+(?:-[a-z]+)*", lowered))


@cache
def _sector_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """One pattern per sector matching any of its words as whole words (one search, not one per word)."""
    return tuple(
        (sector, re.compile(rf"(?<!\w)(?:{'|'.join(map(re.escape, words))})(?!\w)")) for sector, words in _SECTORS
    )


_LONGEST_AGENT = 4


def _agent_sector(words: list[str]) -> str | None:
    sectors = agent_sectors()
    if not sectors:
        return None
    for size in range(min(_LONGEST_AGENT, len(words)), 0, -1):
        for start in range(len(words) - size + 1):
            phrase = words[start : start + size]
            for form in (phrase, [*phrase[:-1], _singular(phrase[-1])]):
                if (sector := sectors.get(" ".join(form))) is not None:
                    return sector
    return None


def _singular(word: str) -> str:
    for plural, singular in (("ies", "y"), ("men", "man"), ("ses", "s"), ("s", "")):
        if word.endswith(plural) and len(word) > len(plural) + 2:
            return word[: -len(plural)] + singular
    return word


# Demonyms whose plural takes an "s" (Cameroonian, Iraqi, Afghan); "-ese", "-ish" and "-ch" ones take none.
_DEMONYM = re.compile(r"(ian|an|i)$")
_LED = re.compile(r"(\w)-led\b")


def find_actor(text: str) -> Actor | None:
    """The canonical actor a phrase names, or None when it names no country, organisation or group.

    The earliest name in the phrase wins ("Russian Foreign Minister" -> RUS); the sector comes from the
    phrase's sector words, else from a metonym (the Kremlin -> GOV).
    """
    return _FOUND.get(text, _actor_in)


# A document asks for most of its phrases more than once, and the name patterns are long alternations.
_FOUND: Memo[str, Actor | None] = Memo(agent_sectors)


def _actor_in(text: str) -> Actor | None:
    words_pattern, acronym_pattern = _patterns()
    matches = [match for pattern in (words_pattern, acronym_pattern) if (match := pattern.search(text))]
    if not matches and (led := _LED.sub(r"\1 led", text)) != text:
        return find_actor(led)  # "Nigerian-led forces" are the leader's, as CAMEO codes them
    if not matches:
        return _named_organisation(text)
    first = min(matches, key=lambda match: (match.start(), -len(match.group(0))))
    found = first.group(0)
    entry = _entries().get(found) or _lower_entries()[found.lower()]
    # The sector comes from the words around the name: "military" in "US-led military bloc" is the name.
    sector = _sector_of(text[: first.start()] + " " + text[first.end() :]) or entry.sector
    return Actor(entry.code, entry.name, entry.kind, sector)


# A named body no table knows, by the word that heads its name ("the Harbour Workers Federation"): an
# NGO, as CAMEO codes non-governmental organisations it has no entry for. Councils, unions and alliances
# are left out: they are as often parts of governments or groups of states.
_ORGANISATION_NAME = re.compile(
    r"\b(?:[A-Z][\w'-]*\s+)+(?:Forum|Foundation|Association|Federation|Institute|Society|Coalition|Network)\b"
)


def _named_organisation(text: str) -> Actor | None:
    found = _ORGANISATION_NAME.search(text)
    return Actor("NGO", found.group(0), "NGO", None) if found else None


def sector_only(text: str) -> str | None:
    """The sector a phrase names without naming a country ("the rebels", "police"), or None."""
    return _sector_of(text)


def actor_named(name: str) -> Actor | None:
    """The place or organisation whose name or alias is the whole of `name` (any case), or None: `Kyiv`
    and `the Kremlin` name one, `New Jersey` does not (a word inside a name is not the name), and neither
    does a leader's name (`Peskov` acts for Russia in an event, but is a person, not a place)."""
    plain = re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)
    if plain in _leaders():
        return None
    entry = _entries().get(plain) or _lower_entries().get(plain.lower())
    return Actor(entry.code, entry.name, entry.kind, entry.sector) if entry else None


def country_of(actor: Actor) -> Actor:
    """The country an actor belongs to: itself for a country, its country for a group (Hamas -> PSE)."""
    if actor.kind == "country":
        return Actor(actor.code, actor.name, "country")
    return Actor(actor.code, _country_name(actor.code), "country")
