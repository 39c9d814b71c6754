"""spaCy's two rule components, the attribute ruler and the rule lemmatizer, doing the same work with
lookups instead of per-token Python: each `Doc` comes out byte-identical, in a fraction of the CPU.

Both components give each token values that depend only on a few of its own attributes, yet spaCy
computes them token by token (and, for the attribute ruler, runs a `Matcher` of some 180 patterns over
every token). Here the values are worked out once per distinct key and then written for the whole `Doc`
through `Doc.to_array` / `Doc.from_array`:

* the lemmatizer's lemma depends on the token's text, part of speech and morphology: spaCy's own cache
  holds only the lemmas its rules find, so every noun in the singular, every infinitive and every
  comparative-free adjective went through `is_base_form` (a dictionary of its morphology) again; and a
  new key runs spaCy's rule with the index of known words as sets, not the lists it ships (`form in index`
  read up to 57,528 nouns one by one);
* the attribute ruler's single-token patterns depend only on the attributes they read (tag, lowercase
  form, dependency, whether it is a space): which of them match a token is asked of spaCy's `Matcher`
  once per distinct combination, on that token alone, and the attributes the matching rules set are
  merged in the ruler's own order (later rules win). The few patterns of several tokens still run
  through a `Matcher` of their own, and their rules are merged in that same order.

`install(nlp)` swaps the class of the pipeline's two components for the subclasses below (their names,
configuration and serialisation stay spaCy's, so `nlp.pipe_names` and cached parses are unchanged). A
ruler whose rules set anything but tags, parts of speech, morphology, lemmas and dependency labels, or
read attributes other than those listed in `_SIGNATURE_ATTRS`, runs spaCy's own code.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy
from spacy.attrs import DEP, IDS, LEMMA, MORPH, ORTH, POS, TAG
from spacy.errors import Errors
from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.lookups import Lookups, Table
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler, Lemmatizer
from spacy.strings import get_string_id
from spacy.tokens import Doc

# The token attributes a single-token pattern may read for its matches to be looked up by their values.
_SIGNATURE_ATTRS = {
    name: IDS[name] for name in ("ORTH", "LOWER", "NORM", "TAG", "POS", "DEP", "LEMMA", "MORPH", "IS_SPACE")
}
_SIGNATURE_ATTRS["TEXT"] = ORTH
# The attributes a rule may set for its effect on a token to be a plain write of a value.
_WRITTEN_ATTRS: list[int | str] = [TAG, POS, MORPH, LEMMA, DEP]
_COLUMN = {attr: column for column, attr in enumerate(_WRITTEN_ATTRS)}
# The attributes whose values are hashes of words, as a pattern's words are (`"LOWER": "ai"`), and read the
# same by `Doc.to_array` as by the `Matcher` (not NORM: a token's own norm may differ from its word's).
_WORD_ATTRS = {IDS["ORTH"], IDS["LOWER"]}


def install(nlp: Any) -> None:
    """Make the pipeline's rule lemmatizer and attribute ruler (if it has them) use the lookups here."""
    for _, component in nlp.pipeline:
        if type(component) is AttributeRuler:
            component.__class__ = LookupAttributeRuler
        elif type(component) in _LEMMATIZERS and component.mode == "rule":
            component.__class__ = _LEMMATIZERS[type(component)]


class _LemmasByKey:
    """The rule lemmatizer's `__call__`, with every lemma looked up by (text, part of speech, morphology)."""

    def __call__(self, doc: Doc) -> Doc:
        error_handler = self.get_error_handler()  # type: ignore[attr-defined]
        try:
            _set_lemmas(self, doc)
            return doc
        except Exception as error:
            error_handler(self.name, self, [doc], error)  # type: ignore[attr-defined]
            return doc


