"""One speaker across articles: `Stoltenberg`, `Jens Stoltenberg` and `NATO Secretary General Jens
Stoltenberg` are the same person, with the roles the articles gave them.

Inside an article the quotes stage already grows short names to the article's full form. Across
articles, the forms of one person's full name join (`Donald J. Trump` and `Donald Trump`, the form most
used naming the speaker), and a one-word name joins the only person whose name ends with it; when there
are several (two people called Clinton), it joins the one quoted at least three times as often as any
other, else it stays on its own rather than guess. Only a person's surname
joins a person's name: `Ukraine` is no short form of `Joint statement signed by several NATO members and
Ukraine`, and no group's (`Democrats` is no short form of `Hill Democrats`). Each speaker is typed `person`,
`organisation` or `group` (`nlp.agents.speaker_kind`).

No step joins two names whose surnames differ once loosened (`name_key`): a name's speaker keeps its
last word, and names of one last word join only across scripts, by that key. So the resolution of the
names of one key depends on their mentions alone, and a run that takes in new articles resolves again
only the keys their names have, with the keys the user's corrections tie to those (`keys_to_resolve`).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import replace

from newstrace.link.scripts import merge_across_scripts, surname_key
from newstrace.nlp.agents import is_form_of_name, is_role_noun, singular, speaker_kind
from newstrace.records import GROUP, PERSON, Speaker, SpeakerCorrection, SpeakerName

_ROLE_EDGES = " ,.;:—–-()\"'“”‘’"
_TITLE_WORDS = frozenset(
    ["mr", "mrs", "ms", "dr", "president", "senator", "sen", "rep", "gov", "governor", "secretary", "minister",
     "chancellor", "prime", "general", "chief", "judge", "mayor", "speaker", "leader", "sir", "lord", "lady"]
)  # fmt: skip
_NOT_TITLES = frozenset(["the", "a", "an", "his", "her", "their", "its", "and", "of", "who", "which", "said"])
_HONORIFICS = frozenset(["mr", "mrs", "ms", "miss", "dr", "mx"])
_CLAUSE_WORDS = frozenset(["who", "whom", "whose", "which", "that"])
# Function words that open a sentence or a phrase before a name but never a title of it.
_NOT_TITLE_OPENERS = frozenset(
    ["even", "neither", "either", "both", "only", "also", "but", "and", "or", "nor", "when", "while", "if", "as",
     "so", "then", "yet", "not", "just", "like", "unlike", "with", "without", "for", "to", "by", "from", "at", "in",
     "on", "after", "before", "because", "since", "although", "though", "whether", "said", "says", "told", "asked",
     "during", "against", "about", "than", "including", "between", "among", "where", "how", "why", "what"]
)  # fmt: skip
# Words that open a count of a group (`Some Republicans`, `two leading Republicans`), not a title.
_QUANTIFIERS = frozenset(
    ["some", "many", "several", "most", "more", "other", "others", "few", "all", "both", "each", "two", "three",
     "four", "five", "six", "seven", "eight", "nine", "ten", "dozens", "hundreds", "thousands"]
)  # fmt: skip
# Words inside a title before a name that link it to somebody else: `top adviser for President Obama`.
_LINKS_TO_ANOTHER = frozenset(["for", "to", "with", "like", "by", "from", "against", "than"])
# A dateline before a source (`Dec 29 (Reuters) - U.S. Democratic presidential candidate Hillary Clinton`).
_DATELINE = re.compile(r"^.*\)\s*[-–—]+\s*")
_DOMINANT_SHARE = 3  # a bare surname is the namesake quoted at least this many times as often as any other
_LEADING_ARTICLES = re.compile(r"^(the|a|an)\b\s*", re.IGNORECASE)


def link_speakers(mentions: Iterable[tuple[str, str | None]]) -> tuple[list[Speaker], dict[str, str]]:
    """From (speaker name, source text) pairs, the speakers and a map from each name to its speaker's name."""
    return link_names(names_of_mentions(mentions).values())


