"""`nlp.fast_rules`: the pipeline's attribute ruler and rule lemmatizer, looked up, leave every `Doc` byte
for byte as spaCy's own code does, on the sample corpus and on the words the ruler's special patterns name
(contractions, `gonna`, `nothin'`, subordinating words)."""

from __future__ import annotations

from typing import Any

from spacy.pipeline import AttributeRuler, Lemmatizer
from spacy.tokens import Doc

from newstrace.nlp import load_pipeline
from newstrace.nlp.fast_rules import LookupAttributeRuler, LookupEnglishLemmatizer

from ..conftest import CORPUS

SPECIAL_WORDS = (
    "I ain't gonna say nothin' about it, she said, whilst they'd gotta wait. Let's go; I'm sure you're not.\n\n"
    "\"We don't know whether it's true,\" Holm said. Didn't he? Yes, tho he'll have had no choice.  \n"
    "The ANC's leaders, who haven't spoken, will meet on 3 May at 10:30 a.m. in São Paulo."
)


def _texts() -> list[str]:
    files = sorted((CORPUS / "text").glob("*.txt"))[:6]
    return [SPECIAL_WORDS, *(path.read_text(encoding="utf-8") for path in files)]


def _parsed_before_the_rules(nlp: Any, texts: list[str]) -> list[bytes]:
    before = [name for name in nlp.pipe_names if name not in ("attribute_ruler", "lemmatizer", "ner")]
    with nlp.select_pipes(enable=before):
        return [doc.to_bytes() for doc in nlp.pipe(texts)]


def test_the_pipeline_s_rule_components_are_the_looked_up_ones() -> None:
    nlp = load_pipeline()
    assert isinstance(nlp.get_pipe("attribute_ruler"), LookupAttributeRuler)
    assert isinstance(nlp.get_pipe("lemmatizer"), LookupEnglishLemmatizer)
    assert "attribute_ruler" in nlp.pipe_names and "lemmatizer" in nlp.pipe_names  # names kept: cached parses


def test_looked_up_rules_leave_every_doc_as_spacy_s_code_does() -> None:
    nlp = load_pipeline()
    ruler, lemmatizer = nlp.get_pipe("attribute_ruler"), nlp.get_pipe("lemmatizer")
    parsed = _parsed_before_the_rules(nlp, _texts())
    for _ in range(2):  # the second round reads what the first one looked up
        for data in parsed:
            spacy_s = Lemmatizer.__call__(lemmatizer, AttributeRuler.__call__(ruler, Doc(nlp.vocab).from_bytes(data)))
            looked_up = lemmatizer(ruler(Doc(nlp.vocab).from_bytes(data)))
            assert looked_up.to_bytes() == spacy_s.to_bytes()
            assert [token.lemma_ for token in looked_up] == [token.lemma_ for token in spacy_s]
    words = {token.lower_: token for token in lemmatizer(ruler(Doc(nlp.vocab).from_bytes(parsed[0])))}
    assert (words["gon"].lemma_, words["na"].lemma_, words["nothin'"].lemma_) == ("go", "to", "nothing")
    assert words["whilst"].pos_ == "SCONJ" and words["'m"].lemma_ == "be"
