"""Long articles are cut into bounded chunks whose offsets still index the original text."""

from __future__ import annotations

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st

from newstrace.nlp.components import PARAGRAPH_BREAKS, paragraph_breaks
from newstrace.nlp.stages import split_into_chunks


@settings(max_examples=200)
@given(st.text(alphabet="ab .\n", max_size=3000), st.integers(min_value=5, max_value=400))
def test_chunks_rebuild_the_text_and_respect_the_limit(text: str, limit: int) -> None:
    chunks = split_into_chunks(text, limit)
    assert "".join(piece for _, piece in chunks) == text
    for offset, piece in chunks:
        assert text[offset : offset + len(piece)] == piece
        assert len(piece) <= limit


def test_cuts_prefer_paragraph_breaks() -> None:
    text = "First paragraph here.\n\nSecond paragraph here.\n\nThird."
    chunks = split_into_chunks(text, 30)
    assert chunks[0][1] == "First paragraph here.\n\n"


def test_paragraph_breaks_start_a_sentence_after_each_line_break_and_nowhere_else() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe(PARAGRAPH_BREAKS)
    doc = nlp("Harbour reopens\nThe ferry docked at noon. Crews cheered.\n\nMore later")
    marked = [token.text for token in doc if token.is_sent_start]
    assert marked == ["Harbour", "The", "More"]
    assert [token.is_sent_start for token in doc if token.text in ("ferry", "Crews")] == [None, None]


def test_paragraph_breaks_refuse_a_parsed_doc_as_spacy_does() -> None:
    doc = spacy.blank("en")("Harbour reopens\nThe ferry docked.")
    doc[1].dep_ = "ROOT"
    with pytest.raises(ValueError, match="E043"):
        paragraph_breaks(doc)