def names_of_mentions(mentions: Iterable[tuple[str, str | None]]) -> dict[str, SpeakerName]:
    """What the resolution needs of each name, summed over (speaker name, source text) pairs: how often
    it is named, the roles its sources give it and the sources that could be another name of its speaker."""
    counts: Counter[str] = Counter()
    sources: dict[str, set[str]] = defaultdict(set)
    for name, source_text in mentions:
        counts[name] += 1
        sources[name].add(source_text or "")
    return {
        name: SpeakerName(
            name,
            name_key(name),
            counts[name],
            tuple(sorted({role for source in sources[name] if (role := role_in(source, name))})),
            tuple(sorted(source for source in sources[name] if _could_be_alias(source))),
        )
        for name in sorted(counts)
    }


def with_more_mentions(name: SpeakerName, more: SpeakerName) -> SpeakerName:
    """`name`'s counts with those of `more` mentions of it added (its last speaker kept)."""
    return replace(
        name,
        mentions=name.mentions + more.mentions,
        roles=tuple(sorted(set(name.roles) | set(more.roles))),
        sources=tuple(sorted(set(name.sources) | set(more.sources))),
    )


def link_names(names: Iterable[SpeakerName]) -> tuple[list[Speaker], dict[str, str]]:
    """The speakers of these names and a map from each name to its speaker's name: the resolution
    depends on each name's counts alone (`names_of_mentions`), so summed counts resolve as the mentions."""
    by_name = {name.name: name for name in names}
    counts = Counter({name: summed.mentions for name, summed in by_name.items()})
    canonical = merge_across_scripts(_canonical_names(set(by_name), counts))  # Песков and Peskov are one speaker
    aliases: dict[str, set[str]] = defaultdict(set)
    roles: dict[str, set[str]] = defaultdict(set)
    for name, summed in by_name.items():
        target = canonical[name]
        found = {name, *(_alias_in(source, target) for source in summed.sources)}
        aliases[target] |= {alias for alias in found if alias and alias != target}
        roles[target] |= set(summed.roles)
    speakers = [
        Speaker(name, tuple(sorted(aliases[name])), tuple(sorted(roles[name])), speaker_kind(name))
        for name in sorted(set(canonical.values()))
    ]
    return speakers, canonical


def _could_be_alias(source_text: str) -> bool:
    """What `_alias_in` asks of a source whatever the speaker: one to three words in capitals, no comma."""
    words = source_text.split()
    return 0 < len(words) <= 3 and "," not in source_text and all(word[:1].isupper() for word in words)


def name_key(name: str) -> str:
    """The resolution key of a speaker name: its last word in loosened Latin letters (`Stoltenberg`,
    `Jens Stoltenberg` and `Столтенберг` -> `stoltenberg`). Names of two keys never join."""
    return surname_key(name)


def keys_to_resolve(keys: Iterable[str], corrections: Iterable[SpeakerCorrection]) -> set[str]:
    """`keys` and every key a chain of corrections ties to them: a correction moves names between the
    speakers it names (`merge "Stoltenberg NATO" "Jens Stoltenberg"` ties `nato` to `stoltenberg`)."""
    tied: dict[str, set[str]] = defaultdict(set)
    for correction in corrections:
        one, other = name_key(correction.name), name_key(correction.target)
        tied[one].add(other)
        tied[other].add(one)
    found = set(keys)
    waiting = list(found)
    while waiting:
        for key in tied[waiting.pop()] - found:
            found.add(key)
            waiting.append(key)
    return found


def corrections_within(keys: set[str], corrections: Iterable[SpeakerCorrection]) -> list[SpeakerCorrection]:
    """The corrections (in the order made) that touch names of these keys; with `keys` closed under
    `keys_to_resolve`, both names of each such correction have keys among them."""
    return [correction for correction in corrections if name_key(correction.name) in keys]