class _LemmaState:
    """What one lemmatizer has worked out with its current tables (`lookups`): the lemma of each key, and
    the tables with the index as sets (None when they cannot be, see `_with_index_sets`)."""

    def __init__(self, lookups: Any) -> None:
        self.lookups = lookups
        self.lemma_by_key: dict[tuple[int, int, int], int] = {}
        self.indexed = _with_index_sets(lookups)


def _set_lemmas(lemmatizer: Any, doc: Doc) -> None:
    if not lemmatizer._validated:
        lemmatizer._validate_tables(Errors.E1004)
    state: _LemmaState | None = lemmatizer.__dict__.get("_lemma_state")
    if state is None or state.lookups is not lemmatizer.lookups:  # new tables (`from_disk`): start afresh
        state = lemmatizer.__dict__["_lemma_state"] = _LemmaState(lemmatizer.lookups)
    values: Any = doc.to_array([ORTH, POS, MORPH, LEMMA])
    rows = numpy.arange(len(doc)) if lemmatizer.overwrite else numpy.flatnonzero(values[:, 3] == 0)
    if not len(rows):
        return
    keys, first, inverse = numpy.unique(values[rows, :3], axis=0, return_index=True, return_inverse=True)
    lemmas = numpy.zeros(len(keys), dtype=values.dtype)
    for number, row in enumerate(keys.tolist()):
        key = (row[0], row[1], row[2])
        lemma = state.lemma_by_key.get(key)
        if lemma is None:
            lemma = doc.vocab.strings.add(_lemma_of(lemmatizer, state, doc[int(rows[first[number]])]))
            if key[1]:  # no part of speech: spaCy warns of it, so it is worked out afresh in each Doc
                state.lemma_by_key[key] = lemma
        lemmas[number] = lemma
    values[rows, 3] = lemmas[inverse.reshape(-1)]
    doc.from_array([LEMMA], values[:, 3:4])


def _lemma_of(lemmatizer: Any, state: _LemmaState, token: Any) -> str:
    """spaCy's rule for `token`, run with its tables of known words as sets (see `_with_index_sets`): the
    rule reads the component's `lookups`, `cache` and `is_base_form`, so it is handed a view with the
    other tables instead of the component (which stays as it is for any other thread using it)."""
    if state.indexed is None:
        return str(lemmatizer.lemmatize(token)[0])
    view = _IndexedView(state.indexed, lemmatizer.cache, lemmatizer.is_base_form)
    return str(type(lemmatizer).rule_lemmatize(view, token)[0])


@dataclass(frozen=True)
class _IndexedView:
    """What spaCy's `Lemmatizer.rule_lemmatize` reads of its component, with other tables."""

    lookups: Any
    cache: dict[Any, list[str]]
    is_base_form: Callable[[Any], bool]


def _with_index_sets(lookups: Any) -> Any | None:
    """A copy of `lookups` whose `lemma_index` holds each part of speech's known words as a set, or None
    when the index is not lists of strings. The rule asks `form in index` of a candidate lemma, and
    spaCy's English index lists up to 57,528 words (nouns) in a Python list, so each question read the
    list through; a set answers the same."""
    if not lookups.has_table("lemma_index"):
        return None
    index = lookups.get_table("lemma_index")
    if not all(isinstance(words, list) and all(isinstance(word, str) for word in words) for words in index.values()):
        return None
    copy = Lookups()
    for name in lookups.tables:
        copy.set_table(name, lookups.get_table(name))
    sets = Table(name="lemma_index")
    for key, words in index.items():
        sets[key] = frozenset(words)
    copy.set_table("lemma_index", sets)
    return copy


class LookupLemmatizer(_LemmasByKey, Lemmatizer):
    """spaCy's `Lemmatizer` in rule mode, lemmas looked up per key."""


class LookupEnglishLemmatizer(_LemmasByKey, EnglishLemmatizer):
    """spaCy's English rule lemmatizer, lemmas looked up per key."""


_LEMMATIZERS: dict[type, type] = {Lemmatizer: LookupLemmatizer, EnglishLemmatizer: LookupEnglishLemmatizer}


