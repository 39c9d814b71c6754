"""Find framing markers in an article: naming variants and labels in its text, and the stance of the
reporting verbs its quotes use.

Phrases match as whole words, ignoring case, with any run of spaces, hyphens or a line break where the
lexicon has a space; a word ending in `*` matches any ending (`Киев*`: Киева, Киеве), for languages
that inflect names. A text is searched for the phrases of its own language only (English ones in English
texts and texts of unknown language). Where two phrases of one referent and category overlap ("military bloc" inside
"US-led military bloc"), the longer one is kept. A quote's cue ("has claimed", "pointed out",
"according to") loses its auxiliaries and adverbs and is looked up among the inflected forms of the
lexicon's reporting verbs (claim: claims, claimed, claiming). In other languages the lexicon lists the
verbs as written (`заявил`, `заявила`), and a cue takes the stance of the longest one among its words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from newstrace.framing.lexicon import ENGLISH, Lexicon

_AUXILIARY_TEXT = """
    has have had having is are was were be been being will would shall should can could may might must
    did does do also again further then not never
"""
_AUXILIARIES = frozenset(_AUXILIARY_TEXT.split())
_IRREGULAR_FORMS = {
    "say": ("said",), "tell": ("told",), "write": ("wrote", "written"), "speak": ("spoke", "spoken"),
    "show": ("shown",), "see": ("saw", "seen"), "think": ("thought",), "make": ("made",),
    "give": ("gave", "given"), "know": ("knew", "known"), "hold": ("held",), "feel": ("felt",),
}  # fmt: skip


@dataclass(frozen=True)
class MarkerMention:
    """One framing marker found in an article (the export contract's row, without article and outlet)."""

    marker: str  # the lexicon's phrase or verb base form
    referent: str | None  # the referent, or for attribution the speaker the quote names
    category: str  # naming | label | neutral | distancing | endorsing
    text: str
    start: int
    end: int
    quote_id: str | None = None


@dataclass(frozen=True)
class QuoteCue:
    quote_id: str
    speaker: str | None
    cue_text: str
    cue_start: int
    cue_end: int


def find_markers(text: str, lexicon: Lexicon, language: str | None = None) -> list[MarkerMention]:
    """Every naming variant and label of the lexicon's referents in `text` (written in `language`), in
    text order."""
    found: list[MarkerMention] = []
    folded = _folded(text)
    for referent in lexicon.referents:
        forms = referent.forms(language)
        for category, phrases in (("naming", forms.naming), ("label", forms.labels)):
            present = [phrase for phrase in phrases if _may_occur(phrase, folded)]
            found += _longest_only(_matches(text, referent.name, category, present))
    return sorted(found, key=lambda mention: (mention.start, mention.end, mention.referent or "", mention.marker))


def attribution_markers(
    quotes: Iterable[QuoteCue], lexicon: Lexicon, language: str | None = None
) -> list[MarkerMention]:
    """The stance of each quote's reporting verb, for the cues the lexicon knows in `language`."""
    english = language in (None, ENGLISH)
    verbs = tuple(sorted(lexicon.stance_of_verb(language).items()))
    forms = _verb_forms(verbs) if english else {verb.lower(): (verb, stance) for verb, stance in verbs}
    found = []
    for quote in quotes:
        known = _lookup(quote.cue_text, forms) if english else _lookup_written(quote.cue_text, forms)
        if known:
            verb, stance = known
            found.append(
                MarkerMention(
                    verb, quote.speaker, stance, quote.cue_text, quote.cue_start, quote.cue_end, quote.quote_id
                )
            )
    return found


def _lookup(cue_text: str, forms: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """The (verb, stance) of the longest leading run of the cue's words that is a known verb form."""
    words = [word for word in re.findall(r"[a-z]+", cue_text.lower()) if word not in _AUXILIARIES]
    words = [word for word in words if not (word.endswith("ly") and len(word) > 4)]  # repeatedly, again
    for length in range(len(words), 0, -1):
        known = forms.get(" ".join(words[:length]))
        if known:
            return known
    return None


def _lookup_written(cue_text: str, forms: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """The (verb, stance) of the longest listed form among the cue's words (`a-t-il ajouté` -> `ajouté`)."""
    words = re.findall(r"\w+", cue_text.lower())
    runs = (" ".join(words[start:end]) for start in range(len(words)) for end in range(start + 1, len(words) + 1))
    known = [run for run in runs if run in forms]
    return forms[max(known, key=len)] if known else None


@lru_cache(maxsize=8)
def _verb_forms(verbs: tuple[tuple[str, str], ...]) -> dict[str, tuple[str, str]]:
    """Every inflected form of the lexicon's base forms -> (base form, stance)."""
    forms: dict[str, tuple[str, str]] = {}
    for verb, stance in verbs:
        first, _, rest = verb.partition(" ")
        for form in inflections(first):
            forms[f"{form} {rest}".strip()] = (verb, stance)
    return forms


def inflections(verb: str) -> set[str]:
    """A base form and its regular (or listed irregular) inflections: claim, claims, claimed, claiming."""
    forms = {verb, *_IRREGULAR_FORMS.get(verb, ())}
    consonant_y = verb.endswith("y") and len(verb) > 2 and verb[-2] not in "aeiou"
    if verb.endswith(("s", "sh", "ch", "x", "z")):
        forms.add(verb + "es")
    elif consonant_y:
        forms.add(verb[:-1] + "ies")
    else:
        forms.add(verb + "s")
    if verb.endswith("e"):
        forms |= {verb + "d", verb[:-1] + "ing"}
    elif consonant_y:
        forms |= {verb[:-1] + "ied", verb + "ing"}
    else:
        forms |= {verb + "ed", verb + "ing"}
        if len(verb) > 2 and verb[-1] not in "aeiouwxy" and verb[-2] in "aeiou" and verb[-3] not in "aeiou":
            forms |= {verb + verb[-1] + "ed", verb + verb[-1] + "ing"}  # admit -> admitted
    return forms


def _matches(text: str, referent: str, category: str, phrases: Iterable[str]) -> list[MarkerMention]:
    found = []
    for phrase in phrases:
        for match in _pattern(phrase).finditer(text):
            found.append(MarkerMention(phrase, referent, category, match.group(), match.start(), match.end()))
    return found


def _folded(text: str) -> str:
    """The text with every letter in one case, as the phrases' patterns (`re.IGNORECASE`) compare them:
    a letter matches another when their simple lower cases are the same, or have the same upper case
    (`ſ` and `s`, `ı` and `i`), so the upper case of the lower case is the same for both. `İ` is the one
    letter whose lower case is two characters in `str.lower` (`i` and a dot) and one in the pattern's
    (`i`)."""
    return text.replace("\u0130", "i").lower().upper()


def _may_occur(phrase: str, folded: str) -> bool:
    """False when the phrase cannot match the text folded by `_folded`: each of its words (but the
    ending `*` stands for) is somewhere in it. Scanning every phrase's pattern over every text was most
    of framing's time, and most phrases occur in few texts."""
    return all(word in folded for word in _folded_words(phrase))


@lru_cache(maxsize=4096)
def _folded_words(phrase: str) -> tuple[str, ...]:
    return tuple(_folded(word.removesuffix("*")) for word in phrase.split())


@lru_cache(maxsize=4096)
def _pattern(phrase: str) -> re.Pattern[str]:
    words = [re.escape(word[:-1]) + r"\w*" if word.endswith("*") else re.escape(word) for word in phrase.split()]
    return re.compile(r"(?<!\w)" + r"[\s\-]+".join(words) + r"(?!\w)", re.IGNORECASE)


def _longest_only(mentions: list[MarkerMention]) -> list[MarkerMention]:
    kept: list[MarkerMention] = []
    for mention in sorted(mentions, key=lambda m: (-(m.end - m.start), m.start)):
        if all(mention.end <= other.start or mention.start >= other.end for other in kept):
            kept.append(mention)
    return kept
