"""Turn raw bytes into text: byte-order marks, UTF-8, a detected legacy encoding, and binary detection.

Bytes that are not UTF-8 are given to charset-normalizer, which proposes the encodings whose decoded text
looks least garbled (Windows-1251, Shift-JIS, ...). Windows-1252 wins whenever it is among the best: on
short Western text the detector cannot tell the Latin code pages apart, and 1252 is the common one. Bytes
that no encoding turns into readable text (a run of one byte such as 0xFF) are refused as undecodable.
"""

from __future__ import annotations

import codecs
from typing import BinaryIO

import charset_normalizer

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Control characters other than tab, newline, form feed and carriage return rarely occur in text files.
_TEXT_CONTROLS = {9, 10, 12, 13}
_DETECTION_SAMPLE_BYTES = 65536
_WESTERN_DEFAULT = "cp1252"


class NotText(ValueError):
    """The bytes do not look like a text document."""


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode `data` and return (text, encoding name); raise `NotText` for binary content."""
    encoding = bom_encoding(data)
    if encoding:
        return data.decode(encoding), encoding
    if _looks_binary(data[:8192]):
        raise NotText("binary content (not a text file)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    encoding = legacy_encoding(data[:_DETECTION_SAMPLE_BYTES])
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        # the sample decided the encoding; a stray byte later on is replaced rather than refusing the file
        return data.decode(encoding, errors="replace"), encoding


def bom_encoding(data: bytes) -> str | None:
    """The encoding a byte-order mark at the start of `data` names, if there is one."""
    return next((encoding for bom, encoding in _BOMS if data.startswith(bom)), None)


def detect_encoding(handle: BinaryIO) -> str:
    """The encoding to read a whole stream with, from its first bytes (the handle is rewound after);
    raise `NotText` for binary content."""
    sample = handle.read(_DETECTION_SAMPLE_BYTES)
    handle.seek(0)
    marked = bom_encoding(sample)
    if marked:
        return marked
    if len(sample) == _DETECTION_SAMPLE_BYTES and b"\n" in sample:
        sample = sample[: sample.rindex(b"\n") + 1]  # no character cut in half at the end
    _, encoding = decode_bytes(sample)
    return "utf-8-sig" if encoding == "utf-8" else encoding


def legacy_encoding(sample: bytes) -> str:
    """The encoding of bytes that are not UTF-8, as charset-normalizer finds it; `NotText` when none fits."""
    matches = list(charset_normalizer.from_bytes(sample))
    if not matches:
        raise NotText("undecodable content (neither UTF-8 nor any known encoding)")
    least_chaos = min(match.chaos for match in matches)
    best = [match for match in matches if match.chaos == least_chaos]
    chosen = next((m for m in best if _WESTERN_DEFAULT in m.could_be_from_charset), best[0])
    encoding = _WESTERN_DEFAULT if _WESTERN_DEFAULT in chosen.could_be_from_charset else chosen.encoding
    if not _readable(sample.decode(encoding, errors="replace")):
        raise NotText("undecodable content (no encoding turns these bytes into readable text)")
    return encoding


def _readable(text: str) -> bool:
    """Readable text uses more than one letter or digit; a run of one byte decodes to one repeated sign."""
    distinct: set[str] = set()
    for character in text:
        if character.isalnum():
            distinct.add(character)
            if len(distinct) > 1:
                return True
    return False


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
