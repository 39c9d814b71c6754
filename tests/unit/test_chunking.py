"""Long articles are cut into bounded chunks whose offsets still index the original text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

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
