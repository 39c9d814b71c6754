"""Turn raw bytes into text: byte-order marks, UTF-8, the Windows-1252 fallback, and binary detection."""

from __future__ import annotations

import codecs

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Control characters other than tab, newline, form feed and carriage return rarely occur in text files.
_TEXT_CONTROLS = {9, 10, 12, 13}


class NotText(ValueError):
    """The bytes do not look like a text document."""


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode `data` and return (text, encoding name); raise `NotText` for binary content."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding
    if _looks_binary(data[:8192]):
        raise NotText("binary content (not a text file)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; Latin-1 maps every byte, so nothing is lost.
        return data.decode("latin-1"), "latin-1"


def _looks_binary(sample: bytes) -> bool:
    if b"\x00" in sample:
        return True
    if not sample:
        return False
    controls = sum(1 for byte in sample if byte < 32 and byte not in _TEXT_CONTROLS)
    return controls / len(sample) > 0.05


def normalise_newlines(text: str) -> str:
    """Map CRLF and lone CR to LF, the only change made to a text file's content before storing it."""
    return text.replace("\r\n", "\n").replace("\r", "\n")