def _canonical_names(names: set[str], mentions: Counter[str] | None = None) -> dict[str, str]:
    """Each name's speaker: the forms of one person's full name (`Donald J. Trump`, `Donald Trump`) join
    the form used most, and a surname alone joins the only person with that surname."""
    counts = mentions or Counter()
    by_last_word: dict[str, set[str]] = defaultdict(set)
    for name in names:
        if len(name.split()) > 1 and speaker_kind(name) == PERSON:
            by_last_word[name.split()[-1]].add(name)
    canonical = {name: name for name in names}
    people: dict[str, list[str]] = {}  # surname -> the one name of each person of that surname
    for surname, full_names in by_last_word.items():
        for forms in _same_person_forms(full_names):
            chosen = min(forms, key=lambda form: (-counts[form], len(form), form))
            canonical |= {form: chosen for form in forms}
            people.setdefault(surname, []).append(chosen)
    quoted: Counter[str] = Counter()  # how often each person was named, over all forms of the full name
    for form, person in canonical.items():
        quoted[person] += counts[form]
    for name in names:
        if len(name.split()) == 1 and speaker_kind(name) == PERSON:
            canonical[name] = _person_of_surname(people.get(name, []), quoted) or name
    return canonical


def _person_of_surname(people: list[str], quoted: Counter[str]) -> str | None:
    """The person a bare surname names across articles: the only one with it, or the one named far more
    often than every other (`Barack Obama` against `Michelle Obama` in political news), else nobody."""
    if len(people) == 1:
        return people[0]
    ranked = Counter({person: quoted[person] for person in people}).most_common()
    if len(ranked) > 1 and ranked[0][1] >= _DOMINANT_SHARE * ranked[1][1] > 0:
        return ranked[0][0]
    return None


def _same_person_forms(full_names: set[str]) -> list[set[str]]:
    """Full names of one surname grouped by person: a form is another's with middle initials (`Donald J.
    Trump` is `Donald Trump`), with words before it (`Former Senator Ana Ruiz` is `Ana Ruiz`) or a middle
    name (`Hillary Rodham Clinton` is `Hillary Clinton`); `Bill Clinton` and `Hillary Clinton` are two
    people, and a form that fits two people joins neither."""
    bare = {name: _without_initials(name) for name in full_names}
    groups: list[set[str]] = []
    for name in sorted(full_names, key=lambda form: (len(bare[form]), form)):  # shortest forms first
        fitting = [
            group for group in groups
            if any(len(bare[form]) > 1 and is_form_of_name(bare[name], bare[form]) for form in group)
        ]  # fmt: skip
        if len(fitting) == 1:
            fitting[0].add(name)
        else:
            groups.append({name})
    return groups


def _without_initials(name: str) -> list[str]:
    return [word for word in name.split() if len(word.rstrip(".")) > 1]


def _alias_in(source_text: str, name: str) -> str | None:
    """A source that is a shorter form of the name (`Stoltenberg`, `Mr. Trump`) is an alias; another
    first name (`Bill Clinton` for Hillary Clinton) is somebody else."""
    words = source_text.split()
    if not 0 < len(words) <= 3 or "," in source_text or name in source_text or words[-1] != name.split()[-1]:
        return None
    name_words = set(name.split())
    others = [word for word in words[:-1] if word not in name_words and word.lower().rstrip(".") not in _TITLE_WORDS]
    return " ".join(words) if all(word[:1].isupper() for word in words) and not others else None  # no stray spaces


# Markup left in a text (an embedded post's `author="..." tweet_id="...">`) is no part of a role.
_MARKUP = re.compile(r"[<>=]|\w+=\"")


