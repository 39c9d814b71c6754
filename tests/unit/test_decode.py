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


@pytest.mark.parametrize("byte", [b"\xff", b"\xfe", b"\xa0"])
def test_a_run_of_one_byte_that_is_not_utf8_is_undecodable(byte: bytes) -> None:
    with pytest.raises(NotText, match="undecodable"):
        decode_bytes(byte * 65536)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("Le maire a déclaré à la presse que le pont rouvrira vendredi.", "cp1252"),
        ("Der Bürgermeister sagte, die Brücke werde am Freitag geöffnet.", "cp1252"),
        ("Мэр города заявил в пятницу, что мост снова открыт для движения.", "cp1251"),
        ("市長は金曜日、橋が再び通行可能になったと述べた。", "shift_jis"),
    ],
)
def test_legacy_encodings_are_detected(text: str, encoding: str) -> None:
    decoded, _ = decode_bytes(text.encode(encoding))
    assert decoded == text


def test_newlines_are_normalised_to_lf() -> None:
    assert normalise_newlines("a\r\nb\rc\n") == "a\nb\nc\n"


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1))
def test_any_utf8_text_round_trips(text: str) -> None:
    assert decode_bytes(text.encode("utf-8"))[0] == text
