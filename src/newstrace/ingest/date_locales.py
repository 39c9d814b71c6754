"""Which of dateparser's locales could read a date string: dateparser's all-language pass, which
`ingest.dates` runs on what English did not read, needs only those.

dateparser tries a locale on a string only if the locale is *applicable*: every token of the string, as
the locale lower-cases, simplifies and splits it, is a number, one of its words or one of its relative
expressions (`Locale.is_applicable`). Testing that compiles a large pattern of every locale's words the
first time (about 3 CPU s over dateparser's ~200 locales). This module asks a cheaper question of the
same data, which can only say "no" when dateparser would: whether some run of letters of the string
(as the locale simplifies it, with and without its time zone) can lie in none of the locale's words
and relative expressions. A locale that writes words apart matches a word only between non-letters, so
each run of letters must be one of its words' own runs; a locale that writes words together (Japanese,
Chinese) matches anywhere, so each run must be a sequence of them.

Only strings whose letters are ASCII are judged (the fallback's strings in news headers are); for
anything else, and for a string with a short Roman-numeral year (which dateparser retries without it),
every locale counts.
A parser restricted to the locales that may apply tries, in the same order, exactly the locales the
all-language parser would find applicable, so it reads every string the same way.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from typing import Any

# dateparser reads an upper-case Roman numeral of three or four letters from M on as a year and then
# parses the rest without it: a superset of the numerals its own pattern takes.
_SHORT_ROMAN_YEAR = re.compile(r"\bM[MDCLXVI]{2,3}\b")
_LETTER_RUN = re.compile(r"[a-z]+")
# Runs dateparser may drop or rewrite before the locale's words count: ordinal suffixes after a number,
# and the Q of a calendar quarter ("2024-Q1" becomes "2024-01").
_NOT_WITNESSES = frozenset({"st", "nd", "rd", "th", "q"})


def locales_that_may_read(text: str, parser: Any) -> list[str] | None:
    """The names of the all-language `parser`'s locales that may be applicable to `text`, in its order
    (every locale left out provably is not); None when the string cannot be judged this way."""
    try:
        return _judged(text, parser)
    except (AttributeError, ImportError, KeyError, TypeError):
        # This reads dateparser's locale data through its internals (checked against the installed
        # version by tests/unit/test_ingest_date_locales.py); another version may lay them out otherwise.
        return None


def _judged(text: str, parser: Any) -> list[str] | None:
    from dateparser.date import sanitize_date
    from dateparser.timezone_parser import pop_tz_offset_from_string

    if not _letters_are_ascii(text):
        return None
    sanitized = sanitize_date(text)
    if _SHORT_ROMAN_YEAR.search(sanitized):
        return None
    settings = parser._settings
    without_zone, _ = pop_tz_offset_from_string(sanitized, as_offset=False, settings=settings)
    locales = _candidate_locales(parser)
    if not locales:
        return []
    # What every locale reads before simplifying is the same (dateparser's numeral translation and
    # Unicode normalisation take no locale data), so each form is prepared once, not once a locale.
    forms = [_as_locales_read(locales[0], form, settings) for form in dict.fromkeys((sanitized, without_zone))]
    simplified: dict[tuple[object, str], str] = {}  # locales sharing their simplifications share the result
    return [
        locale.shortname
        for locale in locales
        if not all(_has_unknown_run(locale, form, settings, simplified) for form in forms)
    ]


def _letters_are_ascii(text: str) -> bool:
    """Whether every character outside ASCII is punctuation, a symbol or a space (never part of a word,
    so it parts runs of letters as ASCII punctuation does)."""
    return text.isascii() or all(char.isascii() or unicodedata.category(char)[0] in "PSZ" for char in text)


def _candidate_locales(parser: Any) -> list[Any]:
    """The locales the parser chooses from, in its order (as `DateDataParser` lists them)."""
    return list(
        parser._get_locale_loader().get_locales(
            languages=parser.languages, locales=parser.locales, region=parser.region, use_given_order=False
        )
    )


def _has_unknown_run(locale: Any, text: str, settings: Any, simplified_by: dict[tuple[object, str], str]) -> bool:
    """Whether `text` (as `_as_locales_read` made it), simplified by the locale as dateparser does before
    splitting it, holds a run of letters that no token the locale knows can hold (so the locale is not
    applicable). `simplified_by` keeps each simplification already made, by what it depends on."""
    for checked in {locale, locale._native}:
        key = (_simplification_key(checked, settings), text)
        if key not in simplified_by:
            simplified_by[key] = checked._simplify(text, settings=settings)
        simplified = simplified_by[key]
        if not _letters_are_ascii(simplified):
            return False  # a simplification wrote letters the runs below would not see
        vocabulary = _vocabulary(checked, settings)
        if vocabulary is None:
            return False
        runs, writes_words_apart = vocabulary
        strings = {run for run in _LETTER_RUN.findall(simplified) if run not in _NOT_WITNESSES}
        readable = _whole_run if writes_words_apart else _joined_runs
        if all(readable(run, runs) for run in strings):
            return False
    return True


def _as_locales_read(locale: Any, text: str, settings: Any) -> str:
    """`text` with its digits and Unicode forms as `Locale.is_applicable` makes them before simplifying."""
    from dateparser.utils import normalize_unicode

    text = locale._translate_numerals(text)
    return str(normalize_unicode(text)) if settings.NORMALIZE else text


def _whole_run(run: str, runs: frozenset[str]) -> bool:
    """A locale that writes words apart matches its words only between non-letters, so a run of the
    string lies whole in one of its words, as one of that word's own runs."""
    return run in runs


