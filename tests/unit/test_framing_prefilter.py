"""Framing scans a text for a phrase's pattern only when every word of the phrase is in the text, folded
to one case as the pattern compares letters (issue 19, item 6). Skipping must lose no match, whatever
case the text writes a word in. The lexicon and the texts are fictional."""

from __future__ import annotations

from pathlib import Path

import pytest

from newstrace.framing import markers
from newstrace.framing.lexicon import Lexicon, load_lexicon
from newstrace.framing.markers import MarkerMention, find_markers

# fictional phrases with letters whose cases are unusual: a long s, a dotless and a dotted i, a Kelvin
# sign, a final sigma, a sharp s, and a word ending in `*`
PHRASES = ["Strait Sentry", "Istra bay", "Kelvor pass", "ΣΟΦΙΑΣ", "Grenzstraße", "Velmor*", "Drovnia gate"]
TEXTS = [  # each writes a phrase in one unusual case only, so folding it wrong loses the match
    "At the ſtrait ſentry, ships waited.",
    "The ıstra bay was calm.",
    "The İstra bay was calm.",
    "Over the \u212aelvor pass at dawn.",
    "σοφιασ met them.",
    "Die Grenzstraße war leer.",
    "Velmorian fleets sailed.",
]


@pytest.fixture(scope="module")
def lexicon(tmp_path_factory: pytest.TempPathFactory) -> Lexicon:
    path = Path(tmp_path_factory.mktemp("lexicon")) / "lexicon.toml"
    phrases = ", ".join(f'"{phrase}"' for phrase in PHRASES)
    path.write_text(f'[[referent]]\nname = "Velmora"\nnaming = [{phrases}]\n', encoding="utf-8")
    return load_lexicon(path)


def _every_phrase_scanned(text: str, lexicon: Lexicon) -> list[MarkerMention]:
    """The markers as found before: every phrase's pattern scanned over the text."""
    found: list[MarkerMention] = []
    for referent in lexicon.referents:
        forms = referent.forms(None)
        for category, phrases in (("naming", forms.naming), ("label", forms.labels)):
            found += markers._longest_only(markers._matches(text, referent.name, category, phrases))
    return sorted(found, key=lambda mention: (mention.start, mention.end, mention.referent or "", mention.marker))


@pytest.mark.parametrize("text", TEXTS)
def test_skipping_absent_phrases_loses_no_match_in_any_case(text: str, lexicon: Lexicon) -> None:
    expected = _every_phrase_scanned(text, lexicon)
    assert expected  # the pattern finds the phrase: there is a match to lose
    assert find_markers(text, lexicon) == expected


def test_a_text_without_the_phrases_has_no_markers(lexicon: Lexicon) -> None:
    assert find_markers("Nothing here names a place of the lexicon, not even GRENZSTRASSE.", lexicon) == []


def test_the_pattern_of_a_phrase_absent_from_the_text_is_not_scanned(
    lexicon: Lexicon, monkeypatch: pytest.MonkeyPatch
) -> None:
    scanned: list[str] = []
    pattern = markers._pattern

    def recorded(phrase: str) -> object:
        scanned.append(phrase)
        return pattern(phrase)

    monkeypatch.setattr(markers, "_pattern", recorded)
    find_markers("Ships waited at the Drovnia gate.", lexicon)
    assert scanned == ["Drovnia gate"]
