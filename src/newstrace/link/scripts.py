"""One speaker across scripts: `Столтенберг`, `Єнс Столтенберг` and `Jens Stoltenberg` are one person.

Names are compared by their surname written in Latin letters (`anyascii`), loosened where the common
romanisations of one name differ (`Zelenskiy` / `Zelensky` / `Zelenskyi`, `Pieskov` / `Peskov`,
`Shol'ts` / `Scholz`, `Йенс` / `Єнс` / `Jens`). Speakers with one surname key are merged only when
their first names agree too (or are missing): `Bill Clinton`, `Hillary Clinton` and `Клинтон` stay
apart, as they do in `link.speakers`. The merged speaker takes the Latin-script name with the most
words; the others stay as aliases in their own script.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from itertools import combinations

from anyascii import anyascii

from newstrace.nlp.agents import speaker_kind
from newstrace.records import PERSON

_LOOSER_SPELLINGS = (
    (re.compile(r"dzh"), "j"),  # Джо -> Dzho: Joe
    (re.compile(r"^j"), "y"),
    (re.compile(r"['’`ʹ]"), ""),
    (re.compile(r"sch"), "sh"),
    (re.compile(r"kh"), "h"),
    (re.compile(r"tz|z"), "ts"),
    (re.compile(r"w"), "v"),
    (re.compile(r"ck"), "k"),
    (re.compile(r"[iy]e"), "e"),
    (re.compile(r"ay"), "i"),
    (re.compile(r"(?:iy|yi|ij|ii|y|i)$"), "i"),
    (re.compile(r"(.)\1"), r"\1"),
)


def surname_key(name: str) -> str:
    """The last word of `name` in loosened Latin letters: `Столтенберг` and `Stoltenberg` -> `stoltenberg`."""
    words = name.split()
    return loosened(words[-1]) if words else ""


def first_name_key(name: str) -> str:
    """The words before the surname, loosened (`Йенс`, `Єнс`, `Jens` -> `ens`); empty for a surname alone."""
    return " ".join(loosened(word) for word in name.split()[:-1])


def loosened(word: str) -> str:
    """`word` in lowercase Latin letters, with the spellings romanisations disagree on made one."""
    key = anyascii(word).lower()
    for pattern, replacement in _LOOSER_SPELLINGS:
        key = pattern.sub(replacement, key)
    return key


def _one_person(one: str, other: str) -> bool:
    """Whether two names of one surname key can be one person: a first name is missing or the same once
    loosened; where either is not in Latin letters also one first name in two languages (`Дмитро` /
    `Дмитрий` / `Dmitry`, `Джо` / `Joe`): one begins the other, or they share their first letters. Two
    Latin-script names stay strict (`Alexander` and `Alexandra Smith` are two people)."""
    first, second = first_name_key(one), first_name_key(other)
    if not first or not second or first == second:
        return True
    if script_of(one) == script_of(other) == "LATIN":
        return False
    prefix = _FIRST_NAME_PREFIX
    return first.startswith(second) or second.startswith(first) or first[:prefix] == second[:prefix]


_FIRST_NAME_PREFIX = 4


def script_of(name: str) -> str:
    """The script of a name's letters, from their Unicode names (`LATIN`, `CYRILLIC`, `GREEK`...)."""
    for char in name:
        if char.isalpha():
            return unicodedata.name(char, "UNKNOWN").split()[0]
    return "UNKNOWN"


def merge_across_scripts(canonical: dict[str, str]) -> dict[str, str]:
    """`canonical` (name -> speaker name) with people of one surname in different scripts merged (an
    organisation has no surname: `Ukraine` and a joint statement ending in `Ukraine` stay apart)."""
    by_key: dict[str, set[str]] = defaultdict(set)
    for target in set(canonical.values()):
        if speaker_kind(target) == PERSON:
            by_key[surname_key(target)].add(target)
    merged: dict[str, str] = {}
    for targets in by_key.values():
        if len(targets) < 2 or not all(_one_person(one, other) for one, other in combinations(sorted(targets), 2)):
            continue  # two people share this surname: no guessing
        chosen = max(targets, key=lambda target: (script_of(target) == "LATIN", len(target.split()), target))
        merged.update(dict.fromkeys(targets, chosen))
    return {name: merged.get(target, target) for name, target in canonical.items()}