def role_in(source_text: str, name: str) -> str | None:
    """The description beside a name in a source span: `NATO Secretary General Jens Stoltenberg` ->
    `NATO Secretary General`; `Jens Stoltenberg, the outgoing NATO Secretary General,` -> `outgoing NATO ...`.
    A group's qualifier, before its name or after it (`Establishment Republicans`, `Democrats of Wyoming`),
    is which of them speak, not a role of the group."""
    if name not in source_text:
        return None
    before, _, after = source_text.partition(name)
    group = speaker_kind(name) == GROUP  # `Wyoming Republicans`, `Republicans of Wyoming`: which ones, no role
    for part, leading in ((_in_parenthesis(after), False), (_DATELINE.sub("", _without_honorific(before)), True)):
        if not (_opens_a_title(part) if leading else _is_appended(part)) or (group and (leading or _qualifies(part))):
            continue
        role = _LEADING_ARTICLES.sub("", part.strip(_ROLE_EDGES)).strip(_ROLE_EDGES)
        if _MARKUP.search(role):  # a source that swept in the rest of an embedded post's markup
            continue
        if len(role) >= 3 and not role.islower() and len(role.split()) <= 8 and _describes(role, leading):
            return role if not leading or _ends_in_a_title(role) else None
    return None


def _qualifies(after: str) -> bool:
    """Words after a group's name that say which of them (`of Wyoming`, `in Congress`), not what they are."""
    return after.lstrip().startswith(("of ", "in "))


def _in_parenthesis(after: str) -> str:
    """A parenthesis after a name is its role on its own: `(I-Vt.), who lost the primaries` -> `(I-Vt.)`."""
    stripped = after.lstrip()
    if stripped.startswith("(") and ")" in stripped:
        return stripped[: stripped.index(")") + 1]
    return after


def _describes(role: str, leading: bool) -> bool:
    """A title (`_names_a_title`) that is no clause (`who on Tuesday endorsed Clinton`), link (`like Obama`,
    `during an interview`) or count (`Some`, `two leading Republicans`), nor, before the name, a link to
    somebody else (`top adviser for`) or a group (`Democrats Hillary Clinton and Bernie Sanders`), nor a
    list (`Bernie Sanders, and Martin O'Malley`, `Hillary Clinton, and other Democrats`)."""
    words = [word.strip(_ROLE_EDGES).lower() for word in role.split()]
    words = [word for word in words if word]
    if not words or words[0] in _NOT_TITLE_OPENERS | _CLAUSE_WORDS | _QUANTIFIERS:
        return False
    if leading and (_LINKS_TO_ANOTHER & set(words) or _plural_role(words[-1])):
        return False
    if not leading and ", and " in role:  # `Hillary Clinton, and other Democrats`: a list, not an apposition
        return False
    return _names_a_title(role) and not _only_names(role)


def _plural_role(word: str) -> bool:
    """A plural of a role noun (`Democrats`, `senators`, `congressmen`) before a name opens a group, not the
    name's title."""
    single = singular(word)
    return single != word and is_role_noun(single)


def _only_names(role: str) -> bool:
    """Capitalised words joined by `and` or commas with no title or role noun among them: other people
    (`Ted Cruz and Rand Paul`), not a description."""
    words = [word.strip(_ROLE_EDGES) for word in role.replace(",", " ").split()]
    named = [word for word in words if word and word.lower() not in ("and", "or")]
    if len(named) == len(words) or not named:  # no `and`: a one-phrase title (`NATO Secretary General`)
        return False
    return all(word[:1].isupper() and not is_role_noun(word) and word.lower() not in _TITLE_WORDS for word in named)


def _is_appended(after: str) -> bool:
    """Words after a name describe it only as an apposition, a parenthesis or an affiliation (`Jens
    Stoltenberg, the NATO chief`, `Ted Cruz (R-Texas)`, `Tom Carper of Delaware`); after `and`, `during`
    or a possessive they are somebody or something else (`Donald Trump and Sen. Ted Cruz`, `Trump's
    anti-Muslim rhetoric`), as is a second person joined to an affiliation (`of Texas and Senator Rand Paul`)."""
    after = after.lstrip()
    return after.startswith((",", "(")) or (after.startswith("of ") and " and " not in after)


