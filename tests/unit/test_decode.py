"""Decoding bytes into text: BOMs, UTF-8, Windows-1252, and refusing binary content."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from newstrace.ingest.decode import NotText, decode_bytes, normalise_newlines


def test_utf16_with_bom_is_decoded() -> None:
    text, encoding = decode_bytes("Kyiv – “quoted”".encode("utf-16"))
    assert text == "Kyiv – “quoted”"
    assert encoding == "utf-16"


def test_utf8_bom_is_dropped() -> None:
    assert decode_bytes(b"\xef\xbb\xbfHello") == ("Hello", "utf-8-sig")


def test_cp1252_falls_back_when_utf8_fails() -> None:
    text, encoding = decode_bytes("“Smart quotes” – café".encode("cp1252"))
    assert text == "“Smart quotes” – café"
    assert encoding == "cp1252"


def test_binary_content_is_refused() -> None:
    with pytest.raises(NotText):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))


def test_newlines_are_normalised_to_lf() -> None:
    assert normalise_newlines("a\r\nb\rc\n") == "a\nb\nc\n"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1))
def test_any_utf8_text_round_trips(text: str) -> None:
    assert decode_bytes(text.encode("utf-8"))[0] == text
