"""Language detection at intake: what it answers, and that it reads a bounded prefix of the text.

Every text here is fictional, written for these tests.
"""

from __future__ import annotations

from newstrace.ingest.language import detect_language

LEAD_CHARS = 1000  # what detection reads: the same answer as 3,000 on the corpora, a third of the cost

ENGLISH = (
    "The harbour council of the fictional town of Wrenmouth met on Tuesday evening to discuss the ferry "
    "timetable, which residents have long said leaves them stranded after dark. "
)
FRENCH = (
    "Le conseil municipal de la ville imaginaire de Belcourt s'est réuni mardi soir pour discuter des "
    "horaires du bac, que les habitants jugent depuis longtemps mal adaptés à leurs besoins. "
)


def _lead_then(lead: str, rest: str, total: int) -> str:
    """`lead` repeated up to the sampled prefix, then `rest` repeated up to `total` characters."""
    head = (lead * (LEAD_CHARS // len(lead) + 1))[:LEAD_CHARS]
    return head + (rest * (total // len(rest) + 1))[: total - LEAD_CHARS]


def test_a_text_in_one_language_is_told_so() -> None:
    assert detect_language(ENGLISH * 3) == "en"
    assert detect_language(FRENCH * 3) == "fr"


def test_too_few_letters_give_no_guess() -> None:
    assert detect_language("12 345 — 67.") is None


def test_only_the_first_thousand_characters_decide() -> None:
    text = _lead_then(ENGLISH, FRENCH, 3 * LEAD_CHARS + 2000)
    assert detect_language(text[:LEAD_CHARS]) == "en"
    assert detect_language(text[LEAD_CHARS:]) == "fr"
    assert detect_language(text) == "en"
