"""The framing lexicon: what counts as a framing marker, loaded from TOML and checked with clear errors.

A lexicon names referents (one thing outlets call by different names, such as Kyiv/Kiev), each with
its naming variants and its evaluative labels, and sorts reporting verbs by stance (neutral,
distancing, endorsing). The top-level phrases and verbs are English; `[referent.languages.ru]` and
`[attribution.languages.ru]` give one referent's forms and the reporting verbs in another language
(Киев/Київ/Kijów/Kiew), and only those are matched in that language's texts. The default ships in
`framing/data/default_lexicon.toml`; a user's file may replace it or, with `extends = "default"`, add
to it. The format is documented in docs/framing.md.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

STANCES = ("neutral", "distancing", "endorsing")
PHRASE_CATEGORIES = ("naming", "labels")
_REFERENT_KEYS = {"name", "languages", *PHRASE_CATEGORIES}
_LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
ENGLISH = "en"
_TOP_KEYS = {"version", "extends", "referent", "attribution"}


class LexiconError(ValueError):
    """The lexicon file cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Forms:
    """A referent's phrases in one language other than English."""

    naming: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Referent:
    name: str
    naming: tuple[str, ...] = ()  # English
    labels: tuple[str, ...] = ()
    languages: tuple[tuple[str, Forms], ...] = ()  # (ISO 639-1 code, its forms), sorted by code

    def forms(self, language: str | None) -> Forms:
        """The phrases to look for in a text of `language`: the English ones for English and for a text of
        unknown language, else that language's own (none when the lexicon gives none)."""
        if language in (None, ENGLISH):
            return Forms(self.naming, self.labels)
        return dict(self.languages).get(language, Forms())


@dataclass(frozen=True)
class Lexicon:
    referents: tuple[Referent, ...]
    attribution: dict[str, tuple[str, ...]]  # stance -> English reporting verbs as base forms
    digest: str  # changes whenever the content changes, so framing reruns after an edit
    origin: str
    # language -> stance -> reporting verbs as written in text (no inflection is derived in other languages)
    attribution_languages: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)

    def stance_of_verb(self, language: str | None = None) -> dict[str, str]:
        """Reporting verb -> stance for texts of `language` (English for None)."""
        table = self.attribution if language in (None, ENGLISH) else self.attribution_languages.get(language, {})
        return {verb: stance for stance, verbs in table.items() for verb in verbs}


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """The lexicon at `path`, or the default one; raises LexiconError with the file and the problem."""
    if path is None:
        return _parse(_default_text(), "the default lexicon")
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise LexiconError(f"{file}: cannot read the lexicon ({error})") from error
    return _parse(text, str(file))


def _default_text() -> str:
    return resources.files("newstrace.framing").joinpath("data/default_lexicon.toml").read_text(encoding="utf-8")


def _parse(text: str, origin: str) -> Lexicon:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise LexiconError(f"{origin}: not valid TOML ({error})") from error
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise LexiconError(
            f"{origin}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(_TOP_KEYS))}"
        )
    if data.get("version", 1) != 1:
        raise LexiconError(f"{origin}: version {data['version']!r} is not supported (this newstrace reads version 1)")
    referents = [_referent(entry, index, origin) for index, entry in enumerate(_list(data, "referent", origin))]
    table = data.get("attribution", {})
    english = {key: verbs for key, verbs in table.items() if key != "languages"} if isinstance(table, dict) else table
    attribution = _attribution(english, origin)
    languages = _attribution_languages(table.get("languages", {}), origin)
    base_text = ""
    if "extends" in data:
        if data["extends"] != "default":
            raise LexiconError(f'{origin}: extends = {data["extends"]!r}; the only value allowed is "default"')
        base_text = _default_text()
        base = _parse(base_text, "the default lexicon")
        referents = _without_phrases(base.referents, referents) + referents
        attribution = _merged_attribution(base.attribution, attribution)
        languages = {
            language: _merged_attribution(base.attribution_languages.get(language, _no_verbs()), languages[language])
            if language in languages
            else base.attribution_languages[language]
            for language in sorted({*base.attribution_languages, *languages})
        }
    _check_unique(referents, origin)
    digest = hashlib.sha256((base_text + "\0" + text).encode("utf-8")).hexdigest()[:12]
    return Lexicon(tuple(referents), attribution, digest, origin, languages)


def _no_verbs() -> dict[str, tuple[str, ...]]:
    return {stance: () for stance in STANCES}


def _attribution_languages(value: Any, origin: str) -> dict[str, dict[str, tuple[str, ...]]]:
    """`[attribution.languages.xx]` tables: each language's reporting verbs by stance, as written in text."""
    if not isinstance(value, dict):
        raise LexiconError(f"{origin}: [attribution.languages] must be a table of language codes")
    return {
        _language_code(language, f"{origin}: attribution.languages"): _attribution(
            verbs, f"{origin}: attribution.languages.{language}"
        )
        for language, verbs in value.items()
    }