def _opens_a_title(before: str) -> bool:
    """Words before a name can be its title only when they are one phrase, set off by a comma at most
    (`The French interior minister, Bernard Cazeneuve`), with no other comma or relative clause
    (`Christie, who campaigned for GOP nominee` is about Christie), that does not open with a word no title
    opens with (`Even Donald Trump`, `Neither Donald Trump nor`)."""
    words = before.split()
    if not words or "," in before.rstrip().removesuffix(",") or any(word.lower() in _CLAUSE_WORDS for word in words):
        return False
    return words[0].lower().strip(_ROLE_EDGES) not in _NOT_TITLE_OPENERS


def _without_honorific(before: str) -> str:
    """The words before a name without the honorific right before it (`advisers to Mr.` -> `advisers to`)."""
    words = before.split()
    if words and words[-1].lower().strip(_ROLE_EDGES) in _HONORIFICS:
        words = words[:-1]
    return " ".join(words)


def _ends_in_a_title(role: str) -> bool:
    """Words before a name are its title when they end in a title (`NATO Secretary General`, `Republican
    nominee`), not in a link to somebody else (`advisers to`, `Surety companies that had insured`)."""
    last = role.split()[-1]
    return last[:1].isupper() or is_role_noun(last)


def _names_a_title(role: str) -> bool:
    """A role holds a word of office or description (`Secretary General`, `spokesman`), not only an article,
    a pronoun or a name's possessive (`The`, `his`, `Putin's`)."""
    words = [word.strip(_ROLE_EDGES) for word in role.split()]
    if words and words[-1].endswith(("'s", "’s")):  # `Vladimir Putin's`: whose, not what
        return False
    return any(word.lower() not in _NOT_TITLES and not word.endswith(("'s", "’s")) for word in words if word)


def apply_corrections(
    speakers: list[Speaker], canonical: dict[str, str], corrections: Iterable[SpeakerCorrection]
) -> tuple[list[Speaker], dict[str, str]]:
    """The speakers and name map after the user's corrections, applied in the order made on top of the
    automatic resolution: `merge` (name into target), `split` (a name leaves a speaker and speaks as
    itself) and `rename` (a speaker takes a new name, and a kind when one is given). A correction naming
    a speaker that no longer exists changes nothing."""
    by_name = {speaker.name: speaker for speaker in speakers}
    mapping = dict(canonical)
    for correction in corrections:
        action, name, target = correction.action, correction.name, correction.target
        kind = correction.kind or None
        if action == "split":
            _split(by_name, mapping, name, target)
        elif name in by_name:
            _join(by_name, mapping, name, target, kind if action == "rename" else None)
    return [by_name[name] for name in sorted(by_name)], mapping


def _join(by_name: dict[str, Speaker], mapping: dict[str, str], name: str, target: str, kind: str | None) -> None:
    """Every name of speaker `name` now names `target` (an existing speaker, or a new name for it)."""
    moved = by_name.pop(name)
    into = by_name.get(target, Speaker(target, kind=moved.kind))
    aliases = (set(into.aliases) | set(moved.aliases) | {name}) - {target}
    roles = set(into.roles) | set(moved.roles)
    by_name[target] = Speaker(target, tuple(sorted(aliases)), tuple(sorted(roles)), kind or into.kind)
    for mention, speaker in mapping.items():
        if speaker == name:
            mapping[mention] = target


def _split(by_name: dict[str, Speaker], mapping: dict[str, str], name: str, leaving: str) -> None:
    """The name `leaving` (as resolved in its articles) no longer names speaker `name`: it is a speaker
    of its own."""
    if mapping.get(leaving) != name or leaving == name:
        return
    mapping[leaving] = leaving
    speaker = by_name[name]
    by_name[name] = Speaker(name, tuple(a for a in speaker.aliases if a != leaving), speaker.roles, speaker.kind)
    by_name.setdefault(leaving, Speaker(leaving, kind=speaker_kind(leaving)))