class _RulePlan:
    """How one attribute ruler's rules are looked up: its single-token patterns by the attributes they
    read (the token's signature), the others through a `Matcher` of their own. `usable` is False when the
    rules do anything this cannot reproduce exactly (spaCy's own code then runs)."""

    def __init__(self, ruler: AttributeRuler) -> None:
        self.version = (ruler.matcher, len(ruler.attrs))
        self.single = Matcher(ruler.vocab)
        self.several = Matcher(ruler.vocab)
        self.attrs: list[dict[int, int]] = list(ruler.attrs)
        self.indices: list[int] = list(ruler.indices)
        self.writes_by_signature: dict[tuple[int, ...], dict[int, int]] = {}
        self.rules_by_signature: dict[tuple[int, ...], list[int]] = {}
        self.usable = all(set(attrs) <= set(_WRITTEN_ATTRS) for attrs in self.attrs)
        read: dict[int, _Words | None] = {}  # attribute -> the words compared with it, None: not only words
        for rule in range(len(self.attrs)):
            key = str(rule)
            _, patterns = ruler.matcher.get(ruler.vocab.strings[key])
            for pattern in patterns:
                if len(pattern) == 1 and "OP" not in pattern[0] and self.indices[rule] in (0, -1):
                    self.usable = self.usable and set(pattern[0]) <= set(_SIGNATURE_ATTRS)
                    _note_reads(read, pattern[0])
                    self.single.add(key, [pattern])
                else:
                    self.several.add(key, [pattern])
        self.signature: list[int | str] = [*sorted(read)] or [ORTH]
        self.words: list[tuple[int, _Words, Any]] = [
            (column, words, numpy.array(sorted(words.hashes), dtype=numpy.uint64))
            for column, attr in enumerate(self.signature)
            if (words := read.get(int(attr))) is not None
        ]
        self.by_expression: dict[int, bool] = {}  # a word's hash -> whether a pattern's expression finds it

    def signatures(self, doc: Doc) -> Any:
        """Each token's signature: the attributes the single-token patterns read, with a word no pattern
        names (in a column only compared with words) as 0, since no pattern can tell such words apart."""
        found: Any = doc.to_array(self.signature)
        found = found.reshape(len(doc), len(self.signature))
        for column, words, hashes in self.words:
            named = numpy.isin(found[:, column], hashes)
            if words.patterns:
                others = numpy.unique(found[~named, column]).tolist()
                named |= numpy.isin(found[:, column], [word for word in others if self._found_by(words, doc, word)])
            found[~named, column] = 0
        return found

    def _found_by(self, words: _Words, doc: Doc, word: int) -> bool:
        """Whether one of the expressions finds the word (as spaCy's `Matcher` asks: `re.search`)."""
        if word not in self.by_expression:
            text = doc.vocab.strings[word]
            self.by_expression[word] = any(pattern.search(text) for pattern in words.patterns)
        return self.by_expression[word]

    def rules_of(self, doc: Doc, signature: tuple[int, ...], index: int) -> list[int]:
        """The single-token rules that match token `index` (whose signature is `signature`)."""
        rules = self.rules_by_signature.get(signature)
        if rules is None:
            matches = self.single(doc[index : index + 1], allow_missing=True, as_spans=False)
            rules = sorted({int(doc.vocab.strings[match_id]) for match_id, _, _ in matches})
            self.rules_by_signature[signature] = rules
        return rules

    def writes(self, rules: Iterable[int]) -> dict[int, int]:
        """What the rules, applied in the ruler's order, leave set."""
        merged: dict[int, int] = {}
        for rule in sorted(rules):
            merged.update(self.attrs[rule])
        return merged


@dataclass
class _Words:
    """What the single-token patterns compare one word attribute with: words (their hashes), and
    regular expressions."""

    hashes: set[int] = field(default_factory=set)
    patterns: list[re.Pattern[str]] = field(default_factory=list)