def _language_code(code: str, where: str) -> str:
    if not _LANGUAGE_CODE.match(code) or code == ENGLISH:
        raise LexiconError(
            f"{where}: {code!r} is not a language code other than English (two or three lower-case letters, "
            "as in ru, uk, de; English goes at the top level)"
        )
    return code


def _list(data: dict[str, Any], key: str, origin: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise LexiconError(f"{origin}: '{key}' must be an array of tables ([[{key}]])")
    return value


def _referent(entry: Any, index: int, origin: str) -> Referent:
    where = f"{origin}: referent #{index + 1}"
    if not isinstance(entry, dict):
        raise LexiconError(f"{where}: must be a table with name, naming and/or labels")
    unknown = set(entry) - _REFERENT_KEYS
    if unknown:
        raise LexiconError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: name, naming, labels, languages"
        )
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise LexiconError(f"{where}: needs a non-empty 'name'")
    phrases = {
        category: _phrases(entry.get(category, []), f"{where} ({name}) {category}") for category in PHRASE_CATEGORIES
    }
    languages = _referent_languages(entry.get("languages", {}), f"{where} ({name})")
    if not any(phrases.values()) and not languages:
        raise LexiconError(f"{where} ({name}): give at least one phrase in 'naming' or 'labels'")
    return Referent(name.strip(), phrases["naming"], phrases["labels"], languages)


def _referent_languages(value: Any, where: str) -> tuple[tuple[str, Forms], ...]:
    """`[referent.languages.xx]` tables: naming and labels in each language."""
    if not isinstance(value, dict):
        raise LexiconError(f"{where}: 'languages' must be a table of language codes")
    found = []
    for language, entry in sorted(value.items()):
        here = f"{where} languages.{_language_code(language, f'{where} languages')}"
        if not isinstance(entry, dict) or set(entry) - set(PHRASE_CATEGORIES):
            raise LexiconError(f"{here}: must be a table with naming and/or labels")
        forms = Forms(*(_phrases(entry.get(category, []), f"{here} {category}") for category in PHRASE_CATEGORIES))
        if not forms.naming and not forms.labels:
            raise LexiconError(f"{here}: give at least one phrase in 'naming' or 'labels'")
        found.append((language, forms))
    return tuple(found)


def _phrases(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise LexiconError(f"{where}: must be a list of non-empty strings")
    return tuple(" ".join(item.split()) for item in value)


def _attribution(value: Any, origin: str) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise LexiconError(f"{origin}: [attribution] must be a table of {', '.join(STANCES)}")
    unknown = set(value) - set(STANCES)
    if unknown:
        raise LexiconError(
            f"{origin}: [attribution] has unknown stance(s) {', '.join(sorted(unknown))}; allowed: {', '.join(STANCES)}"
        )
    verbs = {
        stance: tuple(v.lower() for v in _phrases(value.get(stance, []), f"{origin}: attribution.{stance}"))
        for stance in STANCES
    }
    seen: dict[str, str] = {}
    for stance, listed in verbs.items():
        for verb in listed:
            if verb in seen and seen[verb] != stance:
                raise LexiconError(f"{origin}: the verb {verb!r} is listed as both {seen[verb]} and {stance}")
            seen[verb] = stance
    return verbs


def _without_phrases(base: tuple[Referent, ...], added: list[Referent]) -> list[Referent]:
    """The default's referents minus the phrases the user's file lists: a listed phrase moves to the user's
    referent (so a corpus where "military bloc" means another alliance can say so)."""
    taken = {phrase.lower() for referent in added for phrase in (*referent.naming, *referent.labels)}
    kept = []
    for referent in base:
        naming = tuple(phrase for phrase in referent.naming if phrase.lower() not in taken)
        labels = tuple(phrase for phrase in referent.labels if phrase.lower() not in taken)
        if naming or labels or referent.languages:
            kept.append(Referent(referent.name, naming, labels, referent.languages))
    return kept


def _merged_attribution(
    base: dict[str, tuple[str, ...]], added: dict[str, tuple[str, ...]]
) -> dict[str, tuple[str, ...]]:
    """The default's verbs plus the user's; a verb the user puts under another stance moves there."""
    moved = {verb for verbs in added.values() for verb in verbs}
    return {stance: tuple(v for v in base[stance] if v not in moved) + added[stance] for stance in STANCES}


def _check_unique(referents: list[Referent], origin: str) -> None:
    names = [referent.name for referent in referents]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise LexiconError(f"{origin}: referent name(s) given twice: {', '.join(repeated)}")
