"""Stable article identity: a hash of the normalised text, so the same text is always one article."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w+(?:['’]\w+)*")
ID_HEX_CHARS = 16


def normalise_for_identity(text: str) -> str:
    """Fold what does not change an article's content: Unicode form, case, and runs of whitespace."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text)).strip().casefold()


def article_id(text: str) -> str:
    """The id of an article with this text: 16 hex characters of the SHA-256 of its normalised form."""
    digest = hashlib.sha256(normalise_for_identity(text).encode("utf-8")).hexdigest()
    return digest[:ID_HEX_CHARS]


def count_words(text: str) -> int:
    return len(_WORD.findall(text))
