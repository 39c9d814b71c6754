"""Sentences, names and quotes for articles in Russian, Ukrainian, German, French, Spanish, Italian, Polish
and Portuguese.

Each language gets the best analyser that installs offline (the `multilingual` extra):

* ru, uk: `razdel` sentences and `natasha`'s news NER (trained on Russian; it also finds most Ukrainian
  names), with Russian names put in their base form by `pymorphy2` (`Пескова` -> `Песков`);
* fr: `fr_core_news_sm`'s NER with a rule sentencizer (its parser splits sentences at `«`);
* de, es, it, pl, pt: spaCy's tokenizer and rule sentencizer; the names are the speakers the quote rules find.

Without the extra installed, every language falls back to the spaCy sentencizer and rule-found speakers.
Models are loaded on first use, once per process, only for the languages that appear. Quotes come from
`multilingual_quotes`, whatever the analyser. Offsets index the text as given.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from newstrace.nlp.multilingual_quotes import Name, find_quotes, rule_languages, rules_for, speaker_names
from newstrace.nlp.quotes import FoundQuote
from newstrace.nlp.spans import Span
from newstrace.nlp.threads import one_thread

_LABELS = {"PER": "PERSON", "PERSON": "PERSON", "ORG": "ORG", "LOC": "LOC", "GPE": "GPE", "MISC": "MISC"}
_NATASHA_LANGUAGES = frozenset({"ru", "uk"})
_SPACY_MODELS = {"fr": "fr_core_news_sm"}


@dataclass(frozen=True)
class OtherLanguageAnalysis:
    """What the multilingual path found in one text: sentences, names and quotes, as offsets into it."""

    sentences: list[Span]
    names: list[Name]
    quotes: list[FoundQuote]


def supports(language: str | None) -> bool:
    """True when `language` (an ISO 639-1 code) has quote rules here."""
    return language in rule_languages()


def analyser_of(language: str) -> str:
    """Which analyser `language` gets on this installation, for the docs and `newstrace` messages."""
    if language in _NATASHA_LANGUAGES and _installed("natasha"):
        return "natasha"
    if language in _SPACY_MODELS and _installed(_SPACY_MODELS[language]):
        return _SPACY_MODELS[language]
    return "spacy-sentencizer"


def analyse_other_language(language: str, text: str) -> OtherLanguageAnalysis:
    """Sentences, names and quotes of `text`, written in `language` (one `supports` accepts)."""
    analyser = analyser_of(language)
    if analyser == "natasha":
        sentences, names = _natasha_annotate(text)
    else:
        sentences, names = _spacy_annotate(language, analyser, text)
    sentences = [piece for sentence in sentences for piece in _split_at_line_breaks(text, sentence)]
    names = [_without_title(text, name) for name in names]
    quotes = find_quotes(text, language, sentences, names)
    if analyser == "spacy-sentencizer":
        names = [
            Name("PERSON", s.start, s.end, text[s.start : s.end])
            for s in speaker_names(text, quotes, rules_for(language))
        ]
    return OtherLanguageAnalysis(sentences, names, quotes)


def _without_title(text: str, name: Name) -> Name:
    """A person's name without the title a recogniser swept in (`Міністр оборони Олена Марченко`)."""
    if name.label != "PERSON":
        return name
    written = text[name.start : name.end].split(" ")
    keep = len(written)
    while keep > 0 and written[keep - 1][:1].isupper():
        keep -= 1
    if keep == 0 or keep == len(written):
        return name
    start = name.start + len(" ".join(written[:keep])) + 1
    normal = " ".join(name.normal.split(" ")[keep:]) or text[start : name.end]
    return Name(name.label, start, name.end, normal)


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _split_at_line_breaks(text: str, sentence: Span) -> list[Span]:
    """A sentence never runs across a line break (headlines carry no full stop)."""
    pieces = []
    for match in re.finditer(r"[^\n]+", text[sentence.start : sentence.end]):
        start, end = sentence.start + match.start(), sentence.start + match.end()
        while end > start and text[end - 1].isspace():
            end -= 1
        while start < end and text[start].isspace():
            start += 1
        if end > start:
            pieces.append(Span(start, end))
    return pieces


# -- natasha (ru, uk) ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Natasha:
    segmenter: Any
    tagger: Any
    morphology: Any


@lru_cache(maxsize=1)
def _natasha() -> _Natasha:
    from natasha import MorphVocab, NewsEmbedding, NewsNERTagger, Segmenter

    return _Natasha(Segmenter(), NewsNERTagger(NewsEmbedding()), MorphVocab())


def _natasha_annotate(text: str) -> tuple[list[Span], list[Name]]:
    from natasha import Doc

    models = _natasha()
    doc = Doc(text)
    doc.segment(models.segmenter)
    with one_thread():  # slovnet's small matrix products: 6 times faster than on two BLAS threads
        doc.tag_ner(models.tagger)
    sentences = [Span(sentence.start, sentence.stop) for sentence in doc.sents]
    names = [
        Name(_LABELS.get(span.type, span.type), span.start, span.stop, _base_form(span.text, span.type, models))
        for span in doc.spans
        if "\n" not in span.text
    ]
    return sentences, names


def _base_form(name: str, label: str, models: _Natasha) -> str:
    """A person's name in the nominative (`Дмитрия Пескова` -> `Дмитрий Песков`); other names as written."""
    if label != "PER":
        return name
    return " ".join(_base_word(word, models) for word in name.split())


def _base_word(word: str, models: _Natasha) -> str:
    for parse in models.morphology.parse(word):
        if {"Name", "Surn", "Patr"} & set(parse.tag.grammemes) and parse.tag.case != "nomn":
            normal = str(parse.normal_form)
            return normal[:1].upper() + normal[1:]
        if {"Name", "Surn", "Patr"} & set(parse.tag.grammemes):
            return word
    return word


# -- spaCy (fr with NER; de, es, it, pl and the fallback with a sentencizer) ---------------------------


@cache
def _spacy_pipeline(language: str, analyser: str) -> Any:
    import spacy

    if analyser == "spacy-sentencizer":
        nlp = spacy.blank(language)
    else:
        nlp = spacy.load(analyser, exclude=["parser", "lemmatizer", "morphologizer", "attribute_ruler"])
    nlp.add_pipe("sentencizer")
    return nlp


def _spacy_annotate(language: str, analyser: str, text: str) -> tuple[list[Span], list[Name]]:
    doc = _spacy_pipeline(language, analyser)(text)
    sentences = [Span(sentence.start_char, sentence.end_char) for sentence in doc.sents]
    names = [
        Name(_LABELS.get(ent.label_, ent.label_), ent.start_char, ent.end_char, ent.text)
        for ent in doc.ents
        if "\n" not in ent.text
    ]
    return sentences, names
