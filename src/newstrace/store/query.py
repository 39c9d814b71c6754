"""The search language of the CLI and the web app, parsed once into a `SearchQuery` each backend translates.

What a user may write (README.md, "Searching"):

- `harbour storm`: every word must occur (in any case, accents of Latin letters ignored);
- `"harbour master"`: the words in this order, next to each other (a phrase); a written token that holds
  more than one word (`COVID-19`, `U.S.`) is a phrase too;
- `storm OR flood`: either (`OR` in capitals; it binds the terms either side, `a b OR c` is a and (b or c));
- `-ferry`, `-"harbour master"`: none of the article may hold it;
- `harb*`: a word that starts so (at the end of a word, or of the last word of a phrase).

Anything else is a word: no character is read as a backend's syntax. The words are cut as SQLite's FTS5
`unicode61` tokenizer cuts them (runs of Unicode letters and digits), so every backend matches the same
articles. Bad syntax raises `SearchSyntaxError` with one line naming the search and the problem.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from newstrace.store.base import SearchSyntaxError

_WORD = re.compile(r"[^\W_]+")
_TOKEN = re.compile(r'(-?)"([^"]*)("?)(\*?)|(\S+)')
OR = "OR"


@dataclass(frozen=True)
class Term:
    """Words that must occur in this order, next to each other (one word: just that word), folded as
    the index folds them; with `prefix`, the last word only has to start the word found."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class SearchQuery:
    """Every clause of `required` must match (a clause matches when any of its terms does), and no
    term of `excluded` may."""

    required: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.required)


def folded(text: str) -> str:
    """The text in lower case with the accents of Latin letters removed, as FTS5's `unicode61
    remove_diacritics 2` tokenizer folds it (other scripts keep their marks)."""
    if text.isascii():
        return text.lower()
    kept, after_latin = [], False
    for char in unicodedata.normalize("NFD", text):
        if not unicodedata.combining(char):
            after_latin = char < "\u0250" or "\u1e00" <= char <= "\u1eff"
        elif after_latin:
            continue
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)).lower()


def search_words(text: str) -> list[str]:
    """The words a search matches: runs of Unicode letters and digits, folded as `folded` does."""
    return _WORD.findall(folded(text))


def parse_query(text: str) -> SearchQuery:
    """The search `text` as a query; SearchSyntaxError for an unclosed quote, an OR without a term on
    each side, an excluded term inside an OR, or a search whose every term is excluded. Tokens without
    a letter or digit (`&`, `--`) are left out, as the index has no such word."""
    required: list[list[Term]] = []
    excluded: list[Term] = []
    joining = False  # the token before was OR
    for token in _TOKEN.finditer(text):
        if token.group(5) == OR:
            if not required or joining:
                raise _error(text, "OR needs a term on each side")
            joining = True
            continue
        term, negated = _term(text, token)
        if term is None:
            continue
        if negated:
            if joining:
                raise _error(text, "an excluded term (-…) cannot be one side of OR")
            excluded.append(term)
        elif joining:
            required[-1].append(term)
        else:
            required.append([term])
        joining = False
    if joining:
        raise _error(text, "OR needs a term on each side")
    if excluded and not required:
        raise _error(text, "it only excludes: add a word to find")
    return SearchQuery(tuple(tuple(clause) for clause in required), tuple(excluded))


def _term(text: str, token: re.Match[str]) -> tuple[Term | None, bool]:
    """The term one token of the search writes, and whether it is excluded (-)."""
    negated_quote, phrase, closing, quote_star, bare = token.groups()
    if bare is None:
        if not closing:
            raise _error(text, 'a quote (") is not closed')
        return _words_term(phrase, prefix=bool(quote_star)), bool(negated_quote)
    negated = bare.startswith("-") and len(bare) > 1
    body = bare[1:] if negated else bare
    return _words_term(body, prefix=body.endswith("*")), negated


def _words_term(written: str, *, prefix: bool) -> Term | None:
    words = tuple(search_words(written))
    return Term(words, prefix) if words else None


def _error(text: str, problem: str) -> SearchSyntaxError:
    return SearchSyntaxError(f"cannot understand the search {text!r}: {problem}")
