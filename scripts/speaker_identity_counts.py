"""Count the signs of speakers merged or described wrongly in an analysed SQLite database.

    python scripts/speaker_identity_counts.py news.db [--list]

- speakers whose aliases carry honorifics of both genders (`Mr. Clinton` and `Mrs. Clinton`: two people
  merged, or a surname resolved to the wrong namesake);
- speakers whose name and aliases carry two different given names (`Bill Clinton`, `Hillary Clinton`);
- quotes whose source text is a bare honorific and surname (`Mr. Clinton`) resolved to a person whose
  given name or the article's other honorifics tell the other gender;
- roles that are fragments of the sentence, not a description: opening with a clause, link or count word
  (`who endorsed Clinton`, `like Obama`, `during an interview`, `Some`), holding a dateline (`Dec 29
  (Reuters) - ...`), a list of other people (`Bernie Sanders, and Martin O'Malley`), a link to somebody
  else (`top adviser for President`) or a parenthesis run on (`Vt.), who lost ...`);
- and, more loosely, roles with no role noun or title among their words, no party code (`R-Texas`) and no
  affiliation (`of Vermont`): this counts descriptions the role-noun list lacks (`Comedian`) too.

`--list` prints each case found, to read. The definitions are fixed here, apart from the rules being
measured, so that the counts before and after a change compare.
"""

from __future__ import annotations

import json
import re
import sqlite3
import sys

from newstrace.nlp.agents import is_role_noun
from newstrace.nlp.gender import FEMALE, MALE, gender_by_given_name

_MALE_HONORIFICS = frozenset(["mr"])
_FEMALE_HONORIFICS = frozenset(["mrs", "ms", "miss"])
_TITLES = frozenset(
    ["mr", "mrs", "ms", "miss", "dr", "president", "senator", "sen", "rep", "gov", "governor", "secretary",
     "minister", "chancellor", "prime", "general", "chief", "judge", "mayor", "speaker", "leader", "former",
     "vice", "first", "lady"]
)  # fmt: skip
_PARTY_CODE = re.compile(r"^\(?[RDI]-", re.IGNORECASE)
_FRAGMENT_OPENERS = frozenset(
    ["who", "whom", "whose", "which", "that", "like", "unlike", "during", "on", "in", "at", "and", "or", "but",
     "even", "only", "also", "when", "while", "after", "before", "with", "without", "for", "to", "by", "from",
     "some", "many", "several", "most", "more", "other", "few", "all", "both", "two", "three", "four", "five"]
)  # fmt: skip
_DATELINE = re.compile(r"\((?:Reuters|AFP|AP|UPI)\b|\)\s*[-–—]")
_RUN_ON_PARENTHESIS = re.compile(r"^[^()]*\)\s*[,\w]")
_LINK_INSIDE = re.compile(r"\b(?:for|to|like|with)\s+(?:\w+\s+)?(?:President|Mr|Mrs|Ms|Sen|Senator|Gov)\.?$")
_HONORIFIC_SURNAME = re.compile(r"^(Mr|Mrs|Ms|Miss)\.? ([A-Z][\w'’-]+)$")


def _honorific(word: str) -> str | None:
    plain = word.lower().rstrip(".")
    return MALE if plain in _MALE_HONORIFICS else FEMALE if plain in _FEMALE_HONORIFICS else None


def _given_names(names: list[str]) -> set[str]:
    given = set()
    for name in names:
        words = name.split()
        if len(words) > 1 and words[0].lower().rstrip(".") not in _TITLES and gender_by_given_name(words[0]):
            given.add(words[0])
    return given


def names_a_role(role: str) -> bool:
    """A role that holds a role noun or title, a party code or an affiliation."""
    words = [word.strip(" ,.;:()\"'“”") for word in role.split()]
    if role.lower().startswith("of ") or any(_PARTY_CODE.match(word) for word in role.split()):
        return True
    return any(is_role_noun(word) or word.lower().rstrip(".") in _TITLES for word in words if word)


def is_fragment(role: str) -> bool:
    """A role that is a piece of the sentence around the name, by the patterns the module's docstring lists."""
    words = role.split()
    if not words or words[0].lower().strip(",.;:()") in _FRAGMENT_OPENERS:
        return True
    if _DATELINE.search(role) or _RUN_ON_PARENTHESIS.match(role) or _LINK_INSIDE.search(role):
        return True
    named = [word.strip(",") for word in words if word.strip(",").lower() not in ("and", "or")]
    return len(named) < len(words) and all(word[:1].isupper() and not names_a_role(word) for word in named)


def main(db_path: str, listing: bool) -> None:
    db = sqlite3.connect(db_path)
    speakers = db.execute("SELECT id, name, aliases, roles, kind FROM speakers").fetchall()
    both, two_given, roles, bad_roles, fragments = [], [], 0, [], []
    for _, name, aliases_json, roles_json, kind in speakers:
        aliases = json.loads(aliases_json or "[]")
        genders = {_honorific(alias.split()[0]) for alias in aliases if alias.split()} - {None}
        if len(genders) == 2:
            both.append((name, aliases))
        if kind == "person" and len(_given_names([name, *aliases])) > 1:
            two_given.append((name, aliases))
        for role in json.loads(roles_json or "[]"):
            roles += 1
            if not names_a_role(role):
                bad_roles.append((name, role))
            if is_fragment(role):
                fragments.append((name, role))
    wrong_gender = []
    rows = db.execute(
        "SELECT q.source_text, s.name FROM quotes q JOIN speakers s ON s.id = q.speaker_id "
        "WHERE q.source_text LIKE 'M%'"
    )
    for source, name in rows:
        match = _HONORIFIC_SURNAME.match(source or "")
        if not match or len(name.split()) < 2 or name.split()[-1] != match.group(2):
            continue
        told = gender_by_given_name(name.split()[0])
        if told and told != _honorific(match.group(1)):
            wrong_gender.append((source, name))
    print(f"speakers: {len(speakers)}")
    print(f"speakers with honorifics of both genders among their aliases: {len(both)}")
    print(f"person speakers with two different given names: {len(two_given)}")
    print(f"honorific-and-surname quotes resolved to a person of the other given-name gender: {len(wrong_gender)}")
    print(f"roles: {roles}; fragments of the sentence: {len(fragments)}; with no role noun or title: {len(bad_roles)}")
    if listing:
        for title, cases in (("both genders", both), ("two given names", two_given), ("wrong gender", wrong_gender)):
            for case in cases:
                print(f"{title}\t{case}")
        for name, role in fragments:
            print(f"fragment\t{name}\t{role}")
        for name, role in bad_roles:
            print(f"no role\t{name}\t{role}")


if __name__ == "__main__":
    main(sys.argv[1], "--list" in sys.argv[2:])