def _joined_runs(run: str, runs: frozenset[str]) -> bool:
    """A locale that writes words together matches its words anywhere, so a run of the string is a
    sequence of its words' runs, each whole."""
    reachable = [True] + [False] * len(run)
    for end in range(1, len(run) + 1):
        reachable[end] = any(reachable[start] and run[start:end] in runs for start in range(end))
    return reachable[-1]


_SIMPLIFICATION_KEYS: dict[tuple[str, bool], tuple[object, ...]] = {}


def _simplification_key(locale: Any, settings: Any) -> tuple[object, ...]:
    """Everything `Locale._simplify` reads of the locale: whether it folds letter variants, whether it is
    Russian (which adds a step), and its simplification patterns with their replacements. Dateparser's
    205 locales hold 33 distinct sets of these (the regions of a language share its set), and native forms add a few."""
    key = (locale.info["name"], bool(settings.NORMALIZE))
    if key not in _SIMPLIFICATION_KEYS:
        patterns = tuple(
            (pattern.pattern, pattern.flags, replacement)
            for simplification in locale._get_simplifications(settings=settings)
            for pattern, replacement in simplification.items()
        )
        _SIMPLIFICATION_KEYS[key] = (bool(locale._translates_letters), locale.info.get("name") == "ru", patterns)
    return _SIMPLIFICATION_KEYS[key]


_VOCABULARIES: dict[tuple[str, bool], tuple[frozenset[str], bool] | None] = {}
_NUMBER_GROUP = "(\\d++[.,]?\\d*+)"  # how dateparser's relative expressions write their number
_OPTIONAL_PART = re.compile(r"([a-z])\?|\\s\*")
_REGEX_SYNTAX = re.compile(r"[\\()\[\]|.*+?{^$]")


def _vocabulary(locale: Any, settings: Any) -> tuple[frozenset[str], bool] | None:
    """The runs of letters of every word and relative expression of the locale (lower-cased and
    case-folded, as its patterns ignore case; anything but a-z parts runs), and whether it writes words
    apart; None when a relative expression uses pattern syntax these runs cannot follow."""
    key = (locale.info["name"], bool(settings.NORMALIZE))
    if key not in _VOCABULARIES:
        dictionary = locale._get_dictionary(settings)
        expressions = [_plain_forms(pattern) for pattern in dictionary._relative_strings]
        if any(forms is None for forms in expressions):
            _VOCABULARIES[key] = None
        else:
            words = [*dictionary._dictionary, *settings.SKIP_TOKENS]
            words += [form for forms in expressions if forms for form in forms]
            runs = frozenset(
                run for word in words for form in (word.lower(), word.casefold()) for run in _LETTER_RUN.findall(form)
            )
            no_word_spacing = str(locale.info.get("no_word_spacing", False)).strip().lower() in ("true", "1", "yes")
            _VOCABULARIES[key] = (runs, not no_word_spacing)
    return _VOCABULARIES[key]


def _plain_forms(pattern: str) -> list[str] | None:
    """Every text a relative expression's pattern matches, with its number written `1`: the pattern is
    letters, one number group, optional letters (`s?`) and optional spaces (`\\s*`); None for others."""
    template = pattern.lower().replace(_NUMBER_GROUP, "1")
    parts = _OPTIONAL_PART.split(template)
    # split() interleaves: text, letter-or-None, text, letter-or-None, ...
    fixed, optional = parts[::2], parts[1::2]
    if any(_REGEX_SYNTAX.search(text) for text in fixed):
        return None
    choices = [(letter, "") if letter else (" ", "") for letter in optional]
    return ["".join(_interleave(fixed, chosen)) for chosen in itertools.product(*choices)]


def _interleave(fixed: list[str], chosen: tuple[str, ...]) -> list[str]:
    pieces = [fixed[0]]
    for between, text in zip(chosen, fixed[1:], strict=True):
        pieces += [between, text]
    return pieces