def _note_reads(read: dict[int, _Words | None], token_pattern: dict[str, Any]) -> None:
    """Add what one token pattern reads: for a word attribute compared only with words (`"LOWER": "ai"`,
    `{"IN": [...]}`, `{"REGEX": ...}`), those words; for anything else, None (every value counts)."""
    for name, wanted in token_pattern.items():
        attr = _SIGNATURE_ATTRS[name]
        known = read.get(attr, _Words())
        if known is None or attr not in _WORD_ATTRS or not _add_words(known, wanted) or 0 in known.hashes:
            read[attr] = None
        else:
            read[attr] = known


def _add_words(words: _Words, wanted: Any) -> bool:
    """Add the words a pattern's value compares with; False when it is no plain comparison."""
    if isinstance(wanted, str):
        words.hashes.add(get_string_id(wanted))
    elif isinstance(wanted, dict) and set(wanted) == {"IN"} and all(isinstance(word, str) for word in wanted["IN"]):
        words.hashes.update(get_string_id(word) for word in wanted["IN"])
    elif isinstance(wanted, dict) and set(wanted) == {"REGEX"} and isinstance(wanted["REGEX"], str):
        words.patterns.append(re.compile(wanted["REGEX"]))
    else:
        return False
    return True


class LookupAttributeRuler(AttributeRuler):
    """spaCy's `AttributeRuler`, the matches of its single-token patterns looked up per token signature."""

    def __call__(self, doc: Doc) -> Doc:
        plan = self._plan()
        if not plan.usable:
            return super().__call__(doc)
        error_handler = self.get_error_handler()
        try:
            _apply_rules(plan, doc)
            return doc
        except Exception as error:
            return error_handler(self.name, self, [doc], error)

    def _plan(self) -> _RulePlan:
        plan: _RulePlan | None = self.__dict__.get("_rule_plan")
        if plan is None or plan.version[0] is not self.matcher or plan.version[1] != len(self.attrs):
            plan = self.__dict__["_rule_plan"] = _RulePlan(self)
        return plan


def _apply_rules(plan: _RulePlan, doc: Doc) -> None:
    if not len(doc):
        return
    extra: dict[int, list[int]] = {}  # token -> rules of patterns of several tokens that set it
    for match_id, start, end in plan.several(doc, allow_missing=True, as_spans=False):
        rule = int(doc.vocab.strings[match_id])
        index = plan.indices[rule]
        target = start + index if index >= 0 else end + index
        if not start <= target < end:
            raise ValueError(f"attribute ruler: rule {rule}'s index {index} is outside its match")
        extra.setdefault(target, []).append(rule)
    signatures = plan.signatures(doc)
    kinds, first, inverse = numpy.unique(signatures, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    values: Any = doc.to_array(_WRITTEN_ATTRS)
    written = numpy.zeros((len(kinds), len(_WRITTEN_ATTRS)), dtype=bool)
    new_values = numpy.zeros((len(kinds), len(_WRITTEN_ATTRS)), dtype=values.dtype)
    for kind, row in enumerate(kinds.tolist()):
        signature = tuple(row)
        writes = plan.writes_by_signature.get(signature)
        if writes is None:
            writes = plan.writes(plan.rules_of(doc, signature, int(first[kind])))
            plan.writes_by_signature[signature] = writes
        for attr, value in writes.items():
            written[kind, _COLUMN[attr]] = True
            new_values[kind, _COLUMN[attr]] = value
    per_token = written[inverse]
    values[per_token] = new_values[inverse][per_token]
    for index, rules in extra.items():
        signature = tuple(signatures[index].tolist())
        for attr, value in plan.writes([*plan.rules_of(doc, signature, index), *rules]).items():
            values[index, _COLUMN[attr]] = value
    doc.from_array(_WRITTEN_ATTRS, values)
